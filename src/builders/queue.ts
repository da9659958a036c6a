// SandboxQueue's builder: Kueue's ResourceFlavor (gVisor nodes), ClusterQueue (one namespace's quota) and
// LocalQueue, and the two fields that put a Job in the queue (the queue-name label, created suspended).
import type { SandboxQueueProps, SandboxQueueQuota } from '../constructs/sandbox-queue';
import { GKE_SANDBOX_NODE, KubeObject, MANAGED_BY_LABEL, NAMESPACE_NAME_LABEL } from '../profile';
import { RuntimeClassToleration, SandboxPlatform } from './runtime-class';
import {
  Site, checkByteQuantity, checkDnsLabel, checkDnsSubdomain, checkInteger, checkLabelKey, checkLabelValue, checkQuantity, child, compareQuantities, definedOnly, fail,
} from './validate';

/** How a ClusterQueue orders the workloads waiting in it. */
export enum QueueingStrategy {
  /** Oldest first, but a waiting workload that does not fit does not hold back younger ones that do (Kueue's default). */
  BEST_EFFORT_FIFO = 'BestEffortFIFO',
  /** Strictly oldest first: a waiting workload that does not fit holds back every younger one. */
  STRICT_FIFO = 'StrictFIFO',
}

/** The Kueue API version emitted: v1beta2, served since Kueue 0.15, stored since 0.16, the only one served from 0.20. */
export const KUEUE_API_VERSION = 'kueue.x-k8s.io/v1beta2';
/** The label that names the LocalQueue a Job waits in. */
export const KUEUE_QUEUE_NAME_LABEL = 'kueue.x-k8s.io/queue-name';
/** The resources the ClusterQueue covers, in order: every resource a sandboxed container requests, and the pod count. */
const COVERED_RESOURCES = ['cpu', 'memory', 'ephemeral-storage', 'pods'] as const;
/** Kueue's bounds on a ResourceFlavor: at most 8 node labels and 8 tolerations. */
const MAX_FLAVOR_ENTRIES = 8;
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** What the namespace's ResourceQuota allows: the ClusterQueue's quota defaults to it and may not exceed it. */
export interface NamespaceQueueBounds {
  /** Namespace name. */
  readonly name: string;
  /** Its ResourceQuota's `requests.cpu`. */
  readonly cpu: string;
  /** Its ResourceQuota's `requests.memory`. */
  readonly memory: string;
  /** Its ResourceQuota's `requests.ephemeral-storage`. */
  readonly ephemeralStorage: string;
  /** Its ResourceQuota's `pods`. */
  readonly pods: number;
}

/** The names and objects of a SandboxQueue. */
export interface SandboxQueueObjects {
  /** The LocalQueue's name: what a Job's `kueue.x-k8s.io/queue-name` label says. */
  readonly queueName: string;
  readonly clusterQueueName: string;
  readonly flavorName: string;
  readonly resourceFlavor: KubeObject;
  readonly clusterQueue: KubeObject;
  readonly localQueue: KubeObject;
}

/** The fields a Job gets to wait in a LocalQueue: Kueue admits it by unsuspending it. */
export interface QueuedJobFields {
  /** Labels of the Job object (`metadata.labels`). */
  readonly labels: { readonly [key: string]: string };
  /** The Job's `spec.suspend`: created suspended, so that no pod starts before Kueue admits it. */
  readonly suspend: true;
}

/** Checks the name of a LocalQueue, as a SandboxQueue prop or a raw render option: it becomes a label value. */
export function checkQueueName(site: Site, name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    fail(site, name, value, 'must name a LocalQueue (the queueName of a SandboxQueue): a DNS label of at most 63 lowercase letters, digits and \'-\'');
  }
  return checkDnsLabel(site, name, value);
}

/** The Job fields that queue it in the LocalQueue `queueName` (checked with checkQueueName). */
export function queuedJobFields(queueName: string): QueuedJobFields {
  return { labels: { [KUEUE_QUEUE_NAME_LABEL]: queueName }, suspend: true };
}

/**
 * Checks that a Job is created where its LocalQueue is: a LocalQueue only admits Jobs of its own namespace, and
 * Kueue leaves a Job naming a LocalQueue of another namespace suspended for good.
 */
