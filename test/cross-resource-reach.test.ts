// What NetworkPolicies re-open: egress peers that select every pod of the cluster, of the policy's own
// namespace or of kube-system; sandboxed pods' ingress from every source, every pod or a whole private range;
// IPv4-mapped IPv6 read as the IPv4 it maps; other clouds' metadata servers; and ipBlocks that only
// together cover a private range, judged over the union of every policy selecting a pod (policies add up).
import { KubeObject, checkObjectSet } from '../src/profile';
import { auditObjects } from '../src/audit';
import { DnsMode, NetworkPeer } from '../src';
import { buildSandboxedDeployment } from '../src/builders/deployment';
import { dnsEgressRules, internetIpBlocks } from '../src/builders/network';
import { buildSandboxNamespace } from '../src/builders/namespace';
import { buildDenyAllPolicy, buildSandboxNetworkPolicy } from '../src/builders/network';

const SANDBOX = { 'cdk8s-sandbox.io/sandboxed': 'true', 'cdk8s-sandbox.io/workload': 'api' };

/** A Deployment in namespace `sandbox`; sandboxed (runtimeClassName gvisor, the sandboxed label) unless told otherwise. */
function workload(name = 'api', sandboxed = true, labels: Record<string, string> = sandboxed ? SANDBOX : { app: name }): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'sandbox' },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { ...(sandboxed ? { runtimeClassName: 'gvisor' } : {}), containers: [{ name: 'main', image: 'app:1.0.0' }] } } },
  };
}

/** A NetworkPolicy in namespace `sandbox` selecting every pod there, with both policy types. */
function policy(name: string, spec: { ingress?: any[]; egress?: any[] }, podSelector: any = {}): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'sandbox' }, spec: { podSelector, policyTypes: ['Ingress', 'Egress'], ...spec } };
}

const findings = (objects: KubeObject[], rule?: string) => checkObjectSet(objects).filter((f) => !rule || f.rule === rule);
const messages = (objects: KubeObject[], rule?: string) => findings(objects, rule).map((f) => `${f.rule} ${f.object.kind}/${f.object.name} ${f.path}: ${f.message}`);

const KUBE_SYSTEM = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } };
const DNS_PORTS = [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }];
const NAME_THE_PODS = 'Select the pods by their labels (a podSelector with the workload label cdk8s-sandbox.io/workload), with a namespaceSelector on kubernetes.io/metadata.name for another namespace, as NetworkPeer.workload and NetworkPeer.pods emit.';
const NAME_THE_CLIENTS = 'Name the clients: a podSelector with their labels (and a namespaceSelector on kubernetes.io/metadata.name for another namespace), or ipBlocks that except the private and link-local ranges, as NetworkPeer.pods, NetworkPeer.workload and NetworkPeer.cidr emit.';
const API = 'pods with labels cdk8s-sandbox.io/sandboxed=true,cdk8s-sandbox.io/workload=api in namespace "sandbox"';

