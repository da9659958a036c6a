// Figure sandbox_cold_start (absolute, informational): seconds for `cdk8s-sandbox run` of the example app's code
// runner (dist/, Job user-code-run-12345) under gVisor, from starting the command to its exit.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { median, round } from './support/harness';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'lib', 'src', 'cli', 'main.js');
const MANIFEST = path.join(ROOT, 'dist', 'sandbox-example.k8s.yaml');
const WORKLOAD = 'Job/user-code-run-12345';

export interface ColdStartFigures {
  readonly sandbox_cold_start: number;
  readonly runsS: readonly number[];
  readonly runsc: string;
  readonly command: string;
}

function runscVersion(): string | undefined {
  try {
    return execFileSync('runsc', ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
  } catch {
    return undefined;
  }
}

export function coldStartFigures(reps: number): ColdStartFigures | { skipped: string } {
  const runsc = runscVersion();
  if (!runsc) return { skipped: 'runsc is not installed (apt-get install -y runsc)' };
  if (!fs.existsSync(CLI)) return { skipped: 'the cdk8s-sandbox command is not built (lib/src/cli/main.js)' };
  const args = [CLI, 'run', MANIFEST, '-w', WORKLOAD];
  const once = (): number => {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.status !== 0 || !result.stdout.includes('hello from the sandbox')) {
      throw new Error(`cdk8s-sandbox run exited with ${result.status}: ${(result.stderr || result.stdout).slice(-2000)}`);
    }
    return seconds;
  };
  once(); // warm-up: page cache
  const runs = Array.from({ length: Math.max(5, reps) }, once);
  return { sandbox_cold_start: round(median(runs), 2), runsS: runs.map((s) => round(s, 2)), runsc, command: `cdk8s-sandbox run dist/sandbox-example.k8s.yaml -w ${WORKLOAD}` };
}
