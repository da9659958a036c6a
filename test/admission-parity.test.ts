// The admission policy against the audit, with a real CEL engine (@bufbuild/cel, through the audit's
// ValidatingAdmissionPolicy evaluator): over the audit's whole mutation corpus and the seed article's YAML,
// the policy denies exactly what the audit flags for a rule the policy carries, with that rule's message,
// and admits what the audit passes. Then type confusion, suppressions, dist/, and agent-sandbox's example
// policy on the same corpus (the counts are printed for the record).
import * as fs from 'fs';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import { Testing } from 'cdk8s';
import { CodeRun, Language, SandboxAdmissionPolicy, SandboxAdmissionPolicyProps } from '../src';
import { auditText } from '../src/audit';
import { AdmissionDecision, compileAdmissionPolicies, evaluateAdmission } from '../src/audit/admission-policy';
import { SUPPRESS_ANNOTATION } from '../src/profile';
import { asSandbox } from './helpers/agent-sandbox';
import { BASE_SETS, MUTATIONS, Obj, isTarget, load } from './helpers/mutations';

const ROOT = path.resolve(__dirname, '..');
const NAMESPACE_NAME = 'kubernetes.io/metadata.name';

function policyObjects(props?: SandboxAdmissionPolicyProps): Obj[] {
  const chart = Testing.chart();
  new SandboxAdmissionPolicy(chart, 'policy', props);
  return Testing.synth(chart);
}

const [POLICY] = policyObjects();
const OURS = compileAdmissionPolicies(policyObjects());
/** The rule ids the policy carries: the audit's findings of these are what it must deny. */
const POLICY_RULES: ReadonlySet<string> = new Set(POLICY.spec.validations.map((v: any) => ruleOf(v.message)));
/** The kinds the policy matches. */
const MATCHED_KINDS = new Set(['Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicationController', 'NetworkPolicy']);

function ruleOf(message: string): string {
  return message.slice(0, message.indexOf(':'));
}

/** Namespace labels as the API server has them: the Namespace object's (when the set has it), the name label, and the sandbox label that puts every namespace in the binding's scope. */
function labelsIn(set: readonly Obj[]) {
  return (namespace: string) => ({
    ...(set.find((o) => o.kind === 'Namespace' && o.metadata?.name === namespace)?.metadata?.labels ?? {}),
    [NAMESPACE_NAME]: namespace, 'cdk8s-sandbox.io/sandboxed': 'true',
  });
}

function decide(obj: Obj, set: readonly Obj[] = [obj], compiled = OURS): AdmissionDecision {
  return evaluateAdmission(compiled, obj, { namespaceLabels: labelsIn(set) });
}

/** The rules a decision denies with (the rule id each message starts with). */
function deniedRules(decision: AdmissionDecision): string[] {
  return [...new Set(decision.denials.filter((d) => d.action === 'Deny').map((d) => ruleOf(d.message)))].sort();
}

const audit = (objects: readonly Obj[]) => auditText(objects.map((o) => jsyaml.dump(o, { noRefs: true })).join('---\n'), { file: 'input.yaml' }).findings;

/** Per matched object of a set: the policy's rules the audit flags on it, and the rules the policy denies it with. */
function compare(set: readonly Obj[]): { object: string; flagged: string[]; denied: string[]; errors: string[] }[] {
  const findings = audit(set);
  return set.filter((o) => o && MATCHED_KINDS.has(o.kind)).map((o) => {
    const flagged = [...new Set(findings.filter((f) => f.object.kind === o.kind && f.object.name === (o.metadata?.name ?? '(unnamed)') && (f.object.namespace ?? '') === (o.metadata?.namespace ?? '') && POLICY_RULES.has(f.rule)).map((f) => f.rule))].sort();
    const decision = decide(o, set);
    return { object: `${o.kind}/${o.metadata?.name}`, flagged, denied: deniedRules(decision), errors: decision.denials.filter((d) => d.error).map((d) => `${ruleOf(d.message)}: ${d.error}`) };
  });
}

