// Props shared by every sandboxed workload: the main container, extra containers, volumes, security.
import { EnvValue } from './env';
import { Probe } from './probe';
import { SandboxVolume } from './volume';

/** Network protocol of a container port. */
export enum Protocol {
  TCP = 'TCP',
  UDP = 'UDP',
  SCTP = 'SCTP',
}

/** Seccomp profile types. `UNCONFINED` is always refused: it exists so that asking for it fails loudly. */
export enum SeccompProfileType {
  RUNTIME_DEFAULT = 'RuntimeDefault',
  LOCALHOST = 'Localhost',
  UNCONFINED = 'Unconfined',
}

/** When the kubelet pulls a container's image. */
export enum ImagePullPolicy {
  /** Pull on every container start (the tag is resolved anew each time). */
  ALWAYS = 'Always',
  /** Pull only when the node does not have the image yet. */
  IF_NOT_PRESENT = 'IfNotPresent',
  /** Never pull: the image must already be on the node. */
  NEVER = 'Never',
}

/** How a toleration matches a taint's value. */
export enum TolerationOperator {
  /** The taint's value must equal the toleration's. */
  EQUAL = 'Equal',
  /** Any value of the taint's key (the toleration gives no value). */
  EXISTS = 'Exists',
}

/** The effect of a node taint. */
export enum TaintEffect {
  /** New pods that do not tolerate it are not scheduled on the node. */
  NO_SCHEDULE = 'NoSchedule',
  /** The scheduler tries to keep pods that do not tolerate it off the node. */
  PREFER_NO_SCHEDULE = 'PreferNoSchedule',
  /** Pods that do not tolerate it are evicted from the node. */
  NO_EXECUTE = 'NoExecute',
}

/**
 * A toleration of a node taint, put on the pods as given. The gVisor nodes' own taint (GKE Sandbox's
 * `sandbox.gke.io/runtime=gvisor:NoSchedule`) needs none: the RuntimeClass carries that toleration.
 */
export interface SandboxToleration {
  /** Taint key (a toleration without a key would tolerate every taint, and is refused). */
  readonly key: string;
  /**
   * How the value is matched.
   * @default - TolerationOperator.EQUAL when `value` is given, TolerationOperator.EXISTS otherwise
   */
  readonly operator?: TolerationOperator;
  /**
   * Taint value, with TolerationOperator.EQUAL.
   * @default - none: any value (TolerationOperator.EXISTS)
   */
  readonly value?: string;
  /**
   * Taint effect tolerated.
   * @default - every effect
   */
  readonly effect?: TaintEffect;
  /**
   * Seconds the pod stays on a node after a NoExecute taint it tolerates appears; only with TaintEffect.NO_EXECUTE.
   * @default - as long as the taint stays
   */
  readonly tolerationSeconds?: number;
}

/** Operators of a node selector requirement. */
export enum NodeSelectorOperator {
  /** The label's value is one of `values`. */
  IN = 'In',
  /** The label is absent or its value is none of `values`. */
  NOT_IN = 'NotIn',
  /** The node has the label. */
  EXISTS = 'Exists',
  /** The node does not have the label. */
  DOES_NOT_EXIST = 'DoesNotExist',
  /** The label's value, an integer, is greater than the single value given. */
  GT = 'Gt',
  /** The label's value, an integer, is less than the single value given. */
  LT = 'Lt',
}

/** One requirement on a node's labels (or, in `matchFields`, on its `metadata.name`). */
export interface NodeSelectorRequirement {
  /** Label key (in `matchFields`: `metadata.name`). */
  readonly key: string;
  /** How the key's value is matched. */
  readonly operator: NodeSelectorOperator;
  /**
   * Values: at least one for IN and NOT_IN, exactly one integer for GT and LT, none for EXISTS and DOES_NOT_EXIST.
   * @default - none
   */
  readonly values?: string[];
}

/** Requirements a node must all meet. */
export interface NodeSelectorTerm {
  /**
   * Requirements on the node's labels.
   * @default - none
   */
  readonly matchExpressions?: NodeSelectorRequirement[];
  /**
   * Requirements on the node's fields (only `metadata.name`, with IN or NOT_IN).
   * @default - none
   */
  readonly matchFields?: NodeSelectorRequirement[];
}

