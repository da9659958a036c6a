// The report for people: findings grouped by file and object (rule id, JSON path, message, fix),
// then the findings suppressions waived (with their reasons), then input problems, then one summary line.
import { SUPPRESS_ANNOTATION } from '../profile';
import { AuditFinding, AuditResult } from './audit';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function objectLabel(f: AuditFinding): string {
  return `${f.object.kind} ${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}`;
}

/** The one-line summary of a result. */
export function summaryLine(result: AuditResult): string {
  const errors = result.problems.filter((p) => p.severity === 'error').length;
  const skipped = result.problems.length - errors;
  const objects = new Set(result.findings.map((f) => `${f.file}\u0000${f.objectLine}\u0000${objectLabel(f)}`)).size;
  const rules = new Set(result.findings.map((f) => f.rule)).size;
  const head = result.findings.length === 0
    ? `no findings in ${plural(result.audited, 'audited object')}`
    : `${plural(result.findings.length, 'finding')} (${plural(rules, 'rule')}) in ${objects} of ${plural(result.audited, 'audited object')}`;
  const tail = [
    plural(result.files.length, 'file'),
    ...(result.suppressed > 0 ? [`${result.suppressed} suppressed`] : []),
    ...(errors > 0 ? [plural(errors, 'input error')] : []),
    ...(skipped > 0 ? [`${skipped} skipped`] : []),
  ];
  return `${head}, ${tail.join(', ')}`;
}

/** Renders a result as text. */
export function formatText(result: AuditResult): string {
  const out: string[] = [];
  let file: string | undefined;
  let object: string | undefined;
  for (const f of result.findings) {
    if (f.file !== file) {
      if (file !== undefined) out.push('');
      out.push(f.file);
      file = f.file;
      object = undefined;
    }
    const label = `${objectLabel(f)} (line ${f.objectLine})`;
    if (label !== object) {
      out.push(`  ${label}`);
      object = label;
    }
    out.push(`    ${f.rule}  ${f.path}  (line ${f.line})`);
    out.push(`      ${f.message}`);
    out.push(`      fix: ${f.fix}`);
  }
  if (result.suppressions.length > 0) {
    if (out.length > 0) out.push('');
    out.push(`suppressed (${SUPPRESS_ANNOTATION}):`);
    for (const f of result.suppressions) {
      out.push(`  ${f.file}  ${objectLabel(f)} (line ${f.objectLine})  ${f.rule}  ${f.path}  (line ${f.line})`);
      out.push(`    reason: ${f.reason}`);
    }
  }
  if (result.problems.length > 0) {
    if (out.length > 0) out.push('');
    out.push('input:');
    for (const p of result.problems) out.push(`  ${p.file}${p.line !== undefined ? `:${p.line}` : ''}: ${p.severity}: ${p.message}`);
  }
  if (out.length > 0) out.push('');
  out.push(summaryLine(result));
  return `${out.join('\n')}\n`;
}
