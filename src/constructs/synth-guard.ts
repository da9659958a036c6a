// The synth-time checks of every sandbox construct of an app, run in one pass: the profile's rules over
// each construct's own final JSON (so a patch or escape hatch cannot smuggle a weakening through), and the
// cross-resource rules over the whole app (every sandboxed pod isolated, no sandbox policy dangling or
// opening egress to every destination).
// One guard per app reads each object at most once per pass, and an object of the library's own constructs,
// which nothing can change but its API, once per synth: its judged JSON is what cdk8s writes. The cost stays
// linear in the app's size.
import * as crypto from 'crypto';
import { ApiObject, ApiObjectMetadataDefinition, App, ImplicitTokenResolver, JsonPatch, LazyResolver, NumberStringUnionResolver, Yaml } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { describeFinding } from '../builders/compliance';
import { BuiltData, builtDataOf, patchCount } from './api-objects';
import { UNSAFE_YAML_CHARACTERS, findTextProblems, findUnsafeCharacter, readAsNonString } from '../builders/yaml-text';
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
  /** Writes of pinned objects (their toJson calls) so far: a read before the last write may be stale. */
  private writes = 0;
  /** Reads so far, which number the reads of the library's own objects in verdict keys. */
  private reads = 0;
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
    // Marked on the objects themselves (a set of every object of a large app costs more to fill), with one mark
    // per guard and role.
    for (const o of guarded.objects) (o as Registered)[REGISTERED] = this.objectMark;
    if (guarded.policy && registrationOf(guarded.policy, this) === undefined) (guarded.policy as Registered)[REGISTERED] = this.policyMark;
  }

  /** The marks of objects registered among a construct's `objects`, and as its policy only. */
  private readonly objectMark: Registration = { guard: this, asObject: true };
  private readonly policyMark: Registration = { guard: this, asObject: false };

  /** Whether a construct registered this object (hardening in place leaves it to that construct). */
  public isGuarded(obj: ApiObject): boolean {
    return registrationOf(obj, this)?.asObject === true;
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
    // Every object is read as plain data, and pinned: what cdk8s writes later must be what was checked.
    const apiObjects = this.node.root.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
    const plainResolvers = hasOnlyCdk8sResolvers(this.node.root);
    const textMemo: TextMemo = { keys: new Map(), misread: new Map() };
    const read = new Map<ApiObject, Read>();
    const readNow = (o: ApiObject) => {
      const r = this.read(o, plainResolvers, textMemo);
      read.set(o, r);
      return r;
    };
    // cdk8s validates twice in one synth (the app, then each chart before it writes): an object of the library
    // read by the last pass, with no write since and no change through its API, still has the JSON read then.
    const digests = apiObjects.map((o) => {
      const last = pinStateOf(o)?.pin;
      return last && this.unchanged(o, last, plainResolvers) ? last.token : readNow(o).token;
    });
    // The same objects with the same JSON and the same registrations get the same verdict without judging them again.
    const key = { apiObjects, texts: digests, registrations: this.registrations() };
    if (this.last && sameVerdictKey(this.last.key, key)) return this.verdict(this.last.errors);
    const jsonOf = (o: ApiObject): KubeObject => read.get(o)?.json ?? pinStateOf(o)?.pin?.json ?? readNow(o).json;
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
    const all = apiObjects.map(jsonOf);
    apiObjects.forEach((o, i) => {
      const problems = unsafeTextErrors(o, all[i], read.get(o)?.textProblems, textMemo);
      if (problems.length > 0) errors.push(...problems);
    });
    errors.push(...duplicateNameErrors(apiObjects, all));
    errors.push(...clusterScopedNamespaceErrors(apiObjects, all));

    const policies = all.filter((o) => o.kind === 'NetworkPolicy');
    const pods = all.filter((o) => o.kind !== 'NetworkPolicy');
    const options = resolveCrossResourceOptions();

    const workloads = this.entries.filter((e) => e.guarded.workload && !optedOut(jsonOf(e.guarded.workload)));
    const isolation = crossResourceRuleById('network-isolation')!.check([...workloads.map((e) => jsonOf(e.guarded.workload!)), ...policies], options);
    for (const [construct, f] of attribute(isolation, () => workloads.map((e) => [e.construct, jsonOf(e.guarded.workload!)]))) {
      // Only a workload no policy isolates gets the construct-level ways out; a policy that re-opens traffic must change.
      const isolationMissing = f.message.includes('selected by no NetworkPolicy');
      errors.push(`[${construct.node.path}] [${f.rule}] ${f.message}. Fix: ${f.fix}${isolationMissing ? ' Or select the workload with a SandboxNetworkPolicy, place it in a SandboxNamespace, or set networkPolicyManagedElsewhere with the reason.' : ''}`);
    }

    const guardedPolicies = this.entries.filter((e) => e.guarded.policy);
    const selects = crossResourceRuleById('network-policy-selects-pods')!.check([...guardedPolicies.map((e) => jsonOf(e.guarded.policy!)), ...pods], options);
    for (const [construct, f] of attribute(selects, () => guardedPolicies.map((e) => [e.construct, jsonOf(e.guarded.policy!)]))) {
      errors.push(`[${construct.node.path}] [${f.rule}] ${f.path}: ${f.message}. Fix: ${f.fix}`);
    }
    const appWide = [...APP_WIDE_RULES.flatMap((id) => crossResourceRuleById(id)!.check(all, options)), ...checkNamespaceBounds(all)];
    // Findings about a sandbox construct's own object name the construct; any other object names itself.
    const appWideOwners = () => {
      const ownerOf = new Map<ApiObject, IConstruct>();
      for (const { construct, guarded } of this.entries) {
        for (const o of [...guarded.objects, guarded.workload, guarded.policy]) if (o) ownerOf.set(o, construct);
      }
      return apiObjects.map((o, i) => [ownerOf.get(o) ?? o, all[i]] as const);
    };
    for (const [construct, f] of attribute(appWide, appWideOwners)) {
      errors.push(`[${construct.node.path}] [${f.rule}] ${f.path}: ${f.message}. Fix: ${f.fix}`);
    }
    this.last = { key, errors };
    return this.verdict(errors);
  }

  /** A synth that fails writes nothing: the judged JSON is not kept for it, and the next pass reads every object. */
  private verdict(errors: string[]): string[] {
    if (errors.length > 0) for (const o of this.last?.key.apiObjects ?? []) { const p = pinStateOf(o)?.pin; if (p) p.json = undefined; }
    return errors;
  }

  /**
   * Whether `o` still serializes to the JSON the last pass read, without reading it again: it is one of the
   * library's own objects (plain JSON its builders made, serialized by cdk8s's own ApiObject.toJson with
   * cdk8s's own resolvers, no JSON patch), and since that read nothing was written (a write ends a synth:
   * the next one reads anew), no patch was added, its metadata did not change through its API and its toJson
   * is still the pinned one.
   */
  private unchanged(o: ApiObject, p: Pin, plainResolvers: boolean): boolean {
    return p.stable && plainResolvers && p.json !== undefined && p.writesAtRead === this.writes && this.last !== undefined && this.last.errors.length === 0
      && patchCount(o) === 0 && changesOf(o) === p.changesAtRead && o.toJson === pinStateOf(o)?.write;
  }

  /**
   * Reads an object's JSON as cdk8s would write it now (getters read once) and pins it: from now on its
   * `toJson()` returns exactly that JSON. If the object would serialize differently when cdk8s writes it (a
   * patch value that changes when read, a later mutation), writing fails instead of emitting what was not
   * checked. An object of the library's own (see `unchanged`) keeps the judged JSON for its next write, which
   * writes it as it is, so a synth serializes the object once; any other keeps only a digest of its JSON text,
   * so a large app does not hold every object's JSON twice, and its write serializes it again and compares.
   */
  private read(o: ApiObject, plainResolvers: boolean, textMemo: TextMemo): Read {
    const state = this.pinState(o);
    o.toJson = state.write;
    const changesAtRead = changesOf(o);
    if (state.base && state.tracked && plainResolvers && registrationOf(o, this) !== undefined && patchCount(o) === 0) {
      // Plain JSON the library built needs no resolving; what is not plain JSON goes through ApiObject.toJson.
      // That builds fresh plain data: it is written as it is, unless something in it would not survive JSON
      // (then it is what JSON makes of it, as for any other object).
      const unresolved = unresolvedRead(o, textMemo);
      let json = unresolved?.json as KubeObject;
      let scan = unresolved ? unresolved.found : NOT_PLAIN_JSON;
      if (scan & NOT_PLAIN_JSON) {
        json = state.original();
        scan = scanJson(json, textMemo);
      }
      if (scan & NOT_PLAIN_JSON) {
        json = JSON.parse(JSON.stringify(json)) as KubeObject;
        scan = scanJson(json, textMemo);
      }
      const token = ++this.reads;
      state.pin = { token, json, stable: true, writesAtRead: this.writes, changesAtRead };
      return { json, token, textProblems: (scan & MAY_HAVE_TEXT_PROBLEMS) !== 0 };
    }
    const text = JSON.stringify(state.original());
    const digest = digestOf(text);
    state.pin = { token: digest, digest, stable: false, writesAtRead: this.writes, changesAtRead };
    return { json: JSON.parse(text), token: digest, textProblems: MAY_HOLD_UNSAFE_CHARACTER.test(text) ? true : undefined };
  }

  /** The object's own toJson, kept from its first read, and the pinned toJson that replaces it. */
  private pinState(o: ApiObject): PinState {
    const existing = pinStateOf(o);
    if (existing) return existing;
    // The object's own toJson (generated L1 classes override it to render their props).
    const own = o.toJson;
    const original = own.bind(o);
    const state: PinState = {
      original,
      base: own === ApiObject.prototype.toJson,
      tracked: false,
      changes: 0,
      write: () => this.write(o, original),
    };
    (o as ApiObject & { [PIN_STATE]?: PinState })[PIN_STATE] = state;
    state.tracked = trackChanges(o);
    return state;
  }

  /**
   * The pinned toJson: the judged JSON when the object cannot have changed since, else the object serialized
   * again and compared with the digest of what was judged. One of the library's own objects that kept no digest
   * has not changed through its API since the read (its first change records the digest), and nothing else
   * changes its JSON: serialized again, it is the judged JSON.
   */
  private write(o: ApiObject, original: () => any): any {
    this.writes++;
    const p = pinStateOf(o)!.pin!;
    const judged = p.json;
    p.json = undefined;
    const unchangedByApi = patchCount(o) === 0 && changesOf(o) === p.changesAtRead;
    if (judged !== undefined && unchangedByApi) return judged;
    const text = JSON.stringify(original());
    if (p.digest === undefined ? !unchangedByApi : digestOf(text) !== p.digest) {
      const json = JSON.parse(text);
      throw new Error(`[${o.node.path}] ${json.kind}/${json.metadata?.name ?? '(unnamed)'} serializes differently from what the synth checks judged (a patch or value that changes when read, or a change after validation); refusing to write it`);
    }
    return JSON.parse(text);
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
  readonly texts: readonly (string | number)[];
  readonly registrations: string;
}

