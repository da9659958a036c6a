// The hardening rules that judge a set of objects together: network isolation, dangling policies,
// egress scope, namespace labels, quotas and disruption budgets. Pure functions over plain objects,
// shared by the audit command and the constructs' synth-time check.
import { AdmissionCheck, celHas, celString, celStrings } from './admission';
import { AddressRange, Cidr, cidrContains, ipBlockRanges, isIpv4MappedCidr, parseCidr, rangeOfCidr, rangesCover } from './cidr';
import { MANAGED_BY_LABEL, SANDBOX_DEFAULTS, SANDBOX_LABELS } from './defaults';
import { FQDN_POLICY_KINDS, fqdnReachProblems } from './fqdn';
import { KubeObject, NAMESPACE_NAME_LABEL, labelsPathOf, podTemplateOf } from './kube';
import { Finding, refOf, show } from './rule';

export { type Cidr, cidrContains, parseCidr } from './cidr';

/** Options every cross-resource check receives. */
export interface CrossResourceOptions {
  /**
   * The namespace of namespaced objects that name none (as `kubectl apply -n` would place them).
   * @default 'default'
   */
  readonly defaultNamespace?: string;
  /**
   * The RuntimeClass sandboxed pods name: a RuntimeClass of this name in the set must run gVisor.
   * @default 'gvisor'
   */
  readonly runtimeClassName?: string;
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
  /**
   * The part of the rule one object shows, as CEL for the admission policy (see Rule.admission).
   * @default - none: the rule is enforced by the audit and at synth only
   */
  readonly admission?: readonly AdmissionCheck[];
  /**
   * What of the rule the admission policy leaves to the audit, and why.
   * @default - nothing, when `admission` is set; the whole rule otherwise
   */
  readonly auditOnly?: string;
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
  /** The pod spec's runtimeClassName, when it names one. */
  readonly runtimeClassName?: string;
}


/** Every workload pod template in the set, with its namespace and labels. */
function podsOf(objects: readonly KubeObject[], options: Required<CrossResourceOptions>): PodOf[] {
  const pods: PodOf[] = [];
  for (const obj of objects) {
    const pod = podTemplateOf(obj);
    if (!pod) continue;
    const runtimeClassName = typeof pod.spec.runtimeClassName === 'string' && pod.spec.runtimeClassName !== '' ? pod.spec.runtimeClassName : undefined;
    pods.push({ obj, namespace: namespaceOf(obj, options), labels: pod.metadata.labels ?? {}, labelsPath: labelsPathOf(pod.specPath), runtimeClassName });
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

/** A NetworkPolicy as the network rules read it; what only network-isolation needs is worked out on first use. */
class PolicyOf {
  readonly selector: LabelSelectorJson;
  readonly requirement: Requirement;
  private types_?: readonly string[];
  private hasRules_?: boolean;

  constructor(
    readonly policy: KubeObject,
    /** Its position among the set's NetworkPolicies. */
    readonly index: number,
    readonly namespace: string,
  ) {
    this.selector = podSelectorOf(policy);
    this.requirement = requirementOf(this.selector);
  }

  /** The policy types it enforces (policyTypesOf). */
  get types(): readonly string[] {
    return this.types_ ??= policyTypesOf(this.policy);
  }

  /** Whether it has rules in a direction it enforces (a deny-all policy has none). */
  get hasRules(): boolean {
    return this.hasRules_ ??= (['Ingress', 'Egress'] as const).some((type) => this.types.includes(type) && rulesOf(this.policy, type).length > 0);
  }
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
  private namespaces_?: Map<string, KubeObject>;

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
    return this.policies_ ??= this.ofKind('NetworkPolicy').map((policy, index) => new PolicyOf(policy, index, namespaceOf(policy, this.options)));
  }

  /** The Namespace object of each name (the first of that name). */
  private get namespaces(): ReadonlyMap<string, KubeObject> {
    if (!this.namespaces_) {
      this.namespaces_ = new Map();
      for (const ns of this.ofKind('Namespace')) {
        const name = ns.metadata?.name;
        if (typeof name === 'string' && !this.namespaces_.has(name)) this.namespaces_.set(name, ns);
      }
    }
    return this.namespaces_;
  }

  /**
   * The labels a namespaceSelector sees on a namespace: those of its Namespace object when the set has it,
   * and always `kubernetes.io/metadata.name` (the API server sets it on every namespace).
   */
  namespaceLabels(name: string): { readonly [key: string]: unknown } {
    return { ...(this.namespaces.get(name)?.metadata?.labels ?? {}), [NAMESPACE_NAME_LABEL]: name };
  }

  /** Whether the set has the Namespace `name` and it is a sandbox namespace (isSandboxNamespace). */
  isSandboxNamespace(name: string): boolean {
    const ns = this.namespaces.get(name);
    return ns !== undefined && isSandboxNamespace(ns);
  }
}


/** Whether a Namespace is made for sandboxes: SandboxNamespace labels it `app.kubernetes.io/managed-by: cdk8s-sandbox`. */
export function isSandboxNamespace(ns: KubeObject): boolean {
  const [key, value] = Object.entries(MANAGED_BY_LABEL)[0];
  return ns?.kind === 'Namespace' && ns.metadata?.labels?.[key] === value;
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
  const policies = new Map<string, SelectorIndex<PolicyOf>>();
  for (const p of set.policies) {
    let index = policies.get(p.namespace);
    if (!index) policies.set(p.namespace, index = new SelectorIndex());
    index.add(p.requirement, p);
  }
  const findings: Finding[] = [];
  // What the policies selecting a pod allow together, worked out once per set of policies (pods of one
  // workload, or of one namespace-wide policy, share it).
  const reach = new NetworkReach(set);
  const selecting: PolicyOf[] = [];
  for (const pod of set.pods) {
    let ingress = false;
    let egress = false;
    let withRules = false;
    selecting.length = 0;
    policies.get(pod.namespace)?.candidates(pod.labels, (p) => {
      if (!selectorMatches(p.selector, pod.labels)) return false;
      ingress ||= p.types.includes('Ingress');
      egress ||= p.types.includes('Egress');
      selecting.push(p);
      withRules ||= p.hasRules;
      return false;
    });
    if (!(ingress && egress)) {
      const missing = [...(ingress ? [] : ['Ingress']), ...(egress ? [] : ['Egress'])];
      findings.push({
        rule: 'network-isolation', object: refOf(pod.obj), path: pod.labelsPath,
        message: `pods with labels ${labelsText(pod.labels)} in namespace "${pod.namespace}" are selected by no NetworkPolicy with policyTypes ${missing.join(' and ')}; their ${missing.map((m) => m.toLowerCase()).join(' and ')} traffic is unrestricted`,
        fix: `Add a NetworkPolicy in namespace "${pod.namespace}" whose podSelector matches these labels with policyTypes [Ingress, Egress] and no rules (deny all), then allow only what the workload needs.`,
      });
    }
    if (!withRules) continue;
    const sandboxed = pod.runtimeClassName !== undefined || labelValue(pod.labels, SANDBOX_LABELS.sandboxed) === 'true' || set.isSandboxNamespace(pod.namespace);
    for (const problem of reach.problems(selecting, sandboxed)) {
      findings.push({
        rule: 'network-isolation', object: refOf(pod.obj), path: pod.labelsPath,
        message: `${sandboxed ? 'sandboxed ' : ''}pods with labels ${labelsText(pod.labels)} in namespace "${pod.namespace}" ${problem.message}`,
        fix: problem.fix,
      });
    }
  }
  return findings;
});

