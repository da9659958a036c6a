// Hardening in place: the profile's defaults applied to a pod template wherever a field is unset, and a
// refusal wherever a field is set to what a rule forbids (a value harden must not silently change).
import { selectorMatches } from './cross-resource';
import { MANAGED_BY_LABEL, SANDBOX_DEFAULTS } from './defaults';
import { FillPod, FillTarget, isUnset, valueAt } from './harden-fill';
import { EmbeddedPods, KubeObject, PodTemplateLocation, containersOf, embeddedPodsOf, isMapping, jobSpecOf, podTemplateOf } from './kube';
import { runtimeClassNameOr } from './predicates';
import { Finding, refOf } from './rule';
import { RULES, checkObject, checkPodTemplatesIn, ruleById } from './rules';
import { judgeSuppression, suppressionsOf } from './suppress';

/** Requests and limits a container gets where it sets none (a LimitRange's `defaultRequest` and `default`). */
export interface ContainerDefaults {
  readonly requests: { readonly [resource: string]: string };
  readonly limits: { readonly [resource: string]: string };
}

/** Options of a hardening pass. */
export interface HardenOptions {
  /**
   * The RuntimeClass hardened pods name.
   * @default 'gvisor'
   */
  readonly runtimeClassName?: string;
  /**
   * Rules whose actions and refusals the pass skips (as `audit --ignore-rule`).
   * @default - none
   */
  readonly ignoreRules?: readonly string[];
  /**
   * Requests and limits for containers that set none.
   * @default - SANDBOX_DEFAULTS.resources
   */
  readonly containerDefaults?: ContainerDefaults;
  /**
   * ServiceAccounts (`namespace/name`) whose token pods rely on, each with the workload that does (see
   * `serviceAccountsRelyingOnTokens`): harden does not turn their token off.
   * @default - those of the objects hardened together
   */
  readonly serviceAccountsRelyingOnTokens?: ReadonlyMap<string, string>;
}

/** One field harden set: `value` at `segments` (missing mappings are created; an index equal to a list's length appends). */
export interface HardenChange {
  /** The rule the change satisfies. */
  readonly rule: string;
  /** JSON path of the field, as findings name paths (`spec.template.spec.containers[0].securityContext.runAsNonRoot`). */
  readonly path: string;
  /** The same path as keys and list indexes. */
  readonly segments: readonly (string | number)[];
  /** The value set. */
  readonly value: unknown;
}

/** What hardening one object did. */
export interface HardenResult {
  /** The hardened object: a copy with `changes` applied (the input is never modified), or the input itself when nothing changed. */
  readonly object: KubeObject;
  /** Whether the object carries pod templates (a workload): only those are hardened. */
  readonly workload: boolean;
  /** The fields set, in the order applied. */
  readonly changes: readonly HardenChange[];
  /** What harden must not change, as findings; empty when the object was hardened. */
  readonly refusals: readonly Finding[];
  /** Refusals waived by the object's suppression annotation, with its reason in the message. */
  readonly suppressed: readonly Finding[];
  /** Objects to add right after this one (a PodDisruptionBudget for a replicated workload that has none). */
  readonly companions: readonly KubeObject[];
}

/** Options of a hardening pass over a set of objects. */
export interface HardenObjectsOptions extends HardenOptions {
  /**
   * The namespace of objects that name none.
   * @default 'default'
   */
  readonly defaultNamespace?: string;
}

/** The options of a pass with their defaults applied (in one place). */
interface ResolvedHardenOptions {
  readonly runtimeClassName: string;
  readonly tokenAccounts: ReadonlyMap<string, string>;
  readonly ignore: ReadonlySet<string>;
  readonly containerDefaults?: ContainerDefaults;
  readonly defaultNamespace: string;
}

