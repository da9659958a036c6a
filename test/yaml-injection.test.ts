// Strings that cdk8s would write raw into YAML where kubectl reads them differently (issue: a CodeRunnerJob whose
// code holds U+2028 synthesized into YAML that kubectl read as a ConfigMap kube-system/coredns). Code with such
// characters travels as binaryData; any other string holding one is refused at synth, naming path and field.
import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import { CodeRunnerJob, EnvValue, SandboxedDeployment } from '../src';
import { renderCodeRun } from '../src/builders/render';
import { readKubeYaml } from '../src/audit/kube-yaml';
import { findUnsafeCharacter, findUnsafeStrings } from '../src/builders/yaml-text';

/** The attack: after a line separator, keys that kubectl would read as the document's own. */
const INJECTED = 'print("hi")\n\u2028metadata: {name: coredns, namespace: kube-system}\u2028data: {Corefile: ".:53 {forward . 203.0.113.9}"}\n';
const RAW_BREAKS = /[\u0085\u2028\u2029]/;
const PY = 'print(1)\n';

describe('findUnsafeCharacter', () => {
  test.each([
    ['\u2028', 'U+2028'], ['\u2029', 'U+2029'], ['\u0085', 'U+0085'], ['\u0000', 'U+0000'], ['\u001b', 'U+001B'],
    ['\r', 'U+000D'], ['\u007f', 'U+007F'], ['\u009f', 'U+009F'], ['\ufeff', 'U+FEFF'], ['\ufffe', 'U+FFFE'],
    ['\uffff', 'U+FFFF'], ['\ud800', 'U+D800'], ['\udc00', 'U+DC00'],
  ])('%j is refused as %s, with its index', (ch, codePoint) => {
    expect(findUnsafeCharacter(`ab${ch}cd`)).toEqual({ index: 2, codePoint });
  });

  test('tab, line feed, ordinary Unicode and paired surrogates are fine', () => {
    expect(findUnsafeCharacter('a\tb\nc é € 中文 😀 \u00a0 \ue000')).toBeUndefined();
  });

  test('findUnsafeStrings names values and keys by JSON path', () => {
    expect(findUnsafeStrings({ metadata: { annotations: { 'a.b/c': 'x\u2028y', ['k\u0085']: 'v' } }, list: ['ok', '\u2029'] })).toEqual([
      { path: 'metadata.annotations["a.b/c"]', index: 1, codePoint: 'U+2028', inKey: false },
      { path: 'metadata.annotations["k\u0085"]', index: 1, codePoint: 'U+0085', inKey: true },
      { path: 'list[1]', index: 0, codePoint: 'U+2029', inKey: false },
    ]);
  });
});

describe('CodeRunnerJob code with line separators cannot forge YAML', () => {
  function synthYaml(code: string): { yaml: string; objects: any[] } {
    const app = new App();
    const chart = new Chart(app, 'c', { namespace: 'jobs' });
    new CodeRunnerJob(chart, 'run', { runId: 'run-1', code });
    const objects = Testing.synth(chart);
    return { yaml: app.synthYaml(), objects };
  }

  test('the code travels base64 in a ConfigMap\'s binaryData, not in the pod: no raw line separator reaches the YAML, the bytes are the same', () => {
    const { yaml, objects } = synthYaml(INJECTED);
    expect(RAW_BREAKS.test(yaml)).toBe(false);
    const configMaps = objects.filter((o) => o.kind === 'ConfigMap');
    expect(configMaps.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['jobs/run-1']);
    expect(configMaps[0].data).toBeUndefined();
    expect(Buffer.from(configMaps[0].binaryData['main.py'], 'base64').toString('utf8')).toBe(INJECTED);
    expect(objects.map((o) => o.metadata.name)).toEqual(['code-run-deny-all', 'run-1', 'run-1']);
    expect(Object.keys(objects.find((o) => o.kind === 'Job').spec.template.metadata.annotations).filter((k) => k.startsWith('code.'))).toEqual([]);
  });

  test('files without such characters stay in data; only the file that has one moves', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    new CodeRunnerJob(chart, 'run', { runId: 'run-2', files: { 'main.py': 'import lib\n', 'lib.py': 'S = "\u2029"\n' } });
    const cm = Testing.synth(chart).find((o) => o.kind === 'ConfigMap');
    expect(cm.data).toEqual({ 'main.py': 'import lib\n' });
    expect(Object.keys(cm.binaryData)).toEqual(['lib.py']);
    expect(Buffer.from(cm.binaryData['lib.py'], 'base64').toString('utf8')).toBe('S = "\u2029"\n');
  });

  test('ordinary code stays readable, in the pod\'s annotations', () => {
    const { objects } = synthYaml('print("hello")\n');
    expect(objects.find((o) => o.kind === 'ConfigMap')).toBeUndefined();
    expect(objects.find((o) => o.kind === 'Job').spec.template.metadata.annotations['code.cdk8s-sandbox.io/0']).toBe('print("hello")\n');
  });

  test('the render path builds the same objects, and its YAML carries no raw separator either', () => {
    const rendered = renderCodeRun({ runId: 'run-1', namespace: 'jobs', code: INJECTED });
    expect(RAW_BREAKS.test(rendered.yaml)).toBe(false);
    const cm = rendered.objects.find((o) => o.kind === 'ConfigMap')!;
    expect(Buffer.from(cm.binaryData['main.py'], 'base64').toString('utf8')).toBe(INJECTED);
  });
});

