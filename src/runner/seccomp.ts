// The seccomp filters runsc applies inside the sandbox (`--oci-seccomp`): always one that refuses device nodes,
// and containerd's RuntimeDefault profile when the pod asks GKE Sandbox to apply its seccompProfile.
import { GVISOR_OCI_SECCOMP_ANNOTATION } from '../profile/defaults';
import { OciSeccomp } from './bundle';
import { RunnerError } from './errors';

/**
 * The pod annotation that makes GKE Sandbox apply the pod's seccompProfile inside the sandbox: an allow-listed
 * runsc flag override (`--oci-seccomp`), which containerd passes on with `pod_annotations = ["dev.gvisor.*"]`.
 * Without it gVisor ignores the profile and is itself the only syscall filter.
 */
export const OCI_SECCOMP_ANNOTATION = GVISOR_OCI_SECCOMP_ANNOTATION;

/** Which filter a run's sandbox applies: containerd's RuntimeDefault profile, or only the device-node filter. */
export type SeccompMode = 'runtime-default' | 'device-nodes';

/** The file-type bits of a mode, and the types `mknod` may create. */
const S_IFMT = 0o170000;
const DEVICE_TYPES = { S_IFCHR: 0o020000, S_IFBLK: 0o060000 };
const NODE_TYPES = { none: 0, S_IFREG: 0o100000, S_IFIFO: 0o010000, S_IFSOCK: 0o140000 };

/** The architectures containerd names in its default profile, by Node's `process.arch`. */
const ARCHITECTURES: { readonly [arch: string]: string[] } = {
  x64: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  arm64: ['SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64'],
};

/**
 * The seccomp filter every run gets: creating a character or block device node fails with EPERM. This runsc
 * lets a user without CAP_MKNOD create them (`mknod /tmp/x c 1 3` succeeds), though the kubelet's mounts
 * would refuse; FIFOs and sockets stay allowed. runsc applies it inside the sandbox (`--oci-seccomp`).
 */
