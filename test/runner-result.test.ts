// `cdk8s-sandbox run --output json` and `--oci-seccomp`: why a run stopped (exit, the command's own timeout,
// the runner's deadline, the memory limit) as one JSON object, and containerd's RuntimeDefault seccomp profile
// applied inside the sandbox when the pod asks for it. The real runs need runsc and root: they skip with the
// reason on a developer machine without them, and fail under CI=true.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { runscTestsEnabled } from './fixtures/runner/code-runner';
import {
  CONTAINERD_DEFAULT_SYSCALLS, DEVICE_NODE_SECCOMP, RUN_REPORT_TAIL_BYTES, RunReport, RunResult, UNCOUNTED_OOM_NOTE, buildRunPlan, chooseSeccomp,
  memoryCgroupDir, ownCgroupV1Path, parseManifests, parseOomKills, prepareMemoryCgroup, readMemoryEvents, runReportOf, runtimeDefaultSeccomp, softTimeoutOf, stoppedByOf, utf8Tail,
} from '../src/runner/internal';
import { runCli } from './helpers/run-cli';

const gate = runscTestsEnabled();
if (gate.reason) console.warn(`runner-result: ${gate.enabled ? 'CI=true, so running anyway (and failing):' : 'skipping the runsc runs:'} ${gate.reason}`);
const testRunsc = gate.enabled ? test : test['skip'];

/** Small Jobs shaped as the library synthesizes them, one per case. */
const JOBS = path.join(__dirname, 'fixtures', 'runner', 'result-jobs.yaml');
const docs = parseManifests(fs.readFileSync(JOBS, 'utf8'), JOBS);
/** What the exit case writes to stderr: 300 lines of multi-byte characters (7200 bytes). */
const EXIT_STDERR = 'ünïcödé warning ✓\n'.repeat(300);

const cli = runCli;

/** A plan of one of the fixture's Jobs (no runsc needed). */
function planOf(workload: string, extra: { ociSeccomp?: boolean; documents?: any[] } = {}) {
  return buildRunPlan({
    docs: extra.documents ?? docs, workload, bundleDir: '/tmp/b', containerId: 'id', cgroupControllers: ['memory', 'cpu', 'pids'],
    rootfs: { path: '/', hostRoot: true, entries: [] }, ociSeccomp: extra.ociSeccomp,
  });
}

describe('the command\'s own timeout wrapper', () => {
  test('is read from the command line as coreutils parses it', () => {
    expect(softTimeoutOf(['timeout', '-k', '5', '30', 'python3', 'main.py'])).toEqual({ seconds: 30, killAfterSeconds: 5, signal: 'TERM' });
    expect(softTimeoutOf(['/usr/bin/timeout', '--kill-after=1.5', '-s', 'INT', '2m', 'sh'])).toEqual({ seconds: 120, killAfterSeconds: 1.5, signal: 'INT' });
    expect(softTimeoutOf(['timeout', '-k1', '--signal=SIGKILL', '--foreground', '--', '10', 'sh'])).toEqual({ seconds: 10, killAfterSeconds: 1, signal: 'KILL' });
    expect(softTimeoutOf(['timeout', '30', 'python3'])).toEqual({ seconds: 30, signal: 'TERM' });
  });

  test('is not one when it cannot tell: --preserve-status, a zero or bad duration, no command, another program', () => {
    expect(softTimeoutOf(['timeout', '--preserve-status', '30', 'sh'])).toBeUndefined();
    expect(softTimeoutOf(['timeout', '0', 'sh'])).toBeUndefined();
    expect(softTimeoutOf(['timeout', '30s5', 'sh'])).toBeUndefined();
    expect(softTimeoutOf(['timeout', '30'])).toBeUndefined();
    expect(softTimeoutOf(['timeout', '-x', '30', 'sh'])).toBeUndefined();
    expect(softTimeoutOf(['python3', '-c', 'timeout 30'])).toBeUndefined();
  });
});

