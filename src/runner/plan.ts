// The pure core of `run`: manifests + options -> OCI runtime spec, bundle files, runsc flags, deadline, warnings.
import * as path from 'path';
import { BundleDir, BundleFile, BundleSymlink, MAX_BUNDLE_BYTES, OciMount, OciSpec } from './bundle';
import { checkBundlePlan } from './bundle-writer';
import { expandVars, resolveEnv } from './env';
import { RunnerError } from './errors';
import { SelectedWorkload, selectWorkload } from './manifests';
import { CPU_PERIOD_US, cpuQuotaUs, cpuShares, formatBytes, parseBytes, parseMillicores } from './quantity';
import { RootfsSource, planRootView } from './rootfs';
import { OCI_SECCOMP_ANNOTATION, SeccompMode, chooseSeccomp } from './seccomp';
import { TerminationMessagePolicy, planTerminationMessage } from './termination-message';
import { planVolumes } from './volumes';
import { KubeObject } from '../profile/kube';

/** Capabilities containerd gives a container before `drop`/`add` (Docker's default set). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** Size of /dev/shm, as containerd mounts it. */
export const SHM_SIZE_BYTES = 64 * 2 ** 20;

/**
 * The default cgroup pids limit of a sandbox, in host tasks: 1024. Under runsc (ptrace) every sandbox
 * process and thread costs host tasks: the Sentry's and Gofer's threads, and a ptrace stub process
 * with stub threads per address space. Measured: 33 to 38 for an idle python3, sh or node, 7 to 14
 * more per live process, up to 2 per busy thread, almost none per sleeping thread. 1024 gives the
 * code runner (about 50) a 20x margin and a 16-worker multiprocessing pool (about 260) a 4x margin,
 * and stops a fork bomb within seconds. It is the kubelet podPidsLimit many clusters use, and GKE
 * Sandbox counts the same host tasks against it.
 */
export const DEFAULT_PIDS_LIMIT = 1024;

/** Largest UID or GID Kubernetes accepts in a securityContext (2^31 - 1). */
export const MAX_POD_ID = 2_147_483_647;

/** Longest single argument or environment string execve takes, NUL included (Linux and gVisor: 32 pages). */
export const MAX_EXEC_STRING_BYTES = 128 * 1024;

/** Most bytes of arguments plus environment execve takes (gVisor's limit, and Linux's with the default 8 MiB stack). */
export const MAX_EXEC_TOTAL_BYTES = 2 * 2 ** 20;

/** Everything the plan is computed from. */
export interface RunPlanInput {
  /** All objects from the manifest files. */
  readonly docs: readonly KubeObject[];
  /**
   * The workload to run: `name`, `Kind/name` or `Kind/namespace/name`.
   * @default - the only workload in the files
   */
  readonly workload?: string;
  /**
   * Run only a workload of this namespace; objects that name none are taken to live in it, as
   * `kubectl apply -n` places them.
   * @default - any namespace
   */
  readonly namespace?: string;
  /**
   * The container to run.
   * @default - the pod's first container
   */
  readonly container?: string;
  /** Absolute path of the bundle directory. */
  readonly bundleDir: string;
  /** The base root filesystem and its top-level entries. */
  readonly rootfs: RootfsSource;
  /** The runsc container id; also the (relative) cgroup path. */
  readonly containerId: string;
  /**
   * Kill the sandbox after this many seconds (the shorter of this and any activeDeadlineSeconds applies).
   * @default - only the manifest's activeDeadlineSeconds
   */
  readonly timeoutSeconds?: number;
  /**
   * A cgroup pids limit on the sandbox's host tasks (runsc's threads, and ptrace stub processes and
   * threads: about 35 idle, 7 to 14 per sandbox process). Kubernetes sets none per pod (the kubelet's
   * podPidsLimit is per node). At the limit runsc's sandbox crashes (a Go panic: "resource temporarily
   * unavailable"), so the run fails instead of exhausting the host's PIDs.
   * @default DEFAULT_PIDS_LIMIT (1024)
   */
  readonly pidsLimit?: number;
  /**
   * Run a container that would run as UID 0 (no runAsUser anywhere, or runAsUser 0): root inside the
   * sandbox. Refused unless this is true (the CLI's --allow-root).
   * @default false
   */
  readonly allowRoot?: boolean;
  /**
   * Apply the pod's seccompProfile inside the sandbox even without the pod annotation
   * `dev.gvisor.flag.oci-seccomp: "true"` (the CLI's --oci-seccomp).
   * @default false
   */
  readonly ociSeccomp?: boolean;
  /** cgroup controllers the host offers (`memory`, `cpu`, `pids`): limits need them to be enforced. */
  readonly cgroupControllers: readonly string[];
}

