// Static worst-case cost of CEL expressions and ValidatingAdmissionPolicies, in the units the Kubernetes API
// server enforces (cel-go's checker/cost.go as k8s.io/apiserver configures it), and the shape of their loops:
// how deeply comprehensions over user data nest, and which of them are cross products of independent lists.
import { parse, unparse } from '@bufbuild/cel';
import type { KubeObject } from '../profile/kube';

/** Runtime cost limit of one CEL expression (k8s.io/apiserver/pkg/apis/cel `PerCallLimit`). */
export const CEL_PER_CALL_LIMIT = 1_000_000;

/** Runtime cost budget of one policy binding's evaluation (k8s.io/apiserver/pkg/apis/cel `RuntimeCELCostBudget`). */
export const CEL_RUNTIME_COST_BUDGET = 10_000_000;

/** Bounds the estimate assumes for user data. */
export interface CostBounds {
  /**
   * Most items of any list (e.g. containers) or map (e.g. annotations) in user data.
   * @default 100
   */
  readonly listItems?: number;
  /**
   * Longest string in user data.
   * @default 1024
   */
  readonly stringLength?: number;
}

/** The estimate for one expression of a policy. */
export interface ExpressionCost {
  /** Where the expression is, e.g. `spec.validations[3].expression`. */
  readonly path: string;
  /** The expression's text. */
  readonly expression: string;
  /**
   * Worst-case cost under the bounds. Each `variables.<name>` the expression reads adds that variable's cost
   * (and its own variables') once, however often it is read: the API server evaluates a variable lazily, once
   * per policy evaluation, and charges it to the expression that first reads it.
   */
  readonly cost: number;
  /** The deepest nesting of comprehensions whose ranges are user data. */
  readonly userDataNesting: number;
  /**
   * Comprehensions over user data nested in another such comprehension whose range does not derive from the
   * enclosing one's iteration variable (a cross product of independent lists), as text.
   */
  readonly crossProducts: readonly string[];
}

/** The estimate for a whole policy. */
export interface PolicyCost {
  /** Every expression: matchConditions, variables, validations (and their messageExpressions), auditAnnotations. */
  readonly expressions: readonly ExpressionCost[];
  /**
   * The worst-case cost of one evaluation of the policy: the sum over matchConditions, variables, validations,
   * messageExpressions and auditAnnotations, each variable counted once (as the API server does), not once for
   * every expression that reads it. Compare it with CEL_RUNTIME_COST_BUDGET.
   */
  readonly total: number;
}

type ParsedExpr = ReturnType<typeof parse>;
type Expr = ParsedExpr['expr'];
type Call = Extract<Expr['exprKind'], { case: 'callExpr' }>['value'];
type Comprehension = Extract<Expr['exprKind'], { case: 'comprehensionExpr' }>['value'];
type Constant = Extract<Expr['exprKind'], { case: 'constExpr' }>['value'];

// cel-go common/cost.go.
const SELECT_AND_IDENT_COST = 1;
const CONST_COST = 0;
const LIST_CREATE_BASE_COST = 10;
const MAP_CREATE_BASE_COST = 30;
const STRUCT_CREATE_BASE_COST = 40;
const STRING_TRAVERSAL_COST_FACTOR = 0.1;
const REGEX_STRING_LENGTH_COST_FACTOR = 0.25;
// k8s.io/apiserver/pkg/cel/environment/base.go: `checker.PresenceTestHasCost(false)`.
const PRESENCE_TEST_COST = 0;
// k8s.io/apiserver/pkg/cel/library/cost.go: an authorizer `check()`.
const AUTHZ_CHECK_COST = 350_000;

const DEFAULT_BOUNDS: Required<CostBounds> = { listItems: 100, stringLength: 1024 };

/** Fields of Kubernetes objects that are maps (`in` and `[]` on them cost 1, not the map's size). */
const MAP_FIELDS: ReadonlySet<string> = new Set([
  'labels', 'annotations', 'nodeSelector', 'limits', 'requests', 'matchLabels', 'data', 'stringData', 'binaryData',
  'overhead', 'capacity', 'allocatable', 'parameters',
]);

/** Fields of Kubernetes objects that are lists (so `+` on them concatenates lists, at a cost of 1). */
const LIST_FIELDS: ReadonlySet<string> = new Set([
  'containers', 'initContainers', 'ephemeralContainers', 'volumes', 'volumeMounts', 'volumeDevices', 'env', 'envFrom',
  'ports', 'tolerations', 'imagePullSecrets', 'args', 'command', 'drop', 'add', 'sysctls', 'hostAliases',
  'topologySpreadConstraints', 'readinessGates', 'resourceClaims', 'sources', 'items', 'finalizers', 'ownerReferences',
  'supplementalGroups', 'matchExpressions', 'values', 'nodeSelectorTerms', 'ingress', 'egress', 'policyTypes',
  'rules', 'subjects', 'verbs', 'apiGroups', 'resourceNames',
]);

