// The app-wide network checks at synth (`app.synth()` into a temp dir): every sandboxed pod is selected by
// a policy isolating ingress and one isolating egress, no sandbox policy selects nothing, both errors name
// the construct path and rule id, and the `networkPolicyManagedElsewhere` opt-out is recorded and honoured.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import * as yaml from 'js-yaml';
import * as k8s from '../imports/k8s';
import { CodeRunnerJob, DnsMode, NetworkPeer, SandboxNamespace, SandboxNetworkPolicy, SandboxedDeployment } from '../src';
import { SandboxValidationError } from '../src/builders/errors';

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function newApp(): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'network-isolation-synth-'));
  outdirs.push(outdir);
  return new App({ outdir });
}

/** The validation errors of `app.synth()`, one per line, or [] when it synthesizes. */
function synthErrors(app: App): string[] {
  try {
    app.synth();
    return [];
  } catch (e) {
    const message = (e as Error).message;
    expect(message).toMatch(/^Validation failed with the following errors:\n/);
    return message.split('\n').slice(1).map((l) => l.trim());
  }
}

/** The objects `app.synth()` wrote to its outdir. */
function written(app: App): any[] {
  return fs.readdirSync(app.outdir).filter((f) => f.endsWith('.yaml')).sort()
    .flatMap((f) => yaml.loadAll(fs.readFileSync(path.join(app.outdir, f), 'utf8')) as any[]);
}

const api = (scope: any, id = 'api', extra: object = {}) => new SandboxedDeployment(scope, id, { image: 'app:1.0.0', ...extra });

/** A hand-written NetworkPolicy. */
function rawPolicy(scope: any, id: string, podSelector: object, policyTypes: string[], namespace?: string): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, id, { metadata: { name: id, ...(namespace ? { namespace } : {}) }, spec: { podSelector, policyTypes } });
}

const GUARD = '[cdk8s-sandbox-synth-guard]';
const ISOLATION_FIX = 'Or select the workload with a SandboxNetworkPolicy, place it in a SandboxNamespace, or set networkPolicyManagedElsewhere with the reason.';
const API_LABELS = 'app.kubernetes.io/managed-by=cdk8s-sandbox,app.kubernetes.io/name=api,cdk8s-sandbox.io/sandboxed=true,cdk8s-sandbox.io/workload=api';

