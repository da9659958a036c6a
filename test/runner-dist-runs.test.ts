// Every code run of the example app (dist/) under real gVisor, as `cdk8s-sandbox run --output json` runs it: the
// plain one, the submission with a folder and the queued one each exit 0 with their greeting, with seccomp
// applied inside the sandbox (their pods ask for it), and write their result JSON into the termination message. Needs runsc and root: skips with the reason on a developer
// machine without them, and fails under CI=true.
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { runscTestsEnabled } from './fixtures/runner/code-runner';
import { runCli } from './helpers/run-cli';

const gate = runscTestsEnabled();
if (gate.reason) console.warn(`runner-dist-runs: ${gate.enabled ? 'CI=true, so running anyway (and failing):' : 'skipping the runsc runs:'} ${gate.reason}`);
const testRunsc = gate.enabled ? test : test['skip'];

const DIST = path.join(__dirname, '..', 'dist', 'sandbox-example.k8s.yaml');
const jobs = (yaml.loadAll(fs.readFileSync(DIST, 'utf8')) as any[]).filter((o) => o?.kind === 'Job');

const cli = runCli;

const GREETINGS: { [run: string]: RegExp } = {
  'user-code-run-12345': /^hello from the sandbox 3\.\d+\.\d+\nsum of squares below 1000: 332833500\n$/,
  'user-code-run-12346': /^hello from a submission with folders\n$/,
  'user-code-run-12347': /^a queued run on linux\n$/,
};

test('dist/ holds the three code runs', () => {
  expect(jobs.map((j) => j.metadata.name).sort()).toEqual(Object.keys(GREETINGS).sort());
});

describe.each(Object.keys(GREETINGS))('cdk8s-sandbox run --output json, Job/%s of dist/', (name) => {
  testRunsc('exits 0 with its output, stopped by nothing, seccomp enforced', async () => {
    const r = await cli(DIST, '--workload', `Job/${name}`, '--output', 'json');
    const report = JSON.parse(r.stdout);
    // eslint-disable-next-line no-console
    console.log(`run --output json of Job/${name}: ${r.stdout.trim()}`);
    expect(r.exitCode).toBe(0);
    expect(report.workload).toEqual({ kind: 'Job', namespace: 'sandbox-jobs', name, container: 'runner' });
    expect([report.exitCode, report.stoppedBy, report.seccomp]).toEqual([0, null, 'runtime-default']);
    expect(report.stdoutTail).toMatch(GREETINGS[name]);
    expect(report.stderrTail).toBe('');
    // The pod's own result contract: the wrapper's JSON in the termination message, as one GET of the pod shows it.
    expect(report.result).toMatchObject({ format: 'cdk8s-sandbox.io/run-result/v1', exitCode: 0, stderrTail: '', stderrTruncated: false });
    expect(report.result.stoppedBy).toBeUndefined();
    expect(JSON.parse(report.terminationMessage)).toEqual(report.result);
  }, 120_000);
});
