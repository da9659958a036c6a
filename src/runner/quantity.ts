// Kubernetes resource quantities ("512Mi", "500m", "1.5") as numbers, for mapping limits to runsc.
import { RunnerError } from './errors';

const BINARY_SUFFIXES: { [suffix: string]: number } = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL_SUFFIXES: { [suffix: string]: number } = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The value of a quantity such as `64Mi`, `500m`, `1e3` or `2`; `what` names it in errors. */
export function parseQuantity(value: string | number, what: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const text = String(value).trim();
  const match = /^(\d+(?:\.\d*)?|\.\d+)(?:([eE][-+]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(text);
  if (!match) {
    throw new RunnerError(`${what}: "${text}" is not a Kubernetes quantity (examples: 64Mi, 1Gi, 500m, 2)`);
  }
  const base = Number(match[1]);
  if (match[2]) return base * 10 ** Number(match[2].slice(1));
  const suffix = match[3] ?? '';
  return base * (BINARY_SUFFIXES[suffix] ?? DECIMAL_SUFFIXES[suffix]);
}

/** A byte quantity rounded up to whole bytes. */
export function parseBytes(value: string | number, what: string): number {
  return Math.ceil(parseQuantity(value, what));
}

/** A CPU quantity in millicores, rounded up (Kubernetes' own precision is 1m). */
export function parseMillicores(value: string | number, what: string): number {
  return Math.ceil(Math.round(parseQuantity(value, what) * 1e6) / 1e3);
}

/** CFS period used for CPU limits, as the kubelet does (100 ms). */
export const CPU_PERIOD_US = 100_000;

/** The CFS quota for a CPU limit in millicores (the kubelet's formula, minimum 1 ms). */
export function cpuQuotaUs(millicores: number): number {
  return Math.max(1000, Math.floor((millicores * CPU_PERIOD_US) / 1000));
}

/** cpu.shares for a CPU request in millicores (the kubelet's formula, minimum 2). */
export function cpuShares(millicores: number): number {
  return Math.max(2, Math.floor((millicores * 1024) / 1000));
}

/** A byte count as a short human string (`64Mi`, `1.5Gi`, `300`) for messages. */
export function formatBytes(bytes: number): string {
  for (const [suffix, factor] of [['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (bytes >= factor) return `${Math.round((bytes / factor) * 100) / 100}${suffix}`;
  }
  return String(bytes);
}
