// SandboxNetworkPolicy: deny-all for the workloads it selects by reference, then only the allowances given;
// egress to domain names in a CiliumNetworkPolicy or GKE FQDNNetworkPolicy beside it.
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import {
  DnsMode, FqdnProvider, ISandboxWorkload, NetworkRule, PolicySelection, buildSandboxNetworkPolicies, selectorForNamespace, selectorForWorkloads,
} from '../builders/network';
import { SandboxValidationError } from '../builders/errors';
import { MANAGED_BY_LABEL } from '../profile';
import { dnsLabelFromId } from '../builders/validate';
import { SandboxSynthGuard } from './synth-guard';
import { SandboxNamespace } from './sandbox-namespace';

/** Props of a SandboxNetworkPolicy. Give exactly one of `selects` and `selectsAllIn`. */
export interface SandboxNetworkPolicyProps {
  /**
   * Policy name.
   * @default - derived from the construct id
   */
  readonly name?: string;
  /**
   * The workloads whose pods the policy selects (all in one namespace).
   * @default - none
   */
  readonly selects?: ISandboxWorkload[];
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
 * CiliumNetworkPolicy or GKE FQDNNetworkPolicy beside it (`fqdnProvider`).
 */
export class SandboxNetworkPolicy extends Construct {
  /** Policy name. */
  public readonly name: string;
  /** The NetworkPolicy. */
  public readonly policy: ApiObject;
  /**
   * The CiliumNetworkPolicy or FQDNNetworkPolicy of the egress rules to domain names.
   * @default - none, when no rule names a domain
   */
  public readonly fqdnPolicy?: ApiObject;

  constructor(scope: Construct, id: string, props: SandboxNetworkPolicyProps) {
    super(scope, id);
    const where = this.node.path;
    if ((props.selects === undefined) === (props.selectsAllIn === undefined)) {
      throw new SandboxValidationError(where, 'selects', props.selects && props.selectsAllIn ? 'both selects and selectsAllIn' : 'unset', 'give exactly one of selects (workloads) and selectsAllIn (a SandboxNamespace)');
    }
    const selection: PolicySelection = props.selectsAllIn
      ? selectorForNamespace(props.selectsAllIn.name)
      : selectorForWorkloads({ where, prefix: '' }, props.selects!);
    this.name = props.name ?? dnsLabelFromId(id) ?? id;
    const json = buildSandboxNetworkPolicies(where, {
      name: this.name,
      labels: { ...MANAGED_BY_LABEL },
      selection,
      dns: props.dns ?? DnsMode.NONE,
      ingress: props.ingress ?? [],
      egress: props.egress ?? [],
      fqdnProvider: props.fqdnProvider,
    });
    this.policy = new ApiObject(this, 'NetworkPolicy', json.policy as any);
    if (json.fqdnPolicy) this.fqdnPolicy = new ApiObject(this, 'FqdnPolicy', json.fqdnPolicy as any);
    SandboxSynthGuard.of(this).register(this, { objects: [], policy: this.policy });
  }
}
