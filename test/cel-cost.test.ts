// The static CEL cost estimator (src/audit/cel-cost.ts): costs worked out by hand from cel-go's model
// (checker/cost.go, common/cost.go; has() free, as Kubernetes configures it), cel-go's own test cases,
// linear and quadratic nesting, comprehensions over literals, variables, and errors.
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { CEL_PER_CALL_LIMIT, CEL_RUNTIME_COST_BUDGET, estimateExpressionCost, estimatePolicyCost } from '../src/audit/cel-cost';

const cost = (expression: string, bounds?: { listItems?: number; stringLength?: number }, variables?: ReadonlyMap<string, number>): number =>
  estimateExpressionCost(expression, bounds, variables).cost;

describe('estimateExpressionCost: costs by hand', () => {
  test.each<[string, number]>([
    // constant 0
    ["'hello'", 0],
    // object 1 + .spec 1 + .hostNetwork 1 = 3; == on an unknown and a bool: ceil(min(1024, 1) × 0.1) = 1
    ['object.spec.hostNetwork == true', 4],
    // has() itself is free (PresenceTestHasCost(false)); its operand object.spec costs 2
    ['has(object.spec.hostNetwork)', 2],
    // && adds nothing of its own: 2 + 4
    ['has(object.spec.hostNetwork) && object.spec.hostNetwork == true', 6],
    // ternary: condition 2 + the dearer branch (object.spec.a 3 vs 0)
    ["has(object.spec.a) ? object.spec.a : 'x'", 5],
    // startsWith traverses its argument: ceil(1 × 0.1) = 1
    ["'abc'.startsWith('a')", 1],
    // object.metadata.name 3; matches: ceil((1024 + 1) × 0.1) = 103 × ceil(8 × 0.25) = 2 → 206
    ["object.metadata.name.matches('^[a-z]+$')", 209],
    // list literal 10; in: the list's size 3
    ["object.kind in ['Pod', 'Job', 'CronJob']", 2 + 10 + 3],
    // in on a map (annotations) costs 1: 'k' 0 + object.metadata.annotations 3 + 1
    ["'k' in object.metadata.annotations", 4],
    // map literal 30 + struct-free entries 0
    ["{'a': 1, 'b': 2}", 30],
    // string concatenation: ceil((1024 + 2) × 0.1) = 103, plus object.metadata.name 3
    ["object.metadata.name + '-x'", 106],
    // cel.bind: empty-list range 10 + init object.a 2 + body (x 1 + == 1) × 2 = 16
    ["cel.bind(x, object.a, x == 'y' || x == 'z')", 16],
    // [1,2,3] 10 + result 1 + 3 × (condition @not_strictly_false(@result) 2 + step @result && (x > 0) 1 + 2) = 26
    ['[1, 2, 3].all(x, x > 0)', 26],
    // exists: 10 + 1 + 2 × (condition @not_strictly_false(!@result) 3 + step 1 + (x 1 + == 1)) = 23
    ["['a', 'b'].exists(x, x == 'b')", 23],
    // map(): range 10 + init [] 10 + result 1 + 2 × (condition 0 + step @result + [x + 1]: 1 + 1 + (10 + 2)) = 49
    ['[1, 2].map(x, x + 1)', 49],
    // containers 3 + result 1 + 100 × (2 + 1 + (c.name 2 + != 1)) = 604
    ["object.spec.containers.all(c, c.name != 'x')", 604],
    // two variables over a map of 100: range 1 + result 1 + 100 × (3 + (v 1 + > 1)) = 502
    ['m.all(k, v, v > 1)', 502],
  ])('%s costs %d', (expression, expected) => {
    expect(cost(expression)).toBe(expected);
  });

  test("agrees with cel-go's own checker/cost_test.go cases", () => {
    expect(cost('[1, 2, 3].all(x, true)')).toBe(20);
    expect(cost('input.all(x, true)', { listItems: 100 })).toBe(302);
    expect(cost('2 in [1, 2, 3]')).toBe(13);
    expect(cost('{"a": 1, "b": 2, "c": 3}')).toBe(30);
    expect(cost('true ? 1 : 2')).toBe(0);
    expect(cost('1 < 2')).toBe(1);
    expect(cost("input.matches('[0-9]')", { stringLength: 500 })).toBe(103);
    expect(cost('input.contains(arg1)', { stringLength: 500 })).toBe(2502);
    expect(cost('input.startsWith(arg1)', { stringLength: 500 })).toBe(52);
    expect(cost('"abcdefg".contains(str1 + str2)', { stringLength: 10 })).toBe(6);
    expect(cost('string(input)', { stringLength: 500 })).toBe(51);
  });

  test('scales with the bounds', () => {
    // 3 + 1 + n × 6
    expect(cost("object.spec.containers.all(c, c.name != 'x')", { listItems: 10 })).toBe(64);
    // 3 + ceil((s + 1) × 0.1) × 2
    expect(cost("object.metadata.name.matches('^[a-z]+$')", { stringLength: 63 })).toBe(3 + 7 * 2);
  });
});