describe('why a run stopped', () => {
  const wrapper = { seconds: 2, killAfterSeconds: 1, signal: 'TERM' };
  const counted = { oomKills: 0, limitHits: 0, peakBytes: 1 };
  test('the deadline wins; an OOM kill counts only when the run failed', () => {
    expect(stoppedByOf({ exitCode: 137, deadlineExceeded: true, durationMs: 9000, softTimeout: wrapper, memoryEvents: { ...counted, oomKills: 1 } })).toBe('deadline');
    expect(stoppedByOf({ exitCode: 137, deadlineExceeded: false, durationMs: 500, memoryEvents: { ...counted, oomKills: 1 } })).toBe('oom');
    expect(stoppedByOf({ exitCode: 0, deadlineExceeded: false, durationMs: 500, memoryEvents: { ...counted, oomKills: 1 } })).toBeUndefined();
    expect(stoppedByOf({ exitCode: 137, deadlineExceeded: false, durationMs: 500, memoryEvents: counted })).toBeUndefined();
  });

  test('the soft timeout: 124 after its duration, 137 after the kill grace (or at once with -s KILL)', () => {
    expect(stoppedByOf({ exitCode: 124, deadlineExceeded: false, durationMs: 2100, softTimeout: wrapper })).toBe('soft-timeout');
    expect(stoppedByOf({ exitCode: 124, deadlineExceeded: false, durationMs: 1900, softTimeout: wrapper })).toBeUndefined();
    expect(stoppedByOf({ exitCode: 124, deadlineExceeded: false, durationMs: 2100 })).toBeUndefined();
    expect(stoppedByOf({ exitCode: 137, deadlineExceeded: false, durationMs: 3100, softTimeout: wrapper, memoryEvents: counted })).toBe('soft-timeout');
    expect(stoppedByOf({ exitCode: 137, deadlineExceeded: false, durationMs: 2500, softTimeout: wrapper })).toBeUndefined();
    expect(stoppedByOf({ exitCode: 137, deadlineExceeded: false, durationMs: 2500, softTimeout: { seconds: 2, signal: 'KILL' } })).toBe('soft-timeout');
    expect(stoppedByOf({ exitCode: 137, deadlineExceeded: false, durationMs: 9000, softTimeout: { seconds: 2, signal: 'TERM' } })).toBeUndefined();
  });
});

describe('the report', () => {
  test('a tail is at most the byte limit and starts at a character boundary', () => {
    const tail = utf8Tail(EXIT_STDERR, RUN_REPORT_TAIL_BYTES);
    expect(Buffer.byteLength(tail)).toBeLessThanOrEqual(RUN_REPORT_TAIL_BYTES);
    expect(Buffer.byteLength(tail)).toBeGreaterThan(RUN_REPORT_TAIL_BYTES - 4);
    expect(EXIT_STDERR.endsWith(tail)).toBe(true);
    expect(tail).not.toContain('\uFFFD');
    expect(utf8Tail('✓✓', 4)).toBe('✓');
    expect(utf8Tail('short', 4096)).toBe('short');
  });

  test('every field is there, null when it does not apply', () => {
    const result: RunResult = {
      workload: 'Job/x', container: 'c', containerId: 'id', exitCode: 3, deadlineExceeded: false, stdout: 'o', stderr: 'e',
      stdoutBytes: 1, stderrBytes: 1, warnings: ['a note'], durationMs: 12.6,
    };
    expect(runReportOf(result)).toEqual({
      schemaVersion: 1, workload: { kind: 'Job', namespace: null, name: 'x', container: 'c' }, containerId: 'id', exitCode: 3,
      stoppedBy: null, interrupted: null, deadline: null, softTimeout: null, memory: { limitBytes: null, peakBytes: null, oomKills: null },
      seccomp: 'device-nodes', runscError: null, durationMs: 13, stdoutBytes: 1, stderrBytes: 1, stdoutTail: 'o', stderrTail: 'e',
      terminationMessage: null, result: null, notes: ['a note'],
    });
  });
});