describe('egress-peers: selector peers that reach whole namespaces', () => {
  test.each<[string, any, string]>([
    ['namespaceSelector {}', { namespaceSelector: {} }, 'egress rule 0 peer 0 {"namespaceSelector":{}} selects every pod of every namespace: every port open to every workload of the cluster, other tenants\' sandboxes included'],
    ['namespaceSelector {} and podSelector {}', { namespaceSelector: {}, podSelector: {} }, 'egress rule 0 peer 0 {"namespaceSelector":{},"podSelector":{}} selects every pod of every namespace: every port open to every workload of the cluster, other tenants\' sandboxes included'],
    ['a namespaceSelector NotIn (every namespace but those named)', { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }] } },
      'egress rule 0 peer 0 {"namespaceSelector":{"matchExpressions":[{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["kube-system"]}]}} selects every pod of every namespace: every port open to every workload of the cluster, other tenants\' sandboxes included'],
    ['podSelector {}', { podSelector: {} }, 'egress rule 0 peer 0 {"podSelector":{}} selects every pod of namespace "sandbox", the policy\'s own: every port open to every other workload there, other sandboxes included'],
    ['a podSelector that selects unlabelled pods', { podSelector: { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] } },
      'egress rule 0 peer 0 {"podSelector":{"matchExpressions":[{"key":"tier","operator":"DoesNotExist"}]}} selects every pod of namespace "sandbox", the policy\'s own: every port open to every other workload there, other sandboxes included'],
    ['the own namespace by name', { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'sandbox' } } },
      'egress rule 0 peer 0 {"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"sandbox"}}} selects every pod of namespace "sandbox", the policy\'s own: every port open to every other workload there, other sandboxes included'],
    ['all of kube-system on every port', KUBE_SYSTEM,
      'egress rule 0 peer 0 {"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"kube-system"}}} selects every pod of namespace "kube-system": every port open to the cluster\'s system pods; only DNS (port 53 alone) may go to all of them'],
    ['all of kube-system with podSelector {}', { ...KUBE_SYSTEM, podSelector: {} },
      'egress rule 0 peer 0 {"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"kube-system"}},"podSelector":{}} selects every pod of namespace "kube-system": every port open to the cluster\'s system pods; only DNS (port 53 alone) may go to all of them'],
  ])('%s', (_name, peer, message) => {
    const found = findings([workload(), policy('p', { egress: [{ to: [peer] }] })]);
    expect(found).toEqual([{ rule: 'egress-peers', object: { kind: 'NetworkPolicy', namespace: 'sandbox', name: 'p' }, path: 'spec.egress[0].to[0]', message, fix: expect.any(String) }]);
    expect(found[0].fix).toBe(message.includes('selects every pod of namespace "kube-system"') ? 'Select the kube-dns pods (podSelector k8s-app: kube-dns) on port 53, as DnsMode.CLUSTER emits, or the one system workload needed by its labels and ports.' : NAME_THE_PODS);
  });

  test('all of kube-system on port 443 is reported, on DNS alone it is not', () => {
    expect(messages([workload(), policy('p', { egress: [{ to: [KUBE_SYSTEM], ports: [{ port: 443 }] }] })])).toEqual([
      'egress-peers NetworkPolicy/p spec.egress[0].to[0]: egress rule 0 peer 0 {"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"kube-system"}}} selects every pod of namespace "kube-system": port(s) 443/TCP open to the cluster\'s system pods; only DNS (port 53 alone) may go to all of them',
    ]);
    expect(messages([workload(), policy('p', { egress: [{ to: [KUBE_SYSTEM], ports: DNS_PORTS }] })])).toEqual([]);
  });

  test('a namespaceSelector is evaluated on the labels of the Namespace objects in the set', () => {
    const byTeam = policy('p', { egress: [{ to: [{ namespaceSelector: { matchLabels: { team: 'sandboxes' } } }] }] });
    expect(messages([workload(), byTeam])).toEqual([]);
    const sandboxNs: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sandbox', labels: { 'team': 'sandboxes', 'pod-security.kubernetes.io/enforce': 'restricted' } } };
    expect(messages([workload(), byTeam, sandboxNs], 'egress-peers')).toEqual([
      'egress-peers NetworkPolicy/p spec.egress[0].to[0]: egress rule 0 peer 0 {"namespaceSelector":{"matchLabels":{"team":"sandboxes"}}} selects every pod of namespace "sandbox", the policy\'s own: every port open to every other workload there, other sandboxes included',
    ]);
  });

  test('named pods, in the own namespace or another, and a named other namespace pass', () => {
    expect(messages([workload(), policy('p', {
      egress: [
        { to: [{ podSelector: { matchLabels: { app: 'db' } } }] },
        { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shared' } } }] },
        { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: DNS_PORTS },
        { to: [{ ...KUBE_SYSTEM, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }] },
      ],
    })])).toEqual([]);
  });
});

