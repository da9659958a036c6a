// cdk8s-sandbox/audit (Node only): load any manifests, run the hardening profile over them, report as
// text, JSON or SARIF; the cdk8s-cli validation plugin that does so at `cdk8s synth`; and the offline
// evaluator of ValidatingAdmissionPolicies (CEL loaded on first compile).
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
export {
  AdmissionPolicyError, admissionMessage, compileAdmissionPolicies, evaluateAdmission,
  type AdmissionDecision, type AdmissionDenial, type AdmissionLabelSelector, type AdmissionMatchResources, type AdmissionOperation, type AdmissionOptions,
  type AdmissionResourceInfo, type AdmissionRule, type CompiledAdmission, type CompiledBinding, type CompiledExpression, type CompiledMatchCondition,
  type CompiledPolicy, type CompiledValidation, type CompiledVariable, type ValidationAction,
} from './admission-policy';
export type { Finding, ObjectRef, Unwaivable } from '../profile/rule';
export type { KubeObject, ObjectMeta } from '../profile/kube';
