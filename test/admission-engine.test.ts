// The offline ValidatingAdmissionPolicy evaluator: matching (kinds, operations, selectors, excludes, scope),
// bindings and their actions, matchConditions, variables, messages, failurePolicy, compile errors with their
// field paths, Kubernetes' IP/CIDR, quantity and list libraries against Kubernetes' documented examples, the
// CEL values objects become, and that CEL is loaded only when a policy is compiled.
import { spawnSync } from 'child_process';
import * as path from 'path';
import {
  AdmissionOptions, AdmissionPolicyError, CompiledAdmission, admissionMessage, compileAdmissionPolicies, evaluateAdmission,
} from '../src/audit/admission-policy';
import { parseKubeCidr, parseKubeIp } from '../src/audit/k8s-cel-library';
import { KubeObject } from '../src/profile';

const ROOT = path.resolve(__dirname, '..');
const GROUP = 'admissionregistration.k8s.io/v1';

const PODS = { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods'] };
const EVERYTHING = { apiGroups: ['*'], apiVersions: ['*'], operations: ['*'], resources: ['*'] };

function policy(name: string, spec: object): KubeObject {
  return { apiVersion: GROUP, kind: 'ValidatingAdmissionPolicy', metadata: { name }, spec: { matchConstraints: { resourceRules: [PODS] }, ...spec } };
}

function binding(name: string, policyName: string, spec: object = {}): KubeObject {
  return { apiVersion: GROUP, kind: 'ValidatingAdmissionPolicyBinding', metadata: { name }, spec: { policyName, validationActions: ['Deny'], ...spec } };
}

function pod(name: string, extra: { namespace?: string; labels?: { [key: string]: string }; spec?: object } = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, ...(extra.namespace ? { namespace: extra.namespace } : {}), ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: { containers: [{ name: 'main', image: 'registry.example.com/app:1.0' }], ...extra.spec },
  };
}

const deployment: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'sandbox' }, spec: { replicas: 2, template: { spec: { containers: [] } } } };
const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sandbox', labels: { tier: 'untrusted' } } };

/** The names of the policies that applied, and the denials' policy/validation/action. */
function verdict(compiled: CompiledAdmission, obj: KubeObject, options?: AdmissionOptions) {
  const d = evaluateAdmission(compiled, obj, options);
  return { allowed: d.allowed, matched: d.matched, denials: d.denials.map((x) => `${x.policy}${x.binding ? `/${x.binding}` : ''}[${x.validation}] ${x.action}`) };
}

/** Compiles one validation over Pods (failurePolicy Fail) and says whether it holds for `obj`, or the error. */
function holds(expression: string, obj: KubeObject = pod('p'), options?: AdmissionOptions): boolean | string {
  const compiled = compileAdmissionPolicies([policy('check', { validations: [{ expression }] })]);
  const denial = evaluateAdmission(compiled, obj, options).denials[0];
  return denial === undefined ? true : denial.error ?? false;
}

function compileError(objects: KubeObject[]): AdmissionPolicyError {
  try {
    compileAdmissionPolicies(objects);
  } catch (err) {
    if (err instanceof AdmissionPolicyError) return err;
    throw err;
  }
  throw new Error('compiled without error');
}

