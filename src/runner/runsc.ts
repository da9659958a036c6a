// The impure part of `run`: writes the OCI bundle, runs it under runsc, enforces the deadline, cleans up.
import { ChildProcess, execFile, spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeBundle } from './bundle-writer';
import { RunnerError } from './errors';
import { parseManifests } from './manifests';
import { MemoryEvents, memoryCgroupDir, prepareMemoryCgroup, readMemoryEvents } from './memory-cgroup';
import { RunPlan, buildRunPlan } from './plan';
import { SoftTimeout, StopReason, softTimeoutOf, stoppedByOf } from './result';
import { RootEntry, RootfsSource } from './rootfs';
import { SeccompMode } from './seccomp';
import { OutputTail, TeardownTarget, Watchdog, processStartTime, startWatchdog, sweepLeftovers, teardownRun, writeOwner } from './supervisor';
import { TERMINATION_LOG_HOST_MAX_BYTES, TERMINATION_MESSAGE_LOG_MAX_BYTES, TERMINATION_MESSAGE_MAX_BYTES, terminationMessageOf } from './termination-message';
import { RunResultMessage, parseRunResultMessage } from '../builders/run-wrapper';
import { KubeObject } from '../profile/kube';

/** How to install runsc, for the "not found" error. */
export const RUNSC_INSTALL_HINT = 'install gVisor: `apt-get install -y runsc` (Debian/Ubuntu), or see https://gvisor.dev/docs/user_guide/install/';

/** Milliseconds to wait for `runsc kill` before the runsc process group is killed outright. */
const KILL_GRACE_MS = 5000;

/** Bytes of each output stream a result keeps (the newest); the rest is streamed or dropped, never buffered. */
export const DEFAULT_OUTPUT_TAIL_BYTES = 1024 * 1024;

/** How long after the deadline the runner kills the sandbox itself if the watchdog has not (it died, or was stopped). */
const WATCHDOG_FALLBACK_MS = 2000;

/** Bytes of runsc's logs read for its error: the end of its log, the start of its panic log. */
const LOG_TAIL_BYTES = 64 * 1024;

/** Milliseconds between looks at the termination message file's size. */
const TERMINATION_LOG_POLL_MS = 250;

/** Signals that interrupt a run: the sandbox is killed and removed, and the result names the signal. */
export const INTERRUPT_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Options of `runWorkload`. */
export interface RunWorkloadOptions {
  /**
   * YAML files holding the workload and the ConfigMaps/Secrets it mounts.
   * @default - none; then `documents` must hold them
   */
  readonly manifests?: string[];
  /**
   * Objects already parsed, used after those read from `manifests` (tests pass modified copies).
   * @default - none
   */
  readonly documents?: KubeObject[];
  /**
   * The workload to run: `name`, `Kind/name` or `Kind/namespace/name`.
   * @default - the only workload in the files
   */
  readonly workload?: string;
  /**
   * Run only a workload of this namespace (objects that name none are taken to live in it).
   * @default - any namespace
   */
  readonly namespace?: string;
  /**
   * The container to run.
   * @default - the pod's first container
   */
  readonly container?: string;
  /**
   * Root filesystem directory, shown read-only (images cannot be pulled here).
   * @default - a read-only view of the host's /usr and the /bin, /lib*, /sbin links, with a generated /etc
   */
  readonly rootfs?: string;
  /**
   * Kill the sandbox after this many seconds; the shorter of this and activeDeadlineSeconds applies.
   * @default - only the manifest's activeDeadlineSeconds
   */
  readonly timeoutSeconds?: number;
  /**
   * cgroup pids limit for the sandbox (counts its host threads and ptrace stubs; reaching it crashes the sandbox).
   * @default DEFAULT_PIDS_LIMIT (1024)
   */
  readonly pidsLimit?: number;
  /**
   * The runsc binary.
   * @default - `runsc` on PATH
   */
  readonly runsc?: string;
  /**
   * Stream the workload's output, and print the notes, to this process's stdout/stderr as they come.
   * @default false
   */
  readonly echo?: boolean;
  /**
   * With `echo`, stream the workload's stdout to this process's stderr too, keeping this process's stdout
   * free for a result (`--output json`).
   * @default false
   */
  readonly echoStdoutToStderr?: boolean;
  /**
   * Apply the pod's seccompProfile (RuntimeDefault: containerd's default profile) inside the sandbox even
   * without the pod annotation `dev.gvisor.flag.oci-seccomp: "true"` (the CLI's --oci-seccomp).
   * @default false
   */
  readonly ociSeccomp?: boolean;
  /**
   * Kill the sandbox and clean up on SIGINT, SIGTERM and SIGHUP (the result then names the signal).
   * @default true
   */
  readonly handleSignals?: boolean;
  /**
   * Run a pod that would run as UID 0 (no runAsUser, or runAsUser 0). Refused otherwise: UID 0 inside the
   * sandbox can read and change everything the sandbox is shown.
   * @default false
   */
  readonly allowRoot?: boolean;
  /**
   * Bytes of each of stdout and stderr the result keeps: the newest, so the end of the output survives.
   * Output beyond it is streamed (with `echo`) or dropped, never held in memory.
   * @default 1048576 (1 MiB)
   */
  readonly outputTailBytes?: number;
  /**
   * Directory for the temporary bundle and runsc state.
   * @default - os.tmpdir()
   */
  readonly tempDir?: string;
}

