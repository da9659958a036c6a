// ValidatingAdmissionPolicies (admissionregistration.k8s.io/v1) evaluated offline over manifests, as the
// API server admits a CREATE (or UPDATE): the policy's matchConstraints and its bindings' matchResources,
// matchConditions, variables, validations with message, messageExpression and reason, failurePolicy and
// validationActions. Any policy file can be judged, ours or anyone's. The CEL engine is @bufbuild/cel with
// Kubernetes' libraries (k8s-cel-library.ts), loaded when policies are first compiled; what the engine
// lacks (optional syntax, the authorizer, params, unknown functions) is a compile error, never a guess.
import type * as CelModule from '@bufbuild/cel';
import { CLUSTER_SCOPED_KINDS, KubeObject, NAMESPACE_NAME_LABEL, ObjectRef, apiGroupOf, refOf, selectorMatches } from '../profile';
import { UNSUPPORTED_KUBERNETES_FUNCTIONS, kubernetesCelLibrary } from './k8s-cel-library';

/** The operations the evaluator admits. */
export type AdmissionOperation = 'CREATE' | 'UPDATE';

/** What a binding does with a failed validation. */
export type ValidationAction = 'Deny' | 'Warn' | 'Audit';

/** A policy or binding the evaluator cannot compile: names the object, the field path and the expression. */
export class AdmissionPolicyError extends Error {
  /** `ValidatingAdmissionPolicy/<name>` or `ValidatingAdmissionPolicyBinding/<name>`. */
  public readonly source: string;
  /** The field at fault, e.g. `spec.validations[3].expression`. */
  public readonly path: string;
  /** The expression at fault, when the fault is in one. */
  public readonly expression?: string;

  constructor(source: string, path: string, problem: string, expression?: string) {
    super(`${source.replace('/', ' "')}" ${path}: ${problem}${expression !== undefined ? `; expression: ${expression}` : ''}`);
    this.name = 'AdmissionPolicyError';
    this.source = source;
    this.path = path;
    if (expression !== undefined) this.expression = expression;
  }
}