function sameVerdictKey(a: VerdictKey, b: VerdictKey): boolean {
  if (a.registrations !== b.registrations || a.apiObjects.length !== b.apiObjects.length) return false;
  for (let i = 0; i < a.apiObjects.length; i++) {
    if (a.apiObjects[i] !== b.apiObjects[i] || a.texts[i] !== b.texts[i]) return false;
  }
  return true;
}

/** One object read by a pass. */
interface Read {
  readonly json: KubeObject;
  /** What the verdict key holds for it: the digest of its JSON text, or the number of this read. */
  readonly token: string | number;
  /** Whether a string of it may be one unsafeTextErrors reports (undefined: not known yet). */
  readonly textProblems?: boolean;
}

/** What the guard knows of an object from its last read. */
interface Pin {
  /** What the verdict key holds for the read (see `Read.token`). */
  readonly token: string | number;
  /**
   * SHA-256 of the JSON text the checks judged; for one of the library's own objects, only once it changes
   * through its API after the read (until then its JSON is the judged one).
   */
  digest?: string;
  /** The judged JSON itself, kept for the next write when the object cannot change but through its API. */
  json?: KubeObject;
  /** Whether the object cannot change but through its API (see `SandboxSynthGuard.unchanged`). */
  readonly stable: boolean;
  /** The guard's write count at the read. */
  readonly writesAtRead: number;
  /** The object's changes through its API at the read. */
  readonly changesAtRead: number;
}

