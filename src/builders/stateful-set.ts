// SandboxedStatefulSet's builder: props -> ServiceAccount, StatefulSet (with its volume claim templates), the
// headless Service that names its pods, and a PodDisruptionBudget when it has more than one replica.
import { KubeObject } from '../profile';
import type { SandboxedStatefulSetProps } from '../constructs/sandboxed-stateful-set';
import { checkGvisorSeccomp } from './gvisor-annotations';
import { buildPodSpec } from './pod';
import { podTemplateAnnotations } from './pod-knobs';
import { Site, checkByteQuantity, checkDnsLabel, checkDnsSubdomain, checkEnum, checkInteger, checkList, checkMapping, child, fail } from './validate';
import { WorkloadIdentity, buildServiceAccount, metadataOf, resolveIdentity, workloadMetadataOf } from './workload';

/** How a StatefulSet starts and stops its pods. */
export enum PodManagementPolicy {
  /** One at a time, in ordinal order, each once the one before is ready (Kubernetes' default). */
  ORDERED_READY = 'OrderedReady',
  /** All at once. */
  PARALLEL = 'Parallel',
}

/** Access modes of a persistent volume. */
export enum PersistentVolumeAccessMode {
  /** Read-write by the pods of one node. */
  READ_WRITE_ONCE = 'ReadWriteOnce',
  /** Read-only by many nodes. */
  READ_ONLY_MANY = 'ReadOnlyMany',
  /** Read-write by many nodes. */
  READ_WRITE_MANY = 'ReadWriteMany',
  /** Read-write by a single pod (CSI volumes). */
  READ_WRITE_ONCE_POD = 'ReadWriteOncePod',
}

/** What happens to a StatefulSet's claims. */
export enum PersistentVolumeClaimRetention {
  /** Keep the claims (and their data). */
  RETAIN = 'Retain',
  /** Delete the claims. */
  DELETE = 'Delete',
}

/** A claim every pod of the StatefulSet gets of its own (`<name>-<set>-<ordinal>`), mounted with `volumeMounts`. */
export interface SandboxVolumeClaimTemplate {
  /** Name: the volume name the containers' `volumeMounts` give, a DNS label. */
  readonly name: string;
  /** Size of each claim, a quantity of bytes (`"1Gi"`). */
  readonly storage: string;
  /**
   * StorageClass of the claims (network or CSI storage; classes that provision on the node's own disk are refused).
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
  /**
   * Access modes.
   * @default [PersistentVolumeAccessMode.READ_WRITE_ONCE]
   */
  readonly accessModes?: PersistentVolumeAccessMode[];
}

/** When a StatefulSet's claims are deleted. */
export interface SandboxPersistentVolumeClaimRetentionPolicy {
  /**
   * When the StatefulSet is deleted.
   * @default PersistentVolumeClaimRetention.RETAIN
   */
  readonly whenDeleted?: PersistentVolumeClaimRetention;
  /**
   * When the StatefulSet is scaled down (the claims of the removed ordinals).
   * @default PersistentVolumeClaimRetention.RETAIN
   */
  readonly whenScaled?: PersistentVolumeClaimRetention;
}

/** Options of a rolling update. */
export interface StatefulSetRollingUpdateOptions {
  /**
   * Only pods with an ordinal at or above this are updated (a staged rollout).
   * @default 0
   */
  readonly partition?: number;
}

/** How a StatefulSet replaces its pods when its template changes. */
export class StatefulSetUpdateStrategy {
  /** Replace the pods one at a time, from the highest ordinal down (Kubernetes' default). */
  public static rollingUpdate(options: StatefulSetRollingUpdateOptions = {}): StatefulSetUpdateStrategy {
    return new StatefulSetUpdateStrategy('RollingUpdate', options.partition);
  }

  /** Replace a pod only when it is deleted. */
  public static onDelete(): StatefulSetUpdateStrategy {
    return new StatefulSetUpdateStrategy('OnDelete');
  }

  private constructor(
    /** `RollingUpdate` or `OnDelete`. @internal */
    public readonly _type: 'RollingUpdate' | 'OnDelete',
    /** The rolling update's partition. @internal */
    public readonly _partition?: number,
  ) {}
}

/** The plain objects of one SandboxedStatefulSet. */
export interface SandboxedStatefulSetObjects {
  readonly identity: WorkloadIdentity;
  readonly serviceAccount: KubeObject;
  readonly statefulSet: KubeObject;
  /** The headless Service, unless `headlessService` is false. */
  readonly service?: KubeObject;
  readonly podDisruptionBudget?: KubeObject;
  /** Every object above, in emission order. */
  readonly objects: readonly KubeObject[];
}

