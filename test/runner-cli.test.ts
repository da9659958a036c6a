// `cdk8s-sandbox run` in-process: input errors, the printed spec, and (with runsc) a real run and a deadline.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { CODE_RUNNER_FIXTURE, CODE_RUNNER_MANIFEST, CODE_RUNNER_WORKLOAD, attackCode, codeRunnerWithCode, runscTestsEnabled } from './fixtures/runner/code-runner';
import { DEADLINE_EXIT_CODE, exitCodeOf, summaryOf } from '../src/cli/run-command';
import { RUNSC_INSTALL_HINT, RunResult, locateRunsc } from '../src/runner/internal';
import { runCli } from './helpers/run-cli';

const gate = runscTestsEnabled();
if (gate.reason) console.warn(`runner-cli: ${gate.enabled ? 'CI=true, so running anyway (and failing):' : 'skipping the real runs:'} ${gate.reason}`);
const testRunsc = gate.enabled ? test : test['skip'];

const cli = runCli;

let tmp = '';
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-cli-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Writes the code runner with main.py replaced by `code` to a file, as a user would pass it. */
function manifestWithCode(code: string): string {
  const file = path.join(tmp, `code-${Math.random().toString(36).slice(2)}.yaml`);
  fs.writeFileSync(file, codeRunnerWithCode(code).map((d) => yaml.dump(d)).join('---\n'));
  return file;
}

