// The `harden` subcommand: reads manifests as `audit` does (files, directories, `-` for standard input), hardens
// every workload with the profile's hardening pass and writes all manifests to stdout in input order: comments
// and untouched documents byte for byte, each workload edited in place, companions (a PodDisruptionBudget) as a
// new document right after their workload. Any refusal, bad input or usage error exits 2 with nothing on
// stdout, so it is safe as a Helm post-renderer and in `kustomize build | ... | kubectl apply -f -` pipes.
import * as fs from 'fs';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import { Command } from 'commander';
import { resolveAuditOptions } from '../audit/audit';
import { DocumentSplitter, RawDocument, parseDocument } from '../audit/documents';
import { DocumentEdit, DocumentEditError, EditMode, applyEdits, editDocument, editJsonDocument, renderYaml } from '../audit/harden-yaml';
import { InputProblem, LoadSink, LoadedObject, STDIN_NAME, Source, binaryProblem, expandPaths, isKubeObject, readJsonText, readYamlText } from '../audit/load';
import { Finding, HardenObjectsOptions, HardenResult, KubeObject, hardenObjects, refOf } from '../profile';
import { type AuditCommandIo, collect } from './audit-command';

/** The options of the harden command, as commander parses them. */
export interface HardenCommandOptions {
  /**
   * The namespace of objects that name none (as `kubectl apply -n` would place them).
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * The RuntimeClass hardened pods name.
   * @default 'gvisor'
   */
  readonly runtimeClass?: string;
  /**
   * Rule ids whose actions and refusals the pass skips.
   * @default []
   */
  readonly ignoreRule?: readonly string[];
}

/** Where the command reads and writes: the audit command's streams. */
export type HardenCommandIo = AuditCommandIo;

const COMMAND = 'cdk8s-sandbox harden';
/** How the loader's note about a document that is not a Kubernetes object starts. */
const NOT_AN_OBJECT = 'skipped: not a Kubernetes object';
const DOCUMENT_START = /^---(?:[ \t]|\r?\n|$)/;

/** One Kubernetes object of the input, with its file and line. */
interface PlacedObject {
  readonly loaded: LoadedObject;
}

/** One document of a file: its exact text and the objects it holds (several for a List). */
interface InputDocument {
  readonly text: string;
  /** The splitter's view of it (undefined for a JSON file, which is one document). */
  readonly raw?: RawDocument;
  readonly startLine: number;
  readonly lineCount: number;
  /** Whether the document is JSON text (it is then written back as JSON). */
  readonly json: boolean;
  readonly objects: PlacedObject[];
  /** Whether the document is left out of the output: it holds something that is not a Kubernetes object (a Helm values file, cdk8s's construct-metadata.json). */
  omitted?: boolean;
}

/** One file (or standard input) as read. */
interface InputFile {
  readonly name: string;
  readonly documents: InputDocument[];
}

/** Objects and problems as the shared loader finds them in one text. */
class Collector implements LoadSink {
  readonly objects: LoadedObject[] = [];
  readonly problems: InputProblem[] = [];

  object(loaded: LoadedObject): void { this.objects.push(loaded); }

  problem(problem: InputProblem): void { this.problems.push(problem); }
}

