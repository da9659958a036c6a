// Loading manifests: document splitting, line numbers of objects and fields, JSON lists, and bad
// input (missing paths, binary files, malformed YAML, non-Kubernetes documents) reported with lines.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DocumentSplitter, RawDocument, jsonItemLines } from '../src/audit/documents';
import { InputProblem, LoadedObject, expandPaths, readFile, readJsonText, readStream, readYamlText } from '../src/audit/load';
import { locatePath, parsePath } from '../src/audit/locate';

function collect(read: (sink: any) => void): { objects: LoadedObject[]; problems: InputProblem[] } {
  const objects: LoadedObject[] = [];
  const problems: InputProblem[] = [];
  read({ object: (o: LoadedObject) => objects.push(o), problem: (p: InputProblem) => problems.push(p) });
  return { objects, problems };
}

describe('DocumentSplitter', () => {
  test('cuts at --- and ... lines wherever the text is cut, and numbers lines from 1', () => {
    const text = '# head\na: 1\n---\nb: 2\n--- # third\nc: |\n  x\n  ---not a marker\n...\n---\r\nd: 4';
    for (const size of [1, 3, 7, 1000]) {
      const docs: RawDocument[] = [];
      const splitter = new DocumentSplitter((d) => docs.push(d));
      for (let i = 0; i < text.length; i += size) splitter.write(text.slice(i, i + size));
      splitter.end();
      expect(docs.map((d) => [d.startLine, d.lines])).toEqual([
        [1, ['# head', 'a: 1']],
        [3, ['---', 'b: 2']],
        [5, ['--- # third', 'c: |', '  x', '  ---not a marker', '...']],
        [10, ['---', 'd: 4']],
      ]);
    }
  });
});

describe('parsePath and locatePath', () => {
  test('parsePath splits keys, indexes and quoted keys', () => {
    expect(parsePath('spec.template.spec.containers[0].resources.limits.ephemeral-storage')).toEqual(['spec', 'template', 'spec', 'containers', 0, 'resources', 'limits', 'ephemeral-storage']);
    expect(parsePath('metadata.labels["pod-security.kubernetes.io/enforce"]')).toEqual(['metadata', 'labels', 'pod-security.kubernetes.io/enforce']);
  });

  const doc = [
    'apiVersion: apps/v1', //        0
    'kind: Deployment', //           1
    'metadata:', //                  2
    '  name: api', //                3
    '  labels: {app: api}', //       4
    'spec:', //                      5
    '  template:', //                6
    '    metadata:', //              7
    '      labels:', //              8
    '        "app": api', //         9
    '    spec:', //                  10
    '      containers:', //          11
    '      - name: init', //         12
    '        image: busybox', //     13
    '      # a comment', //          14
    '      -', //                    15
    '        name: main', //         16
    '        args: |', //            17
    '          spec:', //            18
    '        securityContext:', //   19
    '          privileged: true', // 20
    '      volumes:', //             21
    '        - name: tmp', //        22
    '          emptyDir: {}', //     23
  ];

  test.each([
    ['spec.template.spec.containers[0].image', 13],
    ['spec.template.spec.containers[1].name', 16],
    ['spec.template.spec.containers[1].securityContext.privileged', 20],
    ['spec.template.spec.containers[1]', 15],
    ['spec.template.spec.volumes[0].emptyDir', 23],
    ['spec.template.metadata.labels', 8],
    ['spec.template.metadata.labels.app', 9],
    ['metadata.labels.app', 4],
    ['spec.template.spec.runtimeClassName', 10],
    ['spec.template.spec.containers[1].args.spec', 17],
    ['spec.template.spec.containers[5].image', 11],
    ['spec.replicas', 5],
  ])('%s is on line index %d', (jsonPath, index) => {
    expect(locatePath(doc, parsePath(jsonPath))).toBe(index);
  });

  test('a path whose first key is missing has no line', () => {
    expect(locatePath(doc, parsePath('status.phase'))).toBeUndefined();
    expect(locatePath(['{"apiVersion": "v1"}'], parsePath('kind'))).toBeUndefined();
  });
});

describe('jsonItemLines', () => {
  test('finds where each element of the top-level items array starts', () => {
    const text = '{\n  "kind": "List",\n  "metadata": {"items": [1]},\n  "items": [\n    {"a": "}{\\""},\n    {\n      "b": [1, 2]\n    }, "s", 3\n  ]\n}\n';
    expect(jsonItemLines(text)).toEqual([5, 6, 8, 8]);
    expect(jsonItemLines('{"kind": "List", "items": []}')).toEqual([]);
  });
});