function resolveHardenOptions(options: HardenObjectsOptions): ResolvedHardenOptions {
  return {
    runtimeClassName: runtimeClassNameOr(options.runtimeClassName),
    tokenAccounts: options.serviceAccountsRelyingOnTokens ?? new Map(),
    ignore: new Set(options.ignoreRules ?? []),
    containerDefaults: options.containerDefaults,
    defaultNamespace: options.defaultNamespace || 'default',
  };
}

/** The profile's own container defaults (SANDBOX_DEFAULTS.resources). */
export const PROFILE_CONTAINER_DEFAULTS: ContainerDefaults = {
  requests: { 'cpu': SANDBOX_DEFAULTS.resources.cpuRequest, 'memory': SANDBOX_DEFAULTS.resources.memoryRequest, 'ephemeral-storage': SANDBOX_DEFAULTS.resources.ephemeralStorageRequest },
  limits: { 'cpu': SANDBOX_DEFAULTS.resources.cpuLimit, 'memory': SANDBOX_DEFAULTS.resources.memoryLimit, 'ephemeral-storage': SANDBOX_DEFAULTS.resources.ephemeralStorageLimit },
};

/**
 * The container defaults a LimitRange gives (its `Container` item's `defaultRequest` and `default`; a default
 * limit without a default request is the request too, as the API server applies them), over the profile's
 * own for resources it leaves out.
 */
export function containerDefaultsOf(limitRange: KubeObject): ContainerDefaults | undefined {
  const item = (Array.isArray(limitRange.spec?.limits) ? limitRange.spec.limits : []).find((l: any) => l?.type === 'Container' && (l.default || l.defaultRequest));
  if (!item) return undefined;
  const strings = (m: unknown): { [key: string]: string } => Object.fromEntries(Object.entries(m && typeof m === 'object' ? m : {}).map(([k, v]) => [k, String(v)]));
  const limits = { ...PROFILE_CONTAINER_DEFAULTS.limits, ...strings(item.default) };
  const requests = { ...PROFILE_CONTAINER_DEFAULTS.requests, ...strings(item.default), ...strings(item.defaultRequest) };
  return { requests, limits };
}

/** The container defaults of each namespace (objects naming none are in `defaultNamespace`): its first LimitRange that gives any. */
export function containerDefaultsByNamespace(objects: readonly KubeObject[], defaultNamespace = 'default'): Map<string, ContainerDefaults> {
  const byNamespace = new Map<string, ContainerDefaults>();
  for (const o of objects) {
    if (o?.kind !== 'LimitRange') continue;
    const namespace = o.metadata?.namespace || defaultNamespace;
    const defaults = byNamespace.has(namespace) ? undefined : containerDefaultsOf(o);
    if (defaults) byNamespace.set(namespace, defaults);
  }
  return byNamespace;
}

/** `segments` as a JSON path the way findings write them (`spec.containers[0].image`). */
export function pathOfSegments(segments: readonly (string | number)[]): string {
  let path = '';
  for (const s of segments) {
    if (typeof s === 'number') path += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) path += path === '' ? s : `.${s}`;
    else path += `[${JSON.stringify(s)}]`;
  }
  return path;
}

/** A JSON path as findings write it (`spec.template.spec.containers[0]`), as keys and list indexes. */
export function segmentsOfPath(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  const pattern = /([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(path)) !== null) {
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push(JSON.parse(`"${match[3]}"`));
  }
  return segments;
}

/** Sets `value` at `segments` of `root`, creating mappings (or lists, before an index) where unset. */
function setAt(root: any, segments: readonly (string | number)[], value: unknown): void {
  let node = root;
  for (let i = 0; i < segments.length - 1; i++) {
    const key = segments[i];
    if (node[key] === undefined || node[key] === null || typeof node[key] !== 'object') node[key] = typeof segments[i + 1] === 'number' ? [] : {};
    node = node[key];
  }
  node[segments[segments.length - 1]] = value;
}

function copyOf<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

const NO_CHANGE = { changes: [], refusals: [], suppressed: [], companions: [] } as const;