/** The outcome of one sandboxed run. */
export interface RunResult {
  /** `Kind/name` of the workload run. */
  readonly workload: string;
  /** The workload's namespace, if the manifest (or `namespace`) names one. */
  readonly namespace?: string;
  /** The container run. */
  readonly container: string;
  /** The runsc container id (also the temporary directory's and the cgroup's name). */
  readonly containerId: string;
  /** The workload's exit code (128 + signal number when killed, e.g. 137 for SIGKILL). */
  readonly exitCode: number;
  /** True when the deadline killed the sandbox. */
  readonly deadlineExceeded: boolean;
  /** What stopped the workload when it did not exit on its own (see `stoppedByOf`); absent when it did, or was interrupted. */
  readonly stoppedBy?: StopReason;
  /** The command's own `timeout` wrapper, if it has one. */
  readonly softTimeout?: SoftTimeout;
  /** The deadline applied, in seconds, if any. */
  readonly deadlineSeconds?: number;
  /** Where the deadline came from, e.g. `Job activeDeadlineSeconds`. */
  readonly deadlineSource?: string;
  /** The signal (SIGINT, SIGTERM, SIGHUP) that interrupted the run, if one did. */
  readonly interrupted?: string;
  /** runsc's own error, when runsc (not the workload) failed. */
  readonly runscError?: string;
  /** The workload's standard output: its last `outputTailBytes` bytes. */
  readonly stdout: string;
  /** The workload's standard error (and runsc's errors): its last `outputTailBytes` bytes. */
  readonly stderr: string;
  /** Bytes the workload wrote to stdout in all (more than `stdout` holds when it was cut). */
  readonly stdoutBytes: number;
  /** Bytes written to stderr in all. */
  readonly stderrBytes: number;
  /**
   * The container's termination message as the kubelet would report it: the last 4096 bytes of the file at its
   * terminationMessagePath, or under FallbackToLogsOnError, when that is empty and the run failed, the log's tail.
   */
  readonly terminationMessage?: string;
  /** The termination message parsed as a code run's result, when it is one (see `parseRunResultMessage`). */
  readonly resultMessage?: RunResultMessage;
  /** What is not enforced here or differs from the cluster. */
  readonly warnings: string[];
  /** The memory limit enforced, in bytes, if any. */
  readonly memoryLimitBytes?: number;
  /** What the sandbox's memory cgroup recorded (OOM kills, peak), when the runner could count it (cgroup v1). */
  readonly memoryEvents?: MemoryEvents;
  /** The seccomp filter that ran inside the sandbox. */
  readonly seccomp?: SeccompMode;
  /** Wall time from starting runsc to its exit: sandbox start, the workload, and teardown. */
  readonly durationMs: number;
}