describe('any other string with such a character is refused at synth', () => {
  test('an env value of a SandboxedDeployment: the construct path, the JSON path and the character', () => {
    const chart = new Chart(Testing.app(), 'c');
    new SandboxedDeployment(chart, 'api', { image: 'app:1.0.0', env: { GREETING: EnvValue.fromValue('hi\u2028kind: Secret') } });
    expect(() => Testing.synth(chart)).toThrow(/\[c\/api\/Deployment\] Deployment\/api spec\.template\.spec\.containers\[0\]\.env\[\d+\]\.value: the value holds U\+2028 at character 2, which cdk8s writes raw into the YAML and kubectl \(YAML 1\.1\) reads as a line break or refuses/);
  });

  test('a JSON patch on a sandbox construct\'s object', () => {
    const chart = new Chart(Testing.app(), 'c');
    const run = new CodeRunnerJob(chart, 'run', { runId: 'run-3', code: 'print(1)\n' });
    run.job.addJsonPatch(JsonPatch.add('/metadata/annotations', { note: 'x\u0085y' }));
    expect(() => Testing.synth(chart)).toThrow(/Job\/run-3 metadata\.annotations\.note: the value holds U\+0085 at character 1/);
  });

  test('a hand-written sibling object in the same app, and a key', () => {
    const chart = new Chart(Testing.app(), 'c');
    new CodeRunnerJob(chart, 'run', { runId: 'run-4', code: 'print(1)\n' });
    new ApiObject(chart, 'extra', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extra' }, data: { ['a\u2029b']: 'v' } } as any);
    expect(() => Testing.synth(chart)).toThrow(/\[c\/extra\] ConfigMap\/extra data\["a\u2029b"\]: a key holds U\+2029 at character 1/);
  });
});

describe('strings kubectl would read as numbers, bools or null stay strings', () => {
  const AMBIGUOUS = ['1_000', '+.5', '1_0.5', '0o17', 'yes', 'on', 'y', '010', '0x1F', '.inf', '~', '2001-12-14'];

  test('the render path quotes every one of them, so kubectl\'s reader (yaml.v2 rules) gets the strings back', () => {
    const env: { [k: string]: EnvValue } = {};
    AMBIGUOUS.forEach((v, i) => { env[`K${i}`] = EnvValue.fromValue(v); });
    const { yaml } = renderCodeRun({ runId: 'run-1', code: PY, env });
    const read = readKubeYaml(yaml);
    expect(read.error).toBeUndefined();
    const job = read.documents.map((d) => d.value as any).find((o) => o.kind === 'Job');
    const values = Object.fromEntries(job.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    AMBIGUOUS.forEach((v, i) => expect(values[`K${i}`]).toBe(v));
  });

  test('on the construct path, a string cdk8s would leave unquoted (0o17) is refused, naming path and reading', () => {
    const chart = new Chart(Testing.app(), 'c');
    new SandboxedDeployment(chart, 'api', { image: 'app:1.0.0', env: { MODE: EnvValue.fromValue('0o17') }, networkPolicyManagedElsewhere: 'not under test' });
    expect(() => Testing.synth(chart)).toThrow(/\[c\/api\/Deployment\] Deployment\/api spec\.template\.spec\.containers\[0\]\.env\[\d+\]\.value: the string "0o17" is written unquoted by cdk8s, and kubectl \(YAML 1\.1\) reads it as int 15/);
  });

  test('strings cdk8s quotes itself (1_000, yes, 010) pass the construct path and read back as strings', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    new CodeRunnerJob(chart, 'run', { runId: 'run-1', code: PY, env: { A: EnvValue.fromValue('1_000'), B: EnvValue.fromValue('yes'), C: EnvValue.fromValue('010') } });
    const read = readKubeYaml(app.synthYaml());
    expect(read.error).toBeUndefined();
    const env = (read.documents.map((d) => d.value as any).find((o) => o.kind === 'Job')).spec.template.spec.containers[0].env;
    expect(Object.fromEntries(env.filter((e: any) => ['A', 'B', 'C'].includes(e.name)).map((e: any) => [e.name, e.value]))).toEqual({ A: '1_000', B: 'yes', C: '010' });
  });
});