/** The plan for one run: what to write and how to start runsc. */
export interface RunPlan {
  /** `Kind/name` of the workload. */
  readonly workload: string;
  /** The workload's namespace, if the manifest (or the namespace option) names one. */
  readonly namespace?: string;
  /** The container run. */
  readonly container: string;
  /** The OCI runtime spec (`config.json`). */
  readonly spec: OciSpec;
  /** Directories, files and symlinks to create under the bundle directory (in order). */
  readonly dirs: BundleDir[];
  readonly files: BundleFile[];
  readonly symlinks: BundleSymlink[];
  /** Host paths that must exist (mount points inside read-only bound directories). */
  readonly requiredPaths: string[];
  /** Flags for runsc before the subcommand (besides --root and --log). */
  readonly runscFlags: string[];
  /** The deadline in seconds, if any. */
  readonly deadlineSeconds?: number;
  /** Where the deadline comes from, e.g. `Job activeDeadlineSeconds`. */
  readonly deadlineSource?: string;
  /** The memory limit in bytes, if one is enforced. */
  readonly memoryLimitBytes?: number;
  /** Which seccomp filter runs inside the sandbox. */
  readonly seccomp: SeccompMode;
  /** The container's termination message: its path, its policy, and the host file bound there (absolute). */
  readonly terminationMessage: { readonly path: string; readonly policy: TerminationMessagePolicy; readonly hostFile: string };
  /** What is not enforced or differs from the cluster: printed before the run. */
  readonly warnings: string[];
}

/** The first defined value. */
function first<T>(...values: (T | undefined)[]): T | undefined {
  return values.find((v) => v !== undefined);
}

/** The pod name the run pretends to have (a Job's pods are `<job>-<suffix>`). */
export function podNameOf(workload: SelectedWorkload): string {
  const name = workload.object.metadata?.name ?? 'workload';
  return (workload.object.kind === 'Pod' ? name : `${name}-local`).slice(0, 63).replace(/[-.]+$/, '');
}

/** A DNS-1123 subdomain, as pod and workload names are. */
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The pod's hostname, after checking that the name it comes from is a DNS-1123 subdomain (it goes into /etc/hosts and /etc/hostname). */
function checkedPodName(workload: SelectedWorkload): string {
  const name = workload.object.metadata?.name;
  if (name !== undefined && (typeof name !== 'string' || name.length > 253 || !DNS1123_SUBDOMAIN.test(name))) {
    throw new RunnerError(`${workload.ref}: metadata.name ${JSON.stringify(name)} is not a valid name (allowed: a DNS-1123 subdomain of at most 253 characters: lower-case letters, digits, "-" and ".")`);
  }
  return podNameOf(workload);
}

/** A UID or GID from a securityContext, checked as the API server checks it (an integer from 0 to 2^31 - 1). */
function checkId(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_POD_ID) {
    throw new RunnerError(`${field}: ${JSON.stringify(value) ?? String(value)} is not a valid ID (allowed: an integer from 0 to ${MAX_POD_ID})`);
  }
  return value;
}

/** The deadline: the shortest of the Job's and pod's activeDeadlineSeconds and the timeout option. */
export function deadlineOf(workload: SelectedWorkload, timeoutSeconds?: number): { seconds?: number; source?: string } {
  const candidates: [number | undefined, string][] = [
    [workload.jobSpec?.activeDeadlineSeconds, `${workload.object.kind} activeDeadlineSeconds`],
    [workload.podSpec.activeDeadlineSeconds, 'pod activeDeadlineSeconds'],
    [timeoutSeconds, '--timeout'],
  ];
  let best: { seconds?: number; source?: string } = {};
  for (const [seconds, source] of candidates) {
    if (seconds === undefined || seconds === null) continue;
    if (typeof seconds !== 'number' || !(seconds > 0)) throw new RunnerError(`${source} must be a positive number of seconds, got ${JSON.stringify(seconds)}`);
    if (best.seconds === undefined || seconds < best.seconds) best = { seconds, source };
  }
  return best;
}