describe('the sandbox\'s memory cgroup', () => {
  const v1 = '9:name=systemd:/\n8:pids:/\n4:memory:/process_api/abc\n1:cpu,cpuacct:/\n0::/\n';
  test('lives under the runner\'s own v1 memory cgroup, and none is made on cgroup v2', () => {
    expect(ownCgroupV1Path(v1, 'memory')).toBe('/process_api/abc');
    expect(ownCgroupV1Path(v1, 'cpuacct')).toBe('/');
    expect(memoryCgroupDir('cdk8s-sandbox-1', v1)).toBe('/sys/fs/cgroup/memory/process_api/abc/cdk8s-sandbox-1');
    expect(memoryCgroupDir('cdk8s-sandbox-1', '0::/user.slice\n')).toBeUndefined();
  });
  test('the OOM-kill count of memory.oom_control', () => {
    expect(parseOomKills('oom_kill_disable 0\nunder_oom 0\noom_kill 2\n')).toBe(2);
    expect(parseOomKills('oom_kill_disable 0\nunder_oom 0\n')).toBeUndefined();
  });
  test('is made with the limit, never reused, and read only when the sandbox was charged to it', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-result-'));
    try {
      const dir = path.join(tmp, 'cdk8s-sandbox-1');
      expect(prepareMemoryCgroup(dir, 134217728)).toBe(true);
      expect(fs.readFileSync(path.join(dir, 'memory.limit_in_bytes'), 'utf8')).toBe('134217728');
      expect(() => prepareMemoryCgroup(dir, 134217728)).toThrow(`the sandbox's memory cgroup ${dir} already exists; remove it (rmdir) and run again`);
      expect(prepareMemoryCgroup(path.join(tmp, 'missing', 'x'), 1)).toBe(false);
      fs.writeFileSync(path.join(dir, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n');
      fs.writeFileSync(path.join(dir, 'memory.failcnt'), '431\n');
      fs.writeFileSync(path.join(dir, 'memory.max_usage_in_bytes'), '0\n');
      expect(readMemoryEvents(dir)).toBeUndefined();
      fs.writeFileSync(path.join(dir, 'memory.max_usage_in_bytes'), '134217728\n');
      expect(readMemoryEvents(dir)).toEqual({ oomKills: 1, limitHits: 431, peakBytes: 134217728 });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('seccomp: the pod\'s profile is applied only when the pod asks GKE Sandbox to', () => {
  test('containerd\'s RuntimeDefault profile: an allowlist, EPERM for the rest; namespaces need CAP_SYS_ADMIN', () => {
    const profile = runtimeDefaultSeccomp([], 'x64');
    expect(profile.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(profile.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    expect(CONTAINERD_DEFAULT_SYSCALLS).toHaveLength(346);
    const allowed = new Set(profile.syscalls.filter((s) => s.action === 'SCMP_ACT_ALLOW' && !s.args).flatMap((s) => s.names));
    for (const name of ['read', 'openat', 'execve', 'wait4', 'ptrace', 'arch_prctl']) expect(allowed.has(name)).toBe(true);
    for (const name of ['unshare', 'setns', 'mount', 'keyctl', 'add_key', 'bpf', 'chroot', 'reboot', 'mknod', 'clone', 'personality']) expect(allowed.has(name)).toBe(false);
    expect(profile.syscalls.find((s) => s.names[0] === 'clone3')).toEqual({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
    expect(profile.syscalls.find((s) => s.names[0] === 'clone')!.args).toEqual([{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]);
    // mknod only for regular files, FIFOs and sockets: device nodes fall to EPERM, as under DEVICE_NODE_SECCOMP.
    expect(profile.syscalls.filter((s) => s.names[0] === 'mknod').map((s) => s.args![0].valueTwo.toString(8))).toEqual(['0', '100000', '10000', '140000']);
    const admin = runtimeDefaultSeccomp(['CAP_SYS_ADMIN', 'CAP_SYS_CHROOT'], 'x64');
    const adminAllowed = new Set(admin.syscalls.filter((s) => s.action === 'SCMP_ACT_ALLOW' && !s.args).flatMap((s) => s.names));
    for (const name of ['unshare', 'mount', 'clone', 'clone3', 'chroot']) expect(adminAllowed.has(name)).toBe(true);
  });

  test('the annotation or --oci-seccomp applies RuntimeDefault; without them only the device-node filter runs', () => {
    const plain = planOf('result-seccomp');
    expect(plain.seccomp).toBe('device-nodes');
    expect(plain.spec.linux.seccomp).toBe(DEVICE_NODE_SECCOMP);
    expect(plain.warnings.join('\n')).toContain('seccompProfile RuntimeDefault is not applied: GKE Sandbox ignores the pod\'s profile unless the pod carries the annotation dev.gvisor.flag.oci-seccomp: "true"');
    const annotated = planOf('result-seccomp-annotated');
    expect(annotated.seccomp).toBe('runtime-default');
    expect(annotated.spec.linux.seccomp).toEqual(runtimeDefaultSeccomp([]));
    expect(annotated.runscFlags).toContain('--oci-seccomp');
    expect(annotated.warnings.join('\n')).toContain('seccompProfile RuntimeDefault is enforced inside the sandbox (requested by the pod annotation dev.gvisor.flag.oci-seccomp: "true")');
    expect(annotated.warnings.join('\n')).not.toContain('is not applied');
    const flagged = planOf('result-seccomp', { ociSeccomp: true });
    expect(flagged.seccomp).toBe('runtime-default');
    expect(flagged.warnings.join('\n')).toContain('is enforced inside the sandbox (requested by --oci-seccomp)');
  });

  test('Localhost is refused when it would be applied; Unconfined and no profile keep the device-node filter; a bad annotation is refused', () => {
    const where = 'Job/x, container c';
    expect(() => chooseSeccomp({ profile: { type: 'Localhost', localhostProfile: 'profiles/audit.json' }, requested: true, bounding: [], where }))
      .toThrow('Job/x, container c: seccompProfile Localhost (profiles/audit.json) is requested by --oci-seccomp, but a node\'s profile files are not available here; use RuntimeDefault, or run without --oci-seccomp to leave the profile unapplied as GKE Sandbox would');
    expect(chooseSeccomp({ profile: { type: 'Localhost', localhostProfile: 'p.json' }, bounding: [], where }).mode).toBe('device-nodes');
    expect(chooseSeccomp({ profile: { type: 'Unconfined' }, annotation: 'true', bounding: [], where })).toEqual({
      filter: DEVICE_NODE_SECCOMP, mode: 'device-nodes',
      note: 'seccomp is requested by the pod annotation dev.gvisor.flag.oci-seccomp: "true", but the seccompProfile is Unconfined: only the filter refusing device nodes runs inside the sandbox',
    });
    expect(chooseSeccomp({ annotation: 'True', bounding: [], where }).note).toContain('but no seccompProfile is set, which the kubelet treats as Unconfined');
    expect(chooseSeccomp({ profile: { type: 'RuntimeDefault' }, annotation: 'false', bounding: [], where }).mode).toBe('device-nodes');
    expect(() => chooseSeccomp({ profile: { type: 'RuntimeDefault' }, annotation: 'yes', bounding: [], where }))
      .toThrow('pod annotation dev.gvisor.flag.oci-seccomp: "yes" is not a boolean (allowed: "true" or "false"); runsc would refuse the pod');
    expect(() => chooseSeccomp({ profile: { type: 'runtime/default' }, bounding: [], where })).toThrow('seccompProfile.type "runtime/default" is not valid (allowed: RuntimeDefault, Localhost, Unconfined)');
  });

  test('--print-spec --oci-seccomp prints the RuntimeDefault filter; --output takes text or json only', async () => {
    const printed = await cli(JOBS, '-w', 'result-seccomp', '--print-spec', '--oci-seccomp');
    expect(printed.error).toBeUndefined();
    expect(JSON.parse(printed.stdout).linux.seccomp.defaultAction).toBe('SCMP_ACT_ERRNO');
    const bad = await cli(JOBS, '-w', 'result-exit', '--output', 'yaml');
    expect(bad.error?.code).toBe('commander.invalidArgument');
    expect(bad.stderr).toContain('Allowed choices are text, json');
  });
});

describe('under runsc', () => {
  /** Each run: what the command printed, its exit code, and the JSON object on its stdout. */
  const runs: { [name: string]: { stdout: string; stderr: string; exitCode: number; error?: any; report: RunReport } } = {};
  /** Whether this host lets the runner count OOM kills (a v1 memory hierarchy). */
  const oomCounted = (() => {
    try { return memoryCgroupDir('x', fs.readFileSync('/proc/self/cgroup', 'utf8')) !== undefined; } catch { return false; }
  })();

  beforeAll(async () => {
    if (!gate.enabled) return;
    const cases: [string, string[]][] = [
      ['exit', ['-w', 'result-exit']],
      ['softTimeout', ['-w', 'result-soft-timeout']],
      ['softTimeoutKill', ['-w', 'result-soft-timeout-kill']],
      ['deadline', ['-w', 'result-deadline']],
      ['oom', ['-w', 'result-oom']],
      ['seccompOff', ['-w', 'result-seccomp']],
      ['seccompAnnotated', ['-w', 'result-seccomp-annotated']],
      ['seccompFlag', ['-w', 'result-seccomp', '--oci-seccomp']],
    ];
    for (const [name, args] of cases) {
      const r = await cli(JOBS, ...args, '--output', 'json');
      const lines = r.stdout.split('\n').filter(Boolean);
      runs[name] = { ...r, report: lines.length === 1 ? JSON.parse(lines[0]) : undefined as any };
    }
  }, 240_000);

  afterAll(() => {
    for (const [name, run] of Object.entries(runs)) {
      if (!run.report) continue;
      // The tails shortened and the notes counted, so the record stays readable.
      const short = (tail: string) => (tail.length > 100 ? `...${tail.slice(-60)}` : tail);
      const printed = { ...run.report, stderrTail: short(run.report.stderrTail), notes: `${run.report.notes.length} notes` };
      console.log(`runner-result: cdk8s-sandbox run --output json (${name}):\n${JSON.stringify(printed)}`);
    }
  });

  /** One run's JSON object, after checking the command wrote exactly one line to stdout and nothing failed. */
  function report(name: string): RunReport {
    const run = runs[name];
    expect(run.error).toBeUndefined();
    expect(run.stdout.endsWith('\n')).toBe(true);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    return run.report;
  }

  testRunsc('a normal exit: exit code 0, stoppedBy null, the workload\'s stdout streamed to stderr, a bounded UTF-8 tail', () => {
    const r = report('exit');
    expect(runs.exit.exitCode).toBe(0);
    expect(r).toMatchObject({
      schemaVersion: 1, workload: { kind: 'Job', namespace: 'sandbox-jobs', name: 'result-exit', container: 'runner' },
      exitCode: 0, stoppedBy: null, interrupted: null, runscError: null, seccomp: 'device-nodes',
      deadline: { seconds: 60, source: 'Job activeDeadlineSeconds' }, softTimeout: { seconds: 30, killAfterSeconds: 5, signal: 'TERM' },
      stdoutBytes: 23, stdoutTail: 'hello from the sandbox\n', stderrBytes: Buffer.byteLength(EXIT_STDERR),
    });
    expect(r.containerId).toMatch(/^cdk8s-sandbox-[0-9a-f]{12}$/);
    expect(Buffer.byteLength(r.stderrTail)).toBeLessThanOrEqual(4096);
    expect(Buffer.byteLength(r.stderrTail)).toBeGreaterThan(4092);
    expect(EXIT_STDERR.endsWith(r.stderrTail)).toBe(true);
    expect(r.durationMs).toBeGreaterThan(0);
    expect(r.memory.limitBytes).toBe(512 * 2 ** 20);
    if (oomCounted) expect(r.memory.oomKills).toBe(0);
    expect(r.notes.some((n) => n.startsWith('seccompProfile RuntimeDefault is not applied'))).toBe(true);
    // The streamed logs stay usable: the workload's stdout and stderr, and the notes, went to the command's stderr.
    expect(runs.exit.stderr).toContain('hello from the sandbox\n');
    expect(runs.exit.stderr).toContain('ünïcödé warning ✓\n');
    expect(runs.exit.stderr).toMatch(/^cdk8s-sandbox run: note: image python:3\.12\.7-slim is not pulled/m);
  });

  testRunsc('a soft timeout: `timeout -k 1 2` ends the sleep with SIGTERM, exit 124', () => {
    const r = report('softTimeout');
    expect(runs.softTimeout.exitCode).toBe(124);
    expect(r).toMatchObject({ exitCode: 124, stoppedBy: 'soft-timeout', softTimeout: { seconds: 2, killAfterSeconds: 1, signal: 'TERM' }, stdoutTail: 'sleeping\n' });
    expect(r.durationMs).toBeGreaterThanOrEqual(2000);
    expect(r.durationMs).toBeLessThan(30_000);
    expect(runs.softTimeout.stderr).toContain('cdk8s-sandbox run: stopped by the command\'s own timeout after 2 s (exit 124), before the runner\'s deadline');
  });

  testRunsc('a soft timeout whose command ignores SIGTERM: SIGKILL after the 1 s grace, exit 137, still the soft timeout', () => {
    const r = report('softTimeoutKill');
    expect(runs.softTimeoutKill.exitCode).toBe(137);
    expect(r).toMatchObject({ exitCode: 137, stoppedBy: 'soft-timeout', stdoutTail: 'ignoring SIGTERM\n' });
    expect(r.durationMs).toBeGreaterThanOrEqual(3000);
    if (oomCounted) expect(r.memory.oomKills).toBe(0);
  });

  testRunsc('the deadline: activeDeadlineSeconds 3 kills the sandbox before the 30 s timeout; the command exits 124', () => {
    const r = report('deadline');
    expect(runs.deadline.exitCode).toBe(124);
    expect(r).toMatchObject({ exitCode: 137, stoppedBy: 'deadline', deadline: { seconds: 3, source: 'Job activeDeadlineSeconds' }, stdoutTail: 'sleeping\n' });
    expect(r.durationMs).toBeGreaterThanOrEqual(3000);
    expect(r.durationMs).toBeLessThan(30_000);
    expect(runs.deadline.stderr).toContain('cdk8s-sandbox run: deadline exceeded: sandbox killed after 3 s (Job activeDeadlineSeconds)');
  });

  testRunsc('the memory limit: allocating 1 GiB under limits.memory 128Mi is killed by the OOM killer, exit 137', () => {
    const r = report('oom');
    expect(runs.oom.exitCode).toBe(137);
    expect(r.exitCode).toBe(137);
    expect(r.memory.limitBytes).toBe(128 * 2 ** 20);
    expect(r.stdoutTail).toContain('allocated 16 MiB\n');
    expect(r.stdoutTail).not.toContain('allocated 128 MiB');
    if (!oomCounted) {
      console.warn('runner-result: this host has no cgroup v1 memory hierarchy, so OOM kills are not counted and stoppedBy stays null');
      expect(r).toMatchObject({ stoppedBy: null, memory: { oomKills: null } });
      expect(r.notes).toContain(UNCOUNTED_OOM_NOTE);
      return;
    }
    expect(r.stoppedBy).toBe('oom');
    expect(r.memory.oomKills).toBeGreaterThanOrEqual(1);
    expect(r.memory.peakBytes).toBeLessThanOrEqual(128 * 2 ** 20);
    expect(r.memory.peakBytes).toBeGreaterThan(100 * 2 ** 20);
    expect(runs.oom.stderr).toMatch(/cdk8s-sandbox run: killed by the kernel's OOM killer \(exit 137, \d+ OOM kills?\): the sandbox exceeded its memory limit of 128Mi/);
  });

  /** What seccomp.py printed: each attempt's outcome. */
  const attempts = (name: string) => JSON.parse(report(name).stdoutTail.trim());

  testRunsc('without the annotation the profile is not applied: unshare(CLONE_NEWUSER) succeeds under gVisor, only device nodes are refused', () => {
    const r = report('seccompOff');
    expect(r.seccomp).toBe('device-nodes');
    const seen = attempts('seccompOff');
    expect(seen).toMatchObject({ 'unshare(CLONE_NEWUSER)': 'ok', 'thread': 'ok', 'fork': 'ok', 'mknod char device': 'errno 1', 'mkfifo': 'ok' });
    // gVisor's own answers, not seccomp's EPERM: EINVAL for the persona, ENOSYS for clone3 (not implemented).
    expect(seen['personality(READ_IMPLIES_EXEC)']).not.toBe('errno 1');
    expect(seen.clone3).not.toBe('errno 1');
  });

  testRunsc('with the annotation, or --oci-seccomp, RuntimeDefault refuses them with EPERM inside the sandbox', () => {
    for (const name of ['seccompAnnotated', 'seccompFlag']) {
      const r = report(name);
      expect(runs[name].exitCode).toBe(0);
      expect(r.seccomp).toBe('runtime-default');
      expect(r.notes.some((n) => n.startsWith('seccompProfile RuntimeDefault is enforced inside the sandbox'))).toBe(true);
      expect(attempts(name)).toEqual({
        'unshare(CLONE_NEWUSER)': 'errno 1',
        'personality(READ_IMPLIES_EXEC)': 'errno 1',
        // containerd asks for ENOSYS; this runsc ignores errnoRet (google/gvisor#14688), so glibc cannot fall back to clone.
        'clone3': 'errno 1',
        'thread': 'can\'t start new thread',
        'fork': 'ok',
        'mknod char device': 'errno 1',
        'mkfifo': 'ok',
      });
    }
  });
});

test('the fixture\'s Jobs are shaped as the library synthesizes a code run', () => {
  const jobs = (yaml.loadAll(fs.readFileSync(JOBS, 'utf8')) as any[]).filter((d) => d.kind === 'Job');
  expect(jobs).toHaveLength(7);
  for (const job of jobs) {
    const pod = job.spec.template.spec;
    expect(pod).toMatchObject({ runtimeClassName: 'gvisor', automountServiceAccountToken: false, restartPolicy: 'Never', securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } });
    expect(pod.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true, runAsGroup: 65534, runAsNonRoot: true, runAsUser: 65534 });
    expect(pod.containers[0].command[0]).toBe('timeout');
  }
});