const CONTAINER_GROUPS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/** The rule id of a refusal of a pod that harden cannot place: a container outside any pod template, or a malformed pod spec. */
export const LONE_CONTAINER_REFUSAL = 'pod-template';

const TOKEN_RULE = 'no-service-account-token';

/**
 * The ServiceAccounts (`namespace/name`) whose token pods of `objects` rely on: a workload whose token rule is
 * waived (suppressed, or `ignored`) and whose pods leave automountServiceAccountToken unset gets the token its
 * ServiceAccount gives; each maps to the first such workload (`Kind/name`).
 */
export function serviceAccountsRelyingOnTokens(objects: readonly KubeObject[], defaultNamespace = 'default', ignored: readonly string[] = []): Map<string, string> {
  const accounts = new Map<string, string>();
  for (const obj of objects) {
    const pod = obj && typeof obj === 'object' ? podTemplateOf(obj) : undefined;
    if (!pod || !isUnset(pod.spec.automountServiceAccountToken)) continue;
    if (!ignored.includes(TOKEN_RULE) && !suppressionsOf(obj).rules.has(TOKEN_RULE)) continue;
    const account = pod.spec.serviceAccountName || pod.spec.serviceAccount || 'default';
    const key = `${obj.metadata?.namespace || defaultNamespace}/${account}`;
    if (!accounts.has(key)) accounts.set(key, `${obj.kind}/${obj.metadata?.name ?? '(unnamed)'}`);
  }
  return accounts;
}

/** Hardens one object: fills, then judges what is left (refusals, or findings waived by its suppressions). */
/** The pods of an object: its own pod template, or those a kind the profile does not know embeds, and lone containers. */
function podsOf(obj: KubeObject): { own?: PodTemplateLocation; embedded?: EmbeddedPods; templates: PodTemplateLocation[]; lone: string[] } {
  const own = podTemplateOf(obj);
  if (own) return { own, templates: [own], lone: [] };
  const embedded = embeddedPodsOf(obj);
  return { embedded, templates: embedded.templates, lone: embedded.loneContainers };
}

/** Whether harden works on an object: a workload (any kind that carries pods) or a ServiceAccount; it passes every other untouched. */
export function isHardenable(obj: KubeObject): boolean {
  if (obj.kind === 'ServiceAccount') return true;
  const { templates, lone } = podsOf(obj);
  return templates.length > 0 || lone.length > 0;
}

