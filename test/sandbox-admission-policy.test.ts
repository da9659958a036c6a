// SandboxAdmissionPolicy: a ValidatingAdmissionPolicy and binding generated from the profile's rule table.
// Literal fields of both objects, the scopes, the parameters, every construction error, schema validity, and
// that the table and the policy cannot drift: every per-object rule has CEL, every validation names a rule.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { AdmissionScope, SandboxAdmissionPolicy, SandboxAdmissionPolicyProps, SandboxNamespace } from '../src';
import { AUDIT_ONLY_ANNOTATION, admissionValidationCount, auditOnlyRules } from '../src/builders/admission-policy';
import { SandboxValidationError } from '../src/builders/errors';
import { RULES, SET_RULES, SUPPRESSIBLE_RULES, SUPPRESSION_REASON_RULE, SUPPRESSION_UNKNOWN_RULE, SUPPRESSION_UNWAIVABLE_RULE } from '../src/profile';
import { kubernetesProblems } from './helpers/schema';

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function synth(props?: SandboxAdmissionPolicyProps): any[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'admission-policy-'));
  outdirs.push(outdir);
  const chart = new Chart(new App({ outdir }), 'c');
  new SandboxAdmissionPolicy(chart, 'policy', props);
  return Testing.synth(chart);
}

function errorOf(props: SandboxAdmissionPolicyProps): SandboxValidationError {
  try {
    synth(props);
  } catch (err) {
    expect(err).toBeInstanceOf(SandboxValidationError);
    return err as SandboxValidationError;
  }
  throw new Error('expected a SandboxValidationError');
}

