// The hardening rules that judge a set of objects together: network isolation, dangling policies,
// egress scope, namespace labels, quotas and disruption budgets. Pure functions over plain objects,
// shared by the audit command and the constructs' synth-time check.
import { KubeObject, labelsPathOf, podTemplateOf } from './kube';
import { Finding, refOf, show } from './rule';

/** Options every cross-resource check receives. */
export interface CrossResourceOptions {
  /**
   * The namespace of namespaced objects that name none (as `kubectl apply -n` would place them).
   * @default 'default'
   */
  readonly defaultNamespace?: string;
}

/** A hardening rule over a whole set of objects (rows the profile cannot judge one object at a time). */
export interface CrossResourceRule {
  /** Stable id: never renamed, used in suppressions and reports. */
  readonly id: string;
  /** The row of the hardening profile table it implements. */
  readonly row: number;
  /** One-line title. */
  readonly title: string;
  /** Who demands it (PSS, NSA, KL, POL, KS, KSc, GKE, VAP, project). */
  readonly references: readonly string[];
  /** Findings over the whole set; each names the object it is about. */
  check(objects: readonly KubeObject[], options: Required<CrossResourceOptions>): Finding[];
}

/** A Kubernetes label selector as plain JSON (`matchLabels` and `matchExpressions`). */
export interface LabelSelectorJson {
  readonly matchLabels?: { readonly [key: string]: string };
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

/** The labels the pod-security admission reads, and the level sandboxes need. */
export const POD_SECURITY_ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

/**
 * Whether a label selector selects a set of labels, as the API server evaluates it: every
 * matchLabels entry and every matchExpressions requirement must hold. An empty selector `{}`
 * selects everything; an absent (null) selector selects nothing; an invalid requirement (unknown
 * operator, `In`/`NotIn` without values) makes the selector select nothing.
 */
export function selectorMatches(selector: LabelSelectorJson | null | undefined, labels: { readonly [key: string]: unknown } | undefined): boolean {
  if (selector === null || selector === undefined || typeof selector !== 'object') return false;
  const have = labels ?? {};
  const has = (key: string) => Object.prototype.hasOwnProperty.call(have, key) && have[key] !== null && have[key] !== undefined;
  const matchLabels: { readonly [key: string]: unknown } = selector.matchLabels ?? {};
  for (const key of Object.keys(matchLabels)) {
    if (!has(key) || String(have[key]) !== String(matchLabels[key])) return false;
  }
  for (const requirement of selector.matchExpressions ?? []) {
    const key = requirement?.key;
    const values = (requirement?.values ?? []).map(String);
    switch (requirement?.operator) {
      case 'In':
        if (values.length === 0 || !has(key) || !values.includes(String(have[key]))) return false;
        break;
      case 'NotIn':
        if (values.length === 0) return false;
        if (has(key) && values.includes(String(have[key]))) return false;
        break;
      case 'Exists':
        if (!has(key)) return false;
        break;
      case 'DoesNotExist':
        if (has(key)) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Whether a selector has no requirement at all (and so selects every pod of its namespace). */
export function isEmptySelector(selector: LabelSelectorJson | null | undefined): boolean {
  return !!selector && Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/** The namespace an object lives in, the default one when it names none. */
export function namespaceOf(obj: KubeObject, options: Required<CrossResourceOptions>): string {
  return obj.metadata?.namespace || options.defaultNamespace;
}

/** A workload's pod template as the cross-resource rules see it. */
interface PodOf {
  readonly obj: KubeObject;
  readonly namespace: string;
  readonly labels: { readonly [key: string]: string };
  /** JSON path of the pod template's labels. */
  readonly labelsPath: string;
}


/** Every workload pod template in the set, with its namespace and labels. */
function podsOf(objects: readonly KubeObject[], options: Required<CrossResourceOptions>): PodOf[] {
  const pods: PodOf[] = [];
  for (const obj of objects) {
    const pod = podTemplateOf(obj);
    if (!pod) continue;
    pods.push({ obj, namespace: namespaceOf(obj, options), labels: pod.metadata.labels ?? {}, labelsPath: labelsPathOf(pod.specPath) });
  }
  return pods;
}

/**
 * A requirement that every label set a selector selects meets, so that candidates can be looked up
 * by label instead of trying every selector on every label set: the first matchLabels pair, else a
 * first matchExpressions requirement `In` (one of the values) or `Exists` (the key, any value).
 * `'none'` when the selector selects nothing; undefined when there is no such requirement (an empty
 * selector, or one that starts with NotIn or DoesNotExist): such a selector must be tried everywhere.
 * Candidates are always confirmed with `selectorMatches`, so this only has to be necessary, never sufficient.
 */
type Requirement = { readonly key: string; readonly values?: readonly string[] } | 'none' | undefined;

function requirementOf(selector: unknown): Requirement {
  if (selector === null || selector === undefined || typeof selector !== 'object') return 'none';
  const s = selector as LabelSelectorJson;
  const keys = Object.keys(s.matchLabels ?? {});
  if (keys.length > 0) return { key: keys[0], values: [String((s.matchLabels as any)[keys[0]])] };
  const first: any = Array.isArray(s.matchExpressions) ? s.matchExpressions[0] : undefined;
  if (!first || typeof first !== 'object') return undefined;
  if (first.operator === 'Exists') return { key: String(first.key) };
  if (first.operator === 'In' && (first.values === undefined || first.values === null || Array.isArray(first.values))) {
    const values: string[] = (first.values ?? []).map(String);
    return values.length === 0 ? 'none' : { key: String(first.key), values: [...new Set(values)] };
  }
  return undefined;
}

/**
 * The keys of a label set that a selector can require: exactly the keys selectorMatches sees as present
 * (own properties, the value neither null nor undefined), each with its value as a string.
 */
function eachLabel(labels: unknown, fn: (key: string, value: string) => void): void {
  const have: any = labels ?? {};
  for (const key of Object.getOwnPropertyNames(have)) {
    const value = have[key];
    if (value !== null && value !== undefined) fn(key, String(value));
  }
}

/** The value of one label as selectorMatches reads it, as a string; undefined when it counts as absent. */
function labelValue(labels: unknown, key: string): string | undefined {
  const have: any = labels ?? {};
  if (!Object.prototype.hasOwnProperty.call(have, key)) return undefined;
  const value = have[key];
  return value === null || value === undefined ? undefined : String(value);
}

/**
 * Up to this many distinct keys in an index, a label set is looked up key by key (usually one or two
 * keys: the workload label); beyond, by going through the label set's own keys instead.
 */
const FEW_KEYS = 8;

function pushTo<K, T>(map: Map<K, T[]>, key: K, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}

/** Selectors (of policies, budgets) indexed by a requirement, looked up by a set of labels. */
class SelectorIndex<T> {
  private readonly byValue = new Map<string, Map<string, T[]>>();
  private readonly byKey = new Map<string, T[]>();
  /** Every key of byValue and byKey. */
  private readonly keys = new Set<string>();
  private readonly everywhere: T[] = [];

  add(requirement: Requirement, item: T): void {
    if (requirement === 'none') return;
    if (requirement === undefined) {
      this.everywhere.push(item);
      return;
    }
    this.keys.add(requirement.key);
    if (requirement.values === undefined) {
      pushTo(this.byKey, requirement.key, item);
    } else {
      let values = this.byValue.get(requirement.key);
      if (!values) this.byValue.set(requirement.key, values = new Map());
      for (const value of requirement.values) pushTo(values, value, item);
    }
  }

  /**
   * Calls `fn` with each item whose selector may select `labels` (each once, in no particular order)
   * until `fn` returns true.
   */
  candidates(labels: unknown, fn: (item: T) => boolean): void {
    if (this.keys.size > 0) {
      if (this.keys.size <= FEW_KEYS) {
        for (const key of this.keys) {
          const value = labelValue(labels, key);
          if (value !== undefined && this.visit(key, value, fn)) return;
        }
      } else {
        let stop = false;
        eachLabel(labels, (key, value) => {
          if (!stop && this.keys.has(key)) stop = this.visit(key, value, fn);
        });
        if (stop) return;
      }
    }
    for (const item of this.everywhere) if (fn(item)) return;
  }

  private visit(key: string, value: string, fn: (item: T) => boolean): boolean {
    for (const item of this.byValue.get(key)?.get(value) ?? []) if (fn(item)) return true;
    for (const item of this.byKey.get(key) ?? []) if (fn(item)) return true;
    return false;
  }
}

/** Label sets (of pods) indexed by the values of the keys some selector asks for, looked up by a requirement. */
class LabelIndex<T> {
  readonly all: T[] = [];
  private readonly byValue = new Map<string, Map<string, T[]>>();
  private readonly byKey = new Map<string, T[]>();

  /** `keys`: the keys the requirements looked up will name; other labels are not indexed. */
  constructor(private readonly keys: ReadonlySet<string>) {}

  add(labels: unknown, item: T): void {
    this.all.push(item);
    if (this.keys.size === 0) return;
    if (this.keys.size <= FEW_KEYS) {
      for (const key of this.keys) {
        const value = labelValue(labels, key);
        if (value !== undefined) this.index(key, value, item);
      }
    } else {
      eachLabel(labels, (key, value) => {
        if (this.keys.has(key)) this.index(key, value, item);
      });
    }
  }

  /** The items a selector with this requirement may select (each once). */
  candidates(requirement: Requirement): readonly T[] {
    if (requirement === 'none') return [];
    if (requirement === undefined) return this.all;
    if (requirement.values === undefined) return this.byKey.get(requirement.key) ?? [];
    const values = this.byValue.get(requirement.key);
    if (!values) return [];
    return requirement.values.length === 1 ? values.get(requirement.values[0]) ?? [] : requirement.values.flatMap((v) => values.get(v) ?? []);
  }

  private index(key: string, value: string, item: T): void {
    let values = this.byValue.get(key);
    if (!values) this.byValue.set(key, values = new Map());
    pushTo(values, value, item);
    pushTo(this.byKey, key, item);
  }
}

/** A NetworkPolicy as the network rules read it. */
interface PolicyOf {
  readonly policy: KubeObject;
  readonly namespace: string;
  readonly selector: LabelSelectorJson;
  readonly requirement: Requirement;
}

/**
 * What the cross-resource rules read of one set of objects, worked out once per check and shared by the
 * rules of that check. Never kept across checks: callers may change the objects between two checks.
 */
class ObjectSet {
  private kinds?: Map<unknown, KubeObject[]>;
  private pods_?: PodOf[];
  private podsByNamespace_?: Map<string, PodOf[]>;
  private policies_?: PolicyOf[];

  constructor(readonly objects: readonly KubeObject[], readonly options: Required<CrossResourceOptions>) {}

  /** The objects of one kind, in order. */
  ofKind(kind: string): readonly KubeObject[] {
    if (!this.kinds) {
      this.kinds = new Map();
      for (const o of this.objects) pushTo(this.kinds, o?.kind, o);
    }
    return this.kinds.get(kind) ?? [];
  }

  /** Every workload pod template, in order. */
  get pods(): readonly PodOf[] {
    return this.pods_ ??= podsOf(this.objects, this.options);
  }

  /** The pod templates of each namespace, in order. */
  get podsByNamespace(): ReadonlyMap<string, readonly PodOf[]> {
    if (!this.podsByNamespace_) {
      this.podsByNamespace_ = new Map();
      for (const pod of this.pods) pushTo(this.podsByNamespace_, pod.namespace, pod);
    }
    return this.podsByNamespace_;
  }

  /** Every NetworkPolicy, in order, with its namespace and pod selector. */
  get policies(): readonly PolicyOf[] {
    return this.policies_ ??= this.ofKind('NetworkPolicy').map((policy) => {
      const selector = podSelectorOf(policy);
      return { policy, namespace: namespaceOf(policy, this.options), selector, requirement: requirementOf(selector) };
    });
  }
}

/** A cross-resource rule written against the shared view of a set. */
type SetCheck = (set: ObjectSet) => Finding[];

/** The set check of each rule, so checkObjectSet can share one ObjectSet among the rules. */
const SET_CHECKS = new WeakMap<CrossResourceRule, SetCheck>();

function crossResourceRule(info: Omit<CrossResourceRule, 'check'>, run: SetCheck): CrossResourceRule {
  const rule: CrossResourceRule = {
    ...info,
    check(objects, options) {
      return run(new ObjectSet(objects, options));
    },
  };
  SET_CHECKS.set(rule, run);
  return rule;
}

/** The policy types a NetworkPolicy enforces: as written, or as the API server defaults them. */
export function policyTypesOf(policy: KubeObject): string[] {
  const written = policy.spec?.policyTypes;
  if (Array.isArray(written) && written.length > 0) return written.map(String);
  return ['Ingress', ...(Array.isArray(policy.spec?.egress) && policy.spec.egress.length > 0 ? ['Egress'] : [])];
}

/** A NetworkPolicy's pod selector: absent reads as `{}` (the API server's zero value selects every pod). */
function podSelectorOf(policy: KubeObject): LabelSelectorJson {
  return policy.spec?.podSelector ?? {};
}

/** Labels as a selector string (`a=b,c=d`), or `(no labels)`. */
export function labelsText(labels: { readonly [key: string]: unknown }): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '(no labels)' : entries.map(([k, v]) => `${k}=${String(v)}`).join(',');
}

const networkIsolation = crossResourceRule({
  id: 'network-isolation', row: 18, title: 'Every sandboxed pod is isolated by NetworkPolicies for ingress and egress', references: ['NSA', 'KL', 'POL', 'KSc'],
}, (set) => {
  // The policies of each namespace, indexed by selector; each pod looks up the few that may select it.
  const policies = new Map<string, SelectorIndex<{ readonly types: readonly string[]; readonly selector: LabelSelectorJson }>>();
  for (const p of set.policies) {
    let index = policies.get(p.namespace);
    if (!index) policies.set(p.namespace, index = new SelectorIndex());
    index.add(p.requirement, { types: policyTypesOf(p.policy), selector: p.selector });
  }
  const findings: Finding[] = [];
  for (const pod of set.pods) {
    let ingress = false;
    let egress = false;
    policies.get(pod.namespace)?.candidates(pod.labels, (p) => {
      if (!selectorMatches(p.selector, pod.labels)) return false;
      ingress ||= p.types.includes('Ingress');
      egress ||= p.types.includes('Egress');
      return ingress && egress;
    });
    if (ingress && egress) continue;
    const missing = [...(ingress ? [] : ['Ingress']), ...(egress ? [] : ['Egress'])];
    findings.push({
      rule: 'network-isolation', object: refOf(pod.obj), path: pod.labelsPath,
      message: `pods with labels ${labelsText(pod.labels)} in namespace "${pod.namespace}" are selected by no NetworkPolicy with policyTypes ${missing.join(' and ')}; their ${missing.map((m) => m.toLowerCase()).join(' and ')} traffic is unrestricted`,
      fix: `Add a NetworkPolicy in namespace "${pod.namespace}" whose podSelector matches these labels with policyTypes [Ingress, Egress] and no rules (deny all), then allow only what the workload needs.`,
    });
  }
  return findings;
});

const networkPolicySelectsPods = crossResourceRule({
  id: 'network-policy-selects-pods', row: 18, title: 'Every NetworkPolicy selects at least one pod of its namespace', references: ['KL'],
}, (set) => {
  const podsByNamespace = set.podsByNamespace;
  // The pods of each namespace, indexed by the label keys its policies' selectors ask for.
  const keys = new Map<string, Set<string>>();
  for (const { namespace, requirement } of set.policies) {
    if (requirement === undefined || requirement === 'none') continue;
    let of = keys.get(namespace);
    if (!of) keys.set(namespace, of = new Set());
    of.add(requirement.key);
  }
  const indexes = new Map<string, LabelIndex<PodOf>>();
  const podIndex = (namespace: string) => {
    let index = indexes.get(namespace);
    if (!index) {
      indexes.set(namespace, index = new LabelIndex(keys.get(namespace) ?? new Set()));
      for (const pod of podsByNamespace.get(namespace) ?? []) index.add(pod.labels, pod);
    }
    return index;
  };
  const findings: Finding[] = [];
  for (const { policy, namespace, selector, requirement } of set.policies) {
    const inNamespace = podsByNamespace.get(namespace) ?? [];
    // A namespace-wide policy (`podSelector: {}`) shipped without workloads is a default deny, not a dangling policy.
    if (isEmptySelector(selector) && inNamespace.length === 0) continue;
    if (inNamespace.length > 0 && podIndex(namespace).candidates(requirement).some((p) => selectorMatches(selector, p.labels))) continue;
    const why = inNamespace.length === 0
      ? `the audited set has no pod in namespace "${namespace}"`
      : `none of the ${inNamespace.length} pod template(s) in namespace "${namespace}" carries matching labels (${inNamespace.slice(0, 3).map((p) => `${p.obj.kind}/${p.obj.metadata?.name}: ${labelsText(p.labels)}`).join('; ')}${inNamespace.length > 3 ? '; ...' : ''})`;
    findings.push({
      rule: 'network-policy-selects-pods', object: refOf(policy), path: 'spec.podSelector',
      message: `podSelector ${show(selector)} selects no pod: ${why}, so the policy isolates nothing`,
      fix: 'Make spec.podSelector match the labels of the pods it should isolate (the pod template labels, not the workload\'s own), or put the policy in the pods\' namespace.',
    });
  }
  return findings;
});

/** A parsed CIDR: the address as a 32- or 128-bit integer and its prefix length. */
interface Cidr { readonly bits: 32 | 128; readonly addr: bigint; readonly prefix: number }

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function parseIpv6(text: string): bigint | undefined {
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tailV4 = parseIpv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(halves[0]);
  const right = halves.length === 2 ? groups(halves[1]) : [];
  const fill = 8 - left.length - right.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) return undefined;
  const all = [...left, ...Array(halves.length === 2 ? fill : 0).fill('0'), ...right];
  if (all.length !== 8 || !all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  let value = all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

/** Parses `a.b.c.d/n` or an IPv6 CIDR; undefined when malformed. */
export function parseCidr(text: unknown): Cidr | undefined {
  if (typeof text !== 'string') return undefined;
  const [address, prefixText, extra] = text.trim().split('/');
  if (extra !== undefined || prefixText === undefined || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const v4 = address.includes(':') ? undefined : parseIpv4(address);
  if (v4 !== undefined) return prefix <= 32 ? { bits: 32, addr: v4, prefix } : undefined;
  const v6 = address.includes(':') ? parseIpv6(address) : undefined;
  return v6 !== undefined && prefix <= 128 ? { bits: 128, addr: v6, prefix } : undefined;
}

/** Whether `outer` contains every address of `inner`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.bits !== inner.bits || outer.prefix > inner.prefix) return false;
  const shift = BigInt(outer.bits - outer.prefix);
  return (outer.addr >> shift) === (inner.addr >> shift);
}

/** The ranges an ipBlock must except when it contains them whole: metadata server and private networks. */
export const EGRESS_FORBIDDEN_RANGES: readonly { readonly cidr: string; readonly what: string }[] = [
  { cidr: '169.254.0.0/16', what: 'link-local, the metadata server 169.254.169.254' },
  { cidr: '10.0.0.0/8', what: 'private network' },
  { cidr: '172.16.0.0/12', what: 'private network' },
  { cidr: '192.168.0.0/16', what: 'private network' },
  { cidr: 'fe80::/10', what: 'IPv6 link-local' },
  { cidr: 'fc00::/7', what: 'IPv6 unique local, the metadata server fd20:ce::254' },
];

/** The metadata server's own addresses (IPv4, and IPv6 on GCE): no ipBlock may reach them, however narrow. */
export const METADATA_SERVER_ADDRESSES: readonly { readonly cidr: string; readonly what: string }[] = [
  { cidr: '169.254.169.254/32', what: 'the metadata server' },
  { cidr: 'fd20:ce::254/128', what: 'the metadata server' },
];

/**
 * The forbidden ranges an ipBlock reaches: those its CIDR contains whole and no `except` entry covers,
 * and the metadata server's address wherever the CIDR contains it unexcepted (a /32 included).
 */
export function unexceptedRanges(ipBlock: { readonly cidr?: unknown; readonly except?: readonly unknown[] }): string[] {
  const cidr = parseCidr(ipBlock?.cidr);
  if (!cidr) return [];
  const excepts = (Array.isArray(ipBlock.except) ? ipBlock.except : []).map(parseCidr).filter((c): c is Cidr => !!c);
  const reached = (list: readonly { readonly cidr: string; readonly what: string }[]) => list.filter((range) => {
    const forbidden = parseCidr(range.cidr)!;
    return cidrContains(cidr, forbidden) && !excepts.some((e) => cidrContains(e, forbidden));
  });
  const ranges = reached(EGRESS_FORBIDDEN_RANGES);
  const servers = reached(METADATA_SERVER_ADDRESSES).filter((m) => !ranges.some((r) => cidrContains(parseCidr(r.cidr)!, parseCidr(m.cidr)!)));
  return [...servers, ...ranges].map((range) => `${range.cidr} (${range.what})`);
}

/** Whether an egress rule opens DNS (port 53) and nothing else: GKE Cloud DNS answers at the metadata server's address. */
function isDnsOnly(rule: any): boolean {
  const ports = Array.isArray(rule?.ports) ? rule.ports : [];
  return ports.length > 0 && ports.every((p: any) => p?.port === 53 && p?.endPort === undefined);
}

const METADATA_ONLY = new Set(METADATA_SERVER_ADDRESSES.map((m) => `${m.cidr} (${m.what})`));

function portsText(rule: any): string {
  const ports = Array.isArray(rule?.ports) ? rule.ports : [];
  if (ports.length === 0) return 'every port';
  return `port(s) ${ports.map((p: any) => `${p?.port ?? 'all'}/${p?.protocol ?? 'TCP'}`).join(', ')}`;
}

const egressPeers = crossResourceRule({
  id: 'egress-peers', row: 19, title: 'Every egress rule names its peers and keeps the metadata server and private ranges out', references: ['project'],
}, (set) => {
  const findings: Finding[] = [];
  for (const policy of set.ofKind('NetworkPolicy')) {
    const egress = Array.isArray(policy.spec?.egress) ? policy.spec.egress : [];
    egress.forEach((rule: any, i: number) => {
      const report = (path: string, message: string, fix: string) => findings.push({ rule: 'egress-peers', object: refOf(policy), path, message, fix });
      const to = rule?.to;
      if (!Array.isArray(to) || to.length === 0) {
        report(`spec.egress[${i}]`, `egress rule ${i} has ${to === undefined ? 'no `to`' : 'an empty `to`'}: ${portsText(rule)} open to every destination, the internet and the metadata server included`,
          'Name the peers in `to` (podSelector/namespaceSelector, or an ipBlock with explicit excepts), e.g. DNS only to kube-dns in kube-system.');
        return;
      }
      to.forEach((peer: any, j: number) => {
        if (!peer || typeof peer !== 'object' || Object.keys(peer).length === 0) {
          report(`spec.egress[${i}].to[${j}]`, `egress rule ${i} peer ${j} is empty and names no destination`, 'Give the peer a podSelector, namespaceSelector or ipBlock.');
          return;
        }
        if (!peer.ipBlock) return;
        // GKE Cloud DNS: the metadata server's /32 on port 53 only is DNS, not its credentials endpoint.
        const reached = unexceptedRanges(peer.ipBlock).filter((r) => !(isDnsOnly(rule) && METADATA_ONLY.has(r)));
        if (reached.length > 0) {
          report(`spec.egress[${i}].to[${j}].ipBlock`, `egress rule ${i} ipBlock ${show(peer.ipBlock.cidr)} reaches ${reached.join(', ')}: its except ${show(peer.ipBlock.except)} does not exclude them`,
            `Add ${reached.map((r) => r.split(' ')[0]).join(', ')} to ipBlock.except (or name narrower CIDRs).`);
        }
      });
    });
  }
  return findings;
});

const namespacePodSecurity = crossResourceRule({
  id: 'namespace-pod-security', row: 23, title: 'Namespaces that hold sandboxed pods enforce the restricted Pod Security Standard', references: ['PSS', 'NSA'],
}, (set) => {
  const used = set.podsByNamespace;
  return set.ofKind('Namespace')
    .filter((ns) => used.has(ns.metadata?.name ?? ''))
    .filter((ns) => ns.metadata?.labels?.[POD_SECURITY_ENFORCE_LABEL] !== 'restricted')
    .map((ns) => ({
      rule: 'namespace-pod-security', object: refOf(ns), path: `metadata.labels["${POD_SECURITY_ENFORCE_LABEL}"]`,
      message: `Namespace "${ns.metadata?.name}" holds sandboxed pods but its ${POD_SECURITY_ENFORCE_LABEL} label is ${show(ns.metadata?.labels?.[POD_SECURITY_ENFORCE_LABEL])}; must be "restricted"`,
      fix: `Label the Namespace ${POD_SECURITY_ENFORCE_LABEL}: restricted (and the audit and warn labels likewise).`,
    }));
});

const namespaceQuota = crossResourceRule({
  id: 'namespace-quota', row: 24, title: 'Namespaces that hold sandboxed pods have a ResourceQuota and a LimitRange', references: ['NSA'],
}, (set) => {
  const used = set.podsByNamespace;
  const namespaces = new Map<string, Set<string>>();
  const present = (kind: string, ns: string) => {
    let of = namespaces.get(kind);
    if (!of) namespaces.set(kind, of = new Set(set.ofKind(kind).map((o) => namespaceOf(o, set.options))));
    return of.has(ns);
  };
  const findings: Finding[] = [];
  for (const ns of set.ofKind('Namespace')) {
    const name = ns.metadata?.name ?? '';
    if (!used.has(name)) continue;
    const missing = ['ResourceQuota', 'LimitRange'].filter((kind) => !present(kind, name));
    if (missing.length === 0) continue;
    findings.push({
      rule: 'namespace-quota', object: refOf(ns), path: 'metadata.name',
      message: `Namespace "${name}" holds sandboxed pods but the set has no ${missing.join(' and no ')} in it`,
      fix: `Add a ${missing.join(' and a ')} to namespace "${name}" so one tenant cannot exhaust the cluster.`,
    });
  }
  return findings;
});

const availability = crossResourceRule({
  id: 'availability', row: 25, title: 'Replicated long-running sandboxes have a PodDisruptionBudget', references: ['POL', 'KSc', 'KL'],
}, (set) => {
  // The budgets of each namespace, indexed by selector; each workload looks up the few that may select its pods.
  const budgets = new Map<string, SelectorIndex<LabelSelectorJson | undefined>>();
  for (const b of set.ofKind('PodDisruptionBudget')) {
    const namespace = namespaceOf(b, set.options);
    let index = budgets.get(namespace);
    if (!index) budgets.set(namespace, index = new SelectorIndex());
    index.add(requirementOf(b.spec?.selector), b.spec?.selector);
  }
  const findings: Finding[] = [];
  for (const obj of set.objects) {
    if (obj?.kind !== 'Deployment' && obj?.kind !== 'StatefulSet') continue;
    const replicas = obj.spec?.replicas;
    if (!(typeof replicas === 'number' && replicas > 1)) continue;
    const namespace = namespaceOf(obj, set.options);
    const labels = podTemplateOf(obj)?.metadata.labels ?? {};
    let selected = false;
    budgets.get(namespace)?.candidates(labels, (selector) => (selected = selectorMatches(selector, labels)));
    if (selected) continue;
    findings.push({
      rule: 'availability', object: refOf(obj), path: 'spec.replicas',
      message: `${obj.kind} runs ${replicas} replicas but no PodDisruptionBudget in namespace "${namespace}" selects its pods (${labelsText(labels)}); a node drain may evict them all at once`,
      fix: 'Add a PodDisruptionBudget (e.g. maxUnavailable: 1) whose selector matches the pod template labels.',
    });
  }
  return findings;
});

/** The cross-resource rules of the profile, in table order. */
export const CROSS_RESOURCE_RULES: readonly CrossResourceRule[] = [
  networkIsolation, networkPolicySelectsPods, egressPeers, namespacePodSecurity, namespaceQuota, availability,
];

/** Applies the defaults of the cross-resource options in one place. */
export function resolveCrossResourceOptions(options: CrossResourceOptions = {}): Required<CrossResourceOptions> {
  return { defaultNamespace: options.defaultNamespace || 'default' };
}

/** Runs every cross-resource rule over a set of objects. */
export function checkObjectSet(objects: readonly KubeObject[], options: CrossResourceOptions = {}): Finding[] {
  const resolved = resolveCrossResourceOptions(options);
  const valid = objects.filter((o) => o && typeof o === 'object' && typeof o.kind === 'string');
  // One view of the set for all the rules: the pod list and the indexes are worked out once.
  const set = new ObjectSet(valid, resolved);
  return CROSS_RESOURCE_RULES.flatMap((rule) => SET_CHECKS.get(rule)!(set));
}

/** Looks a cross-resource rule up by id. */
export function crossResourceRuleById(id: string): CrossResourceRule | undefined {
  return CROSS_RESOURCE_RULES.find((r) => r.id === id);
}
