// The cross-resource rules: label selectors, network isolation, dangling policies, egress scope,
// namespace labels, quotas and disruption budgets, judged on small hand-written object sets.
import {
  CROSS_RESOURCE_RULES, KubeObject, RULES, checkObjectSet, cidrContains, parseCidr, selectorMatches, unexceptedRanges,
} from '../src/profile';
import { buildSandboxNamespace } from '../src/builders/namespace';
import { cidrText, ipBlockRanges, rangeOfCidr, rangesCover } from '../src/profile/cidr';

function deployment(name: string, labels: Record<string, string>, extra: { namespace?: string; replicas?: number } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, ...(extra.namespace ? { namespace: extra.namespace } : {}) },
    spec: { ...(extra.replicas !== undefined ? { replicas: extra.replicas } : {}), selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'main', image: 'app:1' }] } } },
  };
}

function policy(name: string, podSelector: any, extra: { namespace?: string; policyTypes?: string[]; egress?: any[] } = {}): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
    metadata: { name, ...(extra.namespace ? { namespace: extra.namespace } : {}) },
    spec: { podSelector, policyTypes: extra.policyTypes ?? ['Ingress', 'Egress'], ...(extra.egress ? { egress: extra.egress } : {}) },
  };
}

const ids = (objects: KubeObject[], options = {}) => checkObjectSet(objects, options).map((f) => `${f.rule} ${f.object.kind}/${f.object.name} ${f.path}`);

describe('selectorMatches', () => {
  const labels = { app: 'api', tier: 'sandbox' };
  test.each([
    ['empty selector selects everything', {}, true],
    ['matching matchLabels', { matchLabels: { app: 'api' } }, true],
    ['a differing matchLabels value', { matchLabels: { app: 'web' } }, false],
    ['a missing matchLabels key', { matchLabels: { zone: 'a' } }, false],
    ['In with the value', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['sandbox', 'x'] }] }, true],
    ['In without the value', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['x'] }] }, false],
    ['In on an absent key', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, false],
    ['In with no values (invalid)', { matchExpressions: [{ key: 'tier', operator: 'In', values: [] }] }, false],
    ['NotIn without the value', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['x'] }] }, true],
    ['NotIn with the value', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['sandbox'] }] }, false],
    ['NotIn on an absent key', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, true],
    ['Exists on a present key', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, true],
    ['Exists on an absent key', { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, false],
    ['DoesNotExist on an absent key', { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, true],
    ['DoesNotExist on a present key', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    ['an unknown operator', { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['api'] }] }, false],
    ['matchLabels AND matchExpressions, both hold', { matchLabels: { app: 'api' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, true],
    ['matchLabels AND matchExpressions, one fails', { matchLabels: { app: 'api' }, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, false],
  ])('%s', (_name, selector, expected) => {
    expect(selectorMatches(selector as any, labels)).toBe(expected);
  });

  test('a null selector selects nothing, an empty one selects unlabelled pods', () => {
    expect(selectorMatches(undefined, labels)).toBe(false);
    expect(selectorMatches(null, labels)).toBe(false);
    expect(selectorMatches({}, undefined)).toBe(true);
  });
});

