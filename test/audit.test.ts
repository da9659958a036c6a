// The audit runner and its reports: clean inputs, suppressions, ignored rules, scope, lines, exit
// codes, and the text, JSON and SARIF renderings (the SARIF validated against the 2.1.0 schema's rules).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import * as jsyaml from 'js-yaml';
import { AUDIT_RULES, auditManifests, auditObjects, auditText, formatJson, formatSarif, formatText } from '../src/audit';
import { skeletonOf } from '../src/audit/audit';
import { CROSS_RESOURCE_RULES, KubeObject, RULES, STORAGE_RULES, SUPPRESS_ANNOTATION, checkObjectSet } from '../src/profile';

const ROOT = path.resolve(__dirname, '..');
const FIXTURES = path.join(__dirname, 'fixtures', 'audit');
const HARDENED = path.join(FIXTURES, 'hardened.yaml');
const FAIL_CLOSED = path.join(FIXTURES, 'fail-closed');
const distFiles = () => fs.readdirSync(path.join(ROOT, 'dist')).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(ROOT, 'dist', f));

/** A hardened sandboxed Deployment to weaken in the tests below. */
function hardenedDeployment(): any {
  return (jsyaml.loadAll(fs.readFileSync(HARDENED, 'utf8')) as any[]).find((o) => o.kind === 'Deployment');
}

function yamlOf(objects: object[]): string {
  return objects.map((o) => jsyaml.dump(o, { noRefs: true })).join('---\n');
}

const denyAll = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'sandbox' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };
const noPdb = (d: any) => ({ ...d, spec: { ...d.spec, replicas: 1 } });

describe('clean input', () => {
  test('dist/ audits clean', async () => {
    const files = distFiles();
    expect(files.length).toBeGreaterThan(0);
    const result = await auditManifests(files);
    expect(result.problems).toEqual([]);
    expect(result.findings).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.objects).toBeGreaterThanOrEqual(4);
    expect(result.files).toEqual(files);
  });

  test('the hand-hardened fixture audits clean, every object in scope', async () => {
    const result = await auditManifests([HARDENED]);
    expect(result.findings).toEqual([]);
    expect(result.problems).toEqual([]);
    expect([result.objects, result.audited, result.suppressed, result.exitCode]).toEqual([10, 10, 0, 0]);
  });
});

describe('findings', () => {
  test('carry rule, title, object, JSON path, message, fix, file, the field\'s line and the object\'s line', () => {
    const d = hardenedDeployment();
    d.spec.template.spec.containers[0].securityContext.privileged = true;
    const text = `# leading comment\n${yamlOf([denyAll, noPdb(d)])}`;
    const result = auditText(text, { file: 'x.yaml' });
    expect(result.findings).toEqual([{
      rule: 'not-privileged', title: 'No privileged containers', object: { kind: 'Deployment', namespace: 'sandbox', name: 'api' },
      path: 'spec.template.spec.containers[0].securityContext.privileged',
      message: 'container "main" is privileged; GKE Sandbox refuses privileged containers',
      fix: 'Remove securityContext.privileged (or set it to false).',
      file: 'x.yaml', line: 77, objectLine: 13,
    }]);
    const lines = text.split('\n');
    expect(lines[result.findings[0].line - 1].trim()).toBe('privileged: true');
    expect(lines[result.findings[0].objectLine - 1]).toBe('apiVersion: apps/v1');
    expect(result.exitCode).toBe(1);
  });

  test('a missing field is located at its deepest existing parent', () => {
    const d = hardenedDeployment();
    delete d.spec.template.spec.runtimeClassName;
    const text = yamlOf([denyAll, noPdb(d)]);
    const [finding] = auditText(text).findings;
    expect([finding.rule, finding.path]).toEqual(['runtime-class', 'spec.template.spec.runtimeClassName']);
    expect(text.split('\n')[finding.line - 1].trim()).toBe('spec:');
  });

  test('cross-resource findings are located too', () => {
    const d = hardenedDeployment();
    const text = yamlOf([d]);
    const ids = auditText(text).findings.map((f) => [f.rule, text.split('\n')[f.line - 1].trim()]);
    expect(ids).toEqual([['network-isolation', 'labels:'], ['availability', 'replicas: 2']]);
  });

  test('findings are ordered by file, then object line', async () => {
    const result = await auditManifests([path.join(FIXTURES, 'seed-article.yaml'), HARDENED]);
    const order = result.findings.map((f) => [f.file, f.objectLine]);
    expect(order).toEqual([...order].sort((a, b) => (a[0] === b[0] ? (a[1] as number) - (b[1] as number) : 0)));
    expect(result.findings[result.findings.length - 1].object.kind).toBe('Deployment');
  });
});