describe('a sandboxed pod must be isolated', () => {
  test('a SandboxedDeployment without any policy fails synth, naming its construct path and the rule id', () => {
    const app = newApp();
    api(new Chart(app, 'c'));
    expect(synthErrors(app)).toEqual([
      `${GUARD} [c/api] [network-isolation] pods with labels ${API_LABELS} in namespace "default" are selected by no NetworkPolicy with policyTypes Ingress and Egress; `
      + 'their ingress and egress traffic is unrestricted. Fix: Add a NetworkPolicy in namespace "default" whose podSelector matches these labels with policyTypes '
      + `[Ingress, Egress] and no rules (deny all), then allow only what the workload needs. ${ISOLATION_FIX}`,
    ]);
    expect(written(app)).toEqual([]);
  });

  test('the error names the chart namespace and the nested construct path', () => {
    const app = newApp();
    const chart = new Chart(app, 'tenant', { namespace: 'team' });
    api(new SandboxNamespace(chart, 'group', { name: 'unused' }), 'api', { namespace: 'team' });
    const errors = synthErrors(app);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^\[cdk8s-sandbox-synth-guard\] \[tenant\/group\/api\] \[network-isolation\] /);
    expect(errors[0]).toContain('in namespace "team" are selected by no NetworkPolicy');
  });

  test('every unisolated workload is reported, each by its own path', () => {
    const app = newApp();
    const chart = new Chart(app, 'c');
    api(chart, 'one');
    api(chart, 'two');
    api(chart, 'three', { networkPolicyManagedElsewhere: 'platform team' });
    expect(synthErrors(app).map((e) => e.split(' [network-isolation]')[0])).toEqual([`${GUARD} [c/one]`, `${GUARD} [c/two]`]);
  });

  test('a policy isolating only ingress is not enough: the error says Egress is missing', () => {
    const app = newApp();
    const chart = new Chart(app, 'c');
    api(chart);
    rawPolicy(chart, 'ingress-only', { matchLabels: { 'cdk8s-sandbox.io/workload': 'api' } }, ['Ingress']);
    const errors = synthErrors(app);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`[c/api] [network-isolation] pods with labels ${API_LABELS} in namespace "default" are selected by no NetworkPolicy with policyTypes Egress; their egress traffic is unrestricted.`);
  });

  test('one policy isolating ingress and another isolating egress together pass', () => {
    const app = newApp();
    const chart = new Chart(app, 'c');
    api(chart);
    rawPolicy(chart, 'ingress-only', { matchLabels: { 'cdk8s-sandbox.io/workload': 'api' } }, ['Ingress']);
    rawPolicy(chart, 'egress-only', { matchLabels: { 'cdk8s-sandbox.io/sandboxed': 'true' } }, ['Egress']);
    expect(synthErrors(app)).toEqual([]);
  });

  test('a matching policy in another namespace does not isolate', () => {
    const app = newApp();
    const chart = new Chart(app, 'c');
    api(chart, 'api', { namespace: 'team' });
    rawPolicy(chart, 'wrong-namespace', { matchLabels: { 'cdk8s-sandbox.io/workload': 'api' } }, ['Ingress', 'Egress'], 'other');
    const errors = synthErrors(app);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('[c/api] [network-isolation]');
    expect(errors[0]).toContain('in namespace "team"');
  });

  test('a SandboxNetworkPolicy selecting the workload isolates it', () => {
    const app = newApp();
    const chart = new Chart(app, 'c');
    const a = api(chart);
    new SandboxNetworkPolicy(chart, 'api-network', { selects: [a], dns: DnsMode.CLUSTER });
    expect(synthErrors(app)).toEqual([]);
    expect(written(app).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['ServiceAccount/api', 'Deployment/api', 'PodDisruptionBudget/api', 'NetworkPolicy/api-network']);
  });

  test('a policy in another chart of the same app, same namespace, isolates it (the check is app-wide)', () => {
    const app = newApp();
    const a = api(new Chart(app, 'workloads', { namespace: 'team' }));
    new SandboxNetworkPolicy(new Chart(app, 'policies', { namespace: 'team' }), 'api-network', { selects: [a] });
    expect(synthErrors(app)).toEqual([]);
  });

  test('being inside a SandboxNamespace isolates (its default deny-all)', () => {
    const app = newApp();
    const sb = new SandboxNamespace(new Chart(app, 'c'), 'sb');
    api(sb);
    new CodeRunnerJob(sb, 'run', { runId: 'run-1', code: 'print(1)' });
    expect(synthErrors(app)).toEqual([]);
  });

  test('selectsAllIn isolates every sandboxed workload of the namespace', () => {
    const app = newApp();
    const chart = new Chart(app, 'c');
    const sb = new SandboxNamespace(chart, 'sb');
    api(sb);
    sb.defaultDenyPolicy.addJsonPatch(JsonPatch.replace('/spec/podSelector', { matchLabels: { unrelated: 'x' } }));
    new SandboxNetworkPolicy(chart, 'all', { selectsAllIn: sb, dns: DnsMode.CLUSTER });
    expect(synthErrors(app)).toEqual([]);
  });

  test('a CodeRunnerJob passes on its own: the shared code-run deny-all policy selects its pod', () => {
    const app = newApp();
    const run = new CodeRunnerJob(new Chart(app, 'c'), 'run', { runId: 'run-1', code: 'print(1)' });
    expect(synthErrors(app)).toEqual([]);
    const objects = written(app);
    const policy = objects.find((o) => o.kind === 'NetworkPolicy');
    expect(policy.spec).toEqual({ podSelector: { matchLabels: { 'cdk8s-sandbox.io/code-run': 'true' } }, policyTypes: ['Ingress', 'Egress'] });
    expect(objects.find((o) => o.kind === 'Job').spec.template.metadata.labels).toMatchObject({ ...run.selectorLabels, 'cdk8s-sandbox.io/code-run': 'true' });
  });

  test('a hand-written Deployment outside the library is not judged by the synth-time check', () => {
    const app = newApp();
    new k8s.KubeDeployment(new Chart(app, 'c'), 'trusted', {
      metadata: { name: 'trusted' },
      spec: { selector: { matchLabels: { app: 'trusted' } }, template: { metadata: { labels: { app: 'trusted' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } } },
    });
    expect(synthErrors(app)).toEqual([]);
  });
});

