// The run stays bounded when its runner does not: kill -9, SIGHUP or SIGSTOP of the runner, both runner and
// watchdog killed, and a flood of output. The runsc cases need runsc and root (skip with the reason on a
// developer machine without them, fail under CI).
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CODE_RUNNER_WORKLOAD, codeRunnerWithCode, runscTestsEnabled } from './fixtures/runner/code-runner';
import { RunResult, runWorkload } from '../src/runner/internal';
import { OWNER_FILE, OutputTail, processStartTime, sweepLeftovers } from '../src/runner/supervisor';

const gate = runscTestsEnabled();
if (gate.reason) console.warn(`runner-supervisor: ${gate.enabled ? 'CI=true, so running anyway (and failing):' : 'skipping the real runs:'} ${gate.reason}`);
const testRunsc = gate.enabled ? test : test['skip'];

const REPO = path.join(__dirname, '..');
const REGISTER_TS = path.join(REPO, 'test', 'fixtures', 'audit', 'register-ts.js');
const RUN_IN_CHILD = path.join(REPO, 'test', 'fixtures', 'runner', 'run-in-child.ts');
const MiB = 2 ** 20;

/** Sleeps in the sandbox long enough for the test to act on the runner; prints a line first. */
const SLEEPER = 'import time\nprint("sleeping", flush=True)\ntime.sleep(45)\nprint("woke up", flush=True)\n';

let tmp = '';
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-supervisor-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value other than undefined, or fails after `ms`. */
async function waitFor<T>(what: string, probe: () => T | undefined, ms: number): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** Pids of the processes one of whose arguments passes `test`. */
function processesWith(test: (arg: string) => boolean): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').some(test)) pids.push(Number(entry));
    } catch { /* gone */ }
  }
  return pids;
}

/** Any process of run `id`: runsc, its gofer and sandbox, and the run's watchdog. */
const processesNaming = (id: string) => processesWith((arg) => arg.includes(id));

/** The sandbox's own processes (runsc, gofer, sandbox: they get the run's state directory as `--root`). */
const sandboxProcesses = (id: string) => processesWith((arg) => arg.startsWith('--root=') && arg.includes(id));

/** Cgroup directories named `id` anywhere under the controllers (cgroup v1 and v2, a few levels deep). */
function cgroupsNamed(id: string): string[] {
  const found: string[] = [];
  const visit = (dir: string, depth: number) => {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      if (e.name === id) found.push(path.join(dir, e.name));
      else if (depth < 4) visit(path.join(dir, e.name), depth + 1);
    }
  };
  visit('/sys/fs/cgroup', 0);
  return found;
}