describe('the policy and its binding', () => {
  const [policy, binding] = synth();

  test('a ValidatingAdmissionPolicy that fails closed, over every kind that carries a pod template, and NetworkPolicies', () => {
    expect(policy.apiVersion).toBe('admissionregistration.k8s.io/v1');
    expect(policy.kind).toBe('ValidatingAdmissionPolicy');
    expect(policy.metadata.name).toBe('cdk8s-sandbox');
    expect(policy.metadata.namespace).toBeUndefined();
    expect(policy.spec.failurePolicy).toBe('Fail');
    const rules = policy.spec.matchConstraints.resourceRules;
    const resources = rules.flatMap((r: any) => r.resources.map((res: string) => `${r.apiGroups[0]}/${res}`)).sort();
    expect(resources).toEqual([
      '/pods', '/pods/ephemeralcontainers', '/replicationcontrollers',
      'apps/daemonsets', 'apps/deployments', 'apps/replicasets', 'apps/statefulsets',
      'batch/cronjobs', 'batch/jobs', 'networking.k8s.io/networkpolicies',
    ]);
    for (const r of rules) {
      expect(r.operations).toEqual(['CREATE', 'UPDATE']);
      expect(r.apiVersions).toEqual(['v1']);
    }
  });

  test('the binding denies (validationActions: [Deny]) in the namespaces a SandboxNamespace labels', () => {
    expect(binding.kind).toBe('ValidatingAdmissionPolicyBinding');
    expect(binding.metadata.name).toBe('cdk8s-sandbox');
    expect(binding.spec.policyName).toBe('cdk8s-sandbox');
    expect(binding.spec.validationActions).toEqual(['Deny']);
    expect(binding.spec.matchResources).toEqual({ namespaceSelector: { matchLabels: { 'cdk8s-sandbox.io/sandboxed': 'true' } } });
  });

  test('a SandboxNamespace carries the label the binding selects', () => {
    const chart = Testing.chart();
    new SandboxNamespace(chart, 'jobs');
    const ns = Testing.synth(chart).find((o) => o.kind === 'Namespace');
    expect(ns.metadata.labels['cdk8s-sandbox.io/sandboxed']).toBe('true');
  });

  test('one validation per check of every rule with CEL, each naming its rule id and a fix, reason Forbidden', () => {
    const validations = policy.spec.validations;
    expect(validations.length).toBe(admissionValidationCount());
    const ids = new Set([...SUPPRESSIBLE_RULES.keys(), SUPPRESSION_REASON_RULE, SUPPRESSION_UNKNOWN_RULE, SUPPRESSION_UNWAIVABLE_RULE]);
    for (const v of validations) {
      const id = v.message.slice(0, v.message.indexOf(':'));
      expect(ids.has(id)).toBe(true);
      expect(v.message).toMatch(/\. Fix: \S/);
      expect(v.reason).toBe('Forbidden');
      expect(typeof v.expression).toBe('string');
    }
    // Every per-object rule lands in the policy: a rule added to RULES without CEL fails here.
    const inPolicy = new Set(validations.map((v: any) => v.message.slice(0, v.message.indexOf(':'))));
    expect(RULES.map((r) => r.id).filter((id) => !inPolicy.has(id))).toEqual([]);
    expect(inPolicy.has('egress-peers')).toBe(true);
    for (const id of [SUPPRESSION_REASON_RULE, SUPPRESSION_UNKNOWN_RULE, SUPPRESSION_UNWAIVABLE_RULE]) expect(inPolicy.has(id)).toBe(true);
  });

  test('a waivable rule\'s checks yield to its reasoned suppression; an unwaivable rule\'s never do', () => {
    const of = (id: string) => policy.spec.validations.filter((v: any) => v.message.startsWith(`${id}:`));
    for (const v of of('image-pinned')) expect(v.expression.startsWith("'image-pinned' in variables.suppressed || ")).toBe(true);
    for (const id of ['not-privileged', 'no-privilege-escalation', 'no-host-namespaces', 'no-host-process']) {
      expect(of(id).length).toBeGreaterThan(0);
      for (const v of of(id)) expect(v.expression).not.toContain('variables.suppressed');
    }
    // allowed-volume-types: the hostPath check never yields, the others do.
    const volumes = of('allowed-volume-types');
    expect(volumes.filter((v: any) => v.expression.includes('variables.suppressed')).length).toBe(volumes.length - 1);
    expect(volumes.find((v: any) => !v.expression.includes('variables.suppressed')).expression).toContain('!has(v.hostPath)');
  });

  test('what the policy leaves to the audit is listed in its annotation, whole rules and parts', () => {
    const listed = policy.metadata.annotations[AUDIT_ONLY_ANNOTATION].split('\n').map((l: string) => l.slice(0, l.indexOf(':')));
    expect(listed).toEqual(auditOnlyRules().map((r) => r.rule));
    const setOnly = SET_RULES.filter((r) => !r.admission).map((r) => r.id);
    for (const id of [...setOnly, 'no-service-account-token', 'egress-peers']) expect(listed).toContain(id);
    expect(listed).toEqual(expect.arrayContaining(['network-isolation', 'namespace-quota', 'availability', 'no-host-storage']));
    expect(policy.metadata.annotations['cdk8s-sandbox.io/minimum-kubernetes-version']).toBe('1.31');
  });

  test('both objects are valid Kubernetes objects', () => {
    expect(kubernetesProblems([policy, binding])).toEqual([]);
  });

  test('the policy stays far below the object size a cluster accepts (etcd\'s 1.5 MiB request limit)', () => {
    const bytes = Buffer.byteLength(JSON.stringify(policy));
    expect(bytes).toBeLessThan(100 * 1024);
  });
});

describe('in a chart with a namespace', () => {
  test('both objects stay cluster-scoped: no metadata.namespace', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'admission-policy-ns-'));
    outdirs.push(outdir);
    const chart = new Chart(new App({ outdir }), 'c', { namespace: 'team-a' });
    new SandboxAdmissionPolicy(chart, 'policy');
    const objects = Testing.synth(chart);
    expect(objects.map((o) => [o.kind, o.metadata.namespace])).toEqual([['ValidatingAdmissionPolicy', undefined], ['ValidatingAdmissionPolicyBinding', undefined]]);
  });
});