export const DEVICE_NODE_SECCOMP: OciSeccomp = {
  defaultAction: 'SCMP_ACT_ALLOW',
  architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_AARCH64'],
  syscalls: Object.values(DEVICE_TYPES).flatMap((type) => [
    // mknod(path, mode, dev) and mknodat(dirfd, path, mode, dev): the mode is argument 1 and 2.
    { names: ['mknod'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, args: [{ index: 1, value: S_IFMT, valueTwo: type, op: 'SCMP_CMP_MASKED_EQ' }] },
    { names: ['mknodat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, args: [{ index: 2, value: S_IFMT, valueTwo: type, op: 'SCMP_CMP_MASKED_EQ' }] },
  ]),
};

/**
 * The syscalls containerd's RuntimeDefault profile allows without condition, as listed in
 * containerd/containerd contrib/seccomp/seccomp_default.go (`DefaultProfile`, the 1.7 line, commit 96929a5d),
 * which GKE applies for RuntimeDefault. Everything else fails with EPERM, unless a rule below allows it.
 */
export const CONTAINERD_DEFAULT_SYSCALLS: readonly string[] = [
  'accept', 'accept4', 'access', 'adjtimex', 'alarm', 'bind', 'brk', 'capget', 'capset', 'chdir', 'chmod', 'chown',
  'chown32', 'clock_adjtime', 'clock_adjtime64', 'clock_getres', 'clock_getres_time64', 'clock_gettime',
  'clock_gettime64', 'clock_nanosleep', 'clock_nanosleep_time64', 'close', 'close_range', 'connect',
  'copy_file_range', 'creat', 'dup', 'dup2', 'dup3', 'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_ctl_old',
  'epoll_pwait', 'epoll_pwait2', 'epoll_wait', 'epoll_wait_old', 'eventfd', 'eventfd2', 'execve', 'execveat', 'exit',
  'exit_group', 'faccessat', 'faccessat2', 'fadvise64', 'fadvise64_64', 'fallocate', 'fanotify_mark', 'fchdir',
  'fchmod', 'fchmodat', 'fchown', 'fchown32', 'fchownat', 'fcntl', 'fcntl64', 'fdatasync', 'fgetxattr', 'flistxattr',
  'flock', 'fork', 'fremovexattr', 'fsetxattr', 'fstat', 'fstat64', 'fstatat64', 'fstatfs', 'fstatfs64', 'fsync',
  'ftruncate', 'ftruncate64', 'futex', 'futex_time64', 'futex_waitv', 'futimesat', 'getcpu', 'getcwd', 'getdents',
  'getdents64', 'getegid', 'getegid32', 'geteuid', 'geteuid32', 'getgid', 'getgid32', 'getgroups', 'getgroups32',
  'getitimer', 'getpeername', 'getpgid', 'getpgrp', 'getpid', 'getppid', 'getpriority', 'getrandom', 'getresgid',
  'getresgid32', 'getresuid', 'getresuid32', 'getrlimit', 'get_robust_list', 'getrusage', 'getsid', 'getsockname',
  'getsockopt', 'get_thread_area', 'gettid', 'gettimeofday', 'getuid', 'getuid32', 'getxattr', 'inotify_add_watch',
  'inotify_init', 'inotify_init1', 'inotify_rm_watch', 'io_cancel', 'ioctl', 'io_destroy', 'io_getevents',
  'io_pgetevents', 'io_pgetevents_time64', 'ioprio_get', 'ioprio_set', 'io_setup', 'io_submit', 'io_uring_enter',
  'io_uring_register', 'io_uring_setup', 'ipc', 'kill', 'landlock_add_rule', 'landlock_create_ruleset',
  'landlock_restrict_self', 'lchown', 'lchown32', 'lgetxattr', 'link', 'linkat', 'listen', 'listxattr', 'llistxattr',
  '_llseek', 'lremovexattr', 'lseek', 'lsetxattr', 'lstat', 'lstat64', 'madvise', 'membarrier', 'memfd_create',
  'memfd_secret', 'mincore', 'mkdir', 'mkdirat', 'mknod', 'mknodat', 'mlock', 'mlock2', 'mlockall', 'mmap', 'mmap2',
  'mprotect', 'mq_getsetattr', 'mq_notify', 'mq_open', 'mq_timedreceive', 'mq_timedreceive_time64', 'mq_timedsend',
  'mq_timedsend_time64', 'mq_unlink', 'mremap', 'msgctl', 'msgget', 'msgrcv', 'msgsnd', 'msync', 'munlock',
  'munlockall', 'munmap', 'nanosleep', 'newfstatat', '_newselect', 'open', 'openat', 'openat2', 'pause',
  'pidfd_open', 'pidfd_send_signal', 'pipe', 'pipe2', 'poll', 'ppoll', 'ppoll_time64', 'prctl', 'pread64', 'preadv',
  'preadv2', 'prlimit64', 'process_mrelease', 'pselect6', 'pselect6_time64', 'pwrite64', 'pwritev', 'pwritev2',
  'read', 'readahead', 'readlink', 'readlinkat', 'readv', 'recv', 'recvfrom', 'recvmmsg', 'recvmmsg_time64',
  'recvmsg', 'remap_file_pages', 'removexattr', 'rename', 'renameat', 'renameat2', 'restart_syscall', 'rmdir',
  'rseq', 'rt_sigaction', 'rt_sigpending', 'rt_sigprocmask', 'rt_sigqueueinfo', 'rt_sigreturn', 'rt_sigsuspend',
  'rt_sigtimedwait', 'rt_sigtimedwait_time64', 'rt_tgsigqueueinfo', 'sched_getaffinity', 'sched_getattr',
  'sched_getparam', 'sched_get_priority_max', 'sched_get_priority_min', 'sched_getscheduler',
  'sched_rr_get_interval', 'sched_rr_get_interval_time64', 'sched_setaffinity', 'sched_setattr', 'sched_setparam',
  'sched_setscheduler', 'sched_yield', 'seccomp', 'select', 'semctl', 'semget', 'semop', 'semtimedop',
  'semtimedop_time64', 'send', 'sendfile', 'sendfile64', 'sendmmsg', 'sendmsg', 'sendto', 'setfsgid', 'setfsgid32',
  'setfsuid', 'setfsuid32', 'setgid', 'setgid32', 'setgroups', 'setgroups32', 'setitimer', 'setpgid', 'setpriority',
  'setregid', 'setregid32', 'setresgid', 'setresgid32', 'setresuid', 'setresuid32', 'setreuid', 'setreuid32',
  'setrlimit', 'set_robust_list', 'setsid', 'setsockopt', 'set_thread_area', 'set_tid_address', 'setuid', 'setuid32',
  'setxattr', 'shmat', 'shmctl', 'shmdt', 'shmget', 'shutdown', 'sigaltstack', 'signalfd', 'signalfd4',
  'sigprocmask', 'sigreturn', 'socket', 'socketcall', 'socketpair', 'splice', 'stat', 'stat64', 'statfs', 'statfs64',
  'statx', 'symlink', 'symlinkat', 'sync', 'sync_file_range', 'syncfs', 'sysinfo', 'tee', 'tgkill', 'time',
  'timer_create', 'timer_delete', 'timer_getoverrun', 'timer_gettime', 'timer_gettime64', 'timer_settime',
  'timer_settime64', 'timerfd_create', 'timerfd_gettime', 'timerfd_gettime64', 'timerfd_settime',
  'timerfd_settime64', 'times', 'tkill', 'truncate', 'truncate64', 'ugetrlimit', 'umask', 'uname', 'unlink',
  'unlinkat', 'utime', 'utimensat', 'utimensat_time64', 'utimes', 'vfork', 'vmsplice', 'wait4', 'waitid', 'waitpid',
  'write', 'writev',
];

/** Syscalls containerd's profile allows when the container's bounding set holds the capability. */
const BY_CAPABILITY: readonly [string, readonly string[]][] = [
  ['CAP_DAC_READ_SEARCH', ['open_by_handle_at']],
  ['CAP_SYS_ADMIN', [
    'bpf', 'clone', 'clone3', 'fanotify_init', 'fsconfig', 'fsmount', 'fsopen', 'fspick', 'lookup_dcookie', 'mount',
    'mount_setattr', 'move_mount', 'name_to_handle_at', 'open_tree', 'perf_event_open', 'quotactl', 'quotactl_fd',
    'setdomainname', 'sethostname', 'setns', 'syslog', 'umount', 'umount2', 'unshare',
  ]],
  ['CAP_SYS_BOOT', ['reboot']],
  ['CAP_SYS_CHROOT', ['chroot']],
  ['CAP_SYS_MODULE', ['delete_module', 'init_module', 'finit_module']],
  ['CAP_SYS_PACCT', ['acct']],
  ['CAP_SYS_PTRACE', ['kcmp', 'pidfd_getfd', 'process_madvise', 'process_vm_readv', 'process_vm_writev', 'ptrace']],
  ['CAP_SYS_RAWIO', ['iopl', 'ioperm']],
  ['CAP_SYS_TIME', ['settimeofday', 'stime', 'clock_settime', 'clock_settime64']],
  ['CAP_SYS_TTY_CONFIG', ['vhangup']],
  ['CAP_SYSLOG', ['syslog']],
  ['CAP_BPF', ['bpf']],
  ['CAP_PERFMON', ['perf_event_open']],
];

/** Syscalls containerd's profile allows on one architecture only. */
const BY_ARCHITECTURE: { readonly [arch: string]: readonly string[] } = {
  x64: ['arch_prctl', 'modify_ldt'],
  arm64: ['arm_fadvise64_64', 'arm_sync_file_range', 'sync_file_range2', 'breakpoint', 'cacheflush', 'set_tls'],
};

/** The personas `personality` may set under containerd's profile (Linux, Linux32, UNAME26 and both, query). */
const ALLOWED_PERSONAS = [0x0, 0x0008, 0x20000, 0x20008, 0xffffffff];

/** The namespace flags of clone(2): without CAP_SYS_ADMIN, clone may set none of them. */
const CLONE_NAMESPACE_FLAGS = 0x00020000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x02000000;

/**
 * ENOSYS: containerd has clone3 fail with it without CAP_SYS_ADMIN, so that glibc falls back to clone
 * (moby/moby#42681). runsc ignores errnoRet (google/gvisor#14688) and returns EPERM, as in the cluster.
 */
const ENOSYS = 38;

type SyscallRule = OciSeccomp['syscalls'][number];

/**
 * containerd's RuntimeDefault seccomp profile for a container with the `bounding` capabilities, as
 * `DefaultProfile` builds it (allowlist, EPERM for the rest), with one change: `mknod` and `mknodat` are
 * allowed only for regular files, FIFOs and sockets, so character and block device nodes fail with EPERM
 * as under DEVICE_NODE_SECCOMP. ptrace is allowed, as containerd does on host kernels from 4.8.
 */
export function runtimeDefaultSeccomp(bounding: readonly string[], arch: string = process.arch): OciSeccomp {
  const allow = (names: readonly string[]): SyscallRule => ({ names: [...names], action: 'SCMP_ACT_ALLOW' });
  const syscalls: SyscallRule[] = [allow(CONTAINERD_DEFAULT_SYSCALLS.filter((name) => name !== 'mknod' && name !== 'mknodat'))];
  for (const type of Object.values(NODE_TYPES)) {
    syscalls.push({ names: ['mknod'], action: 'SCMP_ACT_ALLOW', args: [{ index: 1, value: S_IFMT, valueTwo: type, op: 'SCMP_CMP_MASKED_EQ' }] });
    syscalls.push({ names: ['mknodat'], action: 'SCMP_ACT_ALLOW', args: [{ index: 2, value: S_IFMT, valueTwo: type, op: 'SCMP_CMP_MASKED_EQ' }] });
  }
  for (const persona of ALLOWED_PERSONAS) {
    syscalls.push({ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: persona, valueTwo: 0, op: 'SCMP_CMP_EQ' }] });
  }
  syscalls.push(allow(['ptrace']));
  if (BY_ARCHITECTURE[arch]) syscalls.push(allow(BY_ARCHITECTURE[arch]));
  for (const [capability, names] of BY_CAPABILITY) if (bounding.includes(capability)) syscalls.push(allow(names));
  if (!bounding.includes('CAP_SYS_ADMIN')) {
    syscalls.push({ names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] });
    syscalls.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS });
  }
  return { defaultAction: 'SCMP_ACT_ERRNO', architectures: ARCHITECTURES[arch] ?? [], syscalls };
}

