// SandboxNetworkPolicy: deny-all for the workloads it selects by reference, then only the allowances given.
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { DnsMode, ISandboxWorkload, NetworkRule, PolicySelection, buildSandboxNetworkPolicy, selectorForNamespace, selectorForWorkloads } from '../builders/network';
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
}

/**
 * A NetworkPolicy with policyTypes Ingress and Egress over the pods of the workloads it references:
 * everything not allowed here is denied. Egress rules always name their peers; the internet peer always
 * excepts the metadata server, link-local and private ranges.
 */
export class SandboxNetworkPolicy extends Construct {
  /** Policy name. */
  public readonly name: string;
  /** The NetworkPolicy. */
  public readonly policy: ApiObject;

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
    const json = buildSandboxNetworkPolicy(where, {
      name: this.name,
      labels: { ...MANAGED_BY_LABEL },
      selection,
      dns: props.dns ?? DnsMode.NONE,
      ingress: props.ingress ?? [],
      egress: props.egress ?? [],
    });
    this.policy = new ApiObject(this, 'NetworkPolicy', json as any);
    SandboxSynthGuard.of(this).register(this, { objects: [], policy: this.policy });
  }
}
