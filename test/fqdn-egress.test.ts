// Egress by domain name (NetworkPeer.fqdn): the names it accepts and refuses, the CiliumNetworkPolicy and
// GKE FQDNNetworkPolicy it emits beside the NetworkPolicy (field by field, and against the providers' CRD
// schemas vendored in test/fixtures/crds), the refusals without a provider or DNS, and the audit:
// egress-peers judges these kinds' names, and network-isolation never counts them as isolation.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, JsonPatch } from 'cdk8s';
import * as jsyaml from 'js-yaml';
import { DnsMode, FqdnProvider, NetworkPeer, NetworkRule, Protocol, SandboxErrors, SandboxNamespace, SandboxNetworkPolicy, SandboxedDeployment } from '../src';
import { AuditFinding, auditText } from '../src/audit';
import { fqdnReachProblems } from '../src/profile';
import { crdValidator, validatorProblems } from './helpers/crd-schema';

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function newApp(): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'fqdn-egress-'));
  outdirs.push(outdir);
  return new App({ outdir });
}

function newChart(namespace = 'sandbox'): Chart {
  return new Chart(newApp(), 'c', { namespace });
}

const api = (scope: Chart, id = 'api') => new SandboxedDeployment(scope, id, { image: 'app:1.0.0' });

const PYPI: NetworkRule = { peers: [NetworkPeer.fqdn('pypi.org'), NetworkPeer.fqdn('*.pythonhosted.org')], ports: [{ port: 443 }] };

/** A chart with one SandboxedDeployment `api` and a SandboxNetworkPolicy `pol` selecting it. */
function withPolicy(props: Partial<ConstructorParameters<typeof SandboxNetworkPolicy>[2]>, chart = newChart()): { chart: Chart; policy: SandboxNetworkPolicy } {
  const workload = api(chart);
  const policy = new SandboxNetworkPolicy(chart, 'pol', { selects: [workload], dns: DnsMode.CLUSTER, ...props });
  return { chart, policy };
}