describe('suppressions', () => {
  const latest = () => {
    const d = noPdb(hardenedDeployment());
    d.spec.template.spec.containers[0].image = 'registry.example.com/api:latest';
    return d;
  };
  const annotate = (d: any, value: string) => ({ ...d, metadata: { ...d.metadata, annotations: { [SUPPRESS_ANNOTATION]: value } } });

  test('a suppression with a reason waives the rule on that object only', () => {
    const other = { ...latest(), metadata: { name: 'other', namespace: 'sandbox' } };
    const result = auditText(yamlOf([denyAll, annotate(latest(), 'image-pinned: the vendor only publishes :latest'), other]));
    expect(result.findings.map((f) => `${f.rule} ${f.object.name}`)).toEqual(['image-pinned other']);
    expect(result.suppressed).toBe(1);
  });

  test('a suppression waives cross-resource findings, several rules one per line', () => {
    const d = annotate(hardenedDeployment(), '# managed by the platform team\nnetwork-isolation: policies come from the platform repo\n\navailability: a single zone, drains are manual\n');
    const result = auditText(yamlOf([d]));
    expect([result.findings, result.suppressed, result.exitCode]).toEqual([[], 2, 0]);
  });

  test('a suppression without a reason suppresses nothing and is a finding', () => {
    const result = auditText(yamlOf([denyAll, annotate(latest(), 'image-pinned:')]));
    expect(result.findings.map((f) => [f.rule, f.path])).toEqual([
      ['image-pinned', 'spec.template.spec.containers[0].image'],
      ['suppression-reason', `metadata.annotations["${SUPPRESS_ANNOTATION}"]`],
    ]);
    expect(result.findings[1].message).toBe('suppression of "image-pinned" gives no reason, so it suppresses nothing');
    expect(result.suppressed).toBe(0);
  });

  test('a suppression naming no rule is a finding', () => {
    const result = auditText(yamlOf([denyAll, annotate(noPdb(hardenedDeployment()), 'image-pined: typo')]));
    expect(result.findings.map((f) => [f.rule, f.message])).toEqual([
      ['suppression-unknown-rule', 'suppression "image-pined: typo" names no rule of the profile, so it suppresses nothing'],
    ]);
  });
});

describe('options', () => {
  const seed = path.join(FIXTURES, 'seed-article.yaml');

  test('--ignore-rule drops a rule for the whole run; an unknown id is refused with the known ones', async () => {
    const all = await auditManifests([seed]);
    const some = await auditManifests([seed], { ignoreRules: ['image-pinned', 'network-isolation'] });
    expect(all.findings.filter((f) => !['image-pinned', 'network-isolation'].includes(f.rule))).toEqual(some.findings);
    expect(some.findings.length).toBe(all.findings.length - 8);
    await expect(auditManifests([seed], { ignoreRules: ['no-such-rule'] })).rejects.toThrow(/^unknown rule id\(s\) to ignore: no-such-rule; known rules: runtime-class, run-as-non-root, /);
  });

  test('--namespace audits one namespace; objects naming none are taken to live in it', async () => {
    const jobs = await auditManifests([seed], { namespace: 'sandbox-jobs' });
    expect([...new Set(jobs.findings.map((f) => `${f.object.kind}/${f.object.name}`))]).toEqual([
      'Job/user-code-run-12345', 'NetworkPolicy/sandbox-network-policy', 'Deployment/trusted-api', 'Deployment/untrusted-processor',
    ]);
    expect(jobs.audited).toBe(4);
    const dflt = await auditManifests([seed], { namespace: 'default' });
    expect([...new Set(dflt.findings.map((f) => f.object.name))]).toEqual(['untrusted-workload', 'trusted-api', 'untrusted-processor']);
    expect(() => auditText('', { namespace: 'Not_A_Namespace' })).toThrow('namespace "Not_A_Namespace" is not a valid namespace name (lower-case letters, digits and \'-\', at most 63 characters)');
  });

  test('--only-runtime-class skips pods that ask for no runtime class, and ServiceAccounts no audited pod uses', () => {
    const trusted = { ...noPdb(hardenedDeployment()), metadata: { name: 'trusted', namespace: 'sandbox' } };
    delete trusted.spec.template.spec.runtimeClassName;
    const used = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'api', namespace: 'sandbox' } };
    const unused = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ci', namespace: 'sandbox' } };
    const text = yamlOf([denyAll, noPdb(hardenedDeployment()), trusted, used, unused]);
    expect(auditText(text).findings.map((f) => `${f.rule} ${f.object.name}`)).toEqual(['runtime-class trusted', 'no-service-account-token api', 'no-service-account-token ci']);
    const only = auditText(text, { onlyRuntimeClass: true });
    expect(only.findings.map((f) => `${f.rule} ${f.object.name}`)).toEqual(['no-service-account-token api']);
    expect(only.audited).toBe(4);
  });

  test('--runtime-class names the RuntimeClass expected', () => {
    const text = yamlOf([denyAll, noPdb(hardenedDeployment())]);
    expect(auditText(text, { runtimeClassName: 'gvisor' }).findings).toEqual([]);
    expect(auditText(text, { runtimeClassName: 'runsc' }).findings.map((f) => f.message)).toEqual(['runtimeClassName is "gvisor"; sandboxed pods must use "runsc"']);
    expect(() => auditText(text, { runtimeClassName: 'G Visor' })).toThrow('runtime class "G Visor" is not a valid RuntimeClass name');
  });
});

