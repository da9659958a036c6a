// Suppressions: the annotation that waives a rule on one object, with a reason. A suppression that
// gives no reason, names no known rule, or names a rule a sandbox can never waive suppresses nothing
// and is a finding of its own.
import { Finding, KubeObject, SUPPRESS_ANNOTATION, Unwaivable, refOf, show } from '../profile';

/** A rule the audit itself adds to the profile's rules, to judge suppressions. */
export interface AuditRuleInfo {
  readonly id: string;
  readonly title: string;
  readonly references: readonly string[];
}

/** The rules about suppressions. */
export const SUPPRESSION_RULES: readonly AuditRuleInfo[] = [
  { id: 'suppression-reason', title: 'Every suppression gives a reason', references: ['project'] },
  { id: 'suppression-unknown-rule', title: 'Every suppression names a rule of the profile', references: ['project'] },
  { id: 'suppression-unwaivable', title: 'No suppression waives what a sandbox can never allow', references: ['project'] },
];

/** The suppressions one object carries, and the findings its annotation itself raises. */
export interface Suppressions {
  /** Rule id -> reason, for the valid entries. */
  readonly rules: ReadonlyMap<string, string>;
  readonly findings: readonly Finding[];
}

/** JSON path of the suppression annotation, as findings about it name it. */
export const SUPPRESSION_PATH = `metadata.annotations["${SUPPRESS_ANNOTATION}"]`;
const EMPTY: Suppressions = { rules: new Map(), findings: [] };

/** The finding a suppression raises when it meets a finding of the part of a rule no suppression may waive. */
export function unwaivablePartFinding(obj: { kind: string; namespace?: string; name: string }, rule: string, unwaivable: Exclude<Unwaivable, 'all'>, waived: Finding): Finding {
  return {
    rule: 'suppression-unwaivable', object: obj, path: SUPPRESSION_PATH,
    message: `suppression of "${rule}" cannot waive ${unwaivable.what}: ${waived.path} is still reported`,
    fix: `Fix ${waived.path}; the suppression still waives the rest of "${rule}", but no reason makes ${unwaivable.what} safe in a sandbox.`,
  };
}

/**
 * Reads the suppression annotation of an object: one `rule-id: reason` per line (blank lines and
 * `#` comments ignored). `knownRules` are the ids a suppression may name, each with what of it no
 * suppression may waive: a rule that can never be waived at all (`'all'`) is refused here.
 */
export function suppressionsOf(obj: KubeObject, knownRules: ReadonlyMap<string, Unwaivable | undefined>): Suppressions {
  const value = obj.metadata?.annotations?.[SUPPRESS_ANNOTATION];
  if (value === undefined || value === null) return EMPTY;
  const rules = new Map<string, string>();
  const findings: Finding[] = [];
  const report = (rule: string, message: string, fix: string) => findings.push({ rule, object: refOf(obj), path: SUPPRESSION_PATH, message, fix });
  for (const raw of String(value).split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    const id = (colon >= 0 ? line.slice(0, colon) : line).trim();
    const reason = colon >= 0 ? line.slice(colon + 1).trim() : '';
    if (!knownRules.has(id)) {
      report('suppression-unknown-rule', `suppression ${show(line)} names no rule of the profile, so it suppresses nothing`,
        `Name one of the rule ids the audit reports (e.g. "image-pinned: <reason>"); one "rule-id: reason" per line.`);
      continue;
    }
    if (knownRules.get(id) === 'all') {
      report('suppression-unwaivable', `suppression of "${id}" is refused: a sandbox can never waive ${id}, so it suppresses nothing`,
        `Remove the "${id}" line and fix what ${id} reports; no reason makes it safe in a sandbox.`);
      continue;
    }
    if (reason === '') {
      report('suppression-reason', `suppression of "${id}" gives no reason, so it suppresses nothing`,
        `Write why the rule does not apply after the rule id: "${id}: <reason>".`);
      continue;
    }
    rules.set(id, reason);
  }
  return { rules, findings };
}
