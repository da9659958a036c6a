// The values the hardening profile implies: builders emit these, rules accept what they allow.

/** Defaults and bounds implied by the sandbox hardening profile (see README, "Hardening controls"). */
export const SANDBOX_DEFAULTS = {
  /** Row 1: the RuntimeClass GKE Sandbox installs. */
  runtimeClassName: 'gvisor',
  /** Row 3: the UID sandboxed containers run as (`nobody`). */
  runAsUser: 65534,
  /** Row 4: the GID sandboxed containers run as, and the pod's fsGroup. */
  runAsGroup: 65534,
  fsGroup: 65534,
  /** Rows 3-4: the lowest UID/GID accepted (kube-score: >= 10000). */
  minimumId: 10000,
  /** Row 8. */
  seccompProfileType: 'RuntimeDefault',
  /** Row 7: what every container drops. */
  dropCapabilities: ['ALL'] as readonly string[],
  /** Row 7: the only capability that may ever be added. */
  allowedAddCapabilities: ['NET_BIND_SERVICE'] as readonly string[],
  /** Row 12: the volume sources a sandboxed pod may use (PSS restricted). */
  allowedVolumeTypes: ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'] as readonly string[],
  /** Row 15: the sysctls PSS baseline calls safe. */
  safeSysctls: [
    'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start',
    'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports',
    'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
  ] as readonly string[],
  /** Row 15: SELinux types PSS baseline allows. */
  allowedSeLinuxTypes: ['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'] as readonly string[],
  /** The writable path every sandboxed container gets on its read-only root. */
  writablePath: '/tmp',
  writablePathSizeLimit: '64Mi',
  /** Row 10: each container's requests and limits, unless its props say otherwise. */
  resources: {
    cpuRequest: '250m', cpuLimit: '500m', memoryRequest: '256Mi', memoryLimit: '512Mi',
    ephemeralStorageRequest: '64Mi', ephemeralStorageLimit: '256Mi',
  },
  /** A code run's limits, and where its code is mounted. */
  run: {
    timeoutSeconds: 30, deadlineSeconds: 60, ttlSecondsAfterFinished: 300, codeMountPath: '/workspace', containerName: 'runner',
    /** The one NetworkPolicy per namespace that denies every code-run pod all traffic (it selects SANDBOX_LABELS.codeRun). */
    isolationPolicyName: 'code-run-deny-all',
  },
  /** What hardening in place gives a Job that sets no limits of its own (code runs have `run`'s). */
  hardenedJob: { activeDeadlineSeconds: 3600, ttlSecondsAfterFinished: 300 },
  /** The PodDisruptionBudget hardening in place adds for a replicated workload that no budget covers. */
  hardenedBudget: { maxUnavailable: 1, nameSuffix: '-sandbox-pdb' },
  /** A SandboxNamespace's ResourceQuota. */
  namespaceQuota: {
    requestsCpu: '8', limitsCpu: '16', requestsMemory: '16Gi', limitsMemory: '32Gi',
    requestsEphemeralStorage: '20Gi', limitsEphemeralStorage: '40Gi', pods: 100, jobs: 200, configMaps: 300,
  },
  /** The most one container in a SandboxNamespace may ask for (its LimitRange's max). */
  namespaceContainerMax: { cpu: '2', memory: '4Gi' },
  /** The Pod Security Standards version a SandboxNamespace pins. */
  podSecurityVersion: 'v1.27',
} as const;

/** Labels the library puts on every sandboxed pod. */
export const SANDBOX_LABELS = {
  /** Marks a pod as sandboxed, for policies and monitoring (value `"true"`). */
  sandboxed: 'cdk8s-sandbox.io/sandboxed',
  /** The workload a sandboxed pod belongs to: the stable selector label. */
  workload: 'cdk8s-sandbox.io/workload',
  /** Marks a code run's pod (value `"true"`): the namespace's shared code-run deny-all policy selects it. */
  codeRun: 'cdk8s-sandbox.io/code-run',
} as const;

/** The node label and taint GKE Sandbox puts on its gVisor nodes (`sandbox.gke.io/runtime=gvisor:NoSchedule`). */
export const GKE_SANDBOX_NODE = { key: 'sandbox.gke.io/runtime', value: 'gvisor', effect: 'NoSchedule' } as const;

/** The annotation prefix under which a code run's files travel in its pod (`code.cdk8s-sandbox.io/0`, ...). */
export const CODE_ANNOTATION_PREFIX = 'code.cdk8s-sandbox.io/';

/** The label every object the library emits carries. */
export const MANAGED_BY_LABEL = { 'app.kubernetes.io/managed-by': 'cdk8s-sandbox' } as const;

/** The runsc flag override (allow-listed, only tightening) that makes gVisor apply a pod's seccomp profile inside the sandbox. */
export const GVISOR_OCI_SECCOMP_ANNOTATION = 'dev.gvisor.flag.oci-seccomp';

/** The annotation that suppresses a rule on one object: value `rule-id: reason` lines. */
export const SUPPRESS_ANNOTATION = 'cdk8s-sandbox.io/suppress';
