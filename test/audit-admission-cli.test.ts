// `cdk8s-sandbox audit --admission-policy FILE`: the policies' decisions over the manifests in the audit's
// formats (text, JSON, SARIF) with file and line, exit codes 0 (nothing denied), 1 (denied) and 2 (usage,
// input or policy compile errors), --namespace, and the option through commander and the real bin.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { runAuditCommand } from '../src/cli/audit-command';
import { createProgram } from '../src/cli/main';
import { commandIo } from './helpers/command-io';

const ROOT = path.resolve(__dirname, '..');
const DIR = path.join('test', 'fixtures', 'admission', 'engine');
const POLICY = path.join(DIR, 'policy.yaml');
const WARN_POLICY = path.join(DIR, 'warn-policy.yaml');
const OPTIONAL_POLICY = path.join(DIR, 'optional-syntax-policy.yaml');
const MANIFESTS = path.join(DIR, 'manifests.yaml');
const CLEAN = path.join(DIR, 'clean-manifests.yaml');

const io = () => commandIo(ROOT);

describe('runAuditCommand with --admission-policy', () => {
  const cwd = process.cwd();
  beforeAll(() => process.chdir(ROOT));
  afterAll(() => process.chdir(cwd));

  test('text: each denial under its file and object, with the line, the validation and the API server\'s message; exit 1', async () => {
    const r = io();
    expect(await runAuditCommand([MANIFESTS], { admissionPolicy: [POLICY, WARN_POLICY] }, r)).toBe(1);
    expect(r.err()).toBe('');
    expect(r.out()).toBe([
      MANIFESTS,
      '  Deployment sandbox/bad (line 24)',
      '    admission:sandbox-pods  validations[0]  (line 24)',
      "      ValidatingAdmissionPolicy 'sandbox-pods' with binding 'sandbox-pods-binding' denied request: runtimeClassName is unset, not gvisor",
      `      fix: Change the object so that spec.validations[0].expression of ValidatingAdmissionPolicy "sandbox-pods" holds: variables.runtime == 'gvisor'`,
      '    admission:sandbox-pods  validations[1]  (line 24)',
      "      ValidatingAdmissionPolicy 'sandbox-pods' with binding 'sandbox-pods-binding' denied request: at most 3 replicas",
      `      fix: Change the object so that spec.validations[1].expression of ValidatingAdmissionPolicy "sandbox-pods" holds: object.kind == 'Pod' || object.spec.replicas <= 3`,
      '  Pod other/elsewhere (line 38)',
      '    admission:team-label  validations[0]  (line 38)',
      "      Validation failed for ValidatingAdmissionPolicy 'team-label' with binding 'team-label-warn': every object names its team",
      `      fix: Change the object so that spec.validations[0].expression of ValidatingAdmissionPolicy "team-label" holds: has(object.metadata.labels) && 'team' in object.metadata.labels`,
      '',
      '2 denials, 1 warning (2 policies) in 2 of 4 admitted objects, 1 file',
      '',
    ].join('\n'));
  });

  test('exit 0 when nothing is denied; a Warn binding alone never fails', async () => {
    const clean = io();
    expect(await runAuditCommand([CLEAN], { admissionPolicy: [POLICY] }, clean)).toBe(0);
    expect([clean.out(), clean.err()]).toEqual(['no denials in 2 admitted objects (1 matched by 1 policy), 1 file\n', '']);
    const warned = io();
    expect(await runAuditCommand([MANIFESTS], { admissionPolicy: [WARN_POLICY] }, warned)).toBe(0);
    expect(warned.out().trimEnd().split('\n').pop()).toBe('0 denials, 1 warning (1 policy) in 1 of 4 admitted objects, 1 file');
  });

  test('json: the audit report\'s shape, each finding with its denial (policy, binding, validation, action, reason)', async () => {
    const r = io();
    expect(await runAuditCommand([MANIFESTS], { admissionPolicy: [POLICY, WARN_POLICY], format: 'json' }, r)).toBe(1);
    const json = JSON.parse(r.out());
    expect(json.summary).toEqual({ files: 1, objects: 4, audited: 4, findings: 3, suppressed: 0, errors: 0, skipped: 0, exitCode: 1, policies: 2, matched: 3, denied: 2, warnings: 1 });
    expect(json.findings[0]).toEqual({
      rule: 'admission:sandbox-pods', title: 'ValidatingAdmissionPolicy "sandbox-pods" (binding "sandbox-pods-binding")', file: MANIFESTS, line: 24, objectLine: 24,
      object: { kind: 'Deployment', namespace: 'sandbox', name: 'bad' }, path: 'validations[0]',
      message: "ValidatingAdmissionPolicy 'sandbox-pods' with binding 'sandbox-pods-binding' denied request: runtimeClassName is unset, not gvisor",
      fix: `Change the object so that spec.validations[0].expression of ValidatingAdmissionPolicy "sandbox-pods" holds: variables.runtime == 'gvisor'`,
      policy: 'sandbox-pods', binding: 'sandbox-pods-binding', validation: 0, expression: "variables.runtime == 'gvisor'", action: 'Deny', actions: ['Deny'], reason: 'Forbidden',
    });
    expect(json.findings.map((f: any) => [f.rule, f.object.name, f.line, f.validation, f.action])).toEqual([
      ['admission:sandbox-pods', 'bad', 24, 0, 'Deny'], ['admission:sandbox-pods', 'bad', 24, 1, 'Deny'], ['admission:team-label', 'elsewhere', 38, 0, 'Warn'],
    ]);
    expect([json.problems, json.suppressions]).toEqual([[], []]);
  });

  test('sarif: one rule per policy, one result per denial at the object\'s file and line, Warn as a warning', async () => {
    const r = io();
    expect(await runAuditCommand([MANIFESTS], { admissionPolicy: [POLICY, WARN_POLICY], format: 'sarif' }, r)).toBe(1);
    const run = JSON.parse(r.out()).runs[0];
    expect(run.tool.driver.rules.map((rule: any) => rule.id)).toEqual(['admission:sandbox-pods', 'admission:team-label']);
    expect(run.tool.driver.rules[0].fullDescription.text).toBe(
      "ValidatingAdmissionPolicy sandbox-pods, evaluated offline (failurePolicy Fail): [0] variables.runtime == 'gvisor'; [1] object.kind == 'Pod' || object.spec.replicas <= 3");
    expect(run.results.map((x: any) => [x.ruleId, run.tool.driver.rules[x.ruleIndex].id, x.level, x.locations[0].physicalLocation.artifactLocation.uri, x.locations[0].physicalLocation.region.startLine, x.properties.validation])).toEqual([
      ['admission:sandbox-pods', 'admission:sandbox-pods', 'error', 'test/fixtures/admission/engine/manifests.yaml', 24, 0],
      ['admission:sandbox-pods', 'admission:sandbox-pods', 'error', 'test/fixtures/admission/engine/manifests.yaml', 24, 1],
      ['admission:team-label', 'admission:team-label', 'warning', 'test/fixtures/admission/engine/manifests.yaml', 38, 0],
    ]);
    expect(run.results[0].message.text).toBe(
      "ValidatingAdmissionPolicy 'sandbox-pods' with binding 'sandbox-pods-binding' denied request: runtimeClassName is unset, not gvisor (at validations[0]). Fix: Change the object so that spec.validations[0].expression of ValidatingAdmissionPolicy \"sandbox-pods\" holds: variables.runtime == 'gvisor'");
    expect(run.invocations[0].executionSuccessful).toBe(true);
  });

  test('--namespace admits only that namespace\'s objects (and gives objects that name none to it)', async () => {
    const other = io();
    expect(await runAuditCommand([MANIFESTS], { admissionPolicy: [POLICY, WARN_POLICY], namespace: 'other', format: 'json' }, other)).toBe(0);
    const json = JSON.parse(other.out());
    expect([json.summary.audited, json.findings.map((f: any) => [f.object.name, f.action])]).toEqual([1, [['elsewhere', 'Warn']]]);
    const typo = io();
    expect(await runAuditCommand([MANIFESTS], { admissionPolicy: [POLICY], namespace: 'typo' }, typo)).toBe(2);
    expect(typo.out()).toContain(`${MANIFESTS}: error: nothing was admitted: namespace "typo" leaves none of the 4 Kubernetes object(s) read in scope; the input's objects live in namespace(s) other, sandbox`);
  });

  test('a policy the evaluator cannot compile exits 2, naming file, line, policy, field path and expression on stderr', async () => {
    const r = io();
    expect(await runAuditCommand([MANIFESTS], { admissionPolicy: [OPTIONAL_POLICY] }, r)).toBe(2);
    expect(r.out()).toBe('');
    expect(r.err()).toBe(`cdk8s-sandbox audit: ${OPTIONAL_POLICY}:15: ValidatingAdmissionPolicy "uses-optionals" spec.validations[1].expression: `
      + "this evaluator lacks CEL's optional syntax (`.?field`, `[?key]`, `{?key: v}`, `[?v]`, `optional.*`, `.orValue()`, `.hasValue()`); test presence with has() instead; "
      + 'expression: object.spec.?hostNetwork.orValue(false) == false\n');
  });

  test('usage and input errors exit 2 and say what was given and what is allowed', async () => {
    const cases: [string[], object, string][] = [
      [[MANIFESTS], { admissionPolicy: ['no/such/policy.yaml'] }, 'cdk8s-sandbox audit: cannot read the admission policies:\n  no/such/policy.yaml: no such file or directory\n'],
      [[MANIFESTS], { admissionPolicy: [CLEAN] }, `cdk8s-sandbox audit: --admission-policy ${CLEAN}: no ValidatingAdmissionPolicy (admissionregistration.k8s.io) found in 2 objects read\n`],
      [[MANIFESTS], { admissionPolicy: ['-'] }, 'cdk8s-sandbox audit: --admission-policy reads files or directories, not standard input (-)\n'],
      [[MANIFESTS], { admissionPolicy: [POLICY], strict: true, ignoreRule: ['image-pinned'] }, 'cdk8s-sandbox audit: --ignore-rule and --strict do not apply with --admission-policy: the policies decide what they judge\n'],
      [[MANIFESTS], { admissionPolicy: [POLICY], namespace: 'A B' }, 'cdk8s-sandbox audit: namespace "A B" is not a valid namespace name (lower-case letters, digits and \'-\', at most 63 characters)\n'],
      [[], { admissionPolicy: [POLICY] }, 'cdk8s-sandbox audit: name at least one file or directory, or - for standard input\n'],
    ];
    for (const [paths, options, message] of cases) {
      const r = io();
      expect(await runAuditCommand(paths, options, r)).toBe(2);
      expect([r.err(), r.out()]).toEqual([message, '']);
    }
    const missing = io();
    expect(await runAuditCommand(['no/such/dir'], { admissionPolicy: [POLICY] }, missing)).toBe(2);
    expect(missing.out()).toBe('input:\n  no/such/dir: error: no such file or directory\n\nno denials in 0 admitted objects (0 matched by 1 policy), 0 files, 1 input error\n');
  });

  test('a policy without binding is evaluated as bound cluster-wide with Deny, with a note on stderr', async () => {
    const unbound = io();
    expect(await runAuditCommand([MANIFESTS], { admissionPolicy: [path.join(DIR, 'unbound-policy.yaml')], format: 'json' }, unbound)).toBe(1);
    expect(unbound.err()).toBe('cdk8s-sandbox audit: note: ValidatingAdmissionPolicy "max-replicas" has no binding in the input: evaluated as if bound cluster-wide with validationActions [Deny]\n');
    expect(JSON.parse(unbound.out()).findings.map((f: any) => [f.object.name, f.message, f.binding])).toEqual([
      ['bad', "ValidatingAdmissionPolicy 'max-replicas' denied request: 5 replicas, at most 3", undefined],
    ]);
  });
});