describe('exit codes', () => {
  test('0 clean, 1 findings, 2 when the input was bad, findings or not', () => {
    expect(auditText(yamlOf([denyAll, noPdb(hardenedDeployment())])).exitCode).toBe(0);
    expect(auditText(yamlOf([noPdb(hardenedDeployment())])).exitCode).toBe(1);
    const bad = auditText(`${yamlOf([noPdb(hardenedDeployment())])}---\nkind: [\n`);
    expect([bad.exitCode, bad.findings.length, bad.problems.map((p) => p.severity)]).toEqual([2, 1, ['error']]);
  });

  test('nothing to audit is an input error', () => {
    const result = auditText('name: not-kubernetes\n', { file: 'values.yaml' });
    expect(result.exitCode).toBe(2);
    expect(result.problems.map((p) => [p.file, p.severity, p.message])).toEqual([
      ['values.yaml', 'warning', 'skipped: not a Kubernetes object (a mapping without apiVersion and kind)'],
      ['values.yaml', 'error', 'no Kubernetes object found in the input: nothing was audited'],
    ]);
  });
});

describe('bad inputs', () => {
  let dir: string;
  const file = (name: string, content: string | Buffer) => { fs.writeFileSync(path.join(dir, name), content); return path.join(dir, name); };
  beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-bad-')); });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const outcome = async (paths: string[]) => {
    const r = await auditManifests(paths);
    return [r.exitCode, r.objects, r.problems.map((p) => `${path.relative(dir, p.file)}${p.line ? `:${p.line}` : ''} ${p.severity} ${p.message}`)];
  };

  test('an empty file: nothing to audit', async () => {
    expect(await outcome([file('empty.yaml', '')])).toEqual([2, 0, [
      'empty.yaml warning skipped: holds no YAML document',
      'empty.yaml error no Kubernetes object found in the input: nothing was audited',
    ]]);
  });

  test('YAML that is not Kubernetes: skipped, and nothing to audit', async () => {
    expect(await outcome([file('values.yaml', 'replicaCount: 2\nimage:\n  tag: latest\n')])).toEqual([2, 0, [
      'values.yaml:1 warning skipped: not a Kubernetes object (a mapping without apiVersion and kind)',
      'values.yaml error no Kubernetes object found in the input: nothing was audited',
    ]]);
  });

  test('a binary file is an input error; the manifests beside it are still audited', async () => {
    const binary = file('image.yaml', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]));
    expect(await outcome([binary, HARDENED])).toEqual([2, 10, ['image.yaml error binary content (a NUL byte at offset 8): not YAML or JSON text']]);
  });

  test('a directory with no manifests is an input error', async () => {
    fs.mkdirSync(path.join(dir, 'docs'));
    file(path.join('docs', 'README.md'), '# not a manifest\n');
    expect(await outcome([path.join(dir, 'docs')])).toEqual([2, 0, ['docs error directory holds no manifest (no *.yaml, *.yml, *.json file, hidden directories skipped)']]);
  });

  test('malformed YAML is reported with file and line; the other files and documents are audited', async () => {
    const broken = file('broken.yaml', 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ok}\nautomountServiceAccountToken: false\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n   labels: {}\n');
    const r = await auditManifests([broken, HARDENED]);
    expect([r.exitCode, r.objects, r.findings.length]).toEqual([2, 11, 0]);
    expect(r.problems.map((p) => [path.basename(p.file), p.line, p.message])).toEqual([['broken.yaml', 10, 'invalid YAML: bad indentation of a mapping entry']]);
  });
});

test('the skeletons the runner keeps give the cross-resource rules the same answers as the whole objects', async () => {
  const storageFindings = (objects: readonly KubeObject[]) => STORAGE_RULES.flatMap((r) => r.check(objects, { defaultNamespace: 'default' } as any));
  for (const files of [distFiles(), [HARDENED], [path.join(FIXTURES, 'seed-article.yaml')], [path.join(FAIL_CLOSED, 'pvc-host-path.yaml')]]) {
    const objects = files.flatMap((f) => jsyaml.loadAll(fs.readFileSync(f, 'utf8')).filter(Boolean) as KubeObject[]);
    const skeletons = objects.map(skeletonOf);
    expect(checkObjectSet(skeletons)).toEqual(checkObjectSet(objects));
    expect(storageFindings(skeletons)).toEqual(storageFindings(objects));
    expect(JSON.stringify(skeletons)).not.toMatch(/"image":|"data":/);
  }
});

