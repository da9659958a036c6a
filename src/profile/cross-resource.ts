// The hardening rules that judge a set of objects together: network isolation, dangling policies,
// egress scope, namespace labels, quotas and disruption budgets. Pure functions over plain objects,
// shared by the audit command and the constructs' synth-time check.
import { KubeObject, podTemplateOf } from './kube';
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
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!has(key) || String(have[key]) !== String(value)) return false;
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
    pods.push({ obj, namespace: namespaceOf(obj, options), labels: pod.metadata.labels ?? {}, labelsPath: `${pod.specPath.replace(/spec$/, 'metadata')}.labels` });
  }
  return pods;
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

function ofKind(objects: readonly KubeObject[], kind: string): KubeObject[] {
  return objects.filter((o) => o?.kind === kind);
}

const networkIsolation: CrossResourceRule = {
  id: 'network-isolation', row: 18, title: 'Every sandboxed pod is isolated by NetworkPolicies for ingress and egress', references: ['NSA', 'KL', 'POL', 'KSc'],
  check(objects, options) {
    const policies = ofKind(objects, 'NetworkPolicy').map((p) => ({ namespace: namespaceOf(p, options), types: policyTypesOf(p), selector: podSelectorOf(p) }));
    const findings: Finding[] = [];
    for (const pod of podsOf(objects, options)) {
      const selecting = policies.filter((p) => p.namespace === pod.namespace && selectorMatches(p.selector, pod.labels));
      const missing = ['Ingress', 'Egress'].filter((type) => !selecting.some((p) => p.types.includes(type)));
      if (missing.length === 0) continue;
      findings.push({
        rule: 'network-isolation', object: refOf(pod.obj), path: pod.labelsPath,
        message: `pods with labels ${labelsText(pod.labels)} in namespace "${pod.namespace}" are selected by no NetworkPolicy with policyTypes ${missing.join(' and ')}; their ${missing.map((m) => m.toLowerCase()).join(' and ')} traffic is unrestricted`,
        fix: `Add a NetworkPolicy in namespace "${pod.namespace}" whose podSelector matches these labels with policyTypes [Ingress, Egress] and no rules (deny all), then allow only what the workload needs.`,
      });
    }
    return findings;
  },
};

const networkPolicySelectsPods: CrossResourceRule = {
  id: 'network-policy-selects-pods', row: 18, title: 'Every NetworkPolicy selects at least one pod of its namespace', references: ['KL'],
  check(objects, options) {
    const pods = podsOf(objects, options);
    const findings: Finding[] = [];
    for (const policy of ofKind(objects, 'NetworkPolicy')) {
      const namespace = namespaceOf(policy, options);
      const selector = podSelectorOf(policy);
      const inNamespace = pods.filter((p) => p.namespace === namespace);
      // A namespace-wide policy (`podSelector: {}`) shipped without workloads is a default deny, not a dangling policy.
      if (isEmptySelector(selector) && inNamespace.length === 0) continue;
      if (inNamespace.some((p) => selectorMatches(selector, p.labels))) continue;
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
  },
};

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

const egressPeers: CrossResourceRule = {
  id: 'egress-peers', row: 19, title: 'Every egress rule names its peers and keeps the metadata server and private ranges out', references: ['project'],
  check(objects) {
    const findings: Finding[] = [];
    for (const policy of ofKind(objects, 'NetworkPolicy')) {
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
  },
};

/** The namespaces that hold at least one workload pod of the set. */
function namespacesWithPods(objects: readonly KubeObject[], options: Required<CrossResourceOptions>): Set<string> {
  return new Set(podsOf(objects, options).map((p) => p.namespace));
}

const namespacePodSecurity: CrossResourceRule = {
  id: 'namespace-pod-security', row: 23, title: 'Namespaces that hold sandboxed pods enforce the restricted Pod Security Standard', references: ['PSS', 'NSA'],
  check(objects, options) {
    const used = namespacesWithPods(objects, options);
    return ofKind(objects, 'Namespace')
      .filter((ns) => used.has(ns.metadata?.name ?? ''))
      .filter((ns) => ns.metadata?.labels?.[POD_SECURITY_ENFORCE_LABEL] !== 'restricted')
      .map((ns) => ({
        rule: 'namespace-pod-security', object: refOf(ns), path: `metadata.labels["${POD_SECURITY_ENFORCE_LABEL}"]`,
        message: `Namespace "${ns.metadata?.name}" holds sandboxed pods but its ${POD_SECURITY_ENFORCE_LABEL} label is ${show(ns.metadata?.labels?.[POD_SECURITY_ENFORCE_LABEL])}; must be "restricted"`,
        fix: `Label the Namespace ${POD_SECURITY_ENFORCE_LABEL}: restricted (and the audit and warn labels likewise).`,
      }));
  },
};

const namespaceQuota: CrossResourceRule = {
  id: 'namespace-quota', row: 24, title: 'Namespaces that hold sandboxed pods have a ResourceQuota and a LimitRange', references: ['NSA'],
  check(objects, options) {
    const used = namespacesWithPods(objects, options);
    const present = (kind: string, ns: string) => ofKind(objects, kind).some((o) => namespaceOf(o, options) === ns);
    const findings: Finding[] = [];
    for (const ns of ofKind(objects, 'Namespace')) {
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
  },
};

const availability: CrossResourceRule = {
  id: 'availability', row: 25, title: 'Replicated long-running sandboxes have a PodDisruptionBudget', references: ['POL', 'KSc', 'KL'],
  check(objects, options) {
    const budgets = ofKind(objects, 'PodDisruptionBudget').map((b) => ({ namespace: namespaceOf(b, options), selector: b.spec?.selector }));
    const findings: Finding[] = [];
    for (const obj of objects) {
      if (obj?.kind !== 'Deployment' && obj?.kind !== 'StatefulSet') continue;
      const replicas = obj.spec?.replicas;
      if (!(typeof replicas === 'number' && replicas > 1)) continue;
      const namespace = namespaceOf(obj, options);
      const labels = podTemplateOf(obj)?.metadata.labels ?? {};
      if (budgets.some((b) => b.namespace === namespace && selectorMatches(b.selector, labels))) continue;
      findings.push({
        rule: 'availability', object: refOf(obj), path: 'spec.replicas',
        message: `${obj.kind} runs ${replicas} replicas but no PodDisruptionBudget in namespace "${namespace}" selects its pods (${labelsText(labels)}); a node drain may evict them all at once`,
        fix: 'Add a PodDisruptionBudget (e.g. maxUnavailable: 1) whose selector matches the pod template labels.',
      });
    }
    return findings;
  },
};

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
  return CROSS_RESOURCE_RULES.flatMap((rule) => rule.check(valid, resolved));
}

/** Looks a cross-resource rule up by id. */
export function crossResourceRuleById(id: string): CrossResourceRule | undefined {
  return CROSS_RESOURCE_RULES.find((r) => r.id === id);
}
