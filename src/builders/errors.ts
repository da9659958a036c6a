// The one error type for bad input: it names where (construct path), the field, what was given and what is allowed.

/** Raised at construction or render time for props that would weaken the sandbox or are malformed. */
export class SandboxValidationError extends Error {
  /** The construct path (or render id) whose props are wrong. */
  public readonly where: string;
  /** The prop, as a dotted path from the construct's props. */
  public readonly field: string;

  constructor(where: string, field: string, given: string, allowed: string) {
    super(`${where}: ${field} is ${given}; ${allowed}`);
    this.name = 'SandboxValidationError';
    this.where = where;
    this.field = field;
  }
}

/** Raised when synthesized output violates the hardening profile (a patch or escape hatch weakened it). */
export class SandboxProfileViolationError extends Error {
  constructor(where: string, lines: readonly string[]) {
    super(`${where}: the synthesized output violates the sandbox hardening profile:\n${lines.map((l) => `  - ${l}`).join('\n')}`);
    this.name = 'SandboxProfileViolationError';
  }
}

/**
 * Tells the library's errors apart (jsii cannot export Error subclasses, so the classes stay internal; in
 * Python, Java, Go and .NET they arrive as the language's jsii error carrying the same message).
 */
export class SandboxErrors {
  /** Whether `thrown` is the library's error for bad props (it names the construct path, field, given and allowed). */
  public static isValidationError(thrown: any): boolean {
    return thrown instanceof SandboxValidationError;
  }

  /** Whether `thrown` is the library's error for output that violates the hardening profile. */
  public static isProfileViolation(thrown: any): boolean {
    return thrown instanceof SandboxProfileViolationError;
  }

  private constructor() {}
}

/** A value as it appears in an error message. */
export function given(value: unknown): string {
  if (value === undefined) return 'unset';
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
