// The synth-time checks of every sandbox construct of an app, run in one pass: the profile's rules over
// each construct's own final JSON (so a patch or escape hatch cannot smuggle a weakening through), and the
// cross-resource rules over the whole app (every sandboxed pod isolated, no sandbox policy dangling or
// opening egress to every destination).
// One guard per app serializes each object once per pass, so the cost stays linear in the app's size.
import { createHash } from 'crypto';
import { ApiObject, Yaml } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { describeFinding } from '../builders/compliance';
import { UNSAFE_YAML_CHARACTERS, findTextProblems } from '../builders/yaml-text';
import {
  CLUSTER_SCOPED_KINDS, Finding, apiGroupOf, KubeObject, SANDBOX_DEFAULTS, checkNamespaceBounds, checkObject, checkObjects, judgeSuppression, crossResourceRuleById, resolveCrossResourceOptions, suppressionsOf,
} from '../profile';

const GUARD_ID = 'cdk8s-sandbox-synth-guard';

/** What a sandbox construct hands the guard. */
export interface GuardedConstruct {
  /** The construct's objects, checked against the profile's per-object rules. */
  readonly objects: readonly ApiObject[];
  /** The RuntimeClass its pods must name (required when `objects` holds workloads). */
  readonly runtimeClassName?: string;
  /** Its workload (Deployment, Job), whose pods must be isolated by NetworkPolicies. */
  readonly workload?: ApiObject;
  /** Its NetworkPolicy, which must select at least one pod. */
  readonly policy?: ApiObject;
  /**
   * Whether the objects' suppression annotations waive findings, as in the audit (objects hardened in place,
   * whose suppressions their users recorded); the library's own constructs never take them.
   */
  readonly honoursSuppressions?: boolean;
}

/** A runtime class allowed deliberately with `SandboxRuntimes.allow`. */
interface AllowedRuntime {
  readonly name: string;
  readonly reason: string;
  readonly path: string;
}

/** Cross-resource rules run over every object of the app, whoever made it (a raw sibling policy, a patched namespace). */
const APP_WIDE_RULES = ['egress-peers', 'namespace-pod-security', 'namespace-quota', 'runtime-class-handler'];

/** Runs the synth-time checks of all sandbox constructs of one app. */
export class SandboxSynthGuard extends Construct {
  /** The guard of the app `scope` belongs to, created on first use. */
  public static of(scope: IConstruct): SandboxSynthGuard {
    const root = scope.node.root;
    return (root.node.tryFindChild(GUARD_ID) as SandboxSynthGuard | undefined) ?? new SandboxSynthGuard(root as Construct, GUARD_ID);
  }

