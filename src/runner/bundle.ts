// The shapes of an OCI bundle as the runner plans it: the runtime spec and the files to write.

/** One OCI mount (`config.json` `mounts[]`). */
export interface OciMount {
  readonly destination: string;
  readonly type: string;
  readonly source: string;
  readonly options: string[];
}

/** The subset of the OCI runtime spec (1.0) the runner writes. */
export interface OciSpec {
  readonly ociVersion: string;
  readonly process: {
    readonly terminal: boolean;
    readonly user: { readonly uid: number; readonly gid: number; readonly additionalGids?: number[] };
    readonly args: string[];
    readonly env: string[];
    readonly cwd: string;
    readonly capabilities: { readonly bounding: string[]; readonly effective: string[]; readonly inheritable: string[]; readonly permitted: string[]; readonly ambient: string[] };
    readonly noNewPrivileges: boolean;
    readonly rlimits: { readonly type: string; readonly hard: number; readonly soft: number }[];
  };
  readonly root: { readonly path: string; readonly readonly: boolean };
  readonly hostname: string;
  readonly mounts: OciMount[];
  readonly linux: {
    readonly namespaces: { readonly type: string }[];
    readonly cgroupsPath?: string;
    readonly resources?: {
      readonly memory?: { readonly limit: number };
      readonly cpu?: { readonly quota?: number; readonly period?: number; readonly shares?: number };
      readonly pids?: { readonly limit: number };
    };
    readonly seccomp?: OciSeccomp;
  };
}

/** An OCI seccomp profile (`linux.seccomp`), as runsc applies it inside the sandbox with `--oci-seccomp`. */
export interface OciSeccomp {
  readonly defaultAction: string;
  readonly architectures: string[];
  readonly syscalls: {
    readonly names: string[];
    readonly action: string;
    readonly errnoRet?: number;
    readonly args?: { readonly index: number; readonly value: number; readonly valueTwo: number; readonly op: string }[];
  }[];
}

/** A file to write under the bundle directory. */
export interface BundleFile {
  /** Path relative to the bundle directory. */
  readonly path: string;
  /** The bytes; an empty buffer for a bind-mount target. */
  readonly content: Buffer;
  /** Permission bits, e.g. 0o444. */
  readonly mode: number;
  /** Group owner (the pod's fsGroup); owner stays root. */
  readonly gid?: number;
}

/** A directory to create under the bundle directory. */
export interface BundleDir {
  /** Path relative to the bundle directory. */
  readonly path: string;
  /** Permission bits, e.g. 0o755. */
  readonly mode: number;
  /** Group owner (the pod's fsGroup). */
  readonly gid?: number;
}

/** A symbolic link to create under the bundle directory. */
export interface BundleSymlink {
  /** Path relative to the bundle directory. */
  readonly path: string;
  /** The link's target, as written. */
  readonly target: string;
}

/**
 * The most bytes a bundle's files may hold in total (config.json included): 16 MiB. Kubernetes caps
 * each ConfigMap and Secret at 1 MiB; this caps the sum over all mounted volumes (and aliases of one
 * big value), so a manifest cannot fill the host's temporary directory.
 */
export const MAX_BUNDLE_BYTES = 16 * 2 ** 20;

/** The most directories, files and symlinks a bundle may hold (volume files, their directories, the skeleton root). */
export const MAX_BUNDLE_ENTRIES = 10_000;