/** One problem with what the policies selecting a pod allow, without the pod. */
interface ReachProblem {
  readonly message: string;
  readonly fix: string;
}

/** An ipBlock of a policy's rules, as the addresses it admits. */
interface BlockOf {
  readonly where: string;
  readonly ipBlock: { readonly cidr?: unknown; readonly except?: unknown };
  readonly ranges: readonly AddressRange[];
}

/** What one NetworkPolicy allows in one direction (only for the directions it enforces). */
interface AllowanceOf {
  /** Problems of the policy alone (ingress only: egress-peers judges each egress rule alone). */
  readonly problems: readonly ReachProblem[];
  readonly blocks: readonly BlockOf[];
}

const NAME_THE_CLIENTS = 'Name the clients: a podSelector with their labels (and a namespaceSelector on kubernetes.io/metadata.name for another namespace), or ipBlocks that except the private and link-local ranges, as NetworkPeer.pods, NetworkPeer.workload and NetworkPeer.cidr emit.';

/**
 * NetworkPolicies are additive: a pod may reach, and be reached by, whatever ANY policy selecting it allows.
 * This judges the union of the policies selecting a pod: its ingress (for sandboxed pods) must not admit
 * every source, every pod of the cluster or of its own namespace, or a private or link-local range whole;
 * its ipBlocks together, in either direction, must not cover such a range whole even where no single one
 * does (10.0.0.0/9 in one policy, 10.128.0.0/9 in another). Each egress rule alone is egress-peers' to judge.
 */
class NetworkReach {
  private readonly allowances = new Map<PolicyOf, { ingress?: AllowanceOf; egress?: AllowanceOf }>();
  private readonly memo = new Map<string, readonly ReachProblem[]>();

  constructor(private readonly set: ObjectSet) {}

  /** The problems of what `policies` allow together; the ingress ones only for sandboxed pods. */
  problems(policies: readonly PolicyOf[], sandboxed: boolean): readonly ReachProblem[] {
    const ordered = [...policies].sort((a, b) => a.index - b.index);
    const key = `${sandboxed ? 's' : 'u'}${ordered.map((p) => p.index).join(',')}`;
    let problems = this.memo.get(key);
    if (!problems) this.memo.set(key, problems = this.judge(ordered, sandboxed));
    return problems;
  }

  private judge(policies: readonly PolicyOf[], sandboxed: boolean): ReachProblem[] {
    const problems: ReachProblem[] = [];
    for (const direction of ['Ingress', 'Egress'] as const) {
      if (direction === 'Ingress' && !sandboxed) continue;
      const allowances = policies.map((p) => this.allowance(p, direction)).filter((a): a is AllowanceOf => !!a);
      for (const a of allowances) problems.push(...a.problems);
      const blocks = allowances.flatMap((a) => a.blocks);
      if (blocks.length < 2) continue;
      const all = blocks.flatMap((b) => b.ranges);
      for (const range of EGRESS_FORBIDDEN_RANGES) {
        const target = parsedRange(range.cidr).range;
        // A range one ipBlock reaches alone is that block's finding (egress-peers, or the ingress one above).
        if (!rangesCover(all, target) || blocks.some((b) => reachedIn(b.ipBlock, [range]).length > 0)) continue;
        const parts = blocks.filter((b) => b.ranges.some((r) => r.bits === target.bits && r.last >= target.first && r.first <= target.last));
        const what = direction === 'Ingress' ? `accept connections from ${rangeText(range)} whole, which their NetworkPolicies admit together` : `can reach ${rangeText(range)} whole, which their NetworkPolicies allow together`;
        problems.push({
          message: `${what} though no single ipBlock does: ${parts.map((b) => `${show(b.ipBlock.cidr)} (${b.where})`).join(', ')}`,
          fix: `NetworkPolicies add up: narrow these ipBlocks, or except ${range.cidr} in them, so that together they leave it out.`,
        });
      }
    }
    return problems;
  }

