// The impure part of `run`: writes the OCI bundle, runs it under runsc, enforces the deadline, cleans up.
import { ChildProcess, execFile, execFileSync, spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunnerError } from './errors';
import { parseManifests } from './manifests';
import { RunPlan, buildRunPlan } from './plan';
import { RootEntry, RootfsSource } from './rootfs';
import { KubeObject } from '../profile/kube';

/** How to install runsc, for the "not found" error. */
export const RUNSC_INSTALL_HINT = 'install gVisor: `apt-get install -y runsc` (Debian/Ubuntu), or see https://gvisor.dev/docs/user_guide/install/';

/** Seconds to wait for `runsc kill` before the runsc process group is killed outright. */
const KILL_GRACE_MS = 5000;

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
   * The workload to run: `name` or `Kind/name`.
   * @default - the only workload in the files
   */
  readonly workload?: string;
  /**
   * The container to run.
   * @default - the pod's first container
   */
  readonly container?: string;
  /**
   * Root filesystem directory, shown read-only (images cannot be pulled here).
   * @default - a read-only view of the host's /usr, /etc, /opt and the /bin, /lib links
   */
  readonly rootfs?: string;
  /**
   * Kill the sandbox after this many seconds; the shorter of this and activeDeadlineSeconds applies.
   * @default - only the manifest's activeDeadlineSeconds
   */
  readonly timeoutSeconds?: number;
  /**
   * cgroup pids limit for the sandbox (counts its host threads and ptrace stubs; exceeding it kills the sandbox).
   * @default - none, as Kubernetes sets none per pod
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
   * Kill the sandbox and clean up on SIGINT/SIGTERM (the result then names the signal).
   * @default true
   */
  readonly handleSignals?: boolean;
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
  /** The container run. */
  readonly container: string;
  /** The runsc container id (also the temporary directory's and the cgroup's name). */
  readonly containerId: string;
  /** The workload's exit code (128 + signal number when killed, e.g. 137 for SIGKILL). */
  readonly exitCode: number;
  /** True when the deadline killed the sandbox. */
  readonly deadlineExceeded: boolean;
  /** The deadline applied, in seconds, if any. */
  readonly deadlineSeconds?: number;
  /** Where the deadline came from, e.g. `Job activeDeadlineSeconds`. */
  readonly deadlineSource?: string;
  /** The signal (SIGINT, SIGTERM) that interrupted the run, if one did. */
  readonly interrupted?: string;
  /** runsc's own error, when runsc (not the workload) failed. */
  readonly runscError?: string;
  /** The workload's standard output. */
  readonly stdout: string;
  /** The workload's standard error (and runsc's errors). */
  readonly stderr: string;
  /** What is not enforced here or differs from the cluster. */
  readonly warnings: string[];
  /** The memory limit enforced, in bytes, if any. */
  readonly memoryLimitBytes?: number;
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

/** The top-level entries of a root filesystem directory. */
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
  return { path: abs, hostRoot, entries };
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

