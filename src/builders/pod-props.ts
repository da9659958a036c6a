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
