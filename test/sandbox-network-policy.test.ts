// SandboxNetworkPolicy and its builder: the selectors it emits are evaluated against the synthesized pod
// templates (right pods in, others out), each DnsMode's exact egress rules, the internet peer's excepts,
// policyTypes and `to` on every rule, snapshots, every construction error, and schema validity.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { CodeRunnerJob, DnsMode, FqdnProvider, ISandboxWorkload, NetworkPeer, NetworkRule, Protocol, SandboxNamespace, SandboxNetworkPolicy, SandboxNetworkPolicyProps, SandboxedDeployment } from '../src';
import { SandboxValidationError } from '../src/builders/errors';
import { GKE_CLOUD_DNS_IP, GKE_NODE_LOCAL_DNS_IP, dnsEgressRules, internetIpBlocks } from '../src/builders/network';
import { selectorMatches } from '../src/profile/cross-resource';
import { kubernetesProblems } from './helpers/schema';

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A fresh app (never synthesized into the repo's dist/) and a chart `c`. */
function newChart(namespace?: string): Chart {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-network-policy-'));
  outdirs.push(outdir);
  return new Chart(new App({ outdir }), 'c', namespace ? { namespace } : {});
}

/**
 * A SandboxedDeployment. `chart.toJson()` runs the app's synth-time isolation check, so workloads that a
 * test leaves unselected opt out of it (the opt-out only annotates the Deployment, never the pods).
 */
function deployment(scope: any, id: string, extra: { namespace?: string } = {}): SandboxedDeployment {
  return new SandboxedDeployment(scope, id, { image: 'app:1.0.0', networkPolicyManagedElsewhere: 'isolation is not under test here', ...extra });
}

/** A synthesized pod template as the API server sees it: its namespace and labels. */
interface Pod { readonly owner: string; readonly namespace: string; readonly labels: { [key: string]: string } }

/** Every pod template of the chart (Deployments and Jobs), in its effective namespace. */
function podsOf(chart: Chart): Pod[] {
  return chart.toJson()
    .filter((o: any) => o.kind === 'Deployment' || o.kind === 'Job')
    .map((o: any) => ({ owner: `${o.kind}/${o.metadata.name}`, namespace: o.metadata.namespace ?? 'default', labels: o.spec.template.metadata.labels }));
}

function policiesOf(chart: Chart): any[] {
  return chart.toJson().filter((o: any) => o.kind === 'NetworkPolicy');
}

/** Whether a NetworkPolicy applies to a pod: same namespace, podSelector matches the pod template's labels. */
function selects(policy: any, pod: Pod): boolean {
  return (policy.metadata.namespace ?? 'default') === pod.namespace && selectorMatches(policy.spec.podSelector, pod.labels);
}

/** Whether one `from`/`to` peer of a policy in `policyNamespace` matches a pod (namespaces carry their name label). */
function peerMatches(peer: any, policyNamespace: string, pod: Pod): boolean {
  if (peer.ipBlock) return false;
  const namespaceOk = peer.namespaceSelector
    ? selectorMatches(peer.namespaceSelector, { 'kubernetes.io/metadata.name': pod.namespace })
    : pod.namespace === policyNamespace;
  return namespaceOk && (peer.podSelector === undefined || selectorMatches(peer.podSelector, pod.labels));
}

const KUBE_DNS = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};
const DNS_PORTS = [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }];
const FORBIDDEN_V4 = ['169.254.0.0/16', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '168.63.129.16/32'];
const FORBIDDEN_V6 = ['fe80::/10', 'fc00::/7'];
const INTERNET = [{ ipBlock: { cidr: '0.0.0.0/0', except: FORBIDDEN_V4 } }, { ipBlock: { cidr: '::/0', except: FORBIDDEN_V6 } }];