/** A node selector term the scheduler prefers, with its weight. */
export interface WeightedNodeSelectorTerm {
  /** Weight, 1-100, added to a node's score when it meets the term. */
  readonly weight: number;
  /** The preferred term. */
  readonly preference: NodeSelectorTerm;
}

/** Which nodes the pods may (required) or should (preferred) run on. */
export interface SandboxNodeAffinity {
  /**
   * Terms of which a node must meet at least one (the RuntimeClass's node selector applies as well).
   * @default - no requirement
   */
  readonly required?: NodeSelectorTerm[];
  /**
   * Terms the scheduler prefers nodes to meet.
   * @default - no preference
   */
  readonly preferred?: WeightedNodeSelectorTerm[];
}

/** Operators of a label selector requirement. */
export enum LabelSelectorOperator {
  /** The label's value is one of `values`. */
  IN = 'In',
  /** The label is absent or its value is none of `values`. */
  NOT_IN = 'NotIn',
  /** The label is present. */
  EXISTS = 'Exists',
  /** The label is absent. */
  DOES_NOT_EXIST = 'DoesNotExist',
}

/** One requirement on an object's labels. */
export interface LabelSelectorRequirement {
  /** Label key. */
  readonly key: string;
  /** How the key's value is matched. */
  readonly operator: LabelSelectorOperator;
  /**
   * Values: at least one for IN and NOT_IN, none for EXISTS and DOES_NOT_EXIST.
   * @default - none
   */
  readonly values?: string[];
}

/** Selects objects (pods, namespaces) by their labels; every part must match. */
export interface SandboxLabelSelector {
  /**
   * Labels the object must carry with these values.
   * @default - none
   */
  readonly matchLabels?: { [key: string]: string };
  /**
   * Requirements on the object's labels.
   * @default - none
   */
  readonly matchExpressions?: LabelSelectorRequirement[];
}

/** Pods to be near (affinity) or away from (anti-affinity), within one topology domain. */
export interface PodAffinityTerm {
  /** The pods; for pod affinity they must be sandboxed pods (see SandboxPodAffinity). */
  readonly labelSelector: SandboxLabelSelector;
  /** Node label whose value defines the domain (`kubernetes.io/hostname`, `topology.kubernetes.io/zone`). */
  readonly topologyKey: string;
  /**
   * Namespaces of the pods.
   * @default - the pod's own namespace (or those `namespaceSelector` selects)
   */
  readonly namespaces?: string[];
  /**
   * Namespaces of the pods, by label (`{}` selects every namespace).
   * @default - only `namespaces`
   */
  readonly namespaceSelector?: SandboxLabelSelector;
}

/** A pod affinity term the scheduler prefers, with its weight. */
export interface WeightedPodAffinityTerm {
  /** Weight, 1-100, added to a node's score when it meets the term. */
  readonly weight: number;
  /** The preferred term. */
  readonly term: PodAffinityTerm;
}

/**
 * Pods to run near, or away from. Pod affinity (attraction) may only select sandboxed pods (`matchLabels` with
 * `cdk8s-sandbox.io/sandboxed: "true"` or a workload's `selectorLabels`): drawing untrusted code onto the nodes of
 * chosen pods of another kind would help co-residency side channels against them.
 */
export interface SandboxPodAffinity {
  /**
   * Terms every node must meet.
   * @default - none
   */
  readonly required?: PodAffinityTerm[];
  /**
   * Terms the scheduler prefers nodes to meet.
   * @default - none
   */
  readonly preferred?: WeightedPodAffinityTerm[];
}

/** Node affinity, pod affinity and pod anti-affinity of a sandboxed pod. */
export interface SandboxAffinity {
  /**
   * Which nodes the pods may or should run on; it may not exclude the gVisor nodes.
   * @default - none
   */
  readonly nodeAffinity?: SandboxNodeAffinity;
  /**
   * Sandboxed pods to run near.
   * @default - none
   */
  readonly podAffinity?: SandboxPodAffinity;
  /**
   * Pods to run away from.
   * @default - none
   */
  readonly podAntiAffinity?: SandboxPodAffinity;
}

