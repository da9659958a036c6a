// `cdk8s-sandbox harden`: hardened manifests on stdout in input order, comments and other documents byte for
// byte, workloads edited in place (anchors expanded, never leaked), refusals listed with nothing written, the
// options shared with `audit`, standard input, JSON and Lists, and a Helm post-renderer run through the bin.
// The in-place editor (src/audit/harden-yaml.ts) is also tested on its own with explicit changes.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { auditText } from '../src/audit/audit';
import { DocumentEditError, editDocument, renderYaml } from '../src/audit/harden-yaml';
import { readKubeYaml } from '../src/audit/kube-yaml';
import { runHardenCommand } from '../src/cli/harden-command';
import { RULES, hardenObjects } from '../src/profile';
import { commandIo } from './helpers/command-io';

const ROOT = path.resolve(__dirname, '..');
const APP = path.join('test', 'fixtures', 'harden-cli', 'app.yaml');
const KUBE_PROMETHEUS = path.join('test', 'fixtures', 'harden', 'kube-prometheus.yaml');
const APP_TEXT = fs.readFileSync(path.join(ROOT, APP), 'utf8');

/** Runs the command in-process over `cwd` = the repository; stdin holds `stdinText`. */
async function harden(paths: string[], options: object = {}, stdinText = '') {
  const io = commandIo(ROOT, stdinText);
  const code = await runHardenCommand(paths, options, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

/** The values of every document of a YAML stream, as kubectl reads them. */
function decodeAll(text: string): any[] {
  const { documents, error } = readKubeYaml(text);
  if (error) throw new Error(`line ${error.line}: ${error.message}`);
  return documents.map((d) => d.value).filter((v) => v !== null && v !== undefined);
}

/** A YAML stream cut before each `---` line (the exact text of each document, comments included). */
function chunks(text: string): string[] {
  return text.split(/^(?=---$)/m);
}

/** The pod specs of a decoded stream's workloads. */
function podSpecs(objects: any[]): any[] {
  return objects.flatMap((o) => (o.kind === 'CronJob' ? [o.spec.jobTemplate.spec.template.spec] : o.kind === 'Pod' ? [o.spec] : o.spec?.template ? [o.spec.template.spec] : []));
}

/** Whether `lines` appear in `within` in order (other lines may come between them). */
function inOrder(lines: readonly string[], within: readonly string[]): boolean {
  let i = 0;
  for (const line of within) if (i < lines.length && line === lines[i]) i++;
  return i === lines.length;
}

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'harden-cli-'));
}