/** Functions whose result is a fixed-size scalar (numbers, booleans, durations, timestamps, types). */
const SCALAR_RESULTS: ReadonlySet<string> = new Set([
  'int', 'uint', 'double', 'bool', 'duration', 'timestamp', 'type', 'size', 'sign', 'asInteger', 'isInteger',
  'asApproximateFloat', 'isGreaterThan', 'isLessThan', 'compareTo', 'prefixLength', 'family', 'isUnspecified',
  'isLoopback', 'isLinkLocalMulticast', 'isLinkLocalUnicast', 'isQuantity', 'isURL', 'isIP', 'isCIDR', 'check',
  'allowed', 'errored', 'startsWith', 'endsWith', 'contains', 'matches', 'indexOf', 'lastIndexOf', 'isSorted',
  'containsIP', 'containsCIDR', 'getFullYear', 'getMonth', 'getDate', 'getDayOfMonth', 'getDayOfWeek',
  'getDayOfYear', 'getHours', 'getMinutes', 'getSeconds', 'getMilliseconds',
]);

/** The per-iteration and fixed costs of the two-variable macros (the one-variable expansions' costs). */
const TWO_VARIABLE_MACROS: { readonly [fn: string]: { readonly perIteration: number; readonly fixed: number } } = {
  // all: condition @not_strictly_false(@result) = 2, step `@result && p` = 1 + p, result @result = 1.
  all: { perIteration: 3, fixed: 1 },
  // exists: condition @not_strictly_false(!@result) = 3, step `@result || p` = 1 + p, result @result = 1.
  exists: { perIteration: 4, fixed: 1 },
  // existsOne: condition true = 0, step `p ? @result + 1 : @result` = p + 2, result `@result == 1` = 2.
  existsOne: { perIteration: 2, fixed: 2 },
  exists_one: { perIteration: 2, fixed: 2 },
};

type Kind = 'string' | 'bytes' | 'list' | 'map' | 'scalar' | 'unknown';

/** What the estimate knows of a value: its kind, its largest size, and where that size comes from. */
interface Shape {
  readonly kind: Kind;
  /** Most characters (strings, bytes; for unknown values, the string bound). */
  readonly chars: number;
  /** Most items (lists, maps; for unknown values, the list bound). */
  readonly items: number;
  /** List items' or map values' shape, when known. */
  readonly elem?: Shape;
  /** Map keys' shape, when known. */
  readonly key?: Shape;
  /** The user data this value's size derives from (empty: the expression fixes it). */
  readonly sources: ReadonlySet<number>;
}

/** A node's cost and the shape of its value. */
interface Estimate {
  readonly cost: number;
  readonly shape: Shape;
}

/** What an expression may read of a variable. */
interface VariableInfo {
  /** The variable's own cost, without the variables it reads. */
  readonly ownCost: number;
  /** Every variable its evaluation reads, directly or not. */
  readonly deps: ReadonlySet<string>;
  readonly shape: Shape;
}

type Locals = ReadonlyMap<string, Shape>;

const NO_SOURCES: ReadonlySet<number> = new Set();
const SCALAR: Shape = { kind: 'scalar', chars: 0, items: 0, sources: NO_SOURCES };

/** The origins of user data: named roots (`object`, `params`, ...) and iteration variables over them. */
class Origins {
  private readonly parents: ReadonlySet<number>[] = [];
  private readonly roots = new Map<string, number>();

  /** The origin of a root variable. */
  root(name: string): number {
    let id = this.roots.get(name);
    if (id === undefined) {
      id = this.parents.push(NO_SOURCES) - 1;
      this.roots.set(name, id);
    }
    return id;
  }

  /** A new origin (an iteration variable) derived from others (its range's). */
  derive(from: ReadonlySet<number>): number {
    return this.parents.push(from) - 1;
  }

  /** Whether an origin is, or derives from, another. */
  derivesFrom(origin: number, ancestor: number): boolean {
    if (origin === ancestor) return true;
    for (const parent of this.parents[origin] ?? NO_SOURCES) if (this.derivesFrom(parent, ancestor)) return true;
    return false;
  }
}

function unionSets(a: ReadonlySet<number>, b: ReadonlySet<number>): ReadonlySet<number> {
  if (a.size === 0) return b;
  if (b.size === 0) return a;
  return new Set([...a, ...b]);
}