/** The text of a file or of standard input, or the problem that kept it from being read. */
async function readSource(source: Source, io: HardenCommandIo): Promise<{ text: string } | { problem: InputProblem }> {
  let bytes: Buffer;
  try {
    if (source.stdin) {
      const chunks: Buffer[] = [];
      for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      bytes = Buffer.concat(chunks);
    } else {
      bytes = fs.readFileSync(source.name);
    }
  } catch (err: any) {
    return { problem: { file: source.name, severity: 'error', message: err?.code === 'ENOENT' ? 'no such file or directory' : `cannot read: ${err?.message ?? err}` } };
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { problem: binaryProblem(source.name, nul) };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { problem: { file: source.name, severity: 'error', message: 'not valid UTF-8 text: harden writes its input back byte for byte and cannot keep invalid bytes; re-encode the file as UTF-8' } };
  }
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

/** Offsets where each line of `text` starts (one past the end for a text ending in a line break). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** The YAML documents of `text`, cut exactly as the loader cuts them, each with its exact text. */
function splitDocuments(text: string): InputDocument[] {
  const raws: RawDocument[] = [];
  const splitter = new DocumentSplitter((doc) => raws.push(doc));
  splitter.write(text);
  splitter.end();
  const starts = lineStarts(text);
  return raws.map((raw) => {
    const from = starts[raw.startLine - 1] ?? text.length;
    const to = starts[raw.startLine - 1 + raw.lines.length] ?? text.length;
    const slice = text.slice(from, to);
    return { text: slice, raw, startLine: raw.startLine, lineCount: raw.lines.length, json: isJsonText(slice), objects: [] };
  });
}

function isJsonText(text: string): boolean {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return false;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}

/** Reads one text with the shared loader and assigns each object to the document that holds it. */
function loadText(name: string, text: string, problems: InputProblem[]): InputFile {
  const collector = new Collector();
  const jsonFile = path.extname(name).toLowerCase() === '.json' && isJsonText(text);
  let documents: InputDocument[];
  if (jsonFile) {
    readJsonText(text, name, collector);
    documents = [{ text, startLine: 1, lineCount: lineStarts(text).length, json: true, objects: [] }];
  } else {
    readYamlText(text, name, collector);
    documents = splitDocuments(text);
  }
  const documentAt = (line: number) => {
    const d = documents.findIndex((doc) => line < doc.startLine + doc.lineCount);
    return d < 0 ? documents.length - 1 : d;
  };
  for (const problem of collector.problems) {
    if (problem.severity === 'error') { problems.push(problem); continue; }
    const notObject = problem.line !== undefined && problem.message.startsWith(NOT_AN_OBJECT);
    if (notObject) documents[documentAt(problem.line!)].omitted = true;
    problems.push({ ...problem, message: `${problem.message} (${notObject ? 'left out of the output' : 'passed through unchanged'})` });
  }
  let d = 0;
  for (const loaded of collector.objects) {
    while (d < documents.length - 1 && loaded.line >= documents[d].startLine + documents[d].lineCount) d++;
    documents[d].objects.push({ loaded });
  }
  return { name, documents };
}

function hasOwn(value: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(value, key);
}

/**
 * The paths, from the document's root, of the objects the loader hands out for one decoded document: the root,
 * or a List's items (lists inside lists flattened), in the loader's order.
 */
function objectPaths(value: unknown): { path: (string | number)[]; object: unknown }[] {
  if (!isKubeObject(value) || !hasOwn(value, 'items')) return [{ path: [], object: value }];
  const out: { path: (string | number)[]; object: unknown }[] = [];
  const inherited = { kind: value.kind.endsWith('List') ? value.kind.slice(0, -'List'.length) : value.kind, apiVersion: value.apiVersion };
  const walk = (items: unknown[], prefix: (string | number)[], top: boolean) => {
    items.forEach((item, i) => {
      const at = [...prefix, i];
      if (item && typeof item === 'object' && !Array.isArray(item) && Array.isArray((item as any).items)) { walk((item as any).items, [...at, 'items'], false); return; }
      const unnamed = (key: string) => typeof (item as any)[key] !== 'string' || (item as any)[key] === '';
      const patched = top && item && typeof item === 'object' && !Array.isArray(item) && unnamed('kind') && unnamed('apiVersion')
        ? { ...(item as object), kind: inherited.kind, apiVersion: inherited.apiVersion } : item;
      if (isKubeObject(patched)) out.push({ path: at, object: patched });
    });
  };
  walk(Array.isArray((value as any).items) ? (value as any).items : [], ['items'], true);
  return out;
}

/** The decoded value of one document, as the loader decoded it. */
function decodedValue(doc: InputDocument): unknown {
  if (!doc.raw) return JSON.parse(doc.text);
  const { documents, error } = parseDocument(doc.raw);
  if (error || documents.length !== 1) throw new DocumentEditError(`cannot read the document again${error ? `: ${error.message}` : ''}`);
  return documents[0].value;
}

function describeObject(ref: { kind: string; namespace?: string; name: string }): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

function where(file: string, line: number | undefined): string {
  return line === undefined ? file : `${file}:${line}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A refusal (or a waived one), with its file, line, object, field, reason and fix. */
function formatFinding(finding: Finding, placed: PlacedObject, label: string): string {
  const head = `${where(placed.loaded.file, placed.loaded.lineOf(finding.path))}: ${label}${describeObject(finding.object)}: ${finding.path} (${finding.rule}): ${finding.message}`;
  return `${head}\n    fix: ${finding.fix}\n`;
}

function formatProblem(problem: InputProblem): string {
  return `${where(problem.file, problem.line)}: ${problem.severity === 'error' ? 'error' : 'note'}: ${problem.message}\n`;
}

/** Why a document could not be edited in place, as a note. */
function editNote(placed: PlacedObject, mode: EditMode, reason: string | undefined): string {
  const what = mode === 'reformatted' ? 're-serialized whole (comments kept, formatting normalized)' : 'written afresh from its hardened value (its comments are lost)';
  return `${where(placed.loaded.file, placed.loaded.line)}: note: ${describeObject(refOf(placed.loaded.object))}: ${what}, because ${reason ?? 'it could not be edited in place'}\n`;
}

/** The hardened text of one document: the original when nothing changed, else the edited text. */
function hardenedDocument(doc: InputDocument, results: ReadonlyMap<PlacedObject, HardenResult>, notes: string[]): string {
  const changed = doc.objects.filter((o) => results.get(o)!.changes.length > 0);
  if (changed.length === 0) return doc.text;
  const original = decodedValue(doc);
  const paths = objectPaths(original);
  if (paths.length !== doc.objects.length) throw new DocumentEditError(`the document holds ${paths.length} object(s) where ${doc.objects.length} were read`);
  const edits: DocumentEdit[] = [];
  doc.objects.forEach((placed, i) => {
    if (!isDeepStrictEqual(paths[i].object, placed.loaded.object)) throw new DocumentEditError(`object ${i} of the document is not the one read`);
    for (const change of results.get(placed)!.changes) edits.push({ segments: [...paths[i].path, ...change.segments], value: change.value });
  });
  if (doc.json) return editJsonDocument(doc.text, edits);
  const edited = editDocument(doc.text, edits, original);
  if (edited.mode !== 'in-place') notes.push(editNote(changed[0], edited.mode, edited.reason));
  return edited.text;
}

/** Joins documents into one YAML stream, starting a new document wherever the next text would continue the last. */
class StreamWriter {
  private out = '';
  private separate = false;

  /** Appends a document's text; `startsNew` starts a new document whatever the text begins with. */
  append(text: string, startsNew = false): void {
    if (text === '') return;
    if ((this.separate || startsNew) && this.out !== '') {
      if (!this.out.endsWith('\n')) this.out += '\n';
      if (text.startsWith('%')) this.out += '...\n';
      else if (!DOCUMENT_START.test(text.slice(0, text.indexOf('\n') + 1 || text.length))) this.out += '---\n';
    }
    this.separate = false;
    this.out += text;
  }

  /** The next text must start a new document (a new file, or after a companion). */
  separateNext(): void {
    if (this.out !== '') this.separate = true;
  }

  text(): string {
    return this.out;
  }
}

/** Checks that the engine's changes give its hardened object, so that what is written is what it meant. */
function checkChanges(placed: PlacedObject, result: HardenResult): void {
  if (result.changes.length === 0) return;
  let applied: unknown;
  try {
    applied = applyEdits(placed.loaded.object, result.changes);
  } catch (err: any) {
    throw new DocumentEditError(`the hardening pass's change cannot be applied: ${err.message}`);
  }
  if (!isDeepStrictEqual(applied, result.object)) throw new DocumentEditError('the hardening pass\'s changes do not give its hardened object');
}