describe('egress-peers: addresses', () => {
  const egressTo = (cidr: string, except?: string[], ports: any[] = [{ port: 80 }]) => messages([workload(), policy('p', { egress: [{ to: [{ ipBlock: { cidr, ...(except ? { except } : {}) } }], ports }] })]);

  test('IPv4-mapped IPv6 is judged as the IPv4 it maps', () => {
    expect(egressTo('::ffff:169.254.169.254/128')).toEqual([
      'egress-peers NetworkPolicy/p spec.egress[0].to[0].ipBlock: egress rule 0 ipBlock "::ffff:169.254.169.254/128" (IPv4-mapped IPv6, which Kubernetes reads as IPv4) reaches 169.254.169.254/32 (the metadata server): its except unset does not exclude them',
    ]);
    expect(egressTo('::ffff:0.0.0.0/96')).toEqual([
      'egress-peers NetworkPolicy/p spec.egress[0].to[0].ipBlock: egress rule 0 ipBlock "::ffff:0.0.0.0/96" (IPv4-mapped IPv6, which Kubernetes reads as IPv4) reaches 168.63.129.16/32 (the Azure WireServer), 169.254.0.0/16 (link-local, the metadata server 169.254.169.254), 10.0.0.0/8 (private network), 172.16.0.0/12 (private network), 192.168.0.0/16 (private network), 100.64.0.0/10 (shared address space: pod ranges on EKS and GKE, the Alibaba Cloud metadata server 100.100.100.200): its except unset does not exclude them',
    ]);
    // Excepts written IPv4-mapped except the IPv4 ranges they map.
    expect(egressTo('0.0.0.0/0', ['::ffff:169.254.0.0/112', '::ffff:10.0.0.0/104', '::ffff:172.16.0.0/108', '::ffff:192.168.0.0/112', '::ffff:100.64.0.0/106', '::ffff:168.63.129.16/128'])).toEqual([]);
  });

  test.each([
    ['fd00:ec2::254/128', 'fd00:ec2::254/128 (the AWS metadata server over IPv6)'],
    ['fd00:ec2::/32', 'fd00:ec2::254/128 (the AWS metadata server over IPv6), fd00:ec2::23/128 (the EKS Pod Identity agent)'],
    ['100.100.100.200/32', '100.100.100.200/32 (the Alibaba Cloud metadata server)'],
    ['169.254.170.23/32', '169.254.170.23/32 (the EKS Pod Identity agent)'],
    ['169.254.169.252/32', '169.254.169.252/32 (the GKE metadata server of Workload Identity)'],
    ['168.63.129.16/32', '168.63.129.16/32 (the Azure WireServer)'],
    ['169.254.0.0/24', '169.254.0.23/32 (the Tencent Cloud metadata server)'],
  ])('the metadata server %s', (cidr, reached) => {
    expect(egressTo(cidr)).toEqual([`egress-peers NetworkPolicy/p spec.egress[0].to[0].ipBlock: egress rule 0 ipBlock "${cidr}" reaches ${reached}: its except unset does not exclude them`]);
    // Only GKE Cloud DNS's address is DNS on port 53; the others are refused on port 53 too.
    expect(egressTo(cidr, undefined, DNS_PORTS)).toHaveLength(1);
  });

  test('the internet peer and every DNS mode pass', () => {
    for (const mode of Object.values(DnsMode)) {
      expect(messages([workload(), policy('p', { egress: [...dnsEgressRules(mode), { to: internetIpBlocks(), ports: [{ port: 443 }] }] })])).toEqual([]);
    }
  });
});