function hardenOne(obj: KubeObject, options: ResolvedHardenOptions, resources: ContainerDefaults): HardenResult {
  const { own, embedded, templates, lone } = podsOf(obj);
  if (templates.length === 0 && lone.length === 0 && obj.kind !== 'ServiceAccount') return { object: obj, workload: false, ...NO_CHANGE };

  const copy: KubeObject = copyOf(obj);
  const changes: HardenChange[] = [];
  let rule = '';
  const malformed = templates.filter((t) => !isMapping(t.spec) || CONTAINER_GROUPS.some((g) => !isUnset(t.spec[g]) && !(Array.isArray(t.spec[g]) && t.spec[g].every(isMapping))));
  if (malformed.length > 0) {
    return {
      object: obj, workload: true, changes: [], suppressed: [], companions: [],
      refusals: malformed.map((t) => ({
        rule: LONE_CONTAINER_REFUSAL, object: refOf(obj), path: t.specPath,
        message: `${t.specPath} is not a pod spec with lists of containers, so it cannot be hardened`, fix: 'Give the pod spec its containers as a list of mappings.',
      })),
    };
  }
  const pods: FillPod[] = templates.map((t) => {
    const segments = segmentsOfPath(t.specPath);
    const spec = valueAt(copy, segments);
    return { spec, segments, containers: containersOf(spec, t.specPath).map((c) => ({ container: c.container, segments: segmentsOfPath(c.path), group: c.group })) };
  });
  const job = jobSpecOf(copy);
  const target: FillTarget = {
    obj: copy, pods, runtimeClassName: options.runtimeClassName, resources,
    ...(job ? { job: { spec: job.spec, segments: segmentsOfPath(job.path) } } : {}),
    set(segments, value) {
      setAt(copy, segments, value);
      changes.push({ rule, path: pathOfSegments(segments), segments: [...segments], value: copyOf(value) });
    },
  };
  const suppressions = suppressionsOf(obj);
  const tokenUser = obj.kind === 'ServiceAccount' ? options.tokenAccounts.get(`${obj.metadata?.namespace || options.defaultNamespace}/${obj.metadata?.name}`) : undefined;
  for (const r of RULES) {
    if (!r.hardening.fill || options.ignore.has(r.id) || suppressions.rules.has(r.id) || (tokenUser && r.id === TOKEN_RULE)) continue;
    rule = r.id;
    r.hardening.fill(target);
  }

  const checkOptions = { runtimeClassName: options.runtimeClassName };
  const findings = [...(own || obj.kind === 'ServiceAccount' ? checkObject(copy, checkOptions) : checkPodTemplatesIn(copy, embedded!.templates.map((t) => ({ ...t, spec: valueAt(copy, segmentsOfPath(t.specPath)) })), checkOptions))];
  const refusals: Finding[] = [];
  const suppressed: Finding[] = [];
  for (const f of findings) {
    if (options.ignore.has(f.rule)) continue;
    const verdict = judgeSuppression(f, suppressions);
    if (verdict.waived) {
      suppressed.push({ ...f, message: `${f.message} (suppressed: ${verdict.reason})` });
      continue;
    }
    const r = ruleById(f.rule);
    if (tokenUser && f.rule === TOKEN_RULE) {
      refusals.push({
        ...f, message: `${f.message}; harden does not turn it off: ${tokenUser} relies on its token (its no-service-account-token rule is waived and its pods leave automountServiceAccountToken unset)`,
        fix: `Waive no-service-account-token on this ServiceAccount too, with the reason, or set automountServiceAccountToken on the pods that need a token and false here.`,
      });
      continue;
    }
    refusals.push({ ...f, message: `${f.message}${r ? `; harden does not change it: ${r.hardening.refuses}` : ''}` });
    if (verdict.unwaivable && !options.ignore.has(verdict.unwaivable.rule)) refusals.push(verdict.unwaivable);
  }
  refusals.push(...suppressions.findings.filter((f) => !options.ignore.has(f.rule)));
  for (const path of lone) {
    refusals.push({
      rule: LONE_CONTAINER_REFUSAL, object: refOf(obj), path,
      message: `${path} is a container outside any pod template, so how its pod runs cannot be judged or hardened`,
      fix: 'Harden the pods this object makes where their pod spec is written (the controller\'s configuration), or leave the object out.',
    });
  }
  return { object: changes.length > 0 ? copy : obj, workload: templates.length > 0 || lone.length > 0, changes, refusals, suppressed, companions: [] };
}

/**
 * The PodDisruptionBudgets of a set, indexed by namespace and by one label of their selector, so that telling
 * whether a workload's pods are covered looks at the few budgets that may select them (the pass stays linear).
 */
export class BudgetCoverage {
  /** namespace -> `key=value` of a selector's first matchLabels entry (or '' for none) -> selectors. */
  private readonly index = new Map<string, Map<string, unknown[]>>();

  constructor(private readonly defaultNamespace = 'default') {}

  /** Adds a budget of the set. */
  add(budget: KubeObject): void {
    const namespace = budget.metadata?.namespace || this.defaultNamespace;
    const selector = budget.spec?.selector;
    const first = Object.entries(selector?.matchLabels ?? {})[0];
    const key = first ? `${first[0]}=${first[1]}` : '';
    let byLabel = this.index.get(namespace);
    if (!byLabel) this.index.set(namespace, byLabel = new Map());
    const list = byLabel.get(key);
    if (list) list.push(selector);
    else byLabel.set(key, [selector]);
  }