describe('estimateExpressionCost: nesting over user data', () => {
  const bounds = { listItems: 10, stringLength: 100 };

  test('a list nested in each item is linear in the object, not a cross product', () => {
    // inner: c.env 2 + 1 + 10 × (2 + 1 + (e.name 2 + 1)) = 63; outer: 3 + 1 + 10 × (3 + 63) = 664
    expect(estimateExpressionCost("object.spec.containers.all(c, c.env.all(e, e.name != 'x'))", bounds))
      .toEqual({ cost: 664, userDataNesting: 2, crossProducts: [] });
    // Deeper still, each range derived from the one around it.
    const deep = estimateExpressionCost('object.spec.volumes.all(v, v.projected.sources.all(s, s.items.all(i, i.path != "")))', bounds);
    expect(deep.userDataNesting).toBe(3);
    expect(deep.crossProducts).toEqual([]);
  });

  test('the same list inside itself is a cross product', () => {
    // inner: 3 + 1 + 10 × (3 + 1 + (a.name 2 + b.name 2 + ceil(100 × 0.1) 10)) = 184; outer: 3 + 1 + 10 × (3 + 184) = 1874
    expect(estimateExpressionCost('object.spec.containers.all(a, object.spec.containers.exists(b, a.name == b.name))', bounds)).toEqual({
      cost: 1874, userDataNesting: 2, crossProducts: ['object.spec.containers.exists(b, a.name == b.name)'],
    });
  });

  test('two independent lists are a cross product, and so is a sibling list of the outer item', () => {
    expect(estimateExpressionCost('a.all(x, b.all(y, x == y))', bounds).crossProducts).toEqual(['b.all(y, x == y)']);
    // Inside e (an env item of c), c.ports does not derive from e: |env| × |ports| per container.
    const sibling = estimateExpressionCost('object.spec.containers.all(c, c.env.all(e, c.ports.all(p, p.name != e.name)))', bounds);
    expect(sibling.crossProducts).toEqual(['c.ports.all(p, p.name != e.name)']);
    expect(sibling.userDataNesting).toBe(3);
  });

  test('quadratic grows with the square of the list bound, linear with the bound', () => {
    const linear = "object.spec.containers.all(c, c.name != 'x')";
    const quadratic = 'object.spec.containers.all(a, object.spec.containers.exists(b, a.name == b.name))';
    const at = (expression: string, n: number): number => cost(expression, { listItems: n, stringLength: 100 });
    for (const n of [10, 20, 40]) {
      // 3 + 1 + n × 6
      expect(at(linear, n)).toBe(4 + 6 * n);
      // inner 4 + 18n (see above); outer 3 + 1 + n × (3 + inner)
      expect(at(quadratic, n)).toBe(4 + 7 * n + 18 * n * n);
    }
  });

  test('a list built from user data (map, filter, split) is user data', () => {
    const mapped = estimateExpressionCost('object.spec.containers.all(c, object.spec.containers.map(x, x.name).exists(n, n == c.name))', bounds);
    expect(mapped.crossProducts).toContain('object.spec.containers.map(x, x.name).exists(n, n == c.name)');
    const split = estimateExpressionCost("object.metadata.annotations['names'].split(',').all(n, object.spec.containers.all(c, c.name != n))", bounds);
    expect(split.crossProducts).toEqual(['object.spec.containers.all(c, c.name != n)']);
  });
});