interface ChildRun {
  readonly child: ChildProcess;
  readonly tempDir: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Starts the runner in a child process of its own session, on `code`, with its own temp directory. */
function startChild(name: string, code: string, timeoutSeconds?: number): ChildRun {
  const tempDir = fs.mkdtempSync(path.join(tmp, `${name}-`));
  const child = spawn(process.execPath, ['-r', REGISTER_TS, RUN_IN_CHILD, code, tempDir, ...(timeoutSeconds ? [String(timeoutSeconds)] : [])], {
    cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => { stdout += c; });
  child.stderr!.on('data', (c) => { stderr += c; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, tempDir, exited };
}

/** Waits until the child's sandbox runs: its directory exists and runsc's sandbox process names it. Returns the run id. */
async function sandboxRunning(run: ChildRun): Promise<string> {
  const id = await waitFor('the run directory', () => fs.readdirSync(run.tempDir).find((n) => n.startsWith('cdk8s-sandbox-')), 30_000);
  await waitFor('the sandbox process', () => (sandboxProcesses(id).length >= 3 ? true : undefined), 30_000);
  return id;
}

/** Nothing of run `id` is left: no process, no directory, no cgroup. */
async function nothingLeft(tempDir: string, id: string, ms: number): Promise<void> {
  await waitFor(`run ${id} to be gone`, () => (processesNaming(id).length === 0 && !fs.existsSync(path.join(tempDir, id)) && cgroupsNamed(id).length === 0 ? true : undefined), ms);
}

describe('OutputTail keeps the newest bytes and counts all', () => {
  test('below the limit everything is kept', () => {
    const tail = new OutputTail(10);
    tail.push(Buffer.from('abc'));
    tail.push(Buffer.from('def'));
    expect([tail.text(), tail.totalBytes, tail.truncated]).toEqual(['abcdef', 6, false]);
  });

  test('past the limit only the last bytes remain, however the chunks fall', () => {
    const tail = new OutputTail(5);
    for (const chunk of ['012', '3456', '78', '9']) tail.push(Buffer.from(chunk));
    expect([tail.text(), tail.totalBytes, tail.truncated]).toEqual(['56789', 10, true]);
    tail.push(Buffer.from('ABCDEFGHIJ'));
    expect([tail.text(), tail.totalBytes]).toEqual(['FGHIJ', 20]);
  });

  test('a cut through a UTF-8 character starts the text at the next whole character', () => {
    const tail = new OutputTail(4);
    tail.push(Buffer.from('xé€')); // x, é (2 bytes), € (3 bytes): the last 4 bytes are é's second byte and €
    expect(tail.text()).toBe('€');
  });

  test('a limit of 0 keeps nothing and still counts', () => {
    const tail = new OutputTail(0);
    tail.push(Buffer.alloc(100));
    expect([tail.text(), tail.totalBytes]).toEqual(['', 100]);
  });

  test('memory held stays at the limit for a large stream', () => {
    const tail = new OutputTail(MiB);
    const chunk = Buffer.alloc(64 * 1024, 'a');
    for (let i = 0; i < 1024; i++) tail.push(chunk); // 64 MiB through
    expect(tail.totalBytes).toBe(64 * MiB);
    expect(Buffer.byteLength(tail.text())).toBe(MiB);
  });
});

describe('sweepLeftovers touches only dead runs of this user', () => {
  /** A fake runsc that records its arguments, so the sweep's `delete --force` can be seen. */
  function fakeRunsc(dir: string): { bin: string; calls: () => string[] } {
    const log = path.join(dir, 'calls.log');
    const bin = path.join(dir, 'runsc');
    fs.writeFileSync(bin, `#!/bin/sh\necho "$@" >> ${log}\n`, { mode: 0o755 });
    return { bin, calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []) };
  }

  test('a run whose runner and watchdog are dead is removed; a live one, a stranger and a symlink stay', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'sweep-'));
    const runsc = fakeRunsc(fs.mkdtempSync(path.join(tmp, 'bin-')));
    const dead = 'cdk8s-sandbox-000000000001';
    const live = 'cdk8s-sandbox-000000000002';
    const young = 'cdk8s-sandbox-000000000003';
    for (const id of [dead, live, young]) fs.mkdirSync(path.join(dir, id, 'state'), { recursive: true });
    // A pid that cannot exist (above pid_max) for the dead run; this test process for the live one.
    fs.writeFileSync(path.join(dir, dead, OWNER_FILE), JSON.stringify({ pid: 2 ** 30, watchdogPid: 2 ** 30 + 1 }));
    fs.writeFileSync(path.join(dir, live, OWNER_FILE), JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid) }));
    // No owner file yet, and just created: a run that is starting.
    const target = fs.mkdtempSync(path.join(tmp, 'victim-'));
    fs.writeFileSync(path.join(target, 'keep'), 'x');
    fs.symlinkSync(target, path.join(dir, 'cdk8s-sandbox-00000000000f'));
    fs.mkdirSync(path.join(dir, 'cdk8s-sandbox-not-a-run'));

    expect(sweepLeftovers(dir, runsc.bin)).toEqual([dead]);
    expect(runsc.calls()).toEqual([`--root=${path.join(dir, dead, 'state')} delete --force ${dead}`]);
    expect(fs.readdirSync(dir).sort()).toEqual(['cdk8s-sandbox-00000000000f', live, young, 'cdk8s-sandbox-not-a-run'].sort());
    expect(fs.readFileSync(path.join(target, 'keep'), 'utf8')).toBe('x');
  });

  test('a pid reused by another process does not keep a dead run alive', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'sweep-'));
    const runsc = fakeRunsc(fs.mkdtempSync(path.join(tmp, 'bin-')));
    const id = 'cdk8s-sandbox-0000000000aa';
    fs.mkdirSync(path.join(dir, id));
    fs.writeFileSync(path.join(dir, id, OWNER_FILE), JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid)! - 1 }));
    expect(sweepLeftovers(dir, runsc.bin)).toEqual([id]);
    expect(fs.existsSync(path.join(dir, id))).toBe(false);
  });

  test('an old directory without an owner file is a leftover', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'sweep-'));
    const id = 'cdk8s-sandbox-0000000000bb';
    fs.mkdirSync(path.join(dir, id));
    expect(sweepLeftovers(dir, '/bin/false')).toEqual([]);
    expect(sweepLeftovers(dir, '/bin/false', Date.now() + 120_000)).toEqual([id]);
  });
});

