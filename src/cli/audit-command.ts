// The `audit` subcommand: checks any manifests (files, directories, standard input) against the
// sandbox hardening profile, or, with --admission-policy, against ValidatingAdmissionPolicies evaluated
// offline as the API server would admit the objects. Exit codes: 0 clean, 1 findings (denials), 2 usage,
// input or policy compile errors.
import { Command, Option } from 'commander';
import {
  AdmissionDenial, AdmissionPolicyError, AdmissionResourceInfo, CompiledAdmission, admissionMessage, compileAdmissionPolicies, evaluateAdmission,
} from '../audit/admission-policy';
import { AuditFinding, AuditOptions, AuditResult, auditManifests, resolveAuditOptions } from '../audit/audit';
import { InputProblem, LoadSink, LoadedObject, STDIN_NAME, expandPaths, loadSources } from '../audit/load';
import { formatJson } from '../audit/report-json';
import { formatSarif } from '../audit/report-sarif';
import { formatText } from '../audit/report-text';
import { CLUSTER_SCOPED_KINDS, KubeObject, NAMESPACE_NAME_LABEL, apiGroupOf, refOf } from '../profile';

/** The report formats the command writes. */
export const AUDIT_FORMATS: readonly string[] = ['text', 'json', 'sarif'];

/** The options of the audit command, as commander parses them. */
export interface AuditCommandOptions {
  /**
   * Report format: text, json or sarif.
   * @default 'text'
   */
  readonly format?: string;
  /**
   * Audit only this namespace.
   * @default - every namespace
   */
  readonly namespace?: string;
  /**
   * Audit only pods that set a runtimeClassName.
   * @default false
   */
  readonly onlyRuntimeClass?: boolean;
  /**
   * The RuntimeClass sandboxed pods must name.
   * @default 'gvisor'
   */
  readonly runtimeClass?: string;
  /**
   * Rule ids to ignore for the whole run.
   * @default []
   */
  readonly ignoreRule?: readonly string[];
  /**
   * Fail (exit 2) on containers the audit cannot judge.
   * @default false
   */
  readonly strict?: boolean;
  /**
   * ValidatingAdmissionPolicy files (with their bindings) to evaluate over the manifests instead of the profile.
   * @default [] - the profile audit
   */
  readonly admissionPolicy?: readonly string[];
}

/** Where the command reads and writes (the process's streams, or test doubles). */
export interface AuditCommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly stdin: AsyncIterable<Buffer | string>;
  readonly cwd: string;
}

/** Runs the audit for the command line and returns its exit code (0 clean, 1 findings, 2 usage or input errors). */
export async function runAuditCommand(paths: readonly string[], options: AuditCommandOptions, io: AuditCommandIo): Promise<number> {
  const format = options.format ?? 'text';
  if (!AUDIT_FORMATS.includes(format)) {
    io.stderr.write(`cdk8s-sandbox audit: unknown format ${JSON.stringify(format)}; use one of ${AUDIT_FORMATS.join(', ')}\n`);
    return 2;
  }
  if (paths.length === 0) {
    io.stderr.write('cdk8s-sandbox audit: name at least one file or directory, or - for standard input\n');
    return 2;
  }
  if ((options.admissionPolicy ?? []).length > 0) return runAdmissionAudit(paths, options, format, io);
  const auditOptions: AuditOptions = {
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    ...(options.runtimeClass !== undefined ? { runtimeClassName: options.runtimeClass } : {}),
    onlyRuntimeClass: options.onlyRuntimeClass ?? false,
    ignoreRules: options.ignoreRule ?? [],
    strict: options.strict ?? false,
  };
  try {
    resolveAuditOptions(auditOptions);
  } catch (err: any) {
    io.stderr.write(`cdk8s-sandbox audit: ${err.message}\n`);
    return 2;
  }
  const result = await auditManifests(paths, { ...auditOptions, stdin: io.stdin });
  const report = format === 'json' ? formatJson(result) : format === 'sarif' ? formatSarif(result, { cwd: io.cwd }) : formatText(result);
  io.stdout.write(report);
  return result.exitCode;
}

