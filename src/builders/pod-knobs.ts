// The pod knobs beside the hardening: image pull secrets, pod annotations, node placement (nodeSelector,
// tolerations, affinity, topology spread) and priority. Each is checked like every other prop, none may move the
// pods off the gVisor nodes or loosen the sandbox, and nothing is worked out for a knob that is unset.
import { GKE_SANDBOX_NODE, PodSpecJson, SANDBOX_LABELS } from '../profile';
import { gvisorPodAnnotations } from './gvisor-annotations';
import {
  LabelSelectorOperator, NodeSelectorOperator, NodeSelectorTerm, PodAffinityTerm, SandboxLabelSelector, SandboxPodAffinity, SandboxPodProps,
  SandboxToleration, SandboxTopologySpreadConstraint, TaintEffect, TolerationOperator, UnsatisfiableConstraintAction,
} from './pod-props';
import {
  LABEL_KEY, Site, checkDnsLabel, checkDnsSubdomain, checkEnum, checkInteger, checkLabelKey, checkLabelValue, checkList, checkMapping, child, fail,
} from './validate';
import { findUnsafeCharacter } from './yaml-text';


/**
 * Node labels whose value a sandboxed pod's node must have: GKE Sandbox's gVisor label, and Linux (gVisor runs
 * nowhere else). A placement asking for another value would never land on a gVisor node.
 */
const REQUIRED_NODE_LABELS: ReadonlyMap<string, { readonly value: string; readonly why: string }> = new Map([
  [GKE_SANDBOX_NODE.key, { value: GKE_SANDBOX_NODE.value, why: 'GKE Sandbox labels its gVisor nodes sandbox.gke.io/runtime: gvisor, and the RuntimeClass already selects them: asking for another value (or for nodes without the label) leaves the pods without a node that can sandbox them' }],
  ['kubernetes.io/os', { value: 'linux', why: 'gVisor runs only on Linux nodes' }],
  ['beta.kubernetes.io/os', { value: 'linux', why: 'gVisor runs only on Linux nodes' }],
]);

/** The labels and taints of control-plane nodes, where untrusted code never runs. */
const CONTROL_PLANE_KEYS: readonly string[] = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];
const CONTROL_PLANE_WHY = 'untrusted code never runs on control-plane nodes (the API server, etcd and their credentials are there)';

/** The domain of the library's own annotations and labels (`cdk8s-sandbox.io/...`, `code.cdk8s-sandbox.io/...`). */
const RESERVED_DOMAIN = 'cdk8s-sandbox.io';
/** The most bytes of keys and values the user's pod annotations may take (the code of a run travels in the rest). */
export const POD_ANNOTATIONS_MAX_BYTES = 16 * 1024;
const APPARMOR_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

/** Why an annotation key or value would loosen the sandbox or clash with the library's own, or undefined. */
function annotationProblem(key: string, value: string): { refused: 'key' | 'value'; allowed: string } | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  if (prefix === RESERVED_DOMAIN || prefix.endsWith(`.${RESERVED_DOMAIN}`)) {
    return { refused: 'key', allowed: `keys under ${RESERVED_DOMAIN}/ and its subdomains (code.${RESERVED_DOMAIN}/) are the library's own (its markers, a code run's files, recorded suppressions): set them through the props` };
  }
  if (key.startsWith('dev.gvisor.')) {
    return { refused: 'key', allowed: 'dev.gvisor.* annotations are runsc flags and mount hints: the library sets dev.gvisor.flag.oci-seccomp (gvisorSeccomp) and the emptyDir mount hints itself, and other runsc flags can loosen the sandbox (its network, platform, debugging and host access)' };
  }
  if (key.startsWith(APPARMOR_PREFIX) && value !== 'runtime/default' && !/^localhost\/\S+$/.test(value)) {
    return { refused: 'value', allowed: 'allowed: "runtime/default" or "localhost/<profile>"; an unconfined AppArmor profile drops a confinement Pod Security "baseline" requires' };
  }
  if (key === 'seccomp.security.alpha.kubernetes.io/pod' || key.startsWith('container.seccomp.security.alpha.kubernetes.io/')) {
    return { refused: 'key', allowed: 'the deprecated seccomp annotations are refused (an "unconfined" one removes the filter where a cluster still reads them): the pod\'s seccomp profile is podSecurity.seccompProfile' };
  }
  if (key.startsWith('io.kubernetes.cri-o.')) {
    return { refused: 'key', allowed: 'CRI-O passes its io.kubernetes.cri-o.* annotations on to runtimes that allow them (devices, user namespaces, cgroup and shm settings), around the pod\'s security context' };
  }
  return undefined;
}