const DEPLOYMENT = (extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
${extra}spec:
  replicas: 2
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: api
        image: registry.example.com/api:1.0.0
`;

describe('cdk8s-sandbox harden over a hardenable app', () => {
  let run: { code: number; stdout: string; stderr: string };
  let objects: any[];
  beforeAll(async () => {
    run = await harden([APP]);
    objects = decodeAll(run.stdout);
  });

  test('exit 0, every object in input order, the PodDisruptionBudget right after its Deployment', () => {
    expect(run.code).toBe(0);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/web-config', 'Deployment/web', 'PodDisruptionBudget/web-sandbox-pdb', 'Service/web', 'Job/migrate', 'CronJob/report', 'StatefulSet/cache', 'Pod/debug',
    ]);
    expect(objects[2]).toEqual({
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget',
      metadata: { name: 'web-sandbox-pdb', namespace: 'apps', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-sandbox' } },
      spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } },
    });
    expect(run.stderr).toBe('cdk8s-sandbox harden: 5 workloads hardened, 112 fields set in 5 objects, 1 object added; 2 objects passed through unchanged\n');
  });

  test('comments and the non-workload documents come out byte for byte', () => {
    const input = chunks(APP_TEXT);
    const output = chunks(run.stdout);
    expect(output).toHaveLength(input.length + 1);
    expect(output[0]).toBe(input[0]); // the header comments and the ConfigMap, quoted "yes" and "010" included
    expect(output[0]).toContain('  enabled: "yes"        # quoted: kubectl reads YAML 1.1, where a bare yes is true\n');
    expect(output[3]).toBe(input[2]); // the Service
    expect(output[3].startsWith('---\n# Source: web/templates/service.yaml\n')).toBe(true);
    expect(run.stdout.endsWith('  enableServiceLinks: false\n# the end of the stream\n')).toBe(true);
  });

  test('a workload is edited in place: every original line kept in order, its comments included', () => {
    const [inDeployment, outDeployment] = [chunks(APP_TEXT)[1], chunks(run.stdout)[1]];
    const original = inDeployment.split('\n').filter((l) => l !== '        securityContext: *shared'); // the alias, expanded
    expect(inOrder(original, outDeployment.split('\n'))).toBe(true);
    for (const comment of ['# Source: web/templates/deployment.yaml', '  replicas: 2           # replicated: harden adds a PodDisruptionBudget after it',
      '      labels: {app: web}   # pod labels', '      # the pod\'s security context and the sidecar\'s share one node through an anchor', '      - name: web        # main container']) {
      expect(outDeployment.split('\n')).toContain(comment);
    }
    // New fields follow the document's own style: lists not indented under their key, two spaces a level.
    expect(outDeployment).toContain('      runtimeClassName: gvisor\n      volumes:\n      - name: sandbox-tmp\n        emptyDir:\n          sizeLimit: 64Mi\n');
    expect(outDeployment).toContain('        securityContext:\n          allowPrivilegeEscalation: false\n          capabilities:\n            drop:\n            - ALL\n');
  });

  test('the fields the profile wants are set, with concrete values', () => {
    const specs = podSpecs(objects);
    expect(specs).toHaveLength(5);
    for (const spec of specs) {
      expect([spec.runtimeClassName, spec.automountServiceAccountToken, spec.enableServiceLinks]).toEqual(['gvisor', false, false]);
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } });
      expect(spec.volumes).toEqual([{ name: 'sandbox-tmp', emptyDir: { sizeLimit: '64Mi' } }]);
      for (const c of spec.containers) {
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true });
        expect(c.resources).toEqual({ limits: { 'cpu': '500m', 'memory': '512Mi', 'ephemeral-storage': '256Mi' }, requests: { 'cpu': '250m', 'memory': '256Mi', 'ephemeral-storage': '64Mi' } });
        expect(c.volumeMounts).toEqual([{ name: 'sandbox-tmp', mountPath: '/tmp' }]);
      }
    }
    const job = objects.find((o) => o.kind === 'Job');
    expect([job.spec.activeDeadlineSeconds, job.spec.ttlSecondsAfterFinished, job.spec.backoffLimit, job.spec.template.spec.restartPolicy]).toEqual([3600, 300, 0, 'Never']);
    expect(job.spec.template.spec.containers[0].args).toEqual(['--to', 'latest']);
  });

  test('the pod and the sidecar shared a node through an anchor: neither gets the other\'s fields', () => {
    const spec = objects[1].spec.template.spec;
    expect(spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } });
    expect(spec.containers[1].securityContext).toEqual({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true });
    expect(chunks(run.stdout)[1]).toContain('      securityContext: &shared\n        runAsNonRoot: true\n        runAsUser: 65534\n');
  });

  test('the output is what the hardening pass computed, and re-audits with no per-object finding', () => {
    const input = decodeAll(APP_TEXT);
    const results = hardenObjects(input);
    expect(objects).toEqual(results.flatMap((r) => [r.object, ...r.companions]));
    const perObject = new Set(RULES.map((r) => r.id));
    const audit = auditText(run.stdout, { file: 'hardened.yaml' });
    expect(audit.problems).toEqual([]);
    expect(audit.findings.filter((f) => perObject.has(f.rule)).map((f) => `${f.rule} ${f.path}`)).toEqual([]);
    expect([...new Set(audit.findings.map((f) => f.rule))]).toEqual(['network-isolation']);
  });

  test('- reads standard input (a kustomize build | cdk8s-sandbox harden - pipe) and writes the same', async () => {
    const stdin = await harden(['-'], {}, APP_TEXT);
    expect([stdin.code, stdin.stdout]).toEqual([0, run.stdout]);
  });
});

describe('refusals: exit 2, every refusal listed, nothing on stdout', () => {
  test('kube-prometheus: node-exporter\'s host access and the explicit tokens are all listed with line, object, field and fix', async () => {
    const r = await harden([KUBE_PROMETHEUS]);
    expect([r.code, r.stdout]).toEqual([2, '']);
    const refused = r.stderr.split('\n').filter((l) => l.includes(': refused: ')).map((l) => l.slice(0, l.indexOf(' (')));
    const at = (line: number, object: string, field: string) => `${KUBE_PROMETHEUS}:${line}: refused: ${object}: spec.template.spec.${field}`;
    expect(refused.sort()).toEqual([
      at(46, 'Deployment monitoring/prometheus-operator', 'automountServiceAccountToken'),
      at(153, 'DaemonSet monitoring/node-exporter', 'automountServiceAccountToken'),
      at(154, 'DaemonSet monitoring/node-exporter', 'hostNetwork'),
      at(155, 'DaemonSet monitoring/node-exporter', 'hostPID'),
      at(175, 'DaemonSet monitoring/node-exporter', 'containers[0].securityContext.capabilities.add'),
      at(199, 'DaemonSet monitoring/node-exporter', 'containers[1].ports[0].hostPort'),
      at(220, 'DaemonSet monitoring/node-exporter', 'volumes[0].hostPath'),
      at(223, 'DaemonSet monitoring/node-exporter', 'volumes[1].hostPath'),
      at(254, 'Deployment monitoring/kube-state-metrics', 'automountServiceAccountToken'),
      at(361, 'Deployment monitoring/blackbox-exporter', 'automountServiceAccountToken'),
    ].sort());
    const hostNetwork = r.stderr.split('\n').findIndex((l) => l.startsWith(at(154, 'DaemonSet monitoring/node-exporter', 'hostNetwork')));
    expect(r.stderr.split('\n')[hostNetwork]).toContain('(no-host-namespaces): hostNetwork is true');
    expect(r.stderr.split('\n')[hostNetwork + 1]).toBe('    fix: Remove hostNetwork, hostPID and hostIPC (or set them to false).');
    expect(r.stderr.split('\n').filter((l) => l.startsWith('    fix: '))).toHaveLength(10);
    expect(r.stderr.trimEnd().split('\n').pop()).toMatch(/^cdk8s-sandbox harden: cannot harden 4 of 9 objects \(10 refusals\); nothing was written\./);
  });

  test('--ignore-rule skips a rule\'s refusals (and settings) for the run: kube-prometheus then hardens', async () => {
    const ignoreRule = ['no-host-namespaces', 'allowed-volume-types', 'drop-all-capabilities', 'no-host-ports', 'no-service-account-token'];
    const r = await harden([KUBE_PROMETHEUS], { ignoreRule });
    expect(r.code).toBe(0);
    const objects = decodeAll(r.stdout);
    const nodeExporter = objects.find((o) => o.kind === 'DaemonSet').spec.template.spec;
    expect([nodeExporter.hostNetwork, nodeExporter.hostPID, nodeExporter.runtimeClassName, nodeExporter.volumes[0].hostPath]).toEqual([true, true, 'gvisor', { path: '/sys' }]);
    // The blackbox-exporter's two containers share one securityContext through an alias: both keep it whole.
    const blackbox = objects.find((o) => o.metadata.name === 'blackbox-exporter' && o.kind === 'Deployment').spec.template.spec.containers;
    expect(blackbox[0].securityContext).toEqual(blackbox[1].securityContext);
    expect(blackbox[0].resources.limits).toEqual({ 'cpu': '20m', 'memory': '40Mi', 'ephemeral-storage': '256Mi' });
  });

  test('a suppression is honoured and noted on stderr; one that no reason can waive is still refused', async () => {
    const dir = tmpDir();
    try {
      const suppress = '  annotations:\n    cdk8s-sandbox.io/suppress: "run-as-high-uid: the image owns its files as 1001"\n';
      fs.writeFileSync(path.join(dir, 'ok.yaml'), DEPLOYMENT(suppress).replace('      - name: api\n', '      - name: api\n        securityContext: {runAsUser: 1001}\n'));
      const ok = await harden([path.join(dir, 'ok.yaml')]);
      expect(ok.code).toBe(0);
      expect(decodeAll(ok.stdout)[0].spec.template.spec.containers[0].securityContext.runAsUser).toBe(1001);
      expect(ok.stderr).toContain(`${path.join(dir, 'ok.yaml')}:17: note: suppressed: Deployment api: spec.template.spec.containers[0].securityContext.runAsUser (run-as-high-uid): `);
      expect(ok.stderr).toContain('(suppressed: the image owns its files as 1001)');
      fs.writeFileSync(path.join(dir, 'host.yaml'), DEPLOYMENT('  annotations:\n    cdk8s-sandbox.io/suppress: "no-host-namespaces: it is a node agent"\n')
        .replace('      containers:\n', '      hostNetwork: true\n      containers:\n'));
      const host = await harden([path.join(dir, 'host.yaml')]);
      expect([host.code, host.stdout]).toEqual([2, '']);
      expect(host.stderr).toContain(`${path.join(dir, 'host.yaml')}:15: refused: Deployment api: spec.template.spec.hostNetwork (no-host-namespaces): `);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('options shared with audit', () => {
  test('--runtime-class names the RuntimeClass; an invalid name is a usage error', async () => {
    const r = await harden([APP], { runtimeClass: 'runsc' });
    expect(r.code).toBe(0);
    expect(podSpecs(decodeAll(r.stdout)).map((s) => s.runtimeClassName)).toEqual(['runsc', 'runsc', 'runsc', 'runsc', 'runsc']);
    const bad = await harden([APP], { runtimeClass: 'Bad_Name' });
    expect([bad.code, bad.stdout]).toEqual([2, '']);
    expect(bad.stderr).toBe('cdk8s-sandbox harden: runtime class "Bad_Name" is not a valid RuntimeClass name (lower-case letters, digits, \'-\' and \'.\', at most 253 characters)\n');
  });

  test('--ignore-rule leaves a rule\'s fields alone; an unknown id is a usage error', async () => {
    const r = await harden([APP], { ignoreRule: ['runtime-class', 'availability'] });
    expect(r.code).toBe(0);
    const objects = decodeAll(r.stdout);
    expect(podSpecs(objects).map((s) => s.runtimeClassName)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(objects.map((o) => o.kind)).not.toContain('PodDisruptionBudget');
    const bad = await harden([APP], { ignoreRule: ['nope'] });
    expect([bad.code, bad.stdout]).toEqual([2, '']);
    expect(bad.stderr.startsWith('cdk8s-sandbox harden: unknown rule id(s) to ignore: nope; known rules: runtime-class, ')).toBe(true);
  });

  test('--namespace places objects that name none: the LimitRange and PodDisruptionBudget of that namespace apply', async () => {
    const team = [
      'apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: limits\n  namespace: team\nspec:\n  limits:\n  - type: Container\n    default: {memory: 300Mi}\n',
      'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: api\n  namespace: team\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels: {app: api}\n',
      DEPLOYMENT(),
    ].join('---\n');
    const inDefault = await harden(['-'], {}, team);
    const inTeam = await harden(['-'], { namespace: 'team' }, team);
    expect([inDefault.code, inTeam.code]).toEqual([0, 0]);
    const [d, t] = [decodeAll(inDefault.stdout), decodeAll(inTeam.stdout)];
    expect(d.map((o) => o.kind)).toEqual(['LimitRange', 'PodDisruptionBudget', 'Deployment', 'PodDisruptionBudget']);
    expect(t.map((o) => o.kind)).toEqual(['LimitRange', 'PodDisruptionBudget', 'Deployment']);
    expect(d[2].spec.template.spec.containers[0].resources.limits.memory).toBe('512Mi');
    expect(t[2].spec.template.spec.containers[0].resources).toEqual({ limits: { 'cpu': '500m', 'memory': '300Mi', 'ephemeral-storage': '256Mi' }, requests: { 'cpu': '250m', 'memory': '300Mi', 'ephemeral-storage': '64Mi' } });
    expect(t[2].metadata).toEqual({ name: 'api' }); // placed, not rewritten: kubectl apply -n team does the rest
    const bad = await harden(['-'], { namespace: 'A B' }, team);
    expect([bad.code, bad.stdout, bad.stderr]).toEqual([2, '', 'cdk8s-sandbox harden: namespace "A B" is not a valid namespace name (lower-case letters, digits and \'-\', at most 63 characters)\n']);
  });
});

describe('input', () => {
  test('usage and input errors exit 2 with a clear message and nothing on stdout', async () => {
    const dir = tmpDir();
    try {
      fs.writeFileSync(path.join(dir, 'broken.yaml'), `${DEPLOYMENT()}---\napiVersion: v1\nkind: [\n`);
      fs.writeFileSync(path.join(dir, 'binary.yaml'), Buffer.from([0x61, 0x00, 0x62]));
      const cases: [string[], string, string][] = [
        [[], '', 'cdk8s-sandbox harden: name at least one file or directory, or - for standard input\n'],
        [[path.join(dir, 'broken.yaml')], '', `${path.join(dir, 'broken.yaml')}:18: error: invalid YAML: `],
        [['no/such/file.yaml'], '', 'no/such/file.yaml: error: no such file or directory\ncdk8s-sandbox harden: 1 input error; nothing was written\n'],
        [[path.join(dir, 'binary.yaml')], '', `${path.join(dir, 'binary.yaml')}: error: binary content (a NUL byte at offset 1): not YAML or JSON text\n`],
        [['-', '-'], DEPLOYMENT(), '-: error: standard input (-) can be read only once\n'],
        [['-'], '', '-: note: skipped: holds no YAML document (passed through unchanged)\ncdk8s-sandbox harden: no Kubernetes object found in -: nothing to harden\n'],
      ];
      for (const [paths, stdin, message] of cases) {
        const r = await harden(paths, {}, stdin);
        expect([paths, r.code, r.stdout]).toEqual([paths, 2, '']);
        expect([paths, r.stderr.slice(0, message.length)]).toEqual([paths, message]);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('only non-workloads: written back byte for byte, exit 0', async () => {
    const text = '# just config\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}   # flow style kept\ndata:\n  on: "on"\n';
    const r = await harden(['-'], {}, text);
    expect([r.code, r.stdout]).toEqual([0, text]);
  });

  test('files and directories: one stream, in order, a --- between files; documents that are not Kubernetes objects are left out', async () => {
    const dir = tmpDir();
    try {
      fs.mkdirSync(path.join(dir, 'chart'));
      fs.writeFileSync(path.join(dir, 'chart', 'a.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a');
      fs.writeFileSync(path.join(dir, 'chart', 'b.yml'), DEPLOYMENT().replace('replicas: 2', 'replicas: 1'));
      fs.writeFileSync(path.join(dir, 'chart', 'values.yaml'), 'replicaCount: 2\nimage: {tag: "1.0"}\n');
      const r = await harden([path.join(dir, 'chart')]);
      expect(r.code).toBe(0);
      expect(r.stdout.startsWith('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: apps/v1\nkind: Deployment\n')).toBe(true);
      expect(decodeAll(r.stdout).map((o) => o.kind)).toEqual(['ConfigMap', 'Deployment']);
      expect(r.stdout).not.toContain('replicaCount');
      expect(r.stderr).toContain(`${path.join(dir, 'chart', 'values.yaml')}:1: note: skipped: not a Kubernetes object (a mapping without apiVersion and kind) (left out of the output)\n`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a document with merge keys is re-serialized whole (comments kept), with a note saying why', async () => {
    const text = `# shared container settings\n${DEPLOYMENT().replace('replicas: 2', 'replicas: 1')
      .replace('      - name: api\n        image: registry.example.com/api:1.0.0\n', '      - &base\n        name: api\n        image: registry.example.com/api:1.0.0\n      - <<: *base\n        name: worker   # same image\n')}`;
    const r = await harden(['-'], {}, text);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('-:2: note: Deployment api: re-serialized whole (comments kept, formatting normalized), because it uses merge keys (<<)\n');
    expect(r.stdout).toContain('# shared container settings\n');
    expect(r.stdout).toContain('# same image');
    const containers = decodeAll(r.stdout)[0].spec.template.spec.containers;
    expect(containers.map((c: any) => [c.name, c.image, c.securityContext.readOnlyRootFilesystem])).toEqual([
      ['api', 'registry.example.com/api:1.0.0', true], ['worker', 'registry.example.com/api:1.0.0', true],
    ]);
  });

  test('JSON: a .json file comes back as JSON; a List (YAML or JSON) is hardened item by item in place', async () => {
    const dir = tmpDir();
    try {
      const deployment = decodeAll(DEPLOYMENT())[0];
      fs.writeFileSync(path.join(dir, 'list.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }, deployment] }, null, 4));
      const json = await harden([path.join(dir, 'list.json')], { ignoreRule: ['availability'] });
      expect(json.code).toBe(0);
      const list = JSON.parse(json.stdout);
      expect(json.stdout.split('\n')[1]).toBe('    "apiVersion": "v1",'); // its own indentation
      expect(list.items[0]).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
      expect(list.items[1].spec.template.spec.runtimeClassName).toBe('gvisor');
      const yamlList = `# kubectl get -o yaml\napiVersion: v1\nkind: DeploymentList\nitems:\n- ${DEPLOYMENT().replace('apiVersion: apps/v1\nkind: Deployment\n', '').trimEnd().split('\n').join('\n  ')}\n`;
      const yaml = await harden(['-'], {}, yamlList);
      expect(yaml.code).toBe(0);
      const [out, pdb] = decodeAll(yaml.stdout);
      expect([out.kind, out.items[0].kind, out.items[0].spec.template.spec.runtimeClassName, pdb.kind]).toEqual(['DeploymentList', undefined, 'gvisor', 'PodDisruptionBudget']);
      // The items take kind and apiVersion from the list, as kubectl gives them; the YAML does not get them.
      expect(yaml.stdout.startsWith('# kubectl get -o yaml\napiVersion: v1\nkind: DeploymentList\nitems:\n- metadata:\n    name: api\n')).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the bin as a Helm post-renderer', () => {
  const hook = path.join(__dirname, 'fixtures', 'audit', 'register-ts.js');
  const dir = tmpDir();
  const wrapper = path.join(dir, 'cdk8s-sandbox-harden');
  beforeAll(() => {
    // What a user installs next to the chart: helm runs it with the rendered manifests on stdin, reads stdout.
    fs.writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" -r "${hook}" "${path.join(ROOT, 'src', 'cli', 'main.ts')}" harden "$@" -\n`, { mode: 0o755 });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('rendered manifests on stdin, hardened manifests on stdout, exit 0', async () => {
    const r = spawnSync(wrapper, [], { cwd: ROOT, input: APP_TEXT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe((await harden([APP])).stdout);
  });

  test('a refused chart fails the install: exit 2, nothing on stdout, the refusals on stderr', () => {
    const r = spawnSync(wrapper, [], { cwd: ROOT, input: fs.readFileSync(path.join(ROOT, KUBE_PROMETHEUS)), encoding: 'utf8' });
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain('-:154: refused: DaemonSet monitoring/node-exporter: spec.template.spec.hostNetwork (no-host-namespaces)');
  });

  test('options pass through the wrapper, and --help describes the command', () => {
    const r = spawnSync(wrapper, ['--runtime-class', 'runsc'], { cwd: ROOT, input: APP_TEXT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(podSpecs(decodeAll(r.stdout))[0].runtimeClassName).toBe('runsc');
    const help = spawnSync(process.execPath, ['-r', hook, path.join(ROOT, 'src', 'cli', 'main.ts'), 'harden', '--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(help.status).toBe(0);
    for (const text of ['Usage: cdk8s-sandbox harden [options] [paths...]', '--namespace <namespace>', '--runtime-class <name>', '--ignore-rule <id>', '--post-renderer']) expect(help.stdout).toContain(text);
  });
});

describe('editDocument: changes spliced into the original text', () => {
  const doc = `# leading comment
apiVersion: v1
kind: Pod
metadata:
  name: p   # the name
spec:
  securityContext:
  containers:
    - name: a
      securityContext: &sc
        runAsNonRoot: true
      resources: {requests: {cpu: 10m}}
    - name: b
      securityContext: *sc
      env: []
# trailing comment
`;

  test('new keys and list items land after their siblings, in the document\'s style; nothing else moves', () => {
    const edited = editDocument(doc, [
      { segments: ['spec', 'securityContext', 'fsGroup'], value: 65534 },
      { segments: ['spec', 'containers', 0, 'resources', 'limits'], value: { cpu: '1' } },
      { segments: ['spec', 'containers', 1, 'env', 0], value: { name: 'MODE', value: 'yes' } },
      { segments: ['spec', 'containers', 2], value: { name: 'c', args: ['010', '', 'null', 'plain'] } },
      { segments: ['spec', 'runtimeClassName'], value: 'gvisor' },
    ]);
    expect(edited.mode).toBe('in-place');
    expect(edited.text).toBe(`# leading comment
apiVersion: v1
kind: Pod
metadata:
  name: p   # the name
spec:
  securityContext:
    fsGroup: 65534
  containers:
    - name: a
      securityContext: &sc
        runAsNonRoot: true
      resources: {requests: {cpu: 10m}, limits: {cpu: "1"}}
    - name: b
      securityContext: *sc
      env:
        - name: MODE
          value: "yes"
    - name: c
      args:
        - "010"
        - ""
        - "null"
        - plain
  runtimeClassName: gvisor
# trailing comment
`);
  });

  test('an edit through an alias expands it there; the anchor and other aliases keep their own value', () => {
    const edited = editDocument(doc, [{ segments: ['spec', 'containers', 1, 'securityContext', 'readOnlyRootFilesystem'], value: true }]);
    expect(edited.text).toContain('      securityContext: &sc\n        runAsNonRoot: true\n      resources:');
    expect(edited.text).toContain('    - name: b\n      securityContext:\n        runAsNonRoot: true\n        readOnlyRootFilesystem: true\n      env: []\n');
    const through = editDocument(doc, [{ segments: ['spec', 'containers', 0, 'securityContext', 'runAsUser'], value: 65534 }]);
    const value = decodeAll(through.text)[0];
    expect([value.spec.containers[0].securityContext, value.spec.containers[1].securityContext]).toEqual([{ runAsNonRoot: true, runAsUser: 65534 }, { runAsNonRoot: true }]);
    expect(through.text).toContain('    - name: b\n      securityContext:\n        runAsNonRoot: true\n      env: []\n');
  });

  test('a merge key cannot be spliced: the document is re-serialized with its comments, and reads back right', () => {
    const merged = 'base: &base {a: 1}\n# kept\nobj:\n  <<: *base\n  b: 2\n';
    const edited = editDocument(merged, [{ segments: ['obj', 'c'], value: 3 }]);
    expect(edited.mode).toBe('reformatted');
    expect(edited.reason).toBe('it uses merge keys (<<)');
    expect(edited.text).toContain('# kept');
    expect(decodeAll(edited.text)[0]).toEqual({ base: { a: 1 }, obj: { a: 1, b: 2, c: 3 } });
  });

  test('a path through a scalar names the field', () => {
    expect(() => editDocument(doc, [{ segments: ['metadata', 'name', 'x'], value: 1 }])).toThrow(new DocumentEditError('metadata.name: is "p", not a mapping or list'));
  });

  test('new objects are written so that kubectl reads them back exactly', () => {
    const value = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'yes', b: '010', c: '', d: '1.5', e: 'x: y', f: 'on' } };
    const text = renderYaml(value);
    expect(text).toBe('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "yes"\n  b: "010"\n  c: ""\n  d: "1.5"\n  e: "x: y"\n  f: "on"\n');
    expect(decodeAll(text)[0]).toEqual(value);
  });
});