describe('reading YAML and JSON', () => {
  test('each object carries its file, its line and the lines of its fields', () => {
    const text = '# comment\n\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n---\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: b\nautomountServiceAccountToken: true\n';
    const { objects, problems } = collect((sink) => readYamlText(text, 'sa.yaml', sink));
    expect(problems).toEqual([]);
    expect(objects.map((o) => [o.object.metadata?.name, o.file, o.line])).toEqual([['a', 'sa.yaml', 3], ['b', 'sa.yaml', 9]]);
    expect(objects[1].lineOf('automountServiceAccountToken')).toBe(13);
    expect(objects[1].lineOf('spec.nothing')).toBe(9);
  });

  test('List items are objects of their own, with their own lines, in YAML and JSON', () => {
    const yaml = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata: {name: a}\n- 42\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b\n';
    const fromYaml = collect((sink) => readYamlText(yaml, 'l.yaml', sink));
    expect(fromYaml.objects.map((o) => [o.object.kind, o.line])).toEqual([['ServiceAccount', 4], ['ConfigMap', 8]]);
    expect(fromYaml.objects[1].lineOf('metadata.name')).toBe(11);
    expect(fromYaml.problems).toEqual([{ file: 'l.yaml', line: 7, severity: 'warning', message: 'skipped: items[1] of the List is not a Kubernetes object (a number (42))' }]);
    const json = JSON.stringify({ apiVersion: 'v1', kind: 'DeploymentList', items: [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } }] }, null, 2);
    const fromJson = collect((sink) => readJsonText(json, 'l.json', sink));
    expect(fromJson.objects.map((o) => [o.object.kind, o.line])).toEqual([['Deployment', 5]]);
  });

  test('malformed YAML is an error at its line, and the documents around it still load', () => {
    const text = 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Pod\n  bad: indent\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: c}\nmetadata: {name: dup}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: d}\n';
    const { objects, problems } = collect((sink) => readYamlText(text, 'm.yaml', sink));
    expect(objects.map((o) => o.object.metadata?.name)).toEqual(['a', 'd']);
    expect(problems.map((p) => [p.line, p.severity, p.message.split(' (')[0]])).toEqual([
      [7, 'error', 'invalid YAML: bad indentation of a mapping entry'],
      [12, 'error', 'duplicated mapping key "metadata"'],
    ]);
    expect(problems[1].message).toBe('duplicated mapping key "metadata" (first at line 11): kubectl keeps the last value, other tools the first; keep one');
  });

  test('documents that are not Kubernetes objects are skipped with a warning', () => {
    const { objects, problems } = collect((sink) => readYamlText('just some text\n---\n- a\n---\nname: x\n---\n', 'x.yaml', sink));
    expect(objects).toEqual([]);
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [1, 'skipped: not a Kubernetes object (a string ("just some text"))'],
      [3, 'skipped: not a Kubernetes object (a sequence)'],
      [5, 'skipped: not a Kubernetes object (a mapping without apiVersion and kind)'],
    ]);
  });

  test('a .json file that is really YAML is read as YAML, as kubectl reads it (a plain y is true)', () => {
    const { objects } = collect((sink) => readJsonText('apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: y, namespace: "y"}\n', 'y.json', sink));
    expect(objects.map((o) => [o.object.metadata?.name, o.object.metadata?.namespace, o.line])).toEqual([[true, 'y', 1]]);
  });

  test('standard input is read as a stream, cut anywhere', async () => {
    async function* chunks() { yield Buffer.from('apiVersion: v1\nki'); yield 'nd: ServiceAccount\nmetadata: {name: s}\n'; }
    const objects: LoadedObject[] = [];
    await readStream(chunks(), '-', { object: (o) => objects.push(o), problem: () => undefined });
    expect(objects.map((o) => [o.file, o.line, o.object.metadata?.name])).toEqual([['-', 1, 's']]);
  });
});

describe('files and directories', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-load-'));
    fs.mkdirSync(path.join(dir, 'b', 'deep'), { recursive: true });
    fs.mkdirSync(path.join(dir, '.git'));
    fs.mkdirSync(path.join(dir, 'nothing'));
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n');
    fs.writeFileSync(path.join(dir, 'b', 'deep', 'c.YML'), 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: c}\n');
    fs.writeFileSync(path.join(dir, 'b', 'd.json'), '{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "d"}}');
    fs.writeFileSync(path.join(dir, 'b', 'notes.txt'), 'not a manifest');
    fs.writeFileSync(path.join(dir, '.git', 'config.yaml'), 'apiVersion: v1\nkind: ServiceAccount\n');
    fs.writeFileSync(path.join(dir, 'nothing', 'README.md'), '# nothing');
    fs.writeFileSync(path.join(dir, 'binary.yaml'), Buffer.from([0x61, 0x3a, 0x20, 0x00, 0x01, 0xff]));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('directories are walked recursively for *.yaml, *.yml and *.json, hidden ones skipped, sorted', () => {
    const problems: InputProblem[] = [];
    const sources = expandPaths([dir], (p) => problems.push(p));
    expect(sources.map((s) => path.relative(dir, s.name))).toEqual(['a.yaml', path.join('b', 'd.json'), path.join('b', 'deep', 'c.YML'), 'binary.yaml']);
    expect(problems).toEqual([]);
  });

  test('a missing path and a directory without manifests are errors', () => {
    const problems: InputProblem[] = [];
    expect(expandPaths([path.join(dir, 'missing.yaml'), path.join(dir, 'nothing'), '-'], (p) => problems.push(p))).toEqual([{ name: '-', stdin: true }]);
    expect(problems.map((p) => [path.relative(dir, p.file), p.severity, p.message])).toEqual([
      ['missing.yaml', 'error', 'no such file or directory'],
      ['nothing', 'error', 'directory holds no manifest (no *.yaml, *.yml, *.json file, hidden directories skipped)'],
    ]);
  });

  test('a binary file is an error, and says why', () => {
    const { objects, problems } = collect((sink) => readFile(path.join(dir, 'binary.yaml'), sink));
    expect(objects).toEqual([]);
    expect(problems.map((p) => [p.severity, p.message])).toEqual([['error', 'binary content (a NUL byte at offset 3): not YAML or JSON text']]);
  });

  test('an empty file is skipped with a warning', () => {
    fs.writeFileSync(path.join(dir, 'empty.yaml'), '');
    const { problems } = collect((sink) => readFile(path.join(dir, 'empty.yaml'), sink));
    expect(problems.map((p) => [p.severity, p.message])).toEqual([['warning', 'skipped: holds no YAML document']]);
  });
});
