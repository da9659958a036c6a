// The rules the audit adds to the profile's to judge suppressions. The annotation is read by the profile's
// one parser (src/profile/suppress.ts), which the synth guard shares; a suppression that gives no reason,
// names no known rule, or names a rule a sandbox can never waive suppresses nothing and is a finding.
import { SUPPRESSION_REASON_RULE, SUPPRESSION_UNKNOWN_RULE, SUPPRESSION_UNWAIVABLE_RULE } from '../profile';

/** A rule the audit itself adds to the profile's rules, to judge suppressions. */
export interface AuditRuleInfo {
  readonly id: string;
  readonly title: string;
  readonly references: readonly string[];
}

/** The rules about suppressions. */
export const SUPPRESSION_RULES: readonly AuditRuleInfo[] = [
  { id: SUPPRESSION_REASON_RULE, title: 'Every suppression gives a reason', references: ['project'] },
  { id: SUPPRESSION_UNKNOWN_RULE, title: 'Every suppression names a rule of the profile', references: ['project'] },
  { id: SUPPRESSION_UNWAIVABLE_RULE, title: 'No suppression waives what a sandbox can never allow', references: ['project'] },
];