describe('CIDRs', () => {
  test('parse IPv4 and IPv6, refuse garbage', () => {
    expect(parseCidr('10.1.0.0/16')).toEqual({ bits: 32, addr: 0x0a010000n, prefix: 16 });
    expect(parseCidr('::/0')).toEqual({ bits: 128, addr: 0n, prefix: 0 });
    expect(parseCidr('fd20:ce::254/128')?.addr).toBe(0xfd2000ce000000000000000000000254n);
    expect(parseCidr('::ffff:10.0.0.1/128')).toEqual({ bits: 32, addr: 0x0a000001n, prefix: 32 });
    for (const bad of ['10.0.0.0', '10.0.0.256/8', '10.0.0.0/33', 'a::b::c/64', 'x/1', 42]) expect(parseCidr(bad)).toBeUndefined();
  });

  test('IPv4-mapped IPv6 is the IPv4 CIDR Kubernetes reads it as, from a /96 up', () => {
    expect(parseCidr('::ffff:0.0.0.0/96')).toEqual({ bits: 32, addr: 0n, prefix: 0 });
    expect(parseCidr('::ffff:169.254.169.254/128')).toEqual({ bits: 32, addr: 0xa9fea9fen, prefix: 32 });
    expect(parseCidr('::FFFF:a9fe:a9fe/128')).toEqual({ bits: 32, addr: 0xa9fea9fen, prefix: 32 });
    expect(parseCidr('0:0:0:0:0:ffff:0a00:0/104')).toEqual({ bits: 32, addr: 0x0a000000n, prefix: 8 });
    // A shorter prefix masks the ffff away: Go keeps those IPv6, and so does the parser.
    expect(parseCidr('::ffff:0:0/95')?.bits).toBe(128);
    expect(parseCidr('::/80')?.bits).toBe(128);
    expect(parseCidr('64:ff9b::a9fe:a9fe/128')?.bits).toBe(128);
    expect(cidrText(parseCidr('::ffff:203.0.113.0/120')!)).toBe('203.0.113.0/24');
    expect(['::/0', 'fd20:ce::254/128', '2001:db8::/32', '1:0:0:2::/64', 'fe80::1:0:0:1/128'].map((c) => cidrText(parseCidr(c)!))).toEqual(['::/0', 'fd20:ce::254/128', '2001:db8::/32', '1:0:0:2::/64', 'fe80::1:0:0:1/128']);
  });

  test('IPv4-mapped CIDRs and excepts reach what their IPv4 reaches', () => {
    expect(unexceptedRanges({ cidr: '::ffff:0.0.0.0/96' })).toEqual(unexceptedRanges({ cidr: '0.0.0.0/0' }));
    expect(unexceptedRanges({ cidr: '::ffff:169.254.169.254/128' })).toEqual(['169.254.169.254/32 (the metadata server)']);
    expect(unexceptedRanges({ cidr: '0.0.0.0/0', except: ['::ffff:169.254.0.0/112', '::ffff:10.0.0.0/104', '::ffff:172.16.0.0/108', '::ffff:192.168.0.0/112', '::ffff:100.64.0.0/106', '::ffff:168.63.129.16/128'] })).toEqual([]);
    expect(unexceptedRanges({ cidr: '::ffff:0.0.0.0/96', except: ['169.254.0.0/16', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '168.63.129.16/32'] })).toEqual([]);
  });

  test('address ranges: an ipBlock without its excepts, and whether ranges together cover a CIDR', () => {
    const r = (c: string) => rangeOfCidr(parseCidr(c)!);
    expect(rangesCover([r('10.0.0.0/9'), r('10.128.0.0/9')], r('10.0.0.0/8'))).toBe(true);
    expect(rangesCover([r('10.0.0.0/9'), r('10.128.0.0/10')], r('10.0.0.0/8'))).toBe(false);
    expect(rangesCover([r('0.0.0.0/1'), r('10.0.0.0/16')], r('10.0.0.0/8'))).toBe(true);
    expect(rangesCover([r('::/1'), r('10.0.0.0/8')], r('fc00::/7'))).toBe(false);
    expect(ipBlockRanges({ cidr: '10.0.0.0/8', except: ['10.0.0.0/9', 'nope', 'fc00::/7'] })).toEqual([r('10.128.0.0/9')]);
    expect(rangesCover(ipBlockRanges({ cidr: '0.0.0.0/0', except: ['10.1.0.0/16'] }), r('10.0.0.0/8'))).toBe(false);
    expect(ipBlockRanges({ cidr: 'bad' })).toEqual([]);
  });

  test('containment', () => {
    expect(cidrContains(parseCidr('0.0.0.0/0')!, parseCidr('169.254.0.0/16')!)).toBe(true);
    expect(cidrContains(parseCidr('169.254.20.10/32')!, parseCidr('169.254.0.0/16')!)).toBe(false);
    expect(cidrContains(parseCidr('10.0.0.0/8')!, parseCidr('10.2.0.0/16')!)).toBe(true);
    expect(cidrContains(parseCidr('::/0')!, parseCidr('10.0.0.0/8')!)).toBe(false);
  });

  test('the forbidden ranges an ipBlock reaches', () => {
    expect(unexceptedRanges({ cidr: '0.0.0.0/0' }).map((r) => r.split(' ')[0])).toEqual(['168.63.129.16/32', '169.254.0.0/16', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10']);
    expect(unexceptedRanges({ cidr: '0.0.0.0/0', except: ['169.254.0.0/16', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '168.63.129.16/32'] })).toEqual([]);
    expect(unexceptedRanges({ cidr: '0.0.0.0/0', except: ['169.254.169.254/32', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '168.63.129.16/32'] }).map((r) => r.split(' ')[0])).toEqual(['169.254.0.0/16']);
    // RFC 1918 and link-local alone leave the Alibaba Cloud metadata server and the Azure WireServer reachable.
    expect(unexceptedRanges({ cidr: '0.0.0.0/0', except: ['169.254.0.0/16', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] })).toEqual([
      '168.63.129.16/32 (the Azure WireServer)',
      '100.64.0.0/10 (shared address space: pod ranges on EKS and GKE, the Alibaba Cloud metadata server 100.100.100.200)',
    ]);
    expect(unexceptedRanges({ cidr: '::/0' }).map((r) => r.split(' ')[0])).toEqual(['fe80::/10', 'fc00::/7']);
    expect(unexceptedRanges({ cidr: '0.0.0.0/1' }).map((r) => r.split(' ')[0])).toEqual(['10.0.0.0/8', '100.64.0.0/10']);
    expect(unexceptedRanges({ cidr: '169.254.20.10/32' })).toEqual([]);
    expect(unexceptedRanges({ cidr: '8.8.8.8/32' })).toEqual([]);
  });
});

describe('network-isolation', () => {
  const api = deployment('api', { app: 'api' });

  test('a pod no policy selects is reported once, naming both directions', () => {
    const findings = checkObjectSet([api]).filter((f) => f.rule === 'network-isolation');
    expect(findings).toEqual([expect.objectContaining({ object: { kind: 'Deployment', name: 'api' }, path: 'spec.template.metadata.labels' })]);
    expect(findings[0].message).toBe('pods with labels app=api in namespace "default" are selected by no NetworkPolicy with policyTypes Ingress and Egress; their ingress and egress traffic is unrestricted');
  });

  test('a deny-all policy for both directions isolates the pod', () => {
    expect(ids([api, policy('deny', {})])).toEqual([]);
  });

  test('ingress-only and egress-only policies together isolate the pod', () => {
    expect(ids([api, policy('in', { matchLabels: { app: 'api' } }, { policyTypes: ['Ingress'] }), policy('out', {}, { policyTypes: ['Egress'] })])).toEqual([]);
  });

  test('a policy without policyTypes enforces Ingress only, unless it has egress rules', () => {
    const noTypes = { ...policy('in', {}), spec: { podSelector: {} } };
    const findings = checkObjectSet([api, noTypes]).filter((f) => f.rule === 'network-isolation');
    expect(findings.map((f) => f.message)).toEqual([expect.stringContaining('with policyTypes Egress; their egress traffic is unrestricted')]);
    const withEgress = { ...policy('both', {}), spec: { podSelector: {}, egress: [{ to: [{ podSelector: {} }] }] } };
    expect(checkObjectSet([api, withEgress]).filter((f) => f.rule === 'network-isolation')).toEqual([]);
  });

  test('a policy in another namespace does not isolate the pod', () => {
    expect(ids([api, policy('deny', {}, { namespace: 'other' })])).toEqual([
      'network-isolation Deployment/api spec.template.metadata.labels',
    ]);
  });

  test('namespace-less objects live in the default namespace, or in the one the options name', () => {
    expect(ids([api, policy('deny', {}, { namespace: 'default' })])).toEqual([]);
    expect(ids([api, policy('deny', {}, { namespace: 'sandbox' })], { defaultNamespace: 'sandbox' })).toEqual([]);
  });

  test('matchExpressions decide which pods a policy selects', () => {
    const notApi = policy('deny', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['api'] }] });
    expect(ids([api, deployment('web', { app: 'web' }), notApi])).toEqual(['network-isolation Deployment/api spec.template.metadata.labels']);
  });

  test('pods of every workload kind are judged, at their own template path', () => {
    const cron: KubeObject = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template: { metadata: { labels: { a: 'b' } }, spec: { containers: [] } } } } } };
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } }, spec: { containers: [] } };
    expect(ids([cron, pod])).toEqual([
      'network-isolation CronJob/c spec.jobTemplate.spec.template.metadata.labels',
      'network-isolation Pod/p metadata.labels',
    ]);
  });
});

