// What keeps a sandboxed run bounded when the runner itself is not: a watchdog process that enforces the
// deadline and tears the sandbox down if the runner dies (kill -9, SIGHUP, a crash), one teardown for every
// path, a sweep of what earlier runs left behind, and bounded tails of the workload's output.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** Directory names of runs (also their runsc container ids and cgroup names). */
export const RUN_ID_PATTERN = /^cdk8s-sandbox-[0-9a-f]{12}$/;

/** The file in a run's directory naming the processes that own it. */
export const OWNER_FILE = 'owner.json';

/** What a run's directory says about who owns it. */
export interface RunOwner {
  /** The runner's process id. */
  readonly pid: number;
  /** The runner's start time in clock ticks since boot (`/proc/PID/stat` field 22), so a reused pid is not taken for it. */
  readonly startTime?: number;
  /** The watchdog's process id, once it runs. */
  readonly watchdogPid?: number;
  /** The watchdog's start time in clock ticks since boot. */
  readonly watchdogStartTime?: number;
}

/** Everything a teardown needs; plain strings so the watchdog process can receive it as JSON. */
export interface TeardownTarget {
  /** The runsc binary. */
  readonly runsc: string;
  /** The run's runsc state directory (`--root`). */
  readonly stateDir: string;
  /** The runsc container id. */
  readonly id: string;
  /** The run's directory (bundle, state, log), removed last. */
  readonly workDir: string;
}

/**
 * Kills and deletes the sandbox, removes the cgroups runsc made for it (v1 controllers and v2, at the root
 * and under the caller's own cgroup) and the run's directory. Best effort at every step: cleanup goes on.
 *
 * Self-contained (no imports, no closures): the watchdog process runs this very function from its source.
 */
export function teardownRun(target: TeardownTarget): void {
  const cp: typeof import('child_process') = require('child_process');
  const nodeFs: typeof import('fs') = require('fs');
  const nodePath: typeof import('path') = require('path');
  const quietly = (args: string[]) => {
    try { cp.execFileSync(target.runsc, [`--root=${target.stateDir}`, ...args], { stdio: 'ignore', timeout: 15_000 }); } catch { /* best effort */ }
  };
  // The run's own processes: runsc, its gofer and the sandbox all get the state directory as `--root`.
  const rootArg = `--root=${target.stateDir}`;
  const running = (): number[] => {
    const pids: number[] = [];
    let entries: string[] = [];
    try { entries = nodeFs.readdirSync('/proc'); } catch { /* no /proc */ }
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (nodeFs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(rootArg)) pids.push(Number(entry));
      } catch { /* gone */ }
    }
    return pids;
  };
  const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  if (nodeFs.existsSync(target.stateDir)) {
    let pids = running();
    if (pids.length > 0) {
      // Still running (the runner died, or was interrupted): kill the sandbox, then whatever of runsc is left.
      quietly(['kill', target.id, 'KILL']);
      for (let i = 0; i < 50 && (pids = running()).length > 0; i++) {
        if (i >= 10) for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
        pause(100);
      }
    }
    quietly(['delete', '--force', target.id]);
  }
  const cgroupRoot = '/sys/fs/cgroup';
  let own: string[][] = [];
  try {
    own = nodeFs.readFileSync('/proc/self/cgroup', 'utf8').split('\n').map((l) => l.split(':')).filter((f) => f.length === 3);
  } catch { /* no /proc */ }
  const bases = new Set<string>([cgroupRoot]);
  let controllers: string[] = [];
  try { controllers = nodeFs.readdirSync(cgroupRoot); } catch { /* no cgroupfs */ }
  for (const name of controllers) bases.add(nodePath.join(cgroupRoot, name));
  for (const [, names, ownPath] of own) {
    if (names === '') {
      // cgroup v2: mounted at the root (v2 only) or at unified/ (hybrid).
      bases.add(nodePath.join(cgroupRoot, ownPath));
      bases.add(nodePath.join(cgroupRoot, 'unified', ownPath));
      continue;
    }
    for (const name of names.replace(/^name=/, '').split(',')) bases.add(nodePath.join(cgroupRoot, name, ownPath));
  }
  // rmdir removes an empty cgroup; one whose last processes are still exiting is busy for a moment.
  for (const base of bases) {
    const dir = nodePath.join(base, target.id);
    for (let i = 0; i < 20 && nodeFs.existsSync(dir); i++) {
      try { nodeFs.rmdirSync(dir); } catch { pause(50); }
    }
  }
  try { nodeFs.rmSync(target.workDir, { recursive: true, force: true }); } catch { /* best effort */ }
}

