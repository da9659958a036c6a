// `cdk8s-sandbox run` and the container's termination message: the writable file at terminationMessagePath (bound as
// the kubelet binds it), the File and FallbackToLogsOnError policies, and the code run's result wrapper, whose message
// the report parses and whose soft timeout it recognises. The real runs need runsc and root: they skip with the
// reason on a developer machine without them, and fail under CI=true.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { runscTestsEnabled } from './fixtures/runner/code-runner';
import { runCli } from './helpers/run-cli';
import { runnerErrorOf } from './helpers/errors';
import { RUN_RESULT_FORMAT, RUN_RESULT_WRAPPER_SCRIPT, runResultWrapperCommand } from '../src/builders/run-wrapper';
import { summaryOf } from '../src/cli/run-command';
import { KubeObject } from '../src/profile/kube';
import {
  RunReport, RunResult, TERMINATION_LOG_HOST_MAX_BYTES, buildRunPlan, logTailMessage, parseManifests, planWorkload, runReportOf, softTimeoutOf,
  stoppedByOf, terminationMessageOf,
} from '../src/runner/internal';

const gate = runscTestsEnabled();
if (gate.reason) console.warn(`runner-termination-message: ${gate.enabled ? 'CI=true, so running anyway (and failing):' : 'skipping the runsc runs:'} ${gate.reason}`);
const testRunsc = gate.enabled ? test : test['skip'];

const BUNDLE = '/tmp/b';
const FIXTURE = path.join(__dirname, 'fixtures', 'runner', 'result-jobs.yaml');
const fixture = parseManifests(fs.readFileSync(FIXTURE, 'utf8'), FIXTURE);

/** The code the Jobs below run. */
const CODE: { [file: string]: string } = {
  'ok.py': 'import sys\nprint("hello")\nsys.stderr.write("a warning\\n")\n',
  'fail.py': 'import sys\nprint("working on it")\nsys.stderr.write("Traceback (most recent call last):\\nValueError: bad input\\n")\nsys.exit(3)\n',
  'sleep.py': 'import time\nprint("sleeping", flush=True)\ntime.sleep(30)\n',
  'custom.py': 'open("/dev/termination-log", "w").write("all 3 tests passed")\n',
  'flood.py': 'f = open("/dev/termination-log", "w")\nwhile True:\n    f.write("x" * 65536)\n    f.flush()\n',
};

/** The fixture's result-exit Job (a code run as the library shapes it) renamed, with its container changed by `container`. */
function job(name: string, container: { [key: string]: any }): KubeObject {
  const copy = JSON.parse(JSON.stringify(fixture.find((d) => d.kind === 'Job' && d.metadata?.name === 'result-exit')));
  copy.metadata = { ...copy.metadata, name, labels: { ...copy.metadata.labels, 'app.kubernetes.io/name': name } };
  copy.spec.template.metadata.labels['cdk8s-sandbox.io/workload'] = name;
  copy.spec.template.spec.volumes[0].configMap.name = 'result-wrapper-code';
  Object.assign(copy.spec.template.spec.containers[0], container);
  return copy;
}

/** The result wrapper around `python3 /workspace/<file>`, as the code runner writes it. */
const wrapped = (file: string, timeoutSeconds = 30, killGraceSeconds = 5) =>
  runResultWrapperCommand(['python3', `/workspace/${file}`], { timeoutSeconds, killGraceSeconds, terminationMessagePath: '/dev/termination-log' });

const DOCS: KubeObject[] = [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'result-wrapper-code', namespace: 'sandbox-jobs' }, data: CODE } as KubeObject,
  job('wrapper-ok', { command: wrapped('ok.py'), terminationMessagePolicy: 'FallbackToLogsOnError' }),
  job('wrapper-fail', { command: wrapped('fail.py'), terminationMessagePolicy: 'FallbackToLogsOnError' }),
  job('wrapper-soft-timeout', { command: wrapped('sleep.py', 2, 1), terminationMessagePolicy: 'FallbackToLogsOnError' }),
  job('plain-fallback', { command: ['timeout', '-k', '5', '30', 'python3', '/workspace/fail.py'], terminationMessagePolicy: 'FallbackToLogsOnError' }),
  job('plain-file', { command: ['timeout', '-k', '5', '30', 'python3', '/workspace/fail.py'] }),
  job('custom-file', { command: ['python3', '/workspace/custom.py'] }),
  job('flood', { command: ['python3', '/workspace/flood.py'] }),
];

/** A plan of one of the Jobs above (no runsc needed). */
function planOf(name: string, container?: { [key: string]: any }) {
  const docs = container ? [DOCS[0], job(name, container)] : DOCS;
  return buildRunPlan({
    docs, workload: name, bundleDir: BUNDLE, containerId: 'id', cgroupControllers: ['memory', 'cpu', 'pids'], rootfs: { path: '/', hostRoot: true, entries: [] },
  });
}