describe('a runner that dies, hangs up or stops cannot leave the sandbox running (runsc)', () => {
  testRunsc('kill -9 of the runner: the watchdog kills the sandbox and removes the bundle, state and cgroups', async () => {
    const run = startChild('kill9', SLEEPER);
    const id = await sandboxRunning(run);
    const killedAt = Date.now();
    process.kill(run.child.pid!, 'SIGKILL');
    const exit = await run.exited;
    expect(exit.signal).toBe('SIGKILL');
    await nothingLeft(run.tempDir, id, 20_000);
    console.log(`kill -9 of the runner: sandbox, directory and cgroups of ${id} gone ${Date.now() - killedAt} ms later`);
  }, 90_000);

  testRunsc('SIGHUP of the runner: the sandbox is killed and removed, and the result names the signal', async () => {
    const run = startChild('sighup', SLEEPER);
    const id = await sandboxRunning(run);
    process.kill(run.child.pid!, 'SIGHUP');
    const exit = await run.exited;
    expect(exit.code).toBe(0);
    const result = JSON.parse(exit.stdout) as RunResult;
    expect(result.interrupted).toBe('SIGHUP');
    expect(result.deadlineExceeded).toBe(false);
    await nothingLeft(run.tempDir, id, 10_000);
  }, 90_000);

  testRunsc('a stopped runner (SIGSTOP): the watchdog still kills the sandbox at the deadline', async () => {
    const run = startChild('sigstop', SLEEPER, 4);
    const id = await sandboxRunning(run);
    process.kill(run.child.pid!, 'SIGSTOP');
    try {
      // The runner is frozen: only the watchdog can end the sandbox, 4 s after the start.
      await waitFor('the sandbox to be killed while the runner is stopped', () => (sandboxProcesses(id).length === 0 ? true : undefined), 20_000);
    } finally {
      process.kill(run.child.pid!, 'SIGCONT');
    }
    const exit = await run.exited;
    const result = JSON.parse(exit.stdout) as RunResult & { stdoutTail: string };
    expect(result.deadlineExceeded).toBe(true);
    expect(result.stdoutTail).toContain('sleeping');
    expect(result.stdoutTail).not.toContain('woke up');
    await nothingLeft(run.tempDir, id, 10_000);
  }, 90_000);

  testRunsc('runner and watchdog both killed: the next run sweeps the leftover sandbox away', async () => {
    // Silent: with its runner gone, a write would end runsc with SIGPIPE, and the sandbox with it.
    const run = startChild('both', 'import time\ntime.sleep(45)\n');
    const id = await sandboxRunning(run);
    const owner = JSON.parse(fs.readFileSync(path.join(run.tempDir, id, OWNER_FILE), 'utf8'));
    expect(owner.watchdogPid).toEqual(expect.any(Number));
    process.kill(owner.watchdogPid, 'SIGKILL');
    process.kill(run.child.pid!, 'SIGKILL');
    await run.exited;
    await sleep(1000);
    // Nobody is left to clean up: the sandbox goes on.
    expect(sandboxProcesses(id).length).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(run.tempDir, id))).toBe(true);
    const next = await runWorkload({ documents: codeRunnerWithCode('print("next")\n'), workload: CODE_RUNNER_WORKLOAD, tempDir: run.tempDir, handleSignals: false });
    expect(next.stdout).toBe('next\n');
    await nothingLeft(run.tempDir, id, 10_000);
    expect(fs.readdirSync(run.tempDir)).toEqual([]);
  }, 120_000);
});

