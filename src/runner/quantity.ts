// Kubernetes resource quantities ("512Mi", "500m", "1.5") mapped to runsc's limits, read with the profile's
// one quantity grammar (src/profile/quantity.ts).
//
// Quantities are exact, then rounded up the way the kubelet rounds them (Value, MilliValue). A value that
// is not finite, too large to be an exact JavaScript integer, or otherwise out of range is refused with
// the field, the value and what is allowed: config.json must never receive a silently rounded number or
// a `null` (what JSON.stringify makes of Infinity).
import { MAX_QUANTITY_LENGTH, Quantity, quantityMilliValue, quantityValue, validateQuantity } from '../profile/quantity';
import { RunnerError } from './errors';

/** The largest count of bytes (or other integer) passed on to runsc: the largest exact JavaScript integer, 2^53 - 1 (about 8Pi). */
export const MAX_EXACT_INTEGER = Number.MAX_SAFE_INTEGER;

/** The largest CPU quantity accepted, in millicores (one million CPUs): its CFS quota stays far below the kernel's maximum. */
export const MAX_MILLICORES = 1e9;

/** The kubelet's largest cpu.shares (cgroup v1 allows 2 to 262144). */
export const MAX_CPU_SHARES = 262_144;

const EXAMPLES = '(examples: 64Mi, 1Gi, 500m, 2)';

/** The text of a value for messages (a string quoted, a number as is). */
function shown(value: unknown): string {
  return typeof value === 'string' ? `"${value.trim()}"` : String(value);
}

/** The non-negative quantity a value holds; a RunnerError naming `what` for anything else. */
function quantityOf(value: unknown, what: string): Quantity {
  const verdict = validateQuantity(value);
  switch (verdict.problem) {
    case undefined: break;
    case 'not-finite': throw new RunnerError(`${what}: ${value} is not a finite quantity ${EXAMPLES}`);
    case 'too-long': throw new RunnerError(`${what}: "${verdict.text!.slice(0, 40)}..." is ${verdict.text!.length} characters long; a quantity here has at most ${MAX_QUANTITY_LENGTH}`);
    case 'exponent-out-of-range': throw new RunnerError(`${what}: ${shown(value)} is out of range: ${verdict.detail} (allowed: a whole number of at most ${MAX_EXACT_INTEGER})`);
    default: throw new RunnerError(`${what}: ${typeof value === 'string' ? `"${verdict.text}"` : JSON.stringify(value) ?? String(value)} is not a Kubernetes quantity ${EXAMPLES}`);
  }
  const quantity = verdict.quantity!;
  if (quantity.nanos < 0n) throw new RunnerError(`${what}: ${shown(value)} is negative; a quantity here must be at least 0`);
  return quantity;
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
  const bytes = quantityValue(quantityOf(value, what));
  const min = options.min ?? 0;
  if (bytes > BigInt(MAX_EXACT_INTEGER) || bytes < BigInt(min)) {
    throw new RunnerError(`${what}: ${shown(value)} is out of range (allowed: a byte quantity from ${min === 0 ? '0' : formatBytes(min)} to ${MAX_EXACT_INTEGER} bytes, about 8Pi)`);
  }
  return Number(bytes);
}

/** A CPU quantity in millicores, rounded up (Kubernetes' own precision is 1m); at most `MAX_MILLICORES`. */
export function parseMillicores(value: string | number, what: string): number {
  const millicores = quantityMilliValue(quantityOf(value, what));
  if (millicores > BigInt(MAX_MILLICORES)) {
    throw new RunnerError(`${what}: ${shown(value)} is out of range (allowed: a CPU quantity of at most ${MAX_MILLICORES / 1000} CPUs, ${MAX_MILLICORES}m)`);
  }
  return Number(millicores);
}

/**
 * The downward API's value of a container resource (`resourceFieldRef` of `limits.cpu`, `requests.memory`...),
 * as the kubelet computes it: ceil(quantity / divisor), in millicores for cpu and in whole units otherwise;
 * a divisor of 0 counts as 1.
 */
export function resourceFieldValue(field: string, value: string | number, divisor: string | number, where: string): string {
  const cpu = field.endsWith('.cpu');
  const scaled = cpu ? quantityMilliValue : quantityValue;
  const amount = scaled(quantityOf(value, `${where} ${field}`));
  const divisorQuantity = quantityOf(divisor, `${where} divisor`);
  const per = divisorQuantity.nanos === 0n ? (cpu ? 1000n : 1n) : scaled(divisorQuantity);
  return String((amount + per - 1n) / per);
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