/** Kept on a pinned object. */
interface PinState {
  /** The object's own toJson, from before its first read. */
  readonly original: () => any;
  /** Whether that is cdk8s's ApiObject.toJson. */
  readonly base: boolean;
  /** Whether its changes through its API are noted (see trackChanges). */
  tracked: boolean;
  /** Its changes through its API so far. */
  changes: number;
  /** The pinned toJson. */
  readonly write: () => any;
  /** What the last read found. */
  pin?: Pin;
}

const PIN_STATE = Symbol('cdk8s-sandbox.pin-state');

/** On an object registered with a guard: the guard, and whether it was registered among a construct's `objects` (else as its policy). */
const REGISTERED = Symbol('cdk8s-sandbox.registered');
/** How a guard registered an object. */
interface Registration {
  readonly guard: SandboxSynthGuard;
  readonly asObject: boolean;
}
type Registered = ApiObject & { [REGISTERED]?: Registration };

/** How `guard` registered the object (one of the objects or policies its constructs made, or hardened in place), if it did. */
function registrationOf(o: ApiObject, guard: SandboxSynthGuard): Registration | undefined {
  const registration = (o as Registered)[REGISTERED];
  return registration?.guard === guard ? registration : undefined;
}

function pinStateOf(o: ApiObject): PinState | undefined {
  return (o as ApiObject & { [PIN_STATE]?: PinState })[PIN_STATE];
}

