// Suppressions: the annotation that waives a rule on one object, with a reason. The one parser of it, for
// the audit (which reports a bad suppression as a finding of its own) and the synth guard (which honours a
// network-isolation opt-out). A suppression that gives no reason, names no rule of the profile, or names a
// rule a sandbox can never waive suppresses nothing.
import { AdmissionCheck, celString, celStrings, celSuppressionHasReason, celSuppressionId } from './admission';
import { SUPPRESS_ANNOTATION } from './defaults';
import { KubeObject } from './kube';
import { Finding, ObjectRef, Unwaivable, isUnwaivable, refOf, show } from './rule';
import { RULES } from './rules';
import { SET_RULES } from './storage-rules';

/** The rule of a suppression that gives no reason. */
export const SUPPRESSION_REASON_RULE = 'suppression-reason';
/** The rule of a suppression that names no rule of the profile. */
export const SUPPRESSION_UNKNOWN_RULE = 'suppression-unknown-rule';
/** The rule of a suppression of what a sandbox can never waive. */
export const SUPPRESSION_UNWAIVABLE_RULE = 'suppression-unwaivable';

/** JSON path of the suppression annotation, as findings about it name it. */
export const SUPPRESSION_PATH = `metadata.annotations["${SUPPRESS_ANNOTATION}"]`;

/**
 * The rules a suppression may name (every rule of the profile: per object, then over a set), each with
 * what of it no suppression may waive.
 */
export const SUPPRESSIBLE_RULES: ReadonlyMap<string, Unwaivable | undefined> = new Map<string, Unwaivable | undefined>([
  ...RULES.map((r) => [r.id, r.unwaivable] as const),
  ...SET_RULES.map((r) => [r.id, r.unwaivable] as const),
]);

/** The suppressions one object carries, and the findings its annotation itself raises. */
export interface Suppressions {
  /** Rule id -> reason, for the valid entries (a later line of the same rule wins). */
  readonly rules: ReadonlyMap<string, string>;
  /** The findings of the entries that suppress nothing. */
  readonly findings: Finding[];
}

/**
 * Reads the suppression annotation of an object: one `rule-id: reason` per line (white space around
 * either part, blank lines and `#` comments ignored). `knownRules` are the ids a suppression may name,
 * each with what of it no suppression may waive: a rule that can never be waived at all (`'all'`) is
 * refused here; one waivable only in part is kept, and `unwaivablePartFinding` judges its findings.
 */
export function suppressionsOf(obj: KubeObject, knownRules: ReadonlyMap<string, Unwaivable | undefined> = SUPPRESSIBLE_RULES): Suppressions {
  const value = obj.metadata?.annotations?.[SUPPRESS_ANNOTATION];
  const rules = new Map<string, string>();
  const findings: Finding[] = [];
  if (value === undefined || value === null) return { rules, findings };
  const report = (rule: string, message: string, fix: string) => findings.push({ rule, object: refOf(obj), path: SUPPRESSION_PATH, message, fix });
  for (const raw of String(value).split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    const id = (colon >= 0 ? line.slice(0, colon) : line).trim();
    const reason = colon >= 0 ? line.slice(colon + 1).trim() : '';
    if (!knownRules.has(id)) {
      report(SUPPRESSION_UNKNOWN_RULE, `suppression ${show(line)} names no rule of the profile, so it suppresses nothing`,
        `Name one of the rule ids the audit reports (e.g. "image-pinned: <reason>"); one "rule-id: reason" per line.`);
      continue;
    }
    if (knownRules.get(id) === 'all') {
      report(SUPPRESSION_UNWAIVABLE_RULE, `suppression of "${id}" is refused: a sandbox can never waive ${id}, so it suppresses nothing`,
        `Remove the "${id}" line and fix what ${id} reports; no reason makes it safe in a sandbox.`);
      continue;
    }
    if (reason === '') {
      report(SUPPRESSION_REASON_RULE, `suppression of "${id}" gives no reason, so it suppresses nothing`,
        `Write why the rule does not apply after the rule id: "${id}: <reason>".`);
      continue;
    }
    rules.set(id, reason);
  }
  return { rules, findings };
}