describe('matchConstraints', () => {
  const onlyFalse = [{ expression: 'false', message: 'no' }];

  test('resourceRules match by group, version, resource and operation; `*` and `*/*` match all, `pods/status` only the subresource', () => {
    const compiled = compileAdmissionPolicies([
      policy('pods-create', { matchConstraints: { resourceRules: [{ ...PODS, operations: ['CREATE'] }] }, validations: onlyFalse }),
      policy('apps', { matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['*'], operations: ['*'], resources: ['*'] }] }, validations: onlyFalse }),
      policy('all', { matchConstraints: { resourceRules: [{ ...EVERYTHING, resources: ['*/*'] }] }, validations: onlyFalse }),
      policy('status', { matchConstraints: { resourceRules: [{ ...EVERYTHING, resources: ['pods/status'] }] }, validations: onlyFalse }),
    ]);
    expect(verdict(compiled, pod('a')).matched).toEqual(['pods-create', 'all']);
    expect(verdict(compiled, pod('a'), { operation: 'UPDATE' }).matched).toEqual(['all']);
    expect(verdict(compiled, deployment).matched).toEqual(['apps', 'all']);
    expect(verdict(compiled, { apiVersion: 'apps/v1beta2', kind: 'Deployment', metadata: { name: 'old' } }).matched).toEqual(['apps', 'all']);
  });

  test('the kind maps to its plural resource: built-in kinds, Endpoints, and custom kinds through resourceOf', () => {
    const rule = (resources: string[], apiGroups = ['*']) => ({ matchConstraints: { resourceRules: [{ ...EVERYTHING, apiGroups, resources }] }, validations: onlyFalse });
    const compiled = compileAdmissionPolicies([
      policy('netpol', rule(['networkpolicies'])), policy('endpoints', rule(['endpoints'])), policy('ingress', rule(['ingresses'])),
      policy('certs', rule(['certificates'], ['cert-manager.io'])), policy('gateways', rule(['gateways'])),
    ]);
    expect(verdict(compiled, { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n' } }).matched).toEqual(['netpol']);
    expect(verdict(compiled, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'e' } }).matched).toEqual(['endpoints']);
    expect(verdict(compiled, { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i' } }).matched).toEqual(['ingress']);
    expect(verdict(compiled, { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g' } }).matched).toEqual(['gateways']);
    const cert: KubeObject = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'c' } };
    expect(verdict(compiled, cert).matched).toEqual(['certs']);
    expect(verdict(compiled, cert, { resourceOf: () => ({ resource: 'certs', namespaced: true }) }).matched).toEqual([]);
  });

  test('excludeResourceRules, resourceNames and scope', () => {
    const compiled = compileAdmissionPolicies([
      policy('not-namespaces', { matchConstraints: { resourceRules: [EVERYTHING], excludeResourceRules: [{ ...EVERYTHING, apiGroups: [''], resources: ['namespaces'] }] }, validations: onlyFalse }),
      policy('named', { matchConstraints: { resourceRules: [{ ...PODS, resourceNames: ['special'] }] }, validations: onlyFalse }),
      policy('namespaced', { matchConstraints: { resourceRules: [{ ...EVERYTHING, scope: 'Namespaced' }] }, validations: onlyFalse }),
      policy('cluster', { matchConstraints: { resourceRules: [{ ...EVERYTHING, scope: 'Cluster' }] }, validations: onlyFalse }),
    ]);
    expect(verdict(compiled, pod('special')).matched).toEqual(['not-namespaces', 'named', 'namespaced']);
    expect(verdict(compiled, pod('other')).matched).toEqual(['not-namespaces', 'namespaced']);
    expect(verdict(compiled, namespace).matched).toEqual(['cluster']);
    expect(verdict(compiled, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' } }).matched).toEqual(['not-namespaces', 'cluster']);
  });

  test('namespaceSelector reads the namespace labels (kubernetes.io/metadata.name by default); cluster-scoped objects are not subject to it, Namespaces are by their own labels', () => {
    const compiled = compileAdmissionPolicies([
      policy('by-name', { matchConstraints: { resourceRules: [EVERYTHING], namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['sandbox'] }] } }, validations: onlyFalse }),
      policy('untrusted', { matchConstraints: { resourceRules: [EVERYTHING], namespaceSelector: { matchLabels: { tier: 'untrusted' } } }, validations: onlyFalse }),
    ]);
    expect(verdict(compiled, pod('a', { namespace: 'sandbox' })).matched).toEqual(['by-name']);
    expect(verdict(compiled, pod('a')).matched).toEqual([]);
    expect(verdict(compiled, pod('a'), { defaultNamespace: 'sandbox' }).matched).toEqual(['by-name']);
    const labels = (ns: string): { [key: string]: string } => (ns === 'sandbox' ? { tier: 'untrusted' } : {});
    expect(verdict(compiled, pod('a', { namespace: 'sandbox' }), { namespaceLabels: labels }).matched).toEqual(['by-name', 'untrusted']);
    expect(verdict(compiled, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' } }).matched).toEqual(['by-name', 'untrusted']);
    expect(verdict(compiled, namespace).matched).toEqual(['by-name', 'untrusted']);
    expect(verdict(compiled, { ...namespace, metadata: { name: 'plain' } }).matched).toEqual([]);
  });

  test('objectSelector: matchLabels and matchExpressions (NotIn, Exists, DoesNotExist); on UPDATE the old object counts too', () => {
    const compiled = compileAdmissionPolicies([
      policy('labelled', { matchConstraints: { resourceRules: [PODS], objectSelector: { matchLabels: { app: 'web' } } }, validations: onlyFalse }),
      policy('not-system', {
        matchConstraints: { resourceRules: [PODS], objectSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['system'] }, { key: 'app', operator: 'Exists' }, { key: 'skip', operator: 'DoesNotExist' }] } },
        validations: onlyFalse,
      }),
    ]);
    expect(verdict(compiled, pod('a', { labels: { app: 'web' } })).matched).toEqual(['labelled', 'not-system']);
    expect(verdict(compiled, pod('a', { labels: { app: 'db', tier: 'system' } })).matched).toEqual([]);
    expect(verdict(compiled, pod('a', { labels: { app: 'db', skip: 'yes' } })).matched).toEqual([]);
    expect(verdict(compiled, pod('a')).matched).toEqual([]);
    expect(verdict(compiled, pod('a'), { operation: 'UPDATE', oldObject: pod('a', { labels: { app: 'web' } }) }).matched).toEqual(['labelled', 'not-system']);
  });
});

describe('bindings', () => {
  const failing = policy('p', { validations: [{ expression: 'false', message: 'denied' }] });

  test('a policy without binding is evaluated as bound cluster-wide with [Deny], and compiling says so', () => {
    const compiled = compileAdmissionPolicies([failing]);
    expect(compiled.warnings).toEqual(['ValidatingAdmissionPolicy "p" has no binding in the input: evaluated as if bound cluster-wide with validationActions [Deny]']);
    const d = evaluateAdmission(compiled, pod('a'));
    expect([d.allowed, d.denials[0].binding, d.denials[0].action]).toEqual([false, undefined, 'Deny']);
    expect(admissionMessage(d.denials[0])).toBe("ValidatingAdmissionPolicy 'p' denied request: denied");
  });

  test('validationActions: only Deny makes the object not allowed; Warn and Audit are reported', () => {
    const compiled = compileAdmissionPolicies([
      failing, binding('deny-audit', 'p', { validationActions: ['Deny', 'Audit'] }), binding('warn', 'p', { validationActions: ['Warn'] }), binding('audit', 'p', { validationActions: ['Audit'] }),
    ]);
    expect(compiled.warnings).toEqual([]);
    expect(verdict(compiled, pod('a'))).toEqual({
      allowed: false, matched: ['p/deny-audit', 'p/warn', 'p/audit'], denials: ['p/deny-audit[0] Deny', 'p/warn[0] Warn', 'p/audit[0] Audit'],
    });
    const d = evaluateAdmission(compiled, pod('a')).denials;
    expect(d[0].actions).toEqual(['Deny', 'Audit']);
    expect(admissionMessage(d[0])).toBe("ValidatingAdmissionPolicy 'p' with binding 'deny-audit' denied request: denied");
    expect(admissionMessage(d[1])).toBe("Validation failed for ValidatingAdmissionPolicy 'p' with binding 'warn': denied");
    const warnOnly = compileAdmissionPolicies([failing, binding('warn', 'p', { validationActions: ['Warn'] })]);
    expect(verdict(warnOnly, pod('a'))).toEqual({ allowed: true, matched: ['p/warn'], denials: ['p/warn[0] Warn'] });
  });

  test('matchResources narrows what the binding applies to; a binding of a missing policy binds nothing', () => {
    const compiled = compileAdmissionPolicies([
      failing,
      binding('sandbox-only', 'p', { matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'sandbox' } } } }),
      binding('orphan', 'nope'),
    ]);
    expect(compiled.warnings).toEqual(['ValidatingAdmissionPolicyBinding "orphan" names ValidatingAdmissionPolicy "nope", which the input does not hold: it binds nothing']);
    expect(verdict(compiled, pod('a', { namespace: 'sandbox' })).denials).toEqual(['p/sandbox-only[0] Deny']);
    expect(verdict(compiled, pod('a', { namespace: 'default' }))).toEqual({ allowed: true, matched: [], denials: [] });
    const excluding = compileAdmissionPolicies([failing, binding('b', 'p', { matchResources: { excludeResourceRules: [{ ...PODS, resourceNames: ['trusted'] }] } })]);
    expect(verdict(excluding, pod('trusted')).matched).toEqual([]);
    expect(verdict(excluding, pod('other')).matched).toEqual(['p/b']);
  });
});

