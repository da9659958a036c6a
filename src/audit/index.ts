// The audit: load any manifests, run the hardening profile over them, report as text, JSON or SARIF.
export { AUDIT_RULES, type AuditFinding, type AuditManifestsOptions, type AuditOptions, type AuditResult, Auditor, type RuleInfo, auditManifests, auditObjects, auditText, resolveAuditOptions } from './audit';
export { type InputProblem, type LoadedObject, MANIFEST_EXTENSIONS } from './load';
export { SUPPRESSION_RULES } from './suppress';
export { formatText, summaryLine } from './report-text';
export { formatJson } from './report-json';
export { type SarifOptions, formatSarif } from './report-sarif';
export { SandboxAuditValidation, type SandboxAuditValidationProps } from './cdk8s-validation-plugin';
