// The storage rule over a set of objects: a PersistentVolumeClaim a sandboxed pod mounts must not be
// bound to a PersistentVolume on the node's own disk (hostPath, local), which is a hostPath volume by
// another name. It judges the set together, as the cross-resource rules do, and has their shape.
import { CROSS_RESOURCE_RULES, type CrossResourceOptions, type CrossResourceRule } from './cross-resource';
import { KubeObject, podTemplateOf } from './kube';
import { Finding, Unwaivable, refOf } from './rule';

/** A cross-resource rule with the per-object rules' optional data. */
export interface StorageRule extends CrossResourceRule {
  readonly unwaivable?: Unwaivable;
}

/** The PersistentVolume sources that are the node's own filesystem. */
export const HOST_VOLUME_SOURCES: readonly string[] = ['hostPath', 'local'];

/** The namespace of a namespaced object: its own, or the default one. */
function namespaceIn(obj: KubeObject, options: Required<CrossResourceOptions>): string {
  return obj.metadata?.namespace || options.defaultNamespace;
}

/** Where a PersistentVolume keeps its data on the node, or undefined when it is not the node's own disk. */
function hostSourceOf(pv: KubeObject): { type: string; path: unknown } | undefined {
  for (const type of HOST_VOLUME_SOURCES) {
    const source = pv.spec?.[type];
    if (source !== undefined && source !== null) return { type, path: source.path };
  }
  return undefined;
}

/** A claim a pod uses: a PersistentVolumeClaim it names, or one its workload creates from a template. */
interface ClaimOf {
  /** JSON path of the claim (or of its template) in the workload. */
  readonly path: string;
  /** The pod volume it backs. */
  readonly volume: string;
  /** The claim's name, or for a StatefulSet template the prefix of the claims it creates (`<template>-<set>-`); empty when unknown. */
  readonly name: string;
  /** Whether `name` is a prefix, followed by the pod's ordinal. */
  readonly prefix: boolean;
  /** The claim's spec when the set (or the template) has it. */
  readonly spec?: { readonly volumeName?: unknown; readonly storageClassName?: unknown };
}

/** The claims of one workload: PVC volumes, generic ephemeral volumes, and a StatefulSet's volumeClaimTemplates. */
function claimsOf(obj: KubeObject, claimSpecs: ReadonlyMap<string, ClaimOf['spec']>, namespace: string): ClaimOf[] {
  const pod = podTemplateOf(obj);
  if (!pod) return [];
  const claims: ClaimOf[] = [];
  const podName = obj.kind === 'Pod' ? obj.metadata?.name : undefined;
  (pod.spec.volumes ?? []).forEach((volume, i) => {
    const claimName = volume?.persistentVolumeClaim?.claimName;
    if (typeof claimName === 'string') {
      claims.push({ path: `${pod.specPath}.volumes[${i}].persistentVolumeClaim.claimName`, volume: volume.name, name: claimName, prefix: false, spec: claimSpecs.get(`${namespace}/${claimName}`) });
    }
    const template = volume?.ephemeral?.volumeClaimTemplate;
    if (template) {
      // The claim is named <pod>-<volume>; a workload's pods have generated names, so only a bare Pod's is known
      // (an empty name matches no claimRef, and the claim's class still tells what it may bind to).
      claims.push({ path: `${pod.specPath}.volumes[${i}].ephemeral.volumeClaimTemplate`, volume: volume.name, name: podName ? `${podName}-${volume.name}` : '', prefix: false, spec: template.spec ?? {} });
    }
  });
  if (obj.kind === 'StatefulSet' && Array.isArray(obj.spec?.volumeClaimTemplates)) {
    obj.spec.volumeClaimTemplates.forEach((template: any, j: number) => {
      const name = template?.metadata?.name;
      if (typeof name !== 'string') return;
      claims.push({ path: `spec.volumeClaimTemplates[${j}]`, volume: name, name: `${name}-${obj.metadata?.name}-`, prefix: true, spec: template.spec ?? {} });
    });
  }
  return claims;
}

/**
 * How a claim reaches a node-disk PersistentVolume of the set, if it does: named by its volumeName, reserved
 * for it by the volume's claimRef, or (for a claim whose spec is known and names no volume) an unreserved
 * volume of its storage class that the binder may give it. A claim the set does not hold binds to whatever
 * the cluster has, so only a claimRef can tell.
 */
