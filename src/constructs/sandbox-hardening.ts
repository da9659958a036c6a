// SandboxHardening: hardens in place every pod template under a scope, whatever made it (cdk8s-plus, Helm,
// Include, L1 objects), with the profile's fill actions and refusals (src/profile/harden.ts). Each object's
// own toJson is wrapped, so what cdk8s writes is hardened however the workload changes after the call, and
// each object is registered with the synth guard, which refuses what harden would not change.
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { SandboxValidationError } from '../builders/errors';
import {
  BudgetCoverage, KubeObject, SANDBOX_DEFAULTS, SUPPRESSIBLE_RULES, SUPPRESS_ANNOTATION, containerDefaultsByNamespace, containerDefaultsOf, hardenObjects, isHardenable,
  runtimeClassNameOr, serviceAccountsRelyingOnTokens, suppressionsOf,
  type ContainerDefaults,
} from '../profile';
import type { SandboxNamespace } from './sandbox-namespace';
import { SandboxSynthGuard } from './synth-guard';

/** A rule waived on objects the hardening finds, recorded on each as a suppression annotation. */
export interface HardeningSuppression {
  /** The rule's id (`SandboxProfile.rules()`), e.g. `no-service-account-token`. */
  readonly rule: string;
  /** Why the rule does not apply, as a reviewer should read it. */
  readonly reason: string;
  /**
   * Kind of the objects it applies to, e.g. `Deployment`.
   * @default - every kind
   */
  readonly kind?: string;
  /**
   * Name of the object it applies to.
   * @default - every object of `kind` under the scope
   */
  readonly name?: string;
}

/** Props of `SandboxHardening.harden`. */
export interface SandboxHardeningProps {
  /**
   * The RuntimeClass hardened pods name.
   * @default 'gvisor'
   */
  readonly runtimeClassName?: string;
  /**
   * The SandboxNamespace whose LimitRange defaults containers without resources get.
   * @default - the LimitRange the app has in each object's namespace, else the profile's defaults (SandboxDefaults)
   */
  readonly namespace?: SandboxNamespace;
  /**
   * Rules waived on some objects, each with its reason (refusals the workload cannot do without, such as the
   * token an operator needs). Rules no reason makes safe (privileged, host namespaces, hostPath) cannot be waived.
   * @default - none
   */
  readonly suppressions?: HardeningSuppression[];
}

/** Marks an ApiObject whose toJson is hardened already. */
const HARDENED = Symbol.for('cdk8s-sandbox.hardened');

/** Hardening in place of the workloads under a scope. */
export class SandboxHardening {
  /**
   * Hardens every pod template under `scope` (a construct, a chart or the app): the profile's values where a
   * field is unset; what a rule forbids and the manifest sets on purpose (privileged, host namespaces, hostPath,
   * added capabilities, a low UID, `:latest`, a token asked for) fails synth with the construct path and field.
   * Replicated Deployments and StatefulSets no PodDisruptionBudget covers get one. Objects of the library's own
   * constructs are left to them.
   */
  public static harden(scope: IConstruct, props: SandboxHardeningProps = {}): SandboxHardening {
    return new SandboxHardening(scope, props);
  }

  /** The workloads hardened (their ApiObjects). */
  public readonly workloads: ApiObject[] = [];
  /** The ServiceAccounts hardened. */
  public readonly serviceAccounts: ApiObject[] = [];
  /** The PodDisruptionBudgets added for replicated workloads. */
  public readonly budgets: ApiObject[] = [];

