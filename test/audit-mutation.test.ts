// Mutation testing of the audit: start from every sandboxed object of the hardened fixture and of
// dist/, apply each single weakening, and require that the audit reports exactly the rule that
// weakening breaks (on the weakened object) and nothing else new. Prints the kill rate; it must be 100%.
import * as jsyaml from 'js-yaml';
import { AUDIT_RULES, AuditFinding, auditText } from '../src/audit';
import { BASE_SETS, MUTATIONS, Mutation, Obj, isTarget } from './helpers/mutations';

const keyOf = (f: AuditFinding) => `${f.rule}|${f.object.kind}|${f.object.namespace ?? ''}|${f.object.name}|${f.path}`;
const audit = (objects: Obj[]) => auditText(objects.map((o) => jsyaml.dump(o, { noRefs: true })).join('---\n'), { file: 'mutated.yaml' });

interface Outcome { set: string; mutation: Mutation; target: string; killed: boolean; newRules: string[] }

function runMutations(): Outcome[] {
  const outcomes: Outcome[] = [];
  for (const base of BASE_SETS) {
    const before = new Set(audit(base.objects).findings.map(keyOf));
    base.objects.forEach((original, index) => {
      if (!isTarget(original)) return;
      for (const mutation of MUTATIONS) {
        if (!mutation.kinds.includes(original.kind)) continue;
        const set = structuredClone(base.objects);
        const obj = set[index];
        if (mutation.applies && !mutation.applies(obj, set)) continue;
        const mutated = mutation.mutate(obj, set);
        const fresh = audit(mutated).findings.filter((f) => !before.has(keyOf(f)));
        const newRules = [...new Set(fresh.map((f) => f.rule))];
        const on = mutation.reportedOn?.(obj) ?? { kind: original.kind, name: original.metadata?.name };
        const onTarget = fresh.some((f) => f.rule === mutation.expected && f.object.kind === on.kind && f.object.name === on.name);
        const allowed = new Set([mutation.expected, ...(mutation.implies ?? [])]);
        outcomes.push({ set: base.name, mutation, target: `${original.kind}/${original.metadata?.name}`, killed: onTarget && newRules.every((r) => allowed.has(r)), newRules });
      }
    });
  }
  return outcomes;
}

describe('mutation kill rate', () => {
  const outcomes = runMutations();
  const killed = outcomes.filter((o) => o.killed).length;

  test('every single weakening of every sandboxed object is reported as exactly its rule', () => {
    // eslint-disable-next-line no-console
    console.log(`audit mutation kill rate: ${killed}/${outcomes.length} (${((100 * killed) / outcomes.length).toFixed(1)}%) over ${MUTATIONS.length} mutations, ${BASE_SETS.map((s) => `${s.name}: ${outcomes.filter((o) => o.set === s.name).length}`).join(', ')}`);
    const survivors = outcomes.filter((o) => !o.killed).map((o) => `${o.set} ${o.target}: "${o.mutation.description}" expected ${o.mutation.expected}, new: [${o.newRules.join(', ')}]`);
    expect(survivors).toEqual([]);
    expect(killed).toBe(outcomes.length);
  });

  test('both sets are weakened, and every rule of the audit is tripped by some weakening', () => {
    for (const set of BASE_SETS) expect(outcomes.filter((o) => o.set === set.name).length).toBeGreaterThan(MUTATIONS.length);
    const tripped = new Set(outcomes.filter((o) => o.killed).map((o) => o.mutation.expected));
    expect(AUDIT_RULES.map((r) => r.id).filter((id) => !tripped.has(id))).toEqual([]);
    const applied = new Set(outcomes.map((o) => o.mutation.description));
    expect(MUTATIONS.map((m) => m.description).filter((d) => !applied.has(d))).toEqual([]);
  });

  test('the base sets audit clean, so every new finding is the mutation\'s doing', () => {
    for (const set of BASE_SETS) expect(audit(set.objects).findings.map(keyOf)).toEqual([]);
  });
});