  private readonly entries: { construct: IConstruct; guarded: GuardedConstruct }[] = [];
  /** Every object of the entries. */
  private readonly guardedObjects = new Set<ApiObject>();
  /** Names of the GvisorRuntimeClasses of the app. */
  private readonly gvisorRuntimeClasses = new Set<string>();
  private readonly allowedRuntimes: AllowedRuntime[] = [];

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.node.addValidation({ validate: () => this.check() });
  }

  /** Registers a construct's objects for the checks. */
  public register(construct: IConstruct, guarded: GuardedConstruct): void {
    this.entries.push({ construct, guarded });
    for (const o of guarded.objects) this.guardedObjects.add(o);
  }

  /** Whether a construct registered this object (hardening in place leaves it to that construct). */
  public isGuarded(obj: ApiObject): boolean {
    return this.guardedObjects.has(obj);
  }

  /** Registers the name of a GvisorRuntimeClass of the app: pods may name it. */
  public addGvisorRuntimeClass(name: string): void {
    this.gvisorRuntimeClasses.add(name);
  }

  /** Allows pods of the app to name `name` as their runtime class, for the recorded reason. */
  public allowRuntimeClass(name: string, reason: string, path: string): void {
    this.allowedRuntimes.push({ name, reason, path });
  }

  private check(): string[] {
    if (this.entries.length === 0) return [];
    // Every object is read once, as plain data, and pinned: what cdk8s writes later must be what was checked.
    const apiObjects = this.node.root.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
    const pins = apiObjects.map(pin);
    // cdk8s validates twice in one synth (the app, then each chart before it writes): the same objects with
    // the same JSON and the same registrations get the same verdict without judging them again.
    const key = { apiObjects, texts: pins.map((p) => p.digest), registrations: this.registrations() };
    if (this.last && sameVerdictKey(this.last.key, key)) return this.last.errors;
    const json = new Map<ApiObject, KubeObject>(apiObjects.map((o, i) => [o, JSON.parse(pins[i].text)]));
    const jsonOf = (o: ApiObject): KubeObject => json.get(o) ?? JSON.parse(pin(o).text);
    const errors: string[] = [];

    for (const { construct, guarded } of this.entries) {
      if (guarded.runtimeClassName !== undefined && guarded.workload) errors.push(...this.runtimeClassErrors(construct, guarded.runtimeClassName));
      if (guarded.objects.length === 0) continue;
      if (guarded.honoursSuppressions) {
        errors.push(...guarded.objects.flatMap((o) => suppressedCheckErrors(construct, jsonOf(o), guarded.runtimeClassName)));
        continue;
      }
      for (const f of checkObjects(guarded.objects.map(jsonOf), { runtimeClassName: guarded.runtimeClassName })) {
        errors.push(`[${construct.node.path}] ${describeFinding(f)}`);
      }
    }
    for (const o of apiObjects) errors.push(...unsafeTextErrors(o, jsonOf(o)));
    errors.push(...duplicateNameErrors(apiObjects, jsonOf));
    errors.push(...clusterScopedNamespaceErrors(apiObjects, jsonOf));

    const all = apiObjects.map(jsonOf);
    const policies = all.filter((o) => o.kind === 'NetworkPolicy');
    const pods = all.filter((o) => o.kind !== 'NetworkPolicy');
    const options = resolveCrossResourceOptions();

    const workloads = this.entries.filter((e) => e.guarded.workload && !optedOut(jsonOf(e.guarded.workload)));
    const isolation = crossResourceRuleById('network-isolation')!.check([...workloads.map((e) => jsonOf(e.guarded.workload!)), ...policies], options);
    for (const [construct, f] of attribute(isolation, workloads.map((e) => [e.construct, jsonOf(e.guarded.workload!)]))) {
      // Only a workload no policy isolates gets the construct-level ways out; a policy that re-opens traffic must change.
      const isolationMissing = f.message.includes('selected by no NetworkPolicy');
      errors.push(`[${construct.node.path}] [${f.rule}] ${f.message}. Fix: ${f.fix}${isolationMissing ? ' Or select the workload with a SandboxNetworkPolicy, place it in a SandboxNamespace, or set networkPolicyManagedElsewhere with the reason.' : ''}`);
    }

    const guardedPolicies = this.entries.filter((e) => e.guarded.policy);
    const selects = crossResourceRuleById('network-policy-selects-pods')!.check([...guardedPolicies.map((e) => jsonOf(e.guarded.policy!)), ...pods], options);
    for (const [construct, f] of attribute(selects, guardedPolicies.map((e) => [e.construct, jsonOf(e.guarded.policy!)]))) {
      errors.push(`[${construct.node.path}] [${f.rule}] ${f.path}: ${f.message}. Fix: ${f.fix}`);
    }
    // Findings about a sandbox construct's own object name the construct; any other object names itself.
    const ownerOf = new Map<ApiObject, IConstruct>();
    for (const { construct, guarded } of this.entries) {
      for (const o of [...guarded.objects, guarded.workload, guarded.policy]) if (o) ownerOf.set(o, construct);
    }
    const appWide = [...APP_WIDE_RULES.flatMap((id) => crossResourceRuleById(id)!.check(all, options)), ...checkNamespaceBounds(all)];
    for (const [construct, f] of attribute(appWide, apiObjects.map((o) => [ownerOf.get(o) ?? o, jsonOf(o)]))) {
      errors.push(`[${construct.node.path}] [${f.rule}] ${f.path}: ${f.message}. Fix: ${f.fix}`);
    }
    this.last = { key, errors };
    return errors;
  }

  /** The last verdict and what it was reached on. */
  private last?: { readonly key: VerdictKey; readonly errors: string[] };

  /** What was registered with the guard, as one comparable string. */
  private registrations(): string {
    return JSON.stringify([this.entries.length, [...this.gvisorRuntimeClasses], this.allowedRuntimes.map((a) => a.name)]);
  }

  /** A runtime class must be one known to sandbox: gvisor, a GvisorRuntimeClass of the app, or one allowed deliberately. */
  private runtimeClassErrors(construct: IConstruct, name: string): string[] {
    if (name === SANDBOX_DEFAULTS.runtimeClassName || this.gvisorRuntimeClasses.has(name) || this.allowedRuntimes.some((a) => a.name === name)) return [];
    const quoted = (names: Iterable<string>) => [...names].map((n) => JSON.stringify(n)).join(', ') || 'none';
    return [`[${construct.node.path}] runtimeClassName is ${JSON.stringify(name)}, which is not known to be a sandboxed runtime; `
      + `allowed: ${JSON.stringify(SANDBOX_DEFAULTS.runtimeClassName)} (GKE Sandbox), the name of a GvisorRuntimeClass in this app (${quoted(this.gvisorRuntimeClasses)}), `
      + `or a name allowed deliberately with SandboxRuntimes.allow(app, name, reason) (${quoted(this.allowedRuntimes.map((a) => a.name))}). `
      + 'A runtime class that is not gVisor (runc, a plain kata or crun handler) does not sandbox untrusted code.'];
  }
}