/** Reads the output back and checks it holds exactly the hardened objects and companions, in order. */
function checkOutput(text: string, expected: readonly KubeObject[]): string | undefined {
  const collector = new Collector();
  readYamlText(text, 'output', collector);
  const error = collector.problems.find((p) => p.severity === 'error');
  if (error) return `the output does not read back (line ${error.line}: ${error.message})`;
  if (collector.objects.length !== expected.length) return `the output holds ${collector.objects.length} objects where ${expected.length} were expected`;
  const wrong = collector.objects.findIndex((o, i) => !isDeepStrictEqual(o.object, expected[i]));
  return wrong < 0 ? undefined : `object ${wrong + 1} of the output (${expected[wrong].kind} ${expected[wrong].metadata?.name}) is not the hardened object`;
}

/** The hardening options from the command line, validated as the audit validates them. */
function hardenOptions(options: HardenCommandOptions): HardenObjectsOptions {
  const resolved = resolveAuditOptions({
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    ...(options.runtimeClass !== undefined ? { runtimeClassName: options.runtimeClass } : {}),
    ignoreRules: options.ignoreRule ?? [],
  });
  return { runtimeClassName: resolved.runtimeClassName, ignoreRules: resolved.ignoreRules, defaultNamespace: resolved.namespace ?? 'default' };
}

