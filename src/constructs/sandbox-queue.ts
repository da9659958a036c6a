// SandboxQueue: a Kueue queue for one SandboxNamespace's code runs, so that a burst of submissions waits for
// quota on the gVisor nodes instead of starting at once.
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { NamespaceQueueBounds, QueueingStrategy, buildSandboxQueue } from '../builders/queue';
import { RuntimeClassToleration, SandboxPlatform } from '../builders/runtime-class';
import { SandboxValidationError } from '../builders/errors';
import { dnsLabelFromId } from '../builders/validate';
import { SandboxNamespace } from './sandbox-namespace';
import { addApiObject, addClusterScopedApiObject } from './api-objects';

/** The ClusterQueue's nominal quota on the gVisor flavor: what the admitted Jobs' pods may request in total. */
export interface SandboxQueueQuota {
  /**
   * Sum of CPU requests (pod overhead included).
   * @default - the namespace's ResourceQuota `requests.cpu`
   */
  readonly cpu?: string;
  /**
   * Sum of memory requests (pod overhead included).
   * @default - the namespace's ResourceQuota `requests.memory`
   */
  readonly memory?: string;
  /**
   * Sum of ephemeral-storage requests.
   * @default - the namespace's ResourceQuota `requests.ephemeral-storage`
   */
  readonly ephemeralStorage?: string;
  /**
   * Number of pods.
   * @default - the namespace's ResourceQuota `pods`
   */
  readonly pods?: number;
}

/** Props of a SandboxQueue. */
export interface SandboxQueueProps {
  /**
   * The SandboxNamespace whose Jobs the queue admits.
   * @default - the SandboxNamespace the queue is created in
   */
  readonly namespace?: SandboxNamespace;
  /**
   * LocalQueue name: what a Job's `kueue.x-k8s.io/queue-name` label says.
   * @default - derived from the construct id
   */
  readonly name?: string;
  /**
   * ClusterQueue name (cluster-wide).
   * @default - `<namespace>-<name>`
   */
  readonly clusterQueueName?: string;
  /**
   * ResourceFlavor name (cluster-wide).
   * @default - `<clusterQueueName>-gvisor`
   */
  readonly flavorName?: string;
  /**
   * Platform: on GKE the flavor selects and tolerates GKE Sandbox nodes (`sandbox.gke.io/runtime=gvisor:NoSchedule`).
   * @default SandboxPlatform.GKE
   */
  readonly platform?: SandboxPlatform;
  /**
   * Node labels of the gVisor nodes (self-managed only, and required there; at least one, at most 8).
   * @default - on GKE, `sandbox.gke.io/runtime: gvisor`
   */
  readonly nodeLabels?: { [key: string]: string };
  /**
   * Tolerations of the gVisor nodes' taints (self-managed only; at most 8), added by Kueue to admitted pods.
   * @default - on GKE, `sandbox.gke.io/runtime=gvisor:NoSchedule`; none on a self-managed cluster
   */
  readonly tolerations?: RuntimeClassToleration[];
  /**
   * Nominal quota of the ClusterQueue; each resource at most the namespace's ResourceQuota.
   * @default - see SandboxQueueQuota
   */
  readonly quota?: SandboxQueueQuota;
  /**
   * How waiting Jobs are ordered.
   * @default QueueingStrategy.BEST_EFFORT_FIFO
   */
  readonly queueingStrategy?: QueueingStrategy;
}

/**
 * Kueue (kueue.x-k8s.io/v1beta2) queueing for one SandboxNamespace: a ResourceFlavor for the gVisor nodes, a
 * ClusterQueue that admits only that namespace's workloads up to a nominal quota of cpu, memory,
 * ephemeral-storage and pods (no cohort, no borrowing, no preemption), and a LocalQueue in the namespace.
 * Jobs labelled `kueue.x-k8s.io/queue-name: <queueName>` and created with `suspend: true` wait until the quota
 * has room (a suspended Job's activeDeadlineSeconds only starts when Kueue resumes it). Kueue counts the
 * RuntimeClass's `overhead.podFixed` into each pod's requests. Waiting Jobs and their ConfigMaps still count
 * against the namespace's ResourceQuota (`quota.jobs`, `quota.configMaps` of the SandboxNamespace): raise those
 * to the backlog the queue should hold.
 */
export class SandboxQueue extends Construct {
  /** The LocalQueue name Jobs label themselves with. */
  public readonly queueName: string;
  /** The namespace of the LocalQueue: queued Jobs must be created in it. */
  public readonly namespace: string;
  /** The ClusterQueue name. */
  public readonly clusterQueueName: string;
  /** The ResourceFlavor name. */
  public readonly flavorName: string;
  /** The ResourceFlavor. */
  public readonly resourceFlavor: ApiObject;
  /** The ClusterQueue. */
  public readonly clusterQueue: ApiObject;
  /** The LocalQueue. */
  public readonly localQueue: ApiObject;

  constructor(scope: Construct, id: string, props: SandboxQueueProps = {}) {
    super(scope, id);
    const where = this.node.path;
    const namespace = props.namespace ?? [...this.node.scopes].reverse().find((s): s is SandboxNamespace => s instanceof SandboxNamespace);
    if (!namespace) {
      throw new SandboxValidationError(where, 'namespace', 'unset', 'a SandboxQueue queues the Jobs of one SandboxNamespace: pass namespace, or create the queue inside the SandboxNamespace');
    }
    const built = buildSandboxQueue(where, props, boundsOf(namespace), dnsLabelFromId(id));
    this.queueName = built.queueName;
    this.namespace = namespace.name;
    this.clusterQueueName = built.clusterQueueName;
    this.flavorName = built.flavorName;
    this.resourceFlavor = addClusterScopedApiObject(this, 'ResourceFlavor', built.resourceFlavor);
    this.clusterQueue = addClusterScopedApiObject(this, 'ClusterQueue', built.clusterQueue);
    this.localQueue = addApiObject(this, 'LocalQueue', built.localQueue);
  }
}

/** The caps of the namespace's ResourceQuota that bound the ClusterQueue's quota. */
function boundsOf(namespace: SandboxNamespace): NamespaceQueueBounds {
  const hard = namespace.resourceQuota.toJson().spec.hard;
  return {
    name: namespace.name,
    cpu: hard['requests.cpu'],
    memory: hard['requests.memory'],
    ephemeralStorage: hard['requests.ephemeral-storage'],
    pods: Number(hard.pods),
  };
}