/** What a verdict of the guard depends on: the objects, digests of their JSON, and what was registered. */
interface VerdictKey {
  readonly apiObjects: readonly ApiObject[];
  readonly texts: readonly string[];
  readonly registrations: string;
}

function sameVerdictKey(a: VerdictKey, b: VerdictKey): boolean {
  if (a.registrations !== b.registrations || a.apiObjects.length !== b.apiObjects.length) return false;
  for (let i = 0; i < a.apiObjects.length; i++) {
    if (a.apiObjects[i] !== b.apiObjects[i] || a.texts[i] !== b.texts[i]) return false;
  }
  return true;
}

const ORIGINAL_TO_JSON = Symbol.for('cdk8s-sandbox.original-to-json');

/**
 * An object's JSON text as cdk8s would write it now (getters read once), and from now on its `toJson()`
 * returns exactly that JSON: if the object would serialize differently when cdk8s writes it (a patch value
 * that changes when read, a later mutation), writing fails instead of emitting what was not checked. Only a
 * digest is kept, so a large app does not hold every object's JSON twice. The next synth pins anew.
 */
function pin(o: ApiObject): { text: string; digest: string } {
  const target = o as ApiObject & { [ORIGINAL_TO_JSON]?: () => any };
  // The object's own toJson (generated L1 classes override it to render their props), kept from the first pin.
  const original = target[ORIGINAL_TO_JSON] ??= o.toJson.bind(o);
  const checkedText = JSON.stringify(original());
  const checkedDigest = digestOf(checkedText);
  o.toJson = () => {
    const text = JSON.stringify(original());
    if (digestOf(text) !== checkedDigest) {
      const json = JSON.parse(text);
      throw new Error(`[${o.node.path}] ${json.kind}/${json.metadata?.name ?? '(unnamed)'} serializes differently from what the synth checks judged (a patch or value that changes when read, or a change after validation); refusing to write it`);
    }
    return JSON.parse(text);
  };
  return { text: checkedText, digest: checkedDigest };
}

/** A SHA-256 of a JSON text. */
function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}

/** Two objects with one group, kind, namespace and name: the cluster keeps only one of them. */
function duplicateNameErrors(apiObjects: readonly ApiObject[], jsonOf: (o: ApiObject) => KubeObject): string[] {
  const seen = new Map<string, ApiObject>();
  const errors: string[] = [];
  for (const o of apiObjects) {
    const j = jsonOf(o);
    const name = j.metadata?.name;
    if (!name) continue;
    const namespace = CLUSTER_SCOPED_KINDS.has(j.kind) ? '' : j.metadata?.namespace ?? '';
    const key = `${apiGroupOf(j.apiVersion)}\u0000${j.kind}\u0000${namespace}\u0000${name}`;
    const first = seen.get(key);
    if (!first) { seen.set(key, o); continue; }
    errors.push(`[${o.node.path}] ${j.kind} ${namespace ? `${namespace}/` : ''}${name} is also defined by [${first.node.path}]: two objects with the same apiVersion, kind, namespace and name overwrite each other when applied. Fix: give one of them another name (runId, name) or namespace`);
  }
  return errors;
}

