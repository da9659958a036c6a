// The only code that writes a bundle to the host: every directory, file and symlink goes through
// BundleWriter, which refuses any path that does not resolve inside the bundle directory.
//
// The plan is computed from untrusted manifests, and this runs as root. So each path is checked
// twice: lexically, for the whole plan before anything is created (relative, no "." or ".."
// elements, each parent a directory planned earlier, sizes within the caps), and on disk, while
// writing: every ancestor is lstat-ed and must be the very directory this writer created (same
// device and inode, not a symlink) and the parent's realpath must be the bundle's realpath plus
// the relative path. Directories are made one level at a time (mkdir never follows a symlink in its
// last element); files are opened with O_CREAT | O_EXCL | O_NOFOLLOW, and owner, group and mode are
// set on the open descriptor (fchown before fchmod, so no chown clears a mode bit). Symlinks are
// created last and nothing is ever written through one. Finally every bind-mount source that points
// into the bundle, and the root, must be an entry the writer created, reached through real
// directories only: runsc follows symlinks when it binds a source.
//
// The bundle directory is created fresh (mode 0700) and must not exist; no one else writes into it
// while it is built, so the on-disk checks guard against a plan that contradicts itself or a
// directory someone planted, not against a concurrent attacker (Node has no openat).
import * as fs from 'fs';
import * as path from 'path';
import { MAX_BUNDLE_BYTES, MAX_BUNDLE_ENTRIES } from './bundle';
import { RunnerError } from './errors';
import type { RunPlan } from './plan';
import { formatBytes } from './quantity';

/** The runtime spec's file name in the bundle. */
export const BUNDLE_CONFIG = 'config.json';

/** Longest relative path the writer accepts (Linux PATH_MAX less room for the bundle directory). */
const MAX_PATH_LENGTH = 4096;
/** Longest path element (Linux NAME_MAX). */
const MAX_NAME_BYTES = 255;
/** Largest group id (2^32 - 2; 2^32 - 1 means "unchanged" to chown). */
const MAX_GID = 2 ** 32 - 2;

type Kind = 'dir' | 'file' | 'symlink';

interface Created {
  readonly kind: Kind;
  readonly dev: number;
  readonly ino: number;
}

function refuse(message: string): never {
  throw new RunnerError(`bundle: ${message}`);
}

/** Why `rel` is not a clean relative path inside the bundle, or undefined when it is one. */
export function bundlePathProblem(rel: unknown): string | undefined {
  if (typeof rel !== 'string' || rel === '') return 'a bundle path must be a non-empty string';
  if (rel.includes('\0')) return 'it contains a NUL byte';
  if (rel.length > MAX_PATH_LENGTH) return `it is ${rel.length} characters long (at most ${MAX_PATH_LENGTH})`;
  if (rel.startsWith('/')) return 'it is absolute (bundle paths are relative to the bundle directory)';
  for (const element of rel.split('/')) {
    if (element === '') return 'it has an empty element (a doubled or trailing "/")';
    if (element === '.' || element === '..') return `it has a "${element}" element`;
    if (Buffer.byteLength(element) > MAX_NAME_BYTES) return `an element is longer than ${MAX_NAME_BYTES} bytes`;
  }
  return undefined;
}

function checkPath(rel: unknown, what: string): string {
  const problem = bundlePathProblem(rel);
  if (problem) refuse(`refusing ${what} ${JSON.stringify(rel)}: ${problem}`);
  return rel as string;
}

function checkMode(mode: unknown, max: number, what: string): number {
  if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > max) {
    refuse(`refusing ${what}: mode ${typeof mode === 'number' ? `0${mode.toString(8)}` : JSON.stringify(mode)} is not allowed (allowed: 0 to 0${max.toString(8)})`);
  }
  return mode;
}

function checkGid(gid: unknown, what: string): number | undefined {
  if (gid === undefined) return undefined;
  if (typeof gid !== 'number' || !Number.isInteger(gid) || gid < 0 || gid > MAX_GID) refuse(`refusing ${what}: group ${JSON.stringify(gid)} is not a group id (allowed: 0 to ${MAX_GID})`);
  return gid;
}

/** True when `p` is `dir` or lies under it, lexically. */
function lexicallyUnder(p: string, dir: string): boolean {
  return p === dir || p.startsWith(`${dir.replace(/\/+$/, '')}/`);
}