function unknown(bounds: Required<CostBounds>, sources: ReadonlySet<number>): Shape {
  return { kind: 'unknown', chars: bounds.stringLength, items: bounds.listItems, sources };
}

function isStringLike(shape: Shape): boolean {
  return shape.kind === 'string' || shape.kind === 'bytes' || shape.kind === 'unknown';
}

function isContainerLike(shape: Shape): boolean {
  return shape.kind === 'list' || shape.kind === 'map' || shape.kind === 'unknown';
}

/** The size cel-go's model gives a value: characters, items, or 1 for a scalar (the largest, if unknown). */
function sizeOf(shape: Shape): number {
  switch (shape.kind) {
    case 'scalar': return 1;
    case 'string': case 'bytes': return shape.chars;
    case 'list': case 'map': return shape.items;
    default: return Math.max(shape.chars, shape.items);
  }
}

function charsOf(shape: Shape): number {
  return isStringLike(shape) ? shape.chars : sizeOf(shape);
}

function itemsOf(shape: Shape): number {
  return isContainerLike(shape) ? shape.items : sizeOf(shape);
}

/** `ceil(size * factor)`: cel-go's MultiplyByCostFactor. */
function traversal(size: number, factor = STRING_TRAVERSAL_COST_FACTOR): number {
  return Math.ceil(size * factor);
}

/** The kind of a value that is of both kinds: checked CEL gives both branches (or operands) one type. */
function knownKind(a: Kind, b: Kind): Kind {
  if (a === b || b === 'unknown') return a;
  return a === 'unknown' ? b : 'unknown';
}

/** A shape covering both (a conditional's branches, a list literal's items). */
function union(a: Shape, b: Shape, bounds: Required<CostBounds>): Shape {
  const elem = a.elem || b.elem ? union(elemOf(a, bounds), elemOf(b, bounds), bounds) : undefined;
  const key = a.key || b.key ? union(keyOf(a, bounds), keyOf(b, bounds), bounds) : undefined;
  return {
    kind: knownKind(a.kind, b.kind),
    chars: Math.max(a.chars, b.chars),
    items: Math.max(a.items, b.items),
    ...(elem ? { elem } : {}),
    ...(key ? { key } : {}),
    sources: unionSets(a.sources, b.sources),
  };
}

/** The shape of a list's items or a map's values. */
function elemOf(shape: Shape, bounds: Required<CostBounds>): Shape {
  return shape.elem ?? (shape.kind === 'list' || shape.kind === 'map' || shape.kind === 'unknown' ? unknown(bounds, shape.sources) : SCALAR);
}

/** The shape of a map's keys. */
function keyOf(shape: Shape, bounds: Required<CostBounds>): Shape {
  return shape.key ?? unknown(bounds, shape.sources);
}

/** What a comprehension's iteration variable ranges over: a list's items or a map's keys. */
function iterationShape(range: Shape, bounds: Required<CostBounds>): Shape {
  return range.kind === 'map' ? keyOf(range, bounds) : elemOf(range, bounds);
}

function constantShape(constant: Constant): Shape {
  switch (constant.constantKind.case) {
    case 'stringValue': return { kind: 'string', chars: [...constant.constantKind.value].length, items: 0, sources: NO_SOURCES };
    case 'bytesValue': return { kind: 'bytes', chars: constant.constantKind.value.length, items: 0, sources: NO_SOURCES };
    default: return SCALAR;
  }
}

/** `a + b`: numbers add, strings and lists concatenate. */
function addShape(a: Shape, b: Shape, bounds: Required<CostBounds>): Shape {
  if (a.kind === 'scalar' || b.kind === 'scalar') return SCALAR;
  const kind = knownKind(a.kind, b.kind);
  const elem = a.elem || b.elem ? union(elemOf(a, bounds), elemOf(b, bounds), bounds) : undefined;
  return { kind, chars: a.chars + b.chars, items: a.items + b.items, ...(elem ? { elem } : {}), sources: unionSets(a.sources, b.sources) };
}

function stringShape(chars: number, sources: ReadonlySet<number>): Shape {
  return { kind: 'string', chars, items: 0, sources };
}

function resolveBounds(bounds: CostBounds | undefined): Required<CostBounds> {
  const resolved = { ...DEFAULT_BOUNDS, ...stripUndefined(bounds ?? {}) };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`CostBounds.${name} must be a non-negative integer, got ${value}`);
  }
  return resolved;
}

function stripUndefined(bounds: CostBounds): CostBounds {
  return Object.fromEntries(Object.entries(bounds).filter(([, value]) => value !== undefined));
}

