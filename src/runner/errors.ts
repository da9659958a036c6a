// The error the runner raises for bad input or a missing prerequisite: the CLI exits 2 on it.

/** An input or environment error of `cdk8s-sandbox run`: says what was given and what is allowed. */
export class RunnerError extends Error {
  /** The exit code the CLI uses for it (usage and input errors). */
  public readonly exitCode = 2;

  constructor(message: string) {
    super(message);
    this.name = 'RunnerError';
  }
}