/** The error a construction throws. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    expect(SandboxErrors.isValidationError(e)).toBe(true);
    return e as Error;
  }
  throw new Error('expected a SandboxValidationError');
}

const SELECTOR = { matchLabels: { 'cdk8s-sandbox.io/workload': 'api' } };
const METADATA = { name: 'pol', namespace: 'sandbox', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-sandbox' } };
const KUBE_DNS_RULE = {
  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
};
const CILIUM_DNS_RULE = {
  toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
  toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }], rules: { dns: [{ matchPattern: '*' }] } }],
};

describe('NetworkPeer.fqdn names', () => {
  const build = (name: string) => withPolicy({ fqdnProvider: FqdnProvider.CILIUM, egress: [{ peers: [NetworkPeer.fqdn(name)], ports: [{ port: 443 }] }] }).policy;
  const emitted = (name: string) => build(name).fqdnPolicy!.toJson().spec.egress[1].toFQDNs;

  test('an exact name is a matchName, a one-label wildcard a matchPattern, and one trailing dot is dropped', () => {
    expect(emitted('pypi.org')).toEqual([{ matchName: 'pypi.org' }]);
    expect(emitted('*.pythonhosted.org')).toEqual([{ matchPattern: '*.pythonhosted.org' }]);
    expect(emitted('pypi.org.')).toEqual([{ matchName: 'pypi.org' }]);
    expect(emitted('files.pythonhosted.org')).toEqual([{ matchName: 'files.pythonhosted.org' }]);
  });

  test.each([
    ['', 'must be an exact name ("pypi.org") or a wildcard of one label under a domain ("*.pythonhosted.org")'],
    ['*', 'matches every domain name, the metadata server\'s included'],
    ['**.', 'matches every domain name'],
    ['*.*', 'matches every domain name'],
    ['PyPI.org', 'must be lower-case (DNS names are case-insensitive; the providers\' patterns are not all): write "pypi.org"'],
    ['169.254.169.254', 'is an IP address: an FQDN rule matches DNS names; reach an address with NetworkPeer.cidr'],
    ['2001:db8::1', 'is an IP address'],
    ['metadata.google.internal', 'covers the metadata server\'s name metadata.google.internal; is under .internal'],
    ['*.google.internal', 'covers the metadata server\'s name metadata.google.internal'],
    ['*.internal', 'matches every domain of the top-level domain .internal; covers the metadata server\'s names metadata.google.internal, instance-data.ec2.internal; is under .internal'],
    ['metadata', 'covers the metadata server\'s name metadata'],
    ['instance-data.ec2.internal', 'covers the metadata server\'s name instance-data.ec2.internal'],
    ['my-svc.ns.svc.cluster.local', 'is under .local'],
    ['**.example.com', 'a wildcard may only be the whole first label ("*.example.com")'],
    ['foo*.example.com', 'a wildcard may only be the whole first label'],
    ['a.*.example.com', 'a wildcard may only be the whole first label'],
    ['*.com', 'matches every domain of the top-level domain .com, names anyone can register'],
    ['com', 'a single-label name is completed by the pod\'s DNS search path'],
    ['exa_mple.com', 'label "exa_mple" is not a DNS label'],
    ['-bad.example.com', 'label "-bad" is not a DNS label'],
    ['pypi..org', 'label "" is not a DNS label'],
    ['foo.123', 'ends in a numeric label'],
    [`${'a'.repeat(64)}.org`, 'is not a DNS label (1 to 63'],
  ])('%j is refused, naming the construct path, the field, the value and what is allowed', (name, why) => {
    const e = thrown(() => build(name));
    expect(e.message).toContain(`c/pol: egress[0].peers[0].peer.fqdn is ${JSON.stringify(name)}; `);
    expect(e.message).toContain(why);
  });

  test('a name that is not a string is refused', () => {
    expect(thrown(() => build(42 as any)).message).toContain('egress[0].peers[0].peer.fqdn is 42; must be an exact name');
  });
});

describe('refusals', () => {
  test('a rule to a domain name without a provider is refused, naming both providers', () => {
    const e = thrown(() => withPolicy({ egress: [PYPI] }));
    expect(e.message).toBe('c/pol: fqdnProvider is unset; egress[0].peers[0].peer is domain "pypi.org", which a Kubernetes NetworkPolicy cannot express: '
      + 'set fqdnProvider to FqdnProvider.CILIUM (a CiliumNetworkPolicy, cilium.io/v2) or FqdnProvider.GKE (a GKE FQDNNetworkPolicy, networking.gke.io/v1alpha1, on GKE Dataplane V2)');
  });

  test('an unknown provider is refused', () => {
    expect(thrown(() => withPolicy({ fqdnProvider: 'calico' as any, egress: [PYPI] })).message)
      .toContain('c/pol: fqdnProvider is "calico"; allowed: cilium, gke');
  });

  test('a rule to a domain name names its ports', () => {
    expect(thrown(() => withPolicy({ fqdnProvider: FqdnProvider.CILIUM, egress: [{ peers: [NetworkPeer.fqdn('pypi.org')] }] })).message)
      .toBe('c/pol: egress[0].ports is unset; rules to domain "pypi.org" must name their ports');
  });

  test('a domain name is an egress peer only', () => {
    expect(thrown(() => withPolicy({ fqdnProvider: FqdnProvider.CILIUM, ingress: [{ peers: [NetworkPeer.fqdn('pypi.org')], ports: [{ port: 8080 }] }] })).message)
      .toBe('c/pol: ingress[0].peers[0].peer.fqdn is "pypi.org"; NetworkPeer.fqdn names egress destinations only; name clients with NetworkPeer.pods, workload or cidr');
  });

  test('Cilium needs DnsMode.CLUSTER: its DNS proxy learns the addresses on the rule to kube-dns', () => {
    for (const dns of [DnsMode.NONE, DnsMode.GKE_CLOUD_DNS, DnsMode.GKE_NODE_LOCAL_DNS]) {
      const e = thrown(() => withPolicy({ dns, fqdnProvider: FqdnProvider.CILIUM, egress: [PYPI] }));
      expect(e.message).toContain(`c/pol: dns is "${dns}"; FqdnProvider.CILIUM needs dns: DnsMode.CLUSTER: Cilium learns the addresses of the names from the DNS answers its DNS proxy sees`);
    }
  });

  test('GKE needs the cluster DNS open: any mode but NONE', () => {
    expect(thrown(() => withPolicy({ dns: DnsMode.NONE, fqdnProvider: FqdnProvider.GKE, egress: [PYPI] })).message)
      .toBe('c/pol: dns is "none"; FqdnProvider.GKE needs the pods to resolve names through the cluster\'s DNS (kube-dns or Cloud DNS), which the NetworkPolicy must open: set dns to "cluster", "gke-node-local-dns", "gke-cloud-dns"');
    for (const dns of [DnsMode.CLUSTER, DnsMode.GKE_CLOUD_DNS, DnsMode.GKE_NODE_LOCAL_DNS]) {
      expect(withPolicy({ dns, fqdnProvider: FqdnProvider.GKE, egress: [PYPI] }).policy.fqdnPolicy?.toJson().kind).toBe('FQDNNetworkPolicy');
    }
  });

  test('GKE takes single TCP and UDP ports only', () => {
    const gke = (ports: NetworkRule['ports']) => () => withPolicy({ fqdnProvider: FqdnProvider.GKE, egress: [{ peers: [NetworkPeer.fqdn('pypi.org')], ports }] });
    expect(thrown(gke([{ port: 443 }, { port: 8000, endPort: 8010 }])).message)
      .toBe('c/pol: egress[0].ports[1].endPort is 8010; a GKE FQDNNetworkPolicy takes single ports only; list the ports one by one, or use FqdnProvider.CILIUM');
    expect(thrown(gke([{ port: 443, protocol: Protocol.SCTP }])).message).toBe('c/pol: egress[0].ports[0].protocol is "SCTP"; a GKE FQDNNetworkPolicy allows TCP and UDP only');
  });

  test('a Cilium rule holds at most 40 ports', () => {
    const ports = Array.from({ length: 41 }, (_, i) => ({ port: 1000 + i }));
    expect(thrown(() => withPolicy({ fqdnProvider: FqdnProvider.CILIUM, egress: [{ peers: [NetworkPeer.fqdn('pypi.org')], ports }] })).message)
      .toBe('c/pol: egress[0].ports is 41; a CiliumNetworkPolicy rule holds at most 40 ports; split the rule');
  });
});

describe('emitted objects', () => {
  test('Cilium: the DNS proxy rule, then each rule with its ports; the NetworkPolicy keeps DNS and isolates', () => {
    const { policy } = withPolicy({ fqdnProvider: FqdnProvider.CILIUM, egress: [PYPI] });
    expect(policy.fqdnPolicy!.toJson()).toEqual({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: METADATA,
      spec: {
        endpointSelector: SELECTOR,
        egress: [
          CILIUM_DNS_RULE,
          { toFQDNs: [{ matchName: 'pypi.org' }, { matchPattern: '*.pythonhosted.org' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
        ],
      },
    });
    // No rule of the NetworkPolicy for the names: an empty `to` would open every destination.
    expect(policy.policy.toJson()).toEqual({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: METADATA,
      spec: { podSelector: SELECTOR, policyTypes: ['Ingress', 'Egress'], egress: [KUBE_DNS_RULE] },
    });
  });

  test('GKE: each rule\'s names as matches, with its ports', () => {
    const { policy } = withPolicy({ fqdnProvider: FqdnProvider.GKE, egress: [PYPI, { peers: [NetworkPeer.fqdn('ntp.example.org')], ports: [{ port: 123, protocol: Protocol.UDP }] }] });
    expect(policy.fqdnPolicy!.toJson()).toEqual({
      apiVersion: 'networking.gke.io/v1alpha1',
      kind: 'FQDNNetworkPolicy',
      metadata: METADATA,
      spec: {
        podSelector: SELECTOR,
        egress: [
          { matches: [{ name: 'pypi.org' }, { pattern: '*.pythonhosted.org' }], ports: [{ port: 443, protocol: 'TCP' }] },
          { matches: [{ name: 'ntp.example.org' }], ports: [{ port: 123, protocol: 'UDP' }] },
        ],
      },
    });
  });

  test('a rule mixing names and other peers is split: each part keeps the rule\'s ports', () => {
    const rule: NetworkRule = { peers: [NetworkPeer.cidr('203.0.113.0/24'), NetworkPeer.fqdn('pypi.org'), NetworkPeer.fqdn('pypi.org')], ports: [{ port: 443 }, { port: 8000, endPort: 8080 }] };
    const { policy } = withPolicy({ fqdnProvider: FqdnProvider.CILIUM, egress: [rule] });
    expect(policy.policy.toJson().spec.egress).toEqual([KUBE_DNS_RULE, { to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 443, protocol: 'TCP' }, { port: 8000, endPort: 8080, protocol: 'TCP' }] }]);
    expect(policy.fqdnPolicy!.toJson().spec.egress[1]).toEqual({
      toFQDNs: [{ matchName: 'pypi.org' }],
      toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }, { port: '8000', endPort: 8080, protocol: 'TCP' }] }],
    });
  });

  test('no rule to a name, no provider object (a provider alone changes nothing)', () => {
    const { policy } = withPolicy({ fqdnProvider: FqdnProvider.GKE, egress: [{ peers: [NetworkPeer.internet()], ports: [{ port: 443 }] }] });
    expect(policy.fqdnPolicy).toBeUndefined();
    // The construct is the NetworkPolicy itself: nothing beside it.
    expect([policy.kind, policy.node.children]).toEqual(['NetworkPolicy', []]);
  });

  test('several workloads, or a whole SandboxNamespace: the same pods as the NetworkPolicy', () => {
    const chart = newChart();
    const a = api(chart, 'a');
    const b = api(chart, 'b');
    const two = new SandboxNetworkPolicy(chart, 'two', { selects: [a, b], dns: DnsMode.CLUSTER, fqdnProvider: FqdnProvider.CILIUM, egress: [PYPI] });
    expect(two.fqdnPolicy!.toJson().spec.endpointSelector).toEqual(two.policy.toJson().spec.podSelector);
    expect(two.fqdnPolicy!.toJson().spec.endpointSelector).toEqual({ matchExpressions: [{ key: 'cdk8s-sandbox.io/workload', operator: 'In', values: ['a', 'b'] }] });
    const ns = new SandboxNamespace(newChart(), 'tenant', { name: 'tenant' });
    const all = new SandboxNetworkPolicy(ns, 'all', { selectsAllIn: ns, dns: DnsMode.CLUSTER, fqdnProvider: FqdnProvider.GKE, egress: [PYPI] });
    expect(all.fqdnPolicy!.toJson().metadata.namespace).toBe('tenant');
    expect(all.fqdnPolicy!.toJson().spec.podSelector).toEqual({ matchLabels: { 'cdk8s-sandbox.io/sandboxed': 'true' } });
  });
});

describe('the emitted objects validate against the providers\' CRD schemas', () => {
  const cilium = crdValidator('cilium-ciliumnetworkpolicy-v2.schema.yaml');
  const gke = crdValidator('gke-fqdnnetworkpolicy-v1alpha1.schema.json');
  const problems = validatorProblems;

  const variants: [string, Partial<ConstructorParameters<typeof SandboxNetworkPolicy>[2]>][] = [
    ['one rule', { egress: [PYPI] }],
    ['rules with UDP, a range and several names', { egress: [PYPI, { peers: [NetworkPeer.fqdn('ntp.example.org'), NetworkPeer.fqdn('*.pool.ntp.org')], ports: [{ port: 123, protocol: Protocol.UDP }, { port: 8000, endPort: 8100 }] }] }],
    ['names beside other peers', { egress: [{ peers: [NetworkPeer.internet(), NetworkPeer.fqdn('pypi.org')], ports: [{ port: 443 }] }] }],
  ];

  test.each(variants)('CiliumNetworkPolicy: %s', (_, props) => {
    const obj = withPolicy({ fqdnProvider: FqdnProvider.CILIUM, ...props }).policy.fqdnPolicy!.toJson();
    expect(problems(cilium, obj)).toEqual([]);
  });

  test.each(variants.map(([name, props]) => [name, { ...props, egress: props.egress!.map((r) => ({ ...r, ports: r.ports!.filter((p) => p.endPort === undefined) })) }] as const))('FQDNNetworkPolicy: %s', (_, props) => {
    const obj = withPolicy({ fqdnProvider: FqdnProvider.GKE, ...props }).policy.fqdnPolicy!.toJson();
    expect(problems(gke, obj)).toEqual([]);
  });

  test('objects with the mistakes these schemas exist to catch fail them', () => {
    const cnp = withPolicy({ fqdnProvider: FqdnProvider.CILIUM, egress: [PYPI] }).policy.fqdnPolicy!.toJson();
    const numericPort = structuredClone(cnp);
    numericPort.spec.egress[1].toPorts[0].ports[0].port = 443;
    expect(problems(cilium, numericPort)).toContain('/spec/egress/1/toPorts/0/ports/0/port must be string');
    const typo = structuredClone(cnp);
    typo.spec.egress[1].toFQDN = typo.spec.egress[1].toFQDNs;
    delete typo.spec.egress[1].toFQDNs;
    expect(problems(cilium, typo)).toContain('/spec/egress/1 must NOT have additional properties');
    const both = structuredClone(cnp);
    both.spec.egress[1].toFQDNs[0].matchPattern = '*.pypi.org';
    expect(problems(cilium, both)).toContain('/spec/egress/1/toFQDNs/0 must match exactly one schema in oneOf');
    const noSelector = structuredClone(cnp);
    delete noSelector.spec.endpointSelector;
    expect(problems(cilium, noSelector)).toContain('/spec must match exactly one schema in oneOf');

    const fnp = withPolicy({ fqdnProvider: FqdnProvider.GKE, egress: [PYPI] }).policy.fqdnPolicy!.toJson();
    const sctp = structuredClone(fnp);
    sctp.spec.egress[0].ports[0].protocol = 'SCTP';
    expect(problems(gke, sctp)).toContain('/spec/egress/0/ports/0/protocol must be equal to one of the allowed values');
    const stringPort = structuredClone(fnp);
    stringPort.spec.egress[0].ports[0].port = '443';
    expect(problems(gke, stringPort)).toContain('/spec/egress/0/ports/0/port must be integer');
    const twoFields = structuredClone(fnp);
    twoFields.spec.egress[0].matches[0].pattern = '*.pypi.org';
    expect(problems(gke, twoFields)).toContain('/spec/egress/0/matches/0 must NOT have more than 1 properties');
    const ciliumShaped = structuredClone(fnp);
    ciliumShaped.spec.egress[0] = { toFQDNs: [{ matchName: 'pypi.org' }] };
    expect(problems(gke, ciliumShaped)).toContain('/spec/egress/0 must have required property \'matches\'');
  });
});

/** The audit of a chart's synthesized objects. */
function auditChart(chart: Chart): AuditFinding[] {
  return auditObjectsText(chart.toJson());
}

