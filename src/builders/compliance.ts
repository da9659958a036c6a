// Fail closed: run the hardening profile over built objects and refuse any violation.
import { CheckOptions, Finding, KubeObject, checkObjects } from '../profile';
import { SandboxProfileViolationError } from './errors';

/** One line of a violation report: rule id, object, JSON path, message and fix. */
export function describeFinding(f: Finding): string {
  return `[${f.rule}] ${f.object.kind}/${f.object.name} ${f.path}: ${f.message}. Fix: ${f.fix}`;
}

/** Throws a SandboxProfileViolationError naming `where` when any object violates the profile. */
export function assertProfile(where: string, objects: readonly KubeObject[], options: CheckOptions = {}): void {
  const findings = checkObjects(objects, options);
  if (findings.length > 0) throw new SandboxProfileViolationError(where, findings.map(describeFinding));
}
