// The audit runner: every profile rule over each in-scope object as it is loaded, then the
// cross-resource rules over the whole set, with suppressions, ignored rules and scope applied.
// Only a small skeleton of each object is kept after its document is checked, so memory grows with
// the number of objects, not with the bytes of YAML.
import {
  CLUSTER_SCOPED_KINDS, CheckOptions, FQDN_POLICY_KINDS, Finding, KubeObject, PodTemplateLocation, RULES, SET_ONLY_RULES, SET_RULES, Suppressions, Unwaivable, checkObject,
  checkObjectSet, runtimeClassNameOr, checkPodTemplatesIn, embeddedPodsOf, judgeSuppression, labelsPathOf, podTemplateOf, refOf, suppressionsOf,
} from '../profile';
import { InputProblem, LoadSink, LoadedObject, STDIN_NAME, expandPaths, loadSources, readYamlText } from './load';
import { SUPPRESSION_RULES } from './suppress';

/** Options of an audit run. */
export interface AuditOptions {
  /**
   * Audit only objects of this namespace. Objects that name no namespace are taken to live in it,
   * as `kubectl apply -n NAMESPACE` would place them.
   * @default - every namespace; objects that name none live in "default"
   */
  readonly namespace?: string;
  /**
   * Audit only pods that ask for a runtime class (`runtimeClassName` set), and the ServiceAccounts they use.
   * @default false
   */
  readonly onlyRuntimeClass?: boolean;
  /**
   * The RuntimeClass sandboxed pods must name.
   * @default 'gvisor'
   */
  readonly runtimeClassName?: string;
  /**
   * Rule ids to ignore for the whole run.
   * @default []
   */
  readonly ignoreRules?: readonly string[];
  /**
   * Fail the run (exit 2) on containers the audit cannot judge: those of kinds it does not know that sit
   * outside any pod template (Argo Workflow `container`, Tekton `steps`). Without it they are reported as
   * warnings ("not audited").
   * @default false
   */
  readonly strict?: boolean;
}

/** Options of `auditManifests`: the audit options plus where standard input comes from. */
export interface AuditManifestsOptions extends AuditOptions {
  /**
   * What `-` reads.
   * @default process.stdin
   */
  readonly stdin?: AsyncIterable<Buffer | string>;
}

/** A rule as reports list it. */
export interface RuleInfo {
  readonly id: string;
  readonly title: string;
  /** The profile table row, when the rule implements one. */
  readonly row?: number;
  readonly references: readonly string[];
  /** Whether the rule judges the whole set rather than one object. */
  readonly crossResource: boolean;
  /** What of the rule a suppression can never waive (see Rule.unwaivable). */
  readonly unwaivable?: Unwaivable;
}

/** The profile's rules: per object, then over the whole set. */
const PROFILE_RULES: readonly RuleInfo[] = [
  ...RULES.map((r) => ({ id: r.id, title: r.title, row: r.row, references: r.references, crossResource: false, ...(r.unwaivable ? { unwaivable: r.unwaivable } : {}) })),
  ...SET_RULES.map((r) => ({ id: r.id, title: r.title, row: r.row, references: r.references, crossResource: true, ...(r.unwaivable ? { unwaivable: r.unwaivable } : {}) })),
];

/** Every rule the audit can report: the profile's per-object and cross-resource rules, and the suppression rules. */
export const AUDIT_RULES: readonly RuleInfo[] = [
  ...PROFILE_RULES,
  ...SUPPRESSION_RULES.map((r) => ({ id: r.id, title: r.title, references: r.references, crossResource: false })),
];

const RULE_IDS: ReadonlySet<string> = new Set(AUDIT_RULES.map((r) => r.id));
/** The title of each rule id (the first rule of that id, as AUDIT_RULES.find would give it). */
const RULE_TITLES: ReadonlyMap<string, string> = new Map([...AUDIT_RULES].reverse().map((r) => [r.id, r.title]));

/** A finding with where it is. */
export interface AuditFinding extends Finding {
  /** The rule's title. */
  readonly title: string;
  /** The file the object is in (`-` for standard input). */
  readonly file: string;
  /** 1-based line of the offending field, or of the deepest part of its path that exists. */
  readonly line: number;
  /** 1-based line where the object starts. */
  readonly objectLine: number;
}