describe('cdk8s-sandbox run: input errors (exit 2)', () => {
  test('a pod that would run as root: refused, and run as root only with --allow-root', async () => {
    const docs = yaml.loadAll(fs.readFileSync(CODE_RUNNER_FIXTURE, 'utf8')) as any[];
    for (const d of docs.filter((o) => o.kind === 'Job')) {
      for (const sc of [d.spec.template.spec.securityContext, d.spec.template.spec.containers[0].securityContext ?? {}]) { delete sc.runAsUser; delete sc.runAsNonRoot; }
    }
    const file = path.join(tmp, 'root.yaml');
    fs.writeFileSync(file, docs.map((d) => yaml.dump(d)).join('---\n'));
    const refused = await cli(file, '--print-spec');
    expect(refused.exitCode).toBe(2);
    expect(refused.error.message).toMatch(/would run as UID 0 \(root inside the sandbox\): runAsUser is not set .* or pass --allow-root to run it as root$/);
    const allowed = await cli(file, '--print-spec', '--allow-root');
    expect(allowed.error).toBeUndefined();
    expect(JSON.parse(allowed.stdout).process.user.uid).toBe(0);
    expect(allowed.stderr).toContain('allowed by --allow-root');
  });

  test('a workload that is not in the files', async () => {
    const r = await cli(CODE_RUNNER_FIXTURE, '--workload', 'nope');
    expect(r.exitCode).toBe(2);
    expect(r.error.message).toBe('workload "nope" is not in the files; workloads found: Job/sandbox-jobs/user-code-run-12345');
  });

  test('a file that does not exist', async () => {
    const r = await cli(path.join(tmp, 'missing.yaml'));
    expect(r.exitCode).toBe(2);
    expect(r.error.message).toBe(`cannot read ${path.join(tmp, 'missing.yaml')}: no such file`);
  });

  test('runsc missing: the error gives the install command', async () => {
    const r = await cli(CODE_RUNNER_FIXTURE, '--runsc', path.join(tmp, 'no-runsc'));
    expect(r.exitCode).toBe(2);
    expect(r.error.message).toBe(`runsc not found or not executable at ${path.join(tmp, 'no-runsc')}; ${RUNSC_INSTALL_HINT}`);
    expect(RUNSC_INSTALL_HINT).toContain('apt-get install -y runsc');
    expect(() => locateRunsc(undefined, tmp)).toThrow('runsc (gVisor) is not on PATH; install gVisor: `apt-get install -y runsc`');
  });

  test('a volume type that cannot be mapped', async () => {
    const file = path.join(tmp, 'hostpath.yaml');
    fs.writeFileSync(file, fs.readFileSync(CODE_RUNNER_FIXTURE, 'utf8').replace('{name: code, configMap: {name: user-code-12345, defaultMode: 292}}', '{name: code, hostPath: {path: /srv}}'));
    const r = await cli(file);
    expect(r.exitCode).toBe(2);
    expect(r.error.message).toMatch(/^volume code: type hostPath cannot be mapped to a local sandbox \(supported: configMap, secret/);
  });

  test('a timeout that is not a whole number of seconds', async () => {
    const r = await cli(CODE_RUNNER_FIXTURE, '--timeout', '0');
    expect(r.error.code).toBe('commander.invalidArgument');
    expect(r.stderr).toContain('--timeout must be a whole number of at least 1, got "0"');
  });
});

describe('cdk8s-sandbox run --print-spec', () => {
  test('prints the OCI spec and the notes without running anything', async () => {
    const r = await cli(CODE_RUNNER_FIXTURE, '--print-spec');
    expect(r.exitCode).toBe(0);
    const spec = JSON.parse(r.stdout);
    expect(spec.process.user).toEqual({ uid: 65534, gid: 65534 });
    expect(spec.process.noNewPrivileges).toBe(true);
    expect(spec.root.readonly).toBe(true);
    expect(spec.linux.resources.memory).toEqual({ limit: 536870912 });
    expect(r.stderr).toMatch(/^cdk8s-sandbox run: note: image python:3.12-slim is not pulled/m);
    expect(r.stderr).toMatch(/^cdk8s-sandbox run: note: ephemeral-storage limit 128Mi is NOT enforced as a total/m);
  });
});

describe('exit codes and the closing line', () => {
  const base: RunResult = { workload: 'Job/x', container: 'c', containerId: 'id', exitCode: 0, deadlineExceeded: false, stdout: '', stderr: '', stdoutBytes: 0, stderrBytes: 0, warnings: [], durationMs: 1 };
  test('the workload\'s code, 124 at the deadline, 130/143/129 when interrupted', () => {
    expect(exitCodeOf({ ...base, exitCode: 3 })).toBe(3);
    expect(exitCodeOf({ ...base, exitCode: 137, deadlineExceeded: true })).toBe(DEADLINE_EXIT_CODE);
    expect(exitCodeOf({ ...base, exitCode: 137, interrupted: 'SIGINT' })).toBe(130);
    expect(exitCodeOf({ ...base, exitCode: 137, interrupted: 'SIGTERM' })).toBe(143);
    expect(exitCodeOf({ ...base, exitCode: 137, interrupted: 'SIGHUP' })).toBe(129);
  });
  test('a SIGKILL with a memory limit is explained', () => {
    expect(summaryOf({ ...base, exitCode: 137, memoryLimitBytes: 512 * 2 ** 20 })).toBe('killed by SIGKILL (exit 137): the sandbox most likely exceeded its memory limit of 512Mi');
    expect(summaryOf(base)).toBeUndefined();
  });
});

describe('cdk8s-sandbox run under runsc', () => {
  testRunsc('prints the workload\'s output and exits with its code', async () => {
    const r = await cli(CODE_RUNNER_MANIFEST, '--workload', CODE_RUNNER_WORKLOAD);
    expect(r.error).toBeUndefined();
    expect(r.stdout).toMatch(/^hello from the sandbox 3\.\d+\.\d+$/m);
    expect(r.exitCode).toBe(0);
    const failing = await cli(manifestWithCode('import sys\nprint("bye", file=sys.stderr)\nsys.exit(3)\n'), '--workload', CODE_RUNNER_WORKLOAD);
    expect(failing.exitCode).toBe(3);
    expect(failing.stderr).toContain('bye\n');
  }, 60_000);

  testRunsc('--timeout kills the sandbox and reports the deadline (exit 124)', async () => {
    const r = await cli(manifestWithCode(attackCode('deadline')), '--workload', CODE_RUNNER_WORKLOAD, '--timeout', '3');
    expect(r.exitCode).toBe(DEADLINE_EXIT_CODE);
    expect(r.stderr).toContain('cdk8s-sandbox run: deadline exceeded: sandbox killed after 3 s (--timeout); in the cluster the Job fails with reason DeadlineExceeded');
  }, 60_000);
});