export function checkJobInQueueNamespace(site: Site, name: string, queueNamespace: string, jobNamespace: string | undefined): void {
  if (jobNamespace !== queueNamespace) {
    fail(site, name, jobNamespace, `the queue's LocalQueue is in namespace "${queueNamespace}"; a Job in another namespace would stay suspended for good: create the Job in "${queueNamespace}"`);
  }
}

/** Builds the ResourceFlavor, ClusterQueue and LocalQueue of a SandboxQueue for namespace `bounds.name`. */
export function buildSandboxQueue(where: string, props: SandboxQueueProps, bounds: NamespaceQueueBounds, defaultName: string | undefined): SandboxQueueObjects {
  const site: Site = { where, prefix: '' };
  const namespace = bounds.name;
  const queueName = checkQueueName(site, 'name', props.name ?? defaultName);
  const clusterQueueName = checkDnsSubdomain(site, 'clusterQueueName', props.clusterQueueName ?? `${namespace}-${queueName}`);
  const flavorName = checkDnsSubdomain(site, 'flavorName', props.flavorName ?? `${clusterQueueName}-gvisor`);
  const strategy = props.queueingStrategy ?? QueueingStrategy.BEST_EFFORT_FIFO;
  if (!Object.values(QueueingStrategy).includes(strategy)) fail(site, 'queueingStrategy', strategy, `allowed: ${Object.values(QueueingStrategy).join(', ')}`);

  const { nodeLabels, tolerations } = flavorScheduling(site, props);
  const quota = resolveQuota(child(site, 'quota'), props.quota ?? {}, bounds);
  const labels = () => ({ ...MANAGED_BY_LABEL });

  const resourceFlavor: KubeObject = {
    apiVersion: KUEUE_API_VERSION,
    kind: 'ResourceFlavor',
    metadata: { name: flavorName, labels: labels() },
    spec: { nodeLabels, ...(tolerations.length > 0 ? { tolerations } : {}) },
  };
  const nominal: { [resource: string]: string } = {
    'cpu': quota.cpu, 'memory': quota.memory, 'ephemeral-storage': quota.ephemeralStorage, 'pods': String(quota.pods),
  };
  const clusterQueue: KubeObject = {
    apiVersion: KUEUE_API_VERSION,
    kind: 'ClusterQueue',
    metadata: { name: clusterQueueName, labels: labels() },
    spec: {
      // Only the SandboxNamespace's Jobs; no cohort, so nothing is borrowed or lent, and nothing is preempted.
      namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
      queueingStrategy: strategy,
      resourceGroups: [{
        coveredResources: [...COVERED_RESOURCES],
        flavors: [{ name: flavorName, resources: COVERED_RESOURCES.map((r) => ({ name: r, nominalQuota: nominal[r] })) }],
      }],
      preemption: { reclaimWithinCohort: 'Never', borrowWithinCohort: { policy: 'Never' }, withinClusterQueue: 'Never' },
    },
  };
  const localQueue: KubeObject = {
    apiVersion: KUEUE_API_VERSION,
    kind: 'LocalQueue',
    metadata: { name: queueName, namespace, labels: labels() },
    spec: { clusterQueue: clusterQueueName },
  };
  return { queueName, clusterQueueName, flavorName, resourceFlavor, clusterQueue, localQueue };
}