/** The user's pod annotations, checked; undefined when none are given. */
export function checkPodAnnotations(site: Site, annotations: unknown): { [key: string]: string } | undefined {
  if (annotations === undefined) return undefined;
  const given = checkMapping(site, 'podAnnotations', annotations, 'a map of annotation keys to string values');
  const out: { [key: string]: string } = {};
  let bytes = 0;
  for (const [key, value] of Object.entries(given)) {
    const name = `podAnnotations["${key}"]`;
    const prefix = LABEL_KEY.exec(key)?.[1];
    if (!LABEL_KEY.test(key) || (prefix !== undefined && prefix.length > 253)) {
      fail(site, name, key, 'annotation keys are an optional DNS-subdomain prefix and \'/\', then a name of at most 63 letters, digits, \'-\', \'_\' and \'.\' (e.g. "example.com/owner")');
    }
    if (typeof value !== 'string') fail(site, name, value, 'annotation values are strings (write numbers and booleans as text: "true")');
    const unsafe = findUnsafeCharacter(value);
    if (unsafe) fail(site, name, value, `holds ${unsafe.codePoint} at character ${unsafe.index}, which YAML readers take for a line break or refuse; remove it`);
    const problem = annotationProblem(key, value);
    if (problem) fail(site, name, problem.refused === 'key' ? key : value, problem.allowed);
    bytes += Buffer.byteLength(key, 'utf8') + Buffer.byteLength(value, 'utf8');
    out[key] = value;
  }
  if (bytes > POD_ANNOTATIONS_MAX_BYTES) {
    fail(site, 'podAnnotations', `${bytes} bytes of keys and values`, `at most ${POD_ANNOTATIONS_MAX_BYTES} bytes: the API server keeps at most 256 KiB of annotations per object, and a code run's files travel in the rest`);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The annotations of a sandboxed pod template: gVisor's (see gvisor-annotations.ts), then the user's, checked. */
export function podTemplateAnnotations(site: Site, props: SandboxPodProps, spec: PodSpecJson, ociSeccomp: boolean): { [key: string]: string } {
  const gvisor = gvisorPodAnnotations(spec, ociSeccomp);
  if (props.podAnnotations === undefined) return gvisor;
  const user = checkPodAnnotations(site, props.podAnnotations);
  return user ? { ...gvisor, ...user } : gvisor;
}

/** Options of the pod knobs that depend on the workload. */
export interface PodKnobOptions {
  /** Labels selecting the workload's own pods: the default label selector of a topology spread constraint. */
  readonly selectorLabels?: { readonly [key: string]: string };
}

/**
 * The pod spec fields of the knobs that are set (imagePullSecrets, nodeSelector, affinity, tolerations,
 * topologySpreadConstraints, priorityClassName), checked; undefined when none is set.
 */
export function podKnobFields(site: Site, props: SandboxPodProps, options: PodKnobOptions = {}): { [key: string]: any } | undefined {
  if (props.imagePullSecrets === undefined && props.nodeSelector === undefined && props.affinity === undefined && props.tolerations === undefined
    && props.topologySpreadConstraints === undefined && props.priorityClassName === undefined) return undefined;
  const fields: { [key: string]: any } = {};
  if (props.imagePullSecrets !== undefined) {
    const names = checkList(site, 'imagePullSecrets', props.imagePullSecrets, 'Secret names');
    const seen = new Set<string>();
    names.forEach((name, i) => {
      checkDnsSubdomain(site, `imagePullSecrets[${i}]`, name);
      if (seen.has(name as string)) fail(site, `imagePullSecrets[${i}]`, name, 'each Secret is listed once');
      seen.add(name as string);
    });
    if (names.length > 0) fields.imagePullSecrets = names.map((name) => ({ name }));
  }
  if (props.nodeSelector !== undefined) {
    const selector = nodeSelectorOf(site, props.nodeSelector);
    if (selector) fields.nodeSelector = selector;
  }
  if (props.affinity !== undefined) {
    const affinity = affinityOf(child(site, 'affinity'), props.affinity);
    if (affinity) fields.affinity = affinity;
  }
  if (props.tolerations !== undefined) {
    const tolerations = checkList(site, 'tolerations', props.tolerations, 'tolerations').map((t, i) => tolerationOf(child(site, `tolerations[${i}]`), t as SandboxToleration));
    if (tolerations.length > 0) fields.tolerations = tolerations;
  }
  if (props.topologySpreadConstraints !== undefined) {
    const constraints = topologySpreadOf(site, props.topologySpreadConstraints, options.selectorLabels);
    if (constraints.length > 0) fields.topologySpreadConstraints = constraints;
  }
  if (props.priorityClassName !== undefined) {
    const name = checkDnsSubdomain(site, 'priorityClassName', props.priorityClassName);
    if (name.startsWith('system-')) {
      fail(site, 'priorityClassName', name, 'the system- PriorityClasses (system-cluster-critical, system-node-critical) are for the cluster\'s own critical components: untrusted pods at their priority could preempt them; create a PriorityClass for sandboxes');
    }
    fields.priorityClassName = name;
  }
  return fields;
}

/** The nodeSelector, checked: label keys and values that keep the pods on gVisor nodes. */
function nodeSelectorOf(site: Site, given: unknown): { [key: string]: string } | undefined {
  const selector = checkMapping(site, 'nodeSelector', given, 'a map of node label keys to values');
  const out: { [key: string]: string } = {};
  for (const [key, value] of Object.entries(selector)) {
    const name = `nodeSelector["${key}"]`;
    checkLabelKey(site, name, key);
    checkLabelValue(site, name, value);
    const required = REQUIRED_NODE_LABELS.get(key);
    if (required && value !== required.value) fail(site, name, value, `allowed: "${required.value}" (or leave it out): ${required.why}`);
    if (CONTROL_PLANE_KEYS.includes(key)) fail(site, name, key, `${CONTROL_PLANE_WHY}; select the nodes meant for sandboxes`);
    out[key] = value as string;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** One toleration, checked. */
function tolerationOf(site: Site, t: SandboxToleration): { [key: string]: any } {
  checkMapping(site, '', t, 'a toleration ({ key, operator?, value?, effect?, tolerationSeconds? })');
  if (t.key === undefined || t.key === '') {
    fail(site, 'key', t.key, 'a toleration names the taint\'s key: one without a key tolerates every taint, letting untrusted pods onto any tainted node (control-plane nodes, nodes kept for other tenants or being drained)');
  }
  const key = checkLabelKey(site, 'key', t.key);
  if (CONTROL_PLANE_KEYS.includes(key)) fail(site, 'key', key, `${CONTROL_PLANE_WHY}; tolerate the taints of the nodes meant for sandboxes`);
  const operator = t.operator === undefined ? (t.value === undefined ? TolerationOperator.EXISTS : TolerationOperator.EQUAL)
    : checkEnum(site, 'operator', t.operator, TolerationOperator, 'TolerationOperator');
  if (operator === TolerationOperator.EXISTS && t.value !== undefined) fail(site, 'value', t.value, 'a toleration with operator Exists takes no value: it matches every value of the key');
  if (operator === TolerationOperator.EQUAL && t.value === undefined) fail(site, 'value', t.value, 'a toleration with operator Equal needs the taint\'s value');
  if (t.value !== undefined) checkLabelValue(site, 'value', t.value);
  if (key === GKE_SANDBOX_NODE.key && t.value !== undefined && t.value !== GKE_SANDBOX_NODE.value) {
    fail(site, 'value', t.value, `allowed: "${GKE_SANDBOX_NODE.value}": GKE Sandbox taints its gVisor nodes ${GKE_SANDBOX_NODE.key}=${GKE_SANDBOX_NODE.value}:NoSchedule (and the RuntimeClass tolerates it already)`);
  }
  const effect = t.effect === undefined ? undefined : checkEnum(site, 'effect', t.effect, TaintEffect, 'TaintEffect');
  if (t.tolerationSeconds !== undefined) {
    if (effect !== TaintEffect.NO_EXECUTE) fail(site, 'tolerationSeconds', t.tolerationSeconds, 'only applies with effect TaintEffect.NO_EXECUTE (how long the pod stays on a node after such a taint appears)');
    checkInteger(site, 'tolerationSeconds', t.tolerationSeconds, 0, 31536000, 'a whole number of seconds');
  }
  return {
    key, operator,
    ...(t.value !== undefined ? { value: t.value } : {}),
    ...(effect !== undefined ? { effect } : {}),
    ...(t.tolerationSeconds !== undefined ? { tolerationSeconds: t.tolerationSeconds } : {}),
  };
}

/** The affinity, checked; undefined when it holds nothing. */
function affinityOf(site: Site, given: unknown): { [key: string]: any } | undefined {
  const affinity = checkMapping(site, '', given, 'an affinity ({ nodeAffinity?, podAffinity?, podAntiAffinity? })') as { [key: string]: any };
  const out: { [key: string]: any } = {};
  if (affinity.nodeAffinity !== undefined) {
    const nodeSite = child(site, 'nodeAffinity');
    const node = checkMapping(nodeSite, '', affinity.nodeAffinity, 'a node affinity ({ required?, preferred? })') as { [key: string]: any };
    const nodeOut: { [key: string]: any } = {};
    if (node.required !== undefined) {
      const terms = checkList(nodeSite, 'required', node.required, 'node selector terms').map((term, i) => nodeSelectorTermOf(child(nodeSite, `required[${i}]`), term as NodeSelectorTerm));
      if (terms.length > 0) nodeOut.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: terms };
    }
    if (node.preferred !== undefined) {
      const terms = checkList(nodeSite, 'preferred', node.preferred, 'weighted node selector terms').map((weighted: any, i) => {
        const at = child(nodeSite, `preferred[${i}]`);
        checkMapping(at, '', weighted, 'a weighted term ({ weight, preference })');
        const weight = checkInteger(at, 'weight', weighted.weight, 1, 100);
        if (weighted.preference === undefined) fail(at, 'preference', undefined, 'a preferred term names the node selector term it prefers');
        return { weight, preference: nodeSelectorTermOf(child(at, 'preference'), weighted.preference) };
      });
      if (terms.length > 0) nodeOut.preferredDuringSchedulingIgnoredDuringExecution = terms;
    }
    if (Object.keys(nodeOut).length > 0) out.nodeAffinity = nodeOut;
  }
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    if (affinity[kind] === undefined) continue;
    const pod = podAffinityOf(child(site, kind), affinity[kind], kind === 'podAffinity');
    if (pod) out[kind] = pod;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** One node selector term, checked: its requirements may not exclude the gVisor nodes nor pick control-plane nodes. */
function nodeSelectorTermOf(site: Site, term: NodeSelectorTerm): { [key: string]: any } {
  checkMapping(site, '', term, 'a node selector term ({ matchExpressions?, matchFields? })');
  const out: { [key: string]: any } = {};
  if (term.matchExpressions !== undefined) {
    const list = checkList(site, 'matchExpressions', term.matchExpressions, 'node selector requirements');
    if (list.length > 0) out.matchExpressions = list.map((r, i) => nodeRequirementOf(child(site, `matchExpressions[${i}]`), r as any, false));
  }
  if (term.matchFields !== undefined) {
    const list = checkList(site, 'matchFields', term.matchFields, 'node selector requirements');
    if (list.length > 0) out.matchFields = list.map((r, i) => nodeRequirementOf(child(site, `matchFields[${i}]`), r as any, true));
  }
  if (Object.keys(out).length === 0) fail(site, 'matchExpressions', term.matchExpressions, 'a node selector term needs at least one requirement in matchExpressions or matchFields: an empty term matches no node');
  return out;
}

/** One node selector requirement, checked. */
function nodeRequirementOf(site: Site, r: { [key: string]: any }, field: boolean): { [key: string]: any } {
  checkMapping(site, '', r, 'a requirement ({ key, operator, values? })');
  const key = field ? r.key : checkLabelKey(site, 'key', r.key);
  if (field && key !== 'metadata.name') fail(site, 'key', key, 'allowed: "metadata.name", the only node field the scheduler matches');
  const operator = checkEnum(site, 'operator', r.operator, NodeSelectorOperator, 'NodeSelectorOperator');
  if (field && operator !== NodeSelectorOperator.IN && operator !== NodeSelectorOperator.NOT_IN) fail(site, 'operator', operator, 'allowed in matchFields: NodeSelectorOperator.IN or NodeSelectorOperator.NOT_IN');
  const values = r.values === undefined ? [] : checkList(site, 'values', r.values, 'strings');
  switch (operator) {
    case NodeSelectorOperator.IN:
    case NodeSelectorOperator.NOT_IN:
      if (values.length === 0) fail(site, 'values', r.values, `operator ${operator} needs at least one value`);
      values.forEach((v, i) => (field ? checkDnsSubdomain(site, `values[${i}]`, v) : checkLabelValue(site, `values[${i}]`, v)));
      break;
    case NodeSelectorOperator.GT:
    case NodeSelectorOperator.LT:
      if (values.length !== 1 || typeof values[0] !== 'string' || !/^-?[0-9]{1,18}$/.test(values[0])) fail(site, 'values', r.values, `operator ${operator} needs exactly one value, an integer`);
      break;
    default:
      if (values.length > 0) fail(site, 'values', r.values, `operator ${operator} takes no values`);
  }
  if (!field) {
    const required = REQUIRED_NODE_LABELS.get(key);
    if (required !== undefined) {
      const withValues = operator === NodeSelectorOperator.IN || operator === NodeSelectorOperator.NOT_IN;
      const excludes = operator === NodeSelectorOperator.IN ? !values.includes(required.value)
        : operator === NodeSelectorOperator.NOT_IN ? values.includes(required.value)
          : operator !== NodeSelectorOperator.EXISTS;
      if (excludes) fail(site, withValues ? 'values' : 'operator', withValues ? values : operator, `a requirement on ${key} must let ${key}=${required.value} through: ${required.why}`);
    }
    if (CONTROL_PLANE_KEYS.includes(key) && (operator === NodeSelectorOperator.IN || operator === NodeSelectorOperator.EXISTS)) {
      fail(site, 'key', key, `${CONTROL_PLANE_WHY}; a requirement may only keep pods off them (NotIn, DoesNotExist)`);
    }
  }
  return { key, operator, ...(values.length > 0 ? { values: [...values] } : {}) };
}

/** A pod affinity or anti-affinity, checked; undefined when it holds nothing. */
function podAffinityOf(site: Site, given: unknown, attraction: boolean): { [key: string]: any } | undefined {
  const affinity = checkMapping(site, '', given, 'a pod affinity ({ required?, preferred? })') as SandboxPodAffinity;
  const out: { [key: string]: any } = {};
  if (affinity.required !== undefined) {
    const terms = checkList(site, 'required', affinity.required, 'pod affinity terms').map((term, i) => podAffinityTermOf(child(site, `required[${i}]`), term as PodAffinityTerm, attraction));
    if (terms.length > 0) out.requiredDuringSchedulingIgnoredDuringExecution = terms;
  }
  if (affinity.preferred !== undefined) {
    const terms = checkList(site, 'preferred', affinity.preferred, 'weighted pod affinity terms').map((weighted: any, i) => {
      const at = child(site, `preferred[${i}]`);
      checkMapping(at, '', weighted, 'a weighted term ({ weight, term })');
      const weight = checkInteger(at, 'weight', weighted.weight, 1, 100);
      if (weighted.term === undefined) fail(at, 'term', undefined, 'a preferred term names the pod affinity term it prefers');
      return { weight, podAffinityTerm: podAffinityTermOf(child(at, 'term'), weighted.term, attraction) };
    });
    if (terms.length > 0) out.preferredDuringSchedulingIgnoredDuringExecution = terms;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** One pod affinity term, checked: an attraction must select sandboxed pods. */
function podAffinityTermOf(site: Site, term: PodAffinityTerm, attraction: boolean): { [key: string]: any } {
  checkMapping(site, '', term, 'a pod affinity term ({ labelSelector, topologyKey, namespaces?, namespaceSelector? })');
  if (term.labelSelector === undefined) fail(site, 'labelSelector', undefined, 'a pod affinity term names the pods it is about (a selector that is unset selects none)');
  const labelSelector = labelSelectorOf(child(site, 'labelSelector'), term.labelSelector);
  if (attraction) {
    const labels = labelSelector.matchLabels ?? {};
    if (labels[SANDBOX_LABELS.sandboxed] !== 'true' && labels[SANDBOX_LABELS.workload] === undefined) {
      fail(child(site, 'labelSelector'), 'matchLabels', term.labelSelector.matchLabels,
        `pod affinity draws untrusted code onto the nodes of the pods it selects: select sandboxed pods only, with ${SANDBOX_LABELS.sandboxed}: "true" or a sandboxed workload's selectorLabels (${SANDBOX_LABELS.workload}), so it cannot be aimed at a trusted or another tenant's pod (co-residency side channels); podAntiAffinity may select any pods`);
    }
  }
  if (term.topologyKey === undefined || term.topologyKey === '') fail(site, 'topologyKey', term.topologyKey, 'a pod affinity term names its topology domain, a node label key (e.g. "kubernetes.io/hostname", "topology.kubernetes.io/zone")');
  const topologyKey = checkLabelKey(site, 'topologyKey', term.topologyKey);
  const namespaces = term.namespaces === undefined ? [] : checkList(site, 'namespaces', term.namespaces, 'namespace names').map((n, i) => checkDnsLabel(site, `namespaces[${i}]`, n));
  const namespaceSelector = term.namespaceSelector === undefined ? undefined : labelSelectorOf(child(site, 'namespaceSelector'), term.namespaceSelector);
  return {
    labelSelector,
    ...(namespaceSelector !== undefined ? { namespaceSelector } : {}),
    ...(namespaces.length > 0 ? { namespaces } : {}),
    topologyKey,
  };
}

/** A label selector, checked, as Kubernetes JSON. */
function labelSelectorOf(site: Site, given: SandboxLabelSelector): { matchLabels?: { [key: string]: string }; matchExpressions?: { [key: string]: any }[] } {
  checkMapping(site, '', given, 'a label selector ({ matchLabels?, matchExpressions? })');
  const out: { matchLabels?: { [key: string]: string }; matchExpressions?: { [key: string]: any }[] } = {};
  if (given.matchLabels !== undefined) {
    const labels = checkMapping(site, 'matchLabels', given.matchLabels, 'a map of label keys to values');
    const matchLabels: { [key: string]: string } = {};
    for (const [key, value] of Object.entries(labels)) {
      checkLabelKey(site, `matchLabels["${key}"]`, key);
      matchLabels[key] = checkLabelValue(site, `matchLabels["${key}"]`, value);
    }
    if (Object.keys(matchLabels).length > 0) out.matchLabels = matchLabels;
  }
  if (given.matchExpressions !== undefined) {
    const list = checkList(site, 'matchExpressions', given.matchExpressions, 'label selector requirements');
    const expressions = list.map((r: any, i) => {
      const at = child(site, `matchExpressions[${i}]`);
      checkMapping(at, '', r, 'a requirement ({ key, operator, values? })');
      const key = checkLabelKey(at, 'key', r.key);
      const operator = checkEnum(at, 'operator', r.operator, LabelSelectorOperator, 'LabelSelectorOperator');
      const values = r.values === undefined ? [] : checkList(at, 'values', r.values, 'label values');
      const withValues = operator === LabelSelectorOperator.IN || operator === LabelSelectorOperator.NOT_IN;
      if (withValues && values.length === 0) fail(at, 'values', r.values, `operator ${operator} needs at least one value`);
      if (!withValues && values.length > 0) fail(at, 'values', r.values, `operator ${operator} takes no values`);
      values.forEach((v, j) => checkLabelValue(at, `values[${j}]`, v));
      return { key, operator, ...(values.length > 0 ? { values: [...values] } : {}) };
    });
    if (expressions.length > 0) out.matchExpressions = expressions;
  }
  return out;
}

/** The topology spread constraints, checked; a constraint without a selector counts the workload's own pods. */
function topologySpreadOf(site: Site, given: unknown, selectorLabels: { readonly [key: string]: string } | undefined): { [key: string]: any }[] {
  const seen = new Set<string>();
  return checkList(site, 'topologySpreadConstraints', given, 'topology spread constraints').map((raw, i) => {
    const at = child(site, `topologySpreadConstraints[${i}]`);
    const c = checkMapping(at, '', raw, 'a topology spread constraint ({ topologyKey, maxSkew?, whenUnsatisfiable?, labelSelector?, minDomains?, matchLabelKeys? })') as unknown as SandboxTopologySpreadConstraint;
    if (c.topologyKey === undefined || c.topologyKey === '') fail(at, 'topologyKey', c.topologyKey, 'a constraint names its topology domain, a node label key (e.g. "topology.kubernetes.io/zone", "kubernetes.io/hostname")');
    const topologyKey = checkLabelKey(at, 'topologyKey', c.topologyKey);
    const maxSkew = c.maxSkew === undefined ? 1 : checkInteger(at, 'maxSkew', c.maxSkew, 1, 10000);
    const whenUnsatisfiable = c.whenUnsatisfiable === undefined ? UnsatisfiableConstraintAction.DO_NOT_SCHEDULE
      : checkEnum(at, 'whenUnsatisfiable', c.whenUnsatisfiable, UnsatisfiableConstraintAction, 'UnsatisfiableConstraintAction');
    const key = `${topologyKey}\u0000${whenUnsatisfiable}`;
    if (seen.has(key)) fail(at, 'topologyKey', topologyKey, `another constraint already spreads over ${topologyKey} with ${whenUnsatisfiable}; Kubernetes allows one per key and action`);
    seen.add(key);
    if (c.minDomains !== undefined) {
      if (whenUnsatisfiable !== UnsatisfiableConstraintAction.DO_NOT_SCHEDULE) fail(at, 'minDomains', c.minDomains, 'only applies with whenUnsatisfiable UnsatisfiableConstraintAction.DO_NOT_SCHEDULE');
      checkInteger(at, 'minDomains', c.minDomains, 1, 10000);
    }
    let labelSelector: { matchLabels?: { [key: string]: string }; matchExpressions?: { [key: string]: any }[] };
    if (c.labelSelector !== undefined) labelSelector = labelSelectorOf(child(at, 'labelSelector'), c.labelSelector);
    else if (selectorLabels !== undefined) labelSelector = { matchLabels: { ...selectorLabels } };
    else fail(at, 'labelSelector', undefined, 'name the pods whose spread the constraint counts');
    const matchLabelKeys = c.matchLabelKeys === undefined ? [] : checkList(at, 'matchLabelKeys', c.matchLabelKeys, 'label keys').map((k, j) => {
      checkLabelKey(at, `matchLabelKeys[${j}]`, k);
      const inSelector = Object.keys(labelSelector.matchLabels ?? {}).includes(k as string) || (labelSelector.matchExpressions ?? []).some((e) => e.key === k);
      if (inSelector) fail(at, `matchLabelKeys[${j}]`, k, 'is already a key of the labelSelector; Kubernetes refuses a key in both');
      return k as string;
    });
    if (new Set(matchLabelKeys).size !== matchLabelKeys.length) fail(at, 'matchLabelKeys', matchLabelKeys, 'each key is listed once');
    return {
      maxSkew, topologyKey, whenUnsatisfiable, labelSelector,
      ...(c.minDomains !== undefined ? { minDomains: c.minDomains } : {}),
      ...(matchLabelKeys.length > 0 ? { matchLabelKeys } : {}),
    };
  });
}
