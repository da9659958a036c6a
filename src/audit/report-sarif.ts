// The report for code scanning: SARIF 2.1.0, one result per finding at the file and line of the
// offending field (waived ones with their suppression), the rules from the profile, and input problems
// as tool notifications.
import * as path from 'path';
import type * as sarif from 'sarif';
import { AUDIT_RULES, AuditFinding, AuditResult } from './audit';
import { InputProblem, STDIN_NAME } from './load';
import { toolVersion } from './tool';

/** Options of the SARIF report. */
export interface SarifOptions {
  /**
   * The directory artifact URIs are relative to (GitHub code scanning reads them from the repository root).
   * @default process.cwd()
   */
  readonly cwd?: string;
}

/** The SARIF 2.1.0 schema's address, as the log names it. */
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** A file's URI relative to `cwd`, forward slashes, each segment percent-encoded. */
export function artifactUri(file: string, cwd: string): string {
  if (file === STDIN_NAME) return 'stdin';
  const relative = path.relative(cwd, path.resolve(cwd, file)) || path.basename(file);
  return relative.split(path.sep).map(encodeURIComponent).join('/');
}

function pascal(id: string): string {
  return id.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

function notification(problem: InputProblem, cwd: string): sarif.Notification {
  return {
    level: problem.severity === 'error' ? 'error' : 'warning',
    message: { text: problem.message },
    locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(problem.file, cwd) }, ...(problem.line !== undefined ? { region: { startLine: problem.line } } : {}) } }],
  };
}

/** Builds the SARIF log of a result. */
function toSarifLog(result: AuditResult, options: SarifOptions = {}): sarif.Log {
  const cwd = options.cwd ?? process.cwd();
  const ruleIndex = new Map(AUDIT_RULES.map((r, i) => [r.id, i]));
  const rules: sarif.ReportingDescriptor[] = AUDIT_RULES.map((r) => ({
    id: r.id,
    name: pascal(r.id),
    shortDescription: { text: r.title },
    fullDescription: { text: `${r.title}.${r.row !== undefined ? ` Hardening profile row ${r.row}.` : ''} Demanded by: ${r.references.join(', ')}.` },
    defaultConfiguration: { level: 'error' },
    properties: {
      tags: ['security', 'kubernetes', 'gvisor', ...(r.crossResource ? ['cross-resource'] : [])],
      ...(r.row !== undefined ? { row: r.row } : {}),
      ...(r.unwaivable !== undefined ? { unwaivable: r.unwaivable === 'all' ? 'all' : r.unwaivable.what } : {}),
    },
  }));
  const toResult = (f: AuditFinding): sarif.Result => ({
    ruleId: f.rule,
    ruleIndex: ruleIndex.get(f.rule) ?? -1,
    level: 'error',
    message: { text: `${f.message} (at ${f.path}). Fix: ${f.fix}` },
    locations: [{
      physicalLocation: { artifactLocation: { uri: artifactUri(f.file, cwd) }, region: { startLine: f.line } },
      logicalLocations: [{ name: f.object.name, fullyQualifiedName: `${f.object.kind}/${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}`, kind: 'object' }],
    }],
    properties: { path: f.path, objectLine: f.objectLine },
  });
  // Waived findings are results too, marked as suppressed in the source (code scanning shows them as dismissed).
  const results: sarif.Result[] = [
    ...result.findings.map(toResult),
    ...result.suppressions.map((f) => ({ ...toResult(f), suppressions: [{ kind: 'inSource' as const, status: 'accepted' as const, justification: f.reason }] })),
  ];
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'cdk8s-sandbox', version: toolVersion(), semanticVersion: toolVersion(), rules } },
      invocations: [{ executionSuccessful: result.exitCode !== 2, toolExecutionNotifications: result.problems.map((p) => notification(p, cwd)) }],
      results,
    }],
  };
}

/** Renders a result as a SARIF 2.1.0 log. */
export function formatSarif(result: AuditResult, options: SarifOptions = {}): string {
  return `${JSON.stringify(toSarifLog(result, options), null, 2)}\n`;
}