  private allowance(p: PolicyOf, direction: 'Ingress' | 'Egress'): AllowanceOf | undefined {
    let cached = this.allowances.get(p);
    if (!cached) this.allowances.set(p, cached = {});
    const key = direction === 'Ingress' ? 'ingress' : 'egress';
    if (key in cached) return cached[key];
    const rules = p.types.includes(direction) ? rulesOf(p.policy, direction) : [];
    return cached[key] = rules.length === 0 ? undefined : this.allowanceOfRules(p, direction, rules);
  }

  private allowanceOfRules(p: PolicyOf, direction: 'Ingress' | 'Egress', rules: readonly any[]): AllowanceOf {
    const name = `NetworkPolicy "${p.policy.metadata?.name ?? '(unnamed)'}"`;
    const side = direction === 'Ingress' ? 'from' : 'to';
    const problems: ReachProblem[] = [];
    const blocks: BlockOf[] = [];
    const labelsOf = (namespace: string) => this.set.namespaceLabels(namespace);
    rules.forEach((rule: any, i: number) => {
      const where = `${name} ${direction.toLowerCase()} rule ${i}`;
      const peers = rule?.[side];
      const ingress = direction === 'Ingress';
      if (!Array.isArray(peers) || peers.length === 0) {
        if (ingress) problems.push({ message: `accept connections from every source: ${where} has ${peers === undefined ? 'no `from`' : 'an empty `from`'}: ${portsText(rule)} open to every pod of the cluster and any address that reaches them`, fix: NAME_THE_CLIENTS });
        return;
      }
      peers.forEach((peer: any, j: number) => {
        if (!peer || typeof peer !== 'object' || Object.keys(peer).length === 0) {
          if (ingress) problems.push({ message: `accept connections no one named: ${where} peer ${j} is empty (the API server refuses it)`, fix: NAME_THE_CLIENTS });
          return;
        }
        if (isSet(peer.ipBlock)) {
          blocks.push({ where, ipBlock: peer.ipBlock, ranges: ipBlockRanges(peer.ipBlock) });
          if (!ingress) return;
          const reached = reachedIn(peer.ipBlock, EGRESS_FORBIDDEN_RANGES);
          if (reached.length > 0) {
            const mapped = isIpv4Mapped(peer.ipBlock) ? ' (IPv4-mapped IPv6, which Kubernetes reads as IPv4)' : '';
            problems.push({
              message: `accept connections from whole private or link-local ranges: ${where} ipBlock ${show(peer.ipBlock.cidr)}${mapped} admits ${reached.map(rangeText).join(', ')} on ${portsText(rule)}; its except ${show(peer.ipBlock.except)} does not exclude them`,
              fix: `Add ${reached.map((r) => r.cidr).join(', ')} to ipBlock.except, or name the clients (NetworkPeer.internet() for public clients).`,
            });
          }
          return;
        }
        if (!ingress) return;
        const span = peerSpan(peer, p.namespace, labelsOf);
        if (span?.scope === 'cluster') {
          problems.push({ message: `accept connections from every pod of the cluster: ${where} peer ${j} ${selectorsText(peer)} selects every pod of every namespace, on ${portsText(rule)}`, fix: NAME_THE_CLIENTS });
        } else if (span?.namespace === p.namespace) {
          problems.push({ message: `accept connections from every pod of their own namespace, other sandboxes included: ${where} peer ${j} ${selectorsText(peer)} selects every pod of namespace "${p.namespace}", on ${portsText(rule)}`, fix: NAME_THE_CLIENTS });
        }
      });
    });
    return { problems, blocks };
  }
}

/** A policy's ingress or egress rules as written. */
function rulesOf(policy: KubeObject, direction: 'Ingress' | 'Egress'): readonly any[] {
  const rules = policy.spec?.[direction === 'Ingress' ? 'ingress' : 'egress'];
  return Array.isArray(rules) ? rules : [];
}

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

/** A range of addresses the profile keeps sandboxes away from, and why. */
export interface ProtectedRange {
  readonly cidr: string;
  readonly what: string;
}

/** The ranges an ipBlock must except when it contains them whole: link-local (metadata servers), private and shared ranges. */
export const EGRESS_FORBIDDEN_RANGES: readonly ProtectedRange[] = [
  { cidr: '169.254.0.0/16', what: 'link-local, the metadata server 169.254.169.254' },
  { cidr: '10.0.0.0/8', what: 'private network' },
  { cidr: '172.16.0.0/12', what: 'private network' },
  { cidr: '192.168.0.0/16', what: 'private network' },
  { cidr: '100.64.0.0/10', what: 'shared address space: pod ranges on EKS and GKE, the Alibaba Cloud metadata server 100.100.100.200' },
  { cidr: 'fe80::/10', what: 'IPv6 link-local' },
  { cidr: 'fc00::/7', what: 'IPv6 unique local, the metadata servers fd20:ce::254 (GCE) and fd00:ec2::254 (AWS)' },
];

/**
 * The addresses of the clouds' metadata and credential servers: no ipBlock may reach them, however narrow.
 * GCP's metadata.google.internal is 169.254.169.254, as are AWS's, Azure's, Oracle's and OpenStack's.
 */