describe('the termination message file in the plan', () => {
  test('is an empty host file, mode 0666 as the kubelet makes it, bound writable at /dev/termination-log', () => {
    const p = planOf('plain-file');
    expect(p.terminationMessage).toEqual({ path: '/dev/termination-log', policy: 'File', hostFile: `${BUNDLE}/termination-log` });
    expect(p.spec.mounts.filter((m) => m.destination === '/dev/termination-log')).toEqual([
      { destination: '/dev/termination-log', type: 'bind', source: `${BUNDLE}/termination-log`, options: ['rbind', 'rw'] },
    ]);
    // After /dev, which gVisor mounts first: the file lands in the sandbox's /dev.
    const destinations = p.spec.mounts.map((m) => m.destination);
    expect(destinations.indexOf('/dev/termination-log')).toBeGreaterThan(destinations.indexOf('/dev'));
    expect(p.files.find((f) => f.path === 'termination-log')).toEqual({ path: 'termination-log', content: Buffer.alloc(0), mode: 0o666 });
    // The code run's root is read-only: no overlay at all.
    expect(p.runscFlags).toEqual(['--network=none', '--oci-seccomp']);
  });

  test('takes the container\'s path and policy; a path in an emptyDir gets its mount point inside the tmpfs', () => {
    const p = planOf('custom', { command: ['true'], terminationMessagePath: '/tmp/result.json', terminationMessagePolicy: 'FallbackToLogsOnError' });
    expect(p.terminationMessage).toEqual({ path: '/tmp/result.json', policy: 'FallbackToLogsOnError', hostFile: `${BUNDLE}/termination-log` });
    expect(p.spec.mounts.find((m) => m.destination === '/tmp/result.json')?.options).toEqual(['rbind', 'rw']);
    expect(p.files.map((f) => f.path)).not.toContain('rootfs/tmp/result.json');
  });

  test('is refused where the cluster would fail it', () => {
    const refused = (container: { [key: string]: any }) => runnerErrorOf(() => planOf('custom', { command: ['true'], ...container })).message;
    expect(refused({ terminationMessagePolicy: 'Always' })).toBe('Job/custom, container runner: terminationMessagePolicy "Always" is not valid (allowed: File, FallbackToLogsOnError)');
    expect(refused({ terminationMessagePath: 'termination-log' })).toBe('Job/custom, container runner: terminationMessagePath "termination-log" must be the absolute path of a file');
    expect(refused({ terminationMessagePath: '/' })).toBe('Job/custom, container runner: terminationMessagePath "/" must be the absolute path of a file');
    expect(refused({ terminationMessagePath: '/workspace' })).toBe('Job/custom, container runner: terminationMessagePath /workspace is also a volumeMount\'s mountPath; move one of them');
    expect(refused({ terminationMessagePath: '/workspace/result' })).toBe(
      'Job/custom, container runner: terminationMessagePath /workspace/result is inside the read-only volume mounted at /workspace; its file cannot be mounted there, so choose a path outside it (the default is /dev/termination-log)');
  });

  test('the wrapper command reaches the sandbox as written: no $(VAR) in it is expanded', () => {
    const p = planOf('wrapper-ok');
    expect(p.spec.process.args).toEqual(wrapped('ok.py'));
    const withEnv = planOf('custom', { command: wrapped('ok.py'), env: [{ name: 'date', value: 'x' }, { name: 'c', value: 'y' }, { name: 'HOME', value: '/tmp' }] });
    expect(withEnv.spec.process.args[2]).toBe(RUN_RESULT_WRAPPER_SCRIPT);
  });
});

describe('the message the kubelet would report', () => {
  const log = `${Array.from({ length: 100 }, (_, i) => `line ${i + 1}`).join('\n')}\n`;

  test('File: the file, whatever the exit code; nothing when it is empty', () => {
    expect(terminationMessageOf({ policy: 'File', file: 'done', exitCode: 1, log })).toBe('done');
    expect(terminationMessageOf({ policy: 'File', file: '', exitCode: 1, log })).toBe('');
  });

  test('FallbackToLogsOnError: the log tail only when the file is empty and the container failed', () => {
    expect(terminationMessageOf({ policy: 'FallbackToLogsOnError', file: '', exitCode: 1, log })).toBe(logTailMessage(log));
    expect(terminationMessageOf({ policy: 'FallbackToLogsOnError', file: '', exitCode: 0, log })).toBe('');
    expect(terminationMessageOf({ policy: 'FallbackToLogsOnError', file: '{"a":1}', exitCode: 137, log })).toBe('{"a":1}');
  });

  test('the log tail: the last 80 lines, at most 2048 bytes, starting at a character', () => {
    expect(logTailMessage(log)).toBe(`${Array.from({ length: 80 }, (_, i) => `line ${i + 21}`).join('\n')}\n`);
    expect(logTailMessage('a\nb\nno newline')).toBe('a\nb\nno newline');
    expect(logTailMessage(`${'x'.repeat(80)}\n`.repeat(5))).toBe(`${'x'.repeat(80)}\n`.repeat(5));
    const long = `${'é'.repeat(1500)}\n`; // 3001 bytes on one line
    const tail = logTailMessage(long);
    expect(Buffer.byteLength(tail)).toBe(2047);
    expect(tail).toBe(`${'é'.repeat(1023)}\n`);
  });
});