/** The finding a suppression raises when it meets a finding of the part of a rule no suppression may waive. */
export function unwaivablePartFinding(obj: ObjectRef, rule: string, unwaivable: Exclude<Unwaivable, 'all'>, waived: Finding): Finding {
  return {
    rule: SUPPRESSION_UNWAIVABLE_RULE, object: obj, path: SUPPRESSION_PATH,
    message: `suppression of "${rule}" cannot waive ${unwaivable.what}: ${waived.path} is still reported`,
    fix: `Fix ${waived.path}; the suppression still waives the rest of "${rule}", but no reason makes ${unwaivable.what} safe in a sandbox.`,
  };
}

/** What an object's suppressions make of one of its findings: waived with a reason, or kept (with the finding that an unwaivable part was tried). */
export type SuppressionVerdict =
  | { readonly waived: true; readonly reason: string }
  | { readonly waived: false; readonly unwaivable?: Finding };

/**
 * Judges one finding of an object against its suppressions, as the audit, the synth guard and harden all do:
 * a finding of a suppressed rule is waived, unless it is of the part of the rule no suppression may waive.
 */
export function judgeSuppression(finding: Finding, suppressions: Suppressions): SuppressionVerdict {
  const reason = suppressions.rules.get(finding.rule);
  if (reason === undefined) return { waived: false };
  const unwaivable = SUPPRESSIBLE_RULES.get(finding.rule);
  if (unwaivable !== undefined && unwaivable !== 'all' && isUnwaivable(unwaivable, finding)) {
    return { waived: false, unwaivable: unwaivablePartFinding(finding.object, finding.rule, unwaivable, finding) };
  }
  return { waived: true, reason };
}

/** A suppression rule's admission checks: CEL over `variables.suppressionLines` (see admission.ts), with its message and fix. */
export interface SuppressionAdmission {
  readonly rule: string;
  readonly checks: readonly AdmissionCheck[];
}

/**
 * The suppression rules as CEL, judging the lines of the annotation as suppressionsOf does: each line names
 * a known rule, none names a rule no suppression may waive (nor waives the part of a rule that none may),
 * and each gives a reason. `guarded` is the expression of a check with its target's guard.
 */
export function suppressionAdmission(guarded: (check: AdmissionCheck) => string): SuppressionAdmission[] {
  const id = celSuppressionId('l');
  const known = celStrings([...SUPPRESSIBLE_RULES.keys()]);
  const never = celStrings([...SUPPRESSIBLE_RULES].filter(([, u]) => u === 'all').map(([ruleId]) => ruleId));
  // A valid suppression of a rule waivable only in part meets a finding of the part none may waive.
  const partial = RULES.flatMap((r) => (r.unwaivable && r.unwaivable !== 'all' ? (r.admission ?? []).filter((c) => c.waivable === false).map((c) => `(!(${celString(r.id)} in variables.suppressed) || ${guarded(c)})`) : []));
  const lines = 'variables.suppressionLines';
  return [
    {
      rule: SUPPRESSION_UNKNOWN_RULE,
      checks: [{ target: 'object', expression: `${lines}.all(l, ${id} in ${known})`, message: 'a suppression names no rule of the profile, so it suppresses nothing', fix: 'Name one of the rule ids the audit reports, one "rule-id: reason" per line.' }],
    },
    {
      rule: SUPPRESSION_UNWAIVABLE_RULE,
      checks: [{
        target: 'object', expression: [`${lines}.all(l, !(${id} in ${never}))`, ...partial].join(' && '),
        message: 'a suppression names what a sandbox can never waive (privilege escalation, privileged, host namespaces, HostProcess, hostPath volumes, smuggled sysctls)',
        fix: 'Remove the suppression and fix what the rule reports; no reason makes it safe in a sandbox.',
      }],
    },
    {
      rule: SUPPRESSION_REASON_RULE,
      checks: [{ target: 'object', expression: `${lines}.all(l, !(${id} in ${known}) || ${id} in ${never} || ${celSuppressionHasReason('l')})`, message: 'a suppression gives no reason, so it suppresses nothing', fix: 'Write why the rule does not apply after the rule id: "rule-id: <reason>".' }],
    },
  ];
}
