// The package as npm builds it, for the tests that install or translate it (package-consumer, jsii-targets):
// - snapshotWorkingTree copies the files a checkout of the working tree would hold (committed and untracked,
//   not ignored; the working tree's versions) into a temp dir, with a hard-linked copy of the repo's
//   node_modules, so that `npm pack` (whose `prepare` rebuilds lib/src and .jsii) and jsii-pacmak run there
//   and never touch the working tree's lib/, .jsii or .npmignore while other tests or a developer use them;
// - run spawns a command asynchronously (jest's timeouts keep working) and returns its output;
// - npmEnv is the environment for a child npm: without the npm_* variables an enclosing `npm test` sets
//   (npm_config_local_prefix would point a child npm at the repo), keeping the cache and config locations;
// - toolGate / skipOrFail: skip with the reason on a developer machine, fail under CI=true.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..');

/** What a finished command wrote and how it ended. */
export interface RunResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs `command args` to its end; never rejects for a non-zero exit (see `check`). */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? npmEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/** The result of `run` when it exited 0; otherwise throws with the command, its exit and its output. */
export function check(what: string, result: RunResult): RunResult {
  if (result.status !== 0) {
    throw new Error(`${what} failed (exit ${result.status ?? result.signal}):\n--- stdout\n${result.stdout.slice(-8000)}\n--- stderr\n${result.stderr.slice(-8000)}`);
  }
  return result;
}

/** npm_* variables a child npm may keep: where the cache and the config files are. */
const KEPT_NPM_VARIABLES = new Set(['npm_config_cache', 'npm_config_userconfig', 'npm_config_globalconfig']);

/** The environment for child npm (and cdk8s, node) processes: see the header. */
export function npmEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) && !KEPT_NPM_VARIABLES.has(k.toLowerCase())) continue;
    env[k] = v;
  }
  return { ...env, CDK8S_CHECK_UPGRADE: 'false', JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1', ...extra };
}

/** A fresh directory in the OS temp dir. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The working tree's files a checkout would hold: tracked (as they are now) and untracked but not ignored. */
export async function workingTreeFiles(): Promise<string[]> {
  const listed = check('git ls-files', await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, env: process.env }));
  const files = [...new Set(listed.stdout.split('\0').filter((f) => f !== ''))];
  // A tracked file deleted (or moved) in the working tree is listed but absent; a node_modules symlink is
  // listed (the ignore rule `node_modules/` matches directories only), and the snapshot links its own.
  return files.filter((f) => f !== 'node_modules' && fs.existsSync(path.join(ROOT, f))).sort();
}

/**
 * Copies the working tree's files (see workingTreeFiles) to `dest`, modes kept, with a copy of the repo's
 * node_modules made of hard links (a full copy where the OS temp dir is on another filesystem). Not a symlink to
 * it: npm 11.19 packs a symlinked node_modules without the dependencies of the bundled dependencies
 * (@bufbuild/cel's @bufbuild/re2, js-yaml's argparse), and the installed CLI then fails to load.
 */
export async function snapshotWorkingTree(dest: string): Promise<void> {
  for (const file of await workingTreeFiles()) {
    const from = path.join(ROOT, file);
    const to = path.join(dest, file);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    const stat = fs.lstatSync(from);
    if (stat.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(from), to);
    else if (stat.isFile()) {
      fs.copyFileSync(from, to);
      fs.chmodSync(to, stat.mode & 0o777);
    }
  }
  const modules = path.join(ROOT, 'node_modules');
  const linked = await run('cp', ['-al', modules, path.join(dest, 'node_modules')], { cwd: dest, env: process.env });
  if (linked.status !== 0) {
    fs.rmSync(path.join(dest, 'node_modules'), { recursive: true, force: true });
    check('cp -a node_modules', await run('cp', ['-a', modules, path.join(dest, 'node_modules')], { cwd: dest, env: process.env }));
  }
}

/** `npm pack` of the project in `dir` (its `prepare` runs) into the empty directory `dest`; the tarball's path. */
export async function npmPack(dir: string, dest: string, extraArgs: readonly string[] = []): Promise<string> {
  check(`npm pack in ${dir}`, await run('npm', ['pack', '--pack-destination', dest, ...extraArgs], { cwd: dir }));
  const tarballs = fs.readdirSync(dest).filter((f) => f.endsWith('.tgz'));
  if (tarballs.length !== 1) throw new Error(`npm pack wrote ${JSON.stringify(tarballs)} to ${dest}, expected one tarball`);
  return path.join(dest, tarballs[0]);
}

/** The entries of a tarball (`tar -tzf`), sorted. */
export async function tarEntries(tarball: string): Promise<string[]> {
  const listed = check(`tar -tzf ${tarball}`, await run('tar', ['-tzf', tarball], { cwd: path.dirname(tarball), env: process.env }));
  return listed.stdout.split('\n').filter((l) => l !== '').sort();
}

/** Extracts a tarball into `dest` (created). */
export async function extract(tarball: string, dest: string): Promise<void> {
  fs.mkdirSync(dest, { recursive: true });
  check(`tar -xzf ${tarball}`, await run('tar', ['-xzf', tarball, '-C', dest], { cwd: dest, env: process.env }));
}

/** Under CI=true, throws `reason`; elsewhere prints it as the reason for skipping and returns false. */
export function skipOrFail(test: string, reason: string): false {
  if (process.env.CI === 'true') throw new Error(`${test}: ${reason} (CI=true, so this fails instead of skipping)`);
  // eslint-disable-next-line no-console
  console.log(`skipping ${test}: ${reason}`);
  return false;
}

/** Whether an npm failure was the offline cache lacking something; npm's message names what, and it is returned. */
export function notCached(result: RunResult): string | undefined {
  const text = `${result.stdout}\n${result.stderr}`;
  if (!/ENOTCACHED/.test(text)) return undefined;
  return text.split('\n').filter((l) => /ENOTCACHED|request to|cache mode is 'only-if-cached'|No matching version/.test(l)).slice(0, 4).join('; ');
}
