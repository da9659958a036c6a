// The synth-time checks of every sandbox construct of an app, run in one pass: the profile's rules over
// each construct's own final JSON (so a patch or escape hatch cannot smuggle a weakening through), and the
// cross-resource rules over the whole app (every sandboxed pod isolated, no sandbox policy dangling or
// opening egress to every destination).
// One guard per app serializes each object once per pass, so the cost stays linear in the app's size.
import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { describeFinding } from '../builders/compliance';
import { UNSAFE_YAML_CHARACTERS, findUnsafeStrings } from '../builders/yaml-text';
import { Finding, KubeObject, SUPPRESS_ANNOTATION, checkObjects, crossResourceRuleById, resolveCrossResourceOptions } from '../profile';

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
}

/** Runs the synth-time checks of all sandbox constructs of one app. */
export class SandboxSynthGuard extends Construct {
  /** The guard of the app `scope` belongs to, created on first use. */
  public static of(scope: IConstruct): SandboxSynthGuard {
    const root = scope.node.root;
    return (root.node.tryFindChild(GUARD_ID) as SandboxSynthGuard | undefined) ?? new SandboxSynthGuard(root as Construct, GUARD_ID);
  }

  private readonly entries: { construct: IConstruct; guarded: GuardedConstruct }[] = [];

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.node.addValidation({ validate: () => this.check() });
  }

  /** Registers a construct's objects for the checks. */
  public register(construct: IConstruct, guarded: GuardedConstruct): void {
    this.entries.push({ construct, guarded });
  }

  private check(): string[] {
    if (this.entries.length === 0) return [];
    const json = new Map<ApiObject, KubeObject>();
    const jsonOf = (o: ApiObject): KubeObject => {
      const cached = json.get(o);
      if (cached !== undefined) return cached;
      const fresh: KubeObject = o.toJson();
      json.set(o, fresh);
      return fresh;
    };
    const errors: string[] = [];

    for (const { construct, guarded } of this.entries) {
      if (guarded.objects.length === 0) continue;
      for (const f of checkObjects(guarded.objects.map(jsonOf), { runtimeClassName: guarded.runtimeClassName })) {
        errors.push(`[${construct.node.path}] ${describeFinding(f)}`);
      }
    }

    const apiObjects = this.node.root.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
    for (const o of apiObjects) errors.push(...unsafeTextErrors(o, jsonOf(o)));
    const all = apiObjects.map(jsonOf);
    const policies = all.filter((o) => o.kind === 'NetworkPolicy');
    const pods = all.filter((o) => o.kind !== 'NetworkPolicy');
    const options = resolveCrossResourceOptions();

    const workloads = this.entries.filter((e) => e.guarded.workload && !optedOut(jsonOf(e.guarded.workload)));
    const isolation = crossResourceRuleById('network-isolation')!.check([...workloads.map((e) => jsonOf(e.guarded.workload!)), ...policies], options);
    for (const [construct, f] of attribute(isolation, workloads.map((e) => [e.construct, jsonOf(e.guarded.workload!)]))) {
      errors.push(`[${construct.node.path}] [${f.rule}] ${f.message}. Fix: ${f.fix} Or select the workload with a SandboxNetworkPolicy, place it in a SandboxNamespace, or set networkPolicyManagedElsewhere with the reason.`);
    }

    const guardedPolicies = this.entries.filter((e) => e.guarded.policy);
    const policyJson = guardedPolicies.map((e) => jsonOf(e.guarded.policy!));
    const policyFindings = [
      ...crossResourceRuleById('network-policy-selects-pods')!.check([...policyJson, ...pods], options),
      ...crossResourceRuleById('egress-peers')!.check(policyJson, options),
    ];
    for (const [construct, f] of attribute(policyFindings, guardedPolicies.map((e) => [e.construct, jsonOf(e.guarded.policy!)]))) {
      errors.push(`[${construct.node.path}] [${f.rule}] ${f.path}: ${f.message}. Fix: ${f.fix}`);
    }
    return errors;
  }
}

/**
 * Strings of an object that cdk8s would write raw into YAML where kubectl reads them differently: a U+2028
 * in a ConfigMap's code becomes a line break for kubectl, and the text after it new keys or a new object.
 */
function unsafeTextErrors(o: ApiObject, json: KubeObject): string[] {
  return findUnsafeStrings(json).map((u) => `[${o.node.path}] ${json.kind}/${json.metadata?.name ?? '(unnamed)'} ${u.path}: ${u.inKey ? 'a key' : 'the value'} holds ${u.codePoint} at character ${u.index}, which cdk8s writes raw into the YAML and kubectl (YAML 1.1) reads as a line break or refuses. Allowed: text without ${UNSAFE_YAML_CHARACTERS}. Fix: remove it, or write it as an escape in the program's own syntax; file content with such characters belongs in a ConfigMap's binaryData (CodeRunnerJob does this itself)`);
}

/** Whether a workload carries a recorded network-isolation opt-out. */
function optedOut(workload: KubeObject): boolean {
  const lines = String(workload.metadata?.annotations?.[SUPPRESS_ANNOTATION] ?? '').split('\n');
  return lines.some((l) => l.trim().startsWith('network-isolation:'));
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
