// The fill actions of the rules (see rules.ts, `hardening`): each sets the profile's value where a field of a
// pod template, a container or a Job is unset, and never touches a field that is set. What stays wrong after
// them is refused by the rule's own check (harden.ts).
import { SANDBOX_DEFAULTS } from './defaults';
import { ContainerJson, KubeObject, PodSpecJson } from './kube';
import { compareQuantities, isPositiveQuantity } from './quantity';

/** Keys and list indexes from an object's root. */
export type Segments = readonly (string | number)[];

/** A container of a pod template being hardened, with where it sits. */
export interface FillContainer {
  readonly container: ContainerJson;
  readonly segments: Segments;
  readonly group: 'containers' | 'initContainers' | 'ephemeralContainers';
}

/** A pod template being hardened, with where it sits. */
export interface FillPod {
  readonly spec: PodSpecJson;
  readonly segments: Segments;
  readonly containers: readonly FillContainer[];
}

/** Requests and limits a container gets where it sets none. */
export interface FillResources {
  readonly requests: { readonly [resource: string]: string };
  readonly limits: { readonly [resource: string]: string };
}

/** What a rule's fill action works on: a copy of one object, changed only through `set`. */
export interface FillTarget {
  /** The copy being hardened. */
  readonly obj: KubeObject;
  /** Its pod templates. */
  readonly pods: readonly FillPod[];
  /** Its Job spec (a Job's, or a CronJob's job template's). */
  readonly job?: { readonly spec: { [key: string]: any }; readonly segments: Segments };
  readonly runtimeClassName: string;
  readonly resources: FillResources;
  /** Sets `value` at `segments` of the copy (creating missing mappings) and records the change for the current rule. */
  set(segments: Segments, value: unknown): void;
}

/** A rule's fill action. */
export type Fill = (target: FillTarget) => void;

/** Whether a field counts as unset: absent or null (`field: ~` in YAML). */
export function isUnset(value: unknown): boolean {
  return value === undefined || value === null;
}

/** The value at `keys` (keys and list indexes) below `root`, or undefined where the path leaves the object. */
export function valueAt(root: any, keys: Segments): any {
  let value = root;
  for (const key of keys) {
    if (value === undefined || value === null || typeof value !== 'object') return undefined;
    value = value[key];
  }
  return value;
}

/** Fills a field of each pod spec (`keys` below the spec) where it is unset. */
export function fillPodField(keys: readonly string[], value: unknown | ((t: FillTarget) => unknown), when: (pod: FillPod) => boolean = () => true): Fill {
  return (t) => {
    for (const pod of t.pods) {
      if (isUnset(valueAt(pod.spec, keys)) && when(pod)) t.set([...pod.segments, ...keys], typeof value === 'function' ? (value as (t: FillTarget) => unknown)(t) : value);
    }
  };
}

/** Fills a field of each container's securityContext where the container leaves it unset. */
export function fillContainerSecurity(keys: readonly string[], value: unknown): Fill {
  return (t) => {
    for (const pod of t.pods) {
      for (const c of pod.containers) {
        if (isUnset(valueAt(c.container.securityContext, keys))) t.set([...c.segments, 'securityContext', ...keys], value);
      }
    }
  };
}

/** Whether some container of the pod leaves its own securityContext field unset (so the pod's value applies). */
export function someContainerInherits(field: readonly string[]): (pod: FillPod) => boolean {
  return (pod) => pod.containers.some((c) => isUnset(valueAt(c.container.securityContext, field)));
}

/**
 * Fills a container's requests and limits of `resource` where unset, from `t.resources`: a limit never
 * below the container's own request, a request never above its own limit (the API server refuses both).
 */
export function fillResources(resources: readonly string[]): Fill {
  return (t) => {
    for (const pod of t.pods) {
      for (const c of pod.containers) {
        if (c.group === 'ephemeralContainers') continue;
        for (const resource of resources) {
          const own = c.container.resources;
          const request = own?.requests?.[resource];
          const limit = own?.limits?.[resource];
          if (isUnset(limit) && t.resources.limits[resource] !== undefined) {
            const value = isPositiveQuantity(request) && (compareQuantities(request, t.resources.limits[resource]) ?? 0) > 0 ? request : t.resources.limits[resource];
            t.set([...c.segments, 'resources', 'limits', resource], value);
          }
          const newLimit = c.container.resources?.limits?.[resource];
          if (isUnset(request) && t.resources.requests[resource] !== undefined) {
            const value = isPositiveQuantity(newLimit) && (compareQuantities(t.resources.requests[resource], newLimit) ?? 0) > 0 ? newLimit : t.resources.requests[resource];
            t.set([...c.segments, 'resources', 'requests', resource], value);
          }
        }
      }
    }
  };
}

/** The name of a new volume of the pod: `base`, or `base-2`, `base-3`, ... when taken. */
function freeVolumeName(spec: PodSpecJson, base: string): string {
  const taken = new Set((spec.volumes ?? []).map((v) => v?.name));
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  return name;
}

/** Whether a container mounts something at the writable path already. */
function mountsWritablePath(container: ContainerJson): boolean {
  const path = SANDBOX_DEFAULTS.writablePath;
  return (container.volumeMounts ?? []).some((m: any) => typeof m?.mountPath === 'string' && m.mountPath.replace(/\/+$/, '') === path);
}

/**
 * Makes each container's root filesystem read-only where it leaves the field unset, and gives each such
 * container a writable /tmp: one size-limited emptyDir per pod, unless the container mounts something there.
 */
export const fillReadOnlyRoot: Fill = (t) => {
  for (const pod of t.pods) {
    let volume: string | undefined;
    for (const c of pod.containers) {
      if (!isUnset(c.container.securityContext?.readOnlyRootFilesystem)) continue;
      t.set([...c.segments, 'securityContext', 'readOnlyRootFilesystem'], true);
      if (mountsWritablePath(c.container) || c.group === 'ephemeralContainers') continue;
      if (volume === undefined) {
        volume = freeVolumeName(pod.spec, 'sandbox-tmp');
        t.set([...pod.segments, 'volumes', (pod.spec.volumes ?? []).length], { name: volume, emptyDir: { sizeLimit: SANDBOX_DEFAULTS.writablePathSizeLimit } });
      }
      t.set([...c.segments, 'volumeMounts', (c.container.volumeMounts ?? []).length], { name: volume, mountPath: SANDBOX_DEFAULTS.writablePath });
    }
  }
};

/** Fills a field of the Job spec where unset. */
export function fillJobField(keys: readonly string[], value: unknown): Fill {
  return (t) => {
    if (t.job && isUnset(valueAt(t.job.spec, keys))) t.set([...t.job.segments, ...keys], value);
  };
}

/** Fills a ServiceAccount's own top-level field where unset. */
export function fillServiceAccountField(key: string, value: unknown): Fill {
  return (t) => {
    if (t.obj.kind === 'ServiceAccount' && isUnset(t.obj[key])) t.set([key], value);
  };
}

/** Runs several fill actions in order. */
export function fills(...actions: Fill[]): Fill {
  return (t) => { for (const action of actions) action(t); };
}
