// Device nodes: this runsc lets a user without CAP_MKNOD create character devices on an emptyDir
// (`mknod /tmp/x c 1 3` succeeded, and opening it read gVisor's null device). Every run now carries a
// seccomp filter, applied inside the sandbox with --oci-seccomp, that refuses character and block device
// nodes through mknod and mknodat; FIFOs stay allowed, and emptyDirs are mounted nosuid,nodev.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CODE_RUNNER_FIXTURE, CODE_RUNNER_WORKLOAD, codeRunnerWithCode, runscTestsEnabled } from './fixtures/runner/code-runner';
import { DEVICE_NODE_SECCOMP, buildRunPlan, parseManifests, runWorkload } from '../src/runner/internal';

const gate = runscTestsEnabled();
if (gate.reason) console.warn(`runner-devices: ${gate.enabled ? 'CI=true, so running anyway (and failing):' : 'skipping the runsc run:'} ${gate.reason}`);
const testRunsc = gate.enabled ? test : test['skip'];

describe('the plan', () => {
  const docs = parseManifests(fs.readFileSync(CODE_RUNNER_FIXTURE, 'utf8'), CODE_RUNNER_FIXTURE);
  const plan = buildRunPlan({ docs, bundleDir: '/tmp/b', containerId: 'id', cgroupControllers: ['memory', 'cpu', 'pids'], rootfs: { path: '/', hostRoot: true, entries: [] } });

  test('runsc applies the OCI seccomp filter, which refuses character and block device nodes', () => {
    expect(plan.runscFlags).toContain('--oci-seccomp');
    expect(plan.spec.linux.seccomp).toBe(DEVICE_NODE_SECCOMP);
    expect(DEVICE_NODE_SECCOMP.defaultAction).toBe('SCMP_ACT_ALLOW');
    expect(DEVICE_NODE_SECCOMP.syscalls.map((s) => [s.names[0], s.errnoRet, s.args![0].index, s.args![0].value.toString(8), s.args![0].valueTwo.toString(8), s.args![0].op])).toEqual([
      ['mknod', 1, 1, '170000', '20000', 'SCMP_CMP_MASKED_EQ'],
      ['mknodat', 1, 2, '170000', '20000', 'SCMP_CMP_MASKED_EQ'],
      ['mknod', 1, 1, '170000', '60000', 'SCMP_CMP_MASKED_EQ'],
      ['mknodat', 1, 2, '170000', '60000', 'SCMP_CMP_MASKED_EQ'],
    ]);
  });

  test('every emptyDir is mounted nosuid and nodev', () => {
    const tmpfs = plan.spec.mounts.filter((m) => m.type === 'tmpfs' && m.destination !== '/dev');
    expect(tmpfs.length).toBeGreaterThan(1);
    for (const m of tmpfs) expect(m.options).toEqual(expect.arrayContaining(['nosuid', 'nodev']));
  });
});

describe('under runsc', () => {
  testRunsc('mknod of character and block devices fails with EPERM (mknodat and raw mknod); a FIFO is still made', async () => {
    const code = [
      'import ctypes, os, stat',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'def attempt(what, fn):',
      '    try:',
      '        fn(); print(what, "OK")',
      '    except OSError as e:',
      '        print(what, "errno", e.errno)',
      'def raw_mknod(p, mode):',
      '    if libc.syscall(133, p.encode(), mode, os.makedev(1, 3)) != 0:',
      '        raise OSError(ctypes.get_errno(), "mknod")',
      'attempt("char /tmp", lambda: os.mknod("/tmp/c", stat.S_IFCHR | 0o600, os.makedev(1, 3)))',
      'attempt("block /tmp", lambda: os.mknod("/tmp/b", stat.S_IFBLK | 0o600, os.makedev(7, 0)))',
      'attempt("char /dev/shm", lambda: os.mknod("/dev/shm/c", stat.S_IFCHR | 0o600, os.makedev(1, 5)))',
      'attempt("raw mknod char", lambda: raw_mknod("/tmp/r", stat.S_IFCHR | 0o600))',
      'attempt("fifo", lambda: os.mkfifo("/tmp/f"))',
      'attempt("regular file by mknod", lambda: os.mknod("/tmp/plain", stat.S_IFREG | 0o600))',
    ].join('\n');
    const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-devices-'));
    try {
      const r = await runWorkload({ documents: codeRunnerWithCode(code), workload: CODE_RUNNER_WORKLOAD, tempDir, handleSignals: false });
      expect(r.exitCode).toBe(0);
      expect(r.stdout.trim().split('\n')).toEqual([
        'char /tmp errno 1', 'block /tmp errno 1', 'char /dev/shm errno 1', 'raw mknod char errno 1', 'fifo OK', 'regular file by mknod OK',
      ]);
    } finally {
      fs.rmSync(tempDir, { recursive: true, force: true });
    }
  }, 60_000);
});