/** OCI capability sets from a container's `capabilities` (drop/add over containerd's defaults). */
export function capabilitiesOf(caps: { add?: string[]; drop?: string[] } | undefined, uid: number): OciSpec['process']['capabilities'] {
  const norm = (c: string) => (String(c).toUpperCase().startsWith('CAP_') ? String(c).toUpperCase() : `CAP_${String(c).toUpperCase()}`);
  const drop = (caps?.drop ?? []).map(norm);
  let set = drop.includes('CAP_ALL') ? [] : DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c));
  for (const add of (caps?.add ?? []).map(norm)) if (!set.includes(add)) set = [...set, add];
  // A non-root process keeps no effective capabilities across exec (no ambient set), as in the cluster.
  const active = uid === 0 ? set : [];
  return { bounding: set, effective: active, inheritable: [], permitted: active, ambient: [] };
}

/** Plans a run: validates the pod against what can be mapped, and says what is not enforced. */
export function buildRunPlan(input: RunPlanInput): RunPlan {
  const workload = selectWorkload(input.docs, input.workload, input.container, input.namespace);
  const pod = workload.podSpec;
  const container = workload.container;
  const podSc = pod.securityContext ?? {};
  const sc = container.securityContext ?? {};
  const warnings: string[] = [];
  const where = `${workload.ref}, container ${container.name}`;

  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (pod[field] === true) throw new RunnerError(`${workload.ref}: ${field}: true cannot run in a sandbox (it shares the host's namespace); remove it`);
  }
  if (sc.privileged === true) throw new RunnerError(`${where}: privileged: true cannot run in a sandbox (and gVisor refuses it on GKE); remove it`);
  if (!Array.isArray(container.command) || container.command.length === 0) {
    throw new RunnerError(`${where}: no command; the image's entrypoint is unknown here (images are not pulled), so set command (and args)`);
  }

  // User and groups.
  const containerField = `${where}: securityContext`;
  const podField = `${workload.ref}: pod securityContext`;
  const uid = first<number>(checkId(sc.runAsUser, `${containerField}.runAsUser`), checkId(podSc.runAsUser, `${podField}.runAsUser`));
  const gid = first<number>(checkId(sc.runAsGroup, `${containerField}.runAsGroup`), checkId(podSc.runAsGroup, `${podField}.runAsGroup`)) ?? 0;
  const runAsNonRoot = first<boolean>(sc.runAsNonRoot, podSc.runAsNonRoot);
  if (uid === undefined) {
    if (runAsNonRoot) throw new RunnerError(`${where}: runAsNonRoot is true but no runAsUser is set; the image's user is unknown here, so set a numeric runAsUser`);
  }
  const effectiveUid = uid ?? 0;
  if (runAsNonRoot && effectiveUid === 0) throw new RunnerError(`${where}: runAsNonRoot is true but runAsUser is 0; the kubelet refuses to start such a container`);
  if (effectiveUid === 0) {
    const field = sc.runAsUser !== undefined && sc.runAsUser !== null ? 'the container\'s securityContext.runAsUser' : 'the pod\'s securityContext.runAsUser';
    const given = uid === undefined ? 'runAsUser is not set (neither in the container\'s nor in the pod\'s securityContext), and the image\'s user is unknown here' : `${field} is 0`;
    if (input.allowRoot !== true) {
      throw new RunnerError(`${where}: would run as UID 0 (root inside the sandbox): ${given}; set securityContext.runAsUser to a non-zero UID (e.g. 65534), or pass --allow-root to run it as root`);
    }
    warnings.push(`${uid === undefined ? 'no runAsUser: the image\'s user is unknown here, so the container' : 'runAsUser is 0: the container'} runs as UID 0 (root inside the sandbox), allowed by --allow-root`);
  }
  const fsGroup = checkId(podSc.fsGroup, `${podField}.fsGroup`);
  const supplementalGroups = podSc.supplementalGroups ?? [];
  if (!Array.isArray(supplementalGroups)) throw new RunnerError(`${podField}.supplementalGroups: ${JSON.stringify(supplementalGroups)} is not a list of IDs`);
  supplementalGroups.forEach((g: unknown, i: number) => checkId(g, `${podField}.supplementalGroups[${i}]`));
  const additionalGids = [...new Set([...(fsGroup !== undefined ? [fsGroup] : []), ...supplementalGroups as number[]])].filter((g) => g !== gid);
  const podName = checkedPodName(workload);

  // Resources.
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  const hasController = (name: string) => input.cgroupControllers.includes(name);
  const resources: { memory?: { limit: number }; cpu?: { quota?: number; period?: number; shares?: number }; pids?: { limit: number } } = {};
  let memoryLimitBytes: number | undefined;
  if (limits.memory !== undefined) {
    // 0 would mean "no limit" to runsc, so the smallest memory limit is 1 byte.
    const bytes = parseBytes(limits.memory, `${where}: limits.memory`, { min: 1 });
    if (hasController('memory')) { resources.memory = { limit: bytes }; memoryLimitBytes = bytes; } else warnings.push(`memory limit ${limits.memory} is NOT enforced: the host offers no memory cgroup controller`);
  } else {
    warnings.push('no memory limit in the manifest: the sandbox\'s memory is not limited');
  }
  if (limits.cpu !== undefined || requests.cpu !== undefined) {
    if (hasController('cpu')) {
      resources.cpu = {
        ...(limits.cpu !== undefined ? { quota: cpuQuotaUs(parseMillicores(limits.cpu, `${where}: limits.cpu`)), period: CPU_PERIOD_US } : {}),
        ...(requests.cpu !== undefined ? { shares: cpuShares(parseMillicores(requests.cpu, `${where}: requests.cpu`)) } : {}),
      };
    } else if (limits.cpu !== undefined) {
      warnings.push(`CPU limit ${limits.cpu} is NOT enforced: the host offers no cpu cgroup controller`);
    }
  }
  if (limits.cpu === undefined) warnings.push('no CPU limit in the manifest: the sandbox may use every CPU');
  const pidsLimit = input.pidsLimit ?? DEFAULT_PIDS_LIMIT;
  if (!Number.isSafeInteger(pidsLimit) || pidsLimit < 1) throw new RunnerError(`pids limit must be a positive integer, got ${input.pidsLimit}`);
  const pidsSource = input.pidsLimit === undefined ? `the default of ${DEFAULT_PIDS_LIMIT}` : `--pids-limit ${pidsLimit}; the default is ${DEFAULT_PIDS_LIMIT}`;
  if (hasController('pids')) {
    resources.pids = { limit: pidsLimit };
    warnings.push(`PID limit: the sandbox may use at most ${pidsLimit} host tasks (${pidsSource}); runsc's own threads and ptrace stubs count (about 35 idle, 7 to 14 per process), and at the limit the sandbox crashes and the run fails; in a cluster the kubelet's podPidsLimit applies instead`);
  } else {
    warnings.push(`pids limit ${pidsLimit} (${pidsSource}) is NOT enforced: the host offers no pids cgroup controller`);
  }
  let ephemeralLimitBytes: number | undefined;
  if (limits['ephemeral-storage'] !== undefined) {
    // It caps emptyDirs without sizeLimit, and a tmpfs of size 0 would be unlimited: at least 1 byte.
    ephemeralLimitBytes = parseBytes(limits['ephemeral-storage'], `${where}: limits.ephemeral-storage`, { min: 1 });
    warnings.push(`ephemeral-storage limit ${limits['ephemeral-storage']} is NOT enforced as a total here: each emptyDir is a tmpfs capped at its own size, and the root is read-only or in memory`);
  }

  // Filesystem: skeleton root with the base bound read-only, then the volumes.
  const root = planRootView(input.rootfs, { uid: effectiveUid, gid, groups: additionalGids, hostname: podName });
  const volumes = planVolumes({ docs: input.docs, workload, podName, bundleDir: input.bundleDir, fsGroup, memoryLimitBytes, ephemeralLimitBytes });
  // The termination message file is bound writable, as the kubelet binds it, and planned as one more volume file.
  const termination = planTerminationMessage(container, input.bundleDir, where, volumes.mounts);
  volumes.mounts.push(termination.mount);
  volumes.files.push(termination.file);
  warnings.push(...volumes.warnings);
  const readOnlyRoot = sc.readOnlyRootFilesystem === true;
  const runscFlags = ['--network=none', '--oci-seccomp'];
  if (!readOnlyRoot) {
    // The root only: an overlay on writable bind mounts would keep the termination message inside the sandbox.
    runscFlags.push('--overlay2=root:memory');
    warnings.push('readOnlyRootFilesystem is not true: the root is writable through an in-memory overlay (writes vanish at exit); the base\'s directories stay read-only');
  }
  const dirs: BundleDir[] = [...root.dirs, ...volumes.dirs];
  let files: BundleFile[] = [...root.files, ...volumes.files];
  const requiredPaths: string[] = [];
  const skeletonPaths = new Set(root.dirs.map((d) => d.path));
  const links = new Map(root.symlinks.map((l) => [l.path, l.target]));
  const bundleFiles = new Set(volumes.files.map((f) => `${input.bundleDir}/${f.path}`));
  const tmpfsDestinations = volumes.mounts.filter((m) => m.type === 'tmpfs').map((m) => m.destination);
  const under = (p: string, parent: string) => p === parent || p.startsWith(`${parent}/`);
  for (const mount of volumes.mounts) {
    const dest = mount.destination;
    if (tmpfsDestinations.some((t) => t !== dest && under(dest, t))) continue; // created inside the tmpfs by the sandbox
    const top = dest.split('/')[1];
    if (root.bound.has(top)) {
      requiredPaths.push(path.posix.join(input.rootfs.path, dest));
      continue;
    }
    // Mount points live in the skeleton: create them (and their parents) so runsc creates nothing.
    const parts = dest.split('/').filter(Boolean);
    const isFile = mount.type === 'bind' && bundleFiles.has(mount.source);
    for (let i = 1; i <= parts.length; i++) {
      const rel = `${root.rootDir}/${parts.slice(0, i).join('/')}`;
      const shownPath = `/${parts.slice(0, i).join('/')}`;
      if (links.has(rel)) {
        throw new RunnerError(`${where}: mountPath ${dest} is ${i === parts.length ? 'at' : 'under'} ${shownPath}, a symlink (to ${links.get(rel)}) in the root filesystem; mount the volume at the path it points to`);
      }
      const planned = files.find((f) => f.path === rel);
      if (i === parts.length && isFile) {
        if (skeletonPaths.has(rel)) throw new RunnerError(`${where}: mountPath ${dest} is a directory of the root filesystem; a file (subPath) cannot be mounted over it`);
        if (!planned) files.push({ path: rel, content: Buffer.alloc(0), mode: 0o444 }); // a generated /etc file is a mount point as it is
        break;
      }
      // A directory mount at or above a generated file (e.g. /etc/hosts) hides that file: drop it.
      if (planned) files = files.filter((f) => f !== planned);
      if (!skeletonPaths.has(rel)) { skeletonPaths.add(rel); dirs.push({ path: rel, mode: 0o755 }); }
    }
  }
  const fileBytes = files.reduce((sum, f) => sum + f.content.length, 0);
  if (fileBytes > MAX_BUNDLE_BYTES) {
    throw new RunnerError(`${workload.ref}: the mounted volumes would write ${fileBytes} bytes (${formatBytes(fileBytes)}) to the bundle on this host; at most ${MAX_BUNDLE_BYTES} (${formatBytes(MAX_BUNDLE_BYTES)}) are allowed`);
  }

  // Environment, command, working directory.
  const env = resolveEnv({ docs: input.docs, workload, podName });
  const vars = new Map(env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as [string, string]));
  const args = [...container.command, ...(container.args ?? [])].map((a: unknown) => expandVars(String(a), vars));
  const cwd = container.workingDir ? String(container.workingDir) : '/';
  if (!path.posix.isAbsolute(cwd)) throw new RunnerError(`${where}: workingDir "${cwd}" must be an absolute path`);
  checkExecSize(where, args, env);

  // What the cluster applies that this run does not.
  // The top-level entries only: the links of the generated /etc (mtab, alternatives) are not the host's.
  const shown = [...root.mounts.map((m) => m.destination), ...root.symlinks.filter((l) => !l.path.includes('/etc/')).map((l) => `/${path.posix.basename(l.path)}`)].sort();
  warnings.unshift(`image ${container.image ?? '(none)'} is not pulled: the root filesystem is ${input.rootfs.hostRoot ? `a read-only view of this host's ${shown.join(' ')}, with a generated /etc (passwd, group, hosts, hostname, nsswitch.conf, and the alternatives links into those directories; not the host's)` : `a read-only view of ${input.rootfs.path}`}`);
  const capabilities = capabilitiesOf(sc.capabilities, effectiveUid);
  const seccomp = chooseSeccomp({
    profile: first<{ type?: string }>(sc.seccompProfile, podSc.seccompProfile),
    annotation: workload.podAnnotations[OCI_SECCOMP_ANNOTATION],
    requested: input.ociSeccomp, bounding: capabilities.bounding, where,
  });
  if (seccomp.note) warnings.push(seccomp.note);
  for (const field of ['seLinuxOptions', 'appArmorProfile', 'windowsOptions', 'procMount'] as const) {
    if (sc[field] !== undefined || podSc[field] !== undefined) warnings.push(`${field} is not applied locally`);
  }
  if ((podSc.sysctls ?? []).length) warnings.push('pod sysctls are not applied locally');
  if (workload.skippedContainers.length) warnings.push(`only container ${container.name} runs; not run: ${workload.skippedContainers.join(', ')}`);
  const backoffLimit = workload.jobSpec?.backoffLimit;
  if (workload.jobSpec && backoffLimit !== 0) warnings.push(`backoffLimit is ${backoffLimit ?? '6 (default)'}: the cluster would retry a failed pod; this runs it once`);
  const deadline = deadlineOf(workload, input.timeoutSeconds);
  if (deadline.seconds === undefined) warnings.push('no deadline (activeDeadlineSeconds or --timeout): the workload runs until it exits or is interrupted');

  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: [] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${SHM_SIZE_BYTES}`] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    ...root.mounts,
    ...[...volumes.mounts].sort((a, b) => a.destination.split('/').length - b.destination.split('/').length),
  ];
  const spec: OciSpec = {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: effectiveUid, gid, ...(additionalGids.length ? { additionalGids } : {}) },
      args,
      env,
      cwd,
      capabilities,
      noNewPrivileges: sc.allowPrivilegeEscalation === false,
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1048576 }],
    },
    root: { path: `${input.bundleDir}/${root.rootDir}`, readonly: readOnlyRoot },
    hostname: podName,
    mounts,
    linux: {
      namespaces: ['pid', 'network', 'ipc', 'uts', 'mount'].map((type) => ({ type })),
      cgroupsPath: input.containerId,
      ...(Object.keys(resources).length ? { resources } : {}),
      seccomp: seccomp.filter,
    },
  };
  // Every bind source is a base root entry, or a directory or file of the bundle (proven by the writer again on disk).
  const rootSources = new Set(root.mounts.map((m) => m.source));
  for (const mount of volumes.mounts) {
    if (mount.type === 'bind' && !rootSources.has(mount.source) && !under(path.posix.normalize(mount.source), input.bundleDir)) {
      throw new RunnerError(`${where}: the bind-mount source ${mount.source} of ${mount.destination} is outside the bundle ${input.bundleDir}`);
    }
  }
  const plan: RunPlan = {
    workload: workload.ref,
    ...(workload.namespace !== undefined ? { namespace: workload.namespace } : {}),
    container: container.name,
    spec,
    dirs,
    files,
    symlinks: root.symlinks,
    requiredPaths,
    runscFlags,
    ...(deadline.seconds !== undefined ? { deadlineSeconds: deadline.seconds, deadlineSource: deadline.source } : {}),
    ...(memoryLimitBytes !== undefined ? { memoryLimitBytes } : {}),
    seccomp: seccomp.mode,
    terminationMessage: { path: termination.path, policy: termination.policy, hostFile: termination.mount.source },
    warnings,
  };
  // The same lexical checks the writer makes: clean relative paths, parents first, caps, bind sources in the bundle.
  checkBundlePlan(input.bundleDir, plan);
  return plan;
}

/**
 * Refuses a command line and environment that execve would refuse: a string over 128 KiB, or over 2 MiB
 * in all (measured under this runsc: 131072 bytes with the NUL pass, 140000 fail with ENAMETOOLONG; 2.0 MB
 * in all pass, 2.2 MB fail). This also bounds config.json.
 */
function checkExecSize(where: string, args: readonly string[], env: readonly string[]): void {
  let total = 0;
  for (const [kind, list] of [['argument', args], ['environment variable', env]] as const) {
    for (const text of list) {
      const bytes = Buffer.byteLength(text) + 1;
      if (bytes > MAX_EXEC_STRING_BYTES) {
        throw new RunnerError(`${where}: ${kind} ${JSON.stringify(text.slice(0, 40))}... is ${bytes} bytes; execve takes at most ${MAX_EXEC_STRING_BYTES} (${formatBytes(MAX_EXEC_STRING_BYTES)}) per string, so it would fail in the cluster too (E2BIG on Linux, ENAMETOOLONG under gVisor)`);
      }
      total += bytes;
    }
  }
  if (total > MAX_EXEC_TOTAL_BYTES) {
    throw new RunnerError(`${where}: the command and environment hold ${total} bytes (${formatBytes(total)}); execve takes at most ${MAX_EXEC_TOTAL_BYTES} (${formatBytes(MAX_EXEC_TOTAL_BYTES)}) in all, so it would fail in the cluster too (E2BIG)`);
  }
}