describe('parameters', () => {
  test('runtime class names become the variable the runtime-class check reads', () => {
    const [policy] = synth({ runtimeClassNames: ['gvisor', 'gvisor-debug'] });
    expect(policy.spec.variables.find((v: any) => v.name === 'runtimeClasses').expression).toBe("['gvisor', 'gvisor-debug']");
    const check = policy.spec.validations.find((v: any) => v.message.startsWith('runtime-class:'));
    expect(check.expression).toContain('in variables.runtimeClasses');
  });

  test('the suppression annotation is read under the given key', () => {
    const [policy] = synth({ suppressionAnnotation: 'example.com/waive' });
    const lines = policy.spec.variables.find((v: any) => v.name === 'suppressionLines').expression;
    expect(lines).toContain("'example.com/waive' in object.metadata.annotations");
    expect(lines).not.toContain('cdk8s-sandbox.io/suppress');
  });

  test('exempt namespaces are left out of the default binding', () => {
    const [, binding] = synth({ exemptNamespaces: ['ci-debug'] });
    expect(binding.spec.matchResources.namespaceSelector).toEqual({
      matchLabels: { 'cdk8s-sandbox.io/sandboxed': 'true' },
      matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['ci-debug'] }],
    });
  });

  test('a cluster-wide binding leaves out Kubernetes\' own namespaces, the excluded and the exempt ones', () => {
    const [, binding] = synth({ scope: AdmissionScope.cluster({ exclude: ['monitoring'] }), exemptNamespaces: ['ci-debug'] });
    expect(binding.spec.matchResources.namespaceSelector).toEqual({
      matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'kube-public', 'kube-node-lease', 'monitoring', 'ci-debug'] }],
    });
    const [, plain] = synth({ scope: AdmissionScope.cluster() });
    expect(plain.spec.matchResources.namespaceSelector.matchExpressions[0].values).toEqual(['kube-system', 'kube-public', 'kube-node-lease']);
  });

  test('a custom name names both objects and the binding\'s policyName', () => {
    const [policy, binding] = synth({ name: 'sandbox-profile' });
    expect([policy.metadata.name, binding.metadata.name, binding.spec.policyName]).toEqual(['sandbox-profile', 'sandbox-profile', 'sandbox-profile']);
  });
});

describe('bad props are refused with the construct path, the field, what was given and what is allowed', () => {
  test.each<[string, SandboxAdmissionPolicyProps, string, RegExp]>([
    ['a name that is no DNS subdomain', { name: 'Sandbox_Policy' }, 'name', /^c\/policy: name is "Sandbox_Policy"; /],
    ['no runtime class at all', { runtimeClassNames: [] }, 'runtimeClassNames', /runtimeClassNames is \[\]; name at least one RuntimeClass/],
    ['a runtime class that is no name', { runtimeClassNames: ['gVisor!'] }, 'runtimeClassNames[0]', /runtimeClassNames\[0\] is "gVisor!"/],
    ['an exempt namespace that is no name', { exemptNamespaces: ['Kube System'] }, 'exemptNamespaces[0]', /exemptNamespaces\[0\] is "Kube System"/],
    ['an excluded namespace that is no name', { scope: AdmissionScope.cluster({ exclude: ['-x'] }) }, 'scope.exclude[0]', /scope\.exclude\[0\] is "-x"/],
    ['a suppression annotation that is no key', { suppressionAnnotation: 'not a key' }, 'suppressionAnnotation', /suppressionAnnotation is "not a key"; allowed: an annotation key/],
  ])('%s', (_, props, fieldName, message) => {
    const err = errorOf(props);
    expect(err.where).toBe('c/policy');
    expect(err.field).toBe(fieldName);
    expect(err.message).toMatch(message);
  });
});