function auditObjectsText(objects: any[]): AuditFinding[] {
  return [...auditText(objects.map((o) => jsyaml.dump(o, { noRefs: true })).join('---\n'), { file: 'fqdn.yaml' }).findings];
}

const brief = (f: AuditFinding) => ({ rule: f.rule, kind: f.object.kind, path: f.path, message: f.message });

describe('the audit', () => {
  test('what the constructs emit audits clean, with either provider', () => {
    for (const fqdnProvider of [FqdnProvider.CILIUM, FqdnProvider.GKE]) {
      expect(auditChart(withPolicy({ fqdnProvider, egress: [PYPI] }).chart).map(brief)).toEqual([]);
    }
  });

  test('mutation: a Cilium rule to `*` is an egress-peers finding with its path, message and fix', () => {
    const objects = withPolicy({ fqdnProvider: FqdnProvider.CILIUM, egress: [PYPI] }).chart.toJson();
    const cnp = objects.find((o: any) => o.kind === 'CiliumNetworkPolicy');
    cnp.spec.egress[1].toFQDNs[1] = { matchPattern: '*' };
    const findings = auditObjectsText(objects);
    expect(findings.map(brief)).toEqual([{
      rule: 'egress-peers', kind: 'CiliumNetworkPolicy', path: 'spec.egress[1].toFQDNs[1].matchPattern',
      message: 'egress rule 1 matchPattern "*" matches every domain name; covers the metadata server\'s names metadata.google.internal, metadata, instance-data, instance-data.ec2.internal: port(s) 443/TCP open to the addresses those names resolve to',
    }]);
    expect(findings[0].fix).toBe('Name the domains the sandbox needs, exactly (pypi.org) or with a one-label wildcard under a domain you trust (*.pythonhosted.org), as NetworkPeer.fqdn emits; never a pattern of every domain or of a whole top-level domain, a metadata server\'s name (metadata.google.internal) or a private name (.internal, .local).');
    expect(findings[0].line).toBeGreaterThan(findings[0].objectLine);
  });

  test('mutation: a GKE rule to `*` is an egress-peers finding', () => {
    const objects = withPolicy({ fqdnProvider: FqdnProvider.GKE, egress: [PYPI] }).chart.toJson();
    objects.find((o: any) => o.kind === 'FQDNNetworkPolicy').spec.egress[0].matches[0] = { pattern: '*' };
    expect(auditObjectsText(objects).map((f) => [f.rule, f.path])).toEqual([['egress-peers', 'spec.egress[0].matches[0].pattern']]);
  });

  test.each([
    ['matchPattern', '**.', 'matches every domain name'],
    ['matchPattern', '*.*', 'matches every domain name'],
    ['matchPattern', 'pypi.*', 'matches every domain name'],
    ['matchPattern', '*.com', 'matches every domain of the top-level domain .com, names anyone can register'],
    ['matchPattern', '*pythonhosted.org', 'matches every domain of the top-level domain .org'],
    ['matchPattern', '*.internal', 'matches every domain of the top-level domain .internal; covers the metadata server\'s names metadata.google.internal, instance-data.ec2.internal; is under .internal, private-use names'],
    ['matchPattern', 'metadata.*.internal', 'matches every domain of the top-level domain .internal; covers the metadata server\'s name metadata.google.internal'],
    ['matchName', 'metadata.google.internal', 'covers the metadata server\'s name metadata.google.internal; is under .internal'],
    ['matchName', 'METADATA.Google.Internal.', 'covers the metadata server\'s name metadata.google.internal'],
    ['matchName', 'metadata', 'covers the metadata server\'s name metadata'],
    ['matchName', '169.254.169.254', 'is an IP address written as a name'],
    ['matchName', 'web.default.svc.cluster.local', 'is under .local'],
  ])('a Cilium %s %j is a finding: %s', (field, value, why) => {
    const objects = withPolicy({ fqdnProvider: FqdnProvider.CILIUM, egress: [PYPI] }).chart.toJson();
    objects.find((o: any) => o.kind === 'CiliumNetworkPolicy').spec.egress[1].toFQDNs = [{ [field]: value }];
    const findings = auditObjectsText(objects);
    expect(findings.map((f) => [f.rule, f.path])).toEqual([['egress-peers', `spec.egress[1].toFQDNs[0].${field}`]]);
    expect(findings[0].message).toContain(`${field} ${JSON.stringify(value)} ${why}`);
  });

  test('names under a domain pass, patterns the builder\'s stricter grammar refuses among them (sub*., **.)', () => {
    for (const safe of ['pypi.org', '*.pythonhosted.org', 'files.pythonhosted.org', 'PyPI.org.', 'sub*.example.com', '**.example.com', '*.*.example.com']) expect([safe, fqdnReachProblems(safe)]).toEqual([safe, []]);
  });

  test('Cilium rules that name no destination, wide entities or forbidden CIDRs are findings too; the DNS proxy rule is not', () => {
    const policy = (egress: any[]) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'hand', namespace: 'sandbox' }, spec: { endpointSelector: SELECTOR, egress } });
    const findings = auditObjectsText([policy([
      CILIUM_DNS_RULE,
      { toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
      { toEntities: ['world'], toPorts: [{ ports: [{ port: '443' }] }] },
      { toCIDR: ['169.254.169.254/32'] },
      { toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }] },
    ])]);
    expect(findings.map((f) => [f.rule, f.path])).toEqual([
      ['egress-peers', 'spec.egress[1]'],
      ['egress-peers', 'spec.egress[2].toEntities'],
      ['egress-peers', 'spec.egress[3].toCIDR[0]'],
      ['egress-peers', 'spec.egress[4].toCIDRSet[0]'],
    ]);
    expect(findings[0].message).toContain('egress rule 1 names no destination');
    expect(findings[1].message).toContain('toEntities ["world"] reaches beyond named peers');
    expect(findings[2].message).toBe('egress rule 3 CIDR "169.254.169.254/32" reaches 169.254.169.254/32 (the metadata server)');
    expect(findings[3].message).toContain('egress rule 4 CIDR "0.0.0.0/0" reaches 168.63.129.16/32 (the Azure WireServer), 169.254.0.0/16 (link-local, the metadata server 169.254.169.254)');
    expect(findings[3].message).toContain('its except ["10.0.0.0/8"] does not exclude them');
  });

  test('a CiliumClusterwideNetworkPolicy\'s `specs` and the open-source FQDNNetworkPolicy controller\'s `to[].fqdns` are read too', () => {
    const findings = auditObjectsText([
      { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'wide' }, specs: [{ endpointSelector: {}, egress: [{ toFQDNs: [{ matchPattern: '*' }], toPorts: [{ ports: [{ port: '80' }] }] }] }] },
      { apiVersion: 'networking.gke.io/v1alpha3', kind: 'FQDNNetworkPolicy', metadata: { name: 'oss', namespace: 'sandbox' }, spec: { podSelector: {}, egress: [{ to: [{ fqdns: ['metadata.google.internal'] }], ports: [{ port: 80 }] }] } },
    ]);
    expect(findings.map((f) => [f.rule, f.object.kind, f.path])).toEqual([
      ['egress-peers', 'CiliumClusterwideNetworkPolicy', 'specs[0].egress[0].toFQDNs[0].matchPattern'],
      ['egress-peers', 'FQDNNetworkPolicy', 'spec.egress[0].to[0].fqdns[0]'],
    ]);
  });

  test('network-isolation: a CiliumNetworkPolicy or FQDNNetworkPolicy alone does not isolate a sandboxed pod', () => {
    for (const kind of ['CiliumNetworkPolicy', 'FQDNNetworkPolicy']) {
      const objects = withPolicy({ fqdnProvider: kind === 'FQDNNetworkPolicy' ? FqdnProvider.GKE : FqdnProvider.CILIUM, egress: [PYPI] }).chart.toJson()
        .filter((o: any) => o.kind !== 'NetworkPolicy');
      const isolation = auditObjectsText(objects).filter((f) => f.rule === 'network-isolation');
      expect(isolation.map((f) => [f.object.kind, f.object.name])).toEqual([['Deployment', 'api']]);
      expect(isolation[0].message).toContain('are selected by no NetworkPolicy with policyTypes Ingress and Egress; their ingress and egress traffic is unrestricted');
    }
  });
});

