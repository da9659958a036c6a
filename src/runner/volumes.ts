// The container's volume mounts as OCI mounts: configMap/secret/projected/downwardAPI as read-only files, emptyDir as sized tmpfs.
import * as path from 'path';
import { BundleDir, BundleFile, OciMount } from './bundle';
import { RunnerError } from './errors';
import { fieldValue } from './env';
import { SelectedWorkload, dataOf, findObject, namesOf } from './manifests';
import { formatBytes, parseBytes } from './quantity';
import { KubeObject } from '../profile/kube';

/** The bundle directory that holds the files of configMap, secret and projected volumes (one subdirectory per volume). */
export const VOLUMES_DIR = 'volumes';

/** Volume types the runner maps. */
export const SUPPORTED_VOLUME_TYPES: readonly string[] = ['configMap', 'secret', 'projected (configMap and secret sources)', 'downwardAPI (fieldRef items)', 'emptyDir'];

/** What volume planning needs. */
export interface VolumeContext {
  /** All objects from the manifest files. */
  readonly docs: readonly KubeObject[];
  /** The workload being run. */
  readonly workload: SelectedWorkload;
  /**
   * The pod name a downwardAPI volume's `metadata.name` item reports.
   * @default 'pod'
   */
  readonly podName?: string;
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

/** Volume names and volumeMount names: DNS-1123 labels, as the API server requires. */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** ConfigMap and Secret data keys, as the API server requires. */
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * What one ConfigMap or one Secret may hold: 1 MiB of data (the API server's limit). A configMap or
 * secret volume mounts one object, so it holds at most this; a projected volume at most this per source.
 */
export const MAX_OBJECT_DATA_BYTES = 2 ** 20;

/** The largest file mode in a volume (`defaultMode`, `items[].mode`): 0777, as the API server allows. */
export const MAX_VOLUME_FILE_MODE = 0o777;

/** Longest path inside a volume, and longest element (the kubelet's atomic writer's limits). */
const MAX_VOLUME_PATH_LENGTH = 4096;
const MAX_VOLUME_PATH_ELEMENT = 255;

/** A value as shown in messages. */
function shown(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** `name` if it is a DNS-1123 label (a volume's or volumeMount's name), else an error naming `what`. */
export function checkVolumeName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name.length > 63 || !DNS1123_LABEL.test(name)) {
    throw new RunnerError(`${what}: name ${shown(name)} is not a valid volume name (allowed: a DNS-1123 label of at most 63 characters: lower-case letters, digits and "-", starting and ending with a letter or digit)`);
  }
  return name;
}

/** `mode` if it is a volume file mode (an integer from 0 to 0777), else an error naming `what`. */
export function checkFileMode(mode: unknown, what: string): number {
  if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > MAX_VOLUME_FILE_MODE) {
    const octal = typeof mode === 'number' && Number.isInteger(mode) && mode >= 0 ? ` (0${mode.toString(8)} in octal)` : '';
    throw new RunnerError(`${what}: ${shown(mode)}${octal} is not a valid file mode (allowed: an integer from 0 to 0777 octal, i.e. 0 to ${MAX_VOLUME_FILE_MODE}; no setuid, setgid or sticky bits)`);
  }
  return mode;
}

/** `key` if it is a valid ConfigMap/Secret data key, else an error naming `what`. */
export function checkDataKey(key: string, what: string): string {
  if (key.length > 253 || !DATA_KEY.test(key) || key === '.' || key === '..' || key.startsWith('..')) {
    throw new RunnerError(`${what}: key ${shown(key)} is not a valid data key (allowed: at most 253 characters of letters, digits, "-", "_" and ".", not "." or "..", not starting with "..")`);
  }
  return key;
}

/**
 * A relative path inside a volume, checked as the API server checks `items[].path` and `subPath`:
 * not absolute, no ".." element (and, for item paths, not starting with ".."), within the kubelet's
 * length limits. Returns it normalized ("a//b/./c" is "a/b/c"); "." alone is refused.
 */
export function checkVolumePath(p: unknown, what: string, kind: 'item path' | 'subPath'): string {
  const fail = (why: string): never => { throw new RunnerError(`${what}: ${kind} ${shown(p)} ${why} (allowed: a relative path inside the volume without ".." elements)`); };
  if (typeof p !== 'string' || p === '') return fail('is empty or not a string');
  if (p.includes('\0')) fail('contains a NUL byte');
  if (p.length > MAX_VOLUME_PATH_LENGTH) fail(`is longer than ${MAX_VOLUME_PATH_LENGTH} characters`);
  if (p.startsWith('/')) fail('is absolute');
  if (p.split('/').includes('..')) fail('has a ".." element');
  if (kind === 'item path' && p.startsWith('..')) fail('starts with ".." (reserved for the kubelet\'s own files)');
  const normal = path.posix.normalize(p).replace(/\/+$/, '');
  if (normal === '.' || normal === '') fail('names the volume itself');
  if (normal.split('/').some((e) => Buffer.byteLength(e) > MAX_VOLUME_PATH_ELEMENT)) fail(`has an element longer than ${MAX_VOLUME_PATH_ELEMENT} bytes`);
  return normal;
}