/** Parses CEL, turning the parser's error into one that says where the expression is. */
function parseCel(expression: string, where: string): ParsedExpr {
  try {
    return parse(expression);
  } catch (err) {
    throw new Error(`${where}: cannot parse CEL expression ${JSON.stringify(expression)}: ${(err as Error).message}`);
  }
}

/** Walks one parsed expression, summing cel-go's static costs and recording its loops over user data. */
class Estimator {
  /** Variables charged to this expression so far, and what they cost. */
  readonly charged = new Set<string>();
  variableCost = 0;
  userDataNesting = 0;
  readonly crossProducts: string[] = [];
  /** The iteration variables' origins of the enclosing comprehensions over user data, innermost last. */
  private readonly loops: number[] = [];

  constructor(
    private readonly parsed: ParsedExpr,
    private readonly bounds: Required<CostBounds>,
    private readonly origins: Origins,
    private readonly variable: (name: string) => VariableInfo | undefined,
    private readonly where: string,
  ) {}

  visit(e: Expr, locals: Locals): Estimate {
    const kind = e.exprKind;
    switch (kind.case) {
      case 'constExpr': return { cost: CONST_COST, shape: constantShape(kind.value) };
      case 'identExpr': return { cost: SELECT_AND_IDENT_COST, shape: this.identShape(kind.value.name, locals) };
      case 'selectExpr': {
        const { operand, field, testOnly } = kind.value;
        if (!operand) throw new Error(`${this.where}: select of .${field} without an operand`);
        if (testOnly) return { cost: PRESENCE_TEST_COST + this.visit(operand, locals).cost, shape: SCALAR };
        if (isIdent(operand, 'variables') && !locals.has('variables')) {
          return { cost: 2 * SELECT_AND_IDENT_COST, shape: this.readVariable(field) };
        }
        const target = this.visit(operand, locals);
        return { cost: target.cost + SELECT_AND_IDENT_COST, shape: this.selectShape(target.shape, field) };
      }
      case 'callExpr': return this.call(kind.value, locals);
      case 'listExpr': {
        let cost = LIST_CREATE_BASE_COST;
        let elem: Shape | undefined;
        for (const item of kind.value.elements) {
          const estimate = this.visit(item, locals);
          cost += estimate.cost;
          elem = elem ? union(elem, estimate.shape, this.bounds) : estimate.shape;
        }
        return { cost, shape: { kind: 'list', chars: 0, items: kind.value.elements.length, ...(elem ? { elem } : {}), sources: NO_SOURCES } };
      }
      case 'structExpr': {
        const isMap = kind.value.messageName === '';
        let cost = isMap ? MAP_CREATE_BASE_COST : STRUCT_CREATE_BASE_COST;
        let key: Shape | undefined;
        let elem: Shape | undefined;
        for (const entry of kind.value.entries) {
          if (entry.keyKind.case === 'mapKey') {
            const k = this.visit(entry.keyKind.value, locals);
            cost += k.cost;
            key = key ? union(key, k.shape, this.bounds) : k.shape;
          }
          if (entry.value) {
            const v = this.visit(entry.value, locals);
            cost += v.cost;
            elem = elem ? union(elem, v.shape, this.bounds) : v.shape;
          }
        }
        if (!isMap) return { cost, shape: unknown(this.bounds, NO_SOURCES) };
        return { cost, shape: { kind: 'map', chars: 0, items: kind.value.entries.length, ...(elem ? { elem } : {}), ...(key ? { key } : {}), sources: NO_SOURCES } };
      }
      case 'comprehensionExpr': return this.comprehension(e, kind.value, locals);
      default: throw new Error(`${this.where}: unsupported CEL expression node`);
    }
  }

  private identShape(name: string, locals: Locals): Shape {
    return locals.get(name) ?? unknown(this.bounds, new Set([this.origins.root(name)]));
  }

  /** Charges `variables.<name>` (and what it reads) to this expression once; its shape. */
  private readVariable(name: string): Shape {
    const info = this.variable(name);
    if (!info) return unknown(this.bounds, new Set([this.origins.root(`variables.${name}`)]));
    for (const dep of [name, ...info.deps]) {
      if (this.charged.has(dep)) continue;
      this.charged.add(dep);
      this.variableCost += dep === name ? info.ownCost : this.variable(dep)?.ownCost ?? 0;
    }
    return info.shape;
  }

  private selectShape(target: Shape, field: string): Shape {
    if (target.kind === 'map' && target.elem) return target.elem;
    if (MAP_FIELDS.has(field)) return { kind: 'map', chars: 0, items: this.bounds.listItems, sources: target.sources };
    if (LIST_FIELDS.has(field)) return { kind: 'list', chars: 0, items: this.bounds.listItems, sources: target.sources };
    return unknown(this.bounds, target.sources);
  }

