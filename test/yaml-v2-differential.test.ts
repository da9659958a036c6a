// The reader (src/audit/kube-yaml.ts) against the real kubectl decoder stack, sigs.k8s.io/yaml's
// YAMLToJSON on gopkg.in/yaml.v2, built from Debian's Go packages (test/fixtures/yaml-v2/main.go):
// whenever the reader accepts a document, yaml.v2 accepts it too and the JSON values are equal. On a
// hand-written corpus of tricky cases and on thousands of random documents (seeded; the seed is
// printed, KUBE_YAML_FUZZ_SEED replays one). Skipped, with the reason, where Go or the packages are
// missing, except under CI=true, where it runs and fails.
import { readKubeYaml, readKubeYamlExact, readKubeYamlFast } from '../src/audit/kube-yaml';
import { GoDecoder, GoResult, buildGoDecoder, canonicalJson, goDecoderEnabled } from './fixtures/yaml-v2/go-decoder';
import { randomDocuments } from './fixtures/yaml-v2/generator';

const GO = goDecoderEnabled();
// eslint-disable-next-line no-console
if (!GO.enabled) console.log(`skipping the yaml.v2 differential tests: ${GO.reason}`);
const describeGo = GO.enabled ? describe : describe.skip;

/** Random documents per kind (see generator.ts) and run. */
const FUZZ_DOCUMENTS = 4000;

/** kubectl's document reader ends every line, the last one included, with a line break. */
function asKubectlChunk(doc: string): string {
  return doc === '' || doc.endsWith('\n') ? doc : `${doc}\n`;
}

/** How one document fared: equal to yaml.v2, refused by the reader, or a mismatch (the reader accepted something else). */
type Outcome = { kind: 'equal' } | { kind: 'refused'; goAccepted: boolean } | { kind: 'mismatch'; ours: string; go: string };

function compare(doc: string, go: GoResult): Outcome {
  const ours = readKubeYaml(doc);
  const goAccepted = 'json' in go;
  if (ours.error) return { kind: 'refused', goAccepted };
  const value = canonicalJson(ours.documents[0]?.value ?? null);
  const theirs = 'json' in go ? canonicalJson(JSON.parse(go.json)) : `error: ${go.error}`;
  return value === theirs ? { kind: 'equal' } : { kind: 'mismatch', ours: value, go: theirs };
}

function describeMismatches(docs: readonly string[], outcomes: readonly Outcome[]): string[] {
  return outcomes.flatMap((o, i) => (o.kind === 'mismatch' ? [`${JSON.stringify(docs[i])}\n  ours: ${o.ours}\n  yaml.v2: ${o.go}`] : []));
}