describe('selection by reference', () => {
  test('a policy selecting workload A selects the pod template of A and not the one of B', () => {
    const chart = newChart();
    const a = deployment(chart, 'a');
    const b = deployment(chart, 'b');
    const policy = new SandboxNetworkPolicy(chart, 'pol', { selects: [a] }).policy.toJson();
    expect(policy.spec.podSelector).toEqual({ matchLabels: { 'cdk8s-sandbox.io/workload': 'a' } });
    expect(selectorMatches(policy.spec.podSelector, a.podLabels)).toBe(true);
    expect(selectorMatches(policy.spec.podSelector, b.podLabels)).toBe(false);
    expect(policy.spec.podSelector.matchLabels).toEqual(a.selectorLabels);
    const pods = podsOf(chart);
    expect(pods.filter((p) => selects(policy, p)).map((p) => p.owner)).toEqual(['Deployment/a']);
    expect(pods.filter((p) => !selects(policy, p)).map((p) => p.owner)).toEqual(['Deployment/b']);
  });

  test('the selector is derived from the labels the workload puts on its pods, not from extra labels', () => {
    const chart = newChart();
    const a = new SandboxedDeployment(chart, 'a', { image: 'app:1.0.0', labels: { team: 'x' } });
    const b = new SandboxedDeployment(chart, 'b', { image: 'app:1.0.0', labels: { team: 'x' }, networkPolicyManagedElsewhere: 'not under test' });
    const policy = new SandboxNetworkPolicy(chart, 'pol', { selects: [a] }).policy.toJson();
    expect(Object.entries(a.selectorLabels).every(([k, v]) => a.podLabels[k] === v)).toBe(true);
    expect(policy.spec.podSelector.matchLabels).not.toHaveProperty('team');
    expect(podsOf(chart).filter((p) => selects(policy, p)).map((p) => p.owner)).toEqual(['Deployment/a']);
    expect(b.podLabels.team).toBe('x');
  });

  test('several workloads are selected with one matchExpressions In over their workload labels, and nothing else', () => {
    const chart = newChart('team');
    const a = deployment(chart, 'a');
    const run = new CodeRunnerJob(chart, 'run', { runId: 'run-1', code: 'print(1)' });
    deployment(chart, 'c-other');
    const policy = new SandboxNetworkPolicy(chart, 'pol', { selects: [run, a, a] }).policy.toJson();
    expect(policy.spec.podSelector).toEqual({ matchExpressions: [{ key: 'cdk8s-sandbox.io/workload', operator: 'In', values: ['a', 'run-1'] }] });
    expect(policy.metadata.namespace).toBe('team');
    const pods = podsOf(chart);
    expect(pods.filter((p) => selects(policy, p)).map((p) => p.owner).sort()).toEqual(['Deployment/a', 'Job/run-1']);
    expect(pods.filter((p) => !selects(policy, p)).map((p) => p.owner)).toEqual(['Deployment/c-other']);
  });

  test('the policy lives in the namespace of the workloads it selects', () => {
    const chart = newChart();
    const ns = new SandboxNamespace(chart, 'sb');
    const a = deployment(ns, 'a');
    const twin = deployment(chart, 'a-twin', { namespace: 'other' });
    const policy = new SandboxNetworkPolicy(chart, 'pol', { selects: [a] }).policy.toJson();
    expect(policy.metadata.namespace).toBe('sb');
    const pods = podsOf(chart);
    expect(pods.filter((p) => selects(policy, p)).map((p) => `${p.namespace}/${p.owner}`)).toEqual(['sb/Deployment/a']);
    // Same labels in another namespace: not selected.
    const samePodElsewhere = { ...pods.find((p) => p.owner === 'Deployment/a')!, namespace: 'other' };
    expect(selects(policy, samePodElsewhere)).toBe(false);
    expect(twin.namespace).toBe('other');
  });

  test('selectsAllIn selects every sandboxed pod of the namespace and no pod of another namespace', () => {
    const chart = newChart();
    const sb = new SandboxNamespace(chart, 'sb');
    deployment(sb, 'api');
    new CodeRunnerJob(sb, 'run', { runId: 'run-1', code: 'print(1)' });
    deployment(chart, 'elsewhere', { namespace: 'other' });
    new CodeRunnerJob(chart, 'run-elsewhere', { runId: 'run-2', namespace: 'other', code: 'print(1)' });
    // A pod in the namespace that the library did not build (no sandbox marker).
    new ApiObject(chart, 'plain', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'plain', namespace: 'sb' },
      spec: { selector: { matchLabels: { app: 'plain' } }, template: { metadata: { labels: { app: 'plain' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } } },
    });
    const policy = new SandboxNetworkPolicy(chart, 'all', { selectsAllIn: sb }).policy.toJson();
    expect(policy.metadata.namespace).toBe('sb');
    expect(policy.spec.podSelector).toEqual({ matchLabels: { 'cdk8s-sandbox.io/sandboxed': 'true' } });
    const pods = podsOf(chart);
    expect(pods.filter((p) => selects(policy, p)).map((p) => `${p.namespace}/${p.owner}`).sort()).toEqual(['sb/Deployment/api', 'sb/Job/run-1']);
    expect(pods.filter((p) => !selects(policy, p)).map((p) => `${p.namespace}/${p.owner}`).sort())
      .toEqual(['other/Deployment/elsewhere', 'other/Job/run-2', 'sb/Deployment/plain']);
  });

  test('a chart namespace is carried by workloads and the policy alike', () => {
    const chart = newChart('team');
    const a = deployment(chart, 'a');
    const policy = new SandboxNetworkPolicy(chart, 'pol', { selects: [a] }).policy.toJson();
    expect(a.namespace).toBe('team');
    expect(policy.metadata.namespace).toBe('team');
    expect(podsOf(chart).filter((p) => selects(policy, p)).map((p) => `${p.namespace}/${p.owner}`)).toEqual(['team/Deployment/a']);
  });
});

describe('policy types and rule shape', () => {
  const configurations: [string, (chart: Chart, a: SandboxedDeployment) => Partial<SandboxNetworkPolicyProps>][] = [
    ['defaults (deny all)', () => ({})],
    ...Object.values(DnsMode).map((dns): [string, (chart: Chart, a: SandboxedDeployment) => Partial<SandboxNetworkPolicyProps>] => [`dns ${dns}`, () => ({ dns })]),
    ['internet egress with cluster DNS', () => ({ dns: DnsMode.CLUSTER, egress: [{ peers: [NetworkPeer.internet()], ports: [{ port: 443 }] }] })],
    ['ingress and egress to pods, namespaces and CIDRs', (chart) => ({
      dns: DnsMode.GKE_CLOUD_DNS,
      ingress: [{ peers: [NetworkPeer.workload(deployment(chart, 'client'))], ports: [{ port: 8080 }] }, { peers: [NetworkPeer.namespace('monitoring')] }],
      egress: [{ peers: [NetworkPeer.pods({ app: 'db' })] }, { peers: [NetworkPeer.cidr('203.0.113.0/24')], ports: [{ port: 5432 }] }],
    })],
  ];

  test.each(configurations)('%s: policyTypes [Ingress, Egress], every egress rule has a non-empty `to`, every ingress rule a `from`', (_name, props) => {
    const chart = newChart();
    const a = deployment(chart, 'a');
    const spec = new SandboxNetworkPolicy(chart, 'pol', { selects: [a], ...props(chart, a) }).policy.toJson().spec;
    expect(spec.policyTypes).toEqual(['Ingress', 'Egress']);
    for (const rule of spec.egress ?? []) {
      expect(Array.isArray(rule.to) && rule.to.length > 0).toBe(true);
      for (const peer of rule.to) expect(Object.keys(peer).length).toBeGreaterThan(0);
    }
    for (const rule of spec.ingress ?? []) expect(Array.isArray(rule.from) && rule.from.length > 0).toBe(true);
  });

  test('deny-all by default: no rules at all, DNS off', () => {
    const chart = newChart();
    const spec = new SandboxNetworkPolicy(chart, 'pol', { selects: [deployment(chart, 'a')] }).policy.toJson().spec;
    expect(spec).toEqual({ podSelector: { matchLabels: { 'cdk8s-sandbox.io/workload': 'a' } }, policyTypes: ['Ingress', 'Egress'] });
  });
});