/** Cluster-scoped objects (a Namespace) must not carry a namespace, as a chart's namespace would give them. */
function clusterScopedNamespaceErrors(apiObjects: readonly ApiObject[], jsonOf: (o: ApiObject) => KubeObject): string[] {
  return apiObjects.map((o) => [o, jsonOf(o)] as const)
    .filter(([, j]) => CLUSTER_SCOPED_KINDS.has(j.kind) && j.metadata?.namespace !== undefined)
    .map(([o, j]) => `[${o.node.path}] ${j.kind}/${j.metadata?.name ?? '(unnamed)'} metadata.namespace is ${JSON.stringify(j.metadata!.namespace)}; a ${j.kind} is cluster-scoped and takes no namespace (the chart's namespace was applied to it). Fix: define it in a chart without a namespace, or remove metadata.namespace`);
}

/**
 * Strings of an object that cdk8s would write raw into YAML where kubectl reads them differently: a U+2028
 * in a ConfigMap's code becomes a line break for kubectl, and the text after it new keys or a new object.
 */
function unsafeTextErrors(o: ApiObject, json: KubeObject): string[] {
  const { unsafe, misread: misreadStrings } = findTextProblems(json, writtenPlainByCdk8s);
  const misread = misreadStrings.map((m) => `[${o.node.path}] ${json.kind}/${json.metadata?.name ?? '(unnamed)'} ${m.path}: ${m.inKey ? 'the key' : 'the string'} ${JSON.stringify(m.text)} is written unquoted by cdk8s, and kubectl (YAML 1.1) reads it as ${m.readAs}. Fix: write it another way (e.g. "${m.text.replace(/^0o/, '0')}" for an octal, or a decimal), or render the object with renderCodeRun/toYaml, which quotes it`);
  return [...misread, ...unsafe.map((u) => `[${o.node.path}] ${json.kind}/${json.metadata?.name ?? '(unnamed)'} ${u.path}: ${u.inKey ? 'a key' : 'the value'} holds ${u.codePoint} at character ${u.index}, which cdk8s writes raw into the YAML and kubectl (YAML 1.1) reads as a line break or refuses. Allowed: text without ${UNSAFE_YAML_CHARACTERS}. Fix: remove it, or write it as an escape in the program's own syntax; file content with such characters belongs in a ConfigMap's binaryData (CodeRunnerJob does this itself)`)];
}

/** Whether cdk8s's YAML writer leaves a string unquoted (as a value, or as a key). */
function writtenPlainByCdk8s(text: string, inKey: boolean): boolean {
  return inKey ? Yaml.stringify({ [text]: 'v' }) === `${text}: v\n` : Yaml.stringify({ k: text }) === `k: ${text}\n`;
}

/** The profile's findings of one object its suppression annotation does not waive, and what is wrong with the annotation itself. */
function suppressedCheckErrors(construct: IConstruct, json: KubeObject, runtimeClassName: string | undefined): string[] {
  const suppressions = suppressionsOf(json);
  const errors: string[] = suppressions.findings.map((f) => `[${construct.node.path}] ${describeFinding(f)}`);
  for (const f of checkObject(json, { runtimeClassName })) {
    const verdict = judgeSuppression(f, suppressions);
    if (verdict.waived) continue;
    errors.push(`[${construct.node.path}] ${describeFinding(f)}`);
    if (verdict.unwaivable) errors.push(`[${construct.node.path}] ${describeFinding(verdict.unwaivable)}`);
  }
  return errors;
}

/** Whether a workload carries a recorded network-isolation opt-out: a valid suppression, as the audit reads it. */
function optedOut(workload: KubeObject): boolean {
  return suppressionsOf(workload).rules.has('network-isolation');
}

/** Pairs each finding with the construct(s) whose object it names. */
function attribute(findings: readonly Finding[], owners: readonly (readonly [IConstruct, KubeObject])[]): [IConstruct, Finding][] {
  const keyOf = (kind: string, namespace: string | undefined, name: string | undefined) => `${kind}/${namespace ?? ''}/${name ?? ''}`;
  const byKey = new Map<string, IConstruct[]>();
  for (const [construct, obj] of owners) {
    const key = keyOf(obj.kind, obj.metadata?.namespace, obj.metadata?.name);
    byKey.set(key, [...(byKey.get(key) ?? []), construct]);
  }
  return findings.flatMap((f) => (byKey.get(keyOf(f.object.kind, f.object.namespace, f.object.name)) ?? []).map((c): [IConstruct, Finding] => [c, f]));
}