describe('a sandbox policy must select a pod', () => {
  test('a SandboxNetworkPolicy whose selection a JsonPatch broke fails synth, naming its path and the rule id', () => {
    const app = newApp();
    const chart = new Chart(app, 'c');
    const a = api(chart);
    const policy = new SandboxNetworkPolicy(chart, 'pol', { selects: [a] });
    policy.policy.addJsonPatch(JsonPatch.replace('/spec/podSelector/matchLabels/cdk8s-sandbox.io~1workload', 'renamed'));
    const errors = synthErrors(app);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^\[cdk8s-sandbox-synth-guard\] \[c\/api\] \[network-isolation\] /);
    expect(errors[1]).toBe(
      `${GUARD} [c/pol] [network-policy-selects-pods] spec.podSelector: podSelector {"matchLabels":{"cdk8s-sandbox.io/workload":"renamed"}} selects no pod: `
      + `none of the 1 pod template(s) in namespace "default" carries matching labels (Deployment/api: ${API_LABELS}), so the policy isolates nothing. `
      + 'Fix: Make spec.podSelector match the labels of the pods it should isolate (the pod template labels, not the workload\'s own), or put the policy in the pods\' namespace.',
    );
  });

  test('a policy moved to another namespace by a JsonPatch selects nothing and fails', () => {
    const app = newApp();
    const chart = new Chart(app, 'c');
    const sb = new SandboxNamespace(chart, 'sb');
    const policy = new SandboxNetworkPolicy(sb, 'pol', { selects: [api(sb)] });
    policy.policy.addJsonPatch(JsonPatch.replace('/metadata/namespace', 'elsewhere'));
    expect(synthErrors(app)).toEqual([
      `${GUARD} [c/sb/pol] [network-policy-selects-pods] spec.podSelector: podSelector {"matchLabels":{"cdk8s-sandbox.io/workload":"api"}} selects no pod: the audited set has no pod in namespace "elsewhere", so the policy isolates nothing. `
      + 'Fix: Make spec.podSelector match the labels of the pods it should isolate (the pod template labels, not the workload\'s own), or put the policy in the pods\' namespace.',
    ]);
  });

  test('selectsAllIn over a namespace without sandboxed pods fails', () => {
    const app = newApp();
    const chart = new Chart(app, 'c');
    new SandboxNetworkPolicy(chart, 'all', { selectsAllIn: new SandboxNamespace(chart, 'empty') });
    const errors = synthErrors(app);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^\[cdk8s-sandbox-synth-guard\] \[c\/all\] \[network-policy-selects-pods\] spec.podSelector: podSelector \{"matchLabels":\{"cdk8s-sandbox.io\/sandboxed":"true"\}\} selects no pod: the audited set has no pod in namespace "empty"/);
  });

  test('a CodeRunnerJob whose own policy a JsonPatch broke fails twice, both naming the run', () => {
    const app = newApp();
    const run = new CodeRunnerJob(new Chart(app, 'c'), 'run', { runId: 'run-1', code: 'print(1)' });
    run.networkPolicy.addJsonPatch(JsonPatch.replace('/spec/podSelector', { matchLabels: { other: 'x' } }));
    expect(synthErrors(app).map((e) => e.split(' ').slice(0, 3).join(' '))).toEqual([
      `${GUARD} [c/run] [network-isolation]`,
      `${GUARD} [c/run] [network-policy-selects-pods]`,
    ]);
  });

  test('a JsonPatch that strips the pods\' workload label breaks both sides', () => {
    const app = newApp();
    const chart = new Chart(app, 'c');
    const a = api(chart);
    new SandboxNetworkPolicy(chart, 'pol', { selects: [a] });
    a.deployment.addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s-sandbox.io~1workload'));
    expect(synthErrors(app).map((e) => e.split(' ').slice(0, 3).join(' '))).toEqual([
      `${GUARD} [c/api] [network-isolation]`,
      `${GUARD} [c/pol] [network-policy-selects-pods]`,
    ]);
  });
});