describeGo('the reader against yaml.v2 (kubectl)', () => {
  let go: GoDecoder;
  beforeAll(() => { go = buildGoDecoder(); }, 60_000);
  afterAll(() => go?.remove());

  const decode = (docs: readonly string[]) => go.decode(docs.map(asKubectlChunk));

  test('the cases of the issue: what kubectl reads, and the reader reads the same or refuses', () => {
    const cases: [string, unknown][] = [
      ['privileged: yes\nhostPID: on\nhostNetwork: y\nhostIPC: Yes\n', { privileged: true, hostPID: true, hostNetwork: true, hostIPC: true }],
      ['privileged: false\n<<: {privileged: true}\n', { privileged: true }],
      ['runAsUser: 010000\n', { runAsUser: 4096 }],
    ];
    const hidden = 'securityContext:\n  privileged: false # note\u2028  privileged: true\n';
    const results = decode([...cases.map(([doc]) => doc), hidden]);
    cases.forEach(([doc, value], i) => {
      expect(JSON.parse((results[i] as { json: string }).json)).toEqual(value);
      expect(readKubeYaml(doc).documents[0].value).toEqual(value);
    });
    expect(JSON.parse((results[cases.length] as { json: string }).json)).toEqual({ securityContext: { privileged: true } });
    expect(readKubeYaml(hidden).error?.line).toBe(2);
  });

  test('a corpus of hand-written tricky cases: equal where read, and read where expected', () => {
    // [document, whether the reader must read it (true) or refuse it (false)]
    const corpus: [string, boolean][] = [
      // scalars
      ['a: [y, Y, yes, Yes, YES, on, On, ON, n, N, no, No, NO, off, Off, OFF, true, True, TRUE, false, False, FALSE, tRue]\n', true],
      ['a: [~, null, Null, NULL, nULL, ""]\nb:\nc: !!str\n', true],
      ['a: [010, 0777, 08, 09.5, 0o17, 0O17, 0x1F, 0X1f, 0x_1F, 0b101, -0b101, 0b-101, 1_000, 1__0, _1, 1_, +12, -0, +0, 00]\n', true],
      ['a: [.5, 5., +.5, -.5e-3, 1e5, 1E+05, 1e-400, 1.5e400, 1_0.5, ._5, .5_0, .5e1_0, 0x1p3, 1:20, "1,000", 6.02e+23, -0.0]\n', true],
      ['a: [2001-12-14, 2001-12-14t21:59:43.10-05:00, "2001-12-14 21:59:43.10", 2001-13-45, 2001-1-2]\n', true],
      ['a: 9007199254740991\nb: -9007199254740991\n', true],
      ['a: 9223372036854775808\n', false],
      ['a: .inf\n', false],
      // quoting, escapes, folding
      ['a: "\\x41\\u00e9\\U0001F600\\N\\L\\P\\_\\e\\0\\a\\t\\ \\"\\\\"\n', true],
      ['a: "\\/"\n', false],
      ['a: "\\ud800"\n', false],
      ["a: 'it''s'\nb: 'multi\n  line'\nc: \"fold\n\n  ed\"\nd: \"esc\\\n  aped\"\n", true],
      ['a: "x\\\n\n  y"\n', false],
      ['a: |\n  x\n   \n  y\nb: >\n  one\n  two\n\n  three\n    more\nc: |-\n  strip\nd: |+\n  keep\n\ne: >-\n  x\n', true],
      ['a: |2\n   x\n  \n', false],
      ['a: |\n  \tx\n', false],
      // comments and line breaks
      ['a: b # c\n# d\ne: f#g\nh: "i # j"\n', true],
      ['a: b # c\u0085d: e\n', false],
      ['a: b\r\nc: d\r\n', true],
      ['a: b\rc: d\n', false],
      // flow collections
      ['a: {b: c, d: [e, f], g: {}}\nh: [[], {}, [i]]\nj: {"k":l}\nm: [a b, c]\n', true],
      ['a: {b:[c]}\n', false],
      ['a: [b?c]\n', false],
      ['a: {:b}\n', false],
      ['a: {"x\n  y": 1}\n', false],
      // merges
      ['b: &b {x: 1}\nc: &c {x: 2, y: 2}\nd:\n  <<: [*b, *c]\n  z: 3\ne:\n  x: 0\n  <<: *c\n', true],
      ['a:\n  <<:\n  - {x: 1}\n  - {x: 2, y: 2}\n', true],
      ['a: 1\n<<: 2\n', false],
      ['a: &a 1\nb:\n  <<: *a\n', false],
      ["'<<': {a: 1}\n", true],
      // anchors and aliases
      ['a: &x-1_y [1, 2]\nb: *x-1_y\nc: &x [*x-1_y, 3]\nd: *x\n', true],
      ['a: &a.b 1\nb: *a.b\n', false],
      ['a: &a{b: 1}\n', false],
      ['a: *undefined\n', false],
      ['a: &a [*a]\n', false],
      // keys
      ['yes: 1\n010: 2\n0x10: 3\n"010": 4\n', true],
      ['1.5: a\n', false],
      ['~: a\n', false],
      ['a: 1\na: 2\n', false],
      ['? a\n: 1\n', false],
      ['[a]: 1\n', false],
      ['{!!str \nk: v}\n', false],
      [`${'k'.repeat(1000)}: 1\n`, true],
      [`${'k'.repeat(1001)}: 1\n`, false],
      [`"${'k'.repeat(999)}": 1\n`, false],
      [`a: {${'k'.repeat(1025)}: 1}\n`, false],
      [`${'k'.repeat(1100)}: 1\n`, false],
      // a no-break space is content, not a blank
      ['- a\u00a0 # c\n- b\u00a0\nc: [d\u00a0 , e]\n'.replace('c: [', '- ['), true],
      // tabs
      ['a:\tb\nc: d\t\ne: |\n  x\ty\n', true],
      ['a:\n-\tb\n', false],
      ['a:\n\tb: c\n', false],
      // tags and directives
      ['a: !!str 010\nb: !!map {c: 1}\nd: !!seq [1]\n', true],
      ['a: !!int "1"\n', false],
      ['a: ! x\n', false],
      ['%YAML 1.1\n---\na: 1\n', false],
      // documents
      ['', true],
      ['# only a comment\n', true],
      ['--- # comment\na: 1\n', true],
      ['---\n', true],
      ['|\n- x\n', false],
      ['>-\n  text\n', false],
    ];
    const docs = corpus.map(([doc]) => doc);
    const outcomes = decode(docs).map((result, i) => compare(docs[i], result));
    expect(describeMismatches(docs, outcomes)).toEqual([]);
    const readOrNot = outcomes.map((o) => (o.kind === 'equal' ? true : o.kind === 'refused' ? false : 'mismatch'));
    expect(corpus.map(([doc, expected], i) => ({ doc, expected, got: readOrNot[i] })).filter((c) => c.got !== c.expected)).toEqual([]);
  });

  test('documents made mostly of aliases: refused before yaml.v2 would refuse them, read below', () => {
    // a: a list of `size`; b: `width` aliases of a; c: `aliases` aliases of b (nested aliases are
    // what push the share of alias decoding past yaml.v2's 99%); f: filler nodes of the document's own.
    const list = (n: number, item: string) => `[${Array(n).fill(item).join(', ')}]`;
    const docs: string[] = [];
    for (const size of [1, 10, 40]) {
      for (const width of [1, 10]) {
        for (const aliases of [1, 10, 50, 100, 200]) {
          for (const filler of [0, 50, 500]) docs.push(`a: &a ${list(size, 'x')}\nb: &b ${list(width, '*a')}\nf: ${list(filler, '0')}\nc: ${list(aliases, '*b')}\n`);
        }
      }
    }
    const results = decode(docs);
    const outcomes = results.map((result, i) => compare(docs[i], result));
    expect(describeMismatches(docs, outcomes)).toEqual([]);
    const goExcessive = docs.filter((_d, i) => 'error' in results[i] && (results[i] as { error: string }).error.includes('excessive aliasing'));
    const oursExcessive = docs.filter((d) => readKubeYaml(d).error?.message.includes('"document contains excessive aliasing"'));
    const equal = outcomes.filter((o) => o.kind === 'equal').length;
    // eslint-disable-next-line no-console
    console.log(`alias grid: ${docs.length} documents, ${equal} read and equal, ${goExcessive.length} refused by yaml.v2 as excessive aliasing`);
    // The reader counts decoding steps as yaml.v2 does, so it refuses exactly these.
    expect(oursExcessive).toEqual(goExcessive);
    expect(goExcessive.length).toBeGreaterThan(5);
    expect(equal).toBeGreaterThan(50);
  });

  test('random documents: whatever the reader accepts, yaml.v2 reads the same; both of its paths agree', () => {
    const seed = Number(process.env.KUBE_YAML_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const docs = [...randomDocuments(seed, FUZZ_DOCUMENTS), ...randomDocuments(seed + 1, FUZZ_DOCUMENTS, true)];
    const results = decode(docs);
    const outcomes = results.map((result, i) => compare(docs[i], result));
    const count = (test: (o: Outcome, i: number) => boolean) => outcomes.filter(test).length;
    const equal = count((o) => o.kind === 'equal');
    const refusedGoAccepted = count((o) => o.kind === 'refused' && o.goAccepted);
    const refusedGoRejected = count((o) => o.kind === 'refused' && !o.goAccepted);
    const rejectedByGo = results.filter((r) => 'error' in r).length;
    let fast = 0;
    const pathsDisagree: string[] = [];
    docs.forEach((doc) => {
      const quick = readKubeYamlFast(doc);
      if (!quick) return;
      fast++;
      if (canonicalJson(quick) !== canonicalJson(readKubeYamlExact(doc))) pathsDisagree.push(JSON.stringify(doc));
    });
    // eslint-disable-next-line no-console
    console.log(`yaml.v2 fuzz, seed ${seed} (KUBE_YAML_FUZZ_SEED=${seed} replays it): ${docs.length} documents, ${equal} equal, `
      + `${refusedGoAccepted + refusedGoRejected} refused by the reader (${refusedGoRejected} of them rejected by yaml.v2 too, ${refusedGoAccepted} read by it), `
      + `${rejectedByGo} rejected by yaml.v2; the fast path read ${fast}`);
    expect({ seed, mismatches: describeMismatches(docs, outcomes).slice(0, 10) }).toEqual({ seed, mismatches: [] });
    expect({ seed, pathsDisagree: pathsDisagree.slice(0, 10) }).toEqual({ seed, pathsDisagree: [] });
    expect(equal).toBeGreaterThan(docs.length / 5);
    expect(fast).toBeGreaterThan(docs.length / 10);
  }, 120_000);
});