describe('network-isolation: the ingress of sandboxed pods', () => {
  const ingress = (rules: any[], ...more: KubeObject[]) => messages([workload(), workload('trusted', false), policy('p', { ingress: rules }), ...more], 'network-isolation');

  test('ingress: [{}] admits every source', () => {
    expect(findings([workload(), policy('p', { ingress: [{}] })], 'network-isolation')).toEqual([{
      rule: 'network-isolation', object: { kind: 'Deployment', namespace: 'sandbox', name: 'api' }, path: 'spec.template.metadata.labels',
      message: `sandboxed ${API} accept connections from every source: NetworkPolicy "p" ingress rule 0 has no \`from\`: every port open to every pod of the cluster and any address that reaches them`,
      fix: NAME_THE_CLIENTS,
    }]);
  });

  test.each<[string, any[], string]>([
    ['an empty from on a port', [{ from: [], ports: [{ port: 8080 }] }], 'accept connections from every source: NetworkPolicy "p" ingress rule 0 has an empty `from`: port(s) 8080/TCP open to every pod of the cluster and any address that reaches them'],
    ['from 0.0.0.0/0', [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 8080 }] }],
      'accept connections from whole private or link-local ranges: NetworkPolicy "p" ingress rule 0 ipBlock "0.0.0.0/0" admits 169.254.0.0/16 (link-local, the metadata server 169.254.169.254), 10.0.0.0/8 (private network), 172.16.0.0/12 (private network), 192.168.0.0/16 (private network), 100.64.0.0/10 (shared address space: pod ranges on EKS and GKE, the Alibaba Cloud metadata server 100.100.100.200) on port(s) 8080/TCP; its except unset does not exclude them'],
    ['from ::ffff:10.0.0.0/104', [{ from: [{ ipBlock: { cidr: '::ffff:10.0.0.0/104' } }], ports: [{ port: 8080 }] }],
      'accept connections from whole private or link-local ranges: NetworkPolicy "p" ingress rule 0 ipBlock "::ffff:10.0.0.0/104" (IPv4-mapped IPv6, which Kubernetes reads as IPv4) admits 10.0.0.0/8 (private network) on port(s) 8080/TCP; its except unset does not exclude them'],
    ['from every namespace', [{ from: [{ namespaceSelector: {} }] }],
      'accept connections from every pod of the cluster: NetworkPolicy "p" ingress rule 0 peer 0 {"namespaceSelector":{}} selects every pod of every namespace, on every port'],
    ['from every pod of the own namespace', [{ from: [{ podSelector: {} }], ports: [{ port: 8080 }] }],
      'accept connections from every pod of their own namespace, other sandboxes included: NetworkPolicy "p" ingress rule 0 peer 0 {"podSelector":{}} selects every pod of namespace "sandbox", on port(s) 8080/TCP'],
    ['an empty peer', [{ from: [{}] }], 'accept connections no one named: NetworkPolicy "p" ingress rule 0 peer 0 is empty (the API server refuses it)'],
  ])('%s', (_name, rules, problem) => {
    expect(ingress(rules)).toEqual([`network-isolation Deployment/api spec.template.metadata.labels: sandboxed ${API} ${problem}`]);
  });

  test('a named trusted client, a named namespace, public clients and kube-system pass', () => {
    expect(ingress([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'default' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'trusted-api' } } }], ports: [{ port: 8080 }] },
      { from: [{ podSelector: { matchLabels: { role: 'prober' } } }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] },
      { from: [...internetIpBlocks(), { ipBlock: { cidr: '10.1.2.0/24' } }], ports: [{ port: 8443 }] },
      { from: [KUBE_SYSTEM], ports: [{ port: 9090 }] },
    ])).toEqual([]);
  });

  test('pods outside any sandbox (no runtime class, no sandboxed label, not in a sandbox namespace) serve whoever they like', () => {
    const trusted = workload('trusted', false);
    const open = policy('trusted', { ingress: [{ ports: [{ port: 8080 }] }] }, { matchLabels: { app: 'trusted' } });
    expect(messages([trusted, open], 'network-isolation')).toEqual([]);
    const sandboxNs: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sandbox', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-sandbox' } } };
    expect(messages([trusted, open, sandboxNs], 'network-isolation')).toEqual([
      'network-isolation Deployment/trusted spec.template.metadata.labels: sandboxed pods with labels app=trusted in namespace "sandbox" accept connections from every source: NetworkPolicy "trusted" ingress rule 0 has no `from`: port(s) 8080/TCP open to every pod of the cluster and any address that reaches them',
    ]);
  });

  test('the ingress rules of a policy that does not enforce Ingress open nothing', () => {
    const egressOnly = { ...policy('p', { ingress: [{}] }), spec: { podSelector: {}, policyTypes: ['Egress'], ingress: [{}] } };
    expect(messages([workload(), egressOnly, policy('deny', {})], 'network-isolation')).toEqual([]);
  });
});