describe('the commander program and the bin', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  test('--admission-policy is repeatable and sets the exit code', async () => {
    let output = '';
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(((s: string) => { output += s; return true; }) as any);
    try {
      await createProgram().parseAsync(['node', 'cdk8s-sandbox', 'audit', path.join(ROOT, MANIFESTS), '--format', 'json', '--admission-policy', path.join(ROOT, POLICY), '--admission-policy', path.join(ROOT, WARN_POLICY)]);
    } finally {
      write.mockRestore();
    }
    expect(process.exitCode).toBe(1);
    expect(JSON.parse(output).summary.policies).toBe(2);
  });

  test('the bin: exit 1 on a denial, 2 on a compile error; --help says the policies replace the profile', () => {
    const hook = path.join(__dirname, 'fixtures', 'audit', 'register-ts.js');
    const run = (args: string[]) => spawnSync(process.execPath, ['-r', hook, path.join(ROOT, 'src', 'cli', 'main.ts'), 'audit', ...args], { cwd: ROOT, encoding: 'utf8' });
    const denied = run(['--admission-policy', POLICY, MANIFESTS]);
    expect([denied.status, denied.stdout.trimEnd().split('\n').pop()]).toEqual([1, '2 denials (1 policy) in 1 of 4 admitted objects, 1 file']);
    const broken = run(['--admission-policy', OPTIONAL_POLICY, MANIFESTS]);
    expect([broken.status, broken.stdout, broken.stderr.split(': ').slice(0, 3)]).toEqual([2, '', ['cdk8s-sandbox audit', `${OPTIONAL_POLICY}:15`, 'ValidatingAdmissionPolicy "uses-optionals" spec.validations[1].expression']]);
    const help = run(['--help']);
    expect(help.stdout).toContain('--admission-policy <file>');
    expect(help.stdout).toContain("With --admission-policy the command reports only the policies' decisions");
  });
});
