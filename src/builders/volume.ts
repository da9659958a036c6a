// Volumes a sandboxed pod may mount. Anything else goes through `fromRaw` and meets the profile's volume rule.

/** Options of a ConfigMap or Secret volume. */
export interface SandboxFileVolumeOptions {
  /**
   * File mode of the projected files.
   * @default 0o444 (read-only for everyone)
   */
  readonly defaultMode?: number;
  /**
   * Project only these keys, as `key -> relative path`.
   * @default - every key, under its own name
   */
  readonly items?: { [key: string]: string };
}

/** A volume of a sandboxed pod. */
export class SandboxVolume {
  /** Files from a ConfigMap, read-only by default. */
  public static fromConfigMap(name: string, configMapName: string, options: SandboxFileVolumeOptions = {}): SandboxVolume {
    return new SandboxVolume(name, { configMap: { name: configMapName, ...fileOptions(options) } });
  }

  /** Files from a Secret, read-only by default. */
  public static fromSecret(name: string, secretName: string, options: SandboxFileVolumeOptions = {}): SandboxVolume {
    return new SandboxVolume(name, { secret: { secretName, ...fileOptions(options) } });
  }

  /** A size-limited scratch directory. */
  public static fromEmptyDir(name: string, sizeLimit: string, inMemory = false): SandboxVolume {
    return new SandboxVolume(name, { emptyDir: { ...(inMemory ? { medium: 'Memory' } : {}), sizeLimit } });
  }

  /** An existing PersistentVolumeClaim. */
  public static fromPersistentVolumeClaim(name: string, claimName: string, readOnly = false): SandboxVolume {
    return new SandboxVolume(name, { persistentVolumeClaim: { claimName, ...(readOnly ? { readOnly: true } : {}) } });
  }

  /**
   * Any Kubernetes volume source as plain JSON, e.g. `{ csi: {...} }`. It must still be one of the
   * types the profile allows; a hostPath is refused.
   */
  public static fromRaw(name: string, source: { [key: string]: any }): SandboxVolume {
    // A `name` key in the source would rename the volume behind the back of its mounts and the name check.
    const { name: _ignored, ...rest } = source;
    return new SandboxVolume(name, rest);
  }

  private constructor(
    /** Volume name, referenced by volume mounts. */
    public readonly name: string,
    private readonly source: { [key: string]: any },
  ) {}

  /** The volume source's type (`configMap`, `secret`, ...). */
  public get type(): string {
    return Object.keys(this.source)[0] ?? '(none)';
  }

  /** The Kubernetes Volume object. @internal */
  public _toKube(): { name: string; [key: string]: any } {
    return { name: this.name, ...this.source };
  }
}

function fileOptions(options: SandboxFileVolumeOptions): { [key: string]: any } {
  const items = options.items ? Object.entries(options.items).map(([key, path]) => ({ key, path })) : undefined;
  return { defaultMode: options.defaultMode ?? 0o444, ...(items ? { items } : {}) };
}