/**
 * A Kubernetes annotation's value as runsc reads a boolean flag (Go's strconv.ParseBool): `true`, `1`, `t`
 * and `True`/`TRUE` are true, their opposites false; anything else is an error, as it would fail the pod.
 */
export function parseFlagBoolean(value: string, what: string): boolean {
  if (['1', 't', 'T', 'true', 'True', 'TRUE'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'False', 'FALSE'].includes(value)) return false;
  throw new RunnerError(`${what}: ${JSON.stringify(value)} is not a boolean (allowed: "true" or "false"); runsc would refuse the pod`);
}

/** What decides a run's seccomp filter. */
export interface SeccompChoiceInput {
  /**
   * The container's seccompProfile (its own, else the pod's).
   * @default - none (the kubelet's default: Unconfined)
   */
  readonly profile?: { readonly type?: string; readonly localhostProfile?: string };
  /**
   * The pod template's `dev.gvisor.flag.oci-seccomp` annotation.
   * @default - none (GKE Sandbox then ignores the profile)
   */
  readonly annotation?: string;
  /**
   * Apply the profile though the pod does not ask for it (the CLI's --oci-seccomp).
   * @default false
   */
  readonly requested?: boolean;
  /** The container's bounding capabilities (containerd's profile allows more syscalls for some). */
  readonly bounding: readonly string[];
  /** The container, for messages. */
  readonly where: string;
}