  /** Whether a budget of the set selects pods with these labels in this namespace. */
  covers(namespace: string, labels: { readonly [key: string]: string }): boolean {
    const byLabel = this.index.get(namespace);
    if (!byLabel) return false;
    const candidates = [byLabel.get(''), ...Object.entries(labels).map(([k, v]) => byLabel.get(`${k}=${v}`))];
    return candidates.some((list) => list?.some((selector) => selectorMatches(selector as any, labels)) ?? false);
  }

  /**
   * The PodDisruptionBudget a replicated Deployment or StatefulSet needs when no budget covers its pods (it is
   * added to the coverage), or undefined.
   */
  budgetFor(obj: KubeObject): KubeObject | undefined {
    if (obj.kind !== 'Deployment' && obj.kind !== 'StatefulSet') return undefined;
    if (!(typeof obj.spec?.replicas === 'number' && obj.spec.replicas > 1) || !obj.spec?.selector) return undefined;
    const namespace = obj.metadata?.namespace || this.defaultNamespace;
    if (this.covers(namespace, podTemplateOf(obj)?.metadata.labels ?? {})) return undefined;
    const name = `${obj.metadata?.name ?? 'workload'}${SANDBOX_DEFAULTS.hardenedBudget.nameSuffix}`;
    const budget: KubeObject = {
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget',
      metadata: { name, ...(obj.metadata?.namespace ? { namespace: obj.metadata.namespace } : {}), labels: { ...MANAGED_BY_LABEL } },
      spec: { maxUnavailable: SANDBOX_DEFAULTS.hardenedBudget.maxUnavailable, selector: copyOf(obj.spec.selector) },
    };
    this.add(budget);
    return budget;
  }
}

/**
 * Hardens one object on its own: a workload's pod templates (or a ServiceAccount's token setting) get the
 * profile's values where fields are unset; what a rule still finds is refused. Resources come from
 * `options.containerDefaults` or the profile's.
 */
export function hardenObject(obj: KubeObject, options: HardenOptions = {}): HardenResult {
  return hardenObjects([obj], options)[0];
}

/**
 * Hardens a set of objects, one result per object in order. Containers that set no resources get their
 * namespace's LimitRange defaults when the set has a LimitRange there (else the profile's), and a replicated
 * Deployment or StatefulSet that no PodDisruptionBudget of the set covers gets one (`companions`).
 */
export function hardenObjects(objects: readonly KubeObject[], options: HardenObjectsOptions = {}): HardenResult[] {
  const resolved = resolveHardenOptions(options.serviceAccountsRelyingOnTokens ? options : {
    ...options, serviceAccountsRelyingOnTokens: serviceAccountsRelyingOnTokens(objects, options.defaultNamespace || 'default', options.ignoreRules ?? []),
  });
  const namespaceOfObject = (o: KubeObject) => o.metadata?.namespace || resolved.defaultNamespace;
  const limitRanges = containerDefaultsByNamespace(objects, resolved.defaultNamespace);
  const budgets = new BudgetCoverage(resolved.defaultNamespace);
  for (const o of objects) if (o?.kind === 'PodDisruptionBudget') budgets.add(o);
  return objects.map((o) => {
    if (!o || typeof o !== 'object' || typeof o.kind !== 'string') return { object: o, workload: false, ...NO_CHANGE };
    const namespace = namespaceOfObject(o);
    const result = hardenOne(o, resolved, resolved.containerDefaults ?? limitRanges.get(namespace) ?? PROFILE_CONTAINER_DEFAULTS);
    if (resolved.ignore.has('availability') || suppressionsOf(o).rules.has('availability')) return result;
    const budget = budgets.budgetFor(result.object);
    return budget ? { ...result, companions: [budget] } : result;
  });
}