/** The flavor's node labels and tolerations: GKE Sandbox's own, or the given ones on a self-managed cluster. */
function flavorScheduling(site: Site, props: SandboxQueueProps): { nodeLabels: { [key: string]: string }; tolerations: { [key: string]: string }[] } {
  const platform = props.platform ?? SandboxPlatform.GKE;
  if (platform === SandboxPlatform.GKE) {
    for (const key of ['nodeLabels', 'tolerations'] as const) {
      if (props[key] !== undefined) fail(site, key, props[key], `GKE Sandbox nodes carry the label and taint ${GKE_SANDBOX_NODE.key}=${GKE_SANDBOX_NODE.value}(:${GKE_SANDBOX_NODE.effect}), which the flavor uses; this setting only applies to SandboxPlatform.SELF_MANAGED`);
    }
    return {
      nodeLabels: { [GKE_SANDBOX_NODE.key]: GKE_SANDBOX_NODE.value },
      tolerations: [{ key: GKE_SANDBOX_NODE.key, operator: 'Equal', value: GKE_SANDBOX_NODE.value, effect: GKE_SANDBOX_NODE.effect }],
    };
  }
  if (platform !== SandboxPlatform.SELF_MANAGED) fail(site, 'platform', platform, `allowed: ${Object.values(SandboxPlatform).join(', ')}`);
  const given = props.nodeLabels ?? {};
  const entries = Object.entries(given);
  if (entries.length === 0) {
    fail(site, 'nodeLabels', props.nodeLabels, 'name the labels of the gVisor nodes (e.g. {"runtime.example.com/gvisor": "true"}): a flavor without node labels matches every node, so the quota would not be the gVisor nodes\'');
  }
  if (entries.length > MAX_FLAVOR_ENTRIES) fail(site, 'nodeLabels', given, `at most ${MAX_FLAVOR_ENTRIES} labels (Kueue's limit)`);
  const nodeLabels: { [key: string]: string } = {};
  for (const [key, value] of entries) {
    checkLabelKey(site, `nodeLabels["${key}"]`, key);
    nodeLabels[key] = checkLabelValue(site, `nodeLabels["${key}"]`, value);
  }
  const list: RuntimeClassToleration[] = props.tolerations ?? [];
  if (list.length > MAX_FLAVOR_ENTRIES) fail(site, 'tolerations', list, `at most ${MAX_FLAVOR_ENTRIES} tolerations (Kueue's limit)`);
  const tolerations = list.map((t, i) => {
    const at = child(site, `tolerations[${i}]`);
    if (!t.key) fail(at, 'key', t.key, 'a toleration names the taint key');
    checkLabelKey(at, 'key', t.key);
    if (t.value !== undefined) checkLabelValue(at, 'value', t.value);
    if (t.effect !== undefined && !TAINT_EFFECTS.includes(t.effect)) fail(at, 'effect', t.effect, `allowed: ${TAINT_EFFECTS.join(', ')} (unset tolerates every effect)`);
    return { key: t.key, operator: t.value === undefined ? 'Exists' : 'Equal', ...(t.value !== undefined ? { value: t.value } : {}), ...(t.effect !== undefined ? { effect: t.effect } : {}) };
  });
  return { nodeLabels, tolerations };
}

/** The nominal quota: each resource defaults to the namespace's ResourceQuota and may not exceed it. */
function resolveQuota(site: Site, given: SandboxQueueQuota, bounds: NamespaceQueueBounds): Required<SandboxQueueQuota> {
  const q: Required<SandboxQueueQuota> = { cpu: bounds.cpu, memory: bounds.memory, ephemeralStorage: bounds.ephemeralStorage, pods: bounds.pods, ...definedOnly(given) };
  checkQuantity(site, 'cpu', q.cpu, '8');
  checkByteQuantity(site, 'memory', q.memory, '16Gi');
  checkByteQuantity(site, 'ephemeralStorage', q.ephemeralStorage, '20Gi');
  checkInteger(site, 'pods', q.pods, 1, 1000000);
  const over = (key: string, quotaKey: string, bound: string) => fail(site, key, (q as any)[key],
    `must not exceed the ResourceQuota ${quotaKey} of namespace "${bounds.name}" (${bound}): Kueue would start Jobs whose pods the ResourceQuota then refuses, and their deadlines would run out waiting`);
  if (compareQuantities(q.cpu, bounds.cpu)! > 0) over('cpu', 'requests.cpu', bounds.cpu);
  if (compareQuantities(q.memory, bounds.memory)! > 0) over('memory', 'requests.memory', bounds.memory);
  if (compareQuantities(q.ephemeralStorage, bounds.ephemeralStorage)! > 0) over('ephemeralStorage', 'requests.ephemeral-storage', bounds.ephemeralStorage);
  if (q.pods > bounds.pods) over('pods', 'pods', String(bounds.pods));
  return q;
}
