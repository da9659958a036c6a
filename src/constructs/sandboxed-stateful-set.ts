// SandboxedStatefulSet: untrusted workloads with state of their own (agent sessions), in gVisor, hardened by construction.
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import {
  PodManagementPolicy, SandboxPersistentVolumeClaimRetentionPolicy, SandboxVolumeClaimTemplate, StatefulSetUpdateStrategy, buildSandboxedStatefulSet,
} from '../builders/stateful-set';
import { dnsLabelFromId } from '../builders/validate';
import { runtimeClassNameOr } from '../profile';
import { ISandboxWorkload } from '../builders/network';
import { SandboxSynthGuard } from './synth-guard';
import { addApiObjects } from './api-objects';
import { effectiveNamespace, namespaceFromScope } from './scope';
import { SandboxWorkloadProps } from '../builders/pod-props';

/** Props of a sandboxed workload whose pods keep state of their own. */
export interface SandboxedStatefulSetProps extends SandboxWorkloadProps {
  /**
   * Number of pods. With more than one, a PodDisruptionBudget keeps all but one up during node drains.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Name of the headless Service that gives each pod its DNS name (`<pod>.<serviceName>`).
   * @default - the workload's name
   */
  readonly serviceName?: string;
  /**
   * Emit the headless Service (`clusterIP: None`, the main container's ports); false when it exists already.
   * @default true
   */
  readonly headlessService?: boolean;
  /**
   * Claims each pod gets of its own, mounted by name through `volumeMounts`.
   * @default - none
   */
  readonly volumeClaimTemplates?: SandboxVolumeClaimTemplate[];
  /**
   * Whether pods start and stop one at a time or all at once.
   * @default PodManagementPolicy.ORDERED_READY
   */
  readonly podManagementPolicy?: PodManagementPolicy;
  /**
   * How pods are replaced when the template changes.
   * @default StatefulSetUpdateStrategy.rollingUpdate()
   */
  readonly updateStrategy?: StatefulSetUpdateStrategy;
  /**
   * When the pods' claims are deleted.
   * @default - Kubernetes' default: kept when the StatefulSet is deleted or scaled down
   */
  readonly persistentVolumeClaimRetentionPolicy?: SandboxPersistentVolumeClaimRetentionPolicy;
}

/**
 * A StatefulSet whose pods run under gVisor as a non-root user with a read-only root, no capabilities,
 * seccomp, no service-account token and bounded resources, each with claims of its own; plus its token-less
 * ServiceAccount, the headless Service that names its pods and a PodDisruptionBudget when it has more than one
 * replica.
 */
export class SandboxedStatefulSet extends Construct implements ISandboxWorkload {
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
  /** Name of the headless Service that names the pods. */
  public readonly serviceName: string;
  /** The StatefulSet. */
  public readonly statefulSet: ApiObject;
  /** The ServiceAccount, with automountServiceAccountToken false. */
  public readonly serviceAccount: ApiObject;
  /** The headless Service, unless `headlessService` is false. */
  public readonly service?: ApiObject;
  /** The PodDisruptionBudget, when replicas > 1. */
  public readonly podDisruptionBudget?: ApiObject;

  constructor(scope: Construct, id: string, props: SandboxedStatefulSetProps) {
    super(scope, id);
    const built = buildSandboxedStatefulSet(this.node.path, { ...props, namespace: props.namespace ?? namespaceFromScope(scope) }, dnsLabelFromId(id));
    this.name = built.identity.name;
    this.namespace = effectiveNamespace(this, built.identity.namespace);
    this.selectorLabels = built.identity.selectorLabels;
    this.podLabels = built.identity.podLabels;
    this.runtimeClassName = runtimeClassNameOr(props.runtimeClassName);
    this.serviceName = built.statefulSet.spec.serviceName;
    const apiObjects = addApiObjects(this, built.objects);
    const byKind = (kind: string) => apiObjects.find((o) => o.kind === kind);
    this.serviceAccount = byKind('ServiceAccount')!;
    this.statefulSet = byKind('StatefulSet')!;
    this.service = byKind('Service');
    this.podDisruptionBudget = byKind('PodDisruptionBudget');
    SandboxSynthGuard.of(this).register(this, { objects: apiObjects, runtimeClassName: this.runtimeClassName, workload: this.statefulSet });
  }
}
