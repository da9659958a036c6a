// The YAML reader the audit and the runner share (src/audit/kube-yaml.ts): kubectl's reading
// (yaml.v2, YAML 1.1) of scalars, merges and aliases, its refusals with lines, and each way the old
// js-yaml reading let a manifest audit clean while the cluster got the unsafe value, reproduced
// through the audit itself and the runner's parseManifests. (test/yaml-v2-differential.test.ts
// compares the reader with the real Go decoder.)
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import { auditText } from '../src/audit';
import { InputProblem, LoadedObject, readYamlText } from '../src/audit/load';
import {
  MAX_ALIAS_EXPANSION_BYTES, MAX_ALIAS_EXPANSION_NODES, readKubeYaml, readKubeYamlExact, readKubeYamlFast, resolvePlainScalar,
} from '../src/audit/kube-yaml';
import { runAuditCommand } from '../src/cli/audit-command';
import { parseManifests } from '../src/runner/internal';

const ROOT = path.resolve(__dirname, '..');
const HARDENED = fs.readFileSync(path.join(__dirname, 'fixtures', 'audit', 'hardened.yaml'), 'utf8');

/** The audit's reading before this reader: js-yaml with the YAML 1.2 core schema and merge keys. */
const OLD_SCHEMA = jsyaml.CORE_SCHEMA.extend({ implicit: [(jsyaml as unknown as { types: { merge: jsyaml.Type } }).types.merge] });

/** The one value of a one-document text, or the refusal. */
function read(text: string): unknown {
  const { documents, error } = readKubeYaml(text);
  if (error) return { error };
  return documents[0]?.value ?? null;
}

function refusal(text: string): { line: number; message: string } {
  const { error } = readKubeYaml(text);
  if (!error) throw new Error(`not refused: ${JSON.stringify(text)}`);
  return error;
}

/** The hardened fixture with the first occurrence of a line (the Deployment's) replaced. */
function hardenedWith(line: string, replacement: string): string {
  const at = HARDENED.indexOf(`\n${line}\n`);
  if (at < 0) throw new Error(`"${line}" is not in hardened.yaml`);
  return `${HARDENED.slice(0, at + 1)}${replacement}${HARDENED.slice(at + 1 + line.length)}`;
}

/** Line (1-based) of the first line of `text` that contains `needle`. */
function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((l) => l.includes(needle)) + 1;
}

function findingsOf(text: string, rule: string): { path: string; line: number; message: string }[] {
  return auditText(text, { file: 'm.yaml' }).findings.filter((f) => f.rule === rule).map((f) => ({ path: f.path, line: f.line, message: f.message }));
}