describe('network-policy-selects-pods', () => {
  test('a policy whose selector matches no pod of its namespace is dangling', () => {
    const findings = checkObjectSet([deployment('api', { app: 'api' }), policy('deny', {}), policy('typo', { matchLabels: { app: 'apj' } })])
      .filter((f) => f.rule === 'network-policy-selects-pods');
    expect(findings).toEqual([expect.objectContaining({ object: { kind: 'NetworkPolicy', name: 'typo' }, path: 'spec.podSelector' })]);
    expect(findings[0].message).toBe('podSelector {"matchLabels":{"app":"apj"}} selects no pod: none of the 1 pod template(s) in namespace "default" carries matching labels (Deployment/api: app=api), so the policy isolates nothing');
  });

  test('a namespace-wide default deny shipped without workloads is not a finding', () => {
    expect(ids([policy('deny', {}, { namespace: 'sandbox' })])).toEqual([]);
    expect(ids([{ ...policy('deny', {}), spec: { policyTypes: ['Ingress', 'Egress'] } }])).toEqual([]);
  });

  test('a labelled selector with no pod in its namespace is a finding, and says why', () => {
    const findings = checkObjectSet([deployment('api', { app: 'api' }), policy('p', { matchLabels: { app: 'api' } }, { namespace: 'sandbox' })])
      .filter((f) => f.rule === 'network-policy-selects-pods');
    expect(findings.map((f) => f.message)).toEqual(['podSelector {"matchLabels":{"app":"api"}} selects no pod: the audited set has no pod in namespace "sandbox", so the policy isolates nothing']);
  });

  test('an empty selector with pods in its namespace selects them', () => {
    expect(ids([deployment('api', { app: 'api' }, { namespace: 's' }), policy('deny', {}, { namespace: 's' })])).toEqual([]);
  });
});

