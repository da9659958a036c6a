// Figure synth_vs_ts_node: `npm run synth` of the example app against the same app run as cdk8s's TypeScript
// template runs it (`cdk8s synth` with `app: npx ts-node main.ts`, type-checking as ts-node does by default),
// interleaved, each run a fresh process. Both run in a scratch copy of the project, lib/.bench-synth/project/
// (ignored by git; its node_modules a link to ours), so the bench times the real `npm run synth`, npm, transpile,
// cdk8s synth, validation and the swap of its dist/ included, and leaves the checkout's lib/src and dist/ alone.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { median, round } from './support/harness';

const ROOT = path.resolve(__dirname, '..', '..');
const WORK = path.join(ROOT, 'lib', '.bench-synth');
const PROJECT = path.join(WORK, 'project');
const BIN = path.join(ROOT, 'node_modules', '.bin');
/** What `npm run synth` and the ts-node run read from the checkout. */
const PROJECT_FILES = ['package.json', 'cdk8s.yaml', 'tsconfig.json', 'scripts', 'src', 'app', 'imports'];

export interface SynthFigures {
  readonly synth_vs_ts_node: number | null;
  /** Median seconds of the whole `npm run synth`, and of the ts-node run (`cdk8s synth --app 'npx ts-node app/main.ts'`). */
  readonly npmRunSynthS: number;
  readonly tsNodeS: number | null;
  /** Median seconds of the parts, each run on its own after the figure (informational). */
  readonly parts: {
    /** `node scripts/transpile.js`: swc, src/ and imports/ to lib/. */
    readonly transpileS: number;
    /** `cdk8s synth` of the transpiled app, validation plugin included. */
    readonly cdk8sSynthS: number;
    /** `cdk8s --version`: the cdk8s CLI's start-up alone. */
    readonly cdk8sCliStartS: number;
    /** `node lib/app/main.js`: the app alone, no CLI, no validation. */
    readonly appS: number;
    /** `npm run` of an empty script: what each npm process adds. */
    readonly npmRunS: number;
  };
  readonly skipped?: string;
  readonly reps: number;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: PROJECT, encoding: 'utf8', env: { ...withoutTsNodeSettings(process.env), CDK8S_CHECK_UPGRADE: 'false', ...env }, maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}: ${(result.stderr || result.stdout).slice(-2000)}`);
  return seconds;
}

/** The environment less TS_NODE_* settings, so that nothing outside the project can make ts-node skip its type-check. */
function withoutTsNodeSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('TS_NODE_')));
}

function synthOutput(dir: string): string {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  if (files.length === 0) throw new Error(`cdk8s synth wrote no YAML to ${dir}`);
  return files.map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('');
}

/** A scratch copy of the project's sources and settings, sharing node_modules, with an empty script to time npm with. */
function prepareProject(): void {
  fs.rmSync(PROJECT, { recursive: true, force: true });
  fs.mkdirSync(PROJECT, { recursive: true });
  for (const entry of PROJECT_FILES) fs.cpSync(path.join(ROOT, entry), path.join(PROJECT, entry), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(PROJECT, 'node_modules'), 'dir');
  const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT, 'package.json'), 'utf8'));
  pkg.scripts['bench:noop'] = 'true';
  fs.writeFileSync(path.join(PROJECT, 'package.json'), JSON.stringify(pkg, null, 2));
}

/** `npm run synth` exactly as a user runs it; it writes the scratch project's lib/ and dist/. */
function npmRunSynth(): number {
  return run('npm', ['run', '--silent', 'synth']);
}

function tsNodeSynth(): number {
  const out = path.join(WORK, 'dist-ts-node');
  fs.rmSync(out, { recursive: true, force: true });
  return run(path.join(BIN, 'cdk8s'), ['synth', '--no-check-upgrade', '--app', 'npx ts-node app/main.ts', '--output', out]);
}

/** The contender must type-check as the template's ts-node does: a file with a type error has to fail under it. */
function assertTsNodeTypeChecks(): void {
  const probe = path.join(PROJECT, 'bench-probe', 'type-error.ts');
  fs.mkdirSync(path.dirname(probe), { recursive: true });
  fs.writeFileSync(probe, 'const n: number = \'not a number\';\nconsole.log(n);\n');
  let failed = false;
  try {
    run('npx', ['ts-node', path.relative(PROJECT, probe)]);
  } catch (err) {
    failed = /TS2322/.test(String(err));
  } finally {
    fs.rmSync(path.dirname(probe), { recursive: true, force: true });
  }
  if (!failed) throw new Error('ts-node ran a file with a type error without TS2322: the ts-node contender is not type-checking');
}

export function tsNodeAvailable(): boolean {
  return fs.existsSync(path.join(BIN, 'ts-node'));
}

export function synthFigures(reps: number): SynthFigures {
  prepareProject();
  const withTsNode = tsNodeAvailable();
  if (withTsNode) assertTsNodeTypeChecks();
  // Warm-up: one run of each (disk caches, npx resolution).
  npmRunSynth();
  if (withTsNode) tsNodeSynth();
  const totals: number[] = [];
  const tsNode: number[] = [];
  for (let r = 0; r < Math.max(5, reps); r++) {
    const order = withTsNode && r % 2 === 1 ? ['ts-node', 'npm'] : ['npm', 'ts-node'];
    for (const which of order) {
      if (which === 'npm') totals.push(npmRunSynth());
      else if (withTsNode) tsNode.push(tsNodeSynth());
    }
  }
  if (withTsNode && synthOutput(path.join(PROJECT, 'dist')) !== synthOutput(path.join(WORK, 'dist-ts-node'))) {
    throw new Error('npm run synth and the ts-node run of the example app produce different YAML');
  }
  const parts = { transpile: [] as number[], synth: [] as number[], cli: [] as number[], app: [] as number[], npm: [] as number[] };
  for (let r = 0; r < 3; r++) {
    parts.transpile.push(run('node', ['scripts/transpile.js']));
    const out = path.join(WORK, 'dist-parts');
    fs.rmSync(out, { recursive: true, force: true });
    parts.synth.push(run(path.join(BIN, 'cdk8s'), ['synth', '--no-check-upgrade', '--output', out]));
    parts.cli.push(run(path.join(BIN, 'cdk8s'), ['--version', '--no-check-upgrade']));
    parts.app.push(run('node', ['lib/app/main.js'], { CDK8S_OUTDIR: path.join(WORK, 'dist-app') }));
    parts.npm.push(run('npm', ['run', '--silent', 'bench:noop']));
  }
  const npmS = median(totals);
  return {
    synth_vs_ts_node: withTsNode ? round(npmS / median(tsNode)) : null,
    npmRunSynthS: round(npmS),
    tsNodeS: withTsNode ? round(median(tsNode)) : null,
    parts: {
      transpileS: round(median(parts.transpile)),
      cdk8sSynthS: round(median(parts.synth)),
      cdk8sCliStartS: round(median(parts.cli)),
      appS: round(median(parts.app)),
      npmRunS: round(median(parts.npm)),
    },
    ...(withTsNode ? {} : { skipped: 'ts-node is not installed (node_modules/.bin/ts-node is missing): cdk8s\'s TypeScript template runs `npx ts-node main.ts`; it needs the devDependency ts-node 10.9.2 (with typescript 5.9.3 and @types/node 20.x, both present)' }),
    reps: totals.length,
  };
}
