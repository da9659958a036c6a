// cdk8s-sandbox/audit (Node only): load any manifests, run the hardening profile over them, report as
// text, JSON or SARIF; and the cdk8s-cli validation plugin that does so at `cdk8s synth`.
export {
  AUDIT_RULES, auditManifests, auditObjects, auditText,
  type AuditFinding, type AuditManifestsOptions, type AuditOptions, type AuditResult, type AuditSuppression, type RuleInfo,
} from './audit';
export { MANIFEST_EXTENSIONS, type InputProblem } from './load';
export { SUPPRESSION_RULES, type AuditRuleInfo } from './suppress';
export { formatText, summaryLine } from './report-text';
export { formatJson } from './report-json';
export { formatSarif, type SarifOptions } from './report-sarif';
export { SandboxAuditValidation, type SandboxAuditValidationProps, type ValidationContextLike, type Violation } from './cdk8s-validation-plugin';
export type { Finding, ObjectRef, Unwaivable } from '../profile/rule';
export type { KubeObject, ObjectMeta } from '../profile/kube';