/** The filter chosen for a run, and the note that says so. */
export interface SeccompChoice {
  /** The OCI seccomp filter (`linux.seccomp`). */
  readonly filter: OciSeccomp;
  /** Which filter it is. */
  readonly mode: SeccompMode;
  /** The note printed before the run, if any. */
  readonly note?: string;
}

/** The seccompProfile types the API server accepts. */
const PROFILE_TYPES = ['RuntimeDefault', 'Localhost', 'Unconfined'];

/**
 * The seccomp filter of a run: containerd's RuntimeDefault profile when the profile is RuntimeDefault and the
 * pod carries the oci-seccomp annotation set to true (or `requested`); otherwise only the device-node filter,
 * as GKE Sandbox then applies no profile. A Localhost profile that would be applied is refused: the node's
 * profile files are not here.
 */
export function chooseSeccomp(input: SeccompChoiceInput): SeccompChoice {
  const type = input.profile?.type;
  if (type !== undefined && !PROFILE_TYPES.includes(type)) {
    throw new RunnerError(`${input.where}: seccompProfile.type ${JSON.stringify(type)} is not valid (allowed: ${PROFILE_TYPES.join(', ')})`);
  }
  const byAnnotation = input.annotation !== undefined && parseFlagBoolean(input.annotation, `pod annotation ${OCI_SECCOMP_ANNOTATION}`);
  const deviceNodes = { filter: DEVICE_NODE_SECCOMP, mode: 'device-nodes' as const };
  if (!byAnnotation && input.requested !== true) {
    if (type === undefined || type === 'Unconfined') return deviceNodes;
    return {
      ...deviceNodes,
      note: `seccompProfile ${type} is not applied: GKE Sandbox ignores the pod's profile unless the pod carries the annotation ${OCI_SECCOMP_ANNOTATION}: "true" (gVisor itself is then the syscall filter); here only a filter refusing device nodes (mknod of character and block devices) runs inside the sandbox; add the annotation or pass --oci-seccomp to apply the profile`,
    };
  }
  const by = byAnnotation ? `the pod annotation ${OCI_SECCOMP_ANNOTATION}: "${input.annotation}"` : '--oci-seccomp';
  if (type === 'Localhost') {
    throw new RunnerError(`${input.where}: seccompProfile Localhost (${input.profile?.localhostProfile ?? 'no localhostProfile'}) is requested by ${by}, but a node's profile files are not available here; use RuntimeDefault, or run without ${byAnnotation ? 'the annotation' : '--oci-seccomp'} to leave the profile unapplied as GKE Sandbox would`);
  }
  if (type === 'RuntimeDefault') {
    return {
      filter: runtimeDefaultSeccomp(input.bounding),
      mode: 'runtime-default',
      note: `seccompProfile RuntimeDefault is enforced inside the sandbox (requested by ${by}): containerd's default profile, so syscalls it does not allow fail with EPERM (e.g. unshare, mount, keyctl, add_key, bpf without CAP_SYS_ADMIN), and device nodes are refused; runsc ignores the profile's errnoRet (google/gvisor#14688), so clone3 fails with EPERM instead of ENOSYS and glibc 2.34 or later cannot start threads (Python: "can't start new thread"), as under GKE Sandbox with the annotation`,
    };
  }
  const given = type === undefined ? 'no seccompProfile is set, which the kubelet treats as Unconfined (unless it runs with --seccomp-default)' : 'the seccompProfile is Unconfined';
  return { ...deviceNodes, note: `seccomp is requested by ${by}, but ${given}: only the filter refusing device nodes runs inside the sandbox` };
}