export const METADATA_SERVER_ADDRESSES: readonly ProtectedRange[] = [
  { cidr: '169.254.169.254/32', what: 'the metadata server' },
  { cidr: 'fd20:ce::254/128', what: 'the metadata server' },
  { cidr: 'fd00:ec2::254/128', what: 'the AWS metadata server over IPv6' },
  { cidr: '169.254.169.252/32', what: 'the GKE metadata server of Workload Identity' },
  { cidr: '169.254.170.23/32', what: 'the EKS Pod Identity agent' },
  { cidr: 'fd00:ec2::23/128', what: 'the EKS Pod Identity agent' },
  { cidr: '100.100.100.200/32', what: 'the Alibaba Cloud metadata server' },
  { cidr: '169.254.0.23/32', what: 'the Tencent Cloud metadata server' },
  { cidr: '168.63.129.16/32', what: 'the Azure WireServer' },
];

/** GKE Cloud DNS answers at the metadata server's address: the one metadata address DNS (port 53 only) may reach. */
const CLOUD_DNS_ADDRESS = METADATA_SERVER_ADDRESSES[0];

const parsedRanges = new Map<string, { readonly cidr: Cidr; readonly range: AddressRange }>();
function parsedRange(text: string): { readonly cidr: Cidr; readonly range: AddressRange } {
  let parsed = parsedRanges.get(text);
  if (!parsed) {
    const cidr = parseCidr(text)!;
    parsedRanges.set(text, parsed = { cidr, range: rangeOfCidr(cidr) });
  }
  return parsed;
}

/** The protected ranges (or addresses) an ipBlock contains whole with no `except` entry covering them. */
function reachedIn(ipBlock: { readonly cidr?: unknown; readonly except?: unknown }, list: readonly ProtectedRange[]): ProtectedRange[] {
  const cidr = parseCidr(ipBlock?.cidr);
  if (!cidr) return [];
  const excepts = (Array.isArray(ipBlock.except) ? ipBlock.except : []).map(parseCidr).filter((c): c is Cidr => !!c);
  return list.filter((range) => {
    const forbidden = parsedRange(range.cidr).cidr;
    return cidrContains(cidr, forbidden) && !excepts.some((e) => cidrContains(e, forbidden));
  });
}

const rangeText = (range: ProtectedRange) => `${range.cidr} (${range.what})`;

/**
 * The forbidden ranges an ipBlock reaches: those its CIDR contains whole and no `except` entry covers,
 * and each metadata server address the CIDR contains unexcepted (a /32 included). IPv4-mapped IPv6
 * (`::ffff:0.0.0.0/96`) is read as the IPv4 it maps, in the CIDR and in its excepts.
 */
export function unexceptedRanges(ipBlock: { readonly cidr?: unknown; readonly except?: readonly unknown[] }): string[] {
  const ranges = reachedIn(ipBlock, EGRESS_FORBIDDEN_RANGES);
  const servers = reachedIn(ipBlock, METADATA_SERVER_ADDRESSES).filter((m) => !ranges.some((r) => cidrContains(parsedRange(r.cidr).cidr, parsedRange(m.cidr).cidr)));
  return [...servers, ...ranges].map(rangeText);
}

/** The `except` entries NetworkPeer.internet() needs in one family: every forbidden range, and the metadata addresses outside them. */
export function internetExcepts(ipv6: boolean): string[] {
  const bits = ipv6 ? 128 : 32;
  const ranges = EGRESS_FORBIDDEN_RANGES.filter((r) => parsedRange(r.cidr).cidr.bits === bits);
  const outside = METADATA_SERVER_ADDRESSES.filter((m) => parsedRange(m.cidr).cidr.bits === bits && !ranges.some((r) => cidrContains(parsedRange(r.cidr).cidr, parsedRange(m.cidr).cidr)));
  return [...ranges, ...outside].map((r) => r.cidr);
}

/** Whether a rule opens DNS (port 53) and nothing else. */
function isDnsOnly(rule: any): boolean {
  const ports = Array.isArray(rule?.ports) ? rule.ports : [];
  return ports.length > 0 && ports.every((p: any) => p?.port === 53 && p?.endPort === undefined);
}

function portsText(rule: any): string {
  const ports = Array.isArray(rule?.ports) ? rule.ports : [];
  if (ports.length === 0) return 'every port';
  return `port(s) ${ports.map((p: any) => `${p?.port ?? 'all'}/${p?.protocol ?? 'TCP'}`).join(', ')}`;
}

/** A peer that selects every pod of the cluster, or every pod of one namespace. */
type PeerSpan = { readonly scope: 'cluster' } | { readonly scope: 'namespace'; readonly namespace: string };

/** A namespace that carries no label but its name, and a name no selector names. */
const ANY_NAMESPACE = { [NAMESPACE_NAME_LABEL]: '\u0000any namespace' };

const isSet = (v: unknown) => v !== undefined && v !== null;

/**
 * Whether a selector peer selects every pod of the cluster, of the policy's own namespace, or of kube-system.
 * Its pods: all when podSelector is absent, or when it selects a pod without labels (`{}`, `NotIn`,
 * `DoesNotExist`). Its namespaces: the policy's own without namespaceSelector; every one when the selector
 * selects a namespace whatever its name (`{}`, `NotIn`); else the own one or kube-system when it selects
 * their labels (those of their Namespace objects in the set, and `kubernetes.io/metadata.name`).
 */