/**
 * Creates directories, files and symlinks under one bundle directory, refusing every path that
 * does not resolve inside it (see the file's header).
 */
export class BundleWriter {
  /**
   * Creates `bundleDir` (absolute; it must not exist, its parent must) with mode 0700, and returns a
   * writer confined to it.
   */
  public static create(bundleDir: string): BundleWriter {
    if (typeof bundleDir !== 'string' || !path.isAbsolute(bundleDir) || bundleDir.includes('\0')) refuse(`the bundle directory ${JSON.stringify(bundleDir)} must be an absolute path`);
    const dir = path.normalize(bundleDir).replace(/(.)\/+$/, '$1');
    try {
      fs.mkdirSync(dir, { mode: 0o700 });
    } catch (err: any) {
      refuse(`cannot create the bundle directory ${dir}: ${err?.code === 'EEXIST' ? 'it already exists (a bundle is always created fresh)' : err?.message ?? err}`);
    }
    return new BundleWriter(dir);
  }

  /** The bundle directory, as given. */
  public readonly dir: string;
  /** Its realpath. */
  private readonly real: string;
  private readonly created = new Map<string, Created>();
  private bytes = 0;

  private constructor(dir: string) {
    this.dir = dir;
    const st = fs.lstatSync(dir);
    if (!st.isDirectory()) refuse(`${dir} is not a directory`);
    this.real = fs.realpathSync(dir);
    this.created.set('', { kind: 'dir', dev: st.dev, ino: st.ino });
  }