/** A clean absolute mount path, or an error. */
export function safeMountPath(p: string, what: string): string {
  if (typeof p !== 'string' || !path.posix.isAbsolute(p)) throw new RunnerError(`${what}: mountPath ${shown(p)} must be an absolute path`);
  if (p.includes('\0')) throw new RunnerError(`${what}: mountPath ${shown(p)} contains a NUL byte`);
  const normal = path.posix.normalize(p);
  if (normal === '/') throw new RunnerError(`${what}: mounting a volume over "/" is not possible`);
  return normal.replace(/\/+$/, '');
}

interface ProjectedFile { readonly rel: string; readonly content: Buffer; readonly mode: number }

/** A volume's files and how many ConfigMaps/Secrets they come from (each may hold `MAX_OBJECT_DATA_BYTES`). */
interface VolumeFiles { readonly files: ProjectedFile[]; readonly sources: number }

/** The `items` of a configMap/secret source, checked (keys, paths, modes), or undefined for all keys. */
function checkedItems(source: { [key: string]: any }, what: string): { key: string; path: string; mode?: number }[] | undefined {
  if (source.items === undefined || source.items === null) return undefined;
  if (!Array.isArray(source.items)) throw new RunnerError(`${what}: items must be a list of {key, path, mode}, got ${shown(source.items)}`);
  return source.items.map((item: any, i: number) => {
    const where = `${what}: items[${i}]`;
    if (typeof item !== 'object' || item === null || typeof item.key !== 'string') throw new RunnerError(`${where}: must have a string key, got ${shown(item)}`);
    checkDataKey(item.key, where);
    const rel = checkVolumePath(item.path, where, 'item path');
    if (item.mode !== undefined && item.mode !== null) checkFileMode(item.mode, `${where}.mode`);
    return { key: item.key, path: rel, ...(item.mode !== undefined && item.mode !== null ? { mode: item.mode } : {}) };
  });
}

/** Files of one configMap/secret source (keys, or `items`), with modes. */
function sourceFiles(ctx: VolumeContext, kind: 'ConfigMap' | 'Secret', source: { [key: string]: any }, defaultMode: number, what: string): ProjectedFile[] {
  const name = kind === 'ConfigMap' ? source.name : source.secretName ?? source.name;
  const items = checkedItems(source, what);
  const obj = findObject(ctx.docs, kind, name, ctx.workload.namespace);
  if (!obj) {
    if (source.optional) return [];
    throw new RunnerError(`${what}: ${kind} "${name}" is not in the files (${kind}s found: ${namesOf(ctx.docs, kind)}); pass the file that defines it too`);
  }
  const data = dataOf(obj);
  let size = 0;
  for (const [key, value] of data) {
    checkDataKey(key, `${kind} ${name}`);
    size += value.length;
  }
  if (size > MAX_OBJECT_DATA_BYTES) {
    throw new RunnerError(`${what}: ${kind} "${name}" holds ${size} bytes (${formatBytes(size)}) of data; a ${kind} holds at most ${MAX_OBJECT_DATA_BYTES} (${formatBytes(MAX_OBJECT_DATA_BYTES)}), as the API server enforces`);
  }
  const out: ProjectedFile[] = [];
  for (const item of items ?? [...data.keys()].map((key) => ({ key, path: checkVolumePath(key, what, 'item path') }) as { key: string; path: string; mode?: number })) {
    const content = data.get(item.key);
    if (content === undefined) {
      if (source.optional) continue;
      throw new RunnerError(`${what}: ${kind} "${name}" has no key "${item.key}" (keys: ${[...data.keys()].join(', ') || 'none'})`);
    }
    out.push({ rel: item.path, content, mode: item.mode ?? defaultMode });
  }
  return out;
}

/** A volume's defaultMode, checked (0644 when unset, as in Kubernetes). */
function defaultModeOf(source: { [key: string]: any }, what: string): number {
  return source.defaultMode === undefined || source.defaultMode === null ? 0o644 : checkFileMode(source.defaultMode, `${what}: defaultMode`);
}

