// The report for programs: the summary, every finding with file and line, every input problem, and
// every finding a suppression waived, with its reason.
import { AuditResult } from './audit';
import { toolVersion } from './tool';

/** Renders a result as JSON (stable field order, two-space indent). */
export function formatJson(result: AuditResult): string {
  const errors = result.problems.filter((p) => p.severity === 'error').length;
  const report = {
    tool: { name: 'cdk8s-sandbox', version: toolVersion() },
    summary: {
      files: result.files.length,
      objects: result.objects,
      audited: result.audited,
      findings: result.findings.length,
      suppressed: result.suppressed,
      errors,
      skipped: result.problems.length - errors,
      exitCode: result.exitCode,
    },
    findings: result.findings.map((f) => ({
      rule: f.rule, title: f.title, file: f.file, line: f.line, objectLine: f.objectLine,
      object: f.object, path: f.path, message: f.message, fix: f.fix,
    })),
    problems: result.problems.map((p) => ({ file: p.file, ...(p.line !== undefined ? { line: p.line } : {}), severity: p.severity, message: p.message })),
    suppressions: result.suppressions.map((f) => ({
      rule: f.rule, file: f.file, line: f.line, objectLine: f.objectLine, object: f.object, path: f.path, message: f.message, reason: f.reason,
    })),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}