/** The runsc binary: `explicit`, or `runsc` on `searchPath`; a RunnerError with the install command if absent. */
export function locateRunsc(explicit?: string, searchPath: string = process.env.PATH ?? ''): string {
  const candidates = explicit ? [explicit] : searchPath.split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, 'runsc'));
  for (const candidate of candidates) {
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch { /* next */ }
  }
  throw new RunnerError(explicit
    ? `runsc not found or not executable at ${explicit}; ${RUNSC_INSTALL_HINT}`
    : `runsc (gVisor) is not on PATH; ${RUNSC_INSTALL_HINT}`);
}

/** The cgroup controllers this host offers (v2 `cgroup.controllers`, else the v1 hierarchies). */
export function hostCgroupControllers(cgroupRoot = '/sys/fs/cgroup'): string[] {
  try {
    return fs.readFileSync(path.join(cgroupRoot, 'cgroup.controllers'), 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return ['memory', 'cpu', 'pids'].filter((c) => fs.existsSync(path.join(cgroupRoot, c)));
  }
}

/** The links of an alternatives directory (Debian's /etc/alternatives): name and target ([] when it cannot be read). */
export function readAlternatives(dir: string): { name: string; target: string }[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isSymbolicLink()).map((d) => ({ name: d.name, target: fs.readlinkSync(path.join(dir, d.name)) }));
  } catch {
    return [];
  }
}

/** The top-level entries of a root filesystem directory (and, for the host's root, its alternatives links). */
export function listRootfs(dir: string, hostRoot: boolean): RootfsSource {
  const abs = path.resolve(dir);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    throw new RunnerError(`--rootfs ${dir}: no such directory`);
  }
  if (!stat.isDirectory()) throw new RunnerError(`--rootfs ${dir}: not a directory`);
  const entries: RootEntry[] = fs.readdirSync(abs, { withFileTypes: true }).map((d) => {
    if (d.isSymbolicLink()) return { name: d.name, type: 'symlink', target: fs.readlinkSync(path.join(abs, d.name)) };
    return { name: d.name, type: d.isDirectory() ? 'directory' : d.isFile() ? 'file' : 'other' };
  });
  return { path: abs, hostRoot, entries, ...(hostRoot ? { alternatives: readAlternatives(path.join(abs, 'etc', 'alternatives')) } : {}) };
}

/** Reads and parses the manifest files, then appends `documents`. */
export function loadDocuments(files: readonly string[] = [], documents: readonly KubeObject[] = []): KubeObject[] {
  const out: KubeObject[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err: any) {
      throw new RunnerError(`cannot read ${file}: ${err?.code === 'ENOENT' ? 'no such file' : err?.message ?? err}`);
    }
    out.push(...parseManifests(text, file));
  }
  out.push(...documents);
  if (out.length === 0) throw new RunnerError('no manifests given: name at least one YAML file');
  return out;
}

/** runsc's own error message from its JSON or text log, if it logged one. */
export function runscErrorFromLog(log: string): string | undefined {
  let found: string | undefined;
  for (const line of log.split('\n')) {
    try {
      const entry = JSON.parse(line);
      if (entry?.level === 'error' && entry.msg) found = String(entry.msg);
    } catch {
      const text = /^E\d{4} [\d:.]+\s+\d+\s+\S+\]\s*(.*)$/.exec(line);
      if (text) found = text[1];
    }
  }
  return found;
}

/** A fresh runsc container id; also the name of the run's temporary directory and cgroup. */
export function newContainerId(): string {
  return `cdk8s-sandbox-${crypto.randomBytes(6).toString('hex')}`;
}

/**
 * Reads the manifests and plans the run (no runsc needed, nothing written): the OCI spec, the
 * bundle's files and the warnings. Input errors surface here, before anything is created.
 */
export function planWorkload(options: RunWorkloadOptions, containerId: string = newContainerId()): RunPlan {
  const docs = loadDocuments(options.manifests, options.documents);
  const rootfs = listRootfs(options.rootfs ?? '/', options.rootfs === undefined);
  const plan = buildRunPlan({
    docs, workload: options.workload, namespace: options.namespace, container: options.container, rootfs, containerId,
    bundleDir: path.join(path.resolve(options.tempDir ?? os.tmpdir()), containerId, 'bundle'),
    timeoutSeconds: options.timeoutSeconds, pidsLimit: options.pidsLimit, allowRoot: options.allowRoot, ociSeccomp: options.ociSeccomp,
    cgroupControllers: hostCgroupControllers(),
  });
  for (const required of plan.requiredPaths) {
    if (!fs.existsSync(required)) {
      throw new RunnerError(`mount path ${required.slice(rootfs.path.length - (rootfs.path.endsWith('/') ? 1 : 0))} does not exist in the root filesystem, which is read-only here; mount the volume elsewhere or use --rootfs`);
    }
  }
  return plan;
}

