// Readiness, liveness and startup probes: http, tcp or exec.

/** Timing of a probe. */
export interface ProbeOptions {
  /**
   * Seconds after start before the first probe.
   * @default - Kubernetes' default (0)
   */
  readonly initialDelaySeconds?: number;
  /**
   * Seconds between probes.
   * @default - Kubernetes' default (10)
   */
  readonly periodSeconds?: number;
  /**
   * Seconds a probe may take.
   * @default - Kubernetes' default (1)
   */
  readonly timeoutSeconds?: number;
  /**
   * Failures in a row that count as failed.
   * @default - Kubernetes' default (3)
   */
  readonly failureThreshold?: number;
  /**
   * Successes in a row that count as succeeded (readiness only).
   * @default - Kubernetes' default (1)
   */
  readonly successThreshold?: number;
}

/** Options of an HTTP GET probe. */
export interface HttpGetProbeOptions extends ProbeOptions {
  /**
   * Port to probe.
   * @default - the container's first port
   */
  readonly port?: number;
  /**
   * Use HTTPS.
   * @default false
   */
  readonly https?: boolean;
}

/** Options of a TCP probe. */
export interface TcpSocketProbeOptions extends ProbeOptions {
  /**
   * Port to probe.
   * @default - the container's first port
   */
  readonly port?: number;
}

/** A container probe. */
export class Probe {
  /** An HTTP GET of a path; success is a 2xx or 3xx status. */
  public static fromHttpGet(path: string, options: HttpGetProbeOptions = {}): Probe {
    return new Probe('httpGet', { path, ...(options.https ? { scheme: 'HTTPS' } : {}) }, options.port, options);
  }

  /** A TCP connection to a port. */
  public static fromTcpSocket(options: TcpSocketProbeOptions = {}): Probe {
    return new Probe('tcpSocket', {}, options.port, options);
  }

  /** A command run in the container; success is exit code 0. */
  public static fromCommand(command: string[], options: ProbeOptions = {}): Probe {
    return new Probe('exec', { command: [...command] }, undefined, options);
  }

  private constructor(
    private readonly kind: 'httpGet' | 'tcpSocket' | 'exec',
    private readonly action: { [key: string]: any },
    private readonly port: number | undefined,
    private readonly options: ProbeOptions,
  ) {}

  /** The Kubernetes Probe object; `defaultPort` fills in a missing port. @internal */
  public _toKube(defaultPort: number | undefined): { [key: string]: any } {
    const action = this.kind === 'exec' ? this.action : { ...this.action, port: this.port ?? defaultPort };
    const timing: { [key: string]: number } = {};
    for (const key of ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold', 'successThreshold'] as const) {
      if (this.options[key] !== undefined) timing[key] = this.options[key] as number;
    }
    return { [this.kind]: action, ...timing };
  }
}
