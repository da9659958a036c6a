// SandboxNamespace's builder: a Namespace under Pod Security "restricted", a quota, limit defaults, deny-all.
import { KubeObject, MANAGED_BY_LABEL, SANDBOX_DEFAULTS, SANDBOX_LABELS } from '../profile';
import { buildDenyAllPolicy } from './network';
import { Site, checkByteQuantity, checkDnsLabel, checkInteger, checkQuantity, compareQuantities, definedOnly, fail } from './validate';

/** Caps of the namespace's ResourceQuota. */
export interface SandboxQuota {
  /**
   * Sum of CPU requests.
   * @default '8'
   */
  readonly requestsCpu?: string;
  /**
   * Sum of CPU limits.
   * @default '16'
   */
  readonly limitsCpu?: string;
  /**
   * Sum of memory requests.
   * @default '16Gi'
   */
  readonly requestsMemory?: string;
  /**
   * Sum of memory limits.
   * @default '32Gi'
   */
  readonly limitsMemory?: string;
  /**
   * Sum of ephemeral-storage requests.
   * @default '20Gi'
   */
  readonly requestsEphemeralStorage?: string;
  /**
   * Sum of ephemeral-storage limits.
   * @default '40Gi'
   */
  readonly limitsEphemeralStorage?: string;
  /**
   * Number of pods.
   * @default 100
   */
  readonly pods?: number;
  /**
   * Number of Jobs.
   * @default 200
   */
  readonly jobs?: number;
  /**
   * Number of ConfigMaps.
   * @default 300
   */
  readonly configMaps?: number;
}

/** Per-container defaults and bounds of the namespace's LimitRange. */
export interface SandboxLimitRange {
  /**
   * Default CPU request of a container that sets none.
   * @default '250m'
   */
  readonly defaultCpuRequest?: string;
  /**
   * Default CPU limit.
   * @default '500m'
   */
  readonly defaultCpuLimit?: string;
  /**
   * Default memory request.
   * @default '256Mi'
   */
  readonly defaultMemoryRequest?: string;
  /**
   * Default memory limit.
   * @default '512Mi'
   */
  readonly defaultMemoryLimit?: string;
  /**
   * Default ephemeral-storage request.
   * @default '64Mi'
   */
  readonly defaultEphemeralStorageRequest?: string;
  /**
   * Default ephemeral-storage limit.
   * @default '256Mi'
   */
  readonly defaultEphemeralStorageLimit?: string;
  /**
   * Largest CPU limit one container may set.
   * @default '2'
   */
  readonly maxCpu?: string;
  /**
   * Largest memory limit one container may set.
   * @default '4Gi'
   */
  readonly maxMemory?: string;
}