describe('matchConditions, variables and messages', () => {
  test('matchConditions: any false skips the policy; an error fails it under Fail and skips it under Ignore', () => {
    const conditions = (failurePolicy: string, list: object[]) => compileAdmissionPolicies([policy('p', {
      failurePolicy, matchConditions: list, validations: [{ expression: 'false', message: 'denied' }],
    })]);
    const named = { name: 'named', expression: "object.metadata.name == 'target'" };
    const broken = { name: 'broken', expression: 'object.metadata.missing == 1' };
    expect(verdict(conditions('Fail', [named]), pod('target')).denials).toEqual(['p[0] Deny']);
    expect(verdict(conditions('Fail', [named]), pod('other'))).toEqual({ allowed: true, matched: [], denials: [] });
    expect(verdict(conditions('Fail', [broken, named]), pod('other'))).toEqual({ allowed: true, matched: [], denials: [] });
    const failed = evaluateAdmission(conditions('Fail', [named, broken]), pod('target'));
    expect(failed.denials.map((d) => [d.validation, d.path, d.error])).toEqual([[-1, 'spec.matchConditions[1].expression', 'field not found: missing']]);
    expect(failed.allowed).toBe(false);
    expect(verdict(conditions('Ignore', [named, broken]), pod('target'))).toEqual({ allowed: true, matched: [], denials: [] });
  });

  test('variables are computed lazily, may read earlier ones, and are shared by the validations', () => {
    const compiled = compileAdmissionPolicies([policy('p', {
      variables: [
        { name: 'containers', expression: 'object.spec.containers' },
        { name: 'names', expression: 'variables.containers.map(c, c.name)' },
        { name: 'broken', expression: 'object.spec.nothing' },
      ],
      validations: [
        { expression: "variables.names == ['main']" },
        { expression: 'false && variables.broken', message: 'the broken variable is never read' },
        { expression: 'size(variables.names) == 1 || variables.broken' },
      ],
    })]);
    expect(evaluateAdmission(compiled, pod('a')).denials.map((d) => [d.validation, d.message])).toEqual([[1, 'the broken variable is never read']]);
    const twoContainers = pod('b', { spec: { containers: [{ name: 'main' }, { name: 'side' }] } });
    expect(evaluateAdmission(compiled, twoContainers).denials.map((d) => [d.validation, d.error ?? d.message])).toEqual([
      [0, 'failed expression: variables.names == [\'main\']'],
      [1, 'the broken variable is never read'],
      [2, 'variables.broken failed to evaluate: field not found: nothing'],
    ]);
  });

  test('messageExpression when it yields a non-blank line, else message, else "failed expression: ..."; reason defaults to Invalid', () => {
    const compiled = compileAdmissionPolicies([policy('p', {
      validations: [
        { expression: 'false', messageExpression: "'pod ' + object.metadata.name + ' refused'", message: 'static', reason: 'Forbidden' },
        { expression: 'false', messageExpression: "''", message: 'blank message expression' },
        { expression: 'false', messageExpression: "'two\\nlines'", message: 'multi-line message expression' },
        { expression: 'false', messageExpression: 'object.metadata.nope', message: 'failing message expression' },
        { expression: ' 1 == 2 ' },
      ],
    })]);
    expect(evaluateAdmission(compiled, pod('a')).denials.map((d) => [d.message, d.reason])).toEqual([
      ['pod a refused', 'Forbidden'],
      ['blank message expression', 'Invalid'],
      ['multi-line message expression', 'Invalid'],
      ['failing message expression', 'Invalid'],
      ['failed expression: 1 == 2', 'Invalid'],
    ]);
  });

  test('failurePolicy: a runtime error (a string compared to an int) denies with the error under Fail, is skipped under Ignore', () => {
    const withPolicy = (failurePolicy: string) => compileAdmissionPolicies([policy('p', { failurePolicy, validations: [{ expression: 'object.metadata.name > 1' }, { expression: "object.metadata.name == 'a'" }] })]);
    const fail = evaluateAdmission(withPolicy('Fail'), pod('a'));
    expect(fail.allowed).toBe(false);
    expect(fail.denials.map((d) => [d.validation, d.error, d.message])).toEqual([[0,
      "found no matching overload for '_>_' applied to '(string, int)'",
      "expression 'object.metadata.name > 1' resulted in error: found no matching overload for '_>_' applied to '(string, int)'"]]);
    expect(verdict(withPolicy('Ignore'), pod('a'))).toEqual({ allowed: true, matched: ['p'], denials: [] });
    expect(verdict(withPolicy('Ignore'), pod('b')).denials).toEqual(['p[1] Deny']);
    expect(holds("object.metadata.name + ''")).toBe('validation expression must evaluate to bool, got string');
  });
});