/** A finding a suppression annotation waived, with the reason it gives. */
export interface AuditSuppression extends AuditFinding {
  /** The reason written after the rule id in the annotation. */
  readonly reason: string;
}

/** The outcome of an audit. */
export interface AuditResult {
  /** Findings, ordered by file, then object, then line. */
  readonly findings: readonly AuditFinding[];
  /** The findings suppression annotations waived, with their reasons, ordered by file, then object, then line. */
  readonly suppressions: readonly AuditSuppression[];
  /** Input problems (errors and skipped input). */
  readonly problems: readonly InputProblem[];
  /** The files read, in order. */
  readonly files: readonly string[];
  /** Kubernetes objects loaded. */
  readonly objects: number;
  /** Objects in scope (audited). */
  readonly audited: number;
  /** Findings waived by a suppression annotation (`suppressions.length`). */
  readonly suppressed: number;
  /** 0 clean, 1 findings, 2 input errors (whatever the findings). */
  readonly exitCode: 0 | 1 | 2;
}

const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const RUNTIME_CLASS_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Applies the defaults of the audit options in one place, and refuses invalid ones. */
export function resolveAuditOptions(options: AuditOptions = {}): Required<Omit<AuditOptions, 'namespace'>> & { namespace?: string } {
  const runtimeClassName = runtimeClassNameOr(options.runtimeClassName);
  if (!RUNTIME_CLASS_NAME.test(runtimeClassName) || runtimeClassName.length > 253) {
    throw new Error(`runtime class ${JSON.stringify(runtimeClassName)} is not a valid RuntimeClass name (lower-case letters, digits, '-' and '.', at most 253 characters)`);
  }
  if (options.namespace !== undefined && (!NAMESPACE_NAME.test(options.namespace) || options.namespace.length > 63)) {
    throw new Error(`namespace ${JSON.stringify(options.namespace)} is not a valid namespace name (lower-case letters, digits and '-', at most 63 characters)`);
  }
  const ignoreRules = [...(options.ignoreRules ?? [])];
  const unknown = ignoreRules.filter((id) => !RULE_IDS.has(id));
  if (unknown.length > 0) {
    throw new Error(`unknown rule id(s) to ignore: ${unknown.join(', ')}; known rules: ${[...RULE_IDS].join(', ')}`);
  }
  return {
    runtimeClassName, onlyRuntimeClass: options.onlyRuntimeClass ?? false, ignoreRules, strict: options.strict ?? false,
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
  };
}

/** What the runner keeps of an object after its document is checked. */
interface Entry {
  readonly skeleton: KubeObject;
  readonly file: string;
  readonly line: number;
  readonly inScope: boolean;
  readonly suppressions: Suppressions;
  /** Lines of the paths cross-resource findings name, where known. */
  readonly lines?: { readonly [jsonPath: string]: number };
  /** The whole line lookup, kept for small objects only. */
  readonly lineOf?: (jsonPath: string) => number;
}

/** The line a cross-resource finding about `entry` points at. */
function lineIn(entry: Entry, jsonPath: string): number {
  return entry.lineOf?.(jsonPath) ?? entry.lines?.[jsonPath] ?? entry.line;
}

function refKey(ref: { kind: string; namespace?: string; name: string }): string {
  return `${ref.kind}\u0000${ref.namespace ?? ''}\u0000${ref.name}`;
}

/** Kinds the cross-resource and storage rules read whole (besides workloads' pod templates); all small. */
const WHOLE_KINDS: ReadonlySet<string> = new Set([
  'NetworkPolicy', 'Namespace', 'PodDisruptionBudget', 'ResourceQuota', 'LimitRange', 'PersistentVolume', 'PersistentVolumeClaim', 'RuntimeClass',
  ...FQDN_POLICY_KINDS,
]);

