// The sandbox's root: a skeleton directory in the bundle with the base rootfs's top-level entries bound read-only.
//
// runsc creates missing mount points (e.g. /workspace) inside the root directory on the host before
// it makes the root read-only. Pointing it at the host's "/" would therefore write to the host, so
// the root is always a fresh skeleton in the bundle, and the base's directories are bind mounts.
import * as path from 'path';
import { BundleDir, BundleFile, BundleSymlink, OciMount } from './bundle';

/** A top-level entry of the base root filesystem. */
export interface RootEntry {
  /** File name, e.g. `usr`. */
  readonly name: string;
  /** What it is. */
  readonly type: 'directory' | 'file' | 'symlink' | 'other';
  /** A symlink's target, as written. */
  readonly target?: string;
}

/** The base root filesystem the sandbox sees. */
export interface RootfsSource {
  /** Absolute path of the base directory (`/` for the host). */
  readonly path: string;
  /** True for the default: a view of the host's own root, restricted to `HOST_ROOT_ENTRIES`. */
  readonly hostRoot: boolean;
  /** Its top-level entries. */
  readonly entries: readonly RootEntry[];
}

/**
 * Top-level host entries the default rootfs shows: what runtimes such as python3, node and sh need.
 * Home directories, /root, /var, /run, /tmp, /mnt and anything else on the host stay invisible.
 */
export const HOST_ROOT_ENTRIES: readonly string[] = ['bin', 'etc', 'lib', 'lib32', 'lib64', 'libx32', 'opt', 'sbin', 'usr'];

/** Directories the sandbox itself provides (proc, sysfs, devices) or that start empty (tmp). */
const SKELETON_DIRS: readonly [string, number][] = [['proc', 0o555], ['sys', 0o555], ['dev', 0o755], ['tmp', 0o1777]];

/** The skeleton root: what to create under the bundle and which base entries are bind-mounted. */
export interface RootView {
  /** Directory of the skeleton, relative to the bundle. */
  readonly rootDir: string;
  readonly dirs: BundleDir[];
  readonly files: BundleFile[];
  readonly symlinks: BundleSymlink[];
  /** Read-only bind mounts of the base's entries, in order. */
  readonly mounts: OciMount[];
  /** Names of the top-level entries that are bind mounts of the base. */
  readonly bound: ReadonlySet<string>;
}

/** Plans the skeleton root for `source` inside the bundle. */
export function planRootView(source: RootfsSource): RootView {
  const rootDir = 'rootfs';
  const dirs: BundleDir[] = [{ path: rootDir, mode: 0o755 }];
  const files: BundleFile[] = [];
  const symlinks: BundleSymlink[] = [];
  const mounts: OciMount[] = [];
  const bound = new Set<string>();
  const skeletonNames = new Set(SKELETON_DIRS.map(([name]) => name));
  for (const [name, mode] of SKELETON_DIRS) dirs.push({ path: `${rootDir}/${name}`, mode });
  const entries = [...source.entries].sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (skeletonNames.has(entry.name) || (source.hostRoot && !HOST_ROOT_ENTRIES.includes(entry.name))) continue;
    const inBundle = `${rootDir}/${entry.name}`;
    const mount: OciMount = { destination: `/${entry.name}`, type: 'bind', source: path.posix.join(source.path, entry.name), options: ['rbind', 'ro'] };
    if (entry.type === 'symlink' && entry.target !== undefined) {
      symlinks.push({ path: inBundle, target: entry.target });
    } else if (entry.type === 'directory') {
      dirs.push({ path: inBundle, mode: 0o755 });
      mounts.push(mount);
      bound.add(entry.name);
    } else if (entry.type === 'file') {
      files.push({ path: inBundle, content: Buffer.alloc(0), mode: 0o444 });
      mounts.push(mount);
      bound.add(entry.name);
    }
  }
  return { rootDir, dirs, files, symlinks, mounts, bound };
}