/** Reads every source in order; standard input at most once. */
async function readInputs(paths: readonly string[], io: HardenCommandIo, problems: InputProblem[]): Promise<InputFile[]> {
  const files: InputFile[] = [];
  let stdinRead = false;
  for (const source of expandPaths(paths, (p) => problems.push(p))) {
    if (source.stdin && stdinRead) { problems.push({ file: STDIN_NAME, severity: 'error', message: 'standard input (-) can be read only once' }); continue; }
    stdinRead ||= source.stdin;
    const read = await readSource(source, io);
    if ('problem' in read) { problems.push(read.problem); continue; }
    files.push(loadText(source.name, read.text, problems));
  }
  return files;
}

/**
 * Runs `harden` for the command line and returns its exit code: 0 when every workload was hardened (the
 * manifests are on stdout), 2 on a refusal, bad input or a usage error (stderr says which; stdout stays empty).
 */
export async function runHardenCommand(paths: readonly string[], options: HardenCommandOptions, io: HardenCommandIo): Promise<number> {
  const fail = (message: string) => {
    io.stderr.write(`${COMMAND}: ${message}\n`);
    return 2;
  };
  if (paths.length === 0) return fail('name at least one file or directory, or - for standard input');
  let hardening: HardenObjectsOptions;
  try {
    hardening = hardenOptions(options);
  } catch (err: any) {
    return fail(err.message);
  }
  const problems: InputProblem[] = [];
  const files = await readInputs(paths, io, problems);
  const placed = files.flatMap((f) => f.documents.flatMap((d) => d.objects));
  const errors = problems.filter((p) => p.severity === 'error');
  for (const p of problems.filter((q) => q.severity !== 'error')) io.stderr.write(formatProblem(p));
  if (errors.length > 0) {
    for (const p of errors) io.stderr.write(formatProblem(p));
    return fail(`${plural(errors.length, 'input error')}; nothing was written`);
  }
  if (placed.length === 0) return fail(`no Kubernetes object found in ${files.map((f) => f.name).join(', ') || 'the input'}: nothing to harden`);

  let list: HardenResult[];
  try {
    list = hardenObjects(placed.map((p) => p.loaded.object), hardening);
  } catch (err: any) {
    return fail(`cannot harden: ${err?.message ?? err}; nothing was written`);
  }
  if (list.length !== placed.length) return fail(`internal error: the hardening pass gave ${list.length} results for ${placed.length} objects; nothing was written`);
  const results = new Map(placed.map((p, i) => [p, list[i]]));
  for (const p of placed) for (const f of results.get(p)!.suppressed) io.stderr.write(formatFinding(f, p, 'note: suppressed: '));
  const refused = placed.filter((p) => results.get(p)!.refusals.length > 0);
  if (refused.length > 0) {
    let count = 0;
    for (const p of refused) for (const f of results.get(p)!.refusals) { io.stderr.write(formatFinding(f, p, 'refused: ')); count++; }
    return fail(`cannot harden ${refused.length} of ${plural(placed.length, 'object')} (${plural(count, 'refusal')}); nothing was written. `
      + 'Fix each field, or ignore the rule for the run (--ignore-rule) or on the object (annotation cdk8s-sandbox.io/suppress: "rule-id: reason") where the rule may be waived.');
  }

  const writer = new StreamWriter();
  const notes: string[] = [];
  const expected: KubeObject[] = [];
  for (const file of files) {
    writer.separateNext();
    for (const doc of file.documents) {
      if (doc.omitted) continue;
      let text: string;
      try {
        for (const p of doc.objects) checkChanges(p, results.get(p)!);
        text = hardenedDocument(doc, results, notes);
      } catch (err: any) {
        if (!(err instanceof DocumentEditError)) throw err;
        const first = doc.objects[0]?.loaded;
        return fail(`${where(file.name, first?.line ?? doc.startLine)}: cannot write the hardened ${first ? describeObject(refOf(first.object)) : 'document'}: ${err.message}; nothing was written`);
      }
      writer.append(text);
      for (const p of doc.objects) {
        const result = results.get(p)!;
        expected.push(result.object);
        for (const companion of result.companions) {
          writer.append(renderYaml(companion), true);
          expected.push(companion);
        }
        if (result.companions.length > 0) writer.separateNext();
      }
    }
  }
  const output = writer.text();
  const wrong = checkOutput(output, expected);
  if (wrong) return fail(`internal error: ${wrong}; nothing was written`);
  for (const note of notes) io.stderr.write(note);
  io.stdout.write(output);
  const workloads = placed.filter((p) => results.get(p)!.workload).length;
  const changed = list.filter((r) => r.changes.length > 0).length;
  const fields = list.reduce((n, r) => n + r.changes.length, 0);
  const companions = list.reduce((n, r) => n + r.companions.length, 0);
  io.stderr.write(`${COMMAND}: ${plural(workloads, 'workload')} hardened, ${plural(fields, 'field')} set in ${plural(changed, 'object')}`
    + `${companions > 0 ? `, ${plural(companions, 'object')} added` : ''}; ${plural(placed.length - changed, 'object')} passed through unchanged\n`);
  return 0;
}