  private constructor(scope: IConstruct, props: SandboxHardeningProps) {
    const where = scope.node.path || '(app)';
    const runtimeClassName = runtimeClassNameOr(props.runtimeClassName);
    const suppressions = validateSuppressions(where, props.suppressions ?? []);
    const guard = SandboxSynthGuard.of(scope);
    const all = scope.node.root.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
    const defaults = new LimitRangeDefaults(all, props.namespace);
    const budgets = new BudgetCoverage();
    for (const o of all) if (o.kind === 'PodDisruptionBudget') budgets.add(o.toJson());

    const candidates = (): ApiObject[] => scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && !(c as any)[HARDENED] && !guard.isGuarded(c));
    const found: { obj: ApiObject; json: KubeObject }[] = [];
    for (const obj of candidates()) {
      const before = obj.toJson() as KubeObject;
      if (!isHardenable(before)) continue;
      // toJson is read once here: a cdk8s-plus workload with `spread` adds a term each time it is rendered.
      found.push({ obj, json: addSuppressions(obj, before, suppressions) });
    }
    // A workload whose token rule is waived keeps the token its ServiceAccount gives: harden leaves that account's alone.
    const tokenAccounts = serviceAccountsRelyingOnTokens(found.map((f) => f.json));
    for (const { obj, json } of found) {
      const original = obj.toJson.bind(obj);
      obj.toJson = () => {
        const current = original() as KubeObject;
        return hardenObjects([current], { runtimeClassName, containerDefaults: defaults.of(current.metadata?.namespace), serviceAccountsRelyingOnTokens: tokenAccounts })[0].object;
      };
      (obj as any)[HARDENED] = true;
      const workload = json.kind !== 'ServiceAccount';
      (workload ? this.workloads : this.serviceAccounts).push(obj);
      guard.register(obj, { objects: [obj], runtimeClassName, honoursSuppressions: true, ...(workload ? { workload: obj } : {}) });
      if (!workload) continue;
      const hardened = hardenObjects([json], { runtimeClassName, serviceAccountsRelyingOnTokens: tokenAccounts })[0].object;
      if (suppressionsOf(hardened).rules.has('availability')) continue;
      const budget = budgets.budgetFor(hardened);
      if (budget) this.budgets.push(new ApiObject(obj.node.scope!, `${obj.node.id}${SANDBOX_DEFAULTS.hardenedBudget.nameSuffix}`, budget as any));
    }
    // A workload added under the scope after this call would go out unhardened and unchecked: synth refuses it.
    guard.node.addValidation({
      validate: () => candidates().filter(isHardenableNow).map((o) =>
        `[${o.node.path}] ${o.kind} "${o.name}" was added under ${where} after SandboxHardening.harden, so it is neither hardened nor checked; call harden after adding every workload (or harden again)`),
    });
  }
}

/** The suppressions of the props, refused when they name no rule or give no reason. */
function validateSuppressions(where: string, suppressions: readonly HardeningSuppression[]): readonly HardeningSuppression[] {
  suppressions.forEach((s, i) => {
    if (!SUPPRESSIBLE_RULES.has(s.rule)) {
      throw new SandboxValidationError(where, `suppressions[${i}].rule`, JSON.stringify(s.rule), `name a rule of the profile: ${[...SUPPRESSIBLE_RULES.keys()].join(', ')}`);
    }
    if (SUPPRESSIBLE_RULES.get(s.rule) === 'all') {
      throw new SandboxValidationError(where, `suppressions[${i}].rule`, JSON.stringify(s.rule), 'no reason makes it safe in a sandbox, so it cannot be waived; fix the workload or leave it out of the scope');
    }
    if (typeof s.reason !== 'string' || s.reason.trim() === '' || s.reason.includes('\n')) {
      throw new SandboxValidationError(where, `suppressions[${i}].reason`, JSON.stringify(s.reason), 'give the reason the rule does not apply, on one line');
    }
  });
  return suppressions;
}

/**
 * Records the suppressions that apply to an object on its suppression annotation (after the lines it has), and
 * returns its JSON with them.
 */
function addSuppressions(obj: ApiObject, json: KubeObject, suppressions: readonly HardeningSuppression[]): KubeObject {
  const lines = suppressions
    .filter((s) => (s.kind === undefined || s.kind === json.kind) && (s.name === undefined || s.name === json.metadata?.name))
    .map((s) => `${s.rule}: ${s.reason.trim()}`);
  if (lines.length === 0) return json;
  const existing = json.metadata?.annotations?.[SUPPRESS_ANNOTATION];
  const value = [...(existing ? [existing] : []), ...lines].join('\n');
  obj.metadata.addAnnotation(SUPPRESS_ANNOTATION, value);
  return { ...json, metadata: { ...json.metadata, annotations: { ...json.metadata?.annotations, [SUPPRESS_ANNOTATION]: value } } };
}

/** Whether an object is hardenable, when it can be rendered at all (a cdk8s-plus workload without containers cannot). */
function isHardenableNow(obj: ApiObject): boolean {
  try {
    return isHardenable(obj.toJson());
  } catch {
    return false;
  }
}

/** The container defaults of each namespace, read from the app's LimitRanges on first use. */
class LimitRangeDefaults {
  private byNamespace?: Map<string, ContainerDefaults>;
  private ofNamespaceProp?: ContainerDefaults;

  constructor(private readonly objects: readonly ApiObject[], private readonly namespace: SandboxNamespace | undefined) {}

  /** The defaults for containers in `namespace`; undefined leaves the profile's. */
  of(namespace: string | undefined): ContainerDefaults | undefined {
    if (this.namespace) return this.ofNamespaceProp ??= containerDefaultsOf(this.namespace.limitRange.toJson());
    this.byNamespace ??= containerDefaultsByNamespace(this.objects.filter((o) => o.kind === 'LimitRange').map((o) => o.toJson() as KubeObject));
    return this.byNamespace.get(namespace || 'default');
  }
}