/**
 * The longest StatefulSet name: its pods carry the label `controller-revision-hash: <name>-<10-character hash>`,
 * which is at most 63 characters.
 */
export const STATEFUL_SET_NAME_MAX = 52;

/**
 * StorageClass names that the common provisioners of node-local storage install (local-path-provisioner, the
 * local static provisioner, OpenEBS hostpath, MicroK8s): their volumes are the node's own disk, as hostPath is.
 */
export const NODE_DISK_STORAGE_CLASSES: readonly string[] = ['local-path', 'local-storage', 'openebs-hostpath', 'microk8s-hostpath', 'hostpath'];

/** Builds a SandboxedStatefulSet's objects; `defaultName` stands in for a missing `name`. */
export function buildSandboxedStatefulSet(where: string, props: SandboxedStatefulSetProps, defaultName?: string): SandboxedStatefulSetObjects {
  const site: Site = { where, prefix: '' };
  const identity = resolveIdentity(site, props, defaultName?.slice(0, STATEFUL_SET_NAME_MAX).replace(/-+$/, ''), STATEFUL_SET_NAME_MAX);
  const replicas = props.replicas === undefined ? 2 : checkInteger(site, 'replicas', props.replicas, 1, 10000);
  const headless = props.headlessService ?? true;
  if (typeof headless !== 'boolean') fail(site, 'headlessService', headless, 'must be true or false');
  const serviceName = checkDnsLabel(site, 'serviceName', props.serviceName ?? identity.name);
  // Service names are DNS-1035 labels: they must start with a letter (a DNS-1123 label may start with a digit).
  if (!/^[a-z]/.test(serviceName)) fail(site, props.serviceName === undefined ? 'name' : 'serviceName', serviceName, 'the headless Service\'s name (serviceName, by default the name) is a DNS-1035 label: it must start with a lowercase letter');
  const podManagementPolicy = props.podManagementPolicy === undefined ? PodManagementPolicy.ORDERED_READY
    : checkEnum(site, 'podManagementPolicy', props.podManagementPolicy, PodManagementPolicy, 'PodManagementPolicy');
  const updateStrategy = updateStrategyOf(site, props.updateStrategy);
  const retention = props.persistentVolumeClaimRetentionPolicy === undefined ? undefined : retentionOf(child(site, 'persistentVolumeClaimRetentionPolicy'), props.persistentVolumeClaimRetentionPolicy);

  const userVolumes = new Set((props.volumes ?? []).map((v) => v?.name));
  const templates = checkList(site, 'volumeClaimTemplates', props.volumeClaimTemplates ?? [], 'volume claim templates')
    .map((t, i) => claimTemplateOf(child(site, `volumeClaimTemplates[${i}]`), t as SandboxVolumeClaimTemplate, identity));
  const names = templates.map((t) => t.metadata.name);
  names.forEach((name, i) => {
    const at = child(site, `volumeClaimTemplates[${i}]`);
    if (names.indexOf(name) !== i) fail(at, 'name', name, 'claim template names must be unique');
    if (userVolumes.has(name)) fail(at, 'name', name, 'a volume of the pod (volumes) has the same name; the claim template becomes a pod volume of that name');
  });

  const podSpec = buildPodSpec(site, props, { serviceAccountName: identity.name, selectorLabels: identity.selectorLabels, claimTemplates: names });
  const mounted = new Set([...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])].flatMap((c) => (c.volumeMounts ?? []).map((m: { name: string }) => m.name)));
  names.forEach((name, i) => {
    const at = child(site, `volumeClaimTemplates[${i}]`);
    if ((podSpec.volumes ?? []).some((v) => v.name === name)) fail(at, 'name', name, `collides with the generated volume "${name}" of a writable path; rename the claim template`);
    if (!mounted.has(name)) fail(at, 'name', name, `no container mounts it: add { volume: '${name}', path: '/data' } to volumeMounts (each pod would get a claim nothing uses)`);
  });

  const statefulSet: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: workloadMetadataOf(identity),
    spec: {
      replicas,
      serviceName,
      podManagementPolicy,
      updateStrategy,
      ...(retention ? { persistentVolumeClaimRetentionPolicy: retention } : {}),
      selector: { matchLabels: { ...identity.selectorLabels } },
      template: { metadata: { labels: { ...identity.podLabels }, annotations: podTemplateAnnotations(site, props, podSpec, checkGvisorSeccomp(site, props.gvisorSeccomp)) }, spec: podSpec },
      ...(templates.length > 0 ? { volumeClaimTemplates: templates } : {}),
    },
  };

  const ports: any[] = podSpec.containers?.[0]?.ports ?? [];
  const service: KubeObject | undefined = headless ? {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadataOf(identity, serviceName),
    spec: {
      clusterIP: 'None',
      selector: { ...identity.selectorLabels },
      ...(ports.length > 0 ? { ports: ports.map((p) => ({ name: p.name ?? `${p.protocol.toLowerCase()}-${p.containerPort}`, port: p.containerPort, targetPort: p.containerPort, protocol: p.protocol })) } : {}),
    },
  } : undefined;

  const podDisruptionBudget: KubeObject | undefined = replicas > 1 ? {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: metadataOf(identity),
    spec: { maxUnavailable: 1, selector: { matchLabels: { ...identity.selectorLabels } } },
  } : undefined;

  const serviceAccount = buildServiceAccount(identity);
  const objects = [serviceAccount, statefulSet, ...(service ? [service] : []), ...(podDisruptionBudget ? [podDisruptionBudget] : [])];
  return { identity, serviceAccount, statefulSet, ...(service ? { service } : {}), ...(podDisruptionBudget ? { podDisruptionBudget } : {}), objects };
}