describe('the networkPolicyManagedElsewhere opt-out', () => {
  test('passes synth and records the reason as a network-isolation suppression on the Deployment only', () => {
    const app = newApp();
    const a = api(new Chart(app, 'c'), 'api', { networkPolicyManagedElsewhere: '  policies come from the platform repo  ' });
    expect(synthErrors(app)).toEqual([]);
    const deployment = written(app).find((o) => o.kind === 'Deployment');
    expect(deployment.metadata.annotations).toEqual({ 'cdk8s-sandbox.io/suppress': 'network-isolation: policies come from the platform repo' });
    // The pods carry gVisor's annotations only: the suppression stays on the Deployment.
    expect(Object.keys(deployment.spec.template.metadata.annotations).filter((k) => !k.startsWith('dev.gvisor.'))).toEqual([]);
    expect(a.deployment.toJson().metadata.annotations).toEqual(deployment.metadata.annotations);
  });

  test('on a CodeRunnerJob the reason is recorded on the Job', () => {
    const app = newApp();
    new CodeRunnerJob(new Chart(app, 'c'), 'run', { runId: 'run-1', code: 'print(1)', networkPolicyManagedElsewhere: 'cluster-wide Cilium policy' });
    expect(synthErrors(app)).toEqual([]);
    expect(written(app).find((o) => o.kind === 'Job').metadata.annotations).toEqual({ 'cdk8s-sandbox.io/suppress': 'network-isolation: cluster-wide Cilium policy' });
  });

  test('a suppression line added by hand (as the audit command reads it) is honoured too', () => {
    const app = newApp();
    const a = api(new Chart(app, 'c'));
    a.deployment.metadata.addAnnotation('cdk8s-sandbox.io/suppress', 'availability: one replica is fine\nnetwork-isolation: managed by the mesh');
    expect(synthErrors(app)).toEqual([]);
  });

  test('a suppression of another rule does not opt out', () => {
    const app = newApp();
    const a = api(new Chart(app, 'c'));
    a.deployment.metadata.addAnnotation('cdk8s-sandbox.io/suppress', 'availability: network-isolation: not this rule');
    expect(synthErrors(app)).toHaveLength(1);
  });

  test.each<[string, unknown, string]>([
    ['empty', '', '""'],
    ['blank', '   ', '"   "'],
    ['multi-line', 'first line\nsecond line', '"first line\\nsecond line"'],
    ['with a carriage return', 'managed\relsewhere', '"managed\\relsewhere"'],
    ['not a string', true, 'true'],
  ])('an %s reason is refused at construction', (_name, reason, shown) => {
    const app = newApp();
    const chart = new Chart(app, 'c');
    let error: unknown;
    try {
      new SandboxedDeployment(chart, 'api', { image: 'app:1.0.0', networkPolicyManagedElsewhere: reason as string });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SandboxValidationError);
    expect((error as Error).message).toBe(`c/api: networkPolicyManagedElsewhere is ${shown}; give the reason on one line (who manages the NetworkPolicies that isolate these pods)`);
    expect(() => new CodeRunnerJob(chart, 'run', { runId: 'run-1', code: 'print(1)', networkPolicyManagedElsewhere: reason as string }))
      .toThrow(`c/run: networkPolicyManagedElsewhere is ${shown}; give the reason on one line`);
  });
});

describe('the example shape end to end', () => {
  test('namespace, allowances and a trusted client outside the sandbox synthesize', () => {
    const app = newApp();
    const chart = new Chart(app, 'c');
    const sb = new SandboxNamespace(chart, 'sandbox-jobs');
    const untrusted = api(sb, 'untrusted');
    new SandboxNetworkPolicy(sb, 'untrusted-network', {
      selects: [untrusted], dns: DnsMode.CLUSTER,
      ingress: [{ peers: [NetworkPeer.pods({ 'app.kubernetes.io/name': 'client' }, 'default')], ports: [{ port: 8080 }] }],
    });
    new CodeRunnerJob(sb, 'run', { runId: 'run-1', code: 'print(1)' });
    new ApiObject(chart, 'note', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'note', namespace: 'default' }, data: { a: 'b' } });
    expect(synthErrors(app)).toEqual([]);
    expect(written(app).filter((o) => o.kind === 'NetworkPolicy').map((o) => `${o.metadata.namespace}/${o.metadata.name}`))
      .toEqual(['sandbox-jobs/default-deny-all', 'sandbox-jobs/untrusted-network', 'sandbox-jobs/code-run-deny-all']);
  });
});

describe('a sandbox policy never opens egress to every destination', () => {
  test('an egress rule without peers patched into a SandboxNetworkPolicy fails synth, naming the policy', () => {
    const app = newApp();
    const chart = new Chart(app, 'c');
    const pol = new SandboxNetworkPolicy(chart, 'pol', { selects: [api(chart)] }).policy;
    pol.addJsonPatch(JsonPatch.add('/spec/egress', [{ ports: [{ port: 443, protocol: 'TCP' }] }]));
    expect(synthErrors(app)).toEqual([
      `${GUARD} [c/pol] [egress-peers] spec.egress[0]: egress rule 0 has no \`to\`: port(s) 443/TCP open to every destination, the internet and the metadata server included. `
      + 'Fix: Name the peers in `to` (podSelector/namespaceSelector, or an ipBlock with explicit excepts), e.g. DNS only to kube-dns in kube-system.',
    ]);
  });

  test('a code runner whose policy was patched to reach the metadata server fails synth', () => {
    const app = newApp();
    const run = new CodeRunnerJob(new Chart(app, 'c'), 'run', { runId: 'run-1', code: 'print(1)' });
    run.networkPolicy.addJsonPatch(JsonPatch.add('/spec/egress', [{ to: [{ ipBlock: { cidr: '169.254.169.254/32' } }], ports: [{ port: 80, protocol: 'TCP' }] }]));
    const errors = synthErrors(app);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^\[cdk8s-sandbox-synth-guard\] \[c\/run\] \[egress-peers\] spec\.egress\[0\]\.to\[0\]\.ipBlock: .*169\.254\.169\.254\/32 \(the metadata server\)/);
  });
});