  /** Creates the directory `rel` (its parent must be a directory this writer created), owned by root and `gid`. */
  public mkdir(rel: string, mode: number, gid?: number): void {
    checkPath(rel, 'directory');
    checkMode(mode, 0o1777, `directory ${rel}`);
    checkGid(gid, `directory ${rel}`);
    const abs = this.placeFor(rel);
    try {
      fs.mkdirSync(abs, { mode: 0o700 });
    } catch (err: any) {
      refuse(`cannot create directory ${rel}: ${err?.code === 'EEXIST' ? 'something already exists there' : err?.message ?? err}`);
    }
    const fd = fs.openSync(abs, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW);
    try {
      const st = fs.fstatSync(fd);
      if (!st.isDirectory()) refuse(`${rel} is not the directory just created`);
      if (gid !== undefined) fs.fchownSync(fd, -1, gid);
      fs.fchmodSync(fd, mode);
      this.record(rel, 'dir', st);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Creates the file `rel` (it must not exist) with `content`, owned by root and `gid`. No set-id bits. */
  public writeFile(rel: string, content: Buffer, mode: number, gid?: number): void {
    checkPath(rel, 'file');
    checkMode(mode, 0o777, `file ${rel}`);
    checkGid(gid, `file ${rel}`);
    if (!Buffer.isBuffer(content)) refuse(`refusing file ${rel}: its content is not a Buffer`);
    if (this.bytes + content.length > MAX_BUNDLE_BYTES) refuse(`refusing file ${rel}: the bundle would hold more than ${formatBytes(MAX_BUNDLE_BYTES)} of files`);
    const abs = this.placeFor(rel);
    let fd: number;
    try {
      fd = fs.openSync(abs, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
    } catch (err: any) {
      refuse(`cannot create file ${rel}: ${err?.code === 'EEXIST' ? 'something already exists there' : err?.message ?? err}`);
    }
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) refuse(`${rel} is not the file just created`);
      for (let offset = 0; offset < content.length;) offset += fs.writeSync(fd, content, offset, content.length - offset);
      if (gid !== undefined) fs.fchownSync(fd, -1, gid);
      fs.fchmodSync(fd, mode);
      this.bytes += content.length;
      this.record(rel, 'file', st);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Creates the symlink `rel` -> `target`. The writer never writes through it (nothing may be created under it). */
  public symlink(rel: string, target: string): void {
    checkPath(rel, 'symlink');
    if (typeof target !== 'string' || target === '' || target.includes('\0') || target.length > MAX_PATH_LENGTH) refuse(`refusing symlink ${rel}: target ${JSON.stringify(target)} is not a path`);
    const abs = this.placeFor(rel);
    try {
      fs.symlinkSync(target, abs);
    } catch (err: any) {
      refuse(`cannot create symlink ${rel}: ${err?.code === 'EEXIST' ? 'something already exists there' : err?.message ?? err}`);
    }
    const st = fs.lstatSync(abs);
    if (!st.isSymbolicLink()) refuse(`${rel} is not the symlink just created`);
    this.record(rel, 'symlink', st);
  }

  /**
   * Proves that the absolute path `abs` is a directory or file this writer created, reached through
   * the directories it created (no symlink anywhere); `what` names it in the error.
   */
  public proveInside(abs: string, what: string): void {
    const normal = path.posix.normalize(abs);
    if (!lexicallyUnder(normal, this.dir)) refuse(`${what} ${abs} is not inside the bundle ${this.dir}`);
    const rel = path.posix.relative(this.dir, normal);
    const entry = this.created.get(rel);
    if (!entry || entry.kind === 'symlink') refuse(`${what} ${abs} is not a directory or file this bundle created${entry ? ' (it is a symlink)' : ''}`);
    this.verifyChain(rel);
    const real = fs.realpathSync(normal);
    if (real !== path.join(this.real, rel)) refuse(`${what} ${abs} resolves to ${real}, outside the bundle`);
  }

  /** The absolute path at which to create `rel`, after proving its parent is a directory this writer created. */
  private placeFor(rel: string): string {
    // The bundle directory itself and config.json come on top of the plan's entries.
    if (this.created.size >= MAX_BUNDLE_ENTRIES + 2) refuse(`refusing ${rel}: the bundle would hold more than ${MAX_BUNDLE_ENTRIES} entries`);
    if (this.created.has(rel)) refuse(`refusing ${rel}: it was already created`);
    const parent = path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel);
    const entry = this.created.get(parent);
    if (!entry || entry.kind !== 'dir') refuse(`refusing ${rel}: its parent ${parent || '(the bundle directory)'} is not a directory this bundle created${entry ? ` (it is a ${entry.kind})` : ''}`);
    this.verifyChain(parent);
    const parentAbs = parent ? path.join(this.dir, parent) : this.dir;
    const real = fs.realpathSync(parentAbs);
    if (real !== (parent ? path.join(this.real, parent) : this.real)) refuse(`refusing ${rel}: its parent resolves to ${real}, outside the bundle`);
    return path.join(this.dir, rel);
  }

  /** lstat-s `rel` and each of its ancestors: each must still be the very entry created, and no symlink. */
  private verifyChain(rel: string): void {
    const parts = rel ? rel.split('/') : [];
    for (let i = 0; i <= parts.length; i++) {
      const sub = parts.slice(0, i).join('/');
      const entry = this.created.get(sub);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(sub ? path.join(this.dir, sub) : this.dir);
      } catch (err: any) {
        refuse(`${sub || this.dir} vanished while the bundle was written (${err?.code ?? err})`);
      }
      const kind: Kind | 'other' = st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
      if (!entry || entry.kind !== kind || entry.dev !== st.dev || entry.ino !== st.ino || (i < parts.length && kind !== 'dir')) {
        refuse(`${sub || this.dir} is not the ${entry?.kind === 'dir' ? 'directory' : entry?.kind ?? 'entry'} this bundle created (found a ${kind}); refusing to write through it`);
      }
    }
  }

  private record(rel: string, kind: Kind, st: fs.Stats): void {
    this.created.set(rel, { kind, dev: st.dev, ino: st.ino });
  }
}

/**
 * Checks a whole plan lexically before anything is written: clean relative paths, no duplicates,
 * each parent a directory planned earlier, modes, groups, and the size and entry caps.
 */
export function checkBundlePlan(bundleDir: string, plan: RunPlan): void {
  const kinds = new Map<string, Kind>([['', 'dir']]);
  const all = [
    ...plan.dirs.map((d) => [d.path, 'dir', 'directory'] as const),
    ...plan.files.map((f) => [f.path, 'file', 'file'] as const),
    ...plan.symlinks.map((l) => [l.path, 'symlink', 'symlink'] as const),
  ];
  // Every path is clean and planned once...
  const planned = new Map<string, Kind>();
  for (const [rel, kind, what] of all) {
    const p = checkPath(rel, what);
    if (p === BUNDLE_CONFIG) refuse(`refusing ${what} ${p}: the name is reserved for the runtime spec`);
    if (planned.has(p)) refuse(`refusing ${what} ${p}: it is planned twice`);
    planned.set(p, kind);
  }
  // ...and its parent is a directory created before it (directories first, in order; then files; symlinks last).
  for (const [rel, kind, what] of all) {
    const parent = path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel);
    if (kinds.get(parent) !== 'dir') {
      const other = planned.get(parent);
      refuse(`refusing ${what} ${rel}: its parent ${parent} is not a directory planned before it${other && other !== 'dir' ? ` (it is a ${other})` : ''}`);
    }
    kinds.set(rel, kind);
  }
  for (const dir of plan.dirs) {
    checkMode(dir.mode, 0o1777, `directory ${dir.path}`);
    checkGid(dir.gid, `directory ${dir.path}`);
  }
  let bytes = 0;
  for (const file of plan.files) {
    checkMode(file.mode, 0o777, `file ${file.path}`);
    checkGid(file.gid, `file ${file.path}`);
    if (!Buffer.isBuffer(file.content)) refuse(`refusing file ${file.path}: its content is not a Buffer`);
    bytes += file.content.length;
  }
  if (kinds.size - 1 > MAX_BUNDLE_ENTRIES) refuse(`the plan holds ${kinds.size - 1} directories, files and symlinks; a bundle holds at most ${MAX_BUNDLE_ENTRIES}`);
  if (bytes > MAX_BUNDLE_BYTES) refuse(`the plan's files hold ${bytes} bytes (${formatBytes(bytes)}); a bundle holds at most ${MAX_BUNDLE_BYTES} (${formatBytes(MAX_BUNDLE_BYTES)})`);
  // Every path the spec points into the bundle must be a directory or file the plan creates.
  for (const [source, what] of inBundleSources(bundleDir, plan)) {
    const normal = path.posix.normalize(source);
    if (!lexicallyUnder(normal, bundleDir)) refuse(`${what} ${source} resolves outside the bundle ${bundleDir}`);
    const rel = path.posix.relative(bundleDir, normal);
    const kind = kinds.get(rel);
    if (kind !== 'dir' && kind !== 'file') refuse(`${what} ${source} is not a directory or file the bundle creates${kind ? ` (it is a ${kind})` : ''}`);
  }
}