describe('network-isolation: the union of the policies selecting a pod', () => {
  const slash9 = (name: string, cidr: string, podSelector: any = {}) => policy(name, { egress: [{ to: [{ ipBlock: { cidr } }], ports: [{ port: 443 }] }] }, podSelector);

  test('two policies that each open half of 10.0.0.0/8 open it whole to the pods both select', () => {
    const only = { matchLabels: { 'cdk8s-sandbox.io/workload': 'api' } };
    const objects = [workload(), workload('web', true, { 'cdk8s-sandbox.io/sandboxed': 'true', 'cdk8s-sandbox.io/workload': 'web' }), slash9('a', '10.0.0.0/9'), slash9('b', '10.128.0.0/9', only)];
    expect(findings(objects, 'egress-peers')).toEqual([]);
    expect(findings(objects, 'network-isolation')).toEqual([{
      rule: 'network-isolation', object: { kind: 'Deployment', namespace: 'sandbox', name: 'api' }, path: 'spec.template.metadata.labels',
      message: `sandboxed ${API} can reach 10.0.0.0/8 (private network) whole, which their NetworkPolicies allow together though no single ipBlock does: "10.0.0.0/9" (NetworkPolicy "a" egress rule 0), "10.128.0.0/9" (NetworkPolicy "b" egress rule 0)`,
      fix: 'NetworkPolicies add up: narrow these ipBlocks, or except 10.0.0.0/8 in them, so that together they leave it out.',
    }]);
  });

  test('the union counts IPv4-mapped IPv6 and ingress too, and pods outside any sandbox for egress', () => {
    const split = policy('split', {
      egress: [{ to: [{ ipBlock: { cidr: '172.16.0.0/13' } }, { ipBlock: { cidr: '::ffff:172.24.0.0/109' } }], ports: [{ port: 443 }] }],
      ingress: [{ from: [{ ipBlock: { cidr: '192.168.128.0/17' } }], ports: [{ port: 8080 }] }, { from: [{ ipBlock: { cidr: '192.168.0.0/17' } }], ports: [{ port: 8081 }] }],
    });
    expect(messages([workload(), split], 'network-isolation')).toEqual([
      `network-isolation Deployment/api spec.template.metadata.labels: sandboxed ${API} accept connections from 192.168.0.0/16 (private network) whole, which their NetworkPolicies admit together though no single ipBlock does: "192.168.128.0/17" (NetworkPolicy "split" ingress rule 0), "192.168.0.0/17" (NetworkPolicy "split" ingress rule 1)`,
      `network-isolation Deployment/api spec.template.metadata.labels: sandboxed ${API} can reach 172.16.0.0/12 (private network) whole, which their NetworkPolicies allow together though no single ipBlock does: "172.16.0.0/13" (NetworkPolicy "split" egress rule 0), "::ffff:172.24.0.0/109" (NetworkPolicy "split" egress rule 0)`,
    ]);
    expect(messages([workload('trusted', false), split], 'network-isolation').map((m) => m.split(': ')[0])).toEqual([
      'network-isolation Deployment/trusted spec.template.metadata.labels',
    ]);
  });

  test('halves that leave a gap, or a range one ipBlock covers alone (egress-peers reports it), are not union findings', () => {
    expect(messages([workload(), slash9('a', '10.0.0.0/9'), slash9('b', '10.128.0.0/10')], 'network-isolation')).toEqual([]);
    // An except leaves a gap the other half does not fill.
    const excepting = policy('c', { egress: [{ to: [{ ipBlock: { cidr: '10.128.0.0/9', except: ['10.200.0.0/16'] } }], ports: [{ port: 443 }] }] });
    expect(messages([workload(), slash9('a', '10.0.0.0/9'), excepting], 'network-isolation')).toEqual([]);
    expect(messages([workload(), slash9('a', '10.0.0.0/9'), excepting, slash9('d', '10.200.0.0/16')], 'network-isolation')).toHaveLength(1);
    expect(messages([workload(), slash9('a', '10.0.0.0/8'), slash9('b', '10.0.0.0/9')], 'network-isolation')).toEqual([]);
    expect(messages([workload(), slash9('a', '10.0.0.0/8'), slash9('b', '10.0.0.0/9')], 'egress-peers')).toHaveLength(1);
  });

  test('pods selected by one of the two policies only are not judged by the other', () => {
    const objects = [workload(), slash9('a', '10.0.0.0/9'), slash9('b', '10.128.0.0/9', { matchLabels: { app: 'other' } }), policy('deny', {})];
    expect(messages(objects, 'network-isolation')).toEqual([]);
  });

  test('many pods sharing their policies are judged once per set of policies and reported each', () => {
    const pods = Array.from({ length: 50 }, (_, i) => workload(`w${i}`));
    const objects = [...pods, slash9('a', '10.0.0.0/9'), slash9('b', '10.128.0.0/9')];
    expect(findings(objects, 'network-isolation').map((f) => f.object.name)).toEqual(pods.map((p) => p.metadata!.name));
  });
});

