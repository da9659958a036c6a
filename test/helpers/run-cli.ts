// `cdk8s-sandbox run ...args` in-process, for the runner's CLI tests: what it wrote, its exit code, or what it threw.
import { createProgram } from '../../src/cli/main';

/** What one in-process run of the command gave. */
export interface CliRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  readonly error?: any;
}

/** Runs `cdk8s-sandbox run ...args` in-process, capturing the process's stdout and stderr. */
export async function runCli(...args: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => { out.push(String(chunk)); return true; });
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => { err.push(String(chunk)); return true; });
  const before = process.exitCode;
  try {
    await createProgram().parseAsync(['node', 'cdk8s-sandbox', 'run', ...args]);
    return { stdout: out.join(''), stderr: err.join(''), exitCode: Number(process.exitCode ?? 0) };
  } catch (error: any) {
    return { stdout: out.join(''), stderr: err.join(''), exitCode: error?.exitCode ?? 1, error };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    process.exitCode = before;
  }
}