describe('estimateExpressionCost: comprehensions over list literals', () => {
  test('are bounded by the literal, not by listItems, and are not user data', () => {
    // ['cpu', 'memory'] 10 + 1 + 2 × (2 + 1 + (r 1 + in on a map 1 + object.spec.containers[0].resources.limits 6)) = 33
    const expression = "['cpu', 'memory'].all(r, r in object.spec.containers[0].resources.limits)";
    expect(estimateExpressionCost(expression)).toEqual({ cost: 33, userDataNesting: 0, crossProducts: [] });
    expect(cost(expression, { listItems: 100_000 })).toBe(33);
  });

  test('add no nesting and no cross product inside a loop over user data', () => {
    // inner per container: 10 + 1 + 2 × (3 + (1 + 1 + c.resources.limits 3)) = 27; outer: 3 + 1 + 100 × (3 + 27) = 3004
    expect(estimateExpressionCost("object.spec.containers.all(c, ['cpu', 'memory'].all(r, r in c.resources.limits))"))
      .toEqual({ cost: 3004, userDataNesting: 1, crossProducts: [] });
    // A literal loop around two loops over user data does not make them a product.
    expect(estimateExpressionCost("['a', 'b'].all(k, object.spec.containers.all(c, c.name != k))").crossProducts).toEqual([]);
  });
});

describe('estimateExpressionCost: variables', () => {
  test("adds a variable's cost once however often it is read", () => {
    // each variables.names.size() > 0: variables 1 + .names 1 + size 1 + > 1 = 4; twice = 8; the variable's 50 once
    const names = new Map([['names', 50]]);
    expect(cost('variables.names.size() > 0 || variables.names.size() > 1', {}, names)).toBe(58);
    expect(cost('variables.names.size() > 0', {}, names)).toBe(54);
    // A variable not given costs its read only, and is user data.
    expect(estimateExpressionCost('variables.other.all(x, x != 1)', { listItems: 10 })).toEqual({ cost: 2 + 1 + 10 * 5, userDataNesting: 1, crossProducts: [] });
  });

  test('has() of a variable does not evaluate it', () => {
    expect(cost('has(variables.names)', {}, new Map([['names', 50]]))).toBe(1);
  });
});