/** On a tracked object's metadata: the object. */
const CHANGE_OWNER = Symbol('cdk8s-sandbox.change-owner');
/** The methods that change an ApiObject's metadata. */
const METADATA_MUTATORS = ['add', 'addLabel', 'addAnnotation', 'addFinalizers', 'addOwnerReference'] as const;
const METADATA_PROTOTYPE = ApiObjectMetadataDefinition.prototype as unknown as { [name: string]: (...args: unknown[]) => unknown };
/** Each mutator, noting the change on the object whose metadata it is called on. */
const NOTING_MUTATORS: { [name: string]: (...args: unknown[]) => unknown } = Object.fromEntries(METADATA_MUTATORS.map((name) => {
  const mutator = METADATA_PROTOTYPE[name];
  return [name, function noting(this: { [CHANGE_OWNER]?: ApiObject }, ...args: unknown[]) {
    const owner = this[CHANGE_OWNER];
    if (owner) noteChange(owner);
    return mutator.apply(this, args);
  }];
}));
/** ApiObject.addJsonPatch, noting the change. */
function notingAddJsonPatch(this: ApiObject, ...ops: JsonPatch[]): void {
  noteChange(this);
  ApiObject.prototype.addJsonPatch.apply(this, ops);
}

/**
 * Notes the changes of an object through its API from now on (its metadata's methods, addJsonPatch); false when
 * one of them was replaced already, and the object's changes cannot be told.
 */
function trackChanges(o: ApiObject): boolean {
  const metadata = o.metadata as unknown as { [name: string]: unknown; [CHANGE_OWNER]?: ApiObject };
  if (METADATA_MUTATORS.some((name) => metadata[name] !== METADATA_PROTOTYPE[name]) || o.addJsonPatch !== ApiObject.prototype.addJsonPatch) return false;
  for (const name of METADATA_MUTATORS) metadata[name] = NOTING_MUTATORS[name];
  metadata[CHANGE_OWNER] = o;
  o.addJsonPatch = notingAddJsonPatch;
  return true;
}

/**
 * Before an object changes through its API: the first change after a read that kept no digest (one of the
 * library's own objects, whose JSON nothing else changes) records the digest of the JSON judged, which its
 * JSON still is, so that a write after the change is compared with it as any other object's.
 */
function noteChange(o: ApiObject): void {
  const state = pinStateOf(o);
  if (!state) return;
  const p = state.pin;
  if (p && p.digest === undefined && state.changes === p.changesAtRead && patchCount(o) === 0) {
    try {
      p.digest = digestOf(JSON.stringify(p.json ?? state.original()));
    } catch {
      // Left without a digest: a write after the change refuses, as one that serializes differently.
    }
  }
  state.changes++;
}

/** The changes of an object through its API so far (see trackChanges). */
function changesOf(o: ApiObject): number {
  return pinStateOf(o)?.changes ?? 0;
}

/** Whether the app resolves values with cdk8s's own resolvers only, which leave plain JSON as it is. */
function hasOnlyCdk8sResolvers(root: IConstruct): boolean {
  if (!(root instanceof App)) return false;
  const kinds = [LazyResolver, ImplicitTokenResolver, NumberStringUnionResolver];
  return root.resolvers.length === kinds.length && root.resolvers.every((r, i) => Object.getPrototypeOf(r) === kinds[i].prototype && !Object.prototype.hasOwnProperty.call(r, 'resolve'));
}