  private call(call: Call, locals: Locals): Estimate {
    const { function: fn, target, args } = call;
    switch (fn) {
      case '_&&_': case '_||_': {
        // cel-go: the cost of both sides, no more (the minimum is the left side's, for short-circuiting).
        const [lhs, rhs] = args.map((arg) => this.visit(arg, locals));
        return { cost: lhs.cost + rhs.cost, shape: SCALAR };
      }
      case '_?_:_': {
        const [condition, ifTrue, ifFalse] = args.map((arg) => this.visit(arg, locals));
        return { cost: condition.cost + Math.max(ifTrue.cost, ifFalse.cost), shape: union(ifTrue.shape, ifFalse.shape, this.bounds) };
      }
    }
    if (target && isIdent(target, 'cel') && !locals.has('cel') && fn === 'bind' && args.length === 3 && identName(args[0])) {
      // cel.bind(v, init, body): a comprehension over an empty list literal, lazily initialised (cel-go costBind).
      const init = this.visit(args[1], locals);
      const body = this.visit(args[2], new Map(locals).set(identName(args[0])!, init.shape));
      return { cost: LIST_CREATE_BASE_COST + init.cost + body.cost, shape: body.shape };
    }
    if (target && TWO_VARIABLE_MACROS[fn] && args.length === 3 && identName(args[0]) && identName(args[1])) {
      return this.twoVariableMacro(fn, target, args, locals);
    }
    if (target && isIdent(target, 'sets') && !locals.has('sets') && args.length === 2) {
      // sets.contains / equivalent / intersects: each item of one list looked up in the other (an upper bound).
      const [a, b] = args.map((arg) => this.visit(arg, locals));
      return { cost: a.cost + b.cost + Math.max(1, itemsOf(a.shape) * itemsOf(b.shape)), shape: SCALAR };
    }
    if (target && isIdent(target, 'ip') && !locals.has('ip') && fn === 'isCanonical' && args.length === 1) {
      const arg = this.visit(args[0], locals);
      return { cost: arg.cost + traversal(charsOf(arg.shape), 2 * STRING_TRAVERSAL_COST_FACTOR), shape: SCALAR };
    }
    const receiver = target ? this.visit(target, locals) : undefined;
    const operands = args.map((arg) => this.visit(arg, locals));
    const own = functionCost(fn, receiver?.shape, operands.map((o) => o.shape), this.bounds);
    const cost = (receiver?.cost ?? 0) + operands.reduce((sum, o) => sum + o.cost, 0) + own.cost;
    return { cost, shape: own.shape };
  }

  private comprehension(e: Expr, c: Comprehension, locals: Locals): Estimate {
    if (!c.iterRange || !c.accuInit || !c.loopCondition || !c.loopStep || !c.result) {
      throw new Error(`${this.where}: incomplete comprehension`);
    }
    const range = this.visit(c.iterRange, locals);
    const init = this.visit(c.accuInit, locals);
    const iterations = itemsOf(range.shape);
    const loop = this.enterLoop(e, range.shape);
    const loopLocals = new Map(locals).set(c.accuVar, init.shape).set(c.iterVar, loop.iterShape);
    if (c.iterVar2) loopLocals.set(c.iterVar2, elemOf(range.shape, this.bounds));
    const condition = this.visit(c.loopCondition, loopLocals);
    const step = this.visit(c.loopStep, loopLocals);
    loop.exit();
    const accumulated = this.accumulatedShape(init.shape, step.shape, iterations, range.shape);
    const result = this.visit(c.result, new Map(locals).set(c.accuVar, accumulated));
    // cel-go costComprehension: range + init + result + iterations × (condition + step).
    const cost = range.cost + init.cost + result.cost + iterations * (condition.cost + step.cost);
    return { cost, shape: result.shape };
  }

  /** all/exists/existsOne with two iteration variables (index and item, or key and value). */
  private twoVariableMacro(fn: string, target: Expr, args: Expr[], locals: Locals): Estimate {
    const range = this.visit(target, locals);
    const iterations = itemsOf(range.shape);
    const loop = this.enterLoop(target, range.shape);
    const first = range.shape.kind === 'list' ? SCALAR : loop.iterShape;
    const second = range.shape.kind === 'map' ? { ...elemOf(range.shape, this.bounds), sources: loop.iterShape.sources } : loop.iterShape;
    const predicate = this.visit(args[2], new Map(locals).set(identName(args[0])!, first).set(identName(args[1])!, second));
    loop.exit();
    const macro = TWO_VARIABLE_MACROS[fn];
    return { cost: range.cost + macro.fixed + iterations * (macro.perIteration + predicate.cost), shape: SCALAR };
  }