/** The mutants of the corpus: each mutation applied to each target of each base set, as the audit's mutation test does. */
function mutants(): { set: string; description: string; expected: string; index: number; base: Obj[]; objects: Obj[] }[] {
  const out: { set: string; description: string; expected: string; index: number; base: Obj[]; objects: Obj[] }[] = [];
  for (const base of BASE_SETS) {
    base.objects.forEach((original, index) => {
      if (!isTarget(original)) return;
      for (const mutation of MUTATIONS) {
        if (!mutation.kinds.includes(original.kind)) continue;
        const set = structuredClone(base.objects);
        if (mutation.applies && !mutation.applies(set[index], set)) continue;
        out.push({ set: base.name, description: mutation.description, expected: mutation.expected, index, base: base.objects, objects: mutation.mutate(set[index], set) });
      }
    });
  }
  return out;
}

const MUTANTS = mutants();

/**
 * The one part of a per-object rule the policy leaves out on purpose: ServiceAccounts (the controller manager
 * creates each namespace's `default` ServiceAccount without automountServiceAccountToken; denying it would
 * leave the namespace without one). The policy's audit-only annotation says so.
 */
const SERVICE_ACCOUNT_MUTATION = 'ServiceAccount automounts its token';

describe('parity with the audit', () => {
  test('over the whole mutation corpus, each matched object is denied with exactly the policy rules the audit flags on it', () => {
    const mismatches: string[] = [];
    let objects = 0;
    let denied = 0;
    for (const m of MUTANTS) {
      for (const row of compare(m.objects)) {
        objects++;
        if (row.denied.length > 0) denied++;
        if (JSON.stringify(row.flagged) !== JSON.stringify(row.denied) || row.errors.length > 0) {
          mismatches.push(`${m.set} "${m.description}" ${row.object}: audit ${JSON.stringify(row.flagged)}, policy ${JSON.stringify(row.denied)} ${row.errors.join('; ')}`);
        }
      }
    }
    // eslint-disable-next-line no-console
    console.log(`admission parity: ${MUTANTS.length} mutants, ${objects} matched objects judged, ${denied} denied, ${mismatches.length} mismatches`);
    expect(mismatches).toEqual([]);
    expect(MUTANTS.length).toBeGreaterThan(300);
  });

  test('every mutation of a rule the policy carries is denied on the mutated object with that rule\'s message and fix', () => {
    const missed: string[] = [];
    for (const m of MUTANTS) {
      if (!POLICY_RULES.has(m.expected) || m.description === SERVICE_ACCOUNT_MUTATION) continue;
      const obj = m.objects[m.index];
      const denial = decide(obj, m.objects).denials.find((d) => ruleOf(d.message) === m.expected);
      if (!denial || !/\. Fix: \S/.test(denial.message)) missed.push(`${m.set} "${m.description}" on ${obj.kind}/${obj.metadata?.name}`);
    }
    expect(missed).toEqual([]);
  });

  test('the ServiceAccount weakening is the one the policy leaves to the audit, as its annotation says', () => {
    const rows = MUTANTS.filter((m) => m.description === SERVICE_ACCOUNT_MUTATION);
    expect(rows.length).toBeGreaterThan(0);
    for (const m of rows) expect(MATCHED_KINDS.has(m.objects[m.index].kind)).toBe(false);
    expect(POLICY.metadata.annotations['cdk8s-sandbox.io/audit-only']).toMatch(/^no-service-account-token: ServiceAccount objects/m);
  });

  test('the base sets are admitted whole', () => {
    for (const base of BASE_SETS) {
      for (const row of compare(base.objects)) expect(`${row.object}: ${row.denied.join(', ')}`).toBe(`${row.object}: `);
    }
  });

  test('the seed article\'s YAML: each object denied with exactly the policy rules the audit flags', () => {
    const seed = load(path.join(ROOT, 'test', 'fixtures', 'audit', 'seed-article.yaml'));
    const rows = compare(seed);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.errors).toEqual([]);
      expect(`${row.object}: ${row.denied.join(', ')}`).toBe(`${row.object}: ${row.flagged.join(', ')}`);
    }
    // The article's code runner sets a few controls (a UID, no token) and misses the rest.
    const job = rows.find((r) => r.object.startsWith('Job/'));
    expect(job?.denied).toEqual(['ephemeral-storage-limit', 'image-pinned', 'job-limits', 'no-service-links', 'run-as-high-gid', 'run-as-non-root', 'seccomp-runtime-default']);
  });
});

