// Why a run stopped, and the run's result as one JSON object (`cdk8s-sandbox run --output json`).
import * as path from 'path';
import type { MemoryEvents } from './memory-cgroup';
import type { RunResult } from './runsc';
import type { SeccompMode } from './seccomp';
import { RunResultMessage, parseRunResultWrapperCommand } from '../builders/run-wrapper';

/**
 * What stopped the workload when it did not exit on its own: its own `timeout` wrapper (`soft-timeout`),
 * the runner's deadline (`deadline`: activeDeadlineSeconds or --timeout), the memory limit (`oom`), or the
 * runner because the termination message file grew past TERMINATION_LOG_HOST_MAX_BYTES (`termination-message-size`).
 */
export type StopReason = 'soft-timeout' | 'deadline' | 'oom' | 'termination-message-size';

/**
 * A coreutils `timeout` wrapper that is the container's command (`timeout -k 5 30 python3 main.py`), or the
 * result wrapper of a code run, which runs the command under one (`sh -c <script> cdk8s-sandbox-run 30 5 ...`).
 */
export interface SoftTimeout {
  /** Seconds after which `timeout` sends its signal. */
  readonly seconds: number;
  /**
   * Seconds after the signal before `timeout` sends SIGKILL (`-k`).
   * @default - none: no SIGKILL follows
   */
  readonly killAfterSeconds?: number;
  /** The signal sent first, e.g. `TERM` (`-s`). */
  readonly signal: string;
}

/** Bytes of each stream a run report keeps (the newest): 4096. */
export const RUN_REPORT_TAIL_BYTES = 4096;