/**
 * Runs one workload from synthesized manifests in a gVisor sandbox, with the pod's security context,
 * volumes, limits and deadline mapped onto runsc. The bundle, runsc state and cgroups are removed on
 * every path: by this process, or by the run's watchdog when this process dies first.
 */
export async function runWorkload(options: RunWorkloadOptions): Promise<RunResult> {
  const id = newContainerId();
  const plan = planWorkload(options, id);
  const runsc = locateRunsc(options.runsc);
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new RunnerError('runsc needs root on the host to create the sandbox (namespaces, cgroups, chroot); run as root or with sudo');
  }
  const tailBytes = options.outputTailBytes ?? DEFAULT_OUTPUT_TAIL_BYTES;
  if (!Number.isSafeInteger(tailBytes) || tailBytes < 0) throw new RunnerError(`outputTailBytes must be a whole number of bytes, got ${tailBytes}`);
  const tempRoot = path.resolve(options.tempDir ?? os.tmpdir());
  sweepLeftovers(tempRoot, runsc);
  const work = path.join(tempRoot, id);
  const bundleDir = path.join(work, 'bundle');
  const stateDir = path.join(work, 'state');
  const logFile = path.join(work, 'runsc.log');
  const panicLog = path.join(work, 'runsc-panic.log');
  const root = [`--root=${stateDir}`];
  const target: TeardownTarget = { runsc, stateDir, id, workDir: work };
  const owner = { pid: process.pid, startTime: processStartTime(process.pid) };
  let watchdog: Watchdog | undefined;
  fs.mkdirSync(work, { mode: 0o700 });
  try {
    writeOwner(work, owner);
    writeBundle(bundleDir, plan);
    fs.mkdirSync(stateDir, { mode: 0o700 });
    // A memory cgroup made here outlives runsc, so its OOM-kill count can be read after the sandbox is gone.
    const memoryDir = plan.memoryLimitBytes !== undefined ? memoryCgroupDir(id, readOwnCgroups()) : undefined;
    const counted = memoryDir !== undefined && prepareMemoryCgroup(memoryDir, plan.memoryLimitBytes!);
    const warnings = counted || plan.memoryLimitBytes === undefined ? plan.warnings : [...plan.warnings, UNCOUNTED_OOM_NOTE];
    if (options.echo) for (const warning of warnings) process.stderr.write(`cdk8s-sandbox run: note: ${warning}\n`);
    const deadlineMs = plan.deadlineSeconds !== undefined ? plan.deadlineSeconds * 1000 : undefined;
    watchdog = startWatchdog(target, deadlineMs ?? 0);
    writeOwner(work, { ...owner, watchdogPid: watchdog.process.pid, watchdogStartTime: watchdog.process.pid !== undefined ? processStartTime(watchdog.process.pid) : undefined });
    const outcome = await supervise(runsc, [...root, `--log=${logFile}`, `--panic-log=${panicLog}`, ...plan.runscFlags, 'run', '--bundle', bundleDir, id], {
      id, root, deadlineMs, watchdog, tailBytes, terminationLog: plan.terminationMessage.hostFile,
      echo: options.echo === true, echoStdoutToStderr: options.echoStdoutToStderr === true, handleSignals: options.handleSignals !== false,
    });
    const memoryEvents = counted ? readMemoryEvents(memoryDir!) : undefined;
    const terminationMessage = terminationMessageOf({
      policy: plan.terminationMessage.policy, file: readPart(plan.terminationMessage.hostFile, TERMINATION_MESSAGE_MAX_BYTES, 'end'), exitCode: outcome.exitCode, log: outcome.log.text(),
    });
    const resultMessage = parseRunResultMessage(terminationMessage);
    const softTimeout = softTimeoutOf(plan.spec.process.args);
    const stoppedBy = outcome.interrupted ? undefined : stoppedByOf({ ...outcome, softTimeout, memoryEvents, resultMessage });
    const runscFailed = outcome.exitCode === 128 || outcome.exitCode === 2;
    const runscError = runscFailed
      // runsc's own error ends its log; a Go panic starts the panic log (its goroutine dumps follow).
      ? runscErrorFromLog(readPart(logFile, LOG_TAIL_BYTES, 'end')) ?? panicExplained(readPart(panicLog, LOG_TAIL_BYTES, 'start'), plan.spec.linux.resources?.pids?.limit)
      : undefined;
    return {
      workload: plan.workload,
      ...(plan.namespace !== undefined ? { namespace: plan.namespace } : {}),
      container: plan.container,
      containerId: id,
      exitCode: outcome.exitCode,
      deadlineExceeded: outcome.deadlineExceeded,
      ...(stoppedBy ? { stoppedBy } : {}),
      ...(softTimeout ? { softTimeout } : {}),
      ...(plan.deadlineSeconds !== undefined ? { deadlineSeconds: plan.deadlineSeconds, deadlineSource: plan.deadlineSource } : {}),
      ...(outcome.interrupted ? { interrupted: outcome.interrupted } : {}),
      ...(runscError ? { runscError } : {}),
      stdout: outcome.stdout.text(),
      stderr: outcome.stderr.text(),
      stdoutBytes: outcome.stdout.totalBytes,
      stderrBytes: outcome.stderr.totalBytes,
      terminationMessage,
      ...(resultMessage ? { resultMessage } : {}),
      warnings,
      ...(plan.memoryLimitBytes !== undefined ? { memoryLimitBytes: plan.memoryLimitBytes } : {}),
      ...(memoryEvents ? { memoryEvents } : {}),
      seccomp: plan.seccomp,
      durationMs: outcome.durationMs,
    };
  } finally {
    // Tear down first, then release the watchdog: if this process dies in between, the watchdog finishes the job.
    teardownRun(target);
    watchdog?.release();
  }
}