  /** Enters a comprehension: its iteration variable's shape, and the bookkeeping of loops over user data. */
  private enterLoop(node: Expr, range: Shape): { iterShape: Shape; exit: () => void } {
    const iterShape = iterationShape(range, this.bounds);
    if (range.sources.size === 0) return { iterShape, exit: () => undefined };
    const enclosing = this.loops[this.loops.length - 1];
    if (enclosing !== undefined && ![...range.sources].every((s) => this.origins.derivesFrom(s, enclosing))) {
      this.crossProducts.push(this.text(node));
    }
    const origin = this.origins.derive(range.sources);
    this.loops.push(origin);
    this.userDataNesting = Math.max(this.userDataNesting, this.loops.length);
    return { iterShape: { ...iterShape, sources: new Set([origin]) }, exit: () => void this.loops.pop() };
  }

  /** The accumulator after the loop: a list or map as long as the range (map, filter), else the step's value. */
  private accumulatedShape(init: Shape, step: Shape, iterations: number, range: Shape): Shape {
    if (init.kind !== 'list' && init.kind !== 'map') return union(init, step, this.bounds);
    const elem = step.elem ?? init.elem;
    return { kind: init.kind, chars: 0, items: iterations, ...(elem ? { elem } : {}), sources: range.sources };
  }

  private text(node: Expr): string {
    return unparse({ ...this.parsed, expr: node });
  }
}

function isIdent(e: Expr | undefined, name: string): boolean {
  return identName(e) === name;
}

function identName(e: Expr | undefined): string | undefined {
  return e?.exprKind.case === 'identExpr' ? e.exprKind.value.name : undefined;
}

/**
 * The cost of a function's own work (its target's and arguments' costs come on top) and its result's shape:
 * cel-go checker/cost.go `functionCost` for the standard library, k8s.io/apiserver/pkg/cel/library/cost.go
 * `EstimateCallCost` for the Kubernetes libraries. When the types are unknown, the dearest overload counts,
 * as cel-go does over a call's candidate overloads.
 */