function peerSpan(peer: any, policyNamespace: string, labelsOf: (namespace: string) => { readonly [key: string]: unknown }): PeerSpan | undefined {
  if (!peer || typeof peer !== 'object' || isSet(peer.ipBlock)) return undefined;
  const namespaces = peer.namespaceSelector;
  const pods = peer.podSelector;
  if (!isSet(namespaces) && !isSet(pods)) return undefined;
  if (isSet(pods) && !selectorMatches(pods, {})) return undefined;
  if (!isSet(namespaces)) return { scope: 'namespace', namespace: policyNamespace };
  if (selectorMatches(namespaces, ANY_NAMESPACE)) return { scope: 'cluster' };
  for (const namespace of [policyNamespace, 'kube-system']) {
    if (selectorMatches(namespaces, labelsOf(namespace))) return { scope: 'namespace', namespace };
  }
  return undefined;
}

/** A peer's selectors for messages. */
function selectorsText(peer: any): string {
  return show({ ...(isSet(peer.namespaceSelector) ? { namespaceSelector: peer.namespaceSelector } : {}), ...(isSet(peer.podSelector) ? { podSelector: peer.podSelector } : {}) });
}

const NAME_THE_PODS = 'Select the pods by their labels (a podSelector with the workload label cdk8s-sandbox.io/workload), with a namespaceSelector on kubernetes.io/metadata.name for another namespace, as NetworkPeer.workload and NetworkPeer.pods emit.';

// The CEL of egress-peers, over `r` (an egress rule) and `p` (one of its peers).
const EGRESS = 'object.spec.egress';
const everyEgressRule = (check: string) => `!(${celHas('object', 'spec.egress')}) || ${EGRESS}.all(r, ${check})`;
const everyPeer = (check: string) => everyEgressRule(`!has(r.to) || type(r.to) != list || r.to.all(p, ${check})`);
/** The rule opens DNS (port 53) and nothing else. */
const CEL_DNS_ONLY = "(has(r.ports) && size(r.ports) > 0 && r.ports.all(q, has(q.port) && q.port == 53 && !has(q.endPort)))";
const celRequirementsAll = (sel: string, check: string) => `(!has(${sel}.matchExpressions) || ${sel}.matchExpressions.all(e, ${check}))`;
const CEL_NOT_IN = "(e.operator == 'NotIn' && has(e.values) && size(e.values) > 0)";
/** selectorMatches(sel, {}): the selector selects a pod without labels. */
const celSelectsUnlabelled = (sel: string) => `((!has(${sel}.matchLabels) || size(${sel}.matchLabels) == 0) && ${celRequirementsAll(sel, `${CEL_NOT_IN} || e.operator == 'DoesNotExist'`)})`;
/** selectorMatches(sel, ANY_NAMESPACE): the selector selects a namespace whatever its name. */
const celSelectsAnyNamespace = (sel: string) => {
  const name = celString(NAMESPACE_NAME_LABEL);
  return `((!has(${sel}.matchLabels) || size(${sel}.matchLabels) == 0) && ${celRequirementsAll(sel, `${CEL_NOT_IN} || (e.operator == 'Exists' && has(e.key) && e.key == ${name}) || (e.operator == 'DoesNotExist' && (!has(e.key) || e.key != ${name}))`)})`;
};
/** selectorMatches(sel, labels) for a map of labels `labels`. */
const celSelectorMatches = (sel: string, labels: string) => {
  const present = `(has(e.key) && e.key in ${labels})`;
  return `((!has(${sel}.matchLabels) || ${sel}.matchLabels.all(k, k in ${labels} && ${labels}[k] == ${sel}.matchLabels[k])) && ${celRequirementsAll(sel,
    `e.operator == 'In' ? (has(e.values) && size(e.values) > 0 && ${present} && ${labels}[e.key] in e.values)`
    + ` : e.operator == 'NotIn' ? (has(e.values) && size(e.values) > 0 && !(${present} && ${labels}[e.key] in e.values))`
    + ` : e.operator == 'Exists' ? ${present} : e.operator == 'DoesNotExist' ? !${present} : false`)})`;
};
/** The labels of the policy's own namespace (see admission.ts). */
const CEL_OWN_NAMESPACE_LABELS = 'variables.namespaceLabels';
/** A selector peer that selects every pod of the cluster, of the policy's namespace, or of kube-system outside DNS (peerSpan); `dns` is whether its rule opens DNS only. */
const celWidePeer = (dns: boolean) => `!has(p.ipBlock) && (has(p.podSelector) || has(p.namespaceSelector)) && (!has(p.podSelector) || ${celSelectsUnlabelled('p.podSelector')})`
  + ` && (!has(p.namespaceSelector) || ${celSelectsAnyNamespace('p.namespaceSelector')} || ${celSelectorMatches('p.namespaceSelector', CEL_OWN_NAMESPACE_LABELS)}`
  + (dns ? ')' : ` || ${celSelectorMatches('p.namespaceSelector', `{${celString(NAMESPACE_NAME_LABEL)}: 'kube-system'}`)})`);
/**
 * An ipBlock peer reaches no forbidden range of one family unexcepted (GKE Cloud DNS's address aside when its rule
 * opens DNS only, `dns`); a CIDR the CIDR library refuses is refused. One check per family halves each one's cost.
 */