describe('egress-peers', () => {
  const api = deployment('api', { app: 'api' });
  const withEgress = (egress: any[]) => [api, policy('p', {}, { egress })];

  test('rules that name their peers pass', () => {
    expect(ids(withEgress([
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }] },
      { to: [{ ipBlock: { cidr: '169.254.20.10/32' } }], ports: [{ port: 53, protocol: 'UDP' }] },
      { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10', '168.63.129.16/32'] } }], ports: [{ port: 443 }] },
    ]))).toEqual([]);
  });

  test('a rule without `to`, or with an empty one, opens its ports to every destination', () => {
    const findings = checkObjectSet(withEgress([{ ports: [{ port: 443 }] }, { to: [] }])).filter((f) => f.rule === 'egress-peers');
    expect(findings.map((f) => [f.path, f.message])).toEqual([
      ['spec.egress[0]', 'egress rule 0 has no `to`: port(s) 443/TCP open to every destination, the internet and the metadata server included'],
      ['spec.egress[1]', 'egress rule 1 has an empty `to`: every port open to every destination, the internet and the metadata server included'],
    ]);
  });

  test('an empty peer, and ipBlocks reaching the metadata server or private ranges', () => {
    const findings = checkObjectSet(withEgress([
      { to: [{}] },
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0', except: ['fc00::/7', 'fe80::/10'] } }] },
    ])).filter((f) => f.rule === 'egress-peers');
    expect(findings.map((f) => f.path)).toEqual(['spec.egress[0].to[0]', 'spec.egress[1].to[0].ipBlock']);
    expect(findings[1].message).toBe('egress rule 1 ipBlock "0.0.0.0/0" reaches 168.63.129.16/32 (the Azure WireServer), 169.254.0.0/16 (link-local, the metadata server 169.254.169.254), 10.0.0.0/8 (private network), 172.16.0.0/12 (private network), 192.168.0.0/16 (private network), 100.64.0.0/10 (shared address space: pod ranges on EKS and GKE, the Alibaba Cloud metadata server 100.100.100.200): its except unset does not exclude them');
    expect(findings[1].fix).toBe('Add 168.63.129.16/32, 169.254.0.0/16, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10 to ipBlock.except (or name narrower CIDRs).');
  });
});

