// The audit: load any manifests, run the hardening profile over them, report as text, JSON or SARIF.
export { AUDIT_RULES, AuditFinding, AuditManifestsOptions, AuditOptions, AuditResult, Auditor, RuleInfo, auditManifests, auditObjects, auditText, resolveAuditOptions } from './audit';
export { InputProblem, LoadedObject, MANIFEST_EXTENSIONS } from './load';
export { SUPPRESSION_RULES } from './suppress';
export { formatText, summaryLine } from './report-text';
export { formatJson } from './report-json';
export { SarifOptions, formatSarif } from './report-sarif';
export { SandboxAuditValidation, SandboxAuditValidationProps } from './cdk8s-validation-plugin';
