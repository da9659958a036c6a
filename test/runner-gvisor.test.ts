// The code runner under real gVisor: it runs, and each attack from inside the sandbox fails.
// Needs runsc and root; skips with the reason on a developer machine without them, fails under CI.
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { CODE_RUNNER_WORKLOAD, attackCode, attackResult, codeRunnerDocs, codeRunnerLimits, codeRunnerWithCode, runscTestsEnabled } from './fixtures/runner/code-runner';
import { RunResult, RunWorkloadOptions, parseBytes, runWorkload } from '../src/runner/internal';

const gate = runscTestsEnabled();
if (gate.reason) console.warn(`runner-gvisor: ${gate.enabled ? 'CI=true, so running anyway (and failing):' : 'skipping:'} ${gate.reason}`);
const testRunsc = gate.enabled ? test : test['skip'];

/** Rows of the table printed at the end: attempt, expected, observed. */
const table: [string, string, string][] = [];
let tempDir = '';
let listener: net.Server;
let listenerConnections = 0;
let port = 0;
const results: { [name: string]: RunResult } = {};
const hostHadWorkspace = fs.existsSync('/workspace');
/** The manifest's own limits: the attacks run into these. */
const limits = codeRunnerLimits();
const MiB = 2 ** 20;
/** A --timeout shorter than the command's own `timeout`, to watch the runner's deadline kill. */
const SHORT_TIMEOUT_SECONDS = 5;

/** Runs the code runner with main.py replaced by `code`, everything else as synthesized. */
function runCode(code: string, extra: Partial<RunWorkloadOptions> = {}): Promise<RunResult> {
  return runWorkload({ documents: codeRunnerWithCode(code), workload: CODE_RUNNER_WORKLOAD, tempDir, handleSignals: false, ...extra });
}

/** Every attempt of an attack, which must all have failed. */
function blocked(name: string): { what: string; ok: boolean; detail: string }[] {
  const attempts = attackResult(results[name].stdout).attempts;
  expect(attempts.length).toBeGreaterThan(0);
  for (const a of attempts) expect({ what: a.what, ok: a.ok, detail: a.detail }).toEqual({ what: a.what, ok: false, detail: a.detail });
  return attempts;
}

function observed(name: string): string {
  return attackResult(results[name].stdout).attempts.map((a) => `${a.what}: ${a.ok ? 'SUCCEEDED' : a.detail}`).join('; ');
}

beforeAll(async () => {
  if (!gate.enabled) return;
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-gvisor-'));
  listener = net.createServer((socket) => { listenerConnections++; socket.destroy(); });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as net.AddressInfo).port;
  // The unmodified example first and alone: its duration is one cold start of a sandboxed run.
  results.hello = await runWorkload({ documents: codeRunnerDocs(), workload: CODE_RUNNER_WORKLOAD, tempDir, handleSignals: false });
  // The deadline attack takes 60 s and idles: it runs in the background while the others run one
  // at a time (side by side, CPU-bound attacks under a 500m limit could hit the command's `timeout 30`).
  const deadline = runCode(attackCode('deadline'));
  const attacks: { [name: string]: string } = {
    gvisor: attackCode('gvisor'),
    writeRoot: attackCode('write_root'),
    writeCode: attackCode('write_code_mount'),
    saToken: attackCode('sa_token'),
    becomeRoot: attackCode('become_root'),
    capabilities: attackCode('capabilities'),
    loopback: attackCode('loopback', port),
    tmpLimit: attackCode('tmp_limit'),
    memory: attackCode('memory'),
  };
  for (const [name, code] of Object.entries(attacks)) results[name] = await runCode(code);
  results.shortTimeout = await runCode(attackCode('deadline'), { timeoutSeconds: SHORT_TIMEOUT_SECONDS });
  results.deadline = await deadline;
}, 240_000);

afterAll(async () => {
  if (listener) await new Promise((resolve) => listener.close(resolve));
  if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
  if (table.length) {
    const widths = [0, 1, 2].map((i) => Math.max(...table.map((row) => row[i].length), ['attempt', 'expected', 'observed'][i].length));
    const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
    console.log(['gVisor attack table (code runner, runsc):', line(['attempt', 'expected', 'observed']), line(widths.map((w) => '-'.repeat(w))), ...table.map(line)].join('\n'));
  }
});