/** Props of a sandbox namespace. */
export interface SandboxNamespaceSpec {
  /** Namespace name. */
  readonly name: string;
  /**
   * Kubernetes minor version the Pod Security labels pin (`v1.27`).
   * @default 'v1.27'
   */
  readonly podSecurityVersion?: string;
  /**
   * Quota caps.
   * @default - see SandboxQuota
   */
  readonly quota?: SandboxQuota;
  /**
   * Container defaults and bounds.
   * @default - see SandboxLimitRange
   */
  readonly limits?: SandboxLimitRange;
  /**
   * Extra labels on the Namespace.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/** The objects of a sandbox namespace. */
export interface SandboxNamespaceObjects {
  readonly namespace: KubeObject;
  readonly resourceQuota: KubeObject;
  readonly limitRange: KubeObject;
  readonly defaultDenyPolicy: KubeObject;
  readonly objects: readonly KubeObject[];
}

const QUOTA_DEFAULTS: Required<SandboxQuota> = SANDBOX_DEFAULTS.namespaceQuota;
/** The LimitRange's defaults are the containers' own defaults, so a pod without resources gets what the builders emit. */
const LIMIT_DEFAULTS: Required<SandboxLimitRange> = {
  defaultCpuRequest: SANDBOX_DEFAULTS.resources.cpuRequest, defaultCpuLimit: SANDBOX_DEFAULTS.resources.cpuLimit,
  defaultMemoryRequest: SANDBOX_DEFAULTS.resources.memoryRequest, defaultMemoryLimit: SANDBOX_DEFAULTS.resources.memoryLimit,
  defaultEphemeralStorageRequest: SANDBOX_DEFAULTS.resources.ephemeralStorageRequest,
  defaultEphemeralStorageLimit: SANDBOX_DEFAULTS.resources.ephemeralStorageLimit,
  maxCpu: SANDBOX_DEFAULTS.namespaceContainerMax.cpu, maxMemory: SANDBOX_DEFAULTS.namespaceContainerMax.memory,
};
const PSS_MODES = ['enforce', 'audit', 'warn'];

/** Builds the Namespace, ResourceQuota, LimitRange and namespace-wide deny-all NetworkPolicy. */
export function buildSandboxNamespace(where: string, spec: SandboxNamespaceSpec): SandboxNamespaceObjects {
  const site: Site = { where, prefix: '' };
  const name = checkDnsLabel(site, 'name', spec.name);
  if (['default', 'kube-system', 'kube-public', 'kube-node-lease'].includes(name)) fail(site, 'name', name, 'sandboxes get a namespace of their own, not a system or the default one');
  const version = spec.podSecurityVersion ?? SANDBOX_DEFAULTS.podSecurityVersion;
  if (!/^v1\.[0-9]{1,2}$/.test(version)) fail(site, 'podSecurityVersion', version, 'must pin a Kubernetes minor version such as "v1.27" ("latest" is not pinned)');
  const q = { ...QUOTA_DEFAULTS, ...definedOnly(spec.quota ?? {}) };
  const l = { ...LIMIT_DEFAULTS, ...definedOnly(spec.limits ?? {}) };
  for (const key of ['requestsCpu', 'limitsCpu'] as const) checkQuantity({ where, prefix: 'quota' }, key, q[key], QUOTA_DEFAULTS[key]);
  for (const key of ['requestsMemory', 'limitsMemory', 'requestsEphemeralStorage', 'limitsEphemeralStorage'] as const) checkByteQuantity({ where, prefix: 'quota' }, key, q[key], QUOTA_DEFAULTS[key]);
  for (const [request, limit] of [['requestsCpu', 'limitsCpu'], ['requestsMemory', 'limitsMemory'], ['requestsEphemeralStorage', 'limitsEphemeralStorage']] as const) {
    if (compareQuantities(q[request], q[limit])! > 0) fail({ where, prefix: 'quota' }, request, q[request], `must not exceed ${limit} (${q[limit]}): every container's request is at most its limit, so a higher cap is never reached`);
  }
  for (const key of ['pods', 'jobs', 'configMaps'] as const) checkInteger({ where, prefix: 'quota' }, key, q[key], 1, 1000000);
  for (const key of Object.keys(LIMIT_DEFAULTS) as (keyof SandboxLimitRange)[]) {
    (key.includes('Cpu') ? checkQuantity : checkByteQuantity)({ where, prefix: 'limits' }, key, l[key], LIMIT_DEFAULTS[key]);
  }
  for (const [request, limit] of [['defaultCpuRequest', 'defaultCpuLimit'], ['defaultMemoryRequest', 'defaultMemoryLimit'], ['defaultEphemeralStorageRequest', 'defaultEphemeralStorageLimit']] as const) {
    if (compareQuantities(l[request], l[limit])! > 0) fail({ where, prefix: 'limits' }, request, l[request], `must not exceed ${limit} (${l[limit]})`);
  }
  if (compareQuantities(l.defaultCpuLimit, l.maxCpu)! > 0) fail({ where, prefix: 'limits' }, 'defaultCpuLimit', l.defaultCpuLimit, `must not exceed maxCpu (${l.maxCpu})`);
  if (compareQuantities(l.defaultMemoryLimit, l.maxMemory)! > 0) fail({ where, prefix: 'limits' }, 'defaultMemoryLimit', l.defaultMemoryLimit, `must not exceed maxMemory (${l.maxMemory})`);

  const pss: { [key: string]: string } = {};
  for (const mode of PSS_MODES) {
    pss[`pod-security.kubernetes.io/${mode}`] = 'restricted';
    pss[`pod-security.kubernetes.io/${mode}-version`] = version;
  }
  // The sandboxed label puts the namespace under SandboxAdmissionPolicy's default binding.
  const labels = { ...spec.labels, ...pss, ...MANAGED_BY_LABEL, [SANDBOX_LABELS.sandboxed]: 'true' };
  const meta = (objectName: string) => ({ name: objectName, namespace: name, labels: { ...MANAGED_BY_LABEL } });
  const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
  const resourceQuota: KubeObject = {
    apiVersion: 'v1', kind: 'ResourceQuota', metadata: meta('sandbox-quota'),
    spec: {
      hard: {
        'requests.cpu': q.requestsCpu, 'limits.cpu': q.limitsCpu,
        'requests.memory': q.requestsMemory, 'limits.memory': q.limitsMemory,
        'requests.ephemeral-storage': q.requestsEphemeralStorage, 'limits.ephemeral-storage': q.limitsEphemeralStorage,
        'pods': String(q.pods), 'count/jobs.batch': String(q.jobs), 'configmaps': String(q.configMaps),
      },
    },
  };
  const limitRange: KubeObject = {
    apiVersion: 'v1', kind: 'LimitRange', metadata: meta('sandbox-limits'),
    spec: {
      limits: [{
        type: 'Container',
        defaultRequest: { 'cpu': l.defaultCpuRequest, 'memory': l.defaultMemoryRequest, 'ephemeral-storage': l.defaultEphemeralStorageRequest },
        default: { 'cpu': l.defaultCpuLimit, 'memory': l.defaultMemoryLimit, 'ephemeral-storage': l.defaultEphemeralStorageLimit },
        max: { cpu: l.maxCpu, memory: l.maxMemory },
      }],
    },
  };
  const defaultDenyPolicy = buildDenyAllPolicy(meta('default-deny-all'), {});
  return { namespace, resourceQuota, limitRange, defaultDenyPolicy, objects: [namespace, resourceQuota, limitRange, defaultDenyPolicy] };
}
