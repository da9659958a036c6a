// The selector rules look candidates up in an index instead of trying every pair: on random sets of
// pods, policies and budgets with every kind of selector, they must flag exactly the objects that
// trying every pair with selectorMatches flags.
import { KubeObject, crossResourceRuleById, policyTypesOf, resolveCrossResourceOptions, selectorMatches } from '../src/profile';
import { ipBlockRanges, parseCidr, rangeOfCidr, rangesCover } from '../src/profile/cidr';

/** A small deterministic random source (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['app', 'tier', 'zone', 'constructor', 'length', '0', 'k1', 'k2', 'k3', 'k4', 'k5'];
const VALUES: unknown[] = ['a', 'b', 'c', '1', 1, true, 'true', null, ''];
const NAMESPACES = [undefined, 'default', 'x', 'y'];

/** Egress CIDRs of which none holds 10.0.0.0/8 alone, but some together do. */
const HALVES = ['10.0.0.0/9', '10.128.0.0/9', '10.0.0.0/10', '10.64.0.0/10', '8.8.8.0/24'];

function randomSet(seed: number): KubeObject[] {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const labels = (): any => {
    const r = rnd();
    if (r < 0.05) return undefined;
    if (r < 0.08) return pick(['ab', ['a'], 5]);
    const out: any = {};
    for (const key of KEYS) if (rnd() < 0.35) out[key] = pick(VALUES);
    return out;
  };
  const requirement = (): any => {
    const key = pick([...KEYS, undefined]);
    switch (Math.floor(rnd() * 8)) {
      case 0: return { key, operator: 'In', values: [pick(VALUES), pick(VALUES)] };
      case 1: return { key, operator: 'In', values: [] };
      case 2: return { key, operator: 'NotIn', values: [pick(VALUES)] };
      case 3: return { key, operator: 'Exists' };
      case 4: return { key, operator: 'DoesNotExist' };
      case 5: return { key, operator: 'In' };
      case 6: return { key, operator: 'Equals', values: ['a'] };
      default: return { key, operator: 'In', values: [pick(VALUES)] };
    }
  };
  const selector = (): any => {
    const r = rnd();
    if (r < 0.05) return pick([undefined, null, 'x', 5, []]);
    const out: any = {};
    if (rnd() < 0.6) {
      out.matchLabels = {};
      for (const key of [...KEYS].sort(() => rnd() - 0.5)) if (rnd() < 0.2) out.matchLabels[key] = pick(VALUES);
    }
    if (rnd() < 0.5) out.matchExpressions = Array.from({ length: 1 + Math.floor(rnd() * 2) }, requirement);
    return out;
  };
  const metadata = (name: string) => {
    const namespace = pick(NAMESPACES);
    return { name, ...(namespace !== undefined ? { namespace } : {}) };
  };
  const objects: KubeObject[] = [];
  for (let i = 0; i < 60; i++) {
    const kind = pick(['Deployment', 'StatefulSet', 'Pod', 'Job']);
    const l = labels();
    objects.push(kind === 'Pod'
      ? { apiVersion: 'v1', kind, metadata: { ...metadata(`w${i}`), ...(l !== undefined ? { labels: l } : {}) }, spec: { containers: [] } }
      : { apiVersion: 'apps/v1', kind, metadata: metadata(`w${i}`), spec: { replicas: pick([1, 2, 3]), template: { metadata: { ...(l !== undefined ? { labels: l } : {}) }, spec: { containers: [] } } } });
  }
  for (let i = 0; i < 30; i++) {
    const s = selector();
    const egress = rnd() < 0.5 ? { egress: [{ to: [{ ipBlock: { cidr: pick(HALVES) } }], ports: [{ port: 443 }] }] } : {};
    objects.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: metadata(`np${i}`), spec: { ...(s !== undefined ? { podSelector: s } : {}), ...(rnd() < 0.7 ? { policyTypes: pick([['Ingress'], ['Egress'], ['Ingress', 'Egress']]) } : {}), ...egress } });
    objects.push({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: metadata(`pdb${i}`), spec: { selector: selector() } });
  }
  return objects;
}