describe('in the audit', () => {
  /** A SandboxNamespace and a SandboxedDeployment in it, with its own policy: clean. */
  function base(): KubeObject[] {
    const ns = buildSandboxNamespace('app/sandbox', { name: 'sandbox' });
    const api = buildSandboxedDeployment('app/api', { name: 'api', namespace: 'sandbox', image: 'app:1.0.0', ports: [{ number: 8080, name: 'http' }] });
    const own = buildSandboxNetworkPolicy('app/api-network', {
      name: 'api-network', selection: { namespace: 'sandbox', podSelector: { matchLabels: { ...api.identity.selectorLabels } } }, dns: DnsMode.CLUSTER,
      ingress: [{ peers: [NetworkPeer.pods({ 'app.kubernetes.io/name': 'trusted-api' }, 'default')], ports: [{ port: 8080 }] }],
      egress: [{ peers: [NetworkPeer.internet()], ports: [{ port: 443 }] }],
    });
    return [...ns.objects, ...api.objects, own];
  }
  const audit = (extra: KubeObject[]) => auditObjects([...base(), ...extra]).findings.map((f) => `${f.rule} ${f.object.kind}/${f.object.name} ${f.path}`);

  test('the constructs\' objects audit clean', () => {
    expect(auditObjects(base())).toEqual(expect.objectContaining({ findings: [], exitCode: 0 }));
  });

  test('a sibling policy re-opening what the sandbox policy closes is reported', () => {
    expect(audit([buildDenyAllPolicy({ name: 'open', namespace: 'sandbox' }, {})])).toEqual([]);
    const reopen = { ...policy('reopen', {}), spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{ to: [{ namespaceSelector: {} }] }] } };
    expect(audit([reopen])).toEqual([
      'network-isolation Deployment/api spec.template.metadata.labels',
      'egress-peers NetworkPolicy/reopen spec.egress[0].to[0]',
    ]);
  });

  test('a Namespace set to privileged without pods, and a sandbox namespace without the label, are reported', () => {
    const tools: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tools', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } };
    const runs: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'runs', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-sandbox' } } };
    expect(audit([tools, runs])).toEqual([
      'namespace-pod-security Namespace/tools metadata.labels["pod-security.kubernetes.io/enforce"]',
      'namespace-pod-security Namespace/runs metadata.labels["pod-security.kubernetes.io/enforce"]',
    ]);
  });
});