describe('estimatePolicyCost', () => {
  const policy = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: 'p' },
    spec: {
      matchConditions: [{ name: 'pods', expression: "object.kind == 'Pod'" }],
      variables: [
        { name: 'names', expression: 'object.spec.containers.map(c, c.name)' },
        { name: 'count', expression: 'size(variables.names)' },
      ],
      validations: [
        { expression: "variables.count < 10 && variables.names.all(n, n != 'x')", messageExpression: "'no container may be named x'" },
        { expression: 'variables.count > 0' },
      ],
    },
  };

  test('charges each variable once per expression, and once in the total', () => {
    const result = estimatePolicyCost(policy, { listItems: 10, stringLength: 20 });
    const byPath = Object.fromEntries(result.expressions.map((e) => [e.path, e.cost]));
    expect(byPath).toEqual({
      // object 1 + .kind 1 + == ceil(min(20, 3) × 0.1) 1
      'spec.matchConditions[0].expression': 3,
      // containers 3 + init [] 10 + result 1 + 10 × (step @result + [c.name]: 1 + 1 + (10 + 2)) = 154
      'spec.variables[0].expression': 154,
      // size(variables.names) 3, plus names' 154
      'spec.variables[1].expression': 157,
      // variables.count < 10: 3; all over names' 10 items: 2 + 1 + 10 × (3 + (n 1 + != 1)) = 53; plus count 3 and names 154
      'spec.validations[0].expression': 3 + 53 + 3 + 154,
      'spec.validations[0].messageExpression': 0,
      // variables.count > 0: 3, plus count 3 and names 154
      'spec.validations[1].expression': 3 + 3 + 154,
    });
    // Own costs: 3 + 154 + 3 + 56 + 0 + 3; the variables once each, not once per reader.
    expect(result.total).toBe(219);
    expect(result.expressions.map((e) => e.path)[0]).toBe('spec.matchConditions[0].expression');
  });

  test('reports the paths and texts of cross products', () => {
    const quadratic = {
      ...policy,
      spec: { validations: [{ expression: 'object.spec.containers.all(a, object.spec.containers.all(b, a == b || a.name != b.name))' }] },
    };
    const [only] = estimatePolicyCost(quadratic).expressions;
    expect(only).toMatchObject({ path: 'spec.validations[0].expression', userDataNesting: 2, crossProducts: ['object.spec.containers.all(b, a == b || a.name != b.name)'] });
  });

  test('says which expression does not parse, or reads an undeclared variable', () => {
    const broken = { ...policy, spec: { validations: [{ expression: 'true' }, { expression: 'object.spec.(' }] } };
    expect(() => estimatePolicyCost(broken)).toThrow(/^spec\.validations\[1\]\.expression: cannot parse CEL expression "object\.spec\.\("/);
    const early = { ...policy, spec: { variables: [{ name: 'a', expression: 'variables.b' }, { name: 'b', expression: '1' }] } };
    expect(() => estimatePolicyCost(early)).toThrow('spec.variables[0].expression: variables.b is not declared before this variable');
    const missing = { ...policy, spec: { validations: [{ expression: 'variables.none' }] } };
    expect(() => estimatePolicyCost(missing)).toThrow('spec.validations[0].expression: variables.none is not declared');
    expect(() => estimatePolicyCost({ apiVersion: 'v1', kind: 'ConfigMap' })).toThrow('expected a ValidatingAdmissionPolicy, got ConfigMap');
    expect(() => estimatePolicyCost({ ...policy, spec: { validations: [{ expression: 42 }] } })).toThrow('spec.validations[0].expression must be a CEL expression string');
  });

  test('the agent-sandbox fixture: its trusted-name check is a cross product over the per-call limit', () => {
    const file = path.join(__dirname, 'fixtures', 'admission', 'agent-sandbox', 'policy.yaml');
    const [sandboxPolicy] = yaml.loadAll(fs.readFileSync(file, 'utf8')) as any[];
    const result = estimatePolicyCost(sandboxPolicy);
    const [trusted, ...others] = result.expressions.filter((e) => e.path.startsWith('spec.validations'));
    // An annotation of up to 1024 characters splits into up to 1024 names, each checked against every container.
    expect(trusted.crossProducts).toEqual(['variables.pod.containers.all(mc, mc.name != n)', 'variables.ephemerals.all(ec, ec.name != n)']);
    expect(trusted.cost).toBeGreaterThan(CEL_PER_CALL_LIMIT);
    for (const e of others) {
      expect(e.crossProducts).toEqual([]);
      expect(e.cost).toBeLessThan(CEL_PER_CALL_LIMIT);
    }
    // Under tighter bounds (10 items, names of 253 characters) everything fits.
    const tight = estimatePolicyCost(sandboxPolicy, { listItems: 10, stringLength: 253 });
    expect(Math.max(...tight.expressions.map((e) => e.cost))).toBeLessThan(CEL_PER_CALL_LIMIT);
    expect(tight.total).toBeLessThan(CEL_RUNTIME_COST_BUDGET);
  });
});

describe('errors', () => {
  test('unparsable CEL', () => {
    expect(() => estimateExpressionCost('object.spec.(')).toThrow(/^estimateExpressionCost: cannot parse CEL expression "object\.spec\.\(": /);
    expect(() => estimateExpressionCost('a ||')).toThrow(/cannot parse CEL expression/);
  });

  test('bad bounds', () => {
    expect(() => estimateExpressionCost('true', { listItems: -1 })).toThrow('CostBounds.listItems must be a non-negative integer, got -1');
    expect(() => estimateExpressionCost('true', { stringLength: 1.5 })).toThrow('CostBounds.stringLength must be a non-negative integer, got 1.5');
  });
});