describe('egress-peers and the metadata server', () => {
  const api = deployment('api', { app: 'api' });
  const findingsOf = (egress: any[]) => checkObjectSet([api, policy('p', {}, { egress })]).filter((f) => f.rule === 'egress-peers');

  test('a narrow CIDR that holds the metadata server is flagged on any port but DNS', () => {
    const findings = findingsOf([
      { to: [{ ipBlock: { cidr: '169.254.169.254/32' } }], ports: [{ port: 80 }] },
      { to: [{ ipBlock: { cidr: '169.254.128.0/17' } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 8080 }] },
      { to: [{ ipBlock: { cidr: 'fd20:ce::254/128' } }], ports: [{ port: 443 }] },
    ]);
    expect(findings.map((f) => [f.path, f.message])).toEqual([
      ['spec.egress[0].to[0].ipBlock', 'egress rule 0 ipBlock "169.254.169.254/32" reaches 169.254.169.254/32 (the metadata server): its except unset does not exclude them'],
      ['spec.egress[1].to[0].ipBlock', 'egress rule 1 ipBlock "169.254.128.0/17" reaches 169.254.169.254/32 (the metadata server), 169.254.169.252/32 (the GKE metadata server of Workload Identity), 169.254.170.23/32 (the EKS Pod Identity agent): its except unset does not exclude them'],
      ['spec.egress[2].to[0].ipBlock', 'egress rule 2 ipBlock "fd20:ce::254/128" reaches fd20:ce::254/128 (the metadata server): its except unset does not exclude them'],
    ]);
  });

  test('GKE Cloud DNS (the metadata server on port 53 only) and an excepted range pass', () => {
    expect(findingsOf([
      { to: [{ ipBlock: { cidr: '169.254.169.254/32' } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
      { to: [{ ipBlock: { cidr: '169.254.128.0/17', except: ['169.254.169.254/32', '169.254.169.252/32', '169.254.170.0/24'] } }], ports: [{ port: 443 }] },
    ])).toEqual([]);
  });

  test('a rule without ports is not DNS-only', () => {
    expect(findingsOf([{ to: [{ ipBlock: { cidr: '169.254.169.254/32' } }] }]).map((f) => f.path)).toEqual(['spec.egress[0].to[0].ipBlock']);
  });
});

describe('namespace rules', () => {
  const ns = (name: string, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  const quota = (kind: string, namespace: string): KubeObject => ({ apiVersion: 'v1', kind, metadata: { name: 'q', namespace }, spec: {} });
  const job = deployment('api', { app: 'api' }, { namespace: 'sandbox' });
  const deny = policy('deny', {}, { namespace: 'sandbox' });

  test('a Namespace holding sandboxed pods must enforce restricted and carry a quota and a limit range', () => {
    expect(ids([ns('sandbox'), job, deny])).toEqual([
      'namespace-pod-security Namespace/sandbox metadata.labels["pod-security.kubernetes.io/enforce"]',
      'namespace-quota Namespace/sandbox metadata.name',
    ]);
    const messages = checkObjectSet([ns('sandbox', { 'pod-security.kubernetes.io/enforce': 'baseline' }), job, deny, quota('LimitRange', 'sandbox')]).map((f) => f.message);
    expect(messages).toEqual([
      'Namespace "sandbox" holds sandboxed pods but its pod-security.kubernetes.io/enforce label is "baseline"; must be "restricted"',
      'Namespace "sandbox" holds sandboxed pods but the set has no ResourceQuota in it',
    ]);
  });

  test('a Namespace that sets a weaker level is reported though the set holds no pod in it', () => {
    for (const level of ['privileged', 'baseline', 'Restricted']) {
      expect(checkObjectSet([ns('tools', { 'pod-security.kubernetes.io/enforce': level })]).map((f) => [f.rule, f.path, f.message])).toEqual([[
        'namespace-pod-security', 'metadata.labels["pod-security.kubernetes.io/enforce"]',
        `Namespace "tools" sets pod-security.kubernetes.io/enforce to "${level}": any pod created in it later, a sandbox's included, is admitted without the restricted checks (the set holds none in it yet); must be "restricted"`,
      ]]);
    }
  });

  test('a sandbox namespace must enforce restricted whatever it holds', () => {
    const sandboxNs = ns('jobs', { 'app.kubernetes.io/managed-by': 'cdk8s-sandbox' });
    expect(checkObjectSet([sandboxNs]).map((f) => f.message)).toEqual([
      'Namespace "jobs" is a sandbox namespace (app.kubernetes.io/managed-by=cdk8s-sandbox) but its pod-security.kubernetes.io/enforce label is unset; must be "restricted" whatever the set holds: the pods created in it later are admitted under it',
    ]);
    // SandboxNamespace's own objects pass; with the label weakened, its Namespace is reported without any pod in it.
    const built = buildSandboxNamespace('app/jobs', { name: 'jobs' });
    expect(checkObjectSet(built.objects)).toEqual([]);
    const weakened = { ...built.namespace, metadata: { ...built.namespace.metadata, labels: { ...built.namespace.metadata!.labels, 'pod-security.kubernetes.io/enforce': 'privileged' } } };
    expect(checkObjectSet([weakened, built.resourceQuota, built.limitRange, built.defaultDenyPolicy]).map((f) => f.message)).toEqual([
      'Namespace "jobs" is a sandbox namespace (app.kubernetes.io/managed-by=cdk8s-sandbox) but its pod-security.kubernetes.io/enforce label is "privileged"; must be "restricted" whatever the set holds: the pods created in it later are admitted under it',
    ]);
  });

  test('a compliant Namespace, and Namespaces without pods in the set, pass', () => {
    expect(ids([ns('sandbox', { 'pod-security.kubernetes.io/enforce': 'restricted' }), job, deny, quota('ResourceQuota', 'sandbox'), quota('LimitRange', 'sandbox'), ns('empty')])).toEqual([]);
  });
});

describe('runtime-class-handler', () => {
  const rc = (name: string, handler?: string): KubeObject => ({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name }, ...(handler !== undefined ? { handler } : {}) });
  const podOn = (name: string, runtimeClassName: string): KubeObject => {
    const d = deployment(name, { app: name }, { namespace: 'sandbox' });
    return { ...d, spec: { ...d.spec, template: { ...d.spec.template, spec: { ...d.spec.template.spec, runtimeClassName } } } };
  };
  const deny = policy('deny', {}, { namespace: 'sandbox' });
  const FIX = 'Set handler: runsc (the containerd runtime of runsc) on a self-managed cluster, or use the gvisor RuntimeClass GKE Sandbox installs (handler gvisor); give a RuntimeClass of another runtime a name that does not claim gVisor, and do not let sandboxed pods name it.';

  test('a RuntimeClass named gvisor with handler runc is reported, with no pod in the set', () => {
    expect(checkObjectSet([rc('gvisor', 'runc')])).toEqual([{
      rule: 'runtime-class-handler', object: { kind: 'RuntimeClass', name: 'gvisor' }, path: 'handler',
      message: 'RuntimeClass "gvisor" has handler "runc": its name says it is the sandbox runtime, and pods naming it run on that runtime, not in gVisor; allowed: "runsc" or "gvisor"',
      fix: FIX,
    }]);
    expect(checkObjectSet([rc('runsc-kvm', 'kata')]).map((f) => f.object.name)).toEqual(['runsc-kvm']);
    expect(checkObjectSet([rc('sandbox', 'crun')], { runtimeClassName: 'sandbox' }).map((f) => f.object.name)).toEqual(['sandbox']);
  });

  test('a RuntimeClass pods name is reported with another handler, naming the pods', () => {
    const pods = ['a', 'b', 'c', 'd'].map((n) => podOn(n, 'secure'));
    expect(checkObjectSet([rc('secure', 'runc'), ...pods, deny]).map((f) => f.message)).toEqual([
      'RuntimeClass "secure" has handler "runc": pods name it (Deployment sandbox/a, Deployment sandbox/b, Deployment sandbox/c, ...) and run on that runtime, not in gVisor; allowed: "runsc" or "gvisor"',
    ]);
  });

  test('gVisor handlers, and RuntimeClasses neither used nor named like the sandbox, pass', () => {
    expect(checkObjectSet([rc('gvisor', 'runsc'), rc('gvisor-gke', 'gvisor'), podOn('a', 'gvisor'), deny])).toEqual([]);
    expect(checkObjectSet([rc('nvidia', 'nvidia'), rc('kata', 'kata-qemu')])).toEqual([]);
    // No handler: the API server requires one, so there is nothing to judge (the audit's skeletons of other kinds carry none).
    expect(checkObjectSet([rc('gvisor')])).toEqual([]);
  });
});

describe('availability', () => {
  const pdb = (selector: any, namespace?: string): KubeObject => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'pdb', ...(namespace ? { namespace } : {}) }, spec: { maxUnavailable: 1, selector } });
  const deny = policy('deny', {});

  test('a replicated Deployment needs a PodDisruptionBudget selecting its pods', () => {
    const api = deployment('api', { app: 'api' }, { replicas: 2 });
    expect(ids([api, deny])).toEqual(['availability Deployment/api spec.replicas']);
    expect(ids([api, deny, pdb({ matchLabels: { app: 'api' } })])).toEqual([]);
    expect(ids([api, deny, pdb({ matchLabels: { app: 'web' } })])).toEqual(['availability Deployment/api spec.replicas']);
    expect(ids([api, deny, pdb({ matchLabels: { app: 'api' } }, 'other')])).toEqual(['availability Deployment/api spec.replicas']);
  });

  test('one replica, or none given, needs no budget', () => {
    expect(ids([deployment('a', { app: 'a' }, { replicas: 1 }), deployment('b', { app: 'b' }), deny])).toEqual([]);
  });
});

test('rule ids are unique across the per-object and cross-resource tables', () => {
  const all = [...RULES.map((r) => r.id), ...CROSS_RESOURCE_RULES.map((r) => r.id)];
  expect(new Set(all).size).toBe(all.length);
  expect(CROSS_RESOURCE_RULES.map((r) => `${r.row} ${r.id}`)).toEqual([
    '1 runtime-class-handler', '18 network-isolation', '18 network-policy-selects-pods', '19 egress-peers', '23 namespace-pod-security', '24 namespace-quota', '25 availability',
  ]);
});

test('objects that are not Kubernetes objects are ignored', () => {
  expect(checkObjectSet([null as any, 42 as any, { apiVersion: 'v1' } as any])).toEqual([]);
});
