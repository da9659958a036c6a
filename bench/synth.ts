// Figure synth_vs_ts_node: `npm run synth` of the example app against the same app run as cdk8s's TypeScript
// template runs it (`cdk8s synth` with `app: npx ts-node main.ts`), interleaved, each run a fresh process.
// Both write to lib/.bench-synth/ (ignored by git), never to dist/, so the bench leaves the committed output alone.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { median, round } from './support/harness';

const ROOT = path.resolve(__dirname, '..', '..');
const WORK = path.join(ROOT, 'lib', '.bench-synth');
const BIN = path.join(ROOT, 'node_modules', '.bin');

export interface SynthFigures {
  readonly synth_vs_ts_node: number | null;
  /** Median seconds of `npm run synth` (build + cdk8s synth), and of its two steps. */
  readonly npmRunSynthS: number;
  readonly buildS: number;
  readonly cdk8sSynthS: number;
  readonly tsNodeS: number | null;
  readonly skipped?: string;
  readonly reps: number;
}

function run(command: string, args: readonly string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' }, maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}: ${(result.stderr || result.stdout).slice(-2000)}`);
  return seconds;
}

function synthOutput(dir: string): string {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  if (files.length === 0) throw new Error(`cdk8s synth wrote no YAML to ${dir}`);
  return files.map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('');
}

/**
 * `npm run synth` is `npm run build && cdk8s synth` (then it swaps the output into dist/). The bench runs the same
 * two steps, `npm run build` and `cdk8s synth --output lib/.bench-synth/...`, and times them together.
 */
function npmRunSynth(): { total: number; build: number; synth: number } {
  const build = run('npm', ['run', '--silent', 'build']);
  const out = path.join(WORK, 'dist');
  fs.rmSync(out, { recursive: true, force: true });
  const synth = run(path.join(BIN, 'cdk8s'), ['synth', '--no-check-upgrade', '--output', out]);
  return { total: build + synth, build, synth };
}

function tsNodeSynth(): number {
  const out = path.join(WORK, 'dist-ts-node');
  fs.rmSync(out, { recursive: true, force: true });
  return run(path.join(BIN, 'cdk8s'), ['synth', '--no-check-upgrade', '--app', 'npx ts-node src/main.ts', '--output', out]);
}

export function tsNodeAvailable(): boolean {
  return fs.existsSync(path.join(BIN, 'ts-node'));
}

export function synthFigures(reps: number): SynthFigures {
  fs.mkdirSync(WORK, { recursive: true });
  const withTsNode = tsNodeAvailable();
  // Warm-up: one run of each (disk caches, npx resolution).
  npmRunSynth();
  if (withTsNode) tsNodeSynth();
  const totals: number[] = [];
  const builds: number[] = [];
  const synths: number[] = [];
  const tsNode: number[] = [];
  for (let r = 0; r < Math.max(5, reps); r++) {
    const order = withTsNode && r % 2 === 1 ? ['ts-node', 'npm'] : ['npm', 'ts-node'];
    for (const which of order) {
      if (which === 'npm') {
        const t = npmRunSynth();
        totals.push(t.total);
        builds.push(t.build);
        synths.push(t.synth);
      } else if (withTsNode) {
        tsNode.push(tsNodeSynth());
      }
    }
  }
  if (withTsNode && synthOutput(path.join(WORK, 'dist')) !== synthOutput(path.join(WORK, 'dist-ts-node'))) {
    throw new Error('npm run synth and the ts-node run of the example app produce different YAML');
  }
  const npmS = median(totals);
  return {
    synth_vs_ts_node: withTsNode ? round(npmS / median(tsNode)) : null,
    npmRunSynthS: round(npmS),
    buildS: round(median(builds)),
    cdk8sSynthS: round(median(synths)),
    tsNodeS: withTsNode ? round(median(tsNode)) : null,
    ...(withTsNode ? {} : { skipped: 'ts-node is not installed (node_modules/.bin/ts-node is missing): cdk8s\'s TypeScript template runs `npx ts-node main.ts`; it needs the devDependency ts-node 10.9.2 (with typescript 5.9.3 and @types/node 20.x, both present)' }),
    reps: totals.length,
  };
}
