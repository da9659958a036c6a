// SandboxNamespace: a namespace for sandboxes, under Pod Security "restricted", with quota, limits and deny-all.
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { SandboxLimitRange, SandboxQuota, buildSandboxNamespace } from '../builders/namespace';
import { dnsLabelFromId } from '../builders/validate';
import { addApiObjects } from './api-objects';
import { NAMESPACE_SCOPE } from './scope';

/** Props of a SandboxNamespace. */
export interface SandboxNamespaceProps {
  /**
   * Namespace name.
   * @default - derived from the construct id
   */
  readonly name?: string;
  /**
   * Kubernetes minor version the Pod Security labels pin.
   * @default 'v1.27'
   */
  readonly podSecurityVersion?: string;
  /**
   * ResourceQuota caps.
   * @default - see SandboxQuota
   */
  readonly quota?: SandboxQuota;
  /**
   * LimitRange container defaults and bounds.
   * @default - see SandboxLimitRange
   */
  readonly limits?: SandboxLimitRange;
  /**
   * Extra labels on the Namespace.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/**
 * A Namespace labelled for Pod Security admission (enforce, audit and warn: restricted, version pinned),
 * a ResourceQuota, a LimitRange and a namespace-wide deny-all NetworkPolicy. Sandboxed constructs created
 * inside it (as its children) are placed in the namespace.
 */
export class SandboxNamespace extends Construct {
  /** Namespace name. */
  public readonly name: string;
  /** The Namespace object. */
  public readonly namespace: ApiObject;
  /** The ResourceQuota. */
  public readonly resourceQuota: ApiObject;
  /** The LimitRange. */
  public readonly limitRange: ApiObject;
  /** The namespace-wide deny-all NetworkPolicy. */
  public readonly defaultDenyPolicy: ApiObject;

  constructor(scope: Construct, id: string, props: SandboxNamespaceProps = {}) {
    super(scope, id);
    const name = props.name ?? dnsLabelFromId(id) ?? id;
    const built = buildSandboxNamespace(this.node.path, { ...props, name });
    this.name = name;
    (this as any)[NAMESPACE_SCOPE] = name;
    [this.namespace, this.resourceQuota, this.limitRange, this.defaultDenyPolicy] = addApiObjects(this, built.objects);
    // A Namespace is cluster-scoped: the chart's namespace, which cdk8s gives every object, does not apply to it.
    if (Chart.of(this).namespace !== undefined) this.namespace.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }
}