test('auditObjects audits objects held in memory, lines being their positions', () => {
  const result = auditObjects([denyAll as KubeObject, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa', namespace: 'sandbox' } }]);
  expect(result.findings.map((f) => [f.rule, f.file, f.line])).toEqual([['no-service-account-token', '(objects)', 2]]);
});

describe('reports', () => {
  const weak = () => {
    const d = hardenedDeployment();
    d.spec.template.spec.containers[0].image = 'api:latest';
    return d;
  };
  const bad = '---\nkind: [\n';
  const result = () => auditText(`${yamlOf([denyAll, weak()])}${bad}`, { file: 'manifests/app.yaml' });

  test('text groups by file and object, gives rule, path, line, message and fix, then input problems and a summary', () => {
    expect(formatText(result())).toBe([
      'manifests/app.yaml',
      '  Deployment sandbox/api (line 12)',
      '    image-pinned  spec.template.spec.containers[0].image  (line 65)',
      '      container "main" image "api:latest" uses the mutable tag :latest',
      '      fix: Name the image with a version tag (repo/image:1.2.3) or a digest (repo/image@sha256:...).',
      '    availability  spec.replicas  (line 18)',
      '      Deployment runs 2 replicas but no PodDisruptionBudget in namespace "sandbox" selects its pods (cdk8s-sandbox.io/sandboxed=true,cdk8s-sandbox.io/workload=api); a node drain may evict them all at once',
      '      fix: Add a PodDisruptionBudget (e.g. maxUnavailable: 1) whose selector matches the pod template labels.',
      '',
      'input:',
      '  manifests/app.yaml:97: error: invalid YAML: unexpected end of the stream within a flow collection',
      '',
      '2 findings (2 rules) in 1 of 2 audited objects, 1 file, 1 input error',
      '',
    ].join('\n'));
    expect(formatText(auditText(yamlOf([denyAll, noPdb(hardenedDeployment())])))).toBe('no findings in 2 audited objects, 1 file\n');
  });

  test('JSON holds the summary, the findings and the problems', () => {
    const json = JSON.parse(formatJson(result()));
    expect(json.tool).toEqual({ name: 'cdk8s-sandbox', version: JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version });
    expect(json.summary).toEqual({ files: 1, objects: 2, audited: 2, findings: 2, suppressed: 0, errors: 1, skipped: 0, exitCode: 2 });
    expect(json.findings[0]).toEqual({
      rule: 'image-pinned', title: 'Images are pinned to a tag other than latest, or a digest', file: 'manifests/app.yaml', line: 65, objectLine: 12,
      object: { kind: 'Deployment', namespace: 'sandbox', name: 'api' }, path: 'spec.template.spec.containers[0].image',
      message: 'container "main" image "api:latest" uses the mutable tag :latest',
      fix: 'Name the image with a version tag (repo/image:1.2.3) or a digest (repo/image@sha256:...).',
    });
    expect(json.problems).toEqual([{ file: 'manifests/app.yaml', line: 97, severity: 'error', message: 'invalid YAML: unexpected end of the stream within a flow collection' }]);
  });

  test('SARIF is valid 2.1.0 and points at file and line', () => {
    const log = JSON.parse(formatSarif(result(), { cwd: ROOT }));
    const ajv = new Ajv({ allErrors: true });
    ajv.addFormat('uri', (s: string) => { try { return !!new URL(s); } catch { return false; } });
    ajv.addFormat('uri-reference', (s: string) => /^[^\s\\]*$/.test(s));
    const validate = ajv.compile(SARIF_2_1_0_SCHEMA);
    const valid = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((r: any) => r.id)).toEqual([
      ...RULES.map((r) => r.id), ...CROSS_RESOURCE_RULES.map((r) => r.id), 'no-host-storage', 'suppression-reason', 'suppression-unknown-rule', 'suppression-unwaivable',
    ]);
    expect(run.tool.driver.rules.filter((r: any) => r.properties.unwaivable).map((r: any) => [r.id, r.properties.unwaivable])).toEqual([
      ['no-privilege-escalation', 'all'], ['not-privileged', 'all'], ['no-host-namespaces', 'all'], ['allowed-volume-types', 'hostPath volumes'],
      ['baseline-security-options', 'sysctl values that smuggle another sysctl'], ['no-host-process', 'all'], ['no-host-storage', 'all'],
    ]);
    expect(run.tool.driver.rules.length).toBe(AUDIT_RULES.length);
    expect(run.results.map((r: any) => [r.ruleId, run.tool.driver.rules[r.ruleIndex].id, r.level, r.locations[0].physicalLocation.artifactLocation.uri, r.locations[0].physicalLocation.region.startLine])).toEqual([
      ['image-pinned', 'image-pinned', 'error', 'manifests/app.yaml', 65],
      ['availability', 'availability', 'error', 'manifests/app.yaml', 18],
    ]);
    expect(run.results[0].message.text).toBe('container "main" image "api:latest" uses the mutable tag :latest (at spec.template.spec.containers[0].image). Fix: Name the image with a version tag (repo/image:1.2.3) or a digest (repo/image@sha256:...).');
    expect(run.results[0].locations[0].logicalLocations).toEqual([{ name: 'api', fullyQualifiedName: 'Deployment/sandbox/api', kind: 'object' }]);
    expect(run.invocations).toEqual([{ executionSuccessful: false, toolExecutionNotifications: [expect.objectContaining({ level: 'error', locations: [{ physicalLocation: { artifactLocation: { uri: 'manifests/app.yaml' }, region: { startLine: 97 } } }] })] }]);
  });

  test('SARIF URIs are relative to the working directory, with forward slashes and escapes', () => {
    const r = auditText(yamlOf([noPdb(hardenedDeployment())]), { file: path.join(ROOT, 'dist', 'my app.yaml') });
    const log = JSON.parse(formatSarif(r, { cwd: ROOT }));
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('dist/my%20app.yaml');
    const stdin = JSON.parse(formatSarif(auditText(yamlOf([noPdb(hardenedDeployment())])), { cwd: ROOT }));
    expect(stdin.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('stdin');
  });
});

describe('fail closed: what no rule used to report (issue #11)', () => {
  const outcome = async (file: string, options = {}) => {
    const r = await auditManifests([path.join(FAIL_CLOSED, file)], options);
    return { exitCode: r.exitCode, findings: r.findings.map((f) => [`${f.object.kind}/${f.object.name}`, f.rule, f.path, f.message]), problems: r.problems, suppressions: r.suppressions, audited: r.audited };
  };

  test('Windows HostProcess on the pod and on each kind of container (was: 0 findings, exit 0)', async () => {
    const hostProcess = 'a HostProcess container runs on the node itself, outside any sandbox';
    expect(await outcome('host-process.yaml')).toMatchObject({ exitCode: 1, problems: [], findings: [
      ['Deployment/host-process-pod', 'no-host-process', 'spec.template.spec.securityContext.windowsOptions.hostProcess', `pod windowsOptions.hostProcess is true; ${hostProcess}`],
      ['Deployment/host-process-container', 'no-host-process', 'spec.template.spec.containers[0].securityContext.windowsOptions.hostProcess', `container "main" windowsOptions.hostProcess is true; ${hostProcess}`],
      ['Deployment/host-process-init', 'no-host-process', 'spec.template.spec.initContainers[0].securityContext.windowsOptions.hostProcess', `container "prepare" windowsOptions.hostProcess is true; ${hostProcess}`],
      ['Pod/host-process-ephemeral', 'no-host-process', 'spec.ephemeralContainers[0].securityContext.windowsOptions.hostProcess', `container "debug" windowsOptions.hostProcess is true; ${hostProcess}`],
    ] });
  });

  test('supplemental groups below the minimum GID, root first (was: 0 findings, exit 0)', async () => {
    expect(await outcome('supplemental-groups.yaml')).toMatchObject({ exitCode: 1, findings: [
      ['Deployment/groups-root', 'run-as-high-gid', 'spec.template.spec.securityContext.supplementalGroups[0]', 'supplementalGroups[0] is 0 (root); every supplemental group must be an integer >= 10000'],
      ['Deployment/groups-low', 'run-as-high-gid', 'spec.template.spec.securityContext.supplementalGroups[1]', 'supplementalGroups[1] is 100; every supplemental group must be an integer >= 10000'],
    ] });
  });

  test('a safe sysctl name whose value smuggles another sysctl (was: 0 findings, exit 0)', async () => {
    expect(await outcome('sysctl-injection.yaml')).toMatchObject({ exitCode: 1, findings: [
      ['Deployment/sysctl-smuggle', 'baseline-security-options', 'spec.template.spec.securityContext.sysctls[0].value',
        'sysctl "kernel.shm_rmid_forced" value "1+kernel.core_pattern=|/bin/sh -c \\"id > /tmp/pwned\\"" holds "+" or "=", which smuggles another sysctl past the safe set (CVE-2022-0811)'],
    ] });
  });

  test('a shared process namespace (was: 0 findings, exit 0)', async () => {
    expect(await outcome('share-process-namespace.yaml')).toMatchObject({ exitCode: 1, findings: [
      ['Deployment/shared-pids', 'no-shared-process-namespace', 'spec.template.spec.shareProcessNamespace',
        'shareProcessNamespace is true; every container of the pod sees and signals the others\' processes and reads their files through /proc/<pid>/root'],
    ] });
  });

  test('claims bound to hostPath and local PersistentVolumes of the set; the CSI one passes (was: 0 findings, exit 0)', async () => {
    const r = await outcome('pvc-host-path.yaml');
    expect(r).toMatchObject({ exitCode: 1, audited: 10, findings: [
      ['Deployment/host-path-claim', 'no-host-storage', 'spec.template.spec.volumes[1].persistentVolumeClaim.claimName',
        'volume "data" uses PersistentVolumeClaim "node-root" in namespace "sandbox", bound (its volumeName) to PersistentVolume "node-root" of type hostPath (path "/"): the node\'s own filesystem, as a hostPath volume would mount it'],
      ['Deployment/local-claim', 'no-host-storage', 'spec.template.spec.volumes[1].persistentVolumeClaim.claimName',
        'volume "data" uses PersistentVolumeClaim "scratch" in namespace "sandbox", bound (the PersistentVolume\'s claimRef) to PersistentVolume "node-disk" of type local (path "/mnt/disks/ssd1"): the node\'s own filesystem, as a hostPath volume would mount it'],
    ] });
    // The finding points at the claim's line, though only a skeleton of the Deployment is kept.
    const text = fs.readFileSync(path.join(FAIL_CLOSED, 'pvc-host-path.yaml'), 'utf8').split('\n');
    const full = await auditManifests([path.join(FAIL_CLOSED, 'pvc-host-path.yaml')]);
    expect(full.findings.map((f) => text[f.line - 1].trim())).toEqual(['claimName: node-root', 'claimName: scratch']);
  });

  test('the mutable tag in any case (was: 0 findings, exit 0)', async () => {
    expect(await outcome('image-latest-case.yaml')).toMatchObject({ exitCode: 1, findings: [
      ['Deployment/latest-upper', 'image-pinned', 'spec.template.spec.containers[0].image', 'container "main" image "registry.example.com/api:LATEST" uses the mutable tag :LATEST'],
      ['Deployment/latest-title', 'image-pinned', 'spec.template.spec.initContainers[0].image', 'container "prepare" image "busybox:Latest" uses the mutable tag :Latest'],
    ] });
  });

  test('suppressions of what a sandbox never waives are findings and waive nothing; the others still waive (was: 0 findings, 5 suppressed, exit 0)', async () => {
    const r = await outcome('unwaivable-suppression.yaml');
    const annotation = `metadata.annotations["${SUPPRESS_ANNOTATION}"]`;
    expect(r.exitCode).toBe(1);
    expect(r.findings).toEqual([
      ['Deployment/privileged', 'not-privileged', 'spec.template.spec.containers[0].securityContext.privileged', 'container "main" is privileged; GKE Sandbox refuses privileged containers'],
      ['Deployment/privileged', 'no-host-namespaces', 'spec.template.spec.hostPID', 'hostPID is true; sandboxed pods must not share host namespaces'],
      ['Deployment/privileged', 'suppression-unwaivable', annotation, 'suppression of "not-privileged" is refused: a sandbox can never waive not-privileged, so it suppresses nothing'],
      ['Deployment/privileged', 'suppression-unwaivable', annotation, 'suppression of "no-host-namespaces" is refused: a sandbox can never waive no-host-namespaces, so it suppresses nothing'],
      ['Deployment/host-path', 'allowed-volume-types', 'spec.template.spec.volumes[1].hostPath', 'volume "host" is of type hostPath; allowed: configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret'],
      ['Deployment/host-path', 'suppression-unwaivable', annotation, 'suppression of "allowed-volume-types" cannot waive hostPath volumes: spec.template.spec.volumes[1].hostPath is still reported'],
    ]);
    expect(r.suppressions.map((f) => [`${f.object.kind}/${f.object.name}`, f.rule, f.path, f.reason])).toEqual([
      ['Deployment/privileged', 'image-pinned', 'spec.template.spec.containers[0].image', 'the vendor only publishes :latest'],
      ['Deployment/host-path', 'allowed-volume-types', 'spec.template.spec.volumes[2].nfs', 'logs are shipped from the node, the share is read-only'],
    ]);
  });

  test('no-host-storage and the partly unwaivable rules can still be ignored for the whole run', async () => {
    const r = await auditManifests([path.join(FAIL_CLOSED, 'unwaivable-suppression.yaml')], { ignoreRules: ['suppression-unwaivable', 'not-privileged', 'no-host-namespaces'] });
    expect(r.findings.map((f) => `${f.object.name} ${f.rule}`)).toEqual(['host-path allowed-volume-types']);
  });
});

describe('a filter that leaves nothing to audit is an input error (issue #11)', () => {
  test('-n naming no namespace of the input (was: "no findings in 0 audited objects", exit 0)', async () => {
    const r = await auditManifests([HARDENED], { namespace: 'typo' });
    expect([r.exitCode, r.objects, r.audited, r.findings]).toEqual([2, 10, 0, []]);
    expect(r.problems).toEqual([{ file: HARDENED, severity: 'error',
      message: 'nothing was audited: the filters (namespace "typo") leave none of the 10 Kubernetes object(s) read in scope; the input\'s objects live in namespace(s) sandbox' }]);
    expect(formatText(r).trimEnd().split('\n').pop()).toBe('no findings in 0 audited objects, 1 file, 1 input error');
  });

  test('--only-runtime-class over workloads that name no runtime class (was: exit 0)', async () => {
    const file = path.join(FAIL_CLOSED, 'no-runtime-class.yaml');
    const r = await auditManifests([file], { onlyRuntimeClass: true });
    expect([r.exitCode, r.audited, r.problems.map((p) => p.message)]).toEqual([2, 0, [
      'nothing was audited: the filters (only pods that set a runtimeClassName) leave none of the 2 Kubernetes object(s) read in scope; the input\'s objects live in namespace(s) sandbox',
    ]]);
  });

  test('a filter that keeps other objects but no workload of the input', () => {
    const trusted = noPdb(hardenedDeployment());
    delete trusted.spec.template.spec.runtimeClassName;
    const r = auditText(yamlOf([denyAll, trusted]), { onlyRuntimeClass: true, file: 'x.yaml' });
    expect([r.exitCode, r.audited, r.problems.map((p) => p.message)]).toEqual([2, 1, [
      'no workload was audited: the filters (only pods that set a runtimeClassName) leave none of the 1 workload(s) read in scope, only 1 other object(s); the input\'s objects live in namespace(s) sandbox',
    ]]);
  });

  test('filters that keep a workload, and inputs without workloads, are not', async () => {
    expect((await auditManifests([HARDENED], { namespace: 'sandbox' })).problems).toEqual([]);
    expect((await auditManifests([HARDENED], { onlyRuntimeClass: true })).problems).toEqual([]);
    expect(auditText(yamlOf([denyAll]), { namespace: 'sandbox' }).problems).toEqual([]);
  });
});

describe('every report lists what suppressions waived', () => {
  const waived = () => {
    const d = noPdb(hardenedDeployment());
    d.spec.template.spec.containers[0].image = 'api:latest';
    d.metadata.annotations = { [SUPPRESS_ANNOTATION]: 'image-pinned: the vendor only publishes :latest' };
    return auditText(yamlOf([denyAll, d]), { file: 'manifests/app.yaml' });
  };

  test('text: after the findings, each waived finding with its object, rule, path, line and reason', () => {
    expect(formatText(waived())).toBe([
      'suppressed (cdk8s-sandbox.io/suppress):',
      '  manifests/app.yaml  Deployment sandbox/api (line 12)  image-pinned  spec.template.spec.containers[0].image  (line 67)',
      '    reason: the vendor only publishes :latest',
      '',
      'no findings in 2 audited objects, 1 file, 1 suppressed',
      '',
    ].join('\n'));
  });

  test('JSON: suppressions', () => {
    const json = JSON.parse(formatJson(waived()));
    expect([json.summary.suppressed, json.summary.findings, json.summary.exitCode]).toEqual([1, 0, 0]);
    expect(json.suppressions).toEqual([{
      rule: 'image-pinned', file: 'manifests/app.yaml', line: 67, objectLine: 12, object: { kind: 'Deployment', namespace: 'sandbox', name: 'api' },
      path: 'spec.template.spec.containers[0].image', message: 'container "main" image "api:latest" uses the mutable tag :latest', reason: 'the vendor only publishes :latest',
    }]);
  });

  test('SARIF: a result carrying its in-source suppression, valid 2.1.0', () => {
    const log = JSON.parse(formatSarif(waived(), { cwd: ROOT }));
    const ajv = new Ajv({ allErrors: true });
    ajv.addFormat('uri', (u: string) => { try { return !!new URL(u); } catch { return false; } });
    ajv.addFormat('uri-reference', (u: string) => /^[^\s\\]*$/.test(u));
    const validate = ajv.compile(SARIF_2_1_0_SCHEMA);
    expect([validate(log), validate.errors ?? []]).toEqual([true, []]);
    expect(log.runs[0].results.map((r: any) => [r.ruleId, r.locations[0].physicalLocation.region.startLine, r.suppressions])).toEqual([
      ['image-pinned', 67, [{ kind: 'inSource', status: 'accepted', justification: 'the vendor only publishes :latest' }]],
    ]);
  });
});

/**
 * The SARIF 2.1.0 schema's constraints on every object this tool writes, transcribed from the
 * OASIS schema (sarif-schema-2.1.0.json): required properties, enums, minimums, formats, and no
 * properties the schema does not define.
 */
const SARIF_2_1_0_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object', additionalProperties: false, required: ['version', 'runs'],
  properties: {
    $schema: { type: 'string', format: 'uri' },
    version: { type: 'string', enum: ['2.1.0'] },
    runs: { type: ['array', 'null'], items: { $ref: '#/definitions/run' } },
    properties: { $ref: '#/definitions/propertyBag' },
  },
  definitions: {
    propertyBag: { type: 'object', properties: { tags: { type: 'array', uniqueItems: true, items: { type: 'string' } } } },
    message: {
      type: 'object', additionalProperties: false, anyOf: [{ required: ['text'] }, { required: ['id'] }],
      properties: { text: { type: 'string' }, markdown: { type: 'string' }, id: { type: 'string' }, arguments: { type: 'array', items: { type: 'string' } }, properties: { $ref: '#/definitions/propertyBag' } },
    },
    multiformatMessageString: { type: 'object', additionalProperties: false, required: ['text'], properties: { text: { type: 'string' }, markdown: { type: 'string' }, properties: { $ref: '#/definitions/propertyBag' } } },
    run: {
      type: 'object', additionalProperties: false, required: ['tool'],
      properties: {
        tool: { $ref: '#/definitions/tool' },
        invocations: { type: 'array', items: { $ref: '#/definitions/invocation' } },
        results: { type: ['array', 'null'], items: { $ref: '#/definitions/result' } },
        properties: { $ref: '#/definitions/propertyBag' },
      },
    },
    tool: { type: 'object', additionalProperties: false, required: ['driver'], properties: { driver: { $ref: '#/definitions/toolComponent' }, properties: { $ref: '#/definitions/propertyBag' } } },
    toolComponent: {
      type: 'object', additionalProperties: false, required: ['name'],
      properties: {
        name: { type: 'string' }, version: { type: 'string' }, semanticVersion: { type: 'string' }, informationUri: { type: 'string', format: 'uri' },
        rules: { type: 'array', uniqueItems: true, items: { $ref: '#/definitions/reportingDescriptor' } },
        properties: { $ref: '#/definitions/propertyBag' },
      },
    },
    reportingDescriptor: {
      type: 'object', additionalProperties: false, required: ['id'],
      properties: {
        id: { type: 'string' }, name: { type: 'string' },
        shortDescription: { $ref: '#/definitions/multiformatMessageString' },
        fullDescription: { $ref: '#/definitions/multiformatMessageString' },
        help: { $ref: '#/definitions/multiformatMessageString' },
        helpUri: { type: 'string', format: 'uri' },
        defaultConfiguration: { $ref: '#/definitions/reportingConfiguration' },
        properties: { $ref: '#/definitions/propertyBag' },
      },
    },
    reportingConfiguration: {
      type: 'object', additionalProperties: false,
      properties: { enabled: { type: 'boolean' }, level: { enum: ['none', 'note', 'warning', 'error'] }, rank: { type: 'number', minimum: -1, maximum: 100 }, parameters: { $ref: '#/definitions/propertyBag' }, properties: { $ref: '#/definitions/propertyBag' } },
    },
    invocation: {
      type: 'object', additionalProperties: false, required: ['executionSuccessful'],
      properties: {
        executionSuccessful: { type: 'boolean' },
        toolExecutionNotifications: { type: 'array', items: { $ref: '#/definitions/notification' } },
        properties: { $ref: '#/definitions/propertyBag' },
      },
    },
    notification: {
      type: 'object', additionalProperties: false, required: ['message'],
      properties: {
        locations: { type: 'array', items: { $ref: '#/definitions/location' } },
        message: { $ref: '#/definitions/message' },
        level: { enum: ['none', 'note', 'warning', 'error'] },
        properties: { $ref: '#/definitions/propertyBag' },
      },
    },
    result: {
      type: 'object', additionalProperties: false, required: ['message'],
      properties: {
        ruleId: { type: 'string' }, ruleIndex: { type: 'integer', minimum: -1 },
        kind: { enum: ['notApplicable', 'pass', 'fail', 'review', 'open', 'informational'] },
        level: { enum: ['none', 'note', 'warning', 'error'] },
        message: { $ref: '#/definitions/message' },
        locations: { type: 'array', items: { $ref: '#/definitions/location' } },
        partialFingerprints: { type: 'object', additionalProperties: { type: 'string' } },
        suppressions: { type: 'array', uniqueItems: true, items: { $ref: '#/definitions/suppression' } },
        properties: { $ref: '#/definitions/propertyBag' },
      },
    },
    suppression: {
      type: 'object', additionalProperties: false, required: ['kind'],
      properties: {
        guid: { type: 'string' }, kind: { enum: ['inSource', 'external'] }, status: { enum: ['accepted', 'underReview', 'rejected'] },
        justification: { type: 'string' }, location: { $ref: '#/definitions/location' }, properties: { $ref: '#/definitions/propertyBag' },
      },
    },
    location: {
      type: 'object', additionalProperties: false,
      properties: {
        id: { type: 'integer', minimum: -1 },
        physicalLocation: { $ref: '#/definitions/physicalLocation' },
        logicalLocations: { type: 'array', items: { $ref: '#/definitions/logicalLocation' } },
        message: { $ref: '#/definitions/message' },
        properties: { $ref: '#/definitions/propertyBag' },
      },
    },
    physicalLocation: {
      type: 'object', additionalProperties: false, anyOf: [{ required: ['address'] }, { required: ['artifactLocation'] }],
      properties: {
        address: { type: 'object' },
        artifactLocation: { $ref: '#/definitions/artifactLocation' },
        region: { $ref: '#/definitions/region' },
        properties: { $ref: '#/definitions/propertyBag' },
      },
    },
    artifactLocation: {
      type: 'object', additionalProperties: false,
      properties: { uri: { type: 'string', format: 'uri-reference' }, uriBaseId: { type: 'string' }, index: { type: 'integer', minimum: -1 }, description: { $ref: '#/definitions/message' }, properties: { $ref: '#/definitions/propertyBag' } },
    },
    region: {
      type: 'object', additionalProperties: false,
      properties: {
        startLine: { type: 'integer', minimum: 1 }, startColumn: { type: 'integer', minimum: 1 },
        endLine: { type: 'integer', minimum: 1 }, endColumn: { type: 'integer', minimum: 1 },
        charOffset: { type: 'integer', minimum: -1 }, charLength: { type: 'integer', minimum: 0 },
        properties: { $ref: '#/definitions/propertyBag' },
      },
    },
    logicalLocation: {
      type: 'object', additionalProperties: false,
      properties: { name: { type: 'string' }, index: { type: 'integer', minimum: -1 }, fullyQualifiedName: { type: 'string' }, decoratedName: { type: 'string' }, parentIndex: { type: 'integer', minimum: -1 }, kind: { type: 'string' }, properties: { $ref: '#/definitions/propertyBag' } },
    },
  },
};