describe('the result wrapper beside the runner\'s evidence', () => {
  const message = { format: RUN_RESULT_FORMAT, exitCode: 143, stoppedBy: 'soft-timeout' as const, durationSeconds: 2, stderrTail: '', stderrTruncated: false };
  const wrapper = softTimeoutOf(wrapped('sleep.py', 2, 1));

  test('its command is the soft timeout it runs the code under', () => {
    expect(wrapper).toEqual({ seconds: 2, killAfterSeconds: 1, signal: 'TERM' });
    expect(softTimeoutOf(wrapped('ok.py'))).toEqual({ seconds: 30, killAfterSeconds: 5, signal: 'TERM' });
  });

  test('its message names the soft timeout (busybox\'s 143 too) when the exit code matches and the command is a timeout wrapper', () => {
    expect(stoppedByOf({ exitCode: 143, deadlineExceeded: false, durationMs: 2500, softTimeout: wrapper, resultMessage: message })).toBe('soft-timeout');
    expect(stoppedByOf({ exitCode: 143, deadlineExceeded: false, durationMs: 2500, softTimeout: wrapper })).toBeUndefined();
    expect(stoppedByOf({ exitCode: 0, deadlineExceeded: false, durationMs: 2500, softTimeout: wrapper, resultMessage: message })).toBeUndefined();
    expect(stoppedByOf({ exitCode: 143, deadlineExceeded: false, durationMs: 2500, resultMessage: message })).toBeUndefined();
    expect(stoppedByOf({ exitCode: 124, deadlineExceeded: false, durationMs: 2500, softTimeout: wrapper })).toBe('soft-timeout');
  });

  test('the runner\'s own evidence wins: the deadline, and a termination message file grown too large', () => {
    expect(stoppedByOf({ exitCode: 143, deadlineExceeded: true, durationMs: 9000, softTimeout: wrapper, resultMessage: message })).toBe('deadline');
    expect(stoppedByOf({ exitCode: 137, deadlineExceeded: false, durationMs: 900, terminationMessageOverflow: true, resultMessage: message })).toBe('termination-message-size');
  });

  test('the report carries the message and its result; the closing line names an overgrown file', () => {
    const base: RunResult = {
      workload: 'Job/x', container: 'c', containerId: 'id', exitCode: 143, deadlineExceeded: false, stdout: '', stderr: '', stdoutBytes: 0, stderrBytes: 0, warnings: [], durationMs: 1,
    };
    const text = JSON.stringify(message);
    expect(runReportOf({ ...base, terminationMessage: text, resultMessage: message })).toMatchObject({ terminationMessage: text, result: message });
    expect(runReportOf({ ...base, terminationMessage: 'log tail' })).toMatchObject({ terminationMessage: 'log tail', result: null });
    expect(summaryOf({ ...base, exitCode: 137, stoppedBy: 'termination-message-size' })).toBe(
      `sandbox killed: the container wrote more than 1Mi to its terminationMessagePath, the one file it writes on this host (the kubelet keeps only the last 4 KiB)`);
    expect(TERMINATION_LOG_HOST_MAX_BYTES).toBe(2 ** 20);
  });
});