/** The update strategy, checked, as Kubernetes JSON. */
function updateStrategyOf(site: Site, strategy: unknown): { [key: string]: any } {
  if (strategy === undefined) return { type: 'RollingUpdate' };
  if (!(strategy instanceof StatefulSetUpdateStrategy)) fail(site, 'updateStrategy', strategy, 'must be StatefulSetUpdateStrategy.rollingUpdate(...) or StatefulSetUpdateStrategy.onDelete()');
  if (strategy._partition === undefined) return { type: strategy._type };
  const partition = checkInteger(child(site, 'updateStrategy'), 'partition', strategy._partition, 0, 10000);
  return { type: strategy._type, rollingUpdate: { partition } };
}

/** The claim retention policy, checked, with Kubernetes' defaults filled in. */
function retentionOf(site: Site, policy: SandboxPersistentVolumeClaimRetentionPolicy): { whenDeleted: string; whenScaled: string } {
  checkMapping(site, '', policy, 'a retention policy ({ whenDeleted?, whenScaled? })');
  const of = (key: 'whenDeleted' | 'whenScaled') => (policy[key] === undefined ? PersistentVolumeClaimRetention.RETAIN
    : checkEnum(site, key, policy[key], PersistentVolumeClaimRetention, 'PersistentVolumeClaimRetention'));
  return { whenDeleted: of('whenDeleted'), whenScaled: of('whenScaled') };
}

/** One volume claim template, checked: sized, on network or CSI storage. */
function claimTemplateOf(site: Site, t: SandboxVolumeClaimTemplate, identity: WorkloadIdentity): { metadata: { name: string; labels: { [key: string]: string } }; spec: { [key: string]: any } } {
  checkMapping(site, '', t, 'a volume claim template ({ name, storage, storageClassName?, accessModes? })');
  const name = checkDnsLabel(site, 'name', t.name);
  if (t.storage === undefined) fail(site, 'storage', t.storage, 'give the size of each claim, e.g. "1Gi"');
  const storage = checkByteQuantity(site, 'storage', t.storage, '1Gi');
  let storageClassName: string | undefined;
  if (t.storageClassName !== undefined) {
    if (t.storageClassName === '') {
      fail(site, 'storageClassName', '', 'an empty class binds the claims only to pre-created PersistentVolumes without a class, which may be the node\'s own disk (hostPath, local); name a StorageClass of network or CSI storage, or leave it unset for the cluster\'s default');
    }
    storageClassName = checkDnsSubdomain(site, 'storageClassName', t.storageClassName);
    if (NODE_DISK_STORAGE_CLASSES.includes(storageClassName)) {
      fail(site, 'storageClassName', storageClassName, `is the usual name of a class whose volumes are the node's own disk (${NODE_DISK_STORAGE_CLASSES.join(', ')}): a hostPath volume by another name, which GKE Sandbox cannot mount and the profile refuses (no-host-storage); use network or CSI storage`);
    }
  }
  const modes = t.accessModes === undefined ? [PersistentVolumeAccessMode.READ_WRITE_ONCE]
    : checkList(site, 'accessModes', t.accessModes, 'access modes').map((m, i) => checkEnum(site, `accessModes[${i}]`, m, PersistentVolumeAccessMode, 'PersistentVolumeAccessMode'));
  if (modes.length === 0) fail(site, 'accessModes', t.accessModes, 'give at least one access mode (default [PersistentVolumeAccessMode.READ_WRITE_ONCE])');
  if (new Set(modes).size !== modes.length) fail(site, 'accessModes', t.accessModes, 'each access mode is listed once');
  return {
    metadata: { name, labels: { ...identity.objectLabels } },
    spec: { accessModes: [...modes], resources: { requests: { storage } }, ...(storageClassName !== undefined ? { storageClassName } : {}) },
  };
}