/** The volumes of a pod spec the storage rules read (claims, and generic ephemeral volumes' claim templates), with their index. */
function claimVolumesOf(spec: { readonly volumes?: readonly any[] }): { volume: any; index: number }[] {
  const out: { volume: any; index: number }[] = [];
  const volumes = Array.isArray(spec.volumes) ? spec.volumes : [];
  for (let i = 0; i < volumes.length; i++) {
    const v = volumes[i];
    if (v && (v.persistentVolumeClaim || v.ephemeral)) out.push({ volume: v, index: i });
  }
  return out;
}

/** Sets `leaf` at the path `segments` inside `top`, creating the levels that are missing. */
function nest(top: any, segments: readonly string[], leaf: object): any {
  let cursor = top;
  for (const segment of segments.slice(0, -1)) cursor = (cursor[segment] ??= {});
  cursor[segments[segments.length - 1]] = leaf;
  return top;
}

/**
 * What the cross-resource rules read of an object, in fresh compact objects, so that memory grows
 * with the number of objects and not with the bytes of YAML: identity and labels of everything;
 * the whole object for the kinds in WHOLE_KINDS (minus annotations); for workloads, `spec.replicas`,
 * `spec.selector`, the pod template's labels and its pod-level scheduling fields, the volumes that
 * name claims (a StatefulSet's volumeClaimTemplates too), but no containers or other volumes. A
 * cross-resource rule that reads more must be given it here (a test compares the rules' answers on
 * skeletons and on whole objects).
 */
export function skeletonOf(obj: KubeObject): KubeObject {
  return skeletonWith(obj, podTemplateOf(obj));
}

/**
 * skeletonOf, given the object's pod template. The fields are set one by one, in the order the
 * skeleton has always had them (spreading conditional literals was most of the runner's own time).
 */
function skeletonWith(obj: KubeObject, pod: PodTemplateLocation | undefined): KubeObject {
  const m = obj.metadata ?? {};
  const metadata: { name?: string; namespace?: string; labels?: { [key: string]: string } } = { name: m.name };
  if (m.namespace !== undefined) metadata.namespace = m.namespace;
  if (m.labels !== undefined) metadata.labels = m.labels;
  if (WHOLE_KINDS.has(obj.kind)) return { ...obj, metadata };
  if (!pod) return { apiVersion: obj.apiVersion, kind: obj.kind, metadata };
  const s = pod.spec;
  const podSpec: { containers: never[]; runtimeClassName?: unknown; serviceAccountName?: unknown; hostNetwork?: unknown; volumes?: unknown[] } = { containers: [] };
  if (s.runtimeClassName !== undefined) podSpec.runtimeClassName = s.runtimeClassName;
  if (s.serviceAccountName !== undefined) podSpec.serviceAccountName = s.serviceAccountName;
  if (s.hostNetwork !== undefined) podSpec.hostNetwork = s.hostNetwork;
  const claims = claimVolumesOf(s);
  if (claims.length > 0) {
    // Positions kept (the findings name volumes[i]); the volumes between the claims stay as their names.
    const volumes: unknown[] = (s.volumes as any[]).map((v) => ({ name: v?.name }));
    for (const { volume, index } of claims) volumes[index] = volume;
    podSpec.volumes = volumes;
  }
  if (obj.kind === 'Pod') return { apiVersion: obj.apiVersion, kind: obj.kind, metadata, spec: podSpec };
  const spec: { [key: string]: unknown } = {};
  if (obj.spec?.replicas !== undefined) spec.replicas = obj.spec.replicas;
  if (obj.spec?.selector !== undefined) spec.selector = obj.spec.selector;
  if (obj.kind === 'StatefulSet' && obj.spec?.volumeClaimTemplates !== undefined) spec.volumeClaimTemplates = obj.spec.volumeClaimTemplates;
  const template = { metadata: { labels: pod.metadata.labels ?? {} }, spec: podSpec };
  const top = { apiVersion: obj.apiVersion, kind: obj.kind, metadata, spec };
  switch (pod.specPath) {
    case 'spec.template.spec':
      spec.template = template;
      return top;
    case 'spec.jobTemplate.spec.template.spec':
      spec.jobTemplate = { spec: { template } };
      return top;
    default:
      return nest(top, pod.specPath.split('.').slice(0, -1), template); // the path of the pod template
  }
}

