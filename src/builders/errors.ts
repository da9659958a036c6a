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
