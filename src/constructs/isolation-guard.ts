// The app-wide network checks at synth: every sandboxed pod is isolated, and no sandbox policy dangles.
// One guard per app runs the cross-resource rules once over every object, so the cost stays linear.
import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { KubeObject, SUPPRESS_ANNOTATION, crossResourceRuleById, resolveCrossResourceOptions } from '../profile';

const GUARD_ID = 'cdk8s-sandbox-network-isolation';

/** Collects sandboxed workloads and sandbox policies of an app and checks them together at synth. */
export class NetworkIsolationGuard extends Construct {
  /** The guard of the app `scope` belongs to, created on first use. */
  public static of(scope: IConstruct): NetworkIsolationGuard {
    const root = scope.node.root;
    return (root.node.tryFindChild(GUARD_ID) as NetworkIsolationGuard | undefined) ?? new NetworkIsolationGuard(root as Construct, GUARD_ID);
  }

  private readonly workloads: { construct: IConstruct; object: ApiObject }[] = [];
  private readonly policies: { construct: IConstruct; object: ApiObject }[] = [];

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.node.addValidation({ validate: () => this.check() });
  }

  /** A workload whose pods must be isolated (unless it opted out). */
  public registerWorkload(construct: IConstruct, object: ApiObject): void {
    this.workloads.push({ construct, object });
  }

  /** A policy that must select at least one pod. */
  public registerPolicy(construct: IConstruct, object: ApiObject): void {
    this.policies.push({ construct, object });
  }

  private check(): string[] {
    if (this.workloads.length === 0 && this.policies.length === 0) return [];
    const all: KubeObject[] = this.node.root.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson());
    const networkPolicies = all.filter((o) => o.kind === 'NetworkPolicy');
    const pods = all.filter((o) => o.kind !== 'NetworkPolicy');
    const options = resolveCrossResourceOptions();
    const errors: string[] = [];
    const isolation = crossResourceRuleById('network-isolation')!;
    for (const { construct, object } of this.workloads) {
      const json = object.toJson();
      if (String(json.metadata?.annotations?.[SUPPRESS_ANNOTATION] ?? '').split('\n').some((l) => l.trim().startsWith('network-isolation:'))) continue;
      for (const f of isolation.check([json, ...networkPolicies], options)) {
        errors.push(`${construct.node.path}: [${f.rule}] ${f.message}. Fix: ${f.fix} Or select the workload with a SandboxNetworkPolicy, place it in a SandboxNamespace, or set networkPolicyManagedElsewhere with the reason.`);
      }
    }
    const dangling = crossResourceRuleById('network-policy-selects-pods')!;
    for (const { construct, object } of this.policies) {
      for (const f of dangling.check([object.toJson(), ...pods], options)) {
        errors.push(`${construct.node.path}: [${f.rule}] ${f.message}. Fix: ${f.fix}`);
      }
    }
    return errors;
  }
}