const celIpBlockSafe = (ipv6: boolean) => (dns: boolean) => {
  const ranges = [...EGRESS_FORBIDDEN_RANGES, ...METADATA_SERVER_ADDRESSES].map((r) => r.cidr)
    .filter((cidr) => cidr.includes(':') === ipv6 && !(dns && cidr === CLOUD_DNS_ADDRESS.cidr));
  return `!has(p.ipBlock) || (has(p.ipBlock.cidr) && isCIDR(p.ipBlock.cidr) && ${celStrings(ranges)}.all(f, !cidr(p.ipBlock.cidr).containsCIDR(f)`
    + ' || (has(p.ipBlock.except) && p.ipBlock.except.exists(x, isCIDR(x) && cidr(x).containsCIDR(f)))))';
};
/** Every peer of every egress rule passes `check`, told whether the rule opens DNS only (worked out once per rule, not per peer). */
const everyPeerByDns = (check: (dns: boolean) => string) =>
  everyEgressRule(`!has(r.to) || type(r.to) != list || (${CEL_DNS_ONLY} ? r.to.all(p, ${check(true)}) : r.to.all(p, ${check(false)}))`);

const egressPeers = crossResourceRule({
  id: 'egress-peers', row: 19, title: 'Every egress rule names its peers and keeps the metadata server and private ranges out', references: ['project'],
  admission: [
    { target: 'networkPolicy', expression: everyEgressRule('has(r.to) && type(r.to) == list && size(r.to) > 0'), message: 'an egress rule has no `to`: it is open to every destination, the internet and the metadata server included', fix: 'Name the peers in `to` (podSelector/namespaceSelector, or an ipBlock with explicit excepts), e.g. DNS only to kube-dns in kube-system.' },
    { target: 'networkPolicy', expression: everyPeer('has(p.podSelector) || has(p.namespaceSelector) || has(p.ipBlock)'), message: 'an egress peer is empty and names no destination', fix: 'Give the peer a podSelector, namespaceSelector or ipBlock.' },
    { target: 'networkPolicy', expression: everyPeerByDns((dns) => `!(${celWidePeer(dns)})`), message: 'an egress peer selects every pod of the cluster, of the policy\'s namespace, or of kube-system (beyond DNS)', fix: NAME_THE_PODS },
    ...[false, true].map((ipv6): AdmissionCheck => ({
      target: 'networkPolicy', expression: everyPeerByDns(celIpBlockSafe(ipv6)),
      message: `an egress ipBlock reaches the metadata server or a private ${ipv6 ? 'IPv6' : 'IPv4'} range its except does not exclude (or is not a CIDR the CIDR library reads)`,
      fix: 'Add the forbidden ranges to ipBlock.except (or name narrower CIDRs), as NetworkPeer.internet() does.',
    })),
  ],
  auditOnly: 'namespaceSelectors matched against the labels of other Namespace objects than the policy\'s own (the API server shows a policy only its own namespace)',
}, (set) => {
  const findings: Finding[] = [];
  const labelsOf = (namespace: string) => set.namespaceLabels(namespace);
  for (const policy of set.ofKind('NetworkPolicy')) {
    const egress = Array.isArray(policy.spec?.egress) ? policy.spec.egress : [];
    const namespace = namespaceOf(policy, set.options);
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
        if (!peer.ipBlock) {
          const span = peerSpan(peer, namespace, labelsOf);
          if (!span) return;
          if (span.scope === 'cluster') {
            report(`spec.egress[${i}].to[${j}]`, `egress rule ${i} peer ${j} ${selectorsText(peer)} selects every pod of every namespace: ${portsText(rule)} open to every workload of the cluster, other tenants' sandboxes included`, NAME_THE_PODS);
          } else if (span.namespace === namespace) {
            report(`spec.egress[${i}].to[${j}]`, `egress rule ${i} peer ${j} ${selectorsText(peer)} selects every pod of namespace "${namespace}", the policy's own: ${portsText(rule)} open to every other workload there, other sandboxes included`, NAME_THE_PODS);
          } else if (!isDnsOnly(rule)) {
            report(`spec.egress[${i}].to[${j}]`, `egress rule ${i} peer ${j} ${selectorsText(peer)} selects every pod of namespace "kube-system": ${portsText(rule)} open to the cluster's system pods; only DNS (port 53 alone) may go to all of them`,
              'Select the kube-dns pods (podSelector k8s-app: kube-dns) on port 53, as DnsMode.CLUSTER emits, or the one system workload needed by its labels and ports.');
          }
          return;
        }
        // GKE Cloud DNS: the metadata server's /32 on port 53 only is DNS, not its credentials endpoint.
        const reached = unexceptedRanges(peer.ipBlock).filter((r) => !(isDnsOnly(rule) && r === rangeText(CLOUD_DNS_ADDRESS)));
        if (reached.length > 0) {
          const mapped = isIpv4Mapped(peer.ipBlock) ? ' (IPv4-mapped IPv6, which Kubernetes reads as IPv4)' : '';
          report(`spec.egress[${i}].to[${j}].ipBlock`, `egress rule ${i} ipBlock ${show(peer.ipBlock.cidr)}${mapped} reaches ${reached.join(', ')}: its except ${show(peer.ipBlock.except)} does not exclude them`,
            `Add ${reached.map((r) => r.split(' ')[0]).join(', ')} to ipBlock.except (or name narrower CIDRs).`);
        }
      });
    });
  }
  for (const kind of FQDN_POLICY_KINDS) {
    for (const policy of set.ofKind(kind)) {
      for (const p of providerEgressProblems(policy)) findings.push({ rule: 'egress-peers', object: refOf(policy), ...p });
    }
  }
  return findings;
});

/** One problem of a provider's egress policy, where it is. */
interface EgressProblem {
  readonly path: string;
  readonly message: string;
  readonly fix: string;
}

