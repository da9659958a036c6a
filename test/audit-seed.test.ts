// The seed article's own YAML, audited: every finding it should raise, named object by object.
// The fixture is the article's YAML; test/fixtures/seed/README.md records where the article came from and
// which of its lines the fixture holds, and the first test checks the fixture against that record.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as jsYaml from 'js-yaml';
import { auditManifests } from '../src/audit';

const FIXTURE = path.join(__dirname, 'fixtures', 'audit', 'seed-article.yaml');
const RECORD = path.join(__dirname, 'fixtures', 'seed', 'README.md');

/** The security-context rules a pod without any securityContext breaks. */
const NO_SECURITY_CONTEXT = [
  'run-as-non-root', 'run-as-high-uid', 'run-as-high-gid', 'no-privilege-escalation', 'drop-all-capabilities',
  'seccomp-runtime-default', 'read-only-root-filesystem', 'no-service-account-token', 'no-service-links',
];

/** One row of the record's table: an article block and the fixture lines that hold it. */
interface RecordedBlock { section: string; first: number; last: number; firstLine: string; sha256: string }

function recordedBlocks(record: string): RecordedBlock[] {
  return [...record.matchAll(/^\| \d \| ([^|]+) \| \d+ \| (\d+)–(\d+) \| `([^`]+)` \| ([0-9a-f]{64}) \|$/gm)]
    .map((m) => ({ section: m[1], first: Number(m[2]), last: Number(m[3]), firstLine: m[4], sha256: m[5] }));
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

test('the fixture is the article\'s YAML as test/fixtures/seed/README.md records it: four blocks, in order, unchanged', () => {
  const record = fs.readFileSync(RECORD, 'utf8');
  const lines = fs.readFileSync(FIXTURE, 'utf8').split('\n');
  const blocks = recordedBlocks(record);
  expect(blocks.map((b) => [b.section, b.first, b.last, b.firstLine])).toEqual([
    ['Step 3: Deploy a Workload in the Sandbox', 3, 34, '# sandboxed-deployment.yaml - Deploy a workload inside gVisor sandbox'],
    ['Running a Code Execution Platform', 36, 80, '# code-runner.yaml - User code execution in gVisor sandbox'],
    ['Network Policies with Sandboxed Pods', 82, 104, '# network-policy-sandbox.yaml - Restrict sandbox pods to internal traffic only'],
    ['Mixing Sandboxed and Non-Sandboxed Workloads', 106, 130, '# Trusted workload - runs on standard nodes'],
  ]);
  // Lines are numbered from 1; the file ends in a newline, so its last element is ''.
  const text = (first: number, last: number) => lines.slice(first - 1, last).map((l) => `${l}\n`).join('');
  for (const b of blocks) {
    expect([lines[b.first - 1], sha256(text(b.first, b.last))]).toEqual([b.firstLine, b.sha256]);
  }
  // Between two blocks exactly one `---` line; nothing after the last.
  expect(blocks.slice(1).map((b, i) => [b.first - blocks[i].last, lines[b.first - 2]])).toEqual([[2, '---'], [2, '---'], [2, '---']]);
  expect(lines.length - 1).toBe(130);
  const whole = record.match(/^sha256 of the fixture after its two comment lines \(lines 3–130\): `([0-9a-f]{64})`$/m)![1];
  expect(sha256(text(3, 130))).toBe(whole);
  expect(jsYaml.loadAll(text(3, 130)).map((o: any) => `${o.kind}/${o.metadata.name}`))
    .toEqual(['Deployment/untrusted-workload', 'Job/user-code-run-12345', 'NetworkPolicy/sandbox-network-policy', 'Deployment/trusted-api', 'Deployment/untrusted-processor']);
});

test('the seed article\'s manifests: the findings expected, object by object', async () => {
  const result = await auditManifests([FIXTURE]);
  const byObject: Record<string, string[]> = {};
  for (const f of result.findings) (byObject[`${f.object.kind}/${f.object.name}`] ??= []).push(f.rule);
  const unique = (rules: string[]) => [...new Set(rules)];
  expect(Object.fromEntries(Object.entries(byObject).map(([k, v]) => [k, unique(v)]))).toEqual({
    // Step 3: runtimeClassName is the only hardening; `:latest`, no ephemeral-storage limit,
    // 3 replicas and no PodDisruptionBudget, and no NetworkPolicy in its namespace.
    'Deployment/untrusted-workload': [...NO_SECURITY_CONTEXT, 'ephemeral-storage-limit', 'image-pinned', 'network-isolation', 'availability'],
    // The code runner: a good container securityContext, but no pod runAsNonRoot, no GID or fsGroup,
    // no seccomp, service links on, retries allowed (backoffLimit unset), `:latest`, and its pods carry
    // no labels, so the article's NetworkPolicy does not select them.
    'Job/user-code-run-12345': ['run-as-non-root', 'run-as-high-gid', 'seccomp-runtime-default', 'no-service-links', 'ephemeral-storage-limit', 'job-limits', 'image-pinned', 'network-isolation'],
    // It selects `sandbox: "true"`, a label no pod in sandbox-jobs carries.
    'NetworkPolicy/sandbox-network-policy': ['network-policy-selects-pods'],
    // "Mixing" section: the trusted workload runs on runc, neither has resources or any hardening.
    'Deployment/trusted-api': ['runtime-class', ...NO_SECURITY_CONTEXT, 'resource-limits', 'ephemeral-storage-limit', 'image-pinned', 'network-isolation'],
    'Deployment/untrusted-processor': [...NO_SECURITY_CONTEXT, 'resource-limits', 'ephemeral-storage-limit', 'image-pinned', 'network-isolation'],
  });
  expect(result.exitCode).toBe(1);
  expect(result.problems).toEqual([]);
});

test('the seed article: no seccomp, :latest images and a policy that selects no pod, with their lines', async () => {
  const result = await auditManifests([FIXTURE]);
  const lines = fs.readFileSync(FIXTURE, 'utf8').split('\n');
  const at = (rule: string, name: string) => result.findings.filter((f) => f.rule === rule && f.object.name === name).map((f) => [f.path, lines[f.line - 1].trim()]);
  expect(at('seccomp-runtime-default', 'user-code-run-12345')).toEqual([['spec.template.spec.securityContext.seccompProfile.type', 'spec:']]);
  expect(at('image-pinned', 'untrusted-workload')).toEqual([['spec.template.spec.containers[0].image', 'image: my-sandboxed-app:latest']]);
  expect(at('image-pinned', 'user-code-run-12345')).toEqual([['spec.template.spec.containers[0].image', 'image: code-runner:latest']]);
  expect(at('network-policy-selects-pods', 'sandbox-network-policy')).toEqual([['spec.podSelector', 'podSelector:']]);
  expect(result.findings.find((f) => f.rule === 'network-policy-selects-pods')!.message)
    .toBe('podSelector {"matchLabels":{"sandbox":"true"}} selects no pod: none of the 1 pod template(s) in namespace "sandbox-jobs" carries matching labels (Job/user-code-run-12345: (no labels)), so the policy isolates nothing');
  expect(at('job-limits', 'user-code-run-12345')).toEqual([['spec.backoffLimit', 'spec:']]);
});