/** The labels and namespace of each workload's pods, as the rules read them. */
function podsOf(objects: readonly KubeObject[]) {
  const template = (o: KubeObject) => (o.kind === 'Pod' ? o.metadata : o.spec.template.metadata) ?? {};
  return objects.filter((o) => ['Deployment', 'StatefulSet', 'Pod', 'Job'].includes(o.kind))
    .map((o) => ({ o, namespace: o.metadata?.namespace || 'default', labels: template(o).labels ?? {} }));
}

const flagged = (id: string, objects: KubeObject[]) =>
  crossResourceRuleById(id)!.check(objects, resolveCrossResourceOptions()).map((f) => f.object.name).sort();

describe.each(Array.from({ length: 40 }, (_, i) => i + 1))('random set %i', (seed) => {
  const objects = randomSet(seed);
  const pods = podsOf(objects);
  const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const ns = (o: KubeObject) => o.metadata?.namespace || 'default';

  test('network-isolation flags the pods every pair leaves without ingress or egress', () => {
    const expected = pods.filter((p) => {
      const selecting = ofKind('NetworkPolicy').filter((np) => ns(np) === p.namespace && selectorMatches(np.spec.podSelector ?? {}, p.labels));
      return !['Ingress', 'Egress'].every((type) => selecting.some((np) => policyTypesOf(np).includes(type)));
    }).map((p) => p.o.metadata!.name!).sort();
    const unisolated = crossResourceRuleById('network-isolation')!.check(objects, resolveCrossResourceOptions())
      .filter((f) => f.message.includes('are selected by no NetworkPolicy with policyTypes')).map((f) => f.object.name).sort();
    expect(unisolated).toEqual(expected);
  });

  test('network-isolation flags the pods whose selecting policies (every pair) together reach 10.0.0.0/8', () => {
    const whole = rangeOfCidr(parseCidr('10.0.0.0/8')!);
    const expected = pods.filter((p) => {
      const selecting = ofKind('NetworkPolicy').filter((np) => ns(np) === p.namespace && selectorMatches(np.spec.podSelector ?? {}, p.labels) && policyTypesOf(np).includes('Egress'));
      const blocks = selecting.flatMap((np) => (np.spec.egress ?? []).map((r: any) => r.to[0].ipBlock));
      return rangesCover(blocks.flatMap(ipBlockRanges), whole);
    }).map((p) => p.o.metadata!.name!).sort();
    const union = crossResourceRuleById('network-isolation')!.check(objects, resolveCrossResourceOptions())
      .filter((f) => f.message.includes('can reach 10.0.0.0/8 (private network) whole')).map((f) => f.object.name).sort();
    expect(union).toEqual(expected);
  });

  test('network-policy-selects-pods flags the policies that select no pod of every pair', () => {
    const expected = ofKind('NetworkPolicy').filter((np) => {
      const inNamespace = pods.filter((p) => p.namespace === ns(np));
      const selector = np.spec.podSelector ?? {};
      const empty = Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
      if (empty && inNamespace.length === 0) return false;
      return !inNamespace.some((p) => selectorMatches(selector, p.labels));
    }).map((np) => np.metadata!.name!).sort();
    expect(flagged('network-policy-selects-pods', objects)).toEqual(expected);
  });

  test('availability flags the replicated workloads no budget of every pair selects', () => {
    const expected = pods.filter((p) => ['Deployment', 'StatefulSet'].includes(p.o.kind) && p.o.spec.replicas > 1)
      .filter((p) => !ofKind('PodDisruptionBudget').some((b) => ns(b) === p.namespace && selectorMatches(b.spec.selector, p.labels)))
      .map((p) => p.o.metadata!.name!).sort();
    expect(flagged('availability', objects)).toEqual(expected);
  });
});