/** What the scheduler does with a pod a topology spread constraint cannot place. */
export enum UnsatisfiableConstraintAction {
  /** Leave the pod pending. */
  DO_NOT_SCHEDULE = 'DoNotSchedule',
  /** Schedule it anyway, preferring nodes that reduce the skew. */
  SCHEDULE_ANYWAY = 'ScheduleAnyway',
}

/** Spreads the pods over topology domains (zones, nodes). */
export interface SandboxTopologySpreadConstraint {
  /** Node label whose value defines the domain (`topology.kubernetes.io/zone`, `kubernetes.io/hostname`). */
  readonly topologyKey: string;
  /**
   * The most the number of matching pods may differ between two domains.
   * @default 1
   */
  readonly maxSkew?: number;
  /**
   * What to do with a pod that cannot be placed within the skew.
   * @default UnsatisfiableConstraintAction.DO_NOT_SCHEDULE
   */
  readonly whenUnsatisfiable?: UnsatisfiableConstraintAction;
  /**
   * The pods counted.
   * @default - the workload's own pods (its selector labels; for a code run, every code-run pod)
   */
  readonly labelSelector?: SandboxLabelSelector;
  /**
   * The least number of eligible domains; only with UnsatisfiableConstraintAction.DO_NOT_SCHEDULE.
   * @default - 1 (Kubernetes' default)
   */
  readonly minDomains?: number;
  /**
   * Keys of the pod's own labels whose values further narrow the pods counted (`pod-template-hash`).
   * @default - none
   */
  readonly matchLabelKeys?: string[];
}

/** A port a container listens on. */
export interface SandboxPort {
  /** Port number, 1-65535. */
  readonly number: number;
  /**
   * Port name (IANA service name, at most 15 characters).
   * @default - unnamed for a single port; `port-<number>` when the Service needs names
   */
  readonly name?: string;
  /**
   * Protocol.
   * @default Protocol.TCP
   */
  readonly protocol?: Protocol;
  /**
   * Host port. Always refused: host ports bypass NetworkPolicy and pin pods to nodes.
   * @default - none
   */
  readonly hostPort?: number;
}

/** CPU, memory and ephemeral-storage requests and limits of one container. */
export interface SandboxResources {
  /**
   * CPU request.
   * @default '250m'
   */
  readonly cpuRequest?: string;
  /**
   * CPU limit.
   * @default '500m'
   */
  readonly cpuLimit?: string;
  /**
   * Memory request.
   * @default '256Mi'
   */
  readonly memoryRequest?: string;
  /**
   * Memory limit.
   * @default '512Mi'
   */
  readonly memoryLimit?: string;
  /**
   * Ephemeral-storage request.
   * @default '64Mi'
   */
  readonly ephemeralStorageRequest?: string;
  /**
   * Ephemeral-storage limit (container writable layer and logs; emptyDir volumes have their own sizeLimit).
   * @default '256Mi'
   */
  readonly ephemeralStorageLimit?: string;
}

/** A writable directory on the read-only root, backed by a size-limited emptyDir of its own. */
export interface WritablePath {
  /** Absolute path inside the container. */
  readonly path: string;
  /**
   * Size limit of the emptyDir.
   * @default '64Mi'
   */
  readonly sizeLimit?: string;
  /**
   * Back the directory with memory (tmpfs); it then counts against the memory limit.
   * @default false
   */
  readonly inMemory?: boolean;
}

/** Where a volume is mounted in a container. */
export interface SandboxVolumeMount {
  /** Name of a volume in the workload's `volumes`. */
  readonly volume: string;
  /** Absolute mount path. */
  readonly path: string;
  /**
   * Mount read-only.
   * @default - true for configMap, secret, downwardAPI and projected volumes; false for the others
   */
  readonly readOnly?: boolean;
  /**
   * Mount only this path inside the volume.
   * @default - the whole volume
   */
  readonly subPath?: string;
}

/**
 * Container security settings. Every field exists so that a weaker value can be refused with a clear
 * error; the defaults are the only values most users need.
 */