describe('the code runner under gVisor', () => {
  testRunsc('runs the example\'s Python code and prints its output', () => {
    const r = results.hello;
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^hello from the sandbox 3\.\d+\.\d+$/m);
    expect(r.deadlineExceeded).toBe(false);
    table.push(['run the example code', 'prints its greeting, exit 0', `${JSON.stringify(r.stdout.trim().split('\n')[0])}, exit ${r.exitCode}, ${Math.round(r.durationMs)} ms for the whole sandboxed run`]);
  });

  testRunsc('`uname -r` and `dmesg` inside show the gVisor kernel', () => {
    const r = attackResult(results.gvisor.stdout);
    expect(r.uname).toBe('4.4.0');
    if (results.gvisor.seccomp === 'runtime-default') {
      // The Job asks for its seccompProfile (dev.gvisor.flag.oci-seccomp): RuntimeDefault refuses syslog, so dmesg fails.
      expect({ dmesg: r.dmesg, rc: r.dmesg_rc }).toEqual({ dmesg: [], rc: 1 });
      table.push(['uname -r; dmesg', 'gVisor\'s kernel; dmesg refused by RuntimeDefault', `uname -r ${r.uname}; dmesg exit ${r.dmesg_rc} (syslog: EPERM)`]);
      return;
    }
    expect(r.dmesg[0]).toMatch(/Starting gVisor/);
    table.push(['uname -r; dmesg', 'gVisor\'s kernel, not the host\'s', `uname -r ${r.uname}; dmesg "${r.dmesg[0].replace(/^\[[^\]]*\]\s*/, '')}"`]);
  });

  testRunsc('cannot write to the root filesystem', () => {
    const attempts = blocked('writeRoot');
    expect(attempts.every((a) => ['EROFS', 'EACCES'].includes(a.detail))).toBe(true);
    const options = attackResult(results.writeRoot.stdout).root_mount_options;
    expect(options.split(',')).toContain('ro');
    table.push(['write to the root filesystem', 'EROFS/EACCES', `${observed('writeRoot')}; / mounted ${options.split(',')[0]}`]);
  });

  testRunsc('cannot write to the code mount', () => {
    const attempts = blocked('writeCode');
    expect(attempts.every((a) => ['EROFS', 'EACCES', 'EPERM'].includes(a.detail))).toBe(true);
    table.push(['write to the code mount /workspace', 'EROFS/EACCES', observed('writeCode')]);
  });

  testRunsc('finds no service-account token', () => {
    blocked('saToken');
    table.push(['find a service-account token', 'none', observed('saToken')]);
  });

  testRunsc('cannot become root (setuid, setuid binary su)', () => {
    blocked('becomeRoot');
    const r = attackResult(results.becomeRoot.stdout);
    expect([r.uid, r.euid, r.gid]).toEqual([65534, 65534, 65534]);
    table.push(['become root: setuid(0), su (setuid binary)', 'EPERM; su keeps euid 65534', `${observed('becomeRoot')}; uid/euid/gid ${r.uid}/${r.euid}/${r.gid}`]);
  });

  testRunsc('holds no capability: CapEff and every other set are zero', () => {
    blocked('capabilities');
    const caps = attackResult(results.capabilities.stdout).caps;
    // gVisor reports CapInh, CapPrm, CapEff and CapBnd (no CapAmb line); every one must be zero.
    expect(Object.keys(caps)).toEqual(expect.arrayContaining(['CapInh', 'CapPrm', 'CapEff', 'CapBnd']));
    for (const [set, value] of Object.entries(caps)) expect([set, value]).toEqual([set, '0000000000000000']);
    table.push(['hold any capability', 'CapEff (and all sets) zero', `CapEff ${caps.CapEff}, CapBnd ${caps.CapBnd}; ${observed('capabilities')}`]);
  });

  testRunsc('cannot reach a TCP listener on the host\'s loopback', () => {
    blocked('loopback');
    expect(listenerConnections).toBe(0);
    const r = attackResult(results.loopback.stdout);
    expect(r.interfaces).toEqual(['lo']);
    table.push([`connect to the host's 127.0.0.1:${port}`, 'refused; listener sees nothing', `${observed('loopback')}; interfaces ${r.interfaces.join(',')}; host listener connections ${listenerConnections}`]);
  });

  testRunsc(`cannot write past the /tmp size limit (${limits.tmpSizeLimit})`, () => {
    const [attempt] = blocked('tmpLimit');
    const r = attackResult(results.tmpLimit.stdout);
    const limitMiB = parseBytes(limits.tmpSizeLimit, 'sizeLimit') / MiB;
    expect(attempt.detail).toBe('ENOSPC');
    expect(r.tmp_size_mib).toBe(limitMiB);
    expect(r.written_mib).toBeLessThanOrEqual(limitMiB);
    table.push([`write 256 MiB to /tmp (sizeLimit ${limits.tmpSizeLimit})`, `ENOSPC at ${limitMiB} MiB`, `${attempt.detail} after ${r.written_mib} MiB; /tmp size ${r.tmp_size_mib} MiB`]);
  });

  testRunsc(`cannot allocate past the memory limit (${limits.memoryLimit}): the sandbox is killed`, () => {
    const r = results.memory;
    const allocated = Math.max(0, ...[...r.stdout.matchAll(/ALLOCATED (\d+)/g)].map((m) => Number(m[1])));
    const limitMiB = parseBytes(limits.memoryLimit, 'limits.memory') / MiB;
    expect(r.stdout).not.toMatch(/RESULT/);
    expect(r.exitCode).toBe(137);
    expect(r.deadlineExceeded).toBe(false);
    expect(allocated).toBeLessThan(limitMiB);
    table.push([`allocate 2 GiB (limits.memory ${limits.memoryLimit})`, `killed (137) before ${limitMiB} MiB`, `killed, exit ${r.exitCode}, after ${allocated} MiB`]);
  });

  testRunsc('cannot run past the deadline: the manifest\'s deadline (or the command\'s own timeout, if shorter) stops it', () => {
    const r = results.deadline;
    const lastTick = Math.max(...[...r.stdout.matchAll(/TICK (\d+)/g)].map((m) => Number(m[1])));
    expect(lastTick).toBeLessThan(limits.deadlineSeconds);
    if (r.deadlineExceeded) {
      // It ignored the SIGTERM of the command's `timeout`, so only the pod's deadline stopped it.
      expect([r.deadlineSeconds, r.deadlineSource]).toEqual([limits.deadlineSeconds, 'pod activeDeadlineSeconds']);
      expect(r.durationMs).toBeGreaterThanOrEqual(limits.deadlineSeconds * 1000);
    } else {
      // The command's own `timeout -k` (PID 1 of the sandbox) killed it before the deadline.
      expect([124, 137]).toContain(r.exitCode);
    }
    table.push([`run forever, ignoring SIGTERM (command: ${limits.command.slice(0, -2).join(' ')})`, `stopped by the ${limits.deadlineSeconds} s deadline or the command's timeout`,
      r.deadlineExceeded ? `deadline exceeded (${r.deadlineSource} ${r.deadlineSeconds} s), sandbox killed, exit ${r.exitCode}, last tick ${lastTick} s`
        : `the command's timeout killed it first, exit ${r.exitCode}, last tick ${lastTick} s`]);
  });

  testRunsc('is killed at the deadline and the run reports it (--timeout shorter than the command\'s own)', () => {
    const r = results.shortTimeout;
    const lastTick = Math.max(-1, ...[...r.stdout.matchAll(/TICK (\d+)/g)].map((m) => Number(m[1])));
    expect(r.deadlineExceeded).toBe(true);
    expect([r.deadlineSeconds, r.deadlineSource]).toEqual([SHORT_TIMEOUT_SECONDS, '--timeout']);
    expect(lastTick).toBeLessThan(SHORT_TIMEOUT_SECONDS);
    table.push([`run forever under --timeout ${SHORT_TIMEOUT_SECONDS}`, 'killed at the deadline, reported', `deadline exceeded (--timeout ${r.deadlineSeconds} s), sandbox killed, exit ${r.exitCode}, last tick ${lastTick} s`]);
  });

  testRunsc('leaves nothing behind: no bundle, no runsc state, no cgroup, nothing written to the host root', () => {
    expect(fs.readdirSync(tempDir)).toEqual([]);
    const ids = Object.values(results).map((r) => r.containerId);
    const ownCgroups = fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n').map((l) => l.split(':')).filter((f) => f.length === 3);
    for (const [, controllers, own] of ownCgroups) {
      for (const controller of controllers.split(',').filter((c) => ['memory', 'cpu', 'pids'].includes(c))) {
        for (const base of [path.join('/sys/fs/cgroup', controller, own), path.join('/sys/fs/cgroup', controller)]) {
          for (const id of ids) expect(fs.existsSync(path.join(base, id))).toBe(false);
        }
      }
    }
    if (!hostHadWorkspace) expect(fs.existsSync('/workspace')).toBe(false);
  });
});