/** A hardened Job of the fixture, as the base of the type-confusion cases. */
function hardenedJob(): Obj {
  const job = BASE_SETS[1].objects.find((o) => o.kind === 'Job');
  expect(job).toBeDefined();
  return structuredClone(job);
}

type Weaken = (job: Obj, pod: Obj, container: Obj) => void;

describe('type confusion: the CEL judges odd values as the audit does, and fails closed', () => {
  const CASES: [string, Weaken][] = [
    ['runAsUser as a string', (_, __, c) => { c.securityContext.runAsUser = '10000'; }],
    ['runAsUser as a double', (_, __, c) => { c.securityContext.runAsUser = 10000.5; }],
    ['runAsGroup as a list', (_, __, c) => { c.securityContext.runAsGroup = [10000]; }],
    ['fsGroup as a string', (_, p) => { p.securityContext.fsGroup = '65534'; }],
    ['supplementalGroups as a string', (_, p) => { p.securityContext.supplementalGroups = '0'; }],
    ['supplementalGroups holding a string', (_, p) => { p.securityContext.supplementalGroups = [65534, '0']; }],
    ['supplementalGroups empty', (_, p) => { p.securityContext.supplementalGroups = []; }],
    ['runAsNonRoot as a string', (_, p) => { p.securityContext.runAsNonRoot = 'true'; }],
    ['allowPrivilegeEscalation as a string', (_, __, c) => { c.securityContext.allowPrivilegeEscalation = 'false'; }],
    ['allowPrivilegeEscalation as 0', (_, __, c) => { c.securityContext.allowPrivilegeEscalation = 0; }],
    ['privileged as a string', (_, __, c) => { c.securityContext.privileged = 'true'; }],
    ['readOnlyRootFilesystem as 1', (_, __, c) => { c.securityContext.readOnlyRootFilesystem = 1; }],
    ['drop as a string', (_, __, c) => { c.securityContext.capabilities.drop = 'ALL'; }],
    ['drop empty', (_, __, c) => { c.securityContext.capabilities.drop = []; }],
    ['add as a string', (_, __, c) => { c.securityContext.capabilities.add = 'SYS_ADMIN'; }],
    ['add holding a number', (_, __, c) => { c.securityContext.capabilities.add = [7]; }],
    ['no securityContext on the container', (_, __, c) => { delete c.securityContext; }],
    ['no securityContext on the pod', (_, p) => { delete p.securityContext; }],
    ['securityContext null on the container', (_, __, c) => { c.securityContext = null; }],
    ['capabilities null', (_, __, c) => { c.securityContext.capabilities = null; }],
    ['seccompProfile null on the pod', (_, p) => { p.securityContext.seccompProfile = null; }],
    ['seccomp type in lower case', (_, p) => { p.securityContext.seccompProfile = { type: 'runtimedefault' }; }],
    ['seccompProfile without a type', (_, p) => { p.securityContext.seccompProfile = {}; }],
    ['no containers at all', (_, p) => { p.containers = []; }],
    ['no volumes (empty list)', (_, p) => { p.volumes = []; }],
    ['hostNetwork as a string', (_, p) => { p.hostNetwork = 'true'; }],
    ['hostPort as a string', (_, __, c) => { c.ports = [{ containerPort: 80, hostPort: '80' }]; }],
    ['hostPort 0', (_, __, c) => { c.ports = [{ containerPort: 80, hostPort: 0 }]; }],
    ['image as a number', (_, __, c) => { c.image = 3; }],
    ['image empty', (_, __, c) => { c.image = ''; }],
    ['image with a malformed digest', (_, __, c) => { c.image = 'python@sha256:abc'; }],
    ['image on a registry port, no tag', (_, __, c) => { c.image = 'registry.example.com:5000/python'; }],
    ['image on a registry port, tagged', (_, __, c) => { c.image = 'registry.example.com:5000/python:3.12'; }],
    ['cpu limit as a number', (_, __, c) => { c.resources.limits.cpu = 1; }],
    ['cpu limit 0', (_, __, c) => { c.resources.limits.cpu = '0'; }],
    ['cpu limit 0m as a number 0', (_, __, c) => { c.resources.limits.cpu = 0; }],
    ['cpu limit negative', (_, __, c) => { c.resources.limits.cpu = '-1'; }],
    ['cpu limit not a quantity', (_, __, c) => { c.resources.limits.cpu = 'lots'; }],
    ['cpu limit with an exponent beyond 200', (_, __, c) => { c.resources.limits.cpu = '1e201'; }],
    ['cpu limit with white space around it', (_, __, c) => { c.resources.limits.cpu = ' 500m '; }],
    ['memory request 0Gi', (_, __, c) => { c.resources.requests.memory = '0Gi'; }],
    ['ephemeral-storage limit as a list', (_, __, c) => { c.resources.limits['ephemeral-storage'] = ['1Gi']; }],
    ['resources empty', (_, __, c) => { c.resources = {}; }],
    ['sysctl value as a number', (_, p) => { p.securityContext.sysctls = [{ name: 'net.ipv4.tcp_syncookies', value: 1 }]; }],
    ['sysctl value as a boolean', (_, p) => { p.securityContext.sysctls = [{ name: 'net.ipv4.tcp_syncookies', value: true }]; }],
    ['sysctl without a name', (_, p) => { p.securityContext.sysctls = [{ value: '1' }]; }],
    ['hostProcess as a string', (_, p) => { p.securityContext.windowsOptions = { hostProcess: 'false' }; }],
    ['shareProcessNamespace as 1', (_, p) => { p.shareProcessNamespace = 1; }],
    ['activeDeadlineSeconds as a string', (j) => { j.spec.activeDeadlineSeconds = '60'; }],
    ['activeDeadlineSeconds 0', (j) => { j.spec.activeDeadlineSeconds = 0; }],
    ['ttlSecondsAfterFinished as a double', (j) => { j.spec.ttlSecondsAfterFinished = 300.5; }],
    ['backoffLimit as a string', (j) => { j.spec.backoffLimit = '0'; }],
    ['env holding a Secret reference without a name', (_, __, c) => { c.env = [{ name: 'X', valueFrom: { secretKeyRef: { key: 'k' } } }]; }],
    ['a projected volume with no sources', (_, p) => { p.volumes = [...(p.volumes ?? []), { name: 'empty', projected: {} }]; }],
    ['a suppression line that is only a colon', (j) => { j.metadata.annotations = { [SUPPRESS_ANNOTATION]: ':' }; }],
    ['a suppression with a blank reason', (j) => { j.metadata.annotations = { [SUPPRESS_ANNOTATION]: 'image-pinned:   ' }; }],
    ['a suppression with CRLF line ends', (j, _, c) => { c.image = 'python:latest'; j.metadata.annotations = { [SUPPRESS_ANNOTATION]: '# why\r\nimage-pinned: mirrored by digest at the proxy\r\n' }; }],
  ];

  test.each(CASES)('%s', (_, weaken) => {
    const job = hardenedJob();
    const pod = job.spec.template.spec;
    weaken(job, pod, pod.containers[0]);
    const [row] = compare([job]);
    expect(row.errors).toEqual([]);
    expect(row.denied).toEqual(row.flagged);
  });

  test('the cases cover both outcomes: most are denied, the harmless ones admitted', () => {
    const outcomes = CASES.map(([name, weaken]) => {
      const job = hardenedJob();
      weaken(job, job.spec.template.spec, job.spec.template.spec.containers[0]);
      return { name, denied: deniedRules(decide(job)).length > 0 };
    });
    const admitted = outcomes.filter((o) => !o.denied).map((o) => o.name).sort();
    expect(admitted).toEqual([
      'a suppression with CRLF line ends', 'add as a string', 'cpu limit as a number', 'cpu limit with white space around it',
      'hostNetwork as a string', 'hostPort 0', 'image on a registry port, tagged', 'no containers at all', 'no volumes (empty list)',
      'privileged as a string', 'sysctl value as a number', 'supplementalGroups empty', 'a projected volume with no sources',
    ].sort());
  });
});