describe('synth', () => {
  function synthErrors(app: App): string[] {
    try {
      app.synth();
      return [];
    } catch (e) {
      return (e as Error).message.split('\n').slice(1).map((l) => l.trim());
    }
  }

  test('the app synthesizes both objects', () => {
    const { chart } = withPolicy({ fqdnProvider: FqdnProvider.CILIUM, egress: [PYPI] });
    const app = chart.node.scope as App;
    expect(synthErrors(app)).toEqual([]);
    const written = fs.readdirSync(app.outdir).flatMap((f) => jsyaml.loadAll(fs.readFileSync(path.join(app.outdir, f), 'utf8')) as any[]);
    expect(written.map((o) => o.kind).sort()).toEqual(['CiliumNetworkPolicy', 'Deployment', 'NetworkPolicy', 'PodDisruptionBudget', 'ServiceAccount']);
  });

  test('an escape hatch that widens the names to `*` fails synth, naming the construct and the rule', () => {
    const { chart, policy } = withPolicy({ fqdnProvider: FqdnProvider.GKE, egress: [PYPI] });
    policy.fqdnPolicy!.addJsonPatch(JsonPatch.replace('/spec/egress/0/matches/1', { pattern: '*' }));
    const errors = synthErrors(chart.node.scope as App);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^\[cdk8s-sandbox-synth-guard\] \[c\/pol\/FqdnPolicy\] \[egress-peers\] spec\.egress\[0\]\.matches\[1\]\.pattern: egress rule 0 pattern "\*" matches every domain name/);
  });
});