describe('plain scalars resolve as yaml.v2 resolves them', () => {
  test.each([
    ...['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'true', 'True', 'TRUE'].map((s) => [s, 'bool', true]),
    ...['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF', 'false', 'False', 'FALSE'].map((s) => [s, 'bool', false]),
    ...['~', 'null', 'Null', 'NULL', ''].map((s) => [s, 'null', null]),
    ['010', 'int', 8], ['010000', 'int', 4096], ['0o17', 'int', 15], ['0x1F', 'int', 31], ['0x_1F', 'int', 31], ['0b101', 'int', 5], ['-0b101', 'int', -5],
    ['0b-101', 'int', -5], ['1_000', 'int', 1000], ['+12', 'int', 12], ['-0', 'int', 0], ['00', 'int', 0],
    ['08', 'float', 8], ['09.5', 'float', 9.5], ['.5', 'float', 0.5], ['5.', 'float', 5], ['+.5', 'float', 0.5], ['1e3', 'float', 1000], ['1_0.5', 'float', 10.5],
    ['.5_0', 'float', 0.5], ['1e-400', 'float', 0], ['.inf', 'float', Infinity], ['-.Inf', 'float', -Infinity],
    ['2001-12-14', 'string', '2001-12-14'], ['2001-12-14t21:59:43.10-05:00', 'string', '2001-12-14t21:59:43.10-05:00'], ['1e400', 'string', '1e400'],
    ['._5', 'string', '._5'], ['0x', 'string', '0x'], ['yes please', 'string', 'yes please'], ['tRue', 'string', 'tRue'], ['<<', 'string', '<<'], ['1:20', 'string', '1:20'],
  ] as [string, string, unknown][])('%j is a %s: %j', (text, kind, value) => {
    expect(resolvePlainScalar(text)).toEqual({ kind, value });
  });

  test('-0.0 stays a negative zero, as Go sends it; .nan is NaN', () => {
    expect(Object.is(resolvePlainScalar('-0.0').value, -0)).toBe(true);
    expect(Number.isNaN(resolvePlainScalar('.NaN').value)).toBe(true);
  });

  test('only plain scalars resolve: quoted, block and !!str scalars stay strings', () => {
    expect(read('a: yes\nb: "yes"\nc: \'010\'\nd: !!str on\ne: |-\n  y\nf: 010\n')).toEqual({ a: true, b: 'yes', c: '010', d: 'on', e: 'y', f: 8 });
  });
});

describe('keys become JSON keys as sigs.k8s.io/yaml makes them', () => {
  test('bools and ints are spelled true/false and in decimal', () => {
    expect(read('yes: 1\noff: 2\n010: 3\n0x10: 4\n')).toEqual({ true: 1, false: 2, 8: 3, 16: 4 });
  });

  test('null and float keys, and keys that collide once stringified, are refused', () => {
    expect(refusal('a: 1\n~: 2\n')).toEqual({ line: 2, message: 'a null mapping key (~): kubectl cannot turn it into JSON; quote the key' });
    expect(refusal('1.5: a\n').message).toMatch(/^a floating-point mapping key \(1\.5\): kubectl spells it in Go's float32 format/);
    expect(refusal('"1": a\n1: b\n')).toEqual({ line: 2, message: 'duplicated mapping key "1" (first at line 1): kubectl keeps the last value, other tools the first; keep one' });
    expect(refusal('base: &b {"8": x}\nm:\n  010: y\n  <<: *b\n')).toEqual({ line: 4, message: 'mapping key "8" is set both as int and as a string: both become "8" in JSON and kubectl keeps either at random; write the key one way' });
  });

  test('__proto__ is an ordinary key, not a prototype', () => {
    const value = read('__proto__: {privileged: true}\n') as object;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect((value as any).privileged).toBeUndefined();
  });
});

describe('merge keys apply where they stand, as in yaml.v2', () => {
  test('a merge overwrites the keys before it; keys after it overwrite the merge', () => {
    expect(read('privileged: false\n<<: {privileged: true}\n')).toEqual({ privileged: true });
    expect(read('<<: {privileged: true}\nprivileged: false\n')).toEqual({ privileged: false });
  });

  test('in a sequence of maps the earlier ones win, and aliases and nested merges count', () => {
    const text = 'a: &a {x: 1, v: 1}\nb: &b {x: 2, z: 2, <<: {w: 2}}\nc:\n  x: 0\n  <<: [*a, *b]\n  v: 3\n';
    expect(read(text)).toEqual({ a: { x: 1, v: 1 }, b: { x: 2, z: 2, w: 2 }, c: { x: 1, v: 3, z: 2, w: 2 } });
    expect(readKubeYamlExact(text).documents[0].value).toEqual(read(text));
  });

  test('a quoted "<<" is a plain key; a merge of anything but maps is refused', () => {
    expect(read('"<<": {a: 1}\n')).toEqual({ '<<': { a: 1 } });
    expect(refusal('a: 1\n<<: [x]\n')).toEqual({ line: 2, message: 'map merge requires map or sequence of maps as the value (yaml.v2, which kubectl uses, refuses it)' });
  });
});

describe('refused, with the line and a way to write it', () => {
  test.each([
    ['NEL', '\u0085', 'U+0085 NEL (next line)', 'u0085'],
    ['LS', '\u2028', 'U+2028 LS (line separator)', 'u2028'],
    ['PS', '\u2029', 'U+2029 PS (paragraph separator)', 'u2029'],
  ])('a raw %s, a line break only for kubectl', (_name, ch, described, escape) => {
    expect(refusal(`a: 1\nprivileged: false # note${ch}privileged: true\n`)).toEqual({
      line: 2,
      message: `raw ${described}: kubectl's YAML 1.1 parser breaks the line there and YAML 1.2 does not, so it could hide a key in a comment; write it escaped ("\\${escape}" in a double-quoted string) or remove it`,
    });
    expect(read(`a: "x\\${escape === 'u0085' ? 'N' : escape === 'u2028' ? 'L' : 'P'}y"\n`)).toEqual({ a: `x${ch}y` });
  });

  test.each([
    ['a tag it does not implement', 'a: 1\nb: !!int 3\n', 2, 'tag !!int is not read (kubectl would apply YAML 1.1 rules to it that the audit does not reproduce); remove it, or quote the value to make it a string'],
    ['a duplicate key', 'a: 1\nb: 2\na: 3\n', 3, 'duplicated mapping key "a" (first at line 1): kubectl keeps the last value, other tools the first; keep one'],
    ['an integer JavaScript cannot hold', 'uid: 9007199254740993\n', 1, 'integer 9007199254740993 is beyond ±(2^53-1) and cannot be read exactly; quote it if it is a string'],
    ['a value JSON cannot hold', 'x: 1\nratio: .nan\n', 2, '.nan is not a number JSON can hold: kubectl cannot send it; quote it if it is a string'],
    ['an escape libyaml rejects', 'path: "a\\/b"\n', 1, 'escape \\\\/ in a double-quoted string is not one kubectl\'s YAML 1.1 parser reads the same way (it rejects \\/ and unpaired surrogates); write the character itself or another escape'],
    ['an explicit key', 'a: 1\n? b\n: 2\n', 2, 'explicit keys ("? key") are not read; write "key: value"'],
    ['a tab after a dash', 'a:\n-\tb\n', 2, 'a tab in indentation or after "-", "?" or ":" at the start of a line: kubectl\'s parser rejects it there; use spaces'],
    ['an indentation indicator', 'a: |2\n   x\n', 1, 'block scalar header |2: indentation indicators are not read (kubectl\'s parser keeps whitespace there that YAML 1.2 drops); indent the text and leave the digit out'],
    ['a "?" in a flow scalar', 'a: [x?y]\n', 1, 'unquoted value "x?y" in a flow collection ([...] or {...}): kubectl\'s parser reads "?" and ":" in and around it differently; quote it, and put a space after ":"'],
    ['an unknown anchor', 'a: 1\nb: *nope\n', 2, "unknown anchor 'nope' referenced"],
    ['an alias inside its own anchor', 'a: &x [1, *x]\n', 1, "anchor 'x' value contains itself"],
    ['a directive', '%YAML 1.1\n---\na: 1\n', 1, 'YAML directives (%YAML, %TAG) are not read; remove them'],
    ['an escaped closing quote', 'a: "x\\"\nprivileged: true #"\n', 1, 'a double-quoted string whose closing quote is escaped (\\") is read differently by kubectl\'s parser; check the quoting'],
    ['a key longer than libyaml looks for its colon', `a: 1\n${'k'.repeat(1001)}: 2\n`, 2, 'a mapping key longer than 1000 characters: kubectl\'s parser stops looking for its ":" after 1024; shorten the key'],
    ['a control character', 'a: "x\u0007"\n', 1, 'control character U+0007 is not allowed in YAML (kubectl rejects it); write it escaped ("\\u0007" in a double-quoted string)'],
  ])('%s', (_name, text, line, message) => {
    expect(refusal(text)).toEqual({ line, message });
  });

  test('syntax errors keep the wording and lines the audit has always given them', () => {
    expect(refusal('apiVersion: v1\nkind: [\n')).toEqual({ line: 2, message: 'invalid YAML: unexpected end of the stream within a flow collection' });
  });
});

describe('aliases are expanded, within caps', () => {
  test('an alias gives a copy of its anchor\'s value, not a shared object', () => {
    const value = read('a: &a {x: [1]}\nb: *a\n') as any;
    expect(value).toEqual({ a: { x: [1] }, b: { x: [1] } });
    expect(value.b).not.toBe(value.a);
  });

  test('a 1 MiB string aliased 199 times is refused at the alias that passes 3 MiB', () => {
    const text = bombManifest(199);
    expect(text.length).toBeGreaterThan(1_050_000);
    expect(refusal(text)).toEqual({ line: lineOf(text, 'b2: *big'), message: `alias *big expands the document by more than 3 MiB (the API server's request limit); write the repeated parts out or make them smaller` });
    expect(MAX_ALIAS_EXPANSION_BYTES).toBe(3 * 1024 * 1024);
  });

  test('many small nodes through aliases are refused past the node cap', () => {
    const items = `[${Array(1000).fill('0').join(', ')}]`;
    const text = `a: &x ${items}\nf: ${items}\nb:\n${Array.from({ length: 101 }, () => '- *x').join('\n')}\n`;
    expect(refusal(text)).toEqual({ line: 4 + 99, message: `alias *x expands the document by more than ${MAX_ALIAS_EXPANSION_NODES} nodes; write the repeated parts out` });
  });

  test('a document mostly made of aliases is refused as yaml.v2 refuses it', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (const [i, name] of ['b', 'c', 'd', 'e'].entries()) levels.push(`${name}: &${name} [${Array(10).fill(`*${'abcd'[i]}`).join(', ')}]`);
    expect(refusal(`${levels.join('\n')}\n`).message).toMatch(/yaml\.v2, which kubectl uses, refuses it \("document contains excessive aliasing"\)/);
  });
});

describe('the fast path and the exact path agree', () => {
  const files = [
    path.join(__dirname, 'fixtures', 'audit', 'hardened.yaml'),
    path.join(__dirname, 'fixtures', 'audit', 'seed-article.yaml'),
    path.join(__dirname, 'fixtures', 'runner', 'code-runner.yaml'),
  ];
  test.each(files)('on every document of %s, which the fast path reads', (file) => {
    const docs = fs.readFileSync(file, 'utf8').split(/^---.*\n/m);
    for (const doc of docs) {
      const fast = readKubeYamlFast(doc);
      expect(fast).toBeDefined();
      expect(fast).toEqual(readKubeYamlExact(doc));
    }
  });

  test('block scalars, quoting, flow collections and comments', () => {
    const text = [
      '# leading comment', 'a: |', '  x: 1', '', '  # not a comment', 'b: >-', '  folded', '  text', '', '  para', "c: 'it''s'", 'd: "say it"',
      'e: [a b, "c", {k: v, m: [1, -2], n: 0}]  # comment', 'f:', '- 1', '- - not compact', '', 'g: -c', '',
    ].join('\n');
    expect(readKubeYamlExact(text).documents[0].value).toEqual({ a: 'x: 1\n\n# not a comment\n', b: 'folded text\npara', c: "it's", d: 'say it', e: ['a b', 'c', { k: 'v', m: [1, -2], false: 0 }], f: [1, ['not compact']], g: '-c' });
    expect(readKubeYamlFast(text)).toBeUndefined();
    const compact = text.replace('- - not compact', '- not compact');
    expect(readKubeYamlFast(compact)).toEqual(readKubeYamlExact(compact));
  });
});

/** A ConfigMap holding one anchored 1 MiB string and `aliases` aliases of it. */
function bombManifest(aliases: number): string {
  const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: bomb', 'data:', `  a: &big "${'x'.repeat(1024 * 1024)}"`];
  for (let i = 0; i < aliases; i++) lines.push(`  b${i}: *big`);
  return `${lines.join('\n')}\n`;
}

describe('each way a manifest audited clean while kubectl read something unsafe', () => {
  const CONTAINER_PRIVILEGED = '            privileged: false';

  test('a key hidden behind a raw LS, NEL or PS in a comment: refused with its line', () => {
    for (const ch of ['\u2028', '\u0085', '\u2029']) {
      const text = hardenedWith(CONTAINER_PRIVILEGED, `${CONTAINER_PRIVILEGED} # note${ch}            privileged: true`);
      const old = jsyaml.loadAll(text, undefined, { schema: OLD_SCHEMA }) as any[];
      expect(old.find((d) => d.kind === 'Deployment').spec.template.spec.containers[0].securityContext.privileged).toBe(false);
      const result = auditText(text, { file: 'm.yaml' });
      expect(result.exitCode).toBe(2);
      expect(result.problems).toEqual([expect.objectContaining({ file: 'm.yaml', severity: 'error', line: lineOf(text, ch) })]);
      expect(result.problems[0].message).toMatch(/^raw U\+(0085|2028|2029) /);
    }
  });

  test.each([
    ['privileged: yes', CONTAINER_PRIVILEGED, '            privileged: yes', 'yes', 'not-privileged', 'spec.template.spec.containers[0].securityContext.privileged'],
    ['hostPID: on', '      serviceAccountName: api', '      serviceAccountName: api\n      hostPID: on', 'on', 'no-host-namespaces', 'spec.template.spec.hostPID'],
    ['hostNetwork: y', '      serviceAccountName: api', '      serviceAccountName: api\n      hostNetwork: y', 'y', 'no-host-namespaces', 'spec.template.spec.hostNetwork'],
    ['hostIPC: Yes', '      serviceAccountName: api', '      serviceAccountName: api\n      hostIPC: Yes', 'Yes', 'no-host-namespaces', 'spec.template.spec.hostIPC'],
    ['a merge after privileged: false', CONTAINER_PRIVILEGED, `${CONTAINER_PRIVILEGED}\n            <<: {privileged: true}`, false, 'not-privileged', 'spec.template.spec.containers[0].securityContext.privileged'],
    ['runAsUser: 010000 (octal 4096)', '        runAsUser: 65534', '        runAsUser: 010000', 10000, 'run-as-high-uid', 'spec.template.spec.securityContext.runAsUser'],
  ] as [string, string, string, unknown, string, string][])('%s: the old reading was harmless (%#), the finding now appears', (_name, line, replacement, oldValue, rule, findingPath) => {
    expect(findingsOf(HARDENED, rule)).toEqual([]);
    const text = hardenedWith(line, replacement);
    const oldDeployment = (jsyaml.loadAll(text, undefined, { schema: OLD_SCHEMA }) as any[]).find((d) => d.kind === 'Deployment');
    expect(findingPath.split(/[.[\]]+/).filter(Boolean).reduce((o: any, k) => o?.[k], oldDeployment)).toBe(oldValue);
    const found = findingsOf(text, rule);
    expect([...new Set(found.map((f) => f.path))]).toEqual([findingPath]);
    // The line is the key's (the merged value is reported at the key it overwrote).
    expect(found[0].line).toBe(lineOf(text, (rule === 'not-privileged' ? replacement.split('\n')[0] : replacement.split('\n').pop()!).trim()));
  });

  test('the old reading of those values was the unsafe-looking-safe one', () => {
    const old = (text: string) => jsyaml.load(text, { schema: OLD_SCHEMA });
    expect(old('privileged: yes\nhostPID: on\nhostNetwork: y\nhostIPC: Yes\nrunAsUser: 010000\n')).toEqual({ privileged: 'yes', hostPID: 'on', hostNetwork: 'y', hostIPC: 'Yes', runAsUser: 10000 });
    expect(old('privileged: false\n<<: {privileged: true}\n')).toEqual({ privileged: false });
    expect(read('privileged: yes\nhostPID: on\nhostNetwork: y\nhostIPC: Yes\nrunAsUser: 010000\n')).toEqual({ privileged: true, hostPID: true, hostNetwork: true, hostIPC: true, runAsUser: 4096 });
  });

  test('the alias bomb: the audit refuses it at the alias\'s line instead of expanding it', () => {
    const text = bombManifest(199);
    const result = auditText(text, { file: 'bomb.yaml' });
    expect([result.exitCode, result.objects]).toEqual([2, 0]);
    expect(result.problems[0]).toEqual({ file: 'bomb.yaml', line: lineOf(text, 'b2: *big'), severity: 'error', message: expect.stringMatching(/^alias \*big expands the document by more than 3 MiB/) });
  });

  test('the alias bomb: the runner refuses it, naming the file and line', () => {
    const text = bombManifest(199);
    expect(() => parseManifests(text, 'bomb.yaml')).toThrow(`bomb.yaml:${lineOf(text, 'b2: *big')}: alias *big expands the document by more than 3 MiB`);
  });

  test('the audit CLI exits 2 on the hidden key and 1 on the YAML 1.1 boolean', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-yaml-'));
    try {
      const hidden = path.join(dir, 'hidden.yaml');
      fs.writeFileSync(hidden, hardenedWith(CONTAINER_PRIVILEGED, `${CONTAINER_PRIVILEGED} # note\u2028            privileged: true`));
      const yes = path.join(dir, 'yes.yaml');
      fs.writeFileSync(yes, hardenedWith(CONTAINER_PRIVILEGED, '            privileged: yes'));
      const run = async (file: string) => {
        let out = '';
        async function* stdin() { /* no input */ }
        const code = await runAuditCommand([file], { format: 'json' }, { stdout: { write: (s: string) => { out += s; } }, stderr: { write: () => undefined }, stdin: stdin(), cwd: ROOT });
        return { code, report: JSON.parse(out) };
      };
      const a = await run(hidden);
      expect([a.code, a.report.problems[0].line, a.report.problems[0].message.slice(0, 30)]).toEqual([2, lineOf(HARDENED, CONTAINER_PRIVILEGED), 'raw U+2028 LS (line separator)']);
      const b = await run(yes);
      expect(b.code).toBe(1);
      expect(b.report.findings.filter((f: any) => f.rule === 'not-privileged').map((f: any) => f.path)).toEqual(['spec.template.spec.containers[0].securityContext.privileged']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Lists are flattened as kubectl flattens them', () => {
  const privilegedPod = (indent: string) => [
    'apiVersion: v1', 'kind: Pod', 'metadata: {name: p}', 'spec:', '  containers:', '  - name: c', '    image: x:1', '    securityContext: {privileged: true}',
  ].map((l, i) => `${indent}${i === 0 ? '- ' : '  '}${l}`).join('\n');

  function load(text: string): { objects: LoadedObject[]; problems: InputProblem[] } {
    const objects: LoadedObject[] = [];
    const problems: InputProblem[] = [];
    readYamlText(text, 'l.yaml', { object: (o) => objects.push(o), problem: (p) => problems.push(p) });
    return { objects, problems };
  }

  test('a List in a List: the inner items are objects with their own lines (before: an object of kind List)', () => {
    const text = `apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items:\n${privilegedPod('  ')}\n`;
    const { objects, problems } = load(text);
    expect(problems).toEqual([]);
    expect(objects.map((o) => [o.object.kind, o.line, o.lineOf('spec.containers[0].securityContext.privileged')])).toEqual([['Pod', 7, 14]]);
    expect(findingsOf(text, 'not-privileged').map((f) => [f.path, f.line])).toEqual([['spec.containers[0].securityContext.privileged', 14]]);
    expect(parseManifests(text, 'l.yaml').map((o) => o.kind)).toEqual(['Pod']);
  });

  test('Lists nest at most MAX_LIST_NESTING deep', () => {
    let text = 'apiVersion: v1\nkind: List\nitems:\n';
    for (let depth = 1; depth <= 9; depth++) text += `${'  '.repeat(depth - 1)}- kind: List\n${'  '.repeat(depth)}items:\n`;
    const { objects, problems } = load(text);
    expect(objects).toEqual([]);
    expect(problems.map((p) => [p.severity, p.message])).toEqual([['error', `items[0]${'.items[0]'.repeat(7)} of the List: Lists nested more than 8 deep are not read`]]);
  });

  test('any object with items is a list for kubectl, whatever its kind, and its items get the list\'s kind', () => {
    const podList = 'apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: p}\n  spec:\n    containers: [{name: c, image: "x:1", securityContext: {privileged: true}}]\n';
    expect(load(podList).objects.map((o) => [o.object.apiVersion, o.object.kind, o.line])).toEqual([['v1', 'Pod', 4]]);
    const podWithItems = `apiVersion: v1\nkind: Pod\nmetadata: {name: decoy}\nspec: {containers: []}\nitems:\n${privilegedPod('')}\n`;
    expect(load(podWithItems).objects.map((o) => [o.object.kind, o.object.metadata?.name])).toEqual([['Pod', 'p']]);
    expect(load('apiVersion: v1\nkind: Pod\nmetadata: {name: decoy}\nitems: null\n').problems.map((p) => [p.severity, p.message])).toEqual([['warning', 'skipped: kubectl reads this Pod as a list ("items: null") and applies nothing from it']]);
    expect(load('apiVersion: v1\nkind: List\nItems: []\n').problems.map((p) => [p.line, p.severity, p.message])).toEqual([[3, 'error', 'key "Items": kubectl\'s JSON decoding ignores case and reads it as the list\'s "items"; write "items" or rename it']]);
  });
});