describe('policies add up: a sandboxed workload is judged by every policy that selects it', () => {
  const API_PODS = `pods with labels ${API_LABELS} in namespace "default"`;

  test('two SandboxNetworkPolicies that each open half of 10.0.0.0/8 fail synth, naming the workload', () => {
    const app = newApp();
    const chart = new Chart(app, 'c');
    const a = api(chart);
    new SandboxNetworkPolicy(chart, 'low', { selects: [a], egress: [{ peers: [NetworkPeer.cidr('10.0.0.0/9')], ports: [{ port: 443 }] }] });
    new SandboxNetworkPolicy(chart, 'high', { selects: [a], egress: [{ peers: [NetworkPeer.cidr('10.128.0.0/9')], ports: [{ port: 443 }] }] });
    expect(synthErrors(app)).toEqual([
      `${GUARD} [c/api] [network-isolation] sandboxed ${API_PODS} can reach 10.0.0.0/8 (private network) whole, which their NetworkPolicies allow together though no single ipBlock does: `
      + '"10.0.0.0/9" (NetworkPolicy "low" egress rule 0), "10.128.0.0/9" (NetworkPolicy "high" egress rule 0). '
      + 'Fix: NetworkPolicies add up: narrow these ipBlocks, or except 10.0.0.0/8 in them, so that together they leave it out.',
    ]);
  });

  test('a hand-written policy that admits every source re-opens the sandbox\'s ingress and fails synth', () => {
    const app = newApp();
    const chart = new Chart(app, 'c');
    const a = api(chart);
    new SandboxNetworkPolicy(chart, 'api-network', { selects: [a] });
    new k8s.KubeNetworkPolicy(chart, 'open', { metadata: { name: 'open' }, spec: { podSelector: { matchLabels: { 'cdk8s-sandbox.io/workload': 'api' } }, policyTypes: ['Ingress'], ingress: [{}] } });
    expect(synthErrors(app)).toEqual([
      `${GUARD} [c/api] [network-isolation] sandboxed ${API_PODS} accept connections from every source: NetworkPolicy "open" ingress rule 0 has no \`from\`: every port open to every pod of the cluster and any address that reaches them. `
      + 'Fix: Name the clients: a podSelector with their labels (and a namespaceSelector on kubernetes.io/metadata.name for another namespace), or ipBlocks that except the private and link-local ranges, as NetworkPeer.pods, NetworkPeer.workload and NetworkPeer.cidr emit.',
    ]);
  });

  test('a hand-written policy with egress to every namespace fails synth, naming that policy', () => {
    const app = newApp();
    const chart = new Chart(app, 'c');
    new SandboxNetworkPolicy(chart, 'api-network', { selects: [api(chart)] });
    new k8s.KubeNetworkPolicy(chart, 'everywhere', { metadata: { name: 'everywhere' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }] }] } });
    expect(synthErrors(app)).toEqual([
      `${GUARD} [c/everywhere] [egress-peers] spec.egress[0].to[0]: egress rule 0 peer 0 {"namespaceSelector":{}} selects every pod of every namespace: every port open to every workload of the cluster, other tenants' sandboxes included. `
      + 'Fix: Select the pods by their labels (a podSelector with the workload label cdk8s-sandbox.io/workload), with a namespaceSelector on kubernetes.io/metadata.name for another namespace, as NetworkPeer.workload and NetworkPeer.pods emit.',
    ]);
  });

  test('a trusted workload outside the sandbox may serve every source; its pods are not judged for ingress', () => {
    const app = newApp();
    const chart = new Chart(app, 'c');
    new SandboxNetworkPolicy(chart, 'api-network', { selects: [api(chart)] });
    new k8s.KubeNetworkPolicy(chart, 'trusted', { metadata: { name: 'trusted' }, spec: { podSelector: { matchLabels: { app: 'trusted' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: k8s.IntOrString.fromNumber(8080) }] }] } });
    expect(synthErrors(app)).toEqual([]);
  });
});