/** Collects objects and problems as they are loaded, and judges them. */
export class Auditor implements LoadSink {
  private readonly options: ReturnType<typeof resolveAuditOptions>;
  private readonly ignored: ReadonlySet<string>;
  private readonly checkOptions: CheckOptions;
  private readonly entries: Entry[] = [];
  private readonly findings: AuditFinding[] = [];
  private readonly problems: InputProblem[] = [];
  private readonly files: string[] = [];
  /** ServiceAccount findings held until it is known whether an in-scope pod uses the account. */
  private readonly pendingAccountFindings: { key: string; finding: AuditFinding }[] = [];
  private readonly usedAccounts = new Set<string>();
  private readonly suppressions: AuditSuppression[] = [];
  private audited = 0;
  /** Objects with a pod template of a built-in workload kind, and those of them in scope. */
  private workloads = 0;
  private auditedWorkloads = 0;

  constructor(options: AuditOptions = {}) {
    this.options = resolveAuditOptions(options);
    this.ignored = new Set(this.options.ignoreRules);
    this.checkOptions = { runtimeClassName: this.options.runtimeClassName };
  }

  /** @internal LoadSink */
  file(file: string): void {
    this.files.push(file);
  }

  /** @internal LoadSink */
  problem(problem: InputProblem): void {
    this.problems.push(problem);
  }

  /** @internal LoadSink: judges one object with every per-object rule and keeps its skeleton. */
  object(loaded: LoadedObject): void {
    const obj = loaded.object;
    if (this.files[this.files.length - 1] !== loaded.file) this.files.push(loaded.file);
    const pod = podTemplateOf(obj);
    const inScope = this.inScope(obj, pod);
    const suppressions = suppressionsOf(obj);
    const entry: Entry = { skeleton: skeletonWith(obj, pod), file: loaded.file, line: loaded.line, inScope, suppressions };
    keepLines(entry, obj, pod, loaded);
    this.entries.push(entry);
    if (pod) this.workloads++;
    if (!inScope) return;
    this.audited++;
    if (pod) this.auditedWorkloads++;
    // Only pending ServiceAccount findings (onlyRuntimeClass) ask which accounts in-scope pods use.
    if (pod && this.options.onlyRuntimeClass) {
      const account = pod.spec.serviceAccountName ?? pod.spec.serviceAccount ?? 'default';
      this.usedAccounts.add(`${this.namespaceOf(obj)}/${account}`);
    }
    // A kind the profile does not know may still carry pods: its pod templates are found by their shape and
    // judged by the pod rules; containers outside any template are reported as not audited.
    const embedded = pod ? undefined : embeddedPodsOf(obj);
    for (const path of embedded?.loneContainers ?? []) {
      this.problems.push({
        file: loaded.file, line: loaded.lineOf(path), severity: this.options.strict ? 'error' : 'warning',
        message: `not audited: ${obj.kind}/${obj.metadata?.name ?? '(unnamed)'} ${path} is a container outside any pod template the audit knows, so how its pod runs cannot be judged${this.options.strict ? '' : ' (--strict fails on it)'}`,
      });
    }
    const embeddedFindings = embedded && embedded.templates.length > 0 ? checkPodTemplatesIn(obj, embedded.templates, this.checkOptions) : [];
    for (const found of [checkObject(obj, this.checkOptions), embeddedFindings, suppressions.findings]) {
      for (const finding of found) {
        for (const accepted of this.accept(finding, entry, loaded.lineOf)) {
          if (obj.kind === 'ServiceAccount' && this.options.onlyRuntimeClass) {
            this.pendingAccountFindings.push({ key: `${this.namespaceOf(obj)}/${obj.metadata?.name}`, finding: accepted });
          } else {
            this.findings.push(accepted);
          }
        }
      }
    }
  }

