// The container's volume mounts as OCI mounts: configMap/secret/projected as read-only files, emptyDir as sized tmpfs.
import * as path from 'path';
import { BundleDir, BundleFile, OciMount } from './bundle';
import { RunnerError } from './errors';
import { SelectedWorkload, dataOf, findObject, namesOf } from './manifests';
import { formatBytes, parseBytes } from './quantity';
import { KubeObject } from '../profile/kube';

/** Volume types the runner maps. */
export const SUPPORTED_VOLUME_TYPES: readonly string[] = ['configMap', 'secret', 'projected (configMap and secret sources)', 'emptyDir'];

/** What volume planning needs. */
export interface VolumeContext {
  /** All objects from the manifest files. */
  readonly docs: readonly KubeObject[];
  /** The workload being run. */
  readonly workload: SelectedWorkload;
  /** Absolute bundle directory (bind sources are absolute). */
  readonly bundleDir: string;
  /**
   * The pod's fsGroup: group owner of volume files.
   * @default - files and emptyDirs stay owned by root's group
   */
  readonly fsGroup?: number;
  /**
   * The container's memory limit in bytes: the cap of an emptyDir without sizeLimit (tmpfs lives in sandbox memory).
   * @default - no cap from memory
   */
  readonly memoryLimitBytes?: number;
  /**
   * The container's ephemeral-storage limit in bytes: the cap of a disk emptyDir without sizeLimit.
   * @default - no cap from ephemeral storage
   */
  readonly ephemeralLimitBytes?: number;
}

/** The mounts and bundle files for the container's volumeMounts. */
export interface VolumePlan {
  readonly mounts: OciMount[];
  readonly files: BundleFile[];
  readonly dirs: BundleDir[];
  readonly warnings: string[];
}

/** The source type of a volume: its one key besides `name`. */
export function volumeType(volume: { [key: string]: any }): string {
  return Object.keys(volume).find((key) => key !== 'name') ?? '(none)';
}

/** A clean relative path inside a volume, or an error naming `what`. */
function safeRelative(p: string, what: string): string {
  const normal = path.posix.normalize(String(p));
  if (!p || path.posix.isAbsolute(normal) || normal === '..' || normal.startsWith('../') || normal === '.') {
    throw new RunnerError(`${what}: "${p}" must be a relative path inside the volume, without ".."`);
  }
  return normal;
}

/** A clean absolute mount path, or an error. */
export function safeMountPath(p: string, what: string): string {
  if (typeof p !== 'string' || !path.posix.isAbsolute(p)) throw new RunnerError(`${what}: mountPath "${p}" must be an absolute path`);
  const normal = path.posix.normalize(p);
  if (normal === '/') throw new RunnerError(`${what}: mounting a volume over "/" is not possible`);
  return normal.replace(/\/+$/, '');
}

interface ProjectedFile { readonly rel: string; readonly content: Buffer; readonly mode: number }

/** Files of one configMap/secret source (keys, or `items`), with modes. */
function sourceFiles(ctx: VolumeContext, kind: 'ConfigMap' | 'Secret', source: { [key: string]: any }, defaultMode: number, what: string): ProjectedFile[] {
  const name = kind === 'ConfigMap' ? source.name : source.secretName ?? source.name;
  const obj = findObject(ctx.docs, kind, name, ctx.workload.namespace);
  if (!obj) {
    if (source.optional) return [];
    throw new RunnerError(`${what}: ${kind} "${name}" is not in the files (${kind}s found: ${namesOf(ctx.docs, kind)}); pass the file that defines it too`);
  }
  const data = dataOf(obj);
  const items: { key: string; path: string; mode?: number }[] = source.items ?? [...data.keys()].map((key) => ({ key, path: key }));
  const out: ProjectedFile[] = [];
  for (const item of items) {
    const content = data.get(item.key);
    if (content === undefined) {
      if (source.optional) continue;
      throw new RunnerError(`${what}: ${kind} "${name}" has no key "${item.key}" (keys: ${[...data.keys()].join(', ') || 'none'})`);
    }
    out.push({ rel: safeRelative(item.path, `${what}: item path`), content, mode: item.mode ?? defaultMode });
  }
  return out;
}

/** Files of a configMap, secret or projected volume. */
function volumeFiles(ctx: VolumeContext, volume: { [key: string]: any }): ProjectedFile[] {
  const what = `volume ${volume.name}`;
  const type = volumeType(volume);
  if (type === 'configMap') return sourceFiles(ctx, 'ConfigMap', volume.configMap, volume.configMap.defaultMode ?? 0o644, what);
  if (type === 'secret') return sourceFiles(ctx, 'Secret', volume.secret, volume.secret.defaultMode ?? 0o644, what);
  // projected
  const defaultMode = volume.projected.defaultMode ?? 0o644;
  const out: ProjectedFile[] = [];
  for (const source of volume.projected.sources ?? []) {
    if (source.configMap) out.push(...sourceFiles(ctx, 'ConfigMap', source.configMap, defaultMode, what));
    else if (source.secret) out.push(...sourceFiles(ctx, 'Secret', source.secret, defaultMode, what));
    else if (source.serviceAccountToken) throw new RunnerError(`${what}: a projected serviceAccountToken cannot be mapped, and untrusted code must not hold one; remove it`);
    else throw new RunnerError(`${what}: projected source ${Object.keys(source).join(', ')} cannot be mapped (supported: configMap, secret)`);
  }
  return out;
}