describe('output is bounded (runsc)', () => {
  testRunsc('256 MiB written in 1 MiB chunks: the result keeps the last 1 MiB, counts every byte, and the runner stays small', async () => {
    type ChildResult = RunResult & { stdoutTail: string; stdoutLength: number; maxRssKiB: number };
    const quietExit = await startChild('quiet', 'print("quiet")\n').exited;
    const quiet = JSON.parse(quietExit.stdout) as ChildResult;
    expect(quiet.stdoutTail).toBe('quiet\n');
    const total = 256;
    const code = [
      'import sys',
      'chunk = b"x" * (1024 * 1024 - 1) + b"\\n"',
      `for i in range(${total}):`,
      '    sys.stdout.buffer.write(chunk)',
      'sys.stdout.buffer.write(b"THE END\\n")',
      'sys.stdout.flush()',
    ].join('\n');
    const run = startChild('flood', code);
    const exit = await run.exited;
    expect(exit.code).toBe(0);
    const result = JSON.parse(exit.stdout) as ChildResult;
    expect(result.exitCode).toBe(0);
    expect(result.stdoutBytes).toBe(total * MiB + 'THE END\n'.length);
    expect(result.stdoutLength).toBe(MiB);
    expect(result.stdoutTail.endsWith('xxx\nTHE END\n')).toBe(true);
    // Before: the runner held every byte (3.6 GB for a longer flood, then ERR_STRING_TOO_LONG). Now the flood
    // costs the runner at most a few chunks in flight over a run that prints one line.
    const growthMiB = (result.maxRssKiB - quiet.maxRssKiB) / 1024;
    expect(growthMiB).toBeLessThan(64);
    console.log(`output flood: ${result.stdoutBytes} bytes through, ${result.stdoutLength} kept; runner peak RSS ${Math.round(result.maxRssKiB / 1024)} MiB against ${Math.round(quiet.maxRssKiB / 1024)} MiB for a one-line run; ${Math.round(result.durationMs)} ms`);
    expect(fs.readdirSync(run.tempDir)).toEqual([]);
  }, 180_000);
});

describe('a failed start leaves no cgroup (runsc)', () => {
  testRunsc('a sandbox killed while starting (4 KiB memory limit): no cgroup is left in any controller', async () => {
    const docs = codeRunnerWithCode('print("never")\n');
    const job = docs.find((d) => d.kind === 'Job')!;
    job.spec.template.spec.containers[0].resources.limits.memory = '4Ki';
    const tempDir = fs.mkdtempSync(path.join(tmp, 'oom-'));
    const result = await runWorkload({ documents: docs, workload: CODE_RUNNER_WORKLOAD, tempDir, handleSignals: false });
    // Before: exit 137 and cdk8s-sandbox-<id> left in 9 cgroup v1 controllers.
    expect(result.exitCode).toBe(137);
    expect(result.stdout).toBe('');
    expect(cgroupsNamed(result.containerId)).toEqual([]);
    expect(fs.readdirSync(tempDir)).toEqual([]);
  }, 60_000);
});

describe('processStartTime', () => {
  test('a live process has one; a zombie (exited, not reaped) and a missing pid have none', async () => {
    expect(processStartTime(process.pid)).toEqual(expect.any(Number));
    expect(processStartTime(2 ** 30)).toBeUndefined();
    // A child that exits while its 'exit' is not yet handled stays a zombie until Node reaps it; hold it with a
    // shell that ignores its own child's exit for a moment.
    const child = spawn('sh', ['-c', 'sleep 0.2 & exec sleep 2'], { stdio: 'ignore' });
    const zombie = await waitFor('the grandchild to become a zombie', () => {
      for (const entry of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        try {
          const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          if (fields[0] === 'Z' && Number(fields[1]) === child.pid) return Number(entry);
        } catch { /* gone */ }
      }
      return undefined;
    }, 5000);
    expect(processStartTime(zombie)).toBeUndefined();
    child.kill('SIGKILL');
  });
});