const hashOnce: ((algorithm: string, data: string, encoding: 'base64') => string) | undefined = (crypto as any).hash;

/** A SHA-256 of a JSON text. */
function digestOf(text: string): string {
  return hashOnce ? hashOnce('sha256', text, 'base64') : crypto.createHash('sha256').update(text).digest('base64');
}

/** Two objects with one group, kind, namespace and name: the cluster keeps only one of them. */
function duplicateNameErrors(apiObjects: readonly ApiObject[], all: readonly KubeObject[]): string[] {
  const seen = new Map<string, ApiObject>();
  const errors: string[] = [];
  for (let i = 0; i < apiObjects.length; i++) {
    const o = apiObjects[i];
    const j = all[i];
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
function clusterScopedNamespaceErrors(apiObjects: readonly ApiObject[], all: readonly KubeObject[]): string[] {
  return apiObjects.map((o, i) => [o, all[i]] as const)
    .filter(([, j]) => CLUSTER_SCOPED_KINDS.has(j.kind) && j.metadata?.namespace !== undefined)
    .map(([o, j]) => `[${o.node.path}] ${j.kind}/${j.metadata?.name ?? '(unnamed)'} metadata.namespace is ${JSON.stringify(j.metadata!.namespace)}; a ${j.kind} is cluster-scoped and takes no namespace (the chart's namespace was applied to it). Fix: define it in a chart without a namespace, or remove metadata.namespace`);
}

/**
 * Strings of an object that cdk8s would write raw into YAML where kubectl reads them differently: a U+2028
 * in a ConfigMap's code becomes a line break for kubectl, and the text after it new keys or a new object.
 */
function unsafeTextErrors(o: ApiObject, json: KubeObject, textProblems: boolean | undefined, textMemo: TextMemo): string[] {
  // Most objects have no such string: one walk over the strings (or, after a scan of the JSON text, over those
  // that may be misread) tells, and only an object that may have one is walked again for paths and messages.
  if (textProblems === false) return [];
  if (textProblems === undefined && !(scanJson(json, textMemo) & MAY_HAVE_TEXT_PROBLEMS)) return [];
  const { unsafe, misread: misreadStrings } = findTextProblems(json, writtenPlainByCdk8s);
  const misread = misreadStrings.map((m) => `[${o.node.path}] ${json.kind}/${json.metadata?.name ?? '(unnamed)'} ${m.path}: ${m.inKey ? 'the key' : 'the string'} ${JSON.stringify(m.text)} is written unquoted by cdk8s, and kubectl (YAML 1.1) reads it as ${m.readAs}. Fix: write it another way (e.g. "${m.text.replace(/^0o/, '0')}" for an octal, or a decimal), or render the object with renderCodeRun/toYaml, which quotes it`);
  return [...misread, ...unsafe.map((u) => `[${o.node.path}] ${json.kind}/${json.metadata?.name ?? '(unnamed)'} ${u.path}: ${u.inKey ? 'a key' : 'the value'} holds ${u.codePoint} at character ${u.index}, which cdk8s writes raw into the YAML and kubectl (YAML 1.1) reads as a line break or refuses. Allowed: text without ${UNSAFE_YAML_CHARACTERS}. Fix: remove it, or write it as an escape in the program's own syntax; file content with such characters belongs in a ConfigMap's binaryData (CodeRunnerJob does this itself)`)];
}

/**
 * In a JSON.stringify text, where a string may hold an unsafe character (UNSAFE_YAML_CHARACTERS): those it
 * writes raw (DEL, C1, U+2028/2029, U+FEFF, U+FFFE/FFFF), and the escapes it writes for the others (\b, \f,
 * \r, \u00XX for the other C0 controls, \udXXX for an unpaired surrogate). An escaped backslash before such
 * a letter matches too: the walk then decides.
 */
const MAY_HOLD_UNSAFE_CHARACTER = /[\x7F-\x9F\u2028\u2029\uFEFF\uFFFE\uFFFF]|\\[bfr]|\\u00|\\ud[89a-f]/;

/** What one pass has found of strings: keys that may be reported, and strings written plain that kubectl misreads. */
interface TextMemo {
  readonly keys: Map<string, boolean>;
  readonly misread: Map<string, boolean>;
}

/** scanJson: a string may be one unsafeTextErrors reports. */
const MAY_HAVE_TEXT_PROBLEMS = 1;
/** scanJson: the value is not what JSON.parse(JSON.stringify(value)) gives (undefined, -0, NaN, a class instance...). */
const NOT_PLAIN_JSON = 2;

/**
 * One walk over a value: whether a string (value or key) may be one findTextProblems reports, as unsafe or as
 * misread (memoized per string), and whether the value is plain JSON, unchanged by a round trip through JSON.
 */
function scanJson(value: unknown, memo: TextMemo): number {
  switch (typeof value) {
    case 'string':
      return textMayHaveProblem(value, false, memo) ? MAY_HAVE_TEXT_PROBLEMS : 0;
    case 'boolean':
      return 0;
    case 'number':
      return isPlainJsonNumber(value) ? 0 : NOT_PLAIN_JSON;
    case 'object': {
      if (value === null) return 0;
      let found = 0;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) found |= scanJson(value[i], memo);
        return found;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return NOT_PLAIN_JSON;
      // A plain object's keys (for-in adds those Object.prototype may have been given, which only costs time).
      for (const key in value) {
        if (keyMayHaveTextProblem(key, memo)) found |= MAY_HAVE_TEXT_PROBLEMS;
        found |= scanJson((value as { [k: string]: unknown })[key], memo);
      }
      return found;
    }
    default:
      return NOT_PLAIN_JSON;
  }
}

/** What one walk of sanitizeScanning has found so far (scanJson's flags). */
interface Walk {
  found: number;
  readonly memo: TextMemo;
}

/**
 * The JSON cdk8s's ApiObject.toJson makes of an object the library built (see builtDataOf), sanitized as cdk8s
 * sanitizes it (the metadata as ApiObjectMetadataDefinition.toJson does, then the whole, keys sorted unless
 * CDK8S_DISABLE_SORT) with apiVersion, kind and metadata first; scanned in the same walk, into `walk.found`
 * (NOT_PLAIN_JSON: the caller must serialize the object as cdk8s does instead).
 */
function sanitizeBuilt(data: BuiltData, walk: Walk): KubeObject {
  const sortKeys = !process.env.CDK8S_DISABLE_SORT;
  // As sanitizeValue({ ...props, metadata }): the props' keys, metadata where the props have it or last.
  const keys = Object.keys(data.props);
  if (!keys.includes('metadata')) keys.push('metadata');
  if (sortKeys) keys.sort();
  const values = new Map<string, unknown>();
  for (const key of keys) {
    if (key === '__proto__') {
      walk.found |= NOT_PLAIN_JSON;
      continue;
    }
    const value = key === 'metadata'
      ? sanitizeScanning(data.metadata, true, true, walk)
      : sanitizeScanning((data.props as { [key: string]: unknown })[key], sortKeys, false, walk);
    if (value === undefined) continue;
    if (keyMayHaveTextProblem(key, walk.memo)) walk.found |= MAY_HAVE_TEXT_PROBLEMS;
    values.set(key, value);
  }
  const json: { [key: string]: unknown } = {};
  for (const key of ['apiVersion', 'kind', 'metadata', ...values.keys()]) if (values.has(key)) json[key] = values.get(key);
  return json as unknown as KubeObject;
}

/**
 * The JSON the guard judges and writes for an object the library built, without resolving it; undefined when it is
 * patched, has a toJson of its own (an L1 class) or is not plain JSON (then the guard serializes it with its
 * toJson). Exported for tests: it must be what ApiObject.toJson returns.
 */
export function unresolvedJsonOf(o: ApiObject): KubeObject | undefined {
  if (o.toJson !== ApiObject.prototype.toJson) return undefined;
  const unresolved = unresolvedRead(o, { keys: new Map(), misread: new Map() });
  return unresolved && !(unresolved.found & NOT_PLAIN_JSON) ? unresolved.json : undefined;
}

/**
 * An unpatched plain ApiObject's JSON without resolving it (see builtDataOf), with scanJson's flags of it; undefined
 * for another object. The guard's read and unresolvedJsonOf both take it from here.
 */
function unresolvedRead(o: ApiObject, memo: TextMemo): { readonly json: KubeObject; readonly found: number } | undefined {
  const data = builtDataOf(o);
  if (data === undefined) return undefined;
  const walk: Walk = { found: 0, memo };
  const json = sanitizeBuilt(data, walk);
  return { json, found: walk.found };
}

/**
 * The copy cdk8s's sanitizeValue makes of a value (keys sorted with `sortKeys`; null and undefined left out of
 * objects; with `filterEmpty`, empty arrays and objects too), made in the walk scanJson makes: its flags go to
 * `walk.found`. What is not plain JSON is flagged NOT_PLAIN_JSON and copied no further.
 */
function sanitizeScanning(value: unknown, sortKeys: boolean, filterEmpty: boolean, walk: Walk): unknown {
  if (value === null || value === undefined) return undefined;
  switch (typeof value) {
    case 'string':
      if (textMayHaveProblem(value, false, walk.memo)) walk.found |= MAY_HAVE_TEXT_PROBLEMS;
      return value;
    case 'boolean':
      return value;
    case 'number':
      if (!isPlainJsonNumber(value)) walk.found |= NOT_PLAIN_JSON;
      return value;
    case 'object':
      break;
    default:
      walk.found |= NOT_PLAIN_JSON;
      return value;
  }
  if (Array.isArray(value)) {
    if (filterEmpty && value.length === 0) return undefined;
    const copy: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      // sanitizeValue leaves an undefined in an array, which JSON writes as null.
      if ((copy[i] = sanitizeScanning(value[i], sortKeys, filterEmpty, walk)) === undefined) walk.found |= NOT_PLAIN_JSON;
    }
    return copy;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) {
    walk.found |= NOT_PLAIN_JSON;
    return value;
  }
  const keys = Object.keys(value);
  if (sortKeys) keys.sort();
  const copy: { [key: string]: unknown } = {};
  let kept = 0;
  for (const key of keys) {
    // A key "__proto__" would set the copy's prototype.
    if (key === '__proto__') {
      walk.found |= NOT_PLAIN_JSON;
      continue;
    }
    const item = sanitizeScanning((value as { [key: string]: unknown })[key], sortKeys, filterEmpty, walk);
    if (item === undefined) continue;
    if (keyMayHaveTextProblem(key, walk.memo)) walk.found |= MAY_HAVE_TEXT_PROBLEMS;
    copy[key] = item;
    kept++;
  }
  return filterEmpty && kept === 0 ? undefined : copy;
}