/** Files of a configMap, secret or projected volume. */
function volumeFiles(ctx: VolumeContext, volume: { [key: string]: any }): VolumeFiles {
  const what = `volume ${volume.name}`;
  const type = volumeType(volume);
  const body = volume[type];
  if (typeof body !== 'object' || body === null) throw new RunnerError(`${what}: ${type} must be an object, got ${shown(body)}`);
  if (type === 'configMap') return { files: sourceFiles(ctx, 'ConfigMap', body, defaultModeOf(body, what), what), sources: 1 };
  if (type === 'secret') return { files: sourceFiles(ctx, 'Secret', body, defaultModeOf(body, what), what), sources: 1 };
  if (type === 'downwardAPI') return { files: downwardApiFiles(ctx, body, what), sources: 1 };
  // projected
  const defaultMode = defaultModeOf(body, what);
  const sources = body.sources ?? [];
  if (!Array.isArray(sources)) throw new RunnerError(`${what}: projected sources must be a list, got ${shown(sources)}`);
  const out: ProjectedFile[] = [];
  for (const source of sources) {
    if (source?.configMap) out.push(...sourceFiles(ctx, 'ConfigMap', source.configMap, defaultMode, what));
    else if (source?.secret) out.push(...sourceFiles(ctx, 'Secret', source.secret, defaultMode, what));
    else if (source?.serviceAccountToken) throw new RunnerError(`${what}: a projected serviceAccountToken cannot be mapped, and untrusted code must not hold one; remove it`);
    else throw new RunnerError(`${what}: projected source ${Object.keys(source ?? {}).join(', ')} cannot be mapped (supported: configMap, secret)`);
  }
  return { files: out, sources: Math.max(1, sources.length) };
}

/**
 * Files of a downwardAPI volume: each item's `fieldRef` (the pod's name, namespace, labels or annotations) as
 * the kubelet writes it. A pod's annotations hold at most 256 KiB, so the volume does too.
 */
function downwardApiFiles(ctx: VolumeContext, body: { [key: string]: any }, what: string): ProjectedFile[] {
  const defaultMode = defaultModeOf(body, what);
  const items = body.items ?? [];
  if (!Array.isArray(items)) throw new RunnerError(`${what}: downwardAPI items must be a list of {path, fieldRef}, got ${shown(items)}`);
  return items.map((item: any, i: number) => {
    const where = `${what}: items[${i}]`;
    if (typeof item !== 'object' || item === null) throw new RunnerError(`${where}: must be an object, got ${shown(item)}`);
    const rel = checkVolumePath(item.path, where, 'item path');
    if (item.resourceFieldRef) throw new RunnerError(`${where}: resourceFieldRef items cannot be mapped here (supported: fieldRef)`);
    if (typeof item.fieldRef?.fieldPath !== 'string') throw new RunnerError(`${where}: needs a fieldRef with a fieldPath, got ${shown(item)}`);
    const mode = item.mode === undefined || item.mode === null ? defaultMode : checkFileMode(item.mode, `${where}.mode`);
    const value = fieldValue({ docs: ctx.docs, workload: ctx.workload, podName: ctx.podName ?? 'pod' }, where, item.fieldRef.fieldPath);
    return { rel, content: Buffer.from(value, 'utf8'), mode };
  });
}

/** Checks every volume of the pod as the API server would: names, and the modes and paths of configMap/secret/projected volumes. */
function checkPodVolumes(volumes: unknown): { [key: string]: any }[] {
  if (volumes === undefined || volumes === null) return [];
  if (!Array.isArray(volumes)) throw new RunnerError(`pod volumes must be a list, got ${shown(volumes)}`);
  const seen = new Set<string>();
  for (const [i, volume] of volumes.entries()) {
    if (typeof volume !== 'object' || volume === null) throw new RunnerError(`volumes[${i}]: must be an object, got ${shown(volume)}`);
    const name = checkVolumeName(volume.name, `volumes[${i}]`);
    if (seen.has(name)) throw new RunnerError(`volume ${name}: the pod has two volumes of that name`);
    seen.add(name);
    const what = `volume ${name}`;
    const type = volumeType(volume);
    const body = volume[type];
    if (!['configMap', 'secret', 'projected'].includes(type) || typeof body !== 'object' || body === null) continue;
    defaultModeOf(body, what);
    const sources = type === 'projected' ? (Array.isArray(body.sources) ? body.sources : []).map((s: any) => s?.configMap ?? s?.secret).filter(Boolean) : [body];
    for (const source of sources) checkedItems(source, what);
  }
  return volumes;
}

