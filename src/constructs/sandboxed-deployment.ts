// SandboxedDeployment: a long-running untrusted workload in gVisor, hardened by construction.
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { buildSandboxedDeployment } from '../builders/deployment';
import { dnsLabelFromId } from '../builders/validate';
import { runtimeClassNameOr } from '../profile';
import { ISandboxWorkload } from '../builders/network';
import { SandboxSynthGuard } from './synth-guard';
import { addApiObjects } from './api-objects';
import { effectiveNamespace, namespaceFromScope } from './scope';
import { SandboxWorkloadProps } from '../builders/pod-props';

/** Props of a long-running sandboxed workload. */
export interface SandboxedDeploymentProps extends SandboxWorkloadProps {
  /**
   * Number of pods. With more than one, a PodDisruptionBudget keeps all but one up during node drains.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Emit a ClusterIP Service for the main container's ports.
   * @default false
   */
  readonly service?: boolean;
}

/**
 * A Deployment whose pods run under gVisor as a non-root user with a read-only root, no capabilities,
 * seccomp, no service-account token and bounded resources; plus its token-less ServiceAccount, an optional
 * ClusterIP Service and a PodDisruptionBudget when it has more than one replica.
 */
export class SandboxedDeployment extends Construct implements ISandboxWorkload {
  /** Name of the workload and of its objects. */
  public readonly name: string;
  /** Namespace of the pods: from props, the enclosing SandboxNamespace, or the chart. */
  public readonly namespace?: string;
  /** Labels that select this workload's pods (stable: derived from the name only). */
  public readonly selectorLabels: { readonly [key: string]: string };
  /** Every label on this workload's pods. */
  public readonly podLabels: { readonly [key: string]: string };
  /** The RuntimeClass the pods run under. */
  public readonly runtimeClassName: string;
  /** The Deployment. */
  public readonly deployment: ApiObject;
  /** The ServiceAccount, with automountServiceAccountToken false. */
  public readonly serviceAccount: ApiObject;
  /** The ClusterIP Service, when `service` is true. */
  public readonly service?: ApiObject;
  /** The PodDisruptionBudget, when replicas > 1. */
  public readonly podDisruptionBudget?: ApiObject;

  constructor(scope: Construct, id: string, props: SandboxedDeploymentProps) {
    super(scope, id);
    const built = buildSandboxedDeployment(this.node.path, { ...props, namespace: props.namespace ?? namespaceFromScope(scope) }, dnsLabelFromId(id));
    this.name = built.identity.name;
    this.namespace = effectiveNamespace(this, built.identity.namespace);
    this.selectorLabels = built.identity.selectorLabels;
    this.podLabels = built.identity.podLabels;
    this.runtimeClassName = runtimeClassNameOr(props.runtimeClassName);
    const apiObjects = addApiObjects(this, built.objects);
    const byKind = (kind: string) => apiObjects.find((o) => o.kind === kind);
    this.serviceAccount = byKind('ServiceAccount')!;
    this.deployment = byKind('Deployment')!;
    this.service = byKind('Service');
    this.podDisruptionBudget = byKind('PodDisruptionBudget');
    SandboxSynthGuard.of(this).register(this, { objects: apiObjects, runtimeClassName: this.runtimeClassName, workload: this.deployment });
  }
}
