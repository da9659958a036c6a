// The seed article's own YAML, audited: every finding it should raise, named object by object.
import * as fs from 'fs';
import * as path from 'path';
import { auditManifests } from '../src/audit';

const FIXTURE = path.join(__dirname, 'fixtures', 'audit', 'seed-article.yaml');
const ARTICLE = path.resolve(__dirname, '..', '..', 'shared', 'seed', 'gke-sandbox-gvisor.md');

/** The security-context rules a pod without any securityContext breaks. */
const NO_SECURITY_CONTEXT = [
  'run-as-non-root', 'run-as-high-uid', 'run-as-high-gid', 'no-privilege-escalation', 'drop-all-capabilities',
  'seccomp-runtime-default', 'read-only-root-filesystem', 'no-service-account-token', 'no-service-links',
];

test('the fixture is the article\'s YAML, every block in order', () => {
  const blocks = [...fs.readFileSync(ARTICLE, 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  const fixture = fs.readFileSync(FIXTURE, 'utf8').split('\n').slice(2).join('\n');
  expect(fixture).toBe(blocks.join('---\n'));
  expect(blocks.length).toBe(4);
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