/** A `timeout` duration (`30`, `2.5`, `1m`, `1h`, `1d`) in seconds, or undefined if it is not one. */
function durationSeconds(text: string): number | undefined {
  const match = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * { '': 1, 's': 1, 'm': 60, 'h': 3600, 'd': 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
}

/**
 * The `timeout` wrapper of a command line, when the command is coreutils `timeout` with a duration above 0 and
 * without --preserve-status (which hides whether it fired). Options as coreutils parses them: `-k N`, `-kN`,
 * `--kill-after=N`, `--kill-after N`, `-s SIG`, `--signal=SIG`, `--foreground`, `-v`, `--`.
 */
export function softTimeoutOf(args: readonly string[]): SoftTimeout | undefined {
  const wrapper = parseRunResultWrapperCommand(args);
  if (wrapper) return { seconds: wrapper.timeoutSeconds, killAfterSeconds: wrapper.killGraceSeconds, signal: 'TERM' };
  if (args.length < 3 || path.posix.basename(args[0]) !== 'timeout') return undefined;
  let killAfter: number | undefined;
  let signal = 'TERM';
  let i = 1;
  const valueOf = (arg: string, short: string, long: string): string | undefined => {
    if (arg === short || arg === long) return args[++i];
    if (arg.startsWith(`${long}=`)) return arg.slice(long.length + 1);
    if (arg.startsWith(short) && !arg.startsWith('--')) return arg.slice(short.length);
    return undefined;
  };
  for (; i < args.length && args[i].startsWith('-') && args[i] !== '-'; i++) {
    const arg = args[i];
    if (arg === '--') { i++; break; }
    if (arg === '--preserve-status') return undefined;
    if (arg === '--foreground' || arg === '-v' || arg === '--verbose') continue;
    const kill = valueOf(arg, '-k', '--kill-after');
    if (kill !== undefined) {
      killAfter = durationSeconds(kill);
      if (killAfter === undefined) return undefined;
      continue;
    }
    const sig = valueOf(arg, '-s', '--signal');
    if (sig !== undefined) { signal = sig.toUpperCase().replace(/^SIG/, ''); continue; }
    return undefined;
  }
  const seconds = args[i] === undefined ? undefined : durationSeconds(args[i]);
  if (seconds === undefined || seconds <= 0 || i + 1 >= args.length) return undefined;
  return { seconds, ...(killAfter !== undefined && killAfter > 0 ? { killAfterSeconds: killAfter } : {}), signal };
}

/** What `stoppedByOf` decides from. */
export interface StopEvidence {
  /** The workload's exit code (runsc's). */
  readonly exitCode: number;
  /** Whether the runner's deadline killed the sandbox. */
  readonly deadlineExceeded: boolean;
  /** Wall time of the run in milliseconds (sandbox start included, so a timeout that fired shows in it). */
  readonly durationMs: number;
  /**
   * The command's `timeout` wrapper.
   * @default - none
   */
  readonly softTimeout?: SoftTimeout;
  /**
   * What the sandbox's memory cgroup recorded.
   * @default - not counted
   */
  readonly memoryEvents?: MemoryEvents;
  /**
   * The result message the container wrote (its termination message, parsed).
   * @default - none
   */
  readonly resultMessage?: RunResultMessage;
  /**
   * Whether the runner killed the sandbox because its termination message file grew too large.
   * @default false
   */
  readonly terminationMessageOverflow?: boolean;
}

/**
 * Why the sandbox stopped: `deadline` when the runner's deadline killed it; `termination-message-size` when the
 * runner killed it for its termination message file's size; `oom` when it failed after the kernel's OOM killer
 * killed in its memory cgroup; `soft-timeout` when the command's own `timeout` fired: exit 124 (the command ended
 * on the first signal), or 137 (SIGKILL: `-s KILL`, or `-k` after its grace), once the run lasted at least that
 * long, or when the result wrapper's message says so. That message is written inside the sandbox, where the code
 * could write it too, so it counts only beside the runner's own evidence: a timeout wrapper in the command line
 * and the same exit code. Undefined when the workload exited on its own (or nothing says otherwise).
 */
export function stoppedByOf(evidence: StopEvidence): StopReason | undefined {
  if (evidence.deadlineExceeded) return 'deadline';
  if (evidence.terminationMessageOverflow) return 'termination-message-size';
  if (evidence.exitCode !== 0 && (evidence.memoryEvents?.oomKills ?? 0) > 0) return 'oom';
  const timeout = evidence.softTimeout;
  if (timeout === undefined) return undefined;
  const message = evidence.resultMessage;
  if (message?.stoppedBy === 'soft-timeout' && message.exitCode === evidence.exitCode) return 'soft-timeout';
  const after = (seconds: number) => evidence.durationMs >= seconds * 1000;
  if (evidence.exitCode === 124 && after(timeout.seconds)) return 'soft-timeout';
  if (evidence.exitCode === 137) {
    if (timeout.signal === 'KILL' || timeout.signal === '9') return after(timeout.seconds) ? 'soft-timeout' : undefined;
    if (timeout.killAfterSeconds !== undefined && after(timeout.seconds + timeout.killAfterSeconds)) return 'soft-timeout';
  }
  return undefined;
}

/** The last `maxBytes` bytes of `text` as UTF-8, cut at a character boundary (so at most `maxBytes`). */
export function utf8Tail(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let start = bytes.length - maxBytes;
  while (start < bytes.length && (bytes[start] & 0xc0) === 0x80) start++;
  return bytes.subarray(start).toString('utf8');
}

/** The workload a run report is about. */
export interface RunReportWorkload {
  /** Its kind, e.g. `Job`. */
  readonly kind: string;
  /** Its namespace, or null when the manifest names none. */
  readonly namespace: string | null;
  /** Its name. */
  readonly name: string;
  /** The container run. */
  readonly container: string;
}

/** The memory side of a run report. */
export interface RunReportMemory {
  /** The memory limit enforced, in bytes, or null for none. */
  readonly limitBytes: number | null;
  /** The most memory the sandbox used at once, in bytes, or null when not measured. */
  readonly peakBytes: number | null;
  /** OOM kills in the sandbox's memory cgroup, or null when not counted (no cgroup v1 memory hierarchy). */
  readonly oomKills: number | null;
}

/**
 * The result of `cdk8s-sandbox run --output json`: one object, on one line of stdout. Fields are never
 * omitted (null when not applicable); a change of a field's meaning raises `schemaVersion`.
 */
export interface RunReport {
  /** The version of this shape: 1. */
  readonly schemaVersion: 1;
  /** What ran. */
  readonly workload: RunReportWorkload;
  /** The runsc container id (also the cgroup's name). */
  readonly containerId: string;
  /** The workload's exit code: 128 + the signal when killed (137 for SIGKILL). The command exits 124 at the deadline. */
  readonly exitCode: number;
  /** What stopped the workload, or null when it exited on its own (or was interrupted). */
  readonly stoppedBy: StopReason | null;
  /** The signal (SIGINT, SIGTERM, SIGHUP) that interrupted the run, or null. */
  readonly interrupted: string | null;
  /** The runner's deadline, or null for none. */
  readonly deadline: { readonly seconds: number; readonly source: string } | null;
  /** The command's own `timeout` wrapper, or null when it has none. */
  readonly softTimeout: { readonly seconds: number; readonly killAfterSeconds: number | null; readonly signal: string } | null;
  /** The memory limit, the peak and the OOM kills. */
  readonly memory: RunReportMemory;
  /** The seccomp filter that ran inside the sandbox. */
  readonly seccomp: SeccompMode;
  /** runsc's own error when runsc (not the workload) failed, or null. */
  readonly runscError: string | null;
  /** Wall time from starting runsc to its exit, in whole milliseconds. */
  readonly durationMs: number;
  /** Bytes the workload wrote to stdout. */
  readonly stdoutBytes: number;
  /** Bytes written to stderr (the workload's and runsc's). */
  readonly stderrBytes: number;
  /** The last RUN_REPORT_TAIL_BYTES (4096) bytes of stdout, cut at a UTF-8 character boundary. */
  readonly stdoutTail: string;
  /** The last RUN_REPORT_TAIL_BYTES (4096) bytes of stderr, cut at a UTF-8 character boundary. */
  readonly stderrTail: string;
  /**
   * The container's termination message as the kubelet would report it (`state.terminated.message`): the
   * terminationMessagePath file, or the log tail under FallbackToLogsOnError; '' when there is none; null when
   * the run did not read one.
   */
  readonly terminationMessage: string | null;
  /** The termination message parsed as a code run's result (the result wrapper's), or null when it is not one. */
  readonly result: RunResultMessage | null;
  /** What is not enforced here or differs from the cluster (the notes printed before the run). */
  readonly notes: string[];
}

/** A run's result as the JSON object `--output json` prints. */
export function runReportOf(result: RunResult, tailBytes: number = RUN_REPORT_TAIL_BYTES): RunReport {
  const slash = result.workload.indexOf('/');
  const timeout = result.softTimeout;
  return {
    schemaVersion: 1,
    workload: {
      kind: result.workload.slice(0, slash),
      namespace: result.namespace ?? null,
      name: result.workload.slice(slash + 1),
      container: result.container,
    },
    containerId: result.containerId,
    exitCode: result.exitCode,
    stoppedBy: result.stoppedBy ?? null,
    interrupted: result.interrupted ?? null,
    deadline: result.deadlineSeconds !== undefined ? { seconds: result.deadlineSeconds, source: result.deadlineSource ?? '' } : null,
    softTimeout: timeout ? { seconds: timeout.seconds, killAfterSeconds: timeout.killAfterSeconds ?? null, signal: timeout.signal } : null,
    memory: {
      limitBytes: result.memoryLimitBytes ?? null,
      peakBytes: result.memoryEvents?.peakBytes ?? null,
      oomKills: result.memoryEvents?.oomKills ?? null,
    },
    seccomp: result.seccomp ?? 'device-nodes',
    runscError: result.runscError ?? null,
    durationMs: Math.round(result.durationMs),
    stdoutBytes: result.stdoutBytes,
    stderrBytes: result.stderrBytes,
    stdoutTail: utf8Tail(result.stdout, tailBytes),
    stderrTail: utf8Tail(result.stderr, tailBytes),
    terminationMessage: result.terminationMessage ?? null,
    result: result.resultMessage ?? null,
    notes: [...result.warnings],
  };
}