  /** Runs the cross-resource rules and returns the result. */
  finish(): AuditResult {
    const skeletons = this.entries.map((e) => e.skeleton);
    // The RuntimeClass too, for the set rules that judge it (a variable, so older option types take it as well).
    const setOptions = { defaultNamespace: this.options.namespace ?? 'default', runtimeClassName: this.options.runtimeClassName };
    const cross = [...checkObjectSet(skeletons, setOptions), ...SET_ONLY_RULES.flatMap((r) => r.check(skeletons, setOptions))];
    // The entry each finding is about: the first of its kind, namespace and name (only needed when there are findings).
    const byRef = new Map<string, Entry>();
    if (cross.length > 0) {
      for (const entry of this.entries) {
        const key = refKey(refOf(entry.skeleton));
        if (!byRef.has(key)) byRef.set(key, entry);
      }
    }
    for (const finding of cross) {
      const entry = byRef.get(refKey(finding.object));
      if (!entry || !entry.inScope) continue;
      this.findings.push(...this.accept(finding, entry, (jsonPath) => lineIn(entry, jsonPath)));
    }
    for (const { key, finding } of this.pendingAccountFindings) if (this.usedAccounts.has(key)) this.findings.push(finding);
    const fileIndex = new Map(this.files.map((f, i) => [f, i]));
    const findings = this.findings
      .map((f, i) => ({ f, i }))
      .sort((a, b) => (fileIndex.get(a.f.file)! - fileIndex.get(b.f.file)!) || (a.f.objectLine - b.f.objectLine) || (a.i - b.i))
      .map(({ f }) => f);
    const problems = [...this.problems];
    if (this.entries.length === 0 && !problems.some((p) => p.severity === 'error')) {
      problems.push({ file: this.files.join(', ') || '(no input)', severity: 'error', message: 'no Kubernetes object found in the input: nothing was audited' });
    } else if (this.entries.length > 0 && (this.audited === 0 || (this.workloads > 0 && this.auditedWorkloads === 0))) {
      // Objects were read, but the filters left nothing (or no workload) to judge: a typo in -n must not pass.
      problems.push({ file: [...new Set(this.files)].join(', '), severity: 'error', message: this.nothingInScopeMessage() });
    }
    const exitCode = problems.some((p) => p.severity === 'error') ? 2 : findings.length > 0 ? 1 : 0;
    const suppressions = [...this.suppressions].sort((a, b) => (fileIndex.get(a.file)! - fileIndex.get(b.file)!) || (a.objectLine - b.objectLine) || (a.line - b.line));
    return { findings, suppressions, problems, files: [...new Set(this.files)], objects: this.entries.length, audited: this.audited, suppressed: suppressions.length, exitCode };
  }

  /** Why nothing (or no workload) was audited: the filters given, and what the input holds. */
  private nothingInScopeMessage(): string {
    const filters = [
      ...(this.options.namespace !== undefined ? [`namespace ${JSON.stringify(this.options.namespace)}`] : []),
      ...(this.options.onlyRuntimeClass ? ['only pods that set a runtimeClassName'] : []),
    ];
    const namespaces = [...new Set(this.entries.filter((e) => !CLUSTER_SCOPED_KINDS.has(e.skeleton.kind)).map((e) => this.namespaceOf(e.skeleton)))].sort();
    const given = `the filters (${filters.join(', ') || 'none'})`;
    const what = this.audited === 0
      ? `nothing was audited: ${given} leave none of the ${this.entries.length} Kubernetes object(s) read in scope`
      : `no workload was audited: ${given} leave none of the ${this.workloads} workload(s) read in scope, only ${this.audited} other object(s)`;
    return `${what}; the input's objects live in namespace(s) ${namespaces.join(', ') || '(none: cluster-scoped only)'}`;
  }

  /**
   * What becomes of one finding: nothing when its rule is ignored, a suppression when the object's
   * annotation waives it, else the finding; a finding of the part of a rule no suppression may waive stays,
   * with a suppression-unwaivable finding beside it when the annotation tried.
   */
  private accept(finding: Finding, entry: Entry, lineOf: (jsonPath: string) => number): AuditFinding[] {
    if (this.ignored.has(finding.rule)) return [];
    const located = (f: Finding): AuditFinding => ({ ...f, title: RULE_TITLES.get(f.rule) ?? f.rule, file: entry.file, line: lineOf(f.path), objectLine: entry.line });
    const verdict = judgeSuppression(finding, entry.suppressions);
    if (!verdict.waived) {
      const refused = verdict.unwaivable;
      return [located(finding), ...(refused && !this.ignored.has(refused.rule) ? [located(refused)] : [])];
    }
    this.suppressions.push({ ...located(finding), reason: verdict.reason });
    return [];
  }

