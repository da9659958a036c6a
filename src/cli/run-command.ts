// The `run` subcommand: runs a synthesized workload locally under gVisor (runsc) with the cluster's hardening.
import { Command, InvalidArgumentError, Option } from 'commander';
import * as os from 'os';
import {
  DEFAULT_OUTPUT_TAIL_BYTES, DEFAULT_PIDS_LIMIT, OCI_SECCOMP_ANNOTATION, RunResult, RunWorkloadOptions, TERMINATION_LOG_HOST_MAX_BYTES, formatBytes, planWorkload,
  runReportOf, runWorkload,
} from '../runner/internal';

/** Exit code when the deadline killed the workload (as coreutils `timeout`). */
export const DEADLINE_EXIT_CODE = 124;

/** Options of `cdk8s-sandbox run` as commander parses them. */
interface RunCommandOptions {
  readonly workload?: string;
  readonly namespace?: string;
  readonly container?: string;
  readonly rootfs?: string;
  readonly timeout?: number;
  readonly pidsLimit?: number;
  readonly runsc?: string;
  readonly allowRoot?: boolean;
  readonly ociSeccomp?: boolean;
  readonly output: 'text' | 'json';
  readonly printSpec?: boolean;
}

function positiveInteger(what: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be a whole number of at least 1, got "${value}"`);
    return n;
  };
}

/** The exit code of the command for a run's result. */
export function exitCodeOf(result: RunResult): number {
  if (result.interrupted) return 128 + (os.constants.signals[result.interrupted as NodeJS.Signals] ?? 2);
  if (result.deadlineExceeded) return DEADLINE_EXIT_CODE;
  return result.exitCode;
}

/** The closing line printed to stderr after a run, if the run needs one. */
export function summaryOf(result: RunResult): string | undefined {
  if (result.interrupted) return `interrupted by ${result.interrupted}: sandbox killed and removed`;
  if (result.deadlineExceeded) {
    return `deadline exceeded: sandbox killed after ${result.deadlineSeconds} s (${result.deadlineSource}); in the cluster the Job fails with reason DeadlineExceeded`;
  }
  if (result.runscError) return `runsc failed (exit ${result.exitCode}): ${result.runscError}`;
  if (result.stoppedBy === 'termination-message-size') {
    return `sandbox killed: the container wrote more than ${formatBytes(TERMINATION_LOG_HOST_MAX_BYTES)} to its terminationMessagePath, the one file it writes on this host (the kubelet keeps only the last 4 KiB)`;
  }
  if (result.stoppedBy === 'oom') {
    const kills = result.memoryEvents?.oomKills ?? 0;
    return `killed by the kernel's OOM killer (exit ${result.exitCode}, ${kills} OOM kill${kills === 1 ? '' : 's'}): the sandbox exceeded its memory limit of ${formatBytes(result.memoryLimitBytes ?? 0)}`;
  }
  if (result.stoppedBy === 'soft-timeout') {
    const t = result.softTimeout!;
    return `stopped by the command's own timeout after ${t.seconds} s${result.exitCode === 137 ? ` and SIGKILL${t.killAfterSeconds !== undefined ? ` ${t.killAfterSeconds} s later` : ''}` : ''} (exit ${result.exitCode}), before the runner's deadline`;
  }
  if (result.exitCode === 137 && result.memoryLimitBytes !== undefined && result.memoryEvents === undefined) {
    return `killed by SIGKILL (exit 137): the sandbox most likely exceeded its memory limit of ${formatBytes(result.memoryLimitBytes)}`;
  }
  return undefined;
}

/** Registers the `run` subcommand. */
export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('Run a synthesized workload (Job, Deployment, Pod, ...) locally in a gVisor sandbox with the same security context, volumes, limits and deadline the cluster applies. Needs runsc and root.')
    .argument('<manifest...>', 'YAML files with the workload and the ConfigMaps/Secrets it mounts')
    .option('-w, --workload <name>', 'workload to run, as name, Kind/name or Kind/namespace/name (needed when the files hold several)')
    .option('-n, --namespace <namespace>', 'run a workload of this namespace (objects that name none are taken to live in it)')
    .option('-c, --container <name>', 'container to run (default: the first)')
    .option('--rootfs <dir>', 'root filesystem to use, shown read-only (default: a read-only view of the host\'s /usr and /bin, /lib*, /sbin links, with a generated /etc)')
    .option('--timeout <seconds>', 'kill the sandbox after this many seconds; the shorter of this and activeDeadlineSeconds applies', positiveInteger('--timeout'))
    .option('--pids-limit <n>', `cgroup pids limit for the sandbox (counts gVisor's host threads and stubs, about 35 idle and 7-14 per process; reaching it crashes the sandbox; default ${DEFAULT_PIDS_LIMIT})`, positiveInteger('--pids-limit'))
    .option('--allow-root', 'run a pod that would run as UID 0 (no runAsUser, or runAsUser 0); refused otherwise')
    .option('--oci-seccomp', `apply the pod's seccompProfile inside the sandbox (RuntimeDefault: containerd's default profile) as if the pod carried the annotation ${OCI_SECCOMP_ANNOTATION}: "true"; a Localhost profile is refused`)
    .addOption(new Option('-o, --output <format>', 'text: the workload\'s output as it comes, then a closing line; json: the same on stderr, and one JSON object with the result on stdout').choices(['text', 'json']).default('text'))
    .option('--runsc <path>', 'runsc binary (default: runsc on PATH)')
    .option('--print-spec', 'print the OCI runtime spec (config.json) the run would use, and the notes; run nothing')
    .addHelpText('after', `
Streams the workload's output and exits with its exit code (with --output json, its stdout goes to stderr and
stdout gets one JSON object: workload, exitCode, stoppedBy, durationMs, byte counts, tails, the termination message
and the code run's result in it, notes); ${DEADLINE_EXIT_CODE} when the deadline killed it,
130/143/129 on SIGINT/SIGTERM/SIGHUP (the sandbox is killed and removed first), 2 for input errors. What runsc
cannot enforce here is printed as a note. The deadline is also enforced by a watchdog process that outlives
this one: if this process is killed, the sandbox is killed and removed, and a later run sweeps any leftovers.`)
    .action(async (manifests: string[], opts: RunCommandOptions) => {
      const options: RunWorkloadOptions = {
        manifests,
        workload: opts.workload,
        namespace: opts.namespace,
        container: opts.container,
        rootfs: opts.rootfs,
        timeoutSeconds: opts.timeout,
        pidsLimit: opts.pidsLimit,
        runsc: opts.runsc,
        allowRoot: opts.allowRoot === true,
        ociSeccomp: opts.ociSeccomp === true,
        // Output is streamed to the terminal; the result keeps only what the closing line and the report need.
        outputTailBytes: Math.min(DEFAULT_OUTPUT_TAIL_BYTES, 64 * 1024),
        echo: true,
        echoStdoutToStderr: opts.output === 'json',
      };
      if (opts.printSpec) {
        const plan = planWorkload(options);
        for (const warning of plan.warnings) process.stderr.write(`cdk8s-sandbox run: note: ${warning}\n`);
        process.stdout.write(`${JSON.stringify(plan.spec, null, 2)}\n`);
        return;
      }
      const result = await runWorkload(options);
      const summary = summaryOf(result);
      if (summary) process.stderr.write(`cdk8s-sandbox run: ${summary}\n`);
      if (opts.output === 'json') process.stdout.write(`${JSON.stringify(runReportOf(result))}\n`);
      process.exitCode = exitCodeOf(result);
    });
}