const NAME_THE_DOMAINS = 'Name the domains the sandbox needs, exactly (pypi.org) or with a one-label wildcard under a domain you trust (*.pythonhosted.org), as NetworkPeer.fqdn emits; never a pattern of every domain or of a whole top-level domain, a metadata server\'s name (metadata.google.internal) or a private name (.internal, .local).';

/** Cilium entities that reach beyond named peers: everything, everything outside the cluster (the metadata server included), every pod, the nodes, the API server. */
const WIDE_CILIUM_ENTITIES: ReadonlySet<string> = new Set(['all', 'world', 'world-ipv4', 'world-ipv6', 'cluster', 'host', 'remote-node', 'kube-apiserver']);

/** The fields that name the destinations of a Cilium egress rule (without one, Cilium opens its ports to every destination). */
const CILIUM_EGRESS_PEERS = ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toFQDNs', 'toServices', 'toNodes', 'toGroups'];

/** A list of ports as text: `port(s) 443/TCP, 80/ANY`, or `every port`. */
function portListText(ports: readonly any[]): string {
  return ports.length === 0 ? 'every port' : `port(s) ${ports.map((p: any) => `${p?.port ?? 'all'}${p?.endPort !== undefined ? `-${p.endPort}` : ''}/${p?.protocol ?? 'ANY'}`).join(', ')}`;
}

const asList = (v: unknown): any[] => (Array.isArray(v) ? v : []);

/** The problems of one domain name or pattern of a provider's rule; undefined when it is safe. */
function fqdnProblem(path: string, where: string, field: string, value: unknown, ports: string): EgressProblem | undefined {
  if (typeof value !== 'string') return undefined;
  const problems = fqdnReachProblems(value);
  if (problems.length === 0) return undefined;
  return { path, message: `${where} ${field} ${show(value)} ${problems.join('; ')}: ${ports} open to the addresses those names resolve to`, fix: NAME_THE_DOMAINS };
}

/**
 * The egress problems of a CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy (`spec` and each of `specs`)
 * or GKE FQDNNetworkPolicy (v1alpha1 `matches`, and the open-source controller's `to[].fqdns`): domain
 * names and patterns that reach too far (fqdnReachProblems); for Cilium also rules that name no destination,
 * wide entities (world, all, cluster...), and CIDRs that reach the metadata server or private ranges.
 * These objects only add allowed egress; whether the pods are isolated is the NetworkPolicies' matter.
 */
export function providerEgressProblems(policy: KubeObject): EgressProblem[] {
  const problems: EgressProblem[] = [];
  const push = (p: EgressProblem | undefined) => { if (p) problems.push(p); };
  if (policy.kind === 'FQDNNetworkPolicy') {
    asList(policy.spec?.egress).forEach((rule: any, i: number) => {
      const ports = portListText(asList(rule?.ports));
      const where = `egress rule ${i}`;
      asList(rule?.matches).forEach((m: any, k: number) => {
        for (const field of ['name', 'pattern']) push(fqdnProblem(`spec.egress[${i}].matches[${k}].${field}`, where, field, m?.[field], ports));
      });
      asList(rule?.to).forEach((peer: any, j: number) => {
        asList(peer?.fqdns).forEach((name: unknown, k: number) => push(fqdnProblem(`spec.egress[${i}].to[${j}].fqdns[${k}]`, where, 'fqdn', name, ports)));
      });
    });
    return problems;
  }
  const specs: { spec: any; path: string }[] = [
    ...(policy.spec && typeof policy.spec === 'object' ? [{ spec: policy.spec, path: 'spec' }] : []),
    ...asList(policy.specs).map((spec, n) => ({ spec, path: `specs[${n}]` })),
  ];
  for (const { spec, path } of specs) {
    asList(spec?.egress).forEach((rule: any, i: number) => {
      const at = `${path}.egress[${i}]`;
      const where = `egress rule ${i}${path === 'spec' ? '' : ` of ${path}`}`;
      const ports = portListText(asList(rule?.toPorts).flatMap((t: any) => asList(t?.ports)));
      if (!rule || typeof rule !== 'object' || !CILIUM_EGRESS_PEERS.some((f) => rule[f] !== undefined && rule[f] !== null)) {
        problems.push({
          path: at, message: `${where} names no destination (${CILIUM_EGRESS_PEERS.join(', ')}): Cilium opens ${ports} to every destination, the internet and the metadata server included`,
          fix: 'Name the destinations: toFQDNs for domains, toEndpoints for pods, toCIDRSet with except for addresses.',
        });
        return;
      }
      asList(rule.toFQDNs).forEach((f: any, k: number) => {
        for (const field of ['matchName', 'matchPattern']) push(fqdnProblem(`${at}.toFQDNs[${k}].${field}`, where, field, f?.[field], ports));
      });
      const wide = asList(rule.toEntities).filter((e) => WIDE_CILIUM_ENTITIES.has(String(e)));
      if (wide.length > 0) {
        problems.push({
          path: `${at}.toEntities`, message: `${where} toEntities ${show(wide)} reaches beyond named peers (world is every address outside the cluster, the metadata server included; cluster every pod): ${ports} open to them`,
          fix: 'Name the destinations: toFQDNs for domains, toEndpoints for pods, toCIDRSet with except for addresses.',
        });
      }
      const blocks = [
        ...asList(rule.toCIDR).map((cidr, k) => ({ block: { cidr, except: undefined as unknown }, at: `${at}.toCIDR[${k}]` })),
        ...asList(rule.toCIDRSet).map((b, k) => ({ block: { cidr: b?.cidr, except: b?.except }, at: `${at}.toCIDRSet[${k}]` })),
      ];
      for (const { block, at: blockAt } of blocks) {
        const reached = unexceptedRanges(block);
        if (reached.length === 0) continue;
        problems.push({
          path: blockAt, message: `${where} CIDR ${show(block.cidr)} reaches ${reached.join(', ')}${block.except === undefined ? '' : `: its except ${show(block.except)} does not exclude them`}`,
          fix: `Add ${reached.map((r) => r.split(' ')[0]).join(', ')} to the toCIDRSet entry's except (or name narrower CIDRs).`,
        });
      }
    });
  }
  return problems;
}

