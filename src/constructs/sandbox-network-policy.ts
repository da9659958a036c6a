// SandboxNetworkPolicy: deny-all for the workloads it selects by reference, then only the allowances given;
// egress to domain names in a CiliumNetworkPolicy or GKE FQDNNetworkPolicy beside it.
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import {
  DnsMode, FqdnProvider, IWorkloadReference, NetworkPeer, isConstructLike, lacksSelectorLabels, NetworkRule, PolicySelection, WorkloadRole, WorkloadSelection, buildSandboxNetworkPolicies,
  selectorForNamespace, selectorForWorkloads,
} from '../builders/network';
import { SandboxValidationError } from '../builders/errors';
import { KubeObject, MANAGED_BY_LABEL } from '../profile';
import { Site, dnsLabelFromId, fail } from '../builders/validate';
import { addApiObject } from './api-objects';
import { SandboxSynthGuard } from './synth-guard';
import { SandboxNamespace } from './sandbox-namespace';
import { effectiveNamespace } from './scope';
import { WorkloadSelector } from './workload-selector';

/** Props of a SandboxNetworkPolicy. Give exactly one of `selects` and `selectsAllIn`. */
export interface SandboxNetworkPolicyProps {
  /**
   * Policy name.
   * @default - derived from the construct id
   */
  readonly name?: string;
  /**
   * The workloads whose pods the policy selects (all in one namespace): the library's own (SandboxedDeployment,
   * CodeRunnerJob, ...), any other workload construct by reference (a cdk8s-plus-27 workload, an L1
   * `KubeDeployment` and the like, an ApiObject of `Include` or `Helm`), and `WorkloadSelector.of(construct)` for a
   * construct that holds one workload (an `Include`). Each is selected by the selector labels its object carries;
   * a workload without selector labels (it would select every pod) is refused.
   * @default - none
   */
  readonly selects?: IWorkloadReference[];
  /**
   * Select every sandboxed pod of this namespace.
   * @default - none
   */
  readonly selectsAllIn?: SandboxNamespace;
  /**
   * How the pods resolve names.
   * @default DnsMode.NONE
   */
  readonly dns?: DnsMode;
  /**
   * Allowed incoming connections.
   * @default - none
   */
  readonly ingress?: NetworkRule[];
  /**
   * Allowed outgoing connections (besides DNS).
   * @default - none
   */
  readonly egress?: NetworkRule[];
  /**
   * Who enforces egress rules to domain names (NetworkPeer.fqdn), which a Kubernetes NetworkPolicy cannot
   * express: a CiliumNetworkPolicy or a GKE FQDNNetworkPolicy is emitted beside the NetworkPolicy, with the
   * same name, selecting the same pods, holding those rules and their ports. It only adds egress: the
   * NetworkPolicy still isolates the pods. CILIUM needs `dns: DnsMode.CLUSTER`; GKE any DNS mode but NONE.
   * @default - none: a rule to a domain name is refused
   */
  readonly fqdnProvider?: FqdnProvider;
}

/**
 * A NetworkPolicy with policyTypes Ingress and Egress over the pods of the workloads it references:
 * everything not allowed here is denied. Egress rules always name their peers; the internet peer always
 * excepts the metadata server, link-local and private ranges. Egress rules to domain names go to a
 * CiliumNetworkPolicy or GKE FQDNNetworkPolicy beside it (`fqdnPolicy`).
 *
 * The construct is the NetworkPolicy's ApiObject itself, as cdk8s's generated classes are: one construct node
 * per policy rather than two, which cdk8s walks several times in every synth.
 */
export class SandboxNetworkPolicy extends ApiObject {
  /** The NetworkPolicy: this construct itself. */
  public readonly policy: ApiObject;
  /**
   * The CiliumNetworkPolicy or FQDNNetworkPolicy of the egress rules to domain names.
   * @default - none, when no rule names a domain
   */
  public readonly fqdnPolicy?: ApiObject;

  constructor(scope: Construct, id: string, given: SandboxNetworkPolicyProps) {
    // Built and checked before the ApiObject exists: its props are the policy.
    const plan = planPolicy(scope, id, given);
    super(scope, id, plan.policy as any);
    this.policy = this;
    if (plan.fqdnPolicy) this.fqdnPolicy = addApiObject(this, 'FqdnPolicy', plan.fqdnPolicy);
    SandboxSynthGuard.of(this).register(this, { objects: [], policy: this });
    // A workload referenced with WorkloadSelector is read again at synth: the policy must select what it carries then.
    const references = plan.references;
    if (references.length > 0) {
      this.node.addValidation({
        validate: () => references.map((r) => r.selector._changedSince(r.before, r.field, r.role)).filter((m): m is string => m !== undefined),
      });
    }
  }
}

/** A policy's objects and the workloads it references, built from its props before its construct exists. */
interface PolicyPlan {
  readonly policy: KubeObject;
  readonly fqdnPolicy?: KubeObject;
  readonly references: readonly WorkloadReference[];
}