/** The spec's paths that point into the bundle: the root, and bind-mount sources under the bundle directory. */
function inBundleSources(bundleDir: string, plan: RunPlan): [string, string][] {
  const out: [string, string][] = [[plan.spec.root.path, 'the root filesystem']];
  for (const mount of plan.spec.mounts) {
    const bind = mount.type === 'bind' || mount.options.includes('bind') || mount.options.includes('rbind');
    if (!bind) continue;
    const source = String(mount.source);
    // A source written below the bundle directory, even with ".." elements that lead elsewhere.
    if (lexicallyUnder(source, bundleDir) || lexicallyUnder(path.posix.normalize(source), bundleDir)) out.push([source, `bind-mount source of ${mount.destination}`]);
  }
  return out;
}

/**
 * Creates the bundle directory `bundleDir` (absolute; it must not exist) with the plan's
 * directories, files and symlinks (symlinks last) and config.json, all through one BundleWriter.
 * Refuses the whole plan before creating anything when a path is not clean or the caps are
 * exceeded; if writing fails part-way, the bundle directory is removed again (symlinks are removed,
 * never followed).
 */
export function writeBundle(bundleDir: string, plan: RunPlan): void {
  if (typeof bundleDir !== 'string' || !path.isAbsolute(bundleDir)) refuse(`the bundle directory ${JSON.stringify(bundleDir)} must be an absolute path`);
  const dir = path.posix.normalize(bundleDir).replace(/(.)\/+$/, '$1');
  checkBundlePlan(dir, plan);
  const config = Buffer.from(JSON.stringify(plan.spec, null, 2));
  const total = plan.files.reduce((sum, f) => sum + f.content.length, 0) + config.length;
  if (total > MAX_BUNDLE_BYTES) refuse(`the bundle would hold ${total} bytes (${formatBytes(total)}) with config.json; a bundle holds at most ${MAX_BUNDLE_BYTES} (${formatBytes(MAX_BUNDLE_BYTES)})`);
  const writer = BundleWriter.create(dir);
  try {
    for (const d of plan.dirs) writer.mkdir(d.path, d.mode, d.gid);
    for (const f of plan.files) writer.writeFile(f.path, f.content, f.mode, f.gid);
    for (const l of plan.symlinks) writer.symlink(l.path, l.target);
    writer.writeFile(BUNDLE_CONFIG, config, 0o600);
    for (const [source, what] of inBundleSources(dir, plan)) writer.proveInside(source, what);
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