function hostVolumeOf(claim: ClaimOf, namespace: string, pvs: readonly KubeObject[], options: Required<CrossResourceOptions>): { pv: KubeObject; how: string } | undefined {
  const volumeName = claim.spec?.volumeName;
  if (typeof volumeName === 'string' && volumeName !== '') {
    const pv = pvs.find((v) => v.metadata?.name === volumeName);
    return pv ? { pv, how: 'bound (its volumeName)' } : undefined;
  }
  const reserved = pvs.find((pv) => {
    const ref = pv.spec?.claimRef;
    if (!ref?.name || (ref.namespace || options.defaultNamespace) !== namespace) return false;
    const name = String(ref.name);
    return claim.prefix ? name.startsWith(claim.name) && /^\d+$/.test(name.slice(claim.name.length)) : name === claim.name;
  });
  if (reserved) return { pv: reserved, how: 'bound (the PersistentVolume\'s claimRef)' };
  if (!claim.spec) return undefined;
  const wanted = claim.spec.storageClassName ?? '';
  const free = pvs.find((pv) => !pv.spec?.claimRef && (pv.spec?.storageClassName ?? '') === wanted);
  return free ? { pv: free, how: `bindable (an unreserved PersistentVolume of storage class ${JSON.stringify(wanted)})` } : undefined;
}

const noHostStorage: StorageRule = {
  id: 'no-host-storage', row: 12, title: 'No PersistentVolumeClaim of a pod is bound to a hostPath or local PersistentVolume', references: ['PSS', 'GKE', 'project'],
  unwaivable: 'all',
  check(objects, options) {
    const pvs = objects.filter((o) => o?.kind === 'PersistentVolume' && hostSourceOf(o));
    if (pvs.length === 0) return [];
    const claimSpecs = new Map<string, ClaimOf['spec']>();
    for (const pvc of objects) {
      if (pvc?.kind !== 'PersistentVolumeClaim') continue;
      const key = `${namespaceIn(pvc, options)}/${pvc.metadata?.name}`;
      if (!claimSpecs.has(key)) claimSpecs.set(key, pvc.spec ?? {});
    }
    const findings: Finding[] = [];
    for (const obj of objects) {
      if (!obj || typeof obj !== 'object') continue;
      const namespace = namespaceIn(obj, options);
      for (const claim of claimsOf(obj, claimSpecs, namespace)) {
        const found = hostVolumeOf(claim, namespace, pvs, options);
        if (!found) continue;
        const source = hostSourceOf(found.pv)!;
        const what = claim.prefix ? `the claims of volumeClaimTemplate "${claim.volume}"` : `PersistentVolumeClaim "${claim.name}"`;
        findings.push({
          rule: 'no-host-storage', object: refOf(obj), path: claim.path,
          message: `volume "${claim.volume}" uses ${what} in namespace "${namespace}", ${found.how} to PersistentVolume "${found.pv.metadata?.name}" of type ${source.type} (path ${JSON.stringify(source.path)}): the node's own filesystem, as a hostPath volume would mount it`,
          fix: 'Back the claim with network or CSI storage (a PersistentVolume or StorageClass that is neither hostPath nor local), or use a size-limited emptyDir for scratch space.',
        });
      }
    }
    return findings;
  },
};

/**
 * The storage rules of the profile. They judge a set like CROSS_RESOURCE_RULES and are run beside them
 * by the audit; checkObjectSet does not run them (yet).
 */
export const STORAGE_RULES: readonly StorageRule[] = [noHostStorage];

/**
 * The storage rules that checkObjectSet does not run itself (a storage rule that CROSS_RESOURCE_RULES comes
 * to hold is run once, by checkObjectSet).
 */
export const SET_ONLY_RULES: readonly StorageRule[] = STORAGE_RULES.filter((r) => !CROSS_RESOURCE_RULES.some((c) => c.id === r.id));

/** Every rule over a set of objects: the cross-resource rules, then the set-only storage rules. */
export const SET_RULES: readonly (CrossResourceRule & { readonly unwaivable?: Unwaivable })[] = [...CROSS_RESOURCE_RULES, ...SET_ONLY_RULES];