describe('suppressions in the cluster, as in the audit', () => {
  const latest = (annotation?: string, props?: SandboxAdmissionPolicyProps) => {
    const job = hardenedJob();
    job.spec.template.spec.containers[0].image = 'python:latest';
    if (annotation !== undefined) job.metadata.annotations = { ...(job.metadata.annotations ?? {}), [props?.suppressionAnnotation ?? SUPPRESS_ANNOTATION]: annotation };
    return deniedRules(decide(job, [job], props ? compileAdmissionPolicies(policyObjects(props)) : OURS));
  };

  test('a reasoned suppression of a rule admits what only that rule denies', () => {
    expect(latest()).toEqual(['image-pinned']);
    expect(latest('image-pinned: the registry mirror pins it by digest')).toEqual([]);
    expect(latest('# reviewed 2026-11\n  image-pinned  :  the registry mirror pins it by digest  \n')).toEqual([]);
  });

  test('a suppression without a reason suppresses nothing, and is denied itself', () => {
    expect(latest('image-pinned')).toEqual(['image-pinned', 'suppression-reason']);
    expect(latest('image-pinned:')).toEqual(['image-pinned', 'suppression-reason']);
  });

  test('a suppression of another rule, or of no rule, waives nothing here', () => {
    expect(latest('no-host-ports: not this one')).toEqual(['image-pinned']);
    expect(latest('image-pined: typo')).toEqual(['image-pinned', 'suppression-unknown-rule']);
  });

  test('what a sandbox can never waive stays denied, and so does the suppression', () => {
    const job = hardenedJob();
    job.spec.template.spec.containers[0].securityContext.privileged = true;
    job.metadata.annotations = { [SUPPRESS_ANNOTATION]: 'not-privileged: the debugger needs it' };
    expect(deniedRules(decide(job))).toEqual(['not-privileged', 'suppression-unwaivable']);
    const hostPath = hardenedJob();
    hostPath.spec.template.spec.volumes = [...(hostPath.spec.template.spec.volumes ?? []), { name: 'logs', hostPath: { path: '/var/log' } }];
    hostPath.metadata.annotations = { [SUPPRESS_ANNOTATION]: 'allowed-volume-types: it ships the node\'s logs' };
    expect(deniedRules(decide(hostPath))).toEqual(['allowed-volume-types', 'suppression-unwaivable']);
  });

  test('the suppression annotation is a parameter: the policy reads the given key and no other', () => {
    const props = { suppressionAnnotation: 'example.com/waive' };
    expect(latest('image-pinned: mirrored by digest', props)).toEqual([]);
    const job = hardenedJob();
    job.spec.template.spec.containers[0].image = 'python:latest';
    job.metadata.annotations = { [SUPPRESS_ANNOTATION]: 'image-pinned: mirrored by digest' };
    expect(deniedRules(decide(job, [job], compileAdmissionPolicies(policyObjects(props))))).toEqual(['image-pinned']);
  });

  test('runtime class names are a parameter', () => {
    const job = hardenedJob();
    job.spec.template.spec.runtimeClassName = 'gvisor-debug';
    expect(deniedRules(decide(job))).toEqual(['runtime-class']);
    expect(deniedRules(decide(job, [job], compileAdmissionPolicies(policyObjects({ runtimeClassNames: ['gvisor', 'gvisor-debug'] }))))).toEqual([]);
  });
});