/**
 * The watchdog's program: kills the sandbox at the deadline, and tears everything down when its standard
 * input closes before the runner has said `release` (the runner died). It ignores the signals a terminal
 * sends, and runs in its own session, so Ctrl-C or a closed terminal cannot stop it before the runner is done.
 */
function watchdogMain(): void {
  const cp: typeof import('child_process') = require('child_process');
  const target = JSON.parse(process.argv[process.argv.length - 2]) as TeardownTarget;
  const deadlineMs = Number(process.argv[process.argv.length - 1]);
  // `teardownRun` is defined by the source this program is started with.
  const teardown = (globalThis as any).teardownRun as (t: TeardownTarget) => void;
  for (const signal of ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGPIPE'] as const) process.on(signal, () => { /* ignored */ });
  let released = false;
  let input = '';
  if (deadlineMs > 0) {
    setTimeout(() => {
      try { process.stdout.write('deadline\n'); } catch { /* the runner is gone */ }
      const kill = () => cp.execFile(target.runsc, [`--root=${target.stateDir}`, 'kill', target.id, 'KILL'], () => { /* retried */ });
      kill();
      setInterval(kill, 1000);
    }, deadlineMs);
  }
  process.stdin.on('data', (chunk) => {
    input += String(chunk);
    if (input.includes('release\n')) { released = true; process.exit(0); }
  });
  const orphaned = () => {
    if (released) return;
    teardown(target);
    process.exit(0);
  };
  process.stdin.on('end', orphaned);
  process.stdin.on('close', orphaned);
  process.stdin.on('error', orphaned);
}

/** The watchdog's source for `node -e`: both functions, then the call. */
const WATCHDOG_SOURCE = `globalThis.teardownRun = ${teardownRun.toString()};\n(${watchdogMain.toString()})();\n`;

/** A running watchdog of one run. */
export interface Watchdog {
  /** Its process. */
  readonly process: ChildProcess;
  /** Called once when the watchdog killed the sandbox at the deadline. */
  onDeadline(listener: () => void): void;
  /** Tells the watchdog the runner is done with the run (it exits without touching anything). */
  release(): void;
}

/**
 * Starts the watchdog of a run: a separate Node process in its own session that enforces `deadlineMs`
 * (0: none) and tears the run down if this process dies before calling `release()`.
 */
export function startWatchdog(target: TeardownTarget, deadlineMs: number): Watchdog {
  const child = spawn(process.execPath, ['-e', WATCHDOG_SOURCE, JSON.stringify(target), String(deadlineMs)], {
    stdio: ['pipe', 'pipe', 'ignore'],
    detached: true,
  });
  child.unref();
  (child.stdout as any)?.unref?.();
  child.stdin!.on('error', () => { /* the watchdog died; the runner's own timer still applies */ });
  const listeners: (() => void)[] = [];
  let said = '';
  child.stdout!.on('data', (chunk) => {
    said += String(chunk);
    if (said.includes('deadline\n')) { said = ''; for (const l of listeners.splice(0)) l(); }
  });
  return {
    process: child,
    onDeadline: (listener) => { listeners.push(listener); },
    release: () => {
      if (child.exitCode === null && child.signalCode === null) child.stdin!.end('release\n');
      child.stdout!.destroy();
    },
  };
}

/**
 * A process's start time in clock ticks since boot, or undefined when it does not exist or has exited and
 * waits to be reaped (a zombie: a killed watchdog whose parent died stays one until init reaps it).
 */
export function processStartTime(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may hold spaces and parentheses: count fields after its closing ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    return Number(fields[19]);
  } catch {
    return undefined;
  }
}