/** Objects and problems as loading finds them, kept whole (the admission run reads every object twice). */
class ObjectCollector implements LoadSink {
  readonly objects: LoadedObject[] = [];
  readonly problems: InputProblem[] = [];
  readonly files: string[] = [];

  file(file: string): void {
    if (!this.files.includes(file)) this.files.push(file);
  }

  object(loaded: LoadedObject): void {
    this.file(loaded.file);
    this.objects.push(loaded);
  }

  problem(problem: InputProblem): void {
    this.problems.push(problem);
  }
}

async function loadAll(paths: readonly string[], stdin: () => AsyncIterable<Buffer | string>): Promise<ObjectCollector> {
  const collector = new ObjectCollector();
  await loadSources(expandPaths(paths, (p) => collector.problem(p)), collector, stdin);
  return collector;
}

/** Where a compile error is: the file and line of the field it names, when the policy or binding is found. */
function locate(err: AdmissionPolicyError, loaded: readonly LoadedObject[]): string {
  const [kind, name] = [err.source.slice(0, err.source.indexOf('/')), err.source.slice(err.source.indexOf('/') + 1)];
  const at = loaded.find((l) => l.object.kind === kind && (l.object.metadata?.name ?? '(unnamed)') === name);
  return at ? `${at.file}:${at.lineOf(err.path)}: ` : '';
}

/** The resources and scopes of custom kinds, from the CustomResourceDefinitions the input holds. */
function customResources(objects: readonly KubeObject[]): Map<string, AdmissionResourceInfo> {
  const out = new Map<string, AdmissionResourceInfo>();
  for (const o of objects) {
    const spec = o.spec;
    if (o.kind !== 'CustomResourceDefinition' || apiGroupOf(o.apiVersion) !== 'apiextensions.k8s.io') continue;
    if (typeof spec?.group === 'string' && typeof spec?.names?.kind === 'string' && typeof spec?.names?.plural === 'string') {
      out.set(`${spec.group}/${spec.names.kind}`, { resource: spec.names.plural, namespaced: spec.scope !== 'Cluster' });
    }
  }
  return out;
}

function plural(n: number, word: string): string {
  return `${n} ${n === 1 ? word : word.endsWith('y') ? `${word.slice(0, -1)}ies` : `${word}s`}`;
}

/** A denial as an audit finding: rule `admission:<policy>`, at the object's line, its path naming the validation in the policy. */
function denialFinding(denial: AdmissionDenial, loaded: LoadedObject): AuditFinding {
  const where = denial.path.replace(/^spec\./, '').replace(/\.expression$/, '');
  const policy = `ValidatingAdmissionPolicy ${JSON.stringify(denial.policy)}`;
  const fix = denial.error !== undefined
    ? `The expression failed to evaluate and the policy's failurePolicy is Fail: make ${denial.path} of ${policy} evaluate for this object (guard optional fields with has()), or fix the object: ${denial.expression}`
    : `Change the object so that ${denial.path} of ${policy} holds: ${denial.expression}`;
  return {
    rule: `admission:${denial.policy}`, title: `${policy}${denial.binding !== undefined ? ` (binding ${JSON.stringify(denial.binding)})` : ''}`,
    object: refOf(loaded.object), path: where, message: admissionMessage(denial), fix, file: loaded.file, line: loaded.line, objectLine: loaded.line,
  };
}

/** The admission run's outcome, in the audit's result shape plus what each finding's denial was. */
interface AdmissionRun {
  readonly result: AuditResult;
  readonly denials: readonly AdmissionDenial[];
  readonly compiled: CompiledAdmission;
  /** Objects some policy matched. */
  readonly matched: number;
}