describe('the CEL values of an object and of the request', () => {
  test('JSON numbers: integers are CEL int (10000), others double (1.5)', () => {
    const obj = pod('a', { spec: { terminationGracePeriodSeconds: 10000, overhead: 1.5 } });
    expect(holds('type(object.spec.terminationGracePeriodSeconds) == int && object.spec.terminationGracePeriodSeconds == 10000', obj)).toBe(true);
    expect(holds('type(object.spec.overhead) == double && object.spec.overhead == 1.5', obj)).toBe(true);
    expect(holds('object.spec.terminationGracePeriodSeconds + 1 == 10001 && object.spec.overhead * 2.0 == 3.0', obj)).toBe(true);
    expect(holds("type(object.spec.containers) == list && type(object.metadata) == map && object.spec.containers[0].name == 'main'", obj)).toBe(true);
  });

  test('request, namespaceObject and oldObject as the API server gives them', () => {
    expect(holds("request.operation == 'CREATE' && request.kind.kind == 'Pod' && request.kind.group == '' && request.resource.resource == 'pods' && request.namespace == 'default' && request.name == 'p'")).toBe(true);
    expect(holds("object.metadata.namespace == 'default' && oldObject == null")).toBe(true);
    expect(holds("namespaceObject.metadata.name == 'sandbox' && namespaceObject.metadata.labels['tier'] == 'untrusted' && namespaceObject.metadata.labels['kubernetes.io/metadata.name'] == 'sandbox'",
      pod('p', { namespace: 'sandbox' }), { namespaceObject: (ns) => (ns === 'sandbox' ? namespace : undefined) })).toBe(true);
    expect(holds("namespaceObject.status.phase == 'Active'", pod('p', { namespace: 'other' }))).toBe(true);
    expect(holds("request.operation == 'UPDATE' && oldObject.metadata.name == 'p'", pod('p'), { operation: 'UPDATE' })).toBe(true);
    const cluster = compileAdmissionPolicies([policy('ns', { matchConstraints: { resourceRules: [{ ...EVERYTHING, resources: ['namespaces'] }] }, validations: [{ expression: "namespaceObject == null && request.namespace == 'sandbox' && object.metadata.labels['kubernetes.io/metadata.name'] == 'sandbox'" }] })]);
    expect(evaluateAdmission(cluster, namespace).denials).toEqual([]);
  });
});