describe('dist/ ships the policy', () => {
  const dist = fs.readdirSync(path.join(ROOT, 'dist')).filter((f) => /\.ya?ml$/.test(f)).sort().flatMap((f) => load(path.join(ROOT, 'dist', f)));
  const compiled = compileAdmissionPolicies(dist);
  const nsLabels = (namespace: string) => ({ ...(dist.find((o) => o.kind === 'Namespace' && o.metadata.name === namespace)?.metadata?.labels ?? {}), [NAMESPACE_NAME]: namespace });

  test('dist/ holds the policy and its binding', () => {
    expect(dist.filter((o) => o.kind === 'ValidatingAdmissionPolicy').map((o) => o.metadata.name)).toEqual(['cdk8s-sandbox']);
    expect(dist.filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding').map((o) => o.spec.policyName)).toEqual(['cdk8s-sandbox']);
  });

  test('they admit every object of dist/, and judge every sandboxed one', () => {
    for (const obj of dist) {
      const decision = evaluateAdmission(compiled, obj, { namespaceLabels: nsLabels });
      expect(`${obj.kind}/${obj.metadata?.name}: ${decision.denials.map((d) => d.message).join('; ')}`).toBe(`${obj.kind}/${obj.metadata?.name}: `);
      if (obj.metadata?.namespace === 'sandbox-jobs' && MATCHED_KINDS.has(obj.kind)) expect(decision.matched).toEqual(['cdk8s-sandbox/cdk8s-sandbox']);
    }
  });

  test('the trusted (runc) workload outside the sandbox namespaces is not in scope', () => {
    const trusted = dist.find((o) => o.kind === 'Deployment' && o.metadata.name === 'trusted-api');
    expect(trusted.spec.template.spec.runtimeClassName).toBeUndefined();
    expect(evaluateAdmission(compiled, trusted, { namespaceLabels: nsLabels }).matched).toEqual([]);
    // In a sandbox namespace the same workload would be refused for its runtime class were it not for its reasoned suppression.
    const unsuppressed = structuredClone(trusted);
    delete unsuppressed.metadata.annotations;
    unsuppressed.metadata.namespace = 'sandbox-jobs';
    expect(deniedRules(evaluateAdmission(compiled, unsuppressed, { namespaceLabels: nsLabels }))).toEqual(['runtime-class']);
  });
});

describe('the render API\'s submissions', () => {
  test('each object CodeRun.render gives, for every language, is admitted and judged', () => {
    for (const language of Language.presets()) {
      const run = CodeRun.render({ runId: `run-${language.name}`, namespace: 'sandbox-jobs', language, code: 'print(1)', timeoutSeconds: 10, deadlineSeconds: 20 });
      for (const obj of run.objects) {
        const decision = decide(obj);
        expect(`${obj.kind}: ${decision.denials.map((d) => d.message).join('; ')}`).toBe(`${obj.kind}: `);
        if (MATCHED_KINDS.has(obj.kind)) expect(decision.matched).toEqual(['cdk8s-sandbox/cdk8s-sandbox']);
      }
    }
  });
});

describe('against agent-sandbox\'s example policy, on the same corpus', () => {
  const theirs = compileAdmissionPolicies(load(path.join(__dirname, 'fixtures', 'admission', 'agent-sandbox', 'policy.yaml')));

  /** The validations of a decision that fail (by index, per policy). */
  const failing = (decision: AdmissionDecision) => new Set(decision.denials.map((d) => `${d.policy}#${d.validation}`));

  test('per-object mutants each policy denies (by a validation the unmutated object passes)', () => {
    let total = 0;
    let ours = 0;
    let agentSandbox = 0;
    const passedTheirs: string[] = [];
    for (const m of MUTANTS) {
      const obj = m.objects[m.index];
      if (!POLICY_RULES.has(m.expected) || asSandbox(obj) === undefined || m.description === SERVICE_ACCOUNT_MUTATION) continue;
      total++;
      const original = m.base[m.index];
      const newly = (before: AdmissionDecision, after: AdmissionDecision) => [...failing(after)].some((v) => !failing(before).has(v));
      if (newly(decide(original, m.base), decide(obj, m.objects))) ours++;
      const sandboxBefore = evaluateAdmission(theirs, asSandbox(original), { namespaceLabels: labelsIn(m.base) });
      const sandboxAfter = evaluateAdmission(theirs, asSandbox(obj), { namespaceLabels: labelsIn(m.objects) });
      if (newly(sandboxBefore, sandboxAfter)) agentSandbox++;
      else passedTheirs.push(m.description);
    }
    const missed = [...new Set(passedTheirs)].sort();
    // eslint-disable-next-line no-console
    console.log(`per-object pod mutants denied: generated policy ${ours}/${total}, agent-sandbox's example ${agentSandbox}/${total}; weakenings it lets through: ${missed.join('; ')}`);
    expect(ours).toBe(total);
    expect(agentSandbox).toBeLessThan(total);
    expect(missed).toEqual(expect.arrayContaining(['UID 0', 'GID 0', 'allowPrivilegeEscalation true', 'seccomp Unconfined on a container', 'writable root filesystem', 'image :latest', 'a Secret in env', 'service links on', 'no deadline', 'no TTL', 'remove the ephemeral-storage limit']));
  });
});