export interface SandboxContainerSecurity {
  /**
   * UID the container runs as (>= 10000).
   * @default - the pod's user (65534)
   */
  readonly user?: number;
  /**
   * GID the container runs as (>= 10000).
   * @default - the pod's group (65534)
   */
  readonly group?: number;
  /**
   * Privileged mode. Only `false` is accepted.
   * @default false
   */
  readonly privileged?: boolean;
  /**
   * Privilege escalation. Only `false` is accepted.
   * @default false
   */
  readonly allowPrivilegeEscalation?: boolean;
  /**
   * Read-only root filesystem. Only `true` is accepted; use `writablePaths` for directories that must be written.
   * @default true
   */
  readonly readOnlyRootFilesystem?: boolean;
  /**
   * Capabilities to add back after dropping ALL. Only `NET_BIND_SERVICE` is accepted.
   * @default - none
   */
  readonly addCapabilities?: string[];
}

/** Pod-level security settings. */
export interface SandboxPodSecurity {
  /**
   * UID every container runs as (>= 10000).
   * @default 65534
   */
  readonly user?: number;
  /**
   * GID every container runs as (>= 10000).
   * @default 65534
   */
  readonly group?: number;
  /**
   * fsGroup of mounted volumes (>= 10000).
   * @default 65534
   */
  readonly fsGroup?: number;
  /**
   * Seccomp profile type. `UNCONFINED` is refused.
   * @default SeccompProfileType.RUNTIME_DEFAULT
   */
  readonly seccompProfile?: SeccompProfileType;
  /**
   * Path of a node-local seccomp profile; required with `SeccompProfileType.LOCALHOST`.
   * @default - none
   */
  readonly seccompLocalhostProfile?: string;
  /**
   * Share the host network namespace. Only `false` is accepted.
   * @default false
   */
  readonly hostNetwork?: boolean;
  /**
   * Share the host PID namespace. Only `false` is accepted.
   * @default false
   */
  readonly hostPid?: boolean;
  /**
   * Share the host IPC namespace. Only `false` is accepted.
   * @default false
   */
  readonly hostIpc?: boolean;
}

/** What every container of a sandboxed pod may set (the main container's fields sit on the workload's props). */
export interface SandboxContainerBaseProps {
  /** Image, pinned to a tag other than `latest` or to a digest. */
  readonly image: string;
  /**
   * When the image is pulled.
   * @default - Kubernetes' default (IfNotPresent for a tag or digest)
   */
  readonly imagePullPolicy?: ImagePullPolicy;
  /**
   * Entrypoint.
   * @default - the image's entrypoint
   */
  readonly command?: string[];
  /**
   * Arguments.
   * @default - the image's cmd
   */
  readonly args?: string[];
  /**
   * Working directory.
   * @default - the image's
   */
  readonly workingDir?: string;
  /**
   * Environment variables. `HOME` and `TMPDIR` default to the first writable path.
   * @default - only HOME and TMPDIR
   */
  readonly env?: { [name: string]: EnvValue };
  /**
   * Ports the container listens on.
   * @default - none
   */
  readonly ports?: SandboxPort[];
  /**
   * Requests and limits; every field has a default, so every container is bounded.
   * @default - see SandboxResources
   */
  readonly resources?: SandboxResources;
  /**
   * Readiness probe.
   * @default - none
   */
  readonly readiness?: Probe;
  /**
   * Liveness probe.
   * @default - none
   */
  readonly liveness?: Probe;
  /**
   * Startup probe.
   * @default - none
   */
  readonly startup?: Probe;
  /**
   * Writable directories, each a size-limited emptyDir of this container's own.
   * @default [{ path: '/tmp', sizeLimit: '64Mi' }]
   */
  readonly writablePaths?: WritablePath[];
  /**
   * Mounts of the workload's volumes.
   * @default - none
   */
  readonly volumeMounts?: SandboxVolumeMount[];
  /**
   * Container security settings (only the hardened values are accepted).
   * @default - hardened: non-root, no escalation, read-only root, drop ALL
   */
  readonly securityContext?: SandboxContainerSecurity;
}

/** An extra (init or sidecar) container. */
export interface SandboxContainerProps extends SandboxContainerBaseProps {
  /** Container name, a DNS label unique in the pod. */
  readonly name: string;
}