/** Plans the container's volume mounts. Errors name the volume, its type, and what is supported. */
export function planVolumes(ctx: VolumeContext): VolumePlan {
  const { workload } = ctx;
  const container = workload.container;
  const volumes = new Map<string, { [key: string]: any }>(checkPodVolumes(workload.podSpec.volumes).map((v) => [v.name, v]));
  const mounts: OciMount[] = [];
  const files: BundleFile[] = [];
  const dirs: BundleDir[] = [];
  const warnings: string[] = [];
  const materialized = new Map<string, Set<string>>();
  const emptyDirsMounted = new Set<string>();
  const destinations = new Set<string>();
  const gid = ctx.fsGroup;
  const volumeMounts = container.volumeMounts ?? [];
  if (!Array.isArray(volumeMounts)) throw new RunnerError(`container ${container.name}: volumeMounts must be a list, got ${shown(volumeMounts)}`);
  for (const [i, vm] of volumeMounts.entries()) {
    if (typeof vm !== 'object' || vm === null) throw new RunnerError(`container ${container.name}, volumeMounts[${i}]: must be an object, got ${shown(vm)}`);
    checkVolumeName(vm.name, `container ${container.name}, volumeMounts[${i}]`);
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
    if (type !== 'configMap' && type !== 'secret' && type !== 'projected' && type !== 'downwardAPI') {
      throw new RunnerError(`volume ${vm.name}: type ${type} cannot be mapped to a local sandbox (supported: ${SUPPORTED_VOLUME_TYPES.join(', ')})`);
    }
    const dir = `${VOLUMES_DIR}/${vm.name}`;
    if (!materialized.has(vm.name)) {
      if (materialized.size === 0) dirs.push({ path: VOLUMES_DIR, mode: 0o755 });
      const paths = new Map<string, 'dir' | 'file'>([['', 'dir']]);
      dirs.push({ path: dir, mode: 0o755, ...(gid !== undefined ? { gid } : {}) });
      const { files: volumeContent, sources } = volumeFiles(ctx, volume);
      const size = volumeContent.reduce((sum, f) => sum + f.content.length, 0);
      const cap = sources * MAX_OBJECT_DATA_BYTES;
      if (size > cap) {
        throw new RunnerError(`volume ${vm.name}: its files hold ${size} bytes (${formatBytes(size)}); a ${type} volume of ${sources} ConfigMap/Secret source${sources === 1 ? '' : 's'} holds at most ${cap} (${formatBytes(cap)}: ${formatBytes(MAX_OBJECT_DATA_BYTES)} per source, the API server's limit on one object; items must not repeat a key to exceed it)`);
      }
      for (const file of volumeContent) {
        const parts = file.rel.split('/');
        for (let i = 1; i <= parts.length; i++) {
          const sub = parts.slice(0, i).join('/');
          const want = i === parts.length ? 'file' : 'dir';
          const have = paths.get(sub);
          if (have !== undefined) {
            if (have === want && want === 'dir') continue;
            throw new RunnerError(`volume ${vm.name}: path "${file.rel}" conflicts with ${have === 'file' ? 'the file' : 'the directory'} "${sub}" already in the volume (conflicting duplicate paths)`);
          }
          paths.set(sub, want);
          if (want === 'dir') dirs.push({ path: `${dir}/${sub}`, mode: 0o755, ...(gid !== undefined ? { gid } : {}) });
        }
        // The kubelet gives the fsGroup read access to volume files.
        files.push({ path: `${dir}/${file.rel}`, content: file.content, mode: gid !== undefined ? file.mode | 0o440 : file.mode, ...(gid !== undefined ? { gid } : {}) });
      }
      materialized.set(vm.name, new Set(paths.keys()));
    }
    let source = `${ctx.bundleDir}/${dir}`;
    if (vm.subPath !== undefined && vm.subPath !== null && vm.subPath !== '') {
      const sub = checkVolumePath(vm.subPath, what, 'subPath');
      if (!materialized.get(vm.name)!.has(sub)) throw new RunnerError(`${what}: subPath "${sub}" is not in volume ${vm.name} (it holds: ${[...materialized.get(vm.name)!].filter(Boolean).join(', ') || 'nothing'})`);
      source = `${source}/${sub}`;
    }
    // configMap, secret, projected and downwardAPI volumes are always read-only in Kubernetes.
    mounts.push({ destination, type: 'bind', source, options: ['rbind', 'ro'] });
  }
  return { mounts, files, dirs, warnings };
}

function emptyDirMount(ctx: VolumeContext, volume: { [key: string]: any }, destination: string, readOnly: boolean, warnings: string[]): OciMount {
  const spec = volume.emptyDir ?? {};
  const what = `volume ${volume.name}`;
  let size: number | undefined;
  if (spec.sizeLimit !== undefined) {
    // 0 would mean "no limit" to tmpfs, so the smallest sizeLimit is 1 byte.
    size = parseBytes(spec.sizeLimit, `${what} sizeLimit`, { min: 1 });
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