/** Checks a SandboxNetworkPolicy's props and builds its objects; `scope` and `id` are those of the construct to be. */
function planPolicy(scope: Construct, id: string, given: SandboxNetworkPolicyProps): PolicyPlan {
  const props = byReference(given);
  const where = childPath(scope, id);
  if ((props.selects === undefined) === (props.selectsAllIn === undefined)) {
    throw new SandboxValidationError(where, 'selects', props.selects && props.selectsAllIn ? 'both selects and selectsAllIn' : 'unset', 'give exactly one of selects (workloads) and selectsAllIn (a SandboxNamespace)');
  }
  const site: Site = { where, prefix: '' };
  const selection: PolicySelection = props.selectsAllIn
    ? selectorForNamespace(props.selectsAllIn.name)
    : selectorForWorkloads(site, props.selects!);
  const json = buildSandboxNetworkPolicies(where, {
    name: props.name ?? dnsLabelFromId(id) ?? id,
    labels: { ...MANAGED_BY_LABEL },
    selection,
    dns: props.dns ?? DnsMode.NONE,
    ingress: props.ingress ?? [],
    egress: props.egress ?? [],
    fqdnProvider: props.fqdnProvider,
  });
  const references = workloadReferences(site, props);
  const chartNamespace = effectiveNamespace(scope, undefined);
  const unplaced = references.find((r) => r.role === 'selects' && r.before.namespace === undefined);
  if (unplaced && selection.namespace === undefined && chartNamespace !== undefined) {
    fail(site, unplaced.field, unplaced.before.what, `its object names no namespace (nor does its chart), so its pods run wherever it is applied, but this policy's chart puts the policy in namespace "${chartNamespace}"; give the workload's chart a namespace, or create the policy in a chart without one`);
  }
  return { policy: json.policy, ...(json.fqdnPolicy ? { fqdnPolicy: json.fqdnPolicy } : {}), references };
}

/** The path a construct `id` under `scope` will have (the constructs library writes a '/' in an id as '--'). */
function childPath(scope: Construct, id: string): string {
  const own = id.replace(/\//g, '--');
  return scope.node.path ? `${scope.node.path}/${own}` : own;
}

/** A workload given as a construct without selector labels of its own (cdk8s-plus, L1), as a WorkloadSelector of it. */
function referenced(workload: IWorkloadReference): IWorkloadReference {
  return isConstructLike(workload) && lacksSelectorLabels(workload) && !(workload instanceof WorkloadSelector) ? WorkloadSelector.of(workload) : workload;
}

/** The props with every workload given as a plain construct (in `selects` and NetworkPeer.workload peers) referenced by a WorkloadSelector. */
function byReference(props: SandboxNetworkPolicyProps): SandboxNetworkPolicyProps {
  const rules = (list: NetworkRule[] | undefined) => (Array.isArray(list) ? list.map((rule) => (rule && Array.isArray(rule.peers) ? {
    ...rule,
    peers: rule.peers.map((p) => (p instanceof NetworkPeer && p._kind === 'workload' && p._data.workload && !(p._data.workload instanceof WorkloadSelector) ? NetworkPeer.workload(referenced(p._data.workload)) : p)),
  } : rule)) : list);
  return {
    ...props,
    ...(Array.isArray(props.selects) ? { selects: props.selects.map(referenced) } : {}),
    ...(props.ingress !== undefined ? { ingress: rules(props.ingress) } : {}),
    ...(props.egress !== undefined ? { egress: rules(props.egress) } : {}),
  };
}

/** A workload the policy references by WorkloadSelector, where, and what it was read as when the policy was built. */
interface WorkloadReference {
  readonly selector: WorkloadSelector;
  readonly field: string;
  readonly role: WorkloadRole;
  readonly before: WorkloadSelection;
}

/** The WorkloadSelectors of a policy's `selects` and NetworkPeer.workload peers, each read as the policy was built with it. */
function workloadReferences(site: Site, props: SandboxNetworkPolicyProps): WorkloadReference[] {
  const refs: WorkloadReference[] = [];
  const add = (w: unknown, field: string, role: WorkloadRole) => {
    if (w instanceof WorkloadSelector) refs.push({ selector: w, field, role, before: w._selectionFor(site, field, role) });
  };
  const list = <T>(v: readonly T[] | undefined): readonly T[] => (Array.isArray(v) ? v : []);
  list(props.selects).forEach((w, i) => add(w, `selects[${i}]`, 'selects'));
  for (const direction of ['ingress', 'egress'] as const) {
    list(props[direction]).forEach((rule, i) => list(rule?.peers).forEach((p, j) => {
      if (p instanceof NetworkPeer && p._kind === 'workload') add(p._data.workload, `${direction}[${i}].peers[${j}].peer`, 'peer');
    }));
  }
  return refs;
}
