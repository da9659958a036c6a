// The admission policy's CEL stays within what the API server allows: a static worst-case estimate of each
// expression's cost (cel-go's cost model, src/audit/cel-cost.ts) under stated bounds, no loop over user data
// crossed with another, and the estimate printed per validation for the README's table.
import { Testing } from 'cdk8s';
import { SandboxAdmissionPolicy } from '../src';
import { CEL_PER_CALL_LIMIT, CEL_RUNTIME_COST_BUDGET, estimatePolicyCost } from '../src/audit/cel-cost';

/** The bounds the README documents: 10 items in every list (containers, env, ports, volumes, egress rules, peers, excepts), 253 characters in every string. */
const BOUNDS = { listItems: 10, stringLength: 253 };

function policy(): any {
  const chart = Testing.chart();
  new SandboxAdmissionPolicy(chart, 'policy');
  return Testing.synth(chart)[0];
}

describe('the generated policy\'s CEL cost', () => {
  const generated = policy();
  const cost = estimatePolicyCost(generated, BOUNDS);

  test('every expression stays under the per-expression limit, and the policy under the per-evaluation budget', () => {
    const rows = cost.expressions.map((e) => {
      const validation = /^spec\.validations\[(\d+)\]/.exec(e.path);
      const variable = /^spec\.variables\[(\d+)\]/.exec(e.path);
      const rule = validation ? generated.spec.validations[Number(validation[1])].message.split(':')[0] : variable ? `variables.${generated.spec.variables[Number(variable[1])].name}` : e.path;
      return `${e.path.padEnd(32)} ${rule.padEnd(28)} ${String(e.cost).padStart(8)}  nesting ${e.userDataNesting}`;
    });
    // eslint-disable-next-line no-console
    console.log(`estimated CEL cost at ${BOUNDS.listItems} items per list, ${BOUNDS.stringLength} characters per string: total ${cost.total} (budget ${CEL_RUNTIME_COST_BUDGET}), largest ${Math.max(...cost.expressions.map((e) => e.cost))} (limit ${CEL_PER_CALL_LIMIT})\n${rows.join('\n')}`);
    for (const e of cost.expressions) expect(`${e.path}: ${e.cost <= CEL_PER_CALL_LIMIT}`).toBe(`${e.path}: true`);
    expect(cost.total).toBeLessThanOrEqual(CEL_RUNTIME_COST_BUDGET);
  });

  test('no loop over user data runs inside a loop over another list of it: the cost is linear in the object', () => {
    expect(cost.expressions.filter((e) => e.crossProducts.length > 0).map((e) => `${e.path}: ${e.crossProducts.join('; ')}`)).toEqual([]);
    // Loops nest only down the object's own structure: rules, peers, excepts is the deepest.
    expect(Math.max(...cost.expressions.map((e) => e.userDataNesting))).toBeLessThanOrEqual(3);
  });

  test('every validation and variable is estimated, none is free', () => {
    expect(cost.expressions.filter((e) => e.path.startsWith('spec.validations')).length).toBe(generated.spec.validations.length);
    expect(cost.expressions.filter((e) => e.path.startsWith('spec.variables')).length).toBe(generated.spec.variables.length);
    for (const e of cost.expressions) expect(e.cost).toBeGreaterThan(0);
  });
});
