// Timing helpers for the benchmarks: interleaved repetitions, medians, and child processes for heap figures.
import { execFileSync, spawnSync } from 'child_process';
import * as os from 'os';

/** One contender of a timed comparison: a function that does one unit of work. */
export interface Contender {
  readonly name: string;
  readonly run: () => unknown;
}

/** Median time per unit of work of each contender, with every repetition kept. */
export interface Timing {
  readonly name: string;
  /** Median milliseconds per unit of work. */
  readonly medianMs: number;
  /** Milliseconds per unit of work of each repetition. */
  readonly repsMs: readonly number[];
}

/** Options of an interleaved comparison. */
export interface CompareOptions {
  /** Repetitions per contender (at least 5). */
  readonly reps: number;
  /** Units of work per repetition; with `targetMs`, a lower bound. */
  readonly batch?: number;
  /** Size each contender's batch so that its repetition takes about this long. */
  readonly targetMs?: number;
  /** Warm-up milliseconds per contender before timing. */
  readonly warmupMs?: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Milliseconds one call of `fn` takes, `n` times in a row. */
export function timeBatch(fn: () => unknown, n: number): number {
  let sink: unknown;
  const start = nowMs();
  for (let i = 0; i < n; i++) sink = fn();
  const elapsed = nowMs() - start;
  if (sink === Symbol.for('never')) console.log('');
  return elapsed;
}

/**
 * Times the contenders in the same process, interleaved: each repetition runs every contender once, in an
 * order that rotates, so drift of the machine (other jobs, CPU frequency) hits all of them alike.
 */
export function compare(contenders: readonly Contender[], options: CompareOptions): Timing[] {
  const reps = Math.max(5, options.reps);
  const warmupMs = options.warmupMs ?? 300;
  // Warm up (JIT, caches) and estimate the cost of one unit.
  const estimates = contenders.map((c) => {
    let n = 0;
    const start = nowMs();
    while (nowMs() - start < warmupMs || n < 3) { c.run(); n++; }
    return (nowMs() - start) / n;
  });
  // Each contender's batch lasts about targetMs, so a short contender is not timed over a few microseconds.
  const batches = estimates.map((e) => options.targetMs === undefined
    ? (options.batch ?? 1)
    : Math.max(options.batch ?? 1, Math.round(options.targetMs / e)));
  const reps_: number[][] = contenders.map(() => []);
  for (let r = 0; r < reps; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const i = (r + k) % contenders.length;
      reps_[i].push(timeBatch(contenders[i].run, batches[i]) / batches[i]);
    }
  }
  return contenders.map((c, i) => ({ name: c.name, medianMs: median(reps_[i]), repsMs: reps_[i] }));
}

/** Result of a child process that printed one JSON line (the last line starting with '{'). */
export function runNodeChild(script: string, args: readonly string[], nodeFlags: readonly string[] = []): any {
  const result = spawnSync(process.execPath, [...nodeFlags, script, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(`${script} ${args.join(' ')} exited with ${result.status}: ${result.stderr.slice(-2000)}`);
  }
  const lines = result.stdout.trim().split('\n');
  // Lines between BENCH-START and BENCH-END (a GC trace, for instance) are handed back as traceLines.
  const start = lines.indexOf('BENCH-START');
  const end = lines.indexOf('BENCH-END');
  const traceLines = start >= 0 && end > start ? lines.slice(start + 1, end) : [];
  const last = [...lines].reverse().find((l) => l.startsWith('{'));
  if (last === undefined) throw new Error(`${script} ${args.join(' ')} printed no JSON line: ${result.stdout.slice(-2000)}`);
  return { ...JSON.parse(last), traceLines, stderr: result.stderr };
}

/** The machine the figures come from. */
export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  readonly loadAverage: readonly number[];
}

export function machine(): Machine {
  let osName = `${os.type()} ${os.release()}`;
  try {
    const release = execFileSync('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"'], { encoding: 'utf8' }).trim();
    if (release) osName = `${release} (${os.release()})`;
  } catch { /* keep the kernel name */ }
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30 * 10) / 10,
    node: process.version,
    os: osName,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** Rounds for display and JSON. */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