/** Whether an ipBlock's CIDR or one of its excepts is IPv4-mapped IPv6. */
function isIpv4Mapped(ipBlock: any): boolean {
  return [ipBlock?.cidr, ...(Array.isArray(ipBlock?.except) ? ipBlock.except : [])].some(isIpv4MappedCidr);
}

const namespacePodSecurity = crossResourceRule({
  id: 'namespace-pod-security', row: 23, title: 'Namespaces that hold or are made for sandboxed pods enforce the restricted Pod Security Standard', references: ['PSS', 'NSA'],
}, (set) => {
  const used = set.podsByNamespace;
  const findings: Finding[] = [];
  for (const ns of set.ofKind('Namespace')) {
    const name = ns.metadata?.name ?? '';
    const level = ns.metadata?.labels?.[POD_SECURITY_ENFORCE_LABEL];
    if (level === 'restricted') continue;
    let message: string;
    if (used.has(name)) {
      message = `Namespace "${name}" holds sandboxed pods but its ${POD_SECURITY_ENFORCE_LABEL} label is ${show(level)}; must be "restricted"`;
    } else if (isSandboxNamespace(ns)) {
      // Pods come later: a code-execution platform renders its runs into the namespace at run time.
      message = `Namespace "${name}" is a sandbox namespace (${labelsText(MANAGED_BY_LABEL)}) but its ${POD_SECURITY_ENFORCE_LABEL} label is ${show(level)}; must be "restricted" whatever the set holds: the pods created in it later are admitted under it`;
    } else if (level !== undefined) {
      message = `Namespace "${name}" sets ${POD_SECURITY_ENFORCE_LABEL} to ${show(level)}: any pod created in it later, a sandbox's included, is admitted without the restricted checks (the set holds none in it yet); must be "restricted"`;
    } else {
      continue;
    }
    findings.push({
      rule: 'namespace-pod-security', object: refOf(ns), path: `metadata.labels["${POD_SECURITY_ENFORCE_LABEL}"]`, message,
      fix: `Label the Namespace ${POD_SECURITY_ENFORCE_LABEL}: restricted (and the audit and warn labels likewise).`,
    });
  }
  return findings;
});

/** The RuntimeClass handlers that run gVisor: `runsc` (containerd's runsc runtime) and `gvisor` (GKE Sandbox's). */
export const GVISOR_RUNTIME_HANDLERS: readonly string[] = ['runsc', 'gvisor'];

const runtimeClassHandler = crossResourceRule({
  id: 'runtime-class-handler', row: 1, title: 'The RuntimeClass sandboxed pods name runs gVisor', references: ['GKE', 'project'],
}, (set) => {
  const runtimeClasses = set.ofKind('RuntimeClass');
  if (runtimeClasses.length === 0) return [];
  const users = new Map<string, PodOf[]>();
  for (const pod of set.pods) if (pod.runtimeClassName !== undefined) pushTo(users, pod.runtimeClassName, pod);
  const sandboxName = set.options.runtimeClassName || SANDBOX_DEFAULTS.runtimeClassName;
  const findings: Finding[] = [];
  for (const rc of runtimeClasses) {
    const name = String(rc.metadata?.name ?? '');
    const handler = rc.handler;
    // The API server requires a handler: an object without one is not a RuntimeClass this can judge.
    if (handler === undefined || GVISOR_RUNTIME_HANDLERS.includes(handler)) continue;
    const pods = users.get(name) ?? [];
    const namedLikeIt = name === sandboxName || /gvisor|runsc/.test(name);
    if (pods.length === 0 && !namedLikeIt) continue;
    const why = pods.length > 0
      ? `pods name it (${pods.slice(0, 3).map((p) => `${p.obj.kind} ${p.namespace}/${p.obj.metadata?.name ?? '(unnamed)'}`).join(', ')}${pods.length > 3 ? ', ...' : ''}) and run on that runtime, not in gVisor`
      : `its name says it is the sandbox runtime, and pods naming it run on that runtime, not in gVisor`;
    findings.push({
      rule: 'runtime-class-handler', object: refOf(rc), path: 'handler',
      message: `RuntimeClass "${name}" has handler ${show(handler)}: ${why}; allowed: ${GVISOR_RUNTIME_HANDLERS.map((h) => `"${h}"`).join(' or ')}`,
      fix: 'Set handler: runsc (the containerd runtime of runsc) on a self-managed cluster, or use the gvisor RuntimeClass GKE Sandbox installs (handler gvisor); give a RuntimeClass of another runtime a name that does not claim gVisor, and do not let sandboxed pods name it.',
    });
  }
  return findings;
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
  runtimeClassHandler, networkIsolation, networkPolicySelectsPods, egressPeers, namespacePodSecurity, namespaceQuota, availability,
];

/** Applies the defaults of the cross-resource options in one place. */
export function resolveCrossResourceOptions(options: CrossResourceOptions = {}): Required<CrossResourceOptions> {
  return { defaultNamespace: options.defaultNamespace || 'default', runtimeClassName: options.runtimeClassName || SANDBOX_DEFAULTS.runtimeClassName };
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
