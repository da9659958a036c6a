// Figure audit_vs_schema: auditing 10,000 objects (auditObjects: every profile rule and the cross-resource
// rules) against validating the same objects with kubernetes-models' schema validators, interleaved.
import { KubeObject } from '../src/profile';
import { auditObjectsFixture } from './fixtures/objects';
import { Timing, compare, round } from './support/harness';

export interface AuditFigures {
  readonly audit_vs_schema: number;
  readonly timings: readonly Timing[];
  readonly objects: number;
}

/** The audit API, if the audit module is there (it may be written after the bench). */
function loadAudit(): ((objects: readonly KubeObject[]) => { findings: readonly unknown[]; exitCode: number }) | undefined {
  try {
    return require('../src/audit').auditObjects;
  } catch {
    return undefined;
  }
}

/** kubernetes-models: one validator class per apiVersion/kind, looked up once, as an import would. */
function schemaValidator(objects: readonly KubeObject[]): () => number {
  const models = new Map<string, new (data: unknown) => { validate(): void }>();
  for (const o of objects) {
    const key = `${o.apiVersion}/${o.kind}`;
    if (!models.has(key)) models.set(key, require(`kubernetes-models/${o.apiVersion}/${o.kind}`)[o.kind]);
  }
  return () => {
    let invalid = 0;
    for (const o of objects) {
      try {
        new (models.get(`${o.apiVersion}/${o.kind}`)!)(o).validate();
      } catch {
        invalid++;
      }
    }
    return invalid;
  };
}

export function auditFigures(reps: number): AuditFigures | { skipped: string } {
  const audit = loadAudit();
  if (!audit) return { skipped: 'src/audit (auditObjects) is not there yet' };
  const objects = auditObjectsFixture();
  const validate = schemaValidator(objects);
  const result = audit(objects);
  if (result.exitCode !== 0 || result.findings.length > 0) throw new Error(`the audit fixture should be clean, got exit ${result.exitCode} and ${result.findings.length} finding(s)`);
  if (validate() !== 0) throw new Error('kubernetes-models rejects objects of the audit fixture');
  const timings = compare([
    { name: `auditObjects (${objects.length} objects: profile + cross-resource rules)`, run: () => audit(objects) },
    { name: `kubernetes-models validate() (${objects.length} objects)`, run: validate },
  ], { reps, batch: 1, warmupMs: 500 });
  return { audit_vs_schema: round(timings[0].medianMs / timings[1].medianMs), timings, objects: objects.length };
}