/** Evaluates the compiled policies over the loaded manifests, as the audit scopes them. */
function admit(compiled: CompiledAdmission, manifests: ObjectCollector, namespace: string | undefined): AdmissionRun {
  const objects = manifests.objects.map((l) => l.object);
  const namespaces = new Map(objects.filter((o) => o.kind === 'Namespace' && apiGroupOf(o.apiVersion) === '' && o.metadata?.name).map((o) => [o.metadata!.name!, o]));
  const crds = customResources(objects);
  const options = {
    defaultNamespace: namespace ?? 'default',
    namespaceLabels: (ns: string) => ({ ...(namespaces.get(ns)?.metadata?.labels ?? {}), [NAMESPACE_NAME_LABEL]: ns }),
    namespaceObject: (ns: string) => namespaces.get(ns),
    resourceOf: (group: string, kind: string) => crds.get(`${group}/${kind}`),
  };
  const namespaceOf = (o: KubeObject) => o.metadata?.namespace || namespace || 'default';
  const inScope = (o: KubeObject) => namespace === undefined
    || (o.kind === 'Namespace' ? o.metadata?.name === namespace : !CLUSTER_SCOPED_KINDS.has(o.kind) && namespaceOf(o) === namespace);
  const findings: AuditFinding[] = [];
  const denials: AdmissionDenial[] = [];
  let audited = 0;
  let matched = 0;
  for (const loaded of manifests.objects) {
    if (!inScope(loaded.object)) continue;
    audited++;
    const decision = evaluateAdmission(compiled, loaded.object, options);
    if (decision.matched.length > 0) matched++;
    for (const denial of decision.denials) {
      denials.push(denial);
      findings.push(denialFinding(denial, loaded));
    }
  }
  const problems = [...manifests.problems];
  if (manifests.objects.length === 0 && !problems.some((p) => p.severity === 'error')) {
    problems.push({ file: manifests.files.join(', ') || '(no input)', severity: 'error', message: 'no Kubernetes object found in the input: nothing was admitted' });
  } else if (manifests.objects.length > 0 && audited === 0) {
    const held = [...new Set(objects.filter((o) => !CLUSTER_SCOPED_KINDS.has(o.kind)).map(namespaceOf))].sort();
    problems.push({
      file: manifests.files.join(', '), severity: 'error',
      message: `nothing was admitted: namespace ${JSON.stringify(namespace)} leaves none of the ${manifests.objects.length} Kubernetes object(s) read in scope; the input's objects live in namespace(s) ${held.join(', ') || '(none: cluster-scoped only)'}`,
    });
  }
  const exitCode = problems.some((p) => p.severity === 'error') ? 2 : denials.some((d) => d.action === 'Deny') ? 1 : 0;
  const result: AuditResult = { findings, suppressions: [], problems, files: manifests.files, objects: manifests.objects.length, audited, suppressed: 0, exitCode };
  return { result, denials, compiled, matched };
}

/** The text report's last line for an admission run. */
function admissionSummary(run: AdmissionRun): string {
  const { result, denials } = run;
  const denied = denials.filter((d) => d.action === 'Deny').length;
  const warned = denials.length - denied;
  const errors = result.problems.filter((p) => p.severity === 'error').length;
  const skipped = result.problems.length - errors;
  const objects = new Set(result.findings.map((f) => `${f.file}\u0000${f.objectLine}`)).size;
  const policies = new Set(denials.map((d) => d.policy)).size;
  const head = denials.length === 0
    ? `no denials in ${plural(result.audited, 'admitted object')} (${run.matched} matched by ${plural(run.compiled.policies.length, 'policy')})`
    : `${plural(denied, 'denial')}${warned > 0 ? `, ${plural(warned, 'warning')}` : ''} (${plural(policies, 'policy')}) in ${objects} of ${plural(result.audited, 'admitted object')}`;
  const tail = [plural(result.files.length, 'file'), ...(errors > 0 ? [plural(errors, 'input error')] : []), ...(skipped > 0 ? [`${skipped} skipped`] : [])];
  return `${head}, ${tail.join(', ')}`;
}