/** Registers the `harden` subcommand. */
export function registerHardenCommand(program: Command): void {
  program
    .command('harden')
    .description('Harden every workload of Kubernetes manifests in place and write them all to stdout, in input order (exit 0 hardened, 2 refused, bad input or usage error: then nothing is written).')
    .argument('[paths...]', 'files, directories (recursively: *.yaml, *.yml, *.json) or - for standard input')
    .option('-n, --namespace <namespace>', 'the namespace of objects that name none, as kubectl apply -n would place them', 'default')
    .option('--runtime-class <name>', 'the RuntimeClass hardened pods name', 'gvisor')
    .option('--ignore-rule <id>', 'skip a rule\'s settings and refusals for the whole run (repeatable)', collect, [])
    .addHelpText('after', [
      '',
      'Every pod template (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, and pod templates in',
      'other kinds) gets the profile\'s settings where a field is unset; a field set to what the profile forbids',
      '(privileged, host namespaces, hostPath, added capabilities, low UIDs, ...) is refused, not changed. Workload',
      'documents are edited in place (comments and formatting kept), every other document is written byte for byte,',
      'and an object the pass adds (a PodDisruptionBudget) follows its workload as a new document.',
      '',
      'Exit 0: everything was hardened and written to stdout. Exit 2: a refusal, bad input or a usage error; every',
      'refusal is listed on stderr with file:line, object, field, reason and fix, and nothing is written to stdout.',
      'Waive a refusal on one object with the annotation cdk8s-sandbox.io/suppress, one "rule-id: reason" per line;',
      'waived refusals are listed on stderr as notes.',
      '',
      'Examples:',
      '  cdk8s-sandbox harden manifests/ > hardened.yaml',
      '  kustomize build overlays/prod | cdk8s-sandbox harden - | kubectl apply -f -',
      '  helm install web ./chart --post-renderer ./cdk8s-sandbox-harden   # Helm 3: a script running exec cdk8s-sandbox harden -',
      '  helm install web ./chart --post-renderer cdk8s-sandbox-harden     # Helm 4: a postrenderer/v1 plugin running the same',
    ].join('\n'))
    .action(async (paths: string[], options: HardenCommandOptions) => {
      process.exitCode = await runHardenCommand(paths, options, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd() });
    });
}
