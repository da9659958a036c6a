// The sandbox's memory cgroup, made by the runner (cgroup v1) so that its OOM-kill count outlives runsc: runsc
// removes the cgroups it creates as the sandbox exits, but leaves one it finds alone, limit and all.
import * as fs from 'fs';
import * as path from 'path';
import { RunnerError } from './errors';

/** What the sandbox's memory cgroup recorded over the run. */
export interface MemoryEvents {
  /** Processes the kernel's OOM killer killed in the cgroup (`oom_kill` of memory.oom_control). */
  readonly oomKills: number;
  /** Times a charge hit the limit (memory.failcnt); the sandbox reclaims memory before an OOM kill. */
  readonly limitHits: number;
  /** The most memory the sandbox used at once, in bytes (memory.max_usage_in_bytes). */
  readonly peakBytes: number;
}

/** The v1 hierarchy path of `controller` in a `/proc/PID/cgroup` text (`ID:controllers:path`), if it is mounted as v1. */
export function ownCgroupV1Path(procCgroup: string, controller: string): string | undefined {
  for (const line of procCgroup.split('\n')) {
    const fields = line.split(':');
    if (fields.length < 3) continue;
    const [, controllers, ...rest] = fields;
    if (controllers.split(',').includes(controller)) return rest.join(':');
  }
  return undefined;
}

/**
 * Where runsc puts the memory cgroup of a sandbox whose `cgroupsPath` is the relative `containerId`: under the
 * runner's own v1 memory cgroup. Undefined on a host without a v1 memory hierarchy (cgroup v2 only).
 */
export function memoryCgroupDir(containerId: string, procCgroup: string, cgroupRoot = '/sys/fs/cgroup'): string | undefined {
  const own = ownCgroupV1Path(procCgroup, 'memory');
  if (own === undefined) return undefined;
  return path.join(cgroupRoot, 'memory', own, containerId);
}

/** The `oom_kill` count of a memory.oom_control text (kernels from 4.13 print it). */
export function parseOomKills(oomControl: string): number | undefined {
  const match = /^oom_kill (\d+)$/m.exec(oomControl);
  return match ? Number(match[1]) : undefined;
}

/**
 * Creates the sandbox's memory cgroup at `dir` with `limitBytes` as its limit, as runsc would have set it.
 * Returns false (nothing made) when the directory cannot be created, e.g. a read-only cgroupfs: runsc then
 * makes the cgroup itself and OOM kills go uncounted. A limit that cannot be set, or a cgroup that already
 * exists (runsc would use it unchanged), is an error: the run would not be bounded.
 */
export function prepareMemoryCgroup(dir: string, limitBytes: number): boolean {
  try {
    fs.mkdirSync(dir, { mode: 0o755 });
  } catch (err: any) {
    // runsc would take a cgroup that exists as it is, unlimited: never run in one this run did not make.
    if (err?.code === 'EEXIST') throw new RunnerError(`the sandbox's memory cgroup ${dir} already exists; remove it (rmdir) and run again`);
    return false;
  }
  const file = path.join(dir, 'memory.limit_in_bytes');
  let read: string | undefined;
  try {
    fs.writeFileSync(file, String(limitBytes));
    read = fs.readFileSync(file, 'utf8').trim();
  } catch (err: any) {
    throw new RunnerError(`cannot set the sandbox's memory limit in ${file}: ${err?.code ?? err?.message ?? err}`);
  }
  // The kernel rounds the limit down to whole pages.
  if (!(Math.abs(Number(read) - limitBytes) < 65536)) throw new RunnerError(`the sandbox's memory limit in ${file} reads ${read}, not ${limitBytes}`);
  return true;
}

/**
 * What the memory cgroup at `dir` recorded, or undefined when it cannot be read or nothing was ever charged to
 * it (the sandbox ran in another cgroup, so a count of 0 would say nothing).
 */
export function readMemoryEvents(dir: string): MemoryEvents | undefined {
  try {
    const oomKills = parseOomKills(fs.readFileSync(path.join(dir, 'memory.oom_control'), 'utf8'));
    const number = (file: string) => Number(fs.readFileSync(path.join(dir, file), 'utf8').trim());
    const peakBytes = number('memory.max_usage_in_bytes');
    if (oomKills === undefined || !(peakBytes > 0)) return undefined;
    return { oomKills, limitHits: number('memory.failcnt'), peakBytes };
  } catch {
    return undefined;
  }
}
