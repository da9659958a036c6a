// Environment variable values: plain strings, ConfigMap keys, pod fields. No Secret references (profile row 22).

/** Options of a ConfigMap key reference. */
export interface EnvFromConfigMapOptions {
  /**
   * Let the pod start when the key or ConfigMap is missing.
   * @default false
   */
  readonly optional?: boolean;
}

/** The value of one environment variable. */
export class EnvValue {
  /** A literal value. */
  public static fromValue(value: string): EnvValue {
    return new EnvValue({ value });
  }

  /** A key of a ConfigMap in the same namespace. */
  public static fromConfigMap(configMapName: string, key: string, options: EnvFromConfigMapOptions = {}): EnvValue {
    return new EnvValue({ valueFrom: { configMapKeyRef: { name: configMapName, key, ...(options.optional ? { optional: true } : {}) } } });
  }

  /** A field of the pod, such as `metadata.name` or `status.podIP`. */
  public static fromFieldPath(fieldPath: string): EnvValue {
    return new EnvValue({ valueFrom: { fieldRef: { fieldPath } } });
  }

  private constructor(private readonly json: { [key: string]: any }) {}

  /** The Kubernetes EnvVar fields (without the name). @internal */
  public _toKube(): { [key: string]: any } {
    return this.json;
  }
}