/** The note of a run whose OOM kills cannot be counted. */
export const UNCOUNTED_OOM_NOTE = 'OOM kills are not counted on this host (no cgroup v1 memory hierarchy the runner can write): an exit 137 may be the memory limit, but stoppedBy cannot say so';

/** This process's `/proc/self/cgroup` ('' when it cannot be read). */
function readOwnCgroups(): string {
  try {
    return fs.readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    return '';
  }
}

/**
 * What runsc's panic log says, in words: reaching the pids limit crashes this runsc's sandbox ("creating stub
 * process: resource temporarily unavailable") instead of failing the workload's fork.
 */
export function panicExplained(panic: string, pidsLimit: number | undefined): string | undefined {
  if (panic.trim() === '') return undefined;
  if (pidsLimit !== undefined && /resource temporarily unavailable|errno=11|newosproc/.test(panic)) {
    return `the sandbox reached its pids limit of ${pidsLimit} host tasks and runsc crashed; raise --pids-limit if the workload needs more processes`;
  }
  const first = panic.split('\n').find((l) => /^(panic|fatal error):/.test(l));
  return first ? `runsc crashed: ${first}` : undefined;
}

/** A file's size in bytes (0 when it cannot be read). */
function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** The first or last `bytes` bytes of a file as text ('' when it cannot be read). */
function readPart(file: string, bytes: number, from: 'start' | 'end'): string {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const buffer = Buffer.alloc(Math.min(size, bytes));
    fs.readSync(fd, buffer, 0, buffer.length, from === 'end' ? size - buffer.length : 0);
    return buffer.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

interface SuperviseOptions {
  readonly id: string;
  readonly root: string[];
  readonly deadlineMs?: number;
  readonly watchdog: Watchdog;
  readonly tailBytes: number;
  /** The termination message file on this host: the sandbox is killed when it grows past TERMINATION_LOG_HOST_MAX_BYTES. */
  readonly terminationLog: string;
  readonly echo: boolean;
  readonly echoStdoutToStderr: boolean;
  readonly handleSignals: boolean;
}

interface Outcome {
  readonly exitCode: number;
  readonly deadlineExceeded: boolean;
  readonly interrupted?: string;
  readonly stdout: OutputTail;
  readonly stderr: OutputTail;
  /** The newest of both streams as they came, for the termination message's log tail. */
  readonly log: OutputTail;
  /** Whether the sandbox was killed because the termination message file grew too large. */
  readonly terminationMessageOverflow: boolean;
  readonly durationMs: number;
}

/** Copies a child's stream to ours, pausing the child while ours is full (so nothing piles up in memory). */
function relay(from: NodeJS.ReadableStream, to: NodeJS.WritableStream): void {
  from.on('data', (chunk: Buffer) => {
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  });
}

/**
 * Spawns `runsc run`, keeps the tails of its output (streaming it with `echo`), and kills the sandbox on a
 * signal, when the watchdog reports the deadline, or at the deadline plus a grace when the watchdog is gone.
 */
function supervise(runsc: string, args: string[], opts: SuperviseOptions): Promise<Outcome> {
  return new Promise<Outcome>((resolve, reject) => {
    const startedAt = process.hrtime.bigint();
    // Own process group: a terminal's Ctrl-C reaches only us, and we tear the sandbox down in order.
    const child: ChildProcess = spawn(runsc, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const stdout = new OutputTail(opts.tailBytes);
    const stderr = new OutputTail(opts.tailBytes);
    const log = new OutputTail(TERMINATION_MESSAGE_LOG_MAX_BYTES);
    child.stdout!.on('data', (chunk: Buffer) => { stdout.push(chunk); log.push(chunk); });
    child.stderr!.on('data', (chunk: Buffer) => { stderr.push(chunk); log.push(chunk); });
    if (opts.echo) { relay(child.stdout!, opts.echoStdoutToStderr ? process.stderr : process.stdout); relay(child.stderr!, process.stderr); }
    let deadlineExceeded = false;
    let interrupted: string | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let escalateTimer: NodeJS.Timeout | undefined;
    const kill = () => {
      if (killTimer) return;
      const attempt = () => execFile(runsc, [...opts.root, 'kill', opts.id, 'KILL'], () => { /* retried until runsc exits */ });
      attempt();
      killTimer = setInterval(attempt, 1000);
      escalateTimer = setTimeout(() => {
        try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
      }, KILL_GRACE_MS);
    };
    const onDeadline = () => { deadlineExceeded = true; kill(); };
    opts.watchdog.onDeadline(onDeadline);
    // The termination message file is the one host file the sandbox writes: it may not fill the host's disk.
    let terminationMessageOverflow = false;
    const sizeTimer = setInterval(() => {
      if (fileSize(opts.terminationLog) > TERMINATION_LOG_HOST_MAX_BYTES) { terminationMessageOverflow = true; kill(); }
    }, TERMINATION_LOG_POLL_MS);
    const fallbackTimer = opts.deadlineMs !== undefined ? setTimeout(onDeadline, opts.deadlineMs + WATCHDOG_FALLBACK_MS) : undefined;
    const onSignal = (signal: NodeJS.Signals) => { interrupted ??= signal; kill(); };
    if (opts.handleSignals) for (const signal of INTERRUPT_SIGNALS) process.on(signal, onSignal);
    const done = () => {
      clearInterval(sizeTimer);
      if (fallbackTimer) clearTimeout(fallbackTimer);
      if (killTimer) clearInterval(killTimer);
      if (escalateTimer) clearTimeout(escalateTimer);
      if (opts.handleSignals) for (const signal of INTERRUPT_SIGNALS) process.off(signal, onSignal);
    };
    child.on('error', (e: any) => { done(); reject(new RunnerError(`cannot start ${runsc}: ${e?.message ?? e}; ${RUNSC_INSTALL_HINT}`)); });
    child.on('close', (code, signal) => {
      done();
      const signalNumber = signal ? os.constants.signals[signal] ?? 0 : 0;
      resolve({
        exitCode: code ?? 128 + signalNumber,
        deadlineExceeded,
        ...(interrupted ? { interrupted } : {}),
        stdout,
        stderr,
        log,
        terminationMessageOverflow,
        durationMs: Number(process.hrtime.bigint() - startedAt) / 1e6,
      });
    });
  });
}