/** Whether a process recorded with `startTime` still runs (and is the same process, not a reused pid). */
function alive(pid: number | undefined, startTime: number | undefined): boolean {
  if (pid === undefined) return false;
  const now = processStartTime(pid);
  return now !== undefined && (startTime === undefined || now === startTime);
}

/** Writes the owner file of a run's directory. */
export function writeOwner(workDir: string, owner: RunOwner): void {
  fs.writeFileSync(path.join(workDir, OWNER_FILE), JSON.stringify(owner), { mode: 0o600 });
}

/** Runs whose directories are older than this and hold no owner file are leftovers too. */
const UNOWNED_GRACE_MS = 60_000;

/**
 * Removes what earlier runs left in `tempDir` when both their runner and their watchdog are gone (both
 * killed with SIGKILL, a machine crash): the sandbox, its cgroups and its directory. Only directories
 * named like a run, owned by this user and not symlinks are touched. Returns the ids removed.
 */
export function sweepLeftovers(tempDir: string, runsc: string, now: number = Date.now()): string[] {
  let names: string[];
  try { names = fs.readdirSync(tempDir); } catch { return []; }
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const removed: string[] = [];
  for (const name of names) {
    if (!RUN_ID_PATTERN.test(name)) continue;
    const workDir = path.join(tempDir, name);
    let stat: fs.Stats;
    try { stat = fs.lstatSync(workDir); } catch { continue; }
    if (!stat.isDirectory() || stat.uid !== uid) continue;
    let owner: RunOwner | undefined;
    try { owner = JSON.parse(fs.readFileSync(path.join(workDir, OWNER_FILE), 'utf8')); } catch { owner = undefined; }
    if (owner === undefined ? now - stat.mtimeMs < UNOWNED_GRACE_MS : alive(owner.pid, owner.startTime) || alive(owner.watchdogPid, owner.watchdogStartTime)) continue;
    teardownRun({ runsc, stateDir: path.join(workDir, 'state'), id: name, workDir });
    removed.push(name);
  }
  return removed;
}

/** Keeps the last `limit` bytes of a stream and counts all of them. */
export class OutputTail {
  private chunks: Buffer[] = [];
  private held = 0;
  private total = 0;

  /** @param limit bytes kept (the newest). */
  constructor(private readonly limit: number) {}

  /** Adds a chunk, dropping the oldest bytes beyond the limit. */
  public push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.limit <= 0) return;
    if (chunk.length >= this.limit) {
      this.chunks = [Buffer.from(chunk.subarray(chunk.length - this.limit))];
      this.held = this.limit;
      return;
    }
    this.chunks.push(chunk);
    this.held += chunk.length;
    while (this.held - this.chunks[0].length >= this.limit) this.held -= this.chunks.shift()!.length;
  }

  /** Every byte seen. */
  public get totalBytes(): number { return this.total; }

  /** Whether older bytes were dropped. */
  public get truncated(): boolean { return this.total > this.limit; }

  /** The kept bytes as UTF-8, starting at a character boundary when the start was cut. */
  public text(): string {
    let bytes = Buffer.concat(this.chunks);
    if (bytes.length > this.limit) bytes = bytes.subarray(bytes.length - this.limit);
    if (this.truncated) {
      let start = 0;
      while (start < bytes.length && start < 4 && (bytes[start] & 0xc0) === 0x80) start++;
      bytes = bytes.subarray(start);
    }
    return bytes.toString('utf8');
  }
}