describe('compile errors name the policy, the field path and the expression', () => {
  const compileOne = (expression: string, extra: object = {}) => compileError([policy('bad', { validations: [{ expression: 'true' }, { expression }], ...extra })]);

  test('syntax errors', () => {
    const err = compileOne('object.spec ==');
    expect([err.source, err.path, err.expression]).toEqual(['ValidatingAdmissionPolicy/bad', 'spec.validations[1].expression', 'object.spec ==']);
    expect(err.message).toMatch(/^ValidatingAdmissionPolicy "bad" spec\.validations\[1\]\.expression: syntax error: <input>:1:13: .*; expression: object\.spec ==$/);
  });

  test('optional syntax: the evaluator says it lacks it', () => {
    for (const expression of ['object.spec.?hostNetwork == true', "object.metadata.labels[?'app'] == 'x'", "{?'a': optional.none()} == {}", '[?optional.of(1)] == [1]', 'object.spec.x.orValue(1) == 1', 'optional.of(1).hasValue()']) {
      const err = compileOne(expression);
      expect([err.path, err.message]).toEqual(['spec.validations[1].expression', expect.stringContaining("this evaluator lacks CEL's optional syntax")]);
    }
    expect(() => compileAdmissionPolicies([policy('ok', { validations: [{ expression: "'a.?b [?c {?d' != ''" }] })])).not.toThrow();
  });

  test('functions the evaluator lacks: "unsupported function X", never a wrong answer', () => {
    expect(compileOne('nosuch(object) == 1').message).toContain("spec.validations[1].expression: unsupported function 'nosuch': neither the standard library");
    expect(compileOne("object.metadata.name.find('[a-z]+') == 'a'").message).toContain("unsupported function 'find': it is in Kubernetes' CEL (the regex library)");
    expect(compileOne("url('https://x').getHost() == 'x'").message).toContain("unsupported function 'url'");
    expect(compileOne('sets.contains([1], [1])').message).toContain("unsupported function 'sets.contains': it is in Kubernetes' CEL (the sets extension)");
    expect(compileOne('object.metadata.labels.all(k, v, k != v)').message).toContain('two-variable comprehensions');
  });

  test('authorizer, params, undeclared identifiers and variables', () => {
    expect(compileOne("authorizer.group('').resource('pods').check('create').allowed()").message).toContain('the authorizer (`authorizer`) is not supported');
    expect(compileOne('params.max > 1').message).toContain("undeclared reference to 'params'");
    expect(compileOne('objekt.spec == null').message).toContain("undeclared reference to 'objekt'");
    expect(compileOne('variables.missing == 1').message).toContain("undefined variable 'variables.missing': no variable is defined before this expression");
    const later = compileError([policy('bad', { variables: [{ name: 'a', expression: 'variables.b' }, { name: 'b', expression: '1' }], validations: [{ expression: 'true' }] })]);
    expect([later.path, later.message]).toEqual(['spec.variables[0].expression', expect.stringContaining("undefined variable 'variables.b'")]);
    expect(() => compileAdmissionPolicies([policy('ok', { validations: [{ expression: 'object.spec.containers.all(c, has(c.name) && c.name.startsWith("m"))' }] })])).not.toThrow();
  });

  test('messageExpression, matchConditions and the policy and binding fields', () => {
    expect(compileError([policy('bad', { validations: [{ expression: 'true', messageExpression: "'x' +" }] })]).path).toBe('spec.validations[0].messageExpression');
    expect(compileError([policy('bad', { matchConditions: [{ name: 'c', expression: 'object.?x' }], validations: [{ expression: 'true' }] })]).path).toBe('spec.matchConditions[0].expression');
    expect(compileError([policy('bad', { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, validations: [{ expression: 'true' }] })]).message)
      .toBe('ValidatingAdmissionPolicy "bad" spec.paramKind: policies with parameters (paramKind, params) are not supported: the evaluator has no parameter objects');
    expect(compileError([policy('bad', { matchConstraints: {}, validations: [{ expression: 'true' }] })]).message)
      .toBe('ValidatingAdmissionPolicy "bad" spec.matchConstraints.resourceRules: required: at least one rule (the API server refuses a policy without)');
    expect(compileError([policy('bad', { failurePolicy: 'Sometimes', validations: [{ expression: 'true' }] })]).message).toContain('unknown failurePolicy "Sometimes"; use Fail or Ignore');
    expect(compileError([policy('bad', { validations: [] })]).message).toContain('spec.validations: required');
    expect(compileError([policy('p', { validations: [{ expression: 'true' }] }), binding('b', 'p', { validationActions: ['Deny', 'Warn'] })]).message)
      .toBe('ValidatingAdmissionPolicyBinding "b" spec.validationActions: Deny and Warn may not be used together');
    expect(compileError([binding('b', 'p', { validationActions: ['Block'] })]).message).toContain('unknown action(s) Block; use Deny, Warn or Audit');
    expect(compileError([binding('b', 'p', { paramRef: { name: 'x' } })]).path).toBe('spec.paramRef');
    expect(compileError([policy('bad', { matchConstraints: { resourceRules: [{ ...PODS, operations: ['CREATE', 'PATCH'] }] }, validations: [{ expression: 'true' }] })]).message)
      .toContain('spec.matchConstraints.resourceRules[0].operations: unknown operation(s) PATCH');
  });

  test('objects other than policies and bindings are ignored', () => {
    expect(compileAdmissionPolicies([pod('a'), deployment])).toEqual({ policies: [], bindings: [], warnings: [] });
  });
});