function functionCost(fn: string, target: Shape | undefined, args: readonly Shape[], bounds: Required<CostBounds>): Estimate {
  const [a0, a1] = args;
  const first = a0 ?? target ?? SCALAR;
  const sources = [target, ...args].reduce<ReadonlySet<number>>((all, s) => (s ? unionSets(all, s.sources) : all), NO_SOURCES);
  switch (fn) {
    case '_==_': case '_!=_':
      // O(min(m, n)): the shorter operand traversed; 1 for scalars.
      return { cost: traversal(Math.min(sizeOf(a0), sizeOf(a1))), shape: SCALAR };
    case '_<_': case '_<=_': case '_>_': case '_>=_': {
      if (a0.kind === 'scalar' || a1.kind === 'scalar' || !isStringLike(a0) || !isStringLike(a1)) return { cost: 1, shape: SCALAR };
      const strings = traversal(Math.min(a0.chars, a1.chars));
      const bothKnown = a0.kind !== 'unknown' && a1.kind !== 'unknown';
      return { cost: bothKnown ? strings : Math.max(1, strings), shape: SCALAR };
    }
    case '_+_': {
      const shape = addShape(a0, a1, bounds);
      if (shape.kind === 'scalar' || shape.kind === 'list' || !isStringLike(a0) || !isStringLike(a1)) return { cost: 1, shape };
      // String concatenation is O(m + n); list concatenation O(1).
      const strings = traversal(a0.chars + a1.chars);
      return { cost: shape.kind === 'unknown' ? Math.max(1, strings) : strings, shape };
    }
    case '_[_]':
      return { cost: 1, shape: elemOf(a0, bounds) };
    case '@in':
      // Membership in a list is O(n) (cel-go assumes so even for literals); in a map, O(1).
      return { cost: a1.kind === 'map' ? 1 : itemsOf(a1), shape: SCALAR };
    case 'startsWith': case 'endsWith':
      return { cost: traversal(charsOf(first)), shape: SCALAR };
    case 'contains':
      if (!target) return { cost: 1, shape: SCALAR };
      return { cost: traversal(charsOf(target)) * traversal(charsOf(first)), shape: SCALAR };
    case 'matches': case 'find': case 'findAll': {
      const [text, regex] = target ? [target, a0] : [a0, a1];
      if (!text || !regex) return { cost: 1, shape: SCALAR };
      const cost = traversal(charsOf(text) + 1) * traversal(charsOf(regex), REGEX_STRING_LENGTH_COST_FACTOR);
      if (fn === 'matches') return { cost, shape: SCALAR };
      if (fn === 'find') return { cost, shape: stringShape(charsOf(text), text.sources) };
      return { cost, shape: { kind: 'list', chars: 0, items: charsOf(text), elem: stringShape(charsOf(text), text.sources), sources: text.sources } };
    }
    case 'lowerAscii': case 'upperAscii': case 'trim': case 'substring':
      if (!target) break;
      return { cost: traversal(charsOf(target)), shape: stringShape(charsOf(target), target.sources) };
    case 'replace':
      if (!target) break;
      return { cost: traversal(charsOf(target), 2 * STRING_TRAVERSAL_COST_FACTOR), shape: stringShape(replacedLength(target, a0, a1), sources) };
    case 'split': {
      if (!target) break;
      // At worst every character is an item (an empty separator).
      const chars = charsOf(target);
      return { cost: traversal(chars, 2 * STRING_TRAVERSAL_COST_FACTOR), shape: { kind: 'list', chars: 0, items: chars, elem: stringShape(chars, target.sources), sources: target.sources } };
    }
    case 'join': {
      if (!target) break;
      const items = itemsOf(target);
      const length = items * charsOf(elemOf(target, bounds)) + (a0 ? charsOf(a0) * Math.max(0, items - 1) : 0);
      return { cost: traversal(length), shape: stringShape(length, target.sources) };
    }
    case 'indexOf': case 'lastIndexOf': case 'isSorted': case 'sum': case 'max': case 'min': {
      if (!target) break;
      const elem = elemOf(target, bounds);
      const asList = itemsOf(target) * (1 + (isStringLike(elem) ? traversal(elem.chars) : 0));
      const asString = traversal(charsOf(target));
      const cost = target.kind === 'list' ? asList : target.kind === 'string' ? asString : Math.max(asList, asString);
      return { cost, shape: fn === 'max' || fn === 'min' ? elem : SCALAR };
    }
    case 'url': case 'quantity': case 'isQuantity': case 'cidr': case 'isIP': case 'isCIDR':
      return { cost: traversal(charsOf(first)), shape: fn.startsWith('is') ? SCALAR : unknown(bounds, NO_SOURCES) };
    case 'ip':
      if (target) return { cost: 1, shape: unknown(bounds, NO_SOURCES) };
      return { cost: traversal(charsOf(first)), shape: unknown(bounds, NO_SOURCES) };
    case 'containsIP': case 'containsCIDR':
      // Comparing two addresses of up to 16 bytes (ceil(32 × 0.1) = 4), plus parsing a string argument.
      return { cost: 4 + (a0 && isStringLike(a0) ? traversal(a0.chars) : 0), shape: SCALAR };
    case 'check':
      return { cost: AUTHZ_CHECK_COST, shape: SCALAR };
    case 'string': case 'bytes': {
      // string(bytes) and bytes(string) traverse their argument; other conversions cost 1.
      const traverses = fn === 'string' ? first.kind === 'bytes' || first.kind === 'unknown' : first.kind === 'string' || first.kind === 'unknown';
      const cost = traverses ? Math.max(first.kind === 'unknown' ? 1 : 0, traversal(first.chars)) : 1;
      const chars = isStringLike(first) ? first.chars * (fn === 'bytes' ? 4 : 1) : bounds.stringLength;
      return { cost, shape: { kind: fn === 'string' ? 'string' : 'bytes', chars, items: 0, sources: first.sources } };
    }
    case 'dyn':
      return { cost: 1, shape: first };
    case 'format': case 'quote':
      return { cost: traversal(charsOf(first)), shape: stringShape(bounds.stringLength, sources) };
  }
  // O(1): logic, arithmetic, size(), conversions, accessors, and functions without a cost of their own.
  return { cost: 1, shape: SCALAR_RESULTS.has(fn) || fn.startsWith('_') || fn.startsWith('@') || fn.endsWith('_') ? SCALAR : unknown(bounds, sources) };
}

/** The longest result of `s.replace(from, to)` (k8s.io/apiserver/pkg/cel/library/cost.go). */
function replacedLength(target: Shape, from: Shape | undefined, to: Shape | undefined): number {
  const length = charsOf(target);
  const fromMin = from && from.kind === 'string' ? from.chars : 0;
  const toMax = to ? charsOf(to) : 0;
  if (fromMin === 0) return (length + 1) * toMax + length;
  if (toMax <= fromMin) return length;
  return Math.ceil(length / fromMin) * toMax;
}

