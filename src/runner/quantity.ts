// Kubernetes resource quantities ("512Mi", "500m", "1.5") as numbers, for mapping limits to runsc.
//
// Quantities are parsed exactly (as a fraction of big integers), then rounded up the way the
// kubelet rounds them. A value that is not finite, too large to be an exact JavaScript integer, or
// otherwise out of range is refused with the field, the value and what is allowed: config.json
// must never receive a silently rounded number or a `null` (what JSON.stringify makes of Infinity).
import { RunnerError } from './errors';

const BINARY_EXPONENTS: { [suffix: string]: bigint } = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const DECIMAL_EXPONENTS: { [suffix: string]: number } = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** The largest count of bytes (or other integer) passed on to runsc: the largest exact JavaScript integer, 2^53 - 1 (about 8Pi). */
export const MAX_EXACT_INTEGER = Number.MAX_SAFE_INTEGER;

/** The largest CPU quantity accepted, in millicores (one million CPUs): its CFS quota stays far below the kernel's maximum. */
export const MAX_MILLICORES = 1e9;

/** The kubelet's largest cpu.shares (cgroup v1 allows 2 to 262144). */
export const MAX_CPU_SHARES = 262_144;

/** Longest quantity text accepted; Kubernetes' own quantities are far shorter. */
const MAX_QUANTITY_LENGTH = 100;
/** Largest decimal exponent accepted (`1e400` is refused as out of range rather than computed). */
const MAX_EXPONENT = 200;

/** A non-negative rational number `num / den` (den > 0). */
interface Exact { readonly num: bigint; readonly den: bigint }

/** The exact value of a quantity; a RunnerError naming `what` for anything that is not one. */
function exactQuantity(value: unknown, what: string): Exact {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RunnerError(`${what}: ${value} is not a finite quantity (examples: 64Mi, 1Gi, 500m, 2)`);
    if (value < 0) throw new RunnerError(`${what}: ${value} is negative; a quantity here must be at least 0`);
  } else if (typeof value !== 'string') {
    throw new RunnerError(`${what}: ${JSON.stringify(value) ?? String(value)} is not a Kubernetes quantity (examples: 64Mi, 1Gi, 500m, 2)`);
  }
  const text = String(value).trim();
  if (text.length > MAX_QUANTITY_LENGTH) throw new RunnerError(`${what}: "${text.slice(0, 40)}..." is ${text.length} characters long; a quantity here has at most ${MAX_QUANTITY_LENGTH}`);
  const match = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:[eE]([-+]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(text);
  if (!match) throw new RunnerError(`${what}: "${text}" is not a Kubernetes quantity (examples: 64Mi, 1Gi, 500m, 2)`);
  const [, sign, mantissa, exponentText, suffix = ''] = match;
  const [whole, fraction = ''] = mantissa.split('.');
  const digits = BigInt(`${whole}${fraction}` || '0');
  if (sign === '-' && digits !== 0n) throw new RunnerError(`${what}: "${text}" is negative; a quantity here must be at least 0`);
  let exponent = -fraction.length;
  if (exponentText !== undefined) {
    const e = Number(exponentText);
    if (Math.abs(e) > MAX_EXPONENT) throw new RunnerError(`${what}: "${text}" is out of range: its exponent ${exponentText} is beyond ±${MAX_EXPONENT} (allowed: a whole number of at most ${MAX_EXACT_INTEGER})`);
    exponent += e;
  } else {
    exponent += DECIMAL_EXPONENTS[suffix] ?? 0;
  }
  let num = digits * (BINARY_EXPONENTS[suffix] !== undefined ? 2n ** BINARY_EXPONENTS[suffix] : 1n);
  let den = 1n;
  if (exponent >= 0) num *= 10n ** BigInt(exponent);
  else den = 10n ** BigInt(-exponent);
  return { num, den };
}

/** The smallest integer at least `value * scale`. */
function ceilScaled(value: Exact, scale: bigint): bigint {
  return (value.num * scale + value.den - 1n) / value.den;
}

/** The text of a value for messages (a string quoted, a number as is). */
function shown(value: unknown): string {
  return typeof value === 'string' ? `"${value.trim()}"` : String(value);
}

/**
 * The value of a quantity such as `64Mi`, `500m`, `1e3` or `2`; `what` names it in errors. Refuses
 * what is not a quantity, negative values and values beyond `MAX_EXACT_INTEGER`.
 */
export function parseQuantity(value: string | number, what: string): number {
  const exact = exactQuantity(value, what);
  if (ceilScaled(exact, 1n) > BigInt(MAX_EXACT_INTEGER)) {
    throw new RunnerError(`${what}: ${shown(value)} is out of range (allowed: at most ${MAX_EXACT_INTEGER})`);
  }
  return Number(exact.num) / Number(exact.den);
}

/** Options of `parseBytes`. */
export interface ParseBytesOptions {
  /**
   * The smallest byte count allowed (e.g. 1 where 0 would mean "no limit" to runsc or tmpfs).
   * @default 0
   */
  readonly min?: number;
}

/**
 * A byte quantity rounded up to whole bytes (as the kubelet does), as an exact integer. Refuses
 * non-finite values, values below `min`, and values beyond `MAX_EXACT_INTEGER` (about 8Pi).
 */
export function parseBytes(value: string | number, what: string, options: ParseBytesOptions = {}): number {
  const bytes = ceilScaled(exactQuantity(value, what), 1n);
  const min = options.min ?? 0;
  if (bytes > BigInt(MAX_EXACT_INTEGER) || bytes < BigInt(min)) {
    throw new RunnerError(`${what}: ${shown(value)} is out of range (allowed: a byte quantity from ${min === 0 ? '0' : formatBytes(min)} to ${MAX_EXACT_INTEGER} bytes, about 8Pi)`);
  }
  return Number(bytes);
}

/** A CPU quantity in millicores, rounded up (Kubernetes' own precision is 1m); at most `MAX_MILLICORES`. */
export function parseMillicores(value: string | number, what: string): number {
  const millicores = ceilScaled(exactQuantity(value, what), 1000n);
  if (millicores > BigInt(MAX_MILLICORES)) {
    throw new RunnerError(`${what}: ${shown(value)} is out of range (allowed: a CPU quantity of at most ${MAX_MILLICORES / 1000} CPUs, ${MAX_MILLICORES}m)`);
  }
  return Number(millicores);
}

/** CFS period used for CPU limits, as the kubelet does (100 ms). */
export const CPU_PERIOD_US = 100_000;

/** The CFS quota for a CPU limit in millicores (the kubelet's formula, minimum 1 ms). */
export function cpuQuotaUs(millicores: number): number {
  return Math.max(1000, Math.floor((millicores * CPU_PERIOD_US) / 1000));
}

/** cpu.shares for a CPU request in millicores (the kubelet's formula, from 2 to `MAX_CPU_SHARES`). */
export function cpuShares(millicores: number): number {
  return Math.min(MAX_CPU_SHARES, Math.max(2, Math.floor((millicores * 1024) / 1000)));
}

/** A byte count as a short human string (`64Mi`, `1.5Gi`, `300`) for messages. */
export function formatBytes(bytes: number): string {
  for (const [suffix, factor] of [['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (bytes >= factor) return `${Math.round((bytes / factor) * 100) / 100}${suffix}`;
  }
  return String(bytes);
}