describe("Kubernetes' IP and CIDR library (k8s.io/apiserver/pkg/cel/library ip.go, cidr.go)", () => {
  test.each([
    // ip.go's documented examples
    "ip('127.0.0.1').family() == 4", "ip('::1').family() == 6", "isIP('127.0.0.1')", "isIP('::1')", "!isIP('127.0.0.256')", "!isIP(':::1')",
    "ip.isCanonical('127.0.0.1')", "ip.isCanonical('2001:db8::abcd')", "!ip.isCanonical('2001:DB8::ABCD')", "!ip.isCanonical('2001:db8::0:0:0:abcd')",
    "ip('0.0.0.0').isUnspecified()", "!ip('127.0.0.1').isUnspecified()", "ip('::').isUnspecified()", "!ip('::1').isUnspecified()",
    "ip('127.0.0.1').isLoopback()", "!ip('192.168.0.1').isLoopback()", "ip('::1').isLoopback()", "!ip('2001:db8::abcd').isLoopback()",
    "ip('224.0.0.1').isLinkLocalMulticast()", "!ip('224.0.1.1').isLinkLocalMulticast()", "ip('ff02::1').isLinkLocalMulticast()", "!ip('fd00::1').isLinkLocalMulticast()",
    "ip('169.254.169.254').isLinkLocalUnicast()", "!ip('192.168.0.1').isLinkLocalUnicast()", "ip('fe80::1').isLinkLocalUnicast()", "!ip('fd80::1').isLinkLocalUnicast()",
    "ip('192.168.0.1').isGlobalUnicast()", "!ip('255.255.255.255').isGlobalUnicast()", "ip('2001:db8::abcd').isGlobalUnicast()", "!ip('ff00::1').isGlobalUnicast()",
    // cidr.go's documented examples and tests
    "cidr('192.168.0.0/24').containsIP(ip('192.168.0.1'))", "!cidr('192.168.0.0/24').containsIP(ip('192.168.1.1'))",
    "cidr('192.168.0.0/24').containsIP('192.168.0.1')", "!cidr('192.168.0.0/24').containsIP('192.168.1.1')",
    "cidr('192.168.0.0/16').containsCIDR(cidr('192.168.10.0/24'))", "!cidr('192.168.1.0/24').containsCIDR(cidr('192.168.2.0/24'))",
    "cidr('192.168.0.0/16').containsCIDR('192.168.10.0/24')", "!cidr('192.168.1.0/24').containsCIDR('192.168.2.0/24')",
    "cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/25'))", "!cidr('192.168.0.0/24').containsCIDR('192.168.0.0/23')",
    "cidr('2001:db8::/32').containsIP('2001:db8::1')", "!cidr('2001:db8::/32').containsIP(ip('2001:dc8::1'))", "!cidr('2001:db8::/32').containsCIDR('2001:db8::/31')",
    "cidr('192.168.0.1/24').ip() == ip('192.168.0.1')", "cidr('192.168.0.1/24').ip().family() == 4", "cidr('::1/128').ip() == ip('::1')", "cidr('::1/128').ip().family() == 6",
    "cidr('192.168.0.0/24').masked() == cidr('192.168.0.0/24')", "cidr('192.168.0.1/24').masked() == cidr('192.168.0.0/24')",
    "cidr('192.168.0.0/24') == cidr('192.168.0.0/24').masked()", "cidr('192.168.0.1/24') != cidr('192.168.0.1/24').masked()", "cidr('2001:db8:1::/32').masked() == cidr('2001:db8::/32')",
    "cidr('192.168.0.0/16').prefixLength() == 16", "cidr('::1/128').prefixLength() == 128", "isCIDR('192.168.0.0/16')", "isCIDR('::1/128')", "!isCIDR('192.168.0.0/33')", "!isCIDR('::1/129')",
    "string(cidr('192.168.0.0/24')) == '192.168.0.0/24'", "type(cidr('192.168.0.0/24')) == net.CIDR", "type(ip('10.0.0.1')) == net.IP",
    // Go's parsing: canonical text, no leading zeros, no zones, no IPv4-mapped IPv6; families never contain each other
    "string(ip('2001:DB8:0:0:0::1')) == '2001:db8::1'", "ip('::1') == ip('0:0::1')", "string(ip('::1.2.3.4')) == '::102:304'",
    "!isIP('010.0.0.1')", "!isIP('fe80::1%eth0')", "!isIP('::ffff:1.2.3.4')", "!isCIDR('::ffff:1.2.3.0/120')", "!isCIDR('10.0.0.0/08')", "!isCIDR('10.0.0.0')",
    "!cidr('0.0.0.0/0').containsIP('::1')", "!cidr('::/0').containsCIDR('10.0.0.0/8')", "cidr('::/0').containsIP('2001:db8::1')",
    "[ip('10.0.0.1'), ip('10.0.0.2')].exists(i, cidr('10.0.0.0/31').containsIP(i))",
  ])('%s', (expression) => {
    expect(holds(expression)).toBe(true);
  });

  test("errors as Kubernetes words them (the tests' exact texts)", () => {
    expect(holds("cidr('192.168.0.0/') == cidr('192.168.0.0/24')")).toBe('network address parse error during conversion from string: network address parse error during conversion from string: netip.ParsePrefix("192.168.0.0/"): bad bits after slash: ""');
    expect(holds("ip('127.0.0.256').family() == 4")).toBe('IP Address "127.0.0.256" parse error during conversion from string: ParseAddr("127.0.0.256"): IPv4 field has value >255');
    expect(holds("ip('::ffff:1.2.3.4').family() == 4")).toBe('IPv4-mapped IPv6 address "::ffff:1.2.3.4" is not allowed');
    expect(holds("ip('fe80::1%eth0').family() == 6")).toBe('IP address "fe80::1%eth0" with zone value is not allowed');
    expect(() => parseKubeIp('1.2.3.04')).toThrow('ParseAddr("1.2.3.04"): IPv4 field has octet with leading zero');
    expect(() => parseKubeIp('1::2::3')).toThrow('multiple :: in address');
    expect(() => parseKubeIp('1:2:3:4:5:6:7:8::')).toThrow('the :: must expand to at least one field of zeros');
    expect(() => parseKubeCidr('10.0.0.0/33')).toThrow('prefix length out of range');
    expect(parseKubeCidr('10.1.2.3/8')).toEqual({ bits: 32, addr: 0x0a010203n, prefix: 8 });
  });
});