/** Pod-level props of every sandboxed workload. */
export interface SandboxPodProps {
  /**
   * Whether the pod asks gVisor to apply its seccomp profile (RuntimeDefault) inside the sandbox, with the
   * allow-listed runsc flag annotation `dev.gvisor.flag.oci-seccomp: "true"`; without it gVisor ignores the profile.
   * Runsc releases that ignore a profile's errnoRet (google/gvisor#14688) refuse clone3 with EPERM under it, so
   * glibc 2.34+ cannot start threads: set false for code that needs threads.
   * @default true
   */
  readonly gvisorSeccomp?: boolean;
  /**
   * RuntimeClass that runs the pod under gVisor.
   * @default 'gvisor'
   */
  readonly runtimeClassName?: string;
  /**
   * Name of the main container.
   * @default 'main'
   */
  readonly containerName?: string;
  /**
   * Containers run to completion before the main one, hardened the same way.
   * @default - none
   */
  readonly initContainers?: SandboxContainerProps[];
  /**
   * Containers run beside the main one, hardened the same way.
   * @default - none
   */
  readonly sidecars?: SandboxContainerProps[];
  /**
   * Volumes the containers may mount (configMap, secret, emptyDir, persistentVolumeClaim...; never hostPath).
   * @default - none beyond the writable paths
   */
  readonly volumes?: SandboxVolume[];
  /**
   * Pod security settings (only the hardened values are accepted).
   * @default - UID/GID/fsGroup 65534, seccomp RuntimeDefault, no host namespaces
   */
  readonly podSecurity?: SandboxPodSecurity;
  /**
   * Seconds the pod gets to shut down.
   * @default - Kubernetes' default (30)
   */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * Names of Secrets (of type `kubernetes.io/dockerconfigjson`) in the pod's namespace the kubelet pulls images with.
   * @default - none
   */
  readonly imagePullSecrets?: string[];
  /**
   * Annotations of the pods. Keys under `cdk8s-sandbox.io/` (and its subdomains, such as `code.cdk8s-sandbox.io/`)
   * are the library's, `dev.gvisor.*` are runsc flags the library sets itself, and annotations that loosen the
   * sandbox (AppArmor `unconfined`, the deprecated seccomp annotations, CRI-O's runtime annotations) are refused.
   * @default - only the library's gVisor annotations
   */
  readonly podAnnotations?: { [key: string]: string };
  /**
   * Node labels the pods' nodes must carry, on top of the RuntimeClass's node selector (GKE Sandbox's
   * `sandbox.gke.io/runtime: gvisor`, which needs no repeating here). Labels that exclude the gVisor nodes or
   * name control-plane nodes are refused.
   * @default - none
   */
  readonly nodeSelector?: { [key: string]: string };
  /**
   * Tolerations of node taints (the gVisor nodes' own taint is tolerated by the RuntimeClass). A toleration of
   * every taint, or of the control-plane taints, is refused.
   * @default - none
   */
  readonly tolerations?: SandboxToleration[];
  /**
   * Node affinity, pod affinity and anti-affinity.
   * @default - none
   */
  readonly affinity?: SandboxAffinity;
  /**
   * Spreading of the pods over zones or nodes.
   * @default - none
   */
  readonly topologySpreadConstraints?: SandboxTopologySpreadConstraint[];
  /**
   * PriorityClass of the pods; the `system-` classes (`system-cluster-critical`, `system-node-critical`) are refused.
   * @default - the cluster's default priority
   */
  readonly priorityClassName?: string;
}

/** Identity props of a workload: its name, namespace and extra labels. */
export interface SandboxWorkloadIdentityProps {
  /**
   * Name of the workload, used for its objects' names and its stable selector label.
   * @default - derived from the construct id
   */
  readonly name?: string;
  /**
   * Namespace.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Extra labels for the workload's objects and pods (they never enter the selector).
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Opt out of the synth-time check that a NetworkPolicy of the app isolates this workload's pods,
   * giving the reason (e.g. "policies come from the platform team's repo"). The reason is recorded
   * on the workload as a suppression annotation, so `cdk8s-sandbox audit` accepts it too.
   * @default - a NetworkPolicy in the app must isolate the pods' ingress and egress
   */
  readonly networkPolicyManagedElsewhere?: string;
}

/** Everything a sandboxed workload takes: identity, pod and main-container props. */
export interface SandboxWorkloadProps extends SandboxWorkloadIdentityProps, SandboxPodProps, SandboxContainerBaseProps {}