/** Creates the bundle's directories, files and symlinks, and writes config.json. */
export function writeBundle(bundleDir: string, plan: RunPlan): void {
  fs.mkdirSync(bundleDir, { mode: 0o700 });
  for (const dir of plan.dirs) {
    const p = path.join(bundleDir, dir.path);
    fs.mkdirSync(p, { recursive: true });
    fs.chmodSync(p, dir.mode);
    if (dir.gid !== undefined) fs.chownSync(p, 0, dir.gid);
  }
  for (const file of plan.files) {
    const p = path.join(bundleDir, file.path);
    fs.writeFileSync(p, file.content);
    fs.chmodSync(p, file.mode);
    if (file.gid !== undefined) fs.chownSync(p, 0, file.gid);
  }
  for (const link of plan.symlinks) fs.symlinkSync(link.target, path.join(bundleDir, link.path));
  fs.writeFileSync(path.join(bundleDir, 'config.json'), JSON.stringify(plan.spec, null, 2));
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

/** Runs a command to completion, ignoring failure (cleanup must go on). */
function quietly(file: string, args: string[]): void {
  try {
    execFileSync(file, args, { stdio: 'ignore', timeout: 15_000 });
  } catch { /* best effort */ }
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
    docs, workload: options.workload, container: options.container, rootfs, containerId,
    bundleDir: path.join(path.resolve(options.tempDir ?? os.tmpdir()), containerId, 'bundle'),
    timeoutSeconds: options.timeoutSeconds, pidsLimit: options.pidsLimit, cgroupControllers: hostCgroupControllers(),
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
 * volumes, limits and deadline mapped onto runsc. The bundle and runsc state are removed on every path.
 */
export async function runWorkload(options: RunWorkloadOptions): Promise<RunResult> {
  const id = newContainerId();
  const plan = planWorkload(options, id);
  const runsc = locateRunsc(options.runsc);
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new RunnerError('runsc needs root on the host to create the sandbox (namespaces, cgroups, chroot); run as root or with sudo');
  }
  const work = path.join(path.resolve(options.tempDir ?? os.tmpdir()), id);
  const bundleDir = path.join(work, 'bundle');
  const stateDir = path.join(work, 'state');
  const logFile = path.join(work, 'runsc.log');
  const root = [`--root=${stateDir}`];
  let started = false;
  fs.mkdirSync(work, { mode: 0o700 });
  try {
    writeBundle(bundleDir, plan);
    fs.mkdirSync(stateDir, { mode: 0o700 });
    if (options.echo) for (const warning of plan.warnings) process.stderr.write(`cdk8s-sandbox run: note: ${warning}\n`);
    started = true;
    const outcome = await supervise(runsc, [...root, `--log=${logFile}`, ...plan.runscFlags, 'run', '--bundle', bundleDir, id], {
      id, root, deadlineMs: plan.deadlineSeconds !== undefined ? plan.deadlineSeconds * 1000 : undefined,
      echo: options.echo === true, handleSignals: options.handleSignals !== false,
    });
    let log = '';
    try { log = fs.readFileSync(logFile, 'utf8'); } catch { /* no log */ }
    const runscError = outcome.exitCode === 128 || outcome.exitCode === 2 ? runscErrorFromLog(log) : undefined;
    return {
      workload: plan.workload,
      container: plan.container,
      containerId: id,
      exitCode: outcome.exitCode,
      deadlineExceeded: outcome.deadlineExceeded,
      ...(plan.deadlineSeconds !== undefined ? { deadlineSeconds: plan.deadlineSeconds, deadlineSource: plan.deadlineSource } : {}),
      ...(outcome.interrupted ? { interrupted: outcome.interrupted } : {}),
      ...(runscError ? { runscError } : {}),
      stdout: outcome.stdout,
      stderr: outcome.stderr,
      warnings: plan.warnings,
      ...(plan.memoryLimitBytes !== undefined ? { memoryLimitBytes: plan.memoryLimitBytes } : {}),
      durationMs: outcome.durationMs,
    };
  } finally {
    if (started) quietly(runsc, [...root, 'delete', '--force', id]);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

interface SuperviseOptions {
  readonly id: string;
  readonly root: string[];
  readonly deadlineMs?: number;
  readonly echo: boolean;
  readonly handleSignals: boolean;
}

interface Outcome {
  readonly exitCode: number;
  readonly deadlineExceeded: boolean;
  readonly interrupted?: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

/** Spawns `runsc run`, pipes its output through, and kills the sandbox at the deadline or on a signal. */
function supervise(runsc: string, args: string[], opts: SuperviseOptions): Promise<Outcome> {
  return new Promise<Outcome>((resolve, reject) => {
    const startedAt = process.hrtime.bigint();
    // Own process group: a terminal's Ctrl-C reaches only us, and we tear the sandbox down in order.
    const child: ChildProcess = spawn(runsc, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => { out.push(chunk); if (opts.echo) process.stdout.write(chunk); });
    child.stderr!.on('data', (chunk: Buffer) => { err.push(chunk); if (opts.echo) process.stderr.write(chunk); });
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
    const deadlineTimer = opts.deadlineMs !== undefined ? setTimeout(() => { deadlineExceeded = true; kill(); }, opts.deadlineMs) : undefined;
    const onSignal = (signal: NodeJS.Signals) => { interrupted ??= signal; kill(); };
    if (opts.handleSignals) { process.on('SIGINT', onSignal); process.on('SIGTERM', onSignal); }
    const done = () => {
      if (deadlineTimer) clearTimeout(deadlineTimer);
      if (killTimer) clearInterval(killTimer);
      if (escalateTimer) clearTimeout(escalateTimer);
      if (opts.handleSignals) { process.off('SIGINT', onSignal); process.off('SIGTERM', onSignal); }
    };
    child.on('error', (e: any) => { done(); reject(new RunnerError(`cannot start ${runsc}: ${e?.message ?? e}; ${RUNSC_INSTALL_HINT}`)); });
    child.on('close', (code, signal) => {
      done();
      const signalNumber = signal ? os.constants.signals[signal] ?? 0 : 0;
      resolve({
        exitCode: code ?? 128 + signalNumber,
        deadlineExceeded,
        ...(interrupted ? { interrupted } : {}),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        durationMs: Number(process.hrtime.bigint() - startedAt) / 1e6,
      });
    });
  });
}