describe('DNS modes', () => {
  const cases: [DnsMode, any[] | undefined][] = [
    [DnsMode.NONE, undefined],
    [DnsMode.CLUSTER, [{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
    }]],
    [DnsMode.GKE_NODE_LOCAL_DNS, [{
      to: [
        { ipBlock: { cidr: '169.254.20.10/32' } },
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } },
      ],
      ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
    }]],
    [DnsMode.GKE_CLOUD_DNS, [{
      to: [{ ipBlock: { cidr: '169.254.169.254/32' } }],
      ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
    }]],
  ];

  test.each(cases)('%s emits exactly these egress rules and nothing else', (dns, egress) => {
    const chart = newChart();
    const spec = new SandboxNetworkPolicy(chart, 'pol', { selects: [deployment(chart, 'a')], dns }).policy.toJson().spec;
    expect(spec.egress).toEqual(egress);
    expect(spec.ingress).toBeUndefined();
    expect(dnsEgressRules(dns)).toEqual(egress ?? []);
  });

  test('the GKE resolver addresses are the documented ones', () => {
    expect(GKE_NODE_LOCAL_DNS_IP).toBe('169.254.20.10');
    expect(GKE_CLOUD_DNS_IP).toBe('169.254.169.254');
  });

  test('GKE Cloud DNS opens the metadata server on port 53 only, UDP and TCP', () => {
    const chart = newChart();
    const spec = new SandboxNetworkPolicy(chart, 'pol', { selects: [deployment(chart, 'a')], dns: DnsMode.GKE_CLOUD_DNS }).policy.toJson().spec;
    const toMetadata = spec.egress.filter((r: any) => r.to.some((p: any) => p.ipBlock?.cidr === '169.254.169.254/32'));
    expect(toMetadata.flatMap((r: any) => r.ports)).toEqual(DNS_PORTS);
  });

  test('DNS rules come first, then the allowances, in the given order', () => {
    const chart = newChart();
    const spec = new SandboxNetworkPolicy(chart, 'pol', {
      selects: [deployment(chart, 'a')], dns: DnsMode.CLUSTER,
      egress: [{ peers: [NetworkPeer.internet()], ports: [{ port: 443 }] }, { peers: [NetworkPeer.pods({ app: 'db' })], ports: [{ port: 5432 }] }],
    }).policy.toJson().spec;
    expect(spec.egress).toEqual([
      { to: [KUBE_DNS], ports: DNS_PORTS },
      { to: INTERNET, ports: [{ port: 443, protocol: 'TCP' }] },
      { to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 5432, protocol: 'TCP' }] },
    ]);
  });

  test('dnsEgressRules returns a copy: changing it changes no later policy', () => {
    const rules = dnsEgressRules(DnsMode.CLUSTER);
    rules[0].ports.push({ port: 1, protocol: 'TCP' });
    rules[0].to[0].podSelector.matchLabels['k8s-app'] = 'anything';
    expect(dnsEgressRules(DnsMode.CLUSTER)).toEqual([{ to: [KUBE_DNS], ports: DNS_PORTS }]);
  });

  test('every mode but NONE documents its trade-off (DNS tunnelling, Service enumeration)', () => {
    const source = fs.readFileSync(path.join(__dirname, '..', 'src', 'builders', 'network.ts'), 'utf8');
    const docOf = (member: string) => {
      const m = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*${member} = `).exec(source);
      return m ? m[1].replace(/\s*\*\s*/g, ' ') : '';
    };
    expect(docOf('NONE')).toMatch(/No DNS at all/);
    expect(docOf('CLUSTER')).toMatch(/enumerate cluster Services/);
    expect(docOf('CLUSTER')).toMatch(/tunnel data through DNS/);
    expect(docOf('GKE_NODE_LOCAL_DNS')).toMatch(/Same trade-off as CLUSTER/);
    expect(docOf('GKE_CLOUD_DNS')).toMatch(/same trade-off as CLUSTER/);
    expect(source).toMatch(/Every mode but NONE lets code tunnel data out over DNS/);
  });
});

describe('egress allowances', () => {
  test('the internet is 0.0.0.0/0 and ::/0 without the metadata servers, link-local, private and shared ranges', () => {
    expect(internetIpBlocks()).toEqual([
      { ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.0.0/16', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '168.63.129.16/32'] } },
      { ipBlock: { cidr: '::/0', except: ['fe80::/10', 'fc00::/7'] } },
    ]);
    const chart = newChart();
    const spec = new SandboxNetworkPolicy(chart, 'pol', {
      selects: [deployment(chart, 'a')], egress: [{ peers: [NetworkPeer.internet()], ports: [{ port: 443 }, { port: 80 }] }],
    }).policy.toJson().spec;
    expect(spec.egress).toEqual([{
      to: [
        { ipBlock: { cidr: '0.0.0.0/0', except: FORBIDDEN_V4 } },
        { ipBlock: { cidr: '::/0', except: ['fe80::/10', 'fc00::/7'] } },
      ],
      ports: [{ port: 443, protocol: 'TCP' }, { port: 80, protocol: 'TCP' }],
    }]);
  });

  test('CIDRs with excepts, port ranges and every protocol are emitted as given', () => {
    const chart = newChart();
    const spec = new SandboxNetworkPolicy(chart, 'pol', {
      selects: [deployment(chart, 'a')],
      egress: [
        { peers: [NetworkPeer.cidr('203.0.113.0/24', ['203.0.113.128/25'])], ports: [{ port: 8000, endPort: 8100 }] },
        { peers: [NetworkPeer.cidr('0.0.0.0/0', FORBIDDEN_V4)], ports: [{ port: 53, protocol: Protocol.UDP }] },
        { peers: [NetworkPeer.cidr('10.1.0.0/16')], ports: [{ port: 5432 }] },
        { peers: [NetworkPeer.cidr('2001:db8::/32')], ports: [{ port: 9000, protocol: Protocol.SCTP }] },
      ],
    }).policy.toJson().spec;
    expect(spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] } }], ports: [{ port: 8000, endPort: 8100, protocol: 'TCP' }] },
      { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: FORBIDDEN_V4 } }], ports: [{ port: 53, protocol: 'UDP' }] },
      { to: [{ ipBlock: { cidr: '10.1.0.0/16' } }], ports: [{ port: 5432, protocol: 'TCP' }] },
      { to: [{ ipBlock: { cidr: '2001:db8::/32' } }], ports: [{ port: 9000, protocol: 'SCTP' }] },
    ]);
  });

  test('pods, workload and namespace peers may omit ports (every port, to those pods only)', () => {
    const chart = newChart();
    const db = deployment(chart, 'db');
    const spec = new SandboxNetworkPolicy(chart, 'pol', {
      selects: [deployment(chart, 'a')],
      egress: [{ peers: [NetworkPeer.workload(db), NetworkPeer.pods({ app: 'cache' }), NetworkPeer.namespace('shared')] }],
    }).policy.toJson().spec;
    expect(spec.egress).toEqual([{
      to: [
        { podSelector: { matchLabels: { 'cdk8s-sandbox.io/workload': 'db' } } },
        { podSelector: { matchLabels: { app: 'cache' } } },
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shared' } } },
      ],
    }]);
  });
});

describe('ingress allowances', () => {
  test('a workload in the same namespace is a bare podSelector that selects its pods and no other', () => {
    const chart = newChart();
    const sb = new SandboxNamespace(chart, 'sb');
    const api = deployment(sb, 'api');
    const client = deployment(sb, 'client');
    deployment(sb, 'stranger');
    const policy = new SandboxNetworkPolicy(sb, 'pol', { selects: [api], ingress: [{ peers: [NetworkPeer.workload(client)], ports: [{ port: 8080 }] }] }).policy.toJson();
    expect(policy.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { 'cdk8s-sandbox.io/workload': 'client' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }]);
    const [peer] = policy.spec.ingress[0].from;
    const pods = podsOf(chart);
    expect(pods.filter((p) => peerMatches(peer, 'sb', p)).map((p) => p.owner)).toEqual(['Deployment/client']);
  });

  test('a workload in another namespace carries a namespaceSelector on kubernetes.io/metadata.name', () => {
    const chart = newChart();
    const sb = new SandboxNamespace(chart, 'sb');
    const api = deployment(sb, 'api');
    const client = deployment(chart, 'client', { namespace: 'clients' });
    const sameLabelsInSb = deployment(sb, 'client');
    const policy = new SandboxNetworkPolicy(sb, 'pol', { selects: [api], ingress: [{ peers: [NetworkPeer.workload(client)], ports: [{ port: 8080 }] }] }).policy.toJson();
    const [peer] = policy.spec.ingress[0].from;
    expect(peer).toEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'clients' } },
      podSelector: { matchLabels: { 'cdk8s-sandbox.io/workload': 'client' } },
    });
    const matched = podsOf(chart).filter((p) => peerMatches(peer, 'sb', p)).map((p) => `${p.namespace}/${p.owner}`);
    expect(matched).toEqual(['clients/Deployment/client']);
    expect(sameLabelsInSb.namespace).toBe('sb');
  });

  test('pods by labels in a named namespace, a whole namespace and a CIDR, each on its ports', () => {
    const chart = newChart();
    const sb = new SandboxNamespace(chart, 'sb');
    const api = deployment(sb, 'api');
    const spec = new SandboxNetworkPolicy(sb, 'pol', {
      selects: [api],
      ingress: [
        { peers: [NetworkPeer.pods({ 'app.kubernetes.io/name': 'gateway' }, 'edge')], ports: [{ port: 8080 }] },
        { peers: [NetworkPeer.pods({ role: 'prober' }, 'sb')], ports: [{ port: 8081 }] },
        { peers: [NetworkPeer.namespace('monitoring')], ports: [{ port: 9090, endPort: 9091 }] },
        { peers: [NetworkPeer.cidr('198.51.100.0/24')], ports: [{ port: 8443 }] },
      ],
    }).policy.toJson().spec;
    expect(spec.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'edge' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'gateway' } } }], ports: [{ port: 8080, protocol: 'TCP' }] },
      { from: [{ podSelector: { matchLabels: { role: 'prober' } } }], ports: [{ port: 8081, protocol: 'TCP' }] },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ port: 9090, endPort: 9091, protocol: 'TCP' }] },
      { from: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ port: 8443, protocol: 'TCP' }] },
    ]);
    const gateway: Pod = { owner: 'gw', namespace: 'edge', labels: { 'app.kubernetes.io/name': 'gateway' } };
    expect(peerMatches(spec.ingress[0].from[0], 'sb', gateway)).toBe(true);
    expect(peerMatches(spec.ingress[0].from[0], 'sb', { ...gateway, namespace: 'sb' })).toBe(false);
    expect(peerMatches(spec.ingress[0].from[0], 'sb', { ...gateway, labels: { 'app.kubernetes.io/name': 'other' } })).toBe(false);
    expect(spec.egress).toBeUndefined();
  });
});

describe('snapshots', () => {
  test('defaults', () => {
    const chart = newChart();
    new SandboxNetworkPolicy(chart, 'api-network', { selects: [deployment(chart, 'api')] });
    expect(policiesOf(chart)).toMatchSnapshot();
  });

  test('every option', () => {
    const chart = newChart();
    const sb = new SandboxNamespace(chart, 'sandbox-jobs');
    const api = deployment(sb, 'api');
    const worker = deployment(sb, 'worker');
    const client = deployment(chart, 'client', { namespace: 'clients' });
    new SandboxNetworkPolicy(sb, 'policy', {
      name: 'api-and-worker',
      selects: [api, worker],
      dns: DnsMode.GKE_NODE_LOCAL_DNS,
      ingress: [
        { peers: [NetworkPeer.workload(client)], ports: [{ port: 8080 }] },
        { peers: [NetworkPeer.pods({ role: 'prober' }), NetworkPeer.namespace('monitoring')], ports: [{ port: 9090, endPort: 9091 }] },
        { peers: [NetworkPeer.cidr('198.51.100.0/24')], ports: [{ port: 8443 }] },
      ],
      egress: [
        { peers: [NetworkPeer.internet()], ports: [{ port: 443 }, { port: 443, protocol: Protocol.UDP }] },
        { peers: [NetworkPeer.cidr('203.0.113.0/24', ['203.0.113.0/28'])], ports: [{ port: 5432 }] },
        { peers: [NetworkPeer.workload(worker)] },
        { peers: [NetworkPeer.cidr('2001:db8::/32')], ports: [{ port: 9000, protocol: Protocol.SCTP }] },
      ],
    });
    new SandboxNetworkPolicy(chart, 'whole-namespace', { selectsAllIn: sb, dns: DnsMode.GKE_CLOUD_DNS });
    expect(policiesOf(chart)).toMatchSnapshot();
  });
});

describe('schema', () => {
  test('every emitted NetworkPolicy is valid and has no unknown field', () => {
    const chart = newChart();
    const sb = new SandboxNamespace(chart, 'sb');
    const api = deployment(sb, 'api');
    const client = deployment(chart, 'client', { namespace: 'clients' });
    for (const dns of Object.values(DnsMode)) new SandboxNetworkPolicy(sb, `pol-${dns}`, { selects: [api], dns });
    new SandboxNetworkPolicy(sb, 'full', {
      selects: [api],
      ingress: [{ peers: [NetworkPeer.workload(client), NetworkPeer.namespace('monitoring'), NetworkPeer.cidr('198.51.100.0/24')], ports: [{ port: 8080, endPort: 8090 }] }],
      egress: [{ peers: [NetworkPeer.internet()], ports: [{ port: 443 }] }, { peers: [NetworkPeer.cidr('2001:db8::/32', ['2001:db8::/48'])], ports: [{ port: 53, protocol: Protocol.UDP }] }],
    });
    new SandboxNetworkPolicy(chart, 'all', { selectsAllIn: sb });
    const policies = policiesOf(chart);
    expect(policies.map((p) => p.metadata.name)).toEqual(['default-deny-all', 'pol-none', 'pol-cluster', 'pol-gke-node-local-dns', 'pol-gke-cloud-dns', 'full', 'all']);
    expect(kubernetesProblems(policies)).toEqual([]);
  });
});

describe('errors', () => {
  /** A row: what is wrong, the props (built in a fresh chart with workload `api`), the exact message. */
  type Row = [string, (chart: Chart, api: SandboxedDeployment) => SandboxNetworkPolicyProps, string];
  const egress = (rule: NetworkRule): (chart: Chart, api: SandboxedDeployment) => SandboxNetworkPolicyProps => (_c, api) => ({ selects: [api], egress: [rule] });
  const ingress = (rule: NetworkRule): (chart: Chart, api: SandboxedDeployment) => SandboxNetworkPolicyProps => (_c, api) => ({ selects: [api], ingress: [rule] });
  const CIDR_REFUSED = 'sandboxes never reach the metadata server or private ranges: add them to except or use NetworkPeer.internet()';
  const DNS_LABEL = 'must be a DNS label: at most 63 lowercase letters, digits and \'-\', starting and ending with a letter or digit';
  const rows: Row[] = [
    ['no selection', () => ({}),
      'c/pol: selects is unset; give exactly one of selects (workloads) and selectsAllIn (a SandboxNamespace)'],
    ['both selects and selectsAllIn', (chart, api) => ({ selects: [api], selectsAllIn: new SandboxNamespace(chart, 'sb') }),
      'c/pol: selects is both selects and selectsAllIn; give exactly one of selects (workloads) and selectsAllIn (a SandboxNamespace)'],
    ['an empty selects', () => ({ selects: [] }),
      'c/pol: selects is []; select at least one workload (or a whole SandboxNamespace with selectsAllIn)'],
    ['workloads in different namespaces', (chart, api) => ({ selects: [api, deployment(chart, 'other', { namespace: 'team' })] }),
      'c/pol: selects is ["(chart namespace)/api","team/other"]; a NetworkPolicy selects pods of one namespace only; make one policy per namespace'],
    ['workloads without the workload label', () => ({ selects: [{ name: 'x', selectorLabels: { app: 'x' } }, { name: 'y', selectorLabels: { app: 'y' } }] as ISandboxWorkload[] }),
      'c/pol: selects is ["x","y"]; every selected workload must carry the cdk8s-sandbox.io/workload label'],
    ['a bad policy name', (_c, api) => ({ name: 'Bad_Name', selects: [api] }),
      `c/pol: name is "Bad_Name"; ${DNS_LABEL}`],
    ['a policy name over 63 characters', (_c, api) => ({ name: 'p'.repeat(64), selects: [api] }),
      `c/pol: name is "${'p'.repeat(64)}"; ${DNS_LABEL}`],
    ['an unknown DNS mode', (_c, api) => ({ selects: [api], dns: 'everything' as DnsMode }),
      'c/pol: dns is "everything"; allowed: none, cluster, gke-node-local-dns, gke-cloud-dns'],
    ['an egress rule with no peers', egress({ peers: [], ports: [{ port: 443 }] }),
      'c/pol: egress[0].peers is []; every egress rule names at least one peer; a rule without peers would allow traffic to everywhere'],
    ['an egress rule with peers unset', egress({ ports: [{ port: 443 }] } as any),
      'c/pol: egress[0].peers is unset; every egress rule names at least one peer; a rule without peers would allow traffic to everywhere'],
    ['an ingress rule with no peers', ingress({ peers: [], ports: [{ port: 8080 }] }),
      'c/pol: ingress[0].peers is []; every ingress rule names at least one peer; a rule without peers would allow traffic from everywhere'],
    ['a peer that is not a NetworkPeer', egress({ peers: [{ ipBlock: { cidr: '0.0.0.0/0' } } as any], ports: [{ port: 443 }] }),
      'c/pol: egress[0].peers[0].peer is {"ipBlock":{"cidr":"0.0.0.0/0"}}; must be a NetworkPeer (NetworkPeer.workload, pods, namespace, cidr, internet or fqdn)'],
    ['a pods peer without labels', ingress({ peers: [NetworkPeer.pods({})] }),
      'c/pol: ingress[0].peers[0].peer is "pods {}"; a pods peer needs at least one label; an empty selector would match every pod'],
    ['a workload peer without a namespace for a namespaced policy', (chart) => {
      const api = deployment(new SandboxNamespace(chart, 'sb'), 'api');
      return { selects: [api], ingress: [{ peers: [NetworkPeer.workload(deployment(chart, 'client'))] }] };
    }, 'c/pol: ingress[0].peers[0].peer is "workload \\"client\\""; the workload has no namespace (none from its props, a SandboxNamespace or its chart), so the policy in namespace "sb" would select pods with its labels in "sb" instead; give the workload or its chart a namespace'],
    ['a bad peer namespace', ingress({ peers: [NetworkPeer.namespace('Kube_System')] }),
      `c/pol: ingress[0].peers[0].peer.namespace is "Kube_System"; ${DNS_LABEL}`],
    ['a bad pods peer namespace', ingress({ peers: [NetworkPeer.pods({ app: 'x' }, 'bad ns')] }),
      `c/pol: ingress[0].peers[0].peer.namespace is "bad ns"; ${DNS_LABEL}`],
    ['a CIDR that is the metadata server', egress({ peers: [NetworkPeer.cidr('169.254.169.254/32')], ports: [{ port: 80 }] }),
      `c/pol: egress[0].peers[0].peer.cidr is "169.254.169.254/32"; it contains 169.254.169.254/32 (the metadata server); ${CIDR_REFUSED}`],
    ['a CIDR around the metadata server', egress({ peers: [NetworkPeer.cidr('169.254.128.0/17')], ports: [{ port: 80 }] }),
      `c/pol: egress[0].peers[0].peer.cidr is "169.254.128.0/17"; it contains 169.254.169.254/32 (the metadata server), 169.254.169.252/32 (the GKE metadata server of Workload Identity), 169.254.170.23/32 (the EKS Pod Identity agent); ${CIDR_REFUSED}`],
    ['a CIDR that is the IPv6 metadata server', egress({ peers: [NetworkPeer.cidr('fd20:ce::254/128')], ports: [{ port: 80 }] }),
      `c/pol: egress[0].peers[0].peer.cidr is "fd20:ce::254/128"; it contains fd20:ce::254/128 (the metadata server); ${CIDR_REFUSED}`],
    ['0.0.0.0/0 without except', egress({ peers: [NetworkPeer.cidr('0.0.0.0/0')], ports: [{ port: 443 }] }),
      `c/pol: egress[0].peers[0].peer.cidr is "0.0.0.0/0"; it contains 168.63.129.16/32 (the Azure WireServer), 169.254.0.0/16 (link-local, the metadata server 169.254.169.254), 10.0.0.0/8 (private network), 172.16.0.0/12 (private network), 192.168.0.0/16 (private network), 100.64.0.0/10 (shared address space: pod ranges on EKS and GKE, the Alibaba Cloud metadata server 100.100.100.200); ${CIDR_REFUSED}`],
    ['0.0.0.0/0 missing one except', egress({ peers: [NetworkPeer.cidr('0.0.0.0/0', ['169.254.0.0/16', '10.0.0.0/8', '172.16.0.0/12', '100.64.0.0/10', '168.63.129.16/32'])], ports: [{ port: 443 }] }),
      `c/pol: egress[0].peers[0].peer.cidr is "0.0.0.0/0"; it contains 192.168.0.0/16 (private network); ${CIDR_REFUSED}`],
    ['0.0.0.0/0 excepting private ranges but only part of link-local', egress({ peers: [NetworkPeer.cidr('0.0.0.0/0', ['169.254.0.0/17', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '168.63.129.16/32'])], ports: [{ port: 443 }] }),
      `c/pol: egress[0].peers[0].peer.cidr is "0.0.0.0/0"; it contains 169.254.0.0/16 (link-local, the metadata server 169.254.169.254); ${CIDR_REFUSED}`],
    ['a private range', egress({ peers: [NetworkPeer.cidr('172.16.0.0/12')], ports: [{ port: 443 }] }),
      `c/pol: egress[0].peers[0].peer.cidr is "172.16.0.0/12"; it contains 172.16.0.0/12 (private network); ${CIDR_REFUSED}`],
    ['::/0 without except', egress({ peers: [NetworkPeer.cidr('::/0')], ports: [{ port: 443 }] }),
      `c/pol: egress[0].peers[0].peer.cidr is "::/0"; it contains fe80::/10 (IPv6 link-local), fc00::/7 (IPv6 unique local, the metadata servers fd20:ce::254 (GCE) and fd00:ec2::254 (AWS)); ${CIDR_REFUSED}`],
    ['IPv4-mapped ::ffff:0.0.0.0/96 (Kubernetes reads 0.0.0.0/0)', egress({ peers: [NetworkPeer.cidr('::ffff:0.0.0.0/96')], ports: [{ port: 443 }] }),
      `c/pol: egress[0].peers[0].peer.cidr is "::ffff:0.0.0.0/96"; it contains 168.63.129.16/32 (the Azure WireServer), 169.254.0.0/16 (link-local, the metadata server 169.254.169.254), 10.0.0.0/8 (private network), 172.16.0.0/12 (private network), 192.168.0.0/16 (private network), 100.64.0.0/10 (shared address space: pod ranges on EKS and GKE, the Alibaba Cloud metadata server 100.100.100.200) (Kubernetes reads this IPv4-mapped IPv6 as 0.0.0.0/0); ${CIDR_REFUSED}`],
    ['IPv4-mapped metadata server', egress({ peers: [NetworkPeer.cidr('::ffff:169.254.169.254/128')], ports: [{ port: 80 }] }),
      `c/pol: egress[0].peers[0].peer.cidr is "::ffff:169.254.169.254/128"; it contains 169.254.169.254/32 (the metadata server) (Kubernetes reads this IPv4-mapped IPv6 as 169.254.169.254/32); ${CIDR_REFUSED}`],
    ['0.0.0.0/0 with the private ranges excepted, but not the metadata server as IPv4-mapped', egress({ peers: [NetworkPeer.cidr('0.0.0.0/0', ['::ffff:10.0.0.0/104', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '168.63.129.16/32'])], ports: [{ port: 443 }] }),
      `c/pol: egress[0].peers[0].peer.cidr is "0.0.0.0/0"; it contains 169.254.0.0/16 (link-local, the metadata server 169.254.169.254); ${CIDR_REFUSED}`],
    ['the AWS IPv6 metadata server', egress({ peers: [NetworkPeer.cidr('fd00:ec2::254/128')], ports: [{ port: 80 }] }),
      `c/pol: egress[0].peers[0].peer.cidr is "fd00:ec2::254/128"; it contains fd00:ec2::254/128 (the AWS metadata server over IPv6); ${CIDR_REFUSED}`],
    ['the Alibaba Cloud metadata server', egress({ peers: [NetworkPeer.cidr('100.100.100.0/24')], ports: [{ port: 80 }] }),
      `c/pol: egress[0].peers[0].peer.cidr is "100.100.100.0/24"; it contains 100.100.100.200/32 (the Alibaba Cloud metadata server); ${CIDR_REFUSED}`],
    ['RFC 1918 excepted, but not the shared range and the Azure WireServer', egress({ peers: [NetworkPeer.cidr('0.0.0.0/0', ['169.254.0.0/16', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'])], ports: [{ port: 443 }] }),
      `c/pol: egress[0].peers[0].peer.cidr is "0.0.0.0/0"; it contains 168.63.129.16/32 (the Azure WireServer), 100.64.0.0/10 (shared address space: pod ranges on EKS and GKE, the Alibaba Cloud metadata server 100.100.100.200); ${CIDR_REFUSED}`],
    ['two CIDRs of one rule that together are 10.0.0.0/8', egress({ peers: [NetworkPeer.cidr('10.0.0.0/9'), NetworkPeer.cidr('10.128.0.0/9')], ports: [{ port: 443 }] }),
      'c/pol: egress is ["10.0.0.0/9","10.128.0.0/9"]; together these CIDRs cover 10.0.0.0/8 (private network) whole, though none does alone; sandboxes never reach the metadata server or private ranges: narrow them or add 10.0.0.0/8 to their except'],
    ['CIDRs of two rules that together are 192.168.0.0/16, written IPv4-mapped', (_c, api) => ({ selects: [api], egress: [
      { peers: [NetworkPeer.cidr('192.168.0.0/17')], ports: [{ port: 443 }] }, { peers: [NetworkPeer.cidr('::ffff:192.168.128.0/113')], ports: [{ port: 80 }] }] }),
    'c/pol: egress is ["192.168.0.0/17","192.168.128.0/17"]; together these CIDRs cover 192.168.0.0/16 (private network) whole, though none does alone; sandboxes never reach the metadata server or private ranges: narrow them or add 192.168.0.0/16 to their except'],
    ['ingress CIDRs that together are 172.16.0.0/12', ingress({ peers: [NetworkPeer.cidr('172.16.0.0/13'), NetworkPeer.cidr('172.24.0.0/13')], ports: [{ port: 8080 }] }),
      'c/pol: ingress is ["172.16.0.0/13","172.24.0.0/13"]; together these CIDRs cover 172.16.0.0/12 (private network) whole, though none does alone; sandboxes never reach the metadata server or private ranges: narrow them or add 172.16.0.0/12 to their except'],
    ['egress to all of kube-system on every port', egress({ peers: [NetworkPeer.namespace('kube-system')] }),
      'c/pol: egress[0].peers[0].peer.namespace is "kube-system"; every pod of kube-system on every port would be open to the sandbox; only DNS (port 53 alone) may go to all of kube-system: use DnsMode.CLUSTER, or NetworkPeer.pods with the labels of the one system workload needed'],
    ['egress to all of kube-system on 53 and 443', egress({ peers: [NetworkPeer.namespace('kube-system')], ports: [{ port: 53, protocol: Protocol.UDP }, { port: 443 }] }),
      'c/pol: egress[0].peers[0].peer.namespace is "kube-system"; every pod of kube-system on port(s) 53, 443 would be open to the sandbox; only DNS (port 53 alone) may go to all of kube-system: use DnsMode.CLUSTER, or NetworkPeer.pods with the labels of the one system workload needed'],
    ['the policy\'s own namespace as a peer', (chart) => ({ selects: [deployment(new SandboxNamespace(chart, 'sb'), 'api')], ingress: [{ peers: [NetworkPeer.namespace('sb')], ports: [{ port: 8080 }] }] }),
      'c/pol: ingress[0].peers[0].peer.namespace is "sb"; the policy\'s own namespace: every pod of it, other sandboxes included, would be a peer; name the pods with NetworkPeer.workload or NetworkPeer.pods'],
    ['a private range as an ingress peer', ingress({ peers: [NetworkPeer.cidr('10.0.0.0/8')], ports: [{ port: 8080 }] }),
      `c/pol: ingress[0].peers[0].peer.cidr is "10.0.0.0/8"; it contains 10.0.0.0/8 (private network); ${CIDR_REFUSED}`],
    ...['10.0.0.0', '256.0.0.0/8', '10.0.0.0/33', 'fe80::/129', '1:2:3/64', 'example.com/24', ''].map((cidr): Row => [
      `a bad CIDR ${JSON.stringify(cidr)}`, egress({ peers: [NetworkPeer.cidr(cidr)], ports: [{ port: 443 }] }),
      `c/pol: egress[0].peers[0].peer.cidr is ${JSON.stringify(cidr)}; must be an IPv4 or IPv6 CIDR such as 203.0.113.0/24`]),
    ['a bad except', egress({ peers: [NetworkPeer.cidr('203.0.113.0/24', ['nope'])], ports: [{ port: 443 }] }),
      'c/pol: egress[0].peers[0].peer.except is "nope"; must be an IPv4 or IPv6 CIDR'],
    ['an except outside the CIDR', egress({ peers: [NetworkPeer.cidr('203.0.113.0/24', ['198.51.100.0/25'])], ports: [{ port: 443 }] }),
      'c/pol: egress[0].peers[0].peer.except is "198.51.100.0/25"; must be a strict subset of the peer\'s CIDR 203.0.113.0/24 (the API server refuses any other except)'],
    ['an except equal to the CIDR', egress({ peers: [NetworkPeer.cidr('203.0.113.0/24', ['203.0.113.0/24'])], ports: [{ port: 443 }] }),
      'c/pol: egress[0].peers[0].peer.except is "203.0.113.0/24"; must be a strict subset of the peer\'s CIDR 203.0.113.0/24 (the API server refuses any other except)'],
    ['an IPv6 except of an IPv4 CIDR', egress({ peers: [NetworkPeer.cidr('0.0.0.0/0', [...FORBIDDEN_V4, 'fc00::/7'])], ports: [{ port: 443 }] }),
      'c/pol: egress[0].peers[0].peer.except is "fc00::/7"; must be a strict subset of the peer\'s CIDR 0.0.0.0/0 (the API server refuses any other except)'],
    ['the internet without ports', egress({ peers: [NetworkPeer.internet()] }),
      'c/pol: egress[0].ports is unset; rules to the internet must name their ports'],
    ['the internet with an empty port list', egress({ peers: [NetworkPeer.internet()], ports: [] }),
      'c/pol: egress[0].ports is []; rules to the internet must name their ports'],
    ['a CIDR beside a workload without ports', egress({ peers: [NetworkPeer.pods({ app: 'db' }), NetworkPeer.cidr('203.0.113.0/24')] }),
      'c/pol: egress[0].ports is unset; rules to CIDR 203.0.113.0/24 must name their ports'],
    ['a CIDR ingress without ports', ingress({ peers: [NetworkPeer.cidr('198.51.100.0/24')] }),
      'c/pol: ingress[0].ports is unset; rules to CIDR 198.51.100.0/24 must name their ports'],
    ...[0, 65536, 80.5, -1].map((port): Row => [
      `port ${port}`, egress({ peers: [NetworkPeer.internet()], ports: [{ port }] }),
      `c/pol: egress[0].ports[0].port is ${port}; must be a port number from 1 to 65535`]),
    ['a port that is not a number', egress({ peers: [NetworkPeer.internet()], ports: [{ port: '443' as any }] }),
      'c/pol: egress[0].ports[0].port is "443"; must be a port number from 1 to 65535'],
    ['endPort below port', egress({ peers: [NetworkPeer.internet()], ports: [{ port: 443 }, { port: 8080, endPort: 8079 }] }),
      'c/pol: egress[0].ports[1].endPort is 8079; must be a port number not below port from 8080 to 65535'],
    ['endPort above 65535', ingress({ peers: [NetworkPeer.pods({ app: 'x' })], ports: [{ port: 8080, endPort: 70000 }] }),
      'c/pol: ingress[0].ports[0].endPort is 70000; must be a port number not below port from 8080 to 65535'],
    ['protocol ICMP', egress({ peers: [NetworkPeer.internet()], ports: [{ port: 443, protocol: 'ICMP' as Protocol }] }),
      'c/pol: egress[0].ports[0].protocol is "ICMP"; allowed: TCP, UDP, SCTP'],
    ['a lower-case protocol', egress({ peers: [NetworkPeer.internet()], ports: [{ port: 443, protocol: 'tcp' as Protocol }] }),
      'c/pol: egress[0].ports[0].protocol is "tcp"; allowed: TCP, UDP, SCTP'],
    ['the second rule is the bad one', (_c, api) => ({ selects: [api], egress: [{ peers: [NetworkPeer.internet()], ports: [{ port: 443 }] }, { peers: [] }] }),
      'c/pol: egress[1].peers is []; every egress rule names at least one peer; a rule without peers would allow traffic to everywhere'],
  ];

  test.each(rows)('%s', (_name, props, message) => {
    const chart = newChart();
    const api = deployment(chart, 'api');
    let error: unknown;
    try {
      new SandboxNetworkPolicy(chart, 'pol', props(chart, api));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SandboxValidationError);
    expect((error as Error).message).toBe(message);
    expect((error as SandboxValidationError).where).toBe('c/pol');
  });

  test('a construct id that is no DNS label needs an explicit name', () => {
    const chart = newChart();
    const api = deployment(chart, 'api');
    expect(() => new SandboxNetworkPolicy(chart, '***', { selects: [api] })).toThrow(`c/***: name is "***"; ${DNS_LABEL}`);
    expect(new SandboxNetworkPolicy(chart, 'Api Network', { selects: [api] }).name).toBe('api-network');
    expect(new SandboxNetworkPolicy(chart, '+++', { name: 'ok', selects: [api] }).name).toBe('ok');
  });

  test('errors name the path the construct would have had: nested scopes, a "/" in the id', () => {
    const chart = newChart();
    const api = deployment(chart, 'api');
    const group = new Construct(new Construct(chart, 'team'), 'net');
    expect(() => new SandboxNetworkPolicy(group, 'a/b', { selects: [api], egress: [{ peers: [NetworkPeer.internet()] }] }))
      .toThrow('c/team/net/a--b: egress[0].ports is unset; ');
    expect(() => new SandboxNetworkPolicy(group, 'both', { selects: [api], selectsAllIn: new SandboxNamespace(chart, 'ns', {}) }))
      .toThrow('c/team/net/both: selects is both selects and selectsAllIn; ');
    // A refused policy adds no construct: the id stays free.
    expect(group.node.tryFindChild('a--b')).toBeUndefined();
    expect(new SandboxNetworkPolicy(group, 'a/b', { selects: [api] }).node.path).toBe('c/team/net/a--b');
  });

  test('the construct is the NetworkPolicy itself, and its FQDN policy a child of it', () => {
    const chart = newChart();
    const api = deployment(chart, 'api');
    const pol = new SandboxNetworkPolicy(chart, 'pol', {
      selects: [api], dns: DnsMode.CLUSTER, fqdnProvider: FqdnProvider.CILIUM,
      egress: [{ peers: [NetworkPeer.fqdn('api.example.com')], ports: [{ port: 443 }] }],
    });
    expect(pol).toBeInstanceOf(ApiObject);
    expect(pol.policy).toBe(pol);
    expect([pol.kind, pol.apiVersion, pol.name]).toEqual(['NetworkPolicy', 'networking.k8s.io/v1', 'pol']);
    expect(pol.node.children).toEqual([pol.fqdnPolicy]);
    expect(pol.fqdnPolicy!.node.path).toBe('c/pol/FqdnPolicy');
    expect(chart.toJson().filter((o: any) => o.metadata.name === 'pol').map((o: any) => o.kind)).toEqual(['NetworkPolicy', 'CiliumNetworkPolicy']);
  });

  test('IPv4-mapped CIDRs and excepts are emitted as the IPv4 CIDRs Kubernetes reads them as', () => {
    const chart = newChart();
    const spec = new SandboxNetworkPolicy(chart, 'pol', {
      selects: [deployment(chart, 'api')],
      egress: [{ peers: [NetworkPeer.cidr('::ffff:203.0.113.0/120', ['::ffff:203.0.113.128/121'])], ports: [{ port: 443 }] }],
    }).policy.toJson().spec;
    expect(spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] } }], ports: [{ port: 443, protocol: 'TCP' }] }]);
  });

  test('kube-system whole for DNS alone, as ingress, and halves that leave a gap are accepted', () => {
    const chart = newChart();
    const spec = new SandboxNetworkPolicy(chart, 'pol', {
      selects: [deployment(chart, 'api')],
      ingress: [{ peers: [NetworkPeer.namespace('kube-system')], ports: [{ port: 9090 }] }],
      egress: [
        { peers: [NetworkPeer.namespace('kube-system')], ports: [{ port: 53, protocol: Protocol.UDP }, { port: 53 }] },
        { peers: [NetworkPeer.cidr('10.0.0.0/9'), NetworkPeer.cidr('10.128.0.0/9', ['10.200.0.0/16'])], ports: [{ port: 443 }] },
      ],
    }).policy.toJson().spec;
    expect(spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }]);
    expect(spec.egress.map((r: any) => r.to)).toEqual([
      [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
      [{ ipBlock: { cidr: '10.0.0.0/9' } }, { ipBlock: { cidr: '10.128.0.0/9', except: ['10.200.0.0/16'] } }],
    ]);
  });

  test('the metadata server is refused in any CIDR unless excepted, and accepted once excepted', () => {
    const chart = newChart();
    const api = deployment(chart, 'api');
    const spec = new SandboxNetworkPolicy(chart, 'pol', {
      selects: [api], egress: [{ peers: [NetworkPeer.cidr('169.254.128.0/17', ['169.254.169.0/24', '169.254.170.0/24'])], ports: [{ port: 80 }] }],
    }).policy.toJson().spec;
    expect(spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '169.254.128.0/17', except: ['169.254.169.0/24', '169.254.170.0/24'] } }], ports: [{ port: 80, protocol: 'TCP' }] }]);
  });
});