  private namespaceOf(obj: KubeObject): string {
    return obj.metadata?.namespace || this.options.namespace || 'default';
  }

  private inScope(obj: KubeObject, pod: PodTemplateLocation | undefined): boolean {
    const namespace = this.options.namespace;
    if (namespace !== undefined) {
      const inNamespace = obj.kind === 'Namespace'
        ? obj.metadata?.name === namespace
        : !CLUSTER_SCOPED_KINDS.has(obj.kind) && this.namespaceOf(obj) === namespace;
      if (!inNamespace) return false;
    }
    if (this.options.onlyRuntimeClass) {
      if (pod && !pod.spec.runtimeClassName) return false;
    }
    return true;
  }
}

/**
 * The line lookups kept after the document is gone: the whole lookup for NetworkPolicies (and the
 * CiliumNetworkPolicies and FQDNNetworkPolicies egress-peers reads), Namespaces and RuntimeClasses (small,
 * and the cross-resource rules name paths in them), the lines of the paths
 * workload findings name for workloads, nothing otherwise. Never `loaded` itself: it holds the whole
 * object and its document's text.
 */
function keepLines(entry: { -readonly [K in keyof Entry]: Entry[K] }, obj: KubeObject, pod: PodTemplateLocation | undefined, loaded: LoadedObject): void {
  if (obj.kind === 'NetworkPolicy' || obj.kind === 'Namespace' || obj.kind === 'RuntimeClass' || FQDN_POLICY_KINDS.has(obj.kind)) {
    entry.lineOf = loaded.lineOf;
    return;
  }
  if (!pod) return;
  const labels = labelsPathOf(pod.specPath);
  const lines: { [jsonPath: string]: number } = {};
  lines[labels] = loaded.lineOf(labels);
  lines['spec.replicas'] = loaded.lineOf('spec.replicas');
  // The paths the storage rules name: claims, claim templates, a StatefulSet's volumeClaimTemplates.
  for (const { volume, index } of claimVolumesOf(pod.spec)) {
    const path = `${pod.specPath}.volumes[${index}].${volume.persistentVolumeClaim ? 'persistentVolumeClaim.claimName' : 'ephemeral.volumeClaimTemplate'}`;
    lines[path] = loaded.lineOf(path);
  }
  if (obj.kind === 'StatefulSet' && Array.isArray(obj.spec?.volumeClaimTemplates)) {
    obj.spec.volumeClaimTemplates.forEach((_t: unknown, j: number) => { lines[`spec.volumeClaimTemplates[${j}]`] = loaded.lineOf(`spec.volumeClaimTemplates[${j}]`); });
  }
  entry.lines = lines;
}


/**
 * Audits files, directories (recursively: *.yaml, *.yml, *.json) and `-` (standard input).
 * Throws only for invalid options; bad input is reported in the result's problems.
 */
export async function auditManifests(paths: readonly string[], options: AuditManifestsOptions = {}): Promise<AuditResult> {
  const auditor = new Auditor(options);
  const sources = expandPaths(paths, (p) => auditor.problem(p));
  await loadSources(sources, auditor, () => options.stdin ?? process.stdin);
  return auditor.finish();
}

/** Audits YAML (or JSON) text held in memory; `file` names it in the report. */
export function auditText(text: string, options: AuditOptions & { readonly file?: string } = {}): AuditResult {
  const auditor = new Auditor(options);
  const file = options.file ?? STDIN_NAME;
  auditor.file(file);
  readYamlText(text, file, auditor);
  return auditor.finish();
}

/** Audits plain objects held in memory; an object's "line" is its 1-based position in the array. */
export function auditObjects(objects: readonly KubeObject[], options: AuditOptions & { readonly file?: string } = {}): AuditResult {
  const auditor = new Auditor(options);
  const file = options.file ?? '(objects)';
  auditor.file(file);
  objects.forEach((object, i) => auditor.object({ object, file, line: i + 1, lineOf: () => i + 1 }));
  return auditor.finish();
}