/** A number JSON writes back as itself (not NaN, an infinity or -0). */
function isPlainJsonNumber(value: number): boolean {
  return Number.isFinite(value) && !Object.is(value, -0);
}

/** Whether a string, as a value or as a key, may be one findTextProblems reports (misread or unsafe). */
function textMayHaveProblem(text: string, inKey: boolean, memo: TextMemo): boolean {
  return misread(text, inKey, memo.misread) || findUnsafeCharacter(text) !== undefined;
}

/** Whether a key may be one findTextProblems reports (memoized per key). */
function keyMayHaveTextProblem(key: string, memo: TextMemo): boolean {
  let problem = memo.keys.get(key);
  if (problem === undefined) memo.keys.set(key, problem = textMayHaveProblem(key, true, memo));
  return problem;
}

function misread(text: string, inKey: boolean, memo: Map<string, boolean>): boolean {
  if (!readAsNonString(text)) return false;
  const key = `${inKey ? 'k' : 'v'}${text}`;
  let found = memo.get(key);
  if (found === undefined) memo.set(key, found = writtenPlainByCdk8s(text, inKey));
  return found;
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

/** Pairs each finding with the construct(s) whose object it names (the owners are only listed when there is a finding). */
function attribute(findings: readonly Finding[], ownersOf: () => readonly (readonly [IConstruct, KubeObject])[]): [IConstruct, Finding][] {
  if (findings.length === 0) return [];
  const owners = ownersOf();
  const keyOf = (kind: string, namespace: string | undefined, name: string | undefined) => `${kind}/${namespace ?? ''}/${name ?? ''}`;
  const byKey = new Map<string, IConstruct[]>();
  for (const [construct, obj] of owners) {
    const key = keyOf(obj.kind, obj.metadata?.namespace, obj.metadata?.name);
    byKey.set(key, [...(byKey.get(key) ?? []), construct]);
  }
  return findings.flatMap((f) => (byKey.get(keyOf(f.object.kind, f.object.namespace, f.object.name)) ?? []).map((c): [IConstruct, Finding] => [c, f]));
}