describe('under runsc', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-termination-message-'));
  const manifest = path.join(tmp, 'jobs.yaml');
  fs.writeFileSync(manifest, DOCS.map((d) => yaml.dump(d, { lineWidth: -1, noRefs: true })).join('---\n'));
  const runs: { [name: string]: { stdout: string; stderr: string; exitCode: number; error?: any; report: RunReport } } = {};

  afterAll(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
    for (const [name, run] of Object.entries(runs)) {
      if (run.report) console.log(`runner-termination-message (${name}): ${JSON.stringify({ exitCode: run.report.exitCode, stoppedBy: run.report.stoppedBy, durationMs: run.report.durationMs, terminationMessage: run.report.terminationMessage?.slice(0, 300), result: run.report.result })}`);
    }
  });

  beforeAll(async () => {
    if (!gate.enabled) return;
    for (const name of ['wrapper-ok', 'wrapper-fail', 'wrapper-soft-timeout', 'plain-fallback', 'plain-file', 'custom-file', 'flood']) {
      const r = await runCli(manifest, '-w', name, '--output', 'json');
      const lines = r.stdout.split('\n').filter(Boolean);
      runs[name] = { ...r, report: lines.length === 1 ? JSON.parse(lines[0]) : undefined as any };
    }
  }, 240_000);

  /** One run's JSON object, after checking the command wrote exactly one line to stdout and nothing failed. */
  function report(name: string): RunReport {
    const run = runs[name];
    expect(run.error).toBeUndefined();
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    return run.report;
  }

  test('the manifest written for the runs holds the wrapper command exactly', () => {
    expect(planWorkload({ manifests: [manifest], workload: 'wrapper-ok' }).spec.process.args).toEqual(wrapped('ok.py'));
  });

  testRunsc('a normal exit under the wrapper: the message is its JSON result; stdout stays in the log only', () => {
    const r = report('wrapper-ok');
    expect(runs['wrapper-ok'].exitCode).toBe(0);
    expect(r).toMatchObject({ exitCode: 0, stoppedBy: null, softTimeout: { seconds: 30, killAfterSeconds: 5, signal: 'TERM' }, stdoutTail: 'hello\n', stderrTail: 'a warning\n', runscError: null });
    expect(r.result).toEqual({ format: RUN_RESULT_FORMAT, exitCode: 0, durationSeconds: r.result!.durationSeconds, stderrTail: 'a warning\n', stderrTruncated: false });
    expect(r.result!.durationSeconds).toBeLessThanOrEqual(Math.ceil(r.durationMs / 1000));
    expect(JSON.parse(r.terminationMessage!)).toEqual(r.result);
    expect(r.terminationMessage).not.toContain('hello');
  });

  testRunsc('a failure under the wrapper: exit 3 and the tail of stderr alone, not the kubelet\'s log tail', () => {
    const r = report('wrapper-fail');
    expect(runs['wrapper-fail'].exitCode).toBe(3);
    expect(r).toMatchObject({ exitCode: 3, stoppedBy: null, stdoutTail: 'working on it\n' });
    expect(r.result).toMatchObject({ exitCode: 3, stderrTail: 'Traceback (most recent call last):\nValueError: bad input\n', stderrTruncated: false });
    expect(r.result!.stoppedBy).toBeUndefined();
    expect(r.terminationMessage).not.toContain('working on it');
  });

  testRunsc('the soft timeout under the wrapper: exit 124, stoppedBy soft-timeout in the report and in the message', () => {
    const r = report('wrapper-soft-timeout');
    expect(runs['wrapper-soft-timeout'].exitCode).toBe(124);
    expect(r).toMatchObject({ exitCode: 124, stoppedBy: 'soft-timeout', softTimeout: { seconds: 2, killAfterSeconds: 1, signal: 'TERM' }, stdoutTail: 'sleeping\n' });
    expect(r.result).toMatchObject({ exitCode: 124, stoppedBy: 'soft-timeout', stderrTail: '' });
    expect(r.result!.durationSeconds).toBeGreaterThanOrEqual(2);
    expect(r.durationMs).toBeGreaterThanOrEqual(2000);
    expect(r.durationMs).toBeLessThan(30_000);
    expect(runs['wrapper-soft-timeout'].stderr).toContain('cdk8s-sandbox run: stopped by the command\'s own timeout after 2 s (exit 124), before the runner\'s deadline');
  });

  testRunsc('FallbackToLogsOnError without the wrapper: the log tail, stdout and stderr together; File: nothing', () => {
    const fallback = report('plain-fallback');
    expect(fallback).toMatchObject({ exitCode: 3, result: null, terminationMessage: 'working on it\nTraceback (most recent call last):\nValueError: bad input\n' });
    expect(report('plain-file')).toMatchObject({ exitCode: 3, result: null, terminationMessage: '' });
  });

  testRunsc('the container writes the file itself (as UID 65534, under a read-only root): File gives its content', () => {
    expect(report('custom-file')).toMatchObject({ exitCode: 0, result: null, terminationMessage: 'all 3 tests passed' });
  });

  testRunsc('a container that floods the file is killed before it fills this host\'s disk', () => {
    const r = report('flood');
    expect(r).toMatchObject({ exitCode: 137, stoppedBy: 'termination-message-size', result: null });
    expect(r.terminationMessage).toBe('x'.repeat(4096));
    expect(r.durationMs).toBeLessThan(30_000);
    expect(runs.flood.stderr).toContain('cdk8s-sandbox run: sandbox killed: the container wrote more than 1Mi to its terminationMessagePath');
  });
});