/** A label selector as policies and bindings write it. */
export interface AdmissionLabelSelector {
  readonly matchLabels?: { readonly [key: string]: string };
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

/** One rule of resourceRules or excludeResourceRules. */
export interface AdmissionRule {
  readonly apiGroups: readonly string[];
  readonly apiVersions: readonly string[];
  readonly operations: readonly string[];
  /** Resources (plural, lower case), `*`, `*\/*` or `resource/subresource`. */
  readonly resources: readonly string[];
  /** Object names the rule is limited to; empty: every name. */
  readonly resourceNames: readonly string[];
  /** `Cluster`, `Namespaced` or `*`. */
  readonly scope: string;
}

/** A policy's matchConstraints or a binding's matchResources, with Kubernetes' defaults applied. */
export interface AdmissionMatchResources {
  /** @default - every namespace */
  readonly namespaceSelector?: AdmissionLabelSelector;
  /** @default - every object */
  readonly objectSelector?: AdmissionLabelSelector;
  /** Empty in a binding: whatever the policy matches. */
  readonly resourceRules: readonly AdmissionRule[];
  readonly excludeResourceRules: readonly AdmissionRule[];
  /** `Equivalent` (the default) or `Exact`; both match the object's own apiVersion only here (no conversion offline). */
  readonly matchPolicy: 'Exact' | 'Equivalent';
}

/** A compiled CEL expression of a policy. */
export interface CompiledExpression {
  /** The expression's text. */
  readonly expression: string;
  /** Its field path in the policy, e.g. `spec.validations[0].expression`. */
  readonly path: string;
}

/** A compiled variable (`variables.<name>`). */
export interface CompiledVariable extends CompiledExpression {
  readonly name: string;
}

/** A compiled matchCondition. */
export interface CompiledMatchCondition extends CompiledExpression {
  readonly name: string;
}

/** A compiled validation. */
export interface CompiledValidation extends CompiledExpression {
  /** The static message. @default - "failed expression: <expression>" */
  readonly message?: string;
  /** The CEL that builds the message when the validation fails. */
  readonly messageExpression?: CompiledExpression;
  /** The reason the API server would answer with. @default 'Invalid' */
  readonly reason?: string;
}

/** A compiled ValidatingAdmissionPolicyBinding. */
export interface CompiledBinding {
  readonly name: string;
  readonly policyName: string;
  readonly validationActions: readonly ValidationAction[];
  /** @default - whatever the policy matches */
  readonly matchResources?: AdmissionMatchResources;
}

/** A compiled ValidatingAdmissionPolicy. */
export interface CompiledPolicy {
  readonly name: string;
  readonly failurePolicy: 'Fail' | 'Ignore';
  readonly matchConstraints: AdmissionMatchResources;
  readonly matchConditions: readonly CompiledMatchCondition[];
  readonly variables: readonly CompiledVariable[];
  readonly validations: readonly CompiledValidation[];
  /** The bindings that name it; empty: evaluated as if bound cluster-wide with validationActions [Deny]. */
  readonly bindings: readonly CompiledBinding[];
}

/** A compiled set of policies and bindings read from manifests. */
export interface CompiledAdmission {
  /** Policies in input order. */
  readonly policies: readonly CompiledPolicy[];
  /** Every binding, in input order (those naming a policy the input lacks included). */
  readonly bindings: readonly CompiledBinding[];
  /** What the evaluator assumed or ignored: unbound policies, bindings of missing policies, auditAnnotations. */
  readonly warnings: readonly string[];
}

/** The resource (plural) and scope of a kind. */
export interface AdmissionResourceInfo {
  /** The plural resource name, e.g. `certificates`. */
  readonly resource: string;
  readonly namespaced: boolean;
}

/** Options of evaluateAdmission. */
export interface AdmissionOptions {
  /**
   * The labels of a namespace by name (for namespaceSelector).
   * @default - only kubernetes.io/metadata.name=<name>
   */
  readonly namespaceLabels?: (namespace: string) => { readonly [key: string]: string };
  /**
   * The Namespace object CEL's `namespaceObject` is, by name.
   * @default - a Namespace with the name and the namespaceLabels, phase Active
   */
  readonly namespaceObject?: (namespace: string) => KubeObject | undefined;
  /** @default 'CREATE' */
  readonly operation?: AdmissionOperation;
  /**
   * The object before an UPDATE (CEL's `oldObject`).
   * @default - the object itself (an UPDATE that changes nothing); null on CREATE
   */
  readonly oldObject?: KubeObject;
  /**
   * Namespace of objects that name none.
   * @default 'default'
   */
  readonly defaultNamespace?: string;
  /**
   * The resource and scope of kinds outside Kubernetes' own API groups (custom resources).
   * @default - the kind in lower case, pluralized; namespaced
   */
  readonly resourceOf?: (group: string, kind: string) => AdmissionResourceInfo | undefined;
  /**
   * CEL's `request.userInfo`.
   * @default { username: 'cdk8s-sandbox:offline-admission', groups: ['system:authenticated'] }
   */
  readonly userInfo?: { readonly username: string; readonly groups?: readonly string[] };
}

/** One failed validation (or evaluation error) of one policy through one binding. */
export interface AdmissionDenial {
  readonly policy: string;
  /** The binding; undefined when the input holds none for the policy (evaluated as bound cluster-wide with [Deny]). */
  readonly binding?: string;
  /** Index in spec.validations; -1 for an error in a matchCondition. */
  readonly validation: number;
  /** The field path of the expression, e.g. `spec.validations[2].expression`. */
  readonly path: string;
  readonly expression: string;
  /** The validation's message (its messageExpression's, its message, or "failed expression: ..."), or the error. */
  readonly message: string;
  /** The validation's reason (`Invalid` when it names none); unset for evaluation errors. */
  readonly reason?: string;
  /** Set when the expression failed to evaluate (then failurePolicy decides). */
  readonly error?: string;
  /** The strongest of the binding's actions: Deny, else Warn, else Audit. */
  readonly action: ValidationAction;
  /** Every action of the binding. */
  readonly actions: readonly ValidationAction[];
}

/** The admission of one object. */
export interface AdmissionDecision {
  readonly object: ObjectRef;
  /** False when a denial's action is Deny. */
  readonly allowed: boolean;
  /** Denials and warnings, in policy then validation order. */
  readonly denials: readonly AdmissionDenial[];
  /**
   * Policies that applied to the object (its resources matched and its matchConditions held), through each binding:
   * `policy/binding`, or `policy` for one without binding in the input.
   */
  readonly matched: readonly string[];
}

const ADMISSION_GROUP = 'admissionregistration.k8s.io';
const POLICY_KIND = 'ValidatingAdmissionPolicy';
const BINDING_KIND = 'ValidatingAdmissionPolicyBinding';
const OPERATIONS: readonly string[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT', '*'];
const SCOPES: readonly string[] = ['Cluster', 'Namespaced', '*'];
const ACTIONS: readonly ValidationAction[] = ['Deny', 'Warn', 'Audit'];
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The variables every expression may read (params only with a paramKind, which the evaluator refuses). */
const ROOT_VARIABLES: ReadonlySet<string> = new Set(['object', 'oldObject', 'request', 'namespaceObject', 'variables']);
/** CEL's type names, which may stand as identifiers (`type(x) == int`). */
const TYPE_NAMES: ReadonlySet<string> = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type', 'dyn']);
/** Methods and functions of CEL's optional values. */
const OPTIONAL_FUNCTIONS: ReadonlySet<string> = new Set(['orValue', 'hasValue', 'value', 'or', 'optMap', 'optFlatMap', 'optional.of', 'optional.none', 'optional.ofNonZeroValue']);
const MACROS: ReadonlySet<string> = new Set(['all', 'exists', 'exists_one', 'map', 'filter', 'has']);
const VARIABLE_FUNCTION = '__cdk8s_sandbox_variable__';
const OPTIONAL_SYNTAX = "this evaluator lacks CEL's optional syntax (`.?field`, `[?key]`, `{?key: v}`, `[?v]`, `optional.*`, `.orValue()`, `.hasValue()`); test presence with has() instead";

/** Kinds of Kubernetes' own API groups that are cluster-scoped, besides the profile's CLUSTER_SCOPED_KINDS. */
const MORE_CLUSTER_SCOPED: ReadonlySet<string> = new Set([
  'CSINode', 'ComponentStatus', 'IPAddress', 'ServiceCIDR', 'CertificateSigningRequest', 'ClusterTrustBundle', 'FlowSchema',
  'PriorityLevelConfiguration', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding', 'DeviceClass', 'ResourceSlice',
  'StorageVersion', 'StorageVersionMigration', 'VolumeAttributesClass', 'SelfSubjectReview', 'TokenReview', 'SubjectAccessReview',
  'SelfSubjectAccessReview', 'SelfSubjectRulesReview',
]);
/** Resources whose plural is not the kind's regular English plural. */
const IRREGULAR_RESOURCES: { readonly [kind: string]: string } = { Endpoints: 'endpoints' };

// ---------------------------------------------------------------------------------------------------------
// The CEL environment

/** The engine and one environment, built on first compile. */
interface Engine {
  readonly cel: typeof CelModule;
  readonly env: CelModule.CelEnv;
  readonly functionNames: ReadonlySet<string>;
}

let engine: Engine | undefined;

/** The variables of the evaluation in progress (evaluations nest when a variable reads another). */
const activeEvaluations: PolicyEvaluation[] = [];

function loadEngine(): Engine {
  if (engine) return engine;
  const library = kubernetesCelLibrary();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cel: typeof CelModule = require('@bufbuild/cel');
  const variable = cel.celFunc(VARIABLE_FUNCTION, [cel.CelScalar.STRING], cel.CelScalar.DYN, (name) => {
    const evaluation = activeEvaluations[activeEvaluations.length - 1];
    if (!evaluation) throw new Error(`variables.${name} read outside an admission evaluation`);
    return evaluation.variable(name) as CelModule.CelInput;
  });
  const env = cel.celEnv({ funcs: [...library.funcs, variable], registry: library.registry as any });
  engine = { cel, env, functionNames: library.functionNames };
  return engine;
}

/** What a compiled expression runs. */
type Program = (bindings: Record<string, unknown>) => unknown;
const PROGRAMS = new WeakMap<CompiledExpression, Program>();

// ---------------------------------------------------------------------------------------------------------
// Compiling

/** Where a compile error is: the object, and the names of the variables an expression may read. */
interface CompileContext {
  readonly source: string;
  readonly variables: ReadonlySet<string>;
}

/** The expression's text with the contents of its string literals blanked (for the optional-syntax scan). */
function withoutStrings(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const m = /^([rRbB]{0,2})('''|"""|'|")/.exec(rest);
    if (!m || (i > 0 && /[A-Za-z0-9_]/.test(text[i - 1]) && m[1] === '')) {
      out += text[i];
      i++;
      continue;
    }
    const raw = /r/i.test(m[1]);
    const quote = m[2];
    let j = i + m[0].length;
    while (j < text.length && !text.startsWith(quote, j)) j += !raw && text[j] === '\\' ? 2 : 1;
    const end = Math.min(text.length, j + quote.length);
    out += `${m[0]}${' '.repeat(Math.max(0, end - i - m[0].length - quote.length))}${quote}`;
    i = end;
  }
  return out;
}

function usesOptionalSyntax(text: string): boolean {
  return /\.\s*\?|\[\s*\?|\{\s*\?|,\s*\?/.test(withoutStrings(text));
}

/** The dotted name an expression is (`a.b.c`), when it is one and none of its parts is a comprehension variable. */
function qualifiedName(expr: any, scope: ReadonlySet<string>): string | undefined {
  const kind = expr?.exprKind;
  if (kind?.case === 'identExpr') return scope.has(kind.value.name) ? undefined : kind.value.name;
  if (kind?.case === 'selectExpr' && !kind.value.testOnly) {
    const operand = qualifiedName(kind.value.operand, scope);
    return operand === undefined ? undefined : `${operand}.${kind.value.field}`;
  }
  return undefined;
}

function stringConstant(id: unknown, value: string): any {
  return { id, exprKind: { case: 'constExpr', value: { constantKind: { case: 'stringValue', value } } } };
}

/**
 * Checks what the expression reads and calls, as Kubernetes' type-checker would refuse it (undeclared
 * identifiers and variables, unknown functions), and what this evaluator lacks (optional syntax, the
 * authorizer, message construction); rewrites `variables.x` into a lazy read of the variable.
 */
function checkAndRewrite(expr: any, scope: ReadonlySet<string>, context: CompileContext, fail: (problem: string) => never): void {
  const kind = expr?.exprKind;
  const value = kind?.value;
  const within = (added: readonly string[]) => new Set([...scope, ...added.filter((n) => n !== '')]);
  switch (kind?.case) {
    case 'constExpr':
      return;
    case 'identExpr': {
      const name: string = value.name;
      if (scope.has(name) || TYPE_NAMES.has(name)) return;
      if (name === 'variables') return fail('`variables` is read by name only (variables.<name>)');
      if (ROOT_VARIABLES.has(name)) return;
      if (name === 'authorizer') return fail('the authorizer (`authorizer`) is not supported: an offline evaluation has no cluster to ask');
      if (name === 'params') return fail("undeclared reference to 'params': the policy has no paramKind (and this evaluator supports none)");
      if (name === 'optional') return fail(OPTIONAL_SYNTAX);
      return fail(`undeclared reference to '${name}': an expression may read object, oldObject, request, namespaceObject and variables.<name>`);
    }
    case 'selectExpr': {
      const operand = value.operand;
      if (operand?.exprKind?.case === 'identExpr' && !scope.has(operand.exprKind.value.name)) {
        const root: string = operand.exprKind.value.name;
        if (root === 'variables') {
          if (!context.variables.has(value.field)) {
            return fail(`undefined variable 'variables.${value.field}'${context.variables.size > 0 ? `; the variables defined before this expression are ${[...context.variables].join(', ')}` : ': no variable is defined before this expression'}`);
          }
          expr.exprKind = value.testOnly
            ? { case: 'constExpr', value: { constantKind: { case: 'boolValue', value: true } } }
            : { case: 'callExpr', value: { function: VARIABLE_FUNCTION, args: [stringConstant(expr.id, value.field)] } };
          return;
        }
        if (root === 'net' && (value.field === 'IP' || value.field === 'CIDR')) return;
      }
      return checkAndRewrite(operand, scope, context, fail);
    }
    case 'callExpr': {
      const name: string = value.function;
      const args: any[] = value.args ?? [];
      const target = value.target;
      // A dotted target that is no variable's field path may name a namespace of functions (`ip.isCanonical`, `sets.contains`).
      const dotted = target ? qualifiedName(target, scope) : undefined;
      const qualified = dotted !== undefined && !ROOT_VARIABLES.has(dotted.split('.')[0]) ? dotted : undefined;
      const functions = loadEngine().functionNames;
      if (qualified !== undefined && functions.has(`${qualified}.${name}`)) {
        for (const arg of args) checkAndRewrite(arg, scope, context, fail);
        return;
      }
      const operator = /^[_@]|^[!-]_$/.test(name);
      const full = qualified !== undefined ? `${qualified}.${name}` : name;
      const unsupported = (library: string | undefined) => fail(library
        ? `unsupported function '${full}': it is in Kubernetes' CEL (${library}), which this evaluator does not implement`
        : `unsupported function '${full}': neither the standard library, the strings extension nor the Kubernetes IP, CIDR, quantity and list libraries this evaluator implements has it`);
      if (!operator) {
        if (OPTIONAL_FUNCTIONS.has(name) || OPTIONAL_FUNCTIONS.has(full)) return fail(OPTIONAL_SYNTAX);
        if (qualified !== undefined && UNSUPPORTED_KUBERNETES_FUNCTIONS[full]) return unsupported(UNSUPPORTED_KUBERNETES_FUNCTIONS[full]);
        if (MACROS.has(name) && !functions.has(name)) {
          return fail(`unsupported call ${name}() with ${args.length} argument(s): two-variable comprehensions (\`all(k, v, ...)\`) and macros with other arguments are not supported`);
        }
      }
      // What the target and arguments read (an undeclared name is the cause), then the function.
      if (target) checkAndRewrite(target, scope, context, fail);
      for (const arg of args) checkAndRewrite(arg, scope, context, fail);
      if (!operator && !functions.has(name)) return unsupported(UNSUPPORTED_KUBERNETES_FUNCTIONS[name]);
      return;
    }
    case 'listExpr':
      if ((value.optionalIndices ?? []).length > 0) return fail(OPTIONAL_SYNTAX);
      for (const element of value.elements ?? []) checkAndRewrite(element, scope, context, fail);
      return;
    case 'structExpr':
      if (value.messageName) return fail(`message construction (${value.messageName}{...}) is not supported`);
      for (const entry of value.entries ?? []) {
        if (entry.optionalEntry) return fail(OPTIONAL_SYNTAX);
        if (entry.keyKind?.case === 'mapKey') checkAndRewrite(entry.keyKind.value, scope, context, fail);
        checkAndRewrite(entry.value, scope, context, fail);
      }
      return;
    case 'comprehensionExpr': {
      checkAndRewrite(value.iterRange, scope, context, fail);
      checkAndRewrite(value.accuInit, scope, context, fail);
      const loop = within([value.iterVar, value.iterVar2 ?? '', value.accuVar]);
      checkAndRewrite(value.loopCondition, loop, context, fail);
      checkAndRewrite(value.loopStep, loop, context, fail);
      checkAndRewrite(value.result, within([value.accuVar]), context, fail);
      return;
    }
    default:
      return fail('unsupported expression');
  }
}

/**
 * Compiles one expression into `{ ...extra, expression, path }`; throws AdmissionPolicyError naming the object,
 * the path and the expression.
 */
function compileExpression<T extends object = {}>(text: unknown, path: string, context: CompileContext, extra?: T): CompiledExpression & T {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new AdmissionPolicyError(context.source, path, `required: a CEL expression (a non-empty string), got ${JSON.stringify(text) ?? 'nothing'}`);
  }
  const fail = (problem: string): never => {
    throw new AdmissionPolicyError(context.source, path, problem, text);
  };
  if (usesOptionalSyntax(text)) fail(OPTIONAL_SYNTAX);
  const { cel, env } = loadEngine();
  let parsed: ReturnType<typeof CelModule.parse>;
  try {
    parsed = cel.parse(text);
  } catch (err: any) {
    return fail(`syntax error: ${err?.message ?? err}`);
  }
  checkAndRewrite(parsed.expr, new Set(), context, fail);
  let program: Program;
  try {
    program = cel.plan(env, parsed) as unknown as Program;
  } catch (err: any) {
    return fail(`cannot compile: ${err?.message ?? err}`);
  }
  const compiled = { ...(extra as T), expression: text, path };
  PROGRAMS.set(compiled, program);
  return compiled;
}

function isMapping(value: unknown): value is { [key: string]: any } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A list of strings at `path`, or the error. */
function stringList(value: unknown, source: string, path: string, required: boolean): string[] {
  if (value === undefined || value === null) {
    if (required) throw new AdmissionPolicyError(source, path, 'required: a non-empty list of strings');
    return [];
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new AdmissionPolicyError(source, path, `must be a list of strings, got ${JSON.stringify(value)}`);
  }
  if (required && value.length === 0) throw new AdmissionPolicyError(source, path, 'required: a non-empty list of strings');
  return value;
}

function compileSelector(value: unknown, source: string, path: string): AdmissionLabelSelector | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isMapping(value)) throw new AdmissionPolicyError(source, path, `must be a label selector (matchLabels, matchExpressions), got ${JSON.stringify(value)}`);
  const expressions = value.matchExpressions ?? [];
  if (!Array.isArray(expressions)) throw new AdmissionPolicyError(source, `${path}.matchExpressions`, 'must be a list');
  expressions.forEach((e: any, i: number) => {
    const at = `${path}.matchExpressions[${i}]`;
    const values = e?.values ?? [];
    if (typeof e?.key !== 'string' || e.key === '') throw new AdmissionPolicyError(source, `${at}.key`, 'required: a label key');
    if (e.operator === 'In' || e.operator === 'NotIn') {
      if (!Array.isArray(values) || values.length === 0) throw new AdmissionPolicyError(source, `${at}.values`, `required for operator ${e.operator}: a non-empty list`);
    } else if (e.operator === 'Exists' || e.operator === 'DoesNotExist') {
      if (Array.isArray(values) && values.length > 0) throw new AdmissionPolicyError(source, `${at}.values`, `must be empty for operator ${e.operator}`);
    } else {
      throw new AdmissionPolicyError(source, `${at}.operator`, `unknown operator ${JSON.stringify(e.operator)}; use In, NotIn, Exists or DoesNotExist`);
    }
  });
  return value as AdmissionLabelSelector;
}

function compileRules(value: unknown, source: string, path: string): AdmissionRule[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new AdmissionPolicyError(source, path, 'must be a list of rules');
  return value.map((rule: any, i: number) => {
    const at = `${path}[${i}]`;
    if (!isMapping(rule)) throw new AdmissionPolicyError(source, at, 'must be a rule (apiGroups, apiVersions, operations, resources)');
    const operations = stringList(rule.operations, source, `${at}.operations`, true);
    const unknown = operations.filter((o) => !OPERATIONS.includes(o));
    if (unknown.length > 0) throw new AdmissionPolicyError(source, `${at}.operations`, `unknown operation(s) ${unknown.join(', ')}; use ${OPERATIONS.join(', ')}`);
    const scope = rule.scope ?? '*';
    if (!SCOPES.includes(scope)) throw new AdmissionPolicyError(source, `${at}.scope`, `unknown scope ${JSON.stringify(scope)}; use ${SCOPES.join(', ')}`);
    return {
      apiGroups: stringList(rule.apiGroups, source, `${at}.apiGroups`, true),
      apiVersions: stringList(rule.apiVersions, source, `${at}.apiVersions`, true),
      operations,
      resources: stringList(rule.resources, source, `${at}.resources`, true),
      resourceNames: stringList(rule.resourceNames, source, `${at}.resourceNames`, false),
      scope,
    };
  });
}

function compileMatchResources(value: unknown, source: string, path: string, forPolicy: boolean): AdmissionMatchResources {
  if (!isMapping(value)) throw new AdmissionPolicyError(source, path, `required: resourceRules and the selectors, got ${JSON.stringify(value) ?? 'nothing'}`);
  const matchPolicy = value.matchPolicy ?? 'Equivalent';
  if (matchPolicy !== 'Exact' && matchPolicy !== 'Equivalent') {
    throw new AdmissionPolicyError(source, `${path}.matchPolicy`, `unknown matchPolicy ${JSON.stringify(matchPolicy)}; use Exact or Equivalent`);
  }
  const resourceRules = compileRules(value.resourceRules, source, `${path}.resourceRules`);
  if (forPolicy && resourceRules.length === 0) {
    throw new AdmissionPolicyError(source, `${path}.resourceRules`, 'required: at least one rule (the API server refuses a policy without)');
  }
  const namespaceSelector = compileSelector(value.namespaceSelector, source, `${path}.namespaceSelector`);
  const objectSelector = compileSelector(value.objectSelector, source, `${path}.objectSelector`);
  return {
    ...(namespaceSelector ? { namespaceSelector } : {}),
    ...(objectSelector ? { objectSelector } : {}),
    resourceRules,
    excludeResourceRules: compileRules(value.excludeResourceRules, source, `${path}.excludeResourceRules`),
    matchPolicy,
  };
}

function nameOf(obj: KubeObject, source: string): string {
  const name = obj.metadata?.name;
  if (typeof name !== 'string' || name === '') throw new AdmissionPolicyError(source, 'metadata.name', 'required');
  return name;
}

function namedList(value: unknown, source: string, path: string, what: string): { name: string; expression: unknown; at: string }[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new AdmissionPolicyError(source, path, `must be a list of ${what}`);
  const seen = new Set<string>();
  return value.map((item: any, i: number) => {
    const at = `${path}[${i}]`;
    const name = item?.name;
    if (typeof name !== 'string' || name === '') throw new AdmissionPolicyError(source, `${at}.name`, `required: a name, got ${JSON.stringify(name) ?? 'nothing'}`);
    if (what === 'variables' && !IDENTIFIER.test(name)) {
      throw new AdmissionPolicyError(source, `${at}.name`, `must be a CEL identifier (letters, digits and _, not first a digit), got ${JSON.stringify(name)}`);
    }
    if (seen.has(name)) throw new AdmissionPolicyError(source, `${at}.name`, `duplicate name ${JSON.stringify(name)}`);
    seen.add(name);
    return { name, expression: item?.expression, at };
  });
}

function compilePolicy(obj: KubeObject, warnings: string[]): Omit<CompiledPolicy, 'bindings'> {
  let source = `${POLICY_KIND}/${obj.metadata?.name ?? '(unnamed)'}`;
  const name = nameOf(obj, source);
  source = `${POLICY_KIND}/${name}`;
  const spec = obj.spec;
  if (!isMapping(spec)) throw new AdmissionPolicyError(source, 'spec', 'required');
  if (spec.paramKind !== undefined && spec.paramKind !== null) {
    throw new AdmissionPolicyError(source, 'spec.paramKind', 'policies with parameters (paramKind, params) are not supported: the evaluator has no parameter objects');
  }
  const failurePolicy = spec.failurePolicy ?? 'Fail';
  if (failurePolicy !== 'Fail' && failurePolicy !== 'Ignore') {
    throw new AdmissionPolicyError(source, 'spec.failurePolicy', `unknown failurePolicy ${JSON.stringify(failurePolicy)}; use Fail or Ignore`);
  }
  const matchConstraints = compileMatchResources(spec.matchConstraints, source, 'spec.matchConstraints', true);
  const variables: CompiledVariable[] = [];
  const declared = new Set<string>();
  for (const v of namedList(spec.variables, source, 'spec.variables', 'variables')) {
    variables.push(compileExpression(v.expression, `${v.at}.expression`, { source, variables: new Set(declared) }, { name: v.name }));
    declared.add(v.name);
  }
  const context: CompileContext = { source, variables: declared };
  const matchConditions = namedList(spec.matchConditions, source, 'spec.matchConditions', 'matchConditions')
    .map((c) => compileExpression(c.expression, `${c.at}.expression`, context, { name: c.name }));
  if (spec.validations !== undefined && spec.validations !== null && !Array.isArray(spec.validations)) {
    throw new AdmissionPolicyError(source, 'spec.validations', 'must be a list');
  }
  const validations: CompiledValidation[] = (spec.validations ?? []).map((v: any, i: number) => {
    const at = `spec.validations[${i}]`;
    if (!isMapping(v)) throw new AdmissionPolicyError(source, at, 'must be a validation (expression, message, messageExpression, reason)');
    for (const field of ['message', 'reason'] as const) {
      if (v[field] !== undefined && v[field] !== null && typeof v[field] !== 'string') throw new AdmissionPolicyError(source, `${at}.${field}`, 'must be a string');
    }
    const compiled = compileExpression(v.expression, `${at}.expression`, context);
    const messageExpression = v.messageExpression !== undefined && v.messageExpression !== null
      ? compileExpression(v.messageExpression, `${at}.messageExpression`, context) : undefined;
    const validation: CompiledValidation = {
      ...compiled,
      ...(typeof v.message === 'string' ? { message: v.message } : {}),
      ...(messageExpression ? { messageExpression } : {}),
      ...(typeof v.reason === 'string' ? { reason: v.reason } : {}),
    };
    PROGRAMS.set(validation, PROGRAMS.get(compiled)!);
    return validation;
  });
  const auditAnnotations = Array.isArray(spec.auditAnnotations) ? spec.auditAnnotations.length : 0;
  if (validations.length === 0 && auditAnnotations === 0) {
    throw new AdmissionPolicyError(source, 'spec.validations', 'required: at least one validation (or auditAnnotation)');
  }
  if (auditAnnotations > 0) warnings.push(`${POLICY_KIND} "${name}": its ${auditAnnotations} auditAnnotation(s) are not evaluated (they never deny)`);
  return { name, failurePolicy, matchConstraints, matchConditions, variables, validations };
}

function compileBinding(obj: KubeObject): CompiledBinding {
  let source = `${BINDING_KIND}/${obj.metadata?.name ?? '(unnamed)'}`;
  const name = nameOf(obj, source);
  source = `${BINDING_KIND}/${name}`;
  const spec = obj.spec;
  if (!isMapping(spec)) throw new AdmissionPolicyError(source, 'spec', 'required');
  if (typeof spec.policyName !== 'string' || spec.policyName === '') throw new AdmissionPolicyError(source, 'spec.policyName', 'required: the name of a ValidatingAdmissionPolicy');
  if (spec.paramRef !== undefined && spec.paramRef !== null) {
    throw new AdmissionPolicyError(source, 'spec.paramRef', 'bindings with parameters (paramRef) are not supported: the evaluator has no parameter objects');
  }
  const actions = stringList(spec.validationActions, source, 'spec.validationActions', true);
  const unknown = actions.filter((a) => !(ACTIONS as readonly string[]).includes(a));
  if (unknown.length > 0) throw new AdmissionPolicyError(source, 'spec.validationActions', `unknown action(s) ${unknown.join(', ')}; use Deny, Warn or Audit`);
  if (new Set(actions).size !== actions.length) throw new AdmissionPolicyError(source, 'spec.validationActions', `duplicate actions in ${JSON.stringify(actions)}`);
  if (actions.includes('Deny') && actions.includes('Warn')) throw new AdmissionPolicyError(source, 'spec.validationActions', 'Deny and Warn may not be used together');
  const matchResources = spec.matchResources !== undefined && spec.matchResources !== null
    ? compileMatchResources(spec.matchResources, source, 'spec.matchResources', false) : undefined;
  return { name, policyName: spec.policyName, validationActions: actions as ValidationAction[], ...(matchResources ? { matchResources } : {}) };
}

function isAdmissionKind(obj: KubeObject, kind: string): boolean {
  return obj.kind === kind && apiGroupOf(obj.apiVersion) === ADMISSION_GROUP;
}

/**
 * Compiles every ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding among `objects` (other objects
 * are ignored); throws AdmissionPolicyError naming policy, field path, expression and the engine's message on a
 * compile error.
 */
export function compileAdmissionPolicies(objects: readonly KubeObject[]): CompiledAdmission {
  const warnings: string[] = [];
  const policies: Omit<CompiledPolicy, 'bindings'>[] = [];
  const bindings: CompiledBinding[] = [];
  for (const obj of objects) {
    if (isAdmissionKind(obj, POLICY_KIND)) {
      const policy = compilePolicy(obj, warnings);
      if (policies.some((p) => p.name === policy.name)) throw new AdmissionPolicyError(`${POLICY_KIND}/${policy.name}`, 'metadata.name', 'defined twice in the input');
      policies.push(policy);
    } else if (isAdmissionKind(obj, BINDING_KIND)) {
      const binding = compileBinding(obj);
      if (bindings.some((b) => b.name === binding.name)) throw new AdmissionPolicyError(`${BINDING_KIND}/${binding.name}`, 'metadata.name', 'defined twice in the input');
      bindings.push(binding);
    }
  }
  const names = new Set(policies.map((p) => p.name));
  for (const b of bindings) {
    if (!names.has(b.policyName)) warnings.push(`${BINDING_KIND} "${b.name}" names ${POLICY_KIND} "${b.policyName}", which the input does not hold: it binds nothing`);
  }
  const compiled = policies.map((p) => {
    const own = bindings.filter((b) => b.policyName === p.name);
    if (own.length === 0) warnings.push(`${POLICY_KIND} "${p.name}" has no binding in the input: evaluated as if bound cluster-wide with validationActions [Deny]`);
    return { ...p, bindings: own };
  });
  return { policies: compiled, bindings, warnings };
}

// ---------------------------------------------------------------------------------------------------------
// Matching

/** What the API server knows of a request before it runs a policy. */
interface RequestAttributes {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly resource: string;
  /** '' for cluster-scoped objects; a Namespace's own name for a Namespace (as the API server sets it). */
  readonly namespace: string;
  readonly namespaced: boolean;
  readonly name: string;
  readonly operation: AdmissionOperation;
  readonly labels: { readonly [key: string]: string };
  readonly oldLabels?: { readonly [key: string]: string };
  /** The labels namespaceSelector reads; undefined for cluster-scoped objects other than Namespaces. */
  readonly namespaceLabels?: { readonly [key: string]: string };
}

/** Kubernetes' own API groups: the core group, the unqualified ones (`apps`, `batch`, `policy`) and `*.k8s.io`. */
function isBuiltinGroup(group: string): boolean {
  return !group.includes('.') || group.endsWith('.k8s.io');
}

/** The plural resource of a kind: lower case, with the English plural of its last word. */
function guessResource(kind: string): string {
  if (IRREGULAR_RESOURCES[kind]) return IRREGULAR_RESOURCES[kind];
  const k = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(k)) return `${k}es`;
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

function resourceInfo(group: string, kind: string, options: AdmissionOptions): AdmissionResourceInfo {
  if (isBuiltinGroup(group)) return { resource: guessResource(kind), namespaced: !CLUSTER_SCOPED_KINDS.has(kind) && !MORE_CLUSTER_SCOPED.has(kind) };
  return options.resourceOf?.(group, kind) ?? { resource: guessResource(kind), namespaced: true };
}

function labelsOf(obj: KubeObject | undefined): { [key: string]: string } {
  const labels = obj?.metadata?.labels;
  return isMapping(labels) ? labels : {};
}

function attributesOf(obj: KubeObject, options: AdmissionOptions): RequestAttributes {
  const group = apiGroupOf(obj.apiVersion);
  const version = obj.apiVersion.includes('/') ? obj.apiVersion.slice(obj.apiVersion.indexOf('/') + 1) : obj.apiVersion;
  const { resource, namespaced } = resourceInfo(group, obj.kind, options);
  const name = typeof obj.metadata?.name === 'string' ? obj.metadata.name : '';
  const isNamespace = group === '' && obj.kind === 'Namespace';
  const namespace = namespaced ? (obj.metadata?.namespace || options.defaultNamespace || 'default') : isNamespace ? name : '';
  const operation = options.operation ?? 'CREATE';
  const namespaceLabels = isNamespace
    ? { ...labelsOf(obj), [NAMESPACE_NAME_LABEL]: name }
    : namespaced ? { ...(options.namespaceLabels?.(namespace) ?? {}), [NAMESPACE_NAME_LABEL]: namespace } : undefined;
  return {
    group, version, kind: obj.kind, resource, namespace, namespaced, name, operation, labels: labelsOf(obj),
    ...(operation === 'UPDATE' ? { oldLabels: labelsOf(options.oldObject ?? obj) } : {}),
    ...(namespaceLabels ? { namespaceLabels } : {}),
  };
}

function exactOrWildcard(items: readonly string[], requested: string): boolean {
  return items.some((item) => item === '*' || item === requested);
}

/** k8s.io/apiserver's rules.Matcher: scope, operation, group, version and resource (no subresource offline). */
function ruleMatches(rule: AdmissionRule, attrs: RequestAttributes): boolean {
  const isNamespaceResource = attrs.group === '' && attrs.version === 'v1' && attrs.resource === 'namespaces';
  const scope = rule.scope === '*' ? true
    : rule.scope === 'Namespaced' ? !isNamespaceResource && attrs.namespaced
      : isNamespaceResource || !attrs.namespaced;
  const resource = rule.resources.some((r) => {
    const slash = r.indexOf('/');
    const [res, sub] = slash >= 0 ? [r.slice(0, slash), r.slice(slash + 1)] : [r, ''];
    return (res === '*' || res === attrs.resource) && (sub === '*' || sub === '');
  });
  return scope && exactOrWildcard(rule.operations, attrs.operation) && exactOrWildcard(rule.apiGroups, attrs.group)
    && exactOrWildcard(rule.apiVersions, attrs.version) && resource;
}

function rulesMatch(rules: readonly AdmissionRule[], attrs: RequestAttributes): boolean {
  return rules.some((rule) => ruleMatches(rule, attrs) && (rule.resourceNames.length === 0 || rule.resourceNames.includes(attrs.name)));
}

function selectorIsEmpty(selector: AdmissionLabelSelector | undefined): boolean {
  return !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
}

/** k8s.io/apiserver's policy matching.Matcher: namespaceSelector, objectSelector, excludeResourceRules, resourceRules. */
function resourcesMatch(match: AdmissionMatchResources, attrs: RequestAttributes): boolean {
  if (attrs.namespaceLabels && !selectorIsEmpty(match.namespaceSelector) && !selectorMatches(match.namespaceSelector as any, attrs.namespaceLabels)) return false;
  if (!selectorIsEmpty(match.objectSelector)) {
    const selects = (labels: { readonly [key: string]: string } | undefined) => labels !== undefined && selectorMatches(match.objectSelector as any, labels);
    if (!selects(attrs.labels) && !selects(attrs.oldLabels)) return false;
  }
  if (rulesMatch(match.excludeResourceRules, attrs)) return false;
  return match.resourceRules.length === 0 || rulesMatch(match.resourceRules, attrs);
}

// ---------------------------------------------------------------------------------------------------------
// Evaluating

/**
 * A JSON value as CEL input: integers are int (bigint), other numbers double, objects maps, arrays lists. A
 * field whose value is null is left out, as the API server's decoding drops it (`securityContext: null`
 * reaches a policy as no securityContext).
 */
function celInput(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(celInput);
  if (typeof value === 'object') {
    const map = new Map<string, unknown>();
    for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) map.set(k, celInput(v));
    return map;
  }
  return value;
}

/** The object as the API server hands it to policies: namespace filled in, a Namespace's name label set. */
function admittedObject(obj: KubeObject, attrs: RequestAttributes): KubeObject {
  if (attrs.namespaced && obj.metadata?.namespace !== attrs.namespace) return { ...obj, metadata: { ...obj.metadata, namespace: attrs.namespace } };
  if (attrs.group === '' && attrs.kind === 'Namespace') return { ...obj, metadata: { ...obj.metadata, labels: { ...labelsOf(obj), [NAMESPACE_NAME_LABEL]: attrs.name } } };
  return obj;
}

function requestOf(attrs: RequestAttributes, options: AdmissionOptions): object {
  const kind = { group: attrs.group, version: attrs.version, kind: attrs.kind };
  const resource = { group: attrs.group, version: attrs.version, resource: attrs.resource };
  return {
    uid: '00000000-0000-0000-0000-000000000000',
    kind, resource, requestKind: kind, requestResource: resource,
    ...(attrs.name ? { name: attrs.name } : {}),
    ...(attrs.namespace ? { namespace: attrs.namespace } : {}),
    operation: attrs.operation,
    userInfo: options.userInfo ?? { username: 'cdk8s-sandbox:offline-admission', groups: ['system:authenticated'] },
    dryRun: false,
    options: { apiVersion: 'meta.k8s.io/v1', kind: attrs.operation === 'CREATE' ? 'CreateOptions' : 'UpdateOptions' },
  };
}

function namespaceObjectOf(attrs: RequestAttributes, options: AdmissionOptions): KubeObject | null {
  if (!attrs.namespaced) return null;
  const given = options.namespaceObject?.(attrs.namespace);
  if (given) return { ...given, metadata: { ...given.metadata, labels: { ...labelsOf(given), [NAMESPACE_NAME_LABEL]: attrs.namespace } } };
  return {
    apiVersion: 'v1', kind: 'Namespace',
    metadata: { name: attrs.namespace, labels: { ...(attrs.namespaceLabels ?? {}), [NAMESPACE_NAME_LABEL]: attrs.namespace } },
    spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' },
  };
}

/** The outcome of one expression: its value, or the error text. */
type Outcome = { readonly value: unknown; readonly error?: undefined } | { readonly value?: undefined; readonly error: string };

/** One policy's evaluation over one object: the bindings, and its variables computed on first read. */
class PolicyEvaluation {
  private readonly values = new Map<string, Outcome>();

  constructor(private readonly policy: CompiledPolicy, private readonly bindings: Record<string, unknown>) {}

  /** Runs an expression (its variables read lazily). */
  run(compiled: CompiledExpression): Outcome {
    const { cel } = loadEngine();
    activeEvaluations.push(this);
    try {
      const result = PROGRAMS.get(compiled)!(this.bindings);
      return cel.isCelError(result) ? { error: (result as Error).message } : { value: result };
    } catch (err: any) {
      return { error: String(err?.message ?? err) };
    } finally {
      activeEvaluations.pop();
    }
  }

  /** The value of `variables.<name>`; throws (an error value for CEL) when it fails to evaluate. */
  variable(name: string): unknown {
    let outcome = this.values.get(name);
    if (!outcome) {
      const v = this.policy.variables.find((x) => x.name === name)!;
      outcome = this.run(v);
      this.values.set(name, outcome);
    }
    if (outcome.error !== undefined) throw new Error(`variables.${name} failed to evaluate: ${outcome.error}`);
    return outcome.value;
  }
}

/** A failed check of a policy, before its binding's actions are applied. */
type Failure = Omit<AdmissionDenial, 'policy' | 'binding' | 'action' | 'actions'>;

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'number') return 'double';
  return typeof value === 'object' ? 'a list, map or message' : typeof value;
}

/**
 * The failures of one policy over one object: its matchConditions (any false: the policy does not apply; else an
 * error fails it under Fail and skips it under Ignore), then every validation; undefined when it does not apply.
 */
function evaluatePolicy(policy: CompiledPolicy, evaluation: PolicyEvaluation): Failure[] | undefined {
  const conditionErrors: Failure[] = [];
  for (const condition of policy.matchConditions) {
    const outcome = evaluation.run(condition);
    const error = outcome.error ?? (typeof outcome.value === 'boolean' ? undefined : `matchCondition must evaluate to bool, got ${typeName(outcome.value)}`);
    if (error !== undefined) {
      conditionErrors.push({
        validation: -1, path: condition.path, expression: condition.expression, error,
        message: `failed to evaluate matchCondition "${condition.name}": expression '${condition.expression}' resulted in error: ${error}`,
      });
    } else if (outcome.value === false) {
      return undefined;
    }
  }
  // An error in a matchCondition (none false): Fail rejects the request, Ignore skips the policy.
  if (conditionErrors.length > 0) return policy.failurePolicy === 'Fail' ? conditionErrors.slice(0, 1) : undefined;
  const failures: Failure[] = [];
  policy.validations.forEach((v, index) => {
    const outcome = evaluation.run(v);
    const error = outcome.error ?? (typeof outcome.value === 'boolean' ? undefined : `validation expression must evaluate to bool, got ${typeName(outcome.value)}`);
    if (error !== undefined) {
      if (policy.failurePolicy === 'Fail') {
        failures.push({ validation: index, path: v.path, expression: v.expression, error, message: `expression '${v.expression}' resulted in error: ${error}` });
      }
      return;
    }
    if (outcome.value === true) return;
    failures.push({ validation: index, path: v.path, expression: v.expression, message: messageOf(v, evaluation), reason: v.reason ?? 'Invalid' });
  });
  return failures;
}

/** A failed validation's message: its messageExpression's (a non-blank string on one line), else its message, else Kubernetes' default. */
function messageOf(v: CompiledValidation, evaluation: PolicyEvaluation): string {
  const fallback = v.message !== undefined && v.message !== '' ? v.message : `failed expression: ${v.expression.trim()}`;
  if (!v.messageExpression) return fallback;
  const outcome = evaluation.run(v.messageExpression);
  if (typeof outcome.value !== 'string' || outcome.value.trim() === '' || /[\r\n]/.test(outcome.value)) return fallback;
  return outcome.value;
}

function strongest(actions: readonly ValidationAction[]): ValidationAction {
  return actions.includes('Deny') ? 'Deny' : actions.includes('Warn') ? 'Warn' : 'Audit';
}

/** Evaluates every compiled policy over one object, as the API server admits a CREATE (or UPDATE) of it. */
export function evaluateAdmission(compiled: CompiledAdmission, obj: KubeObject, options: AdmissionOptions = {}): AdmissionDecision {
  const attrs = attributesOf(obj, options);
  const operation = attrs.operation;
  let bindings: Record<string, unknown> | undefined;
  const denials: AdmissionDenial[] = [];
  const matched: string[] = [];
  for (const policy of compiled.policies) {
    if (!resourcesMatch(policy.matchConstraints, attrs)) continue;
    const through = (policy.bindings.length > 0 ? policy.bindings : [undefined])
      .filter((b) => !b?.matchResources || resourcesMatch(b.matchResources, attrs));
    if (through.length === 0) continue;
    bindings ??= {
      object: celInput(admittedObject(obj, attrs)),
      oldObject: operation === 'UPDATE' ? celInput(admittedObject(options.oldObject ?? obj, attrs)) : null,
      request: celInput(requestOf(attrs, options)),
      namespaceObject: celInput(namespaceObjectOf(attrs, options)),
    };
    const failures = evaluatePolicy(policy, new PolicyEvaluation(policy, bindings));
    if (failures === undefined) continue; // a matchCondition is false (or failed, under Ignore): the policy does not apply
    for (const binding of through) {
      matched.push(binding ? `${policy.name}/${binding.name}` : policy.name);
      const actions: readonly ValidationAction[] = binding?.validationActions ?? ['Deny'];
      for (const f of failures) {
        denials.push({
          policy: policy.name, ...(binding ? { binding: binding.name } : {}),
          validation: f.validation, path: f.path, expression: f.expression, message: f.message,
          ...(f.reason !== undefined ? { reason: f.reason } : {}), ...(f.error !== undefined ? { error: f.error } : {}),
          action: strongest(actions), actions,
        });
      }
    }
  }
  return { object: refOf(obj), allowed: !denials.some((d) => d.action === 'Deny'), denials, matched };
}

/** A denial as the API server words it: `ValidatingAdmissionPolicy 'p' with binding 'b' denied request: ...` (Deny), or its warning (Warn, Audit). */
export function admissionMessage(denial: AdmissionDenial): string {
  const who = `${POLICY_KIND} '${denial.policy}'${denial.binding !== undefined ? ` with binding '${denial.binding}'` : ''}`;
  return denial.action === 'Deny' ? `${who} denied request: ${denial.message}` : `Validation failed for ${who}: ${denial.message}`;
}