/** Runs the estimator over one expression. */
function estimate(
  expression: string, where: string, bounds: Required<CostBounds>, origins: Origins,
  variable: (name: string) => VariableInfo | undefined,
): { own: number; estimator: Estimator; shape: Shape } {
  const parsed = parseCel(expression, where);
  const estimator = new Estimator(parsed, bounds, origins, variable, where);
  const { cost, shape } = estimator.visit(parsed.expr, new Map());
  return { own: cost, estimator, shape };
}

/**
 * The worst-case cost of one CEL expression under the bounds, in cel-go's units. `variableCosts` gives what
 * each `variables.<name>` costs: it is added once, however often the expression reads the variable; a
 * variable missing from it costs only its read (and is taken for user data of the bounds' sizes).
 * Throws on CEL that does not parse.
 */
export function estimateExpressionCost(
  expression: string, bounds?: CostBounds, variableCosts?: ReadonlyMap<string, number>,
): Omit<ExpressionCost, 'path' | 'expression'> {
  const resolved = resolveBounds(bounds);
  const origins = new Origins();
  const infos = new Map<string, VariableInfo>();
  for (const [name, cost] of variableCosts ?? []) {
    infos.set(name, { ownCost: cost, deps: new Set(), shape: unknown(resolved, new Set([origins.root(`variables.${name}`)])) });
  }
  const { own, estimator } = estimate(expression, 'estimateExpressionCost', resolved, origins, (name) => infos.get(name));
  return { cost: own + estimator.variableCost, userDataNesting: estimator.userDataNesting, crossProducts: estimator.crossProducts };
}

/** A list field of the policy's spec, checked to be one. */
function specList(spec: { [key: string]: any }, field: string): { [key: string]: any }[] {
  const value = spec[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`spec.${field} must be a list`);
  return value;
}

function expressionText(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new Error(`${path} must be a CEL expression string`);
  return value;
}

/**
 * The worst-case cost of a ValidatingAdmissionPolicy's expressions under the bounds: each variable, match
 * condition, validation (and its messageExpression) and audit annotation, and their total for one evaluation.
 * Throws on CEL that does not parse, and on a variable read before it is declared.
 */
export function estimatePolicyCost(policy: KubeObject, bounds?: CostBounds): PolicyCost {
  if (policy?.kind !== 'ValidatingAdmissionPolicy') {
    throw new Error(`estimatePolicyCost: expected a ValidatingAdmissionPolicy, got ${policy?.kind ?? typeof policy}`);
  }
  const resolved = resolveBounds(bounds);
  const spec = policy.spec ?? {};
  const origins = new Origins();
  const variables = new Map<string, VariableInfo>();
  let total = 0;

  const run = (path: string, value: unknown, known: ReadonlyMap<string, VariableInfo>): { cost: ExpressionCost; info: VariableInfo } => {
    const expression = expressionText(value, path);
    const lookup = (name: string): VariableInfo => {
      const info = known.get(name);
      if (!info) throw new Error(`${path}: variables.${name} is not declared${known === variables ? '' : ' before this variable'}`);
      return info;
    };
    const { own, estimator, shape } = estimate(expression, path, resolved, origins, lookup);
    total += own;
    const cost = { path, expression, cost: own + estimator.variableCost, userDataNesting: estimator.userDataNesting, crossProducts: estimator.crossProducts };
    return { cost, info: { ownCost: own, deps: estimator.charged, shape } };
  };

  const variableCosts = specList(spec, 'variables').map((variable, i) => {
    const name = variable?.name;
    if (typeof name !== 'string' || name === '') throw new Error(`spec.variables[${i}].name must be a non-empty string`);
    if (variables.has(name)) throw new Error(`spec.variables[${i}].name: variable ${name} is declared twice`);
    const { cost, info } = run(`spec.variables[${i}].expression`, variable.expression, new Map(variables));
    variables.set(name, info);
    return cost;
  });
  const matchConditions = specList(spec, 'matchConditions').map((m, i) => run(`spec.matchConditions[${i}].expression`, m?.expression, variables).cost);
  const validations = specList(spec, 'validations').flatMap((v, i) => [
    run(`spec.validations[${i}].expression`, v?.expression, variables).cost,
    ...(v?.messageExpression !== undefined ? [run(`spec.validations[${i}].messageExpression`, v.messageExpression, variables).cost] : []),
  ]);
  const auditAnnotations = specList(spec, 'auditAnnotations').map((a, i) => run(`spec.auditAnnotations[${i}].valueExpression`, a?.valueExpression, variables).cost);

  return { expressions: [...matchConditions, ...variableCosts, ...validations, ...auditAnnotations], total };
}