/** What each finding adds in the JSON and SARIF reports: its denial. */
function denialFields(d: AdmissionDenial): object {
  return {
    policy: d.policy, ...(d.binding !== undefined ? { binding: d.binding } : {}), validation: d.validation, expression: d.expression,
    action: d.action, actions: d.actions, ...(d.reason !== undefined ? { reason: d.reason } : {}), ...(d.error !== undefined ? { error: d.error } : {}),
  };
}

/** Renders an admission run in the audit's formats: the same shapes, each finding with its denial's fields. */
function formatAdmission(run: AdmissionRun, format: string, cwd: string): string {
  const { result, denials, compiled } = run;
  if (format === 'text') {
    const lines = formatText(result).trimEnd().split('\n');
    lines[lines.length - 1] = admissionSummary(run);
    return `${lines.join('\n')}\n`;
  }
  const denied = denials.filter((d) => d.action === 'Deny').length;
  if (format === 'json') {
    const report = JSON.parse(formatJson(result));
    report.summary = { ...report.summary, policies: compiled.policies.length, matched: run.matched, denied, warnings: denials.length - denied };
    report.findings = report.findings.map((f: object, i: number) => ({ ...f, ...denialFields(denials[i]) }));
    return `${JSON.stringify(report, null, 2)}\n`;
  }
  const log = JSON.parse(formatSarif(result, { cwd }));
  const rules = compiled.policies.map((p) => ({
    id: `admission:${p.name}`,
    name: `Admission${p.name.split(/[^A-Za-z0-9]+/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}`,
    shortDescription: { text: `ValidatingAdmissionPolicy ${p.name}` },
    fullDescription: { text: `ValidatingAdmissionPolicy ${p.name}, evaluated offline (failurePolicy ${p.failurePolicy}): ${p.validations.map((v, i) => `[${i}] ${v.expression}`).join('; ')}` },
    defaultConfiguration: { level: 'error' },
    properties: { tags: ['security', 'kubernetes', 'admission-policy'] },
  }));
  const run0 = log.runs[0];
  run0.tool.driver.rules = rules;
  run0.results = run0.results.map((r: any, i: number) => ({
    ...r,
    ruleIndex: compiled.policies.findIndex((p) => p.name === denials[i].policy),
    level: denials[i].action === 'Deny' ? 'error' : denials[i].action === 'Warn' ? 'warning' : 'note',
    properties: { ...r.properties, ...denialFields(denials[i]) },
  }));
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** The audit command with --admission-policy: compile the policies, admit every in-scope object, report the denials. */
async function runAdmissionAudit(paths: readonly string[], options: AuditCommandOptions, format: string, io: AuditCommandIo): Promise<number> {
  const refuse = (message: string) => {
    io.stderr.write(`cdk8s-sandbox audit: ${message}\n`);
    return 2;
  };
  const inapplicable = [
    ...(options.onlyRuntimeClass ? ['--only-runtime-class'] : []),
    ...((options.ignoreRule ?? []).length > 0 ? ['--ignore-rule'] : []),
    ...(options.strict ? ['--strict'] : []),
  ];
  if (inapplicable.length > 0) {
    const named = inapplicable.length === 1 ? `${inapplicable[0]} does` : `${inapplicable.slice(0, -1).join(', ')} and ${inapplicable[inapplicable.length - 1]} do`;
    return refuse(`${named} not apply with --admission-policy: the policies decide what they judge`);
  }
  const policyPaths = options.admissionPolicy ?? [];
  if (policyPaths.includes(STDIN_NAME)) return refuse('--admission-policy reads files or directories, not standard input (-)');
  try {
    resolveAuditOptions({ ...(options.namespace !== undefined ? { namespace: options.namespace } : {}) });
  } catch (err: any) {
    return refuse(err.message);
  }
  const policies = await loadAll(policyPaths, () => io.stdin);
  const policyErrors = policies.problems.filter((p) => p.severity === 'error');
  if (policyErrors.length > 0) {
    return refuse(`cannot read the admission policies:\n${policyErrors.map((p) => `  ${p.file}${p.line !== undefined ? `:${p.line}` : ''}: ${p.message}`).join('\n')}`);
  }
  let compiled: CompiledAdmission;
  try {
    compiled = compileAdmissionPolicies(policies.objects.map((l) => l.object));
  } catch (err: any) {
    if (err instanceof AdmissionPolicyError) return refuse(`${locate(err, policies.objects)}${err.message}`);
    throw err;
  }
  if (compiled.policies.length === 0) {
    return refuse(`--admission-policy ${policyPaths.join(', ')}: no ValidatingAdmissionPolicy (admissionregistration.k8s.io) found in ${plural(policies.objects.length, 'object')} read`);
  }
  for (const warning of compiled.warnings) io.stderr.write(`cdk8s-sandbox audit: note: ${warning}\n`);
  const manifests = await loadAll(paths, () => io.stdin);
  const run = admit(compiled, manifests, options.namespace);
  io.stdout.write(formatAdmission(run, format, io.cwd));
  return run.result.exitCode;
}

/** Collects a repeatable option's values (commander's argParser). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Registers the `audit` subcommand. */
export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description('Check Kubernetes manifests against the sandbox hardening profile (exit 0 clean, 1 findings, 2 usage or input errors).')
    .argument('[paths...]', 'files, directories (recursively: *.yaml, *.yml, *.json) or - for standard input')
    .addOption(new Option('-f, --format <format>', 'report format').choices([...AUDIT_FORMATS]).default('text'))
    .option('-n, --namespace <namespace>', 'audit only this namespace (objects that name none are taken to live in it)')
    .option('--only-runtime-class', 'audit only pods that set a runtimeClassName (and the ServiceAccounts they use)', false)
    .option('--runtime-class <name>', 'the RuntimeClass sandboxed pods must name', 'gvisor')
    .option('--ignore-rule <id>', 'ignore a rule for the whole run (repeatable)', collect, [])
    .option('--strict', 'fail (exit 2) on containers the audit cannot judge: those outside any pod template, in kinds it does not know', false)
    .option('--admission-policy <file>', 'instead of the profile, evaluate the ValidatingAdmissionPolicies (and bindings) of this file or directory over the manifests, as the API server would admit them (repeatable)', collect, [])
    .addHelpText('after', [
      '',
      'Suppress a rule on one object with the annotation cdk8s-sandbox.io/suppress, one "rule-id: reason" per line.',
      '',
      'With --admission-policy the command reports only the policies\' decisions: every object a policy matches is',
      'admitted offline as a CREATE, and each failed validation is a finding "admission:<policy>" at the object\'s line',
      '(its path names the validation: validations[i]). Exit 1 when a binding with Deny (or a policy without binding)',
      'denies an object; Warn and Audit are reported but pass. A policy the evaluator cannot compile (optional syntax,',
      'params, authorizer, unknown functions) exits 2. --only-runtime-class, --ignore-rule and --strict do not apply.',
      '',
      'Examples:',
      '  cdk8s-sandbox audit dist/',
      '  kubectl get deploy,job,netpol -A -o yaml | cdk8s-sandbox audit -',
      '  cdk8s-sandbox audit --format sarif manifests/ > audit.sarif',
      '  cdk8s-sandbox audit --admission-policy policy/sandbox-vap.yaml manifests/',
    ].join('\n'))
    .action(async (paths: string[], options: AuditCommandOptions) => {
      process.exitCode = await runAuditCommand(paths, options, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd() });
    });
}