describe("Kubernetes' quantity and list libraries", () => {
  test.each([
    "isQuantity('1.5Gi')", "!isQuantity('1.5 Gi')", "!isQuantity(' 1')", "quantity('1') == quantity('1000m')", "quantity('1Gi').isGreaterThan(quantity('512Mi'))",
    "quantity('500m').isLessThan(quantity('1'))", "quantity('1Ki').compareTo(quantity('1024')) == 0", "quantity('2k').asInteger() == 2000", "!quantity('1500m').isInteger()",
    "quantity('1500m').asApproximateFloat() == 1.5", "quantity('1').add(quantity('500m')) == quantity('1.5')", "quantity('2').sub(1) == quantity('1')", "quantity('-1').sign() == -1",
    '[1, 2, 3].isSorted()', "!['b', 'a'].isSorted()", '[1, 2, 3].sum() == 6', '[1.5, 2.5].sum() == 4.0', '[3, 1, 2].min() == 1', "['a', 'c', 'b'].max() == 'c'",
    "['a', 'b', 'a'].indexOf('a') == 0", "['a', 'b', 'a'].lastIndexOf('a') == 2", '[[1], [2]].indexOf([2]) == 1', "'abc'.indexOf('c') == 2",
    "'a,b'.split(',') == ['a', 'b']", "' x '.trim() == 'x'", "'ABC'.lowerAscii() == 'abc'", "'abcdef'.substring(1, 3) == 'bc'", "'app.kubernetes.io/name'.matches('^[a-z.]+/[a-z]+$')",
  ])('%s', (expression) => {
    expect(holds(expression)).toBe(true);
  });

  test('errors: asInteger of a fraction, min of an empty list', () => {
    expect(holds("quantity('1500m').asInteger() == 1")).toBe('cannot convert value to integer');
    expect(holds('[].min() == 1')).toBe('min called on empty list');
  });
});

test('CEL is loaded when a policy is compiled, not when the package or cdk8s-sandbox/audit is imported', () => {
  const hook = path.join(__dirname, 'fixtures', 'audit', 'register-ts.js');
  const script = [
    "const loaded = () => Object.keys(require.cache).some((f) => f.includes('@bufbuild'));",
    "require('./src/index.ts'); require('./src/audit/index.ts'); const before = loaded();",
    "require('./src/audit/index.ts').compileAdmissionPolicies([]); const afterEmpty = loaded();",
    "require('./src/audit/index.ts').compileAdmissionPolicies([{ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'p' }, spec: { matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }] }, validations: [{ expression: 'true' }] } }]);",
    'console.log(JSON.stringify([before, afterEmpty, loaded()]));',
  ].join('\n');
  const child = spawnSync(process.execPath, ['-r', hook, '-e', script], { cwd: ROOT, encoding: 'utf8' });
  expect(child.stderr).toBe('');
  expect(JSON.parse(child.stdout)).toEqual([false, false, true]);
});