/** Plans the container's volume mounts. Errors name the volume, its type, and what is supported. */
export function planVolumes(ctx: VolumeContext): VolumePlan {
  const { workload } = ctx;
  const container = workload.container;
  const volumes = new Map<string, { [key: string]: any }>((workload.podSpec.volumes ?? []).map((v) => [v.name, v]));
  const mounts: OciMount[] = [];
  const files: BundleFile[] = [];
  const dirs: BundleDir[] = [];
  const warnings: string[] = [];
  const materialized = new Map<string, Set<string>>();
  const emptyDirsMounted = new Set<string>();
  const destinations = new Set<string>();
  const gid = ctx.fsGroup;
  for (const vm of container.volumeMounts ?? []) {
    const what = `container ${container.name}, volumeMount ${vm.name}`;
    const volume = volumes.get(vm.name);
    if (!volume) throw new RunnerError(`${what}: the pod has no volume "${vm.name}" (volumes: ${[...volumes.keys()].join(', ') || 'none'})`);
    const destination = safeMountPath(vm.mountPath, what);
    if (destinations.has(destination)) throw new RunnerError(`${what}: ${destination} is mounted twice`);
    destinations.add(destination);
    if (vm.subPathExpr) throw new RunnerError(`${what}: subPathExpr is not supported; use subPath`);
    const type = volumeType(volume);
    if (type === 'emptyDir') {
      if (vm.subPath) throw new RunnerError(`${what}: subPath on an emptyDir is not supported here (each mount is its own tmpfs)`);
      if (emptyDirsMounted.has(vm.name)) throw new RunnerError(`${what}: emptyDir "${vm.name}" is mounted at two paths; here each mount would be a separate tmpfs, so that is refused`);
      emptyDirsMounted.add(vm.name);
      mounts.push(emptyDirMount(ctx, volume, destination, vm.readOnly === true, warnings));
      continue;
    }
    if (type !== 'configMap' && type !== 'secret' && type !== 'projected') {
      throw new RunnerError(`volume ${vm.name}: type ${type} cannot be mapped to a local sandbox (supported: ${SUPPORTED_VOLUME_TYPES.join(', ')})`);
    }
    const dir = `volumes/${vm.name}`;
    if (!materialized.has(vm.name)) {
      const paths = new Set<string>(['']);
      dirs.push({ path: dir, mode: 0o755, ...(gid !== undefined ? { gid } : {}) });
      for (const file of volumeFiles(ctx, volume)) {
        const parts = file.rel.split('/');
        for (let i = 1; i < parts.length; i++) {
          const sub = parts.slice(0, i).join('/');
          if (!paths.has(sub)) { paths.add(sub); dirs.push({ path: `${dir}/${sub}`, mode: 0o755, ...(gid !== undefined ? { gid } : {}) }); }
        }
        paths.add(file.rel);
        // The kubelet gives the fsGroup read access to volume files.
        files.push({ path: `${dir}/${file.rel}`, content: file.content, mode: gid !== undefined ? file.mode | 0o440 : file.mode, ...(gid !== undefined ? { gid } : {}) });
      }
      materialized.set(vm.name, paths);
    }
    let source = `${ctx.bundleDir}/${dir}`;
    if (vm.subPath) {
      const sub = safeRelative(vm.subPath, `${what}: subPath`);
      if (!materialized.get(vm.name)!.has(sub)) throw new RunnerError(`${what}: subPath "${sub}" is not in volume ${vm.name} (it holds: ${[...materialized.get(vm.name)!].filter(Boolean).join(', ') || 'nothing'})`);
      source = `${source}/${sub}`;
    }
    // configMap, secret and projected volumes are always read-only in Kubernetes.
    mounts.push({ destination, type: 'bind', source, options: ['rbind', 'ro'] });
  }
  return { mounts, files, dirs, warnings };
}

function emptyDirMount(ctx: VolumeContext, volume: { [key: string]: any }, destination: string, readOnly: boolean, warnings: string[]): OciMount {
  const spec = volume.emptyDir ?? {};
  const what = `volume ${volume.name}`;
  let size: number | undefined;
  if (spec.sizeLimit !== undefined) {
    size = parseBytes(spec.sizeLimit, `${what} sizeLimit`);
  } else if (spec.medium !== 'Memory' && ctx.ephemeralLimitBytes !== undefined) {
    size = ctx.ephemeralLimitBytes;
    warnings.push(`emptyDir "${volume.name}" has no sizeLimit: capped here at the ephemeral-storage limit (${formatBytes(size)})`);
  } else if (ctx.memoryLimitBytes !== undefined) {
    size = ctx.memoryLimitBytes;
    warnings.push(`emptyDir "${volume.name}" has no sizeLimit: capped here at the memory limit (${formatBytes(size)})`);
  } else {
    warnings.push(`emptyDir "${volume.name}" has no sizeLimit and the container no memory or ephemeral-storage limit: its size is not limited`);
  }
  // The kubelet makes an emptyDir world-writable; with an fsGroup the group owns it, setgid.
  const options = ['nosuid', 'nodev', ctx.fsGroup !== undefined ? 'mode=2777' : 'mode=0777'];
  if (ctx.fsGroup !== undefined) options.push(`gid=${ctx.fsGroup}`);
  if (size !== undefined) options.push(`size=${size}`);
  if (readOnly) options.push('ro');
  return { destination, type: 'tmpfs', source: 'tmpfs', options };
}
