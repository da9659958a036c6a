// Loads Kubernetes objects from files, directories (recursively) and standard input, one file and
// one document at a time, remembering the file and line of each object. Bad input (missing paths,
// binary files, malformed YAML) becomes a problem with its file and line; loading goes on.
import * as fs from 'fs';
import * as path from 'path';
import { StringDecoder } from 'string_decoder';
import { KubeObject } from '../profile';
import { DocumentSplitter, RawDocument, jsonItemLines, parseDocument } from './documents';
import { locatePath, parsePath } from './locate';

/** Where an input problem or an object is. */
export interface InputProblem {
  /** The file as given or found (`-` for standard input). */
  readonly file: string;
  /** 1-based line, when the problem has one. */
  readonly line?: number;
  /** `error` makes the audit exit 2; `warning` is reported and skipped. */
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

/** A Kubernetes object with where it was found. */
export interface LoadedObject {
  readonly object: KubeObject;
  readonly file: string;
  /** 1-based line where the object starts. */
  readonly line: number;
  /**
   * The 1-based line of a JSON path inside the object (its deepest existing part), or the
   * object's line. It holds the document's lines: keep it only for small objects.
   */
  readonly lineOf: (jsonPath: string) => number;
}

/** Receives what loading finds, in order. */
export interface LoadSink {
  /** A Kubernetes object (List items arrive one by one). */
  object(loaded: LoadedObject): void;
  /** A problem with the input. */
  problem(problem: InputProblem): void;
  /** A file (or standard input) is about to be read. */
  file?(file: string): void;
}

/** The file name extensions a directory walk picks up. */
export const MANIFEST_EXTENSIONS: readonly string[] = ['.yaml', '.yml', '.json'];

/** The name standard input goes by in reports. */
export const STDIN_NAME = '-';

const BLOCK_SIZE = 1 << 20;

/** A file or `-` to read, as the user named it or as a directory walk found it. */
export interface Source {
  readonly name: string;
  readonly stdin: boolean;
}

/** Expands the paths given on the command line into the sources to read, sorted within each directory. */
export function expandPaths(paths: readonly string[], problem: (p: InputProblem) => void): Source[] {
  const sources: Source[] = [];
  for (const given of paths) {
    if (given === STDIN_NAME) { sources.push({ name: STDIN_NAME, stdin: true }); continue; }
    let stat: fs.Stats;
    try {
      stat = fs.statSync(given);
    } catch (err: any) {
      problem({ file: given, severity: 'error', message: err?.code === 'ENOENT' ? 'no such file or directory' : `cannot read: ${err?.message ?? err}` });
      continue;
    }
    if (stat.isDirectory()) {
      const found = walk(given, new Set(), problem);
      if (found.length === 0) problem({ file: given, severity: 'error', message: `directory holds no manifest (no ${MANIFEST_EXTENSIONS.map((e) => `*${e}`).join(', ')} file, hidden directories skipped)` });
      sources.push(...found.map((name) => ({ name, stdin: false })));
    } else {
      sources.push({ name: given, stdin: false });
    }
  }
  return sources;
}

function walk(dir: string, seen: Set<string>, problem: (p: InputProblem) => void): string[] {
  let real: string;
  let entries: fs.Dirent[];
  try {
    real = fs.realpathSync(dir);
    if (seen.has(real)) return [];
    seen.add(real);
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err: any) {
    problem({ file: dir, severity: 'error', message: `cannot read directory: ${err?.message ?? err}` });
    return [];
  }
  const out: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      try {
        const stat = fs.statSync(full);
        isDir = stat.isDirectory();
        isFile = stat.isFile();
      } catch {
        continue;
      }
    }
    if (isDir) out.push(...walk(full, seen, problem));
    else if (isFile && MANIFEST_EXTENSIONS.includes(path.extname(entry.name).toLowerCase())) out.push(full);
  }
  return out;
}

/** Whether a parsed value is a Kubernetes object (a mapping with string apiVersion and kind). */
export function isKubeObject(value: unknown): value is KubeObject {
  return !!value && typeof value === 'object' && !Array.isArray(value)
    && typeof (value as any).apiVersion === 'string' && typeof (value as any).kind === 'string';
}

/** How deep Lists inside Lists are flattened (kubectl has no bound; real manifests nest once or twice). */
export const MAX_LIST_NESTING = 8;

function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

function isMapping(value: unknown): value is { [key: string]: unknown } {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A key other than `items` that Go's encoding/json would still match to kubectl's `items` field
 * (it ignores case, with Unicode simple folding: "ſ", U+017F, matches "s").
 */
function foldedItemsKey(object: { [key: string]: unknown }): string | undefined {
  for (const key of Object.keys(object)) {
    if (key.length === 5 && key !== 'items' && key.replace(/\u017f/g, 's').toLowerCase() === 'items') return key;
  }
  return undefined;
}

/** What kubectl's unstructured decoding gives a nested item's `kind`/`apiVersion`: the string, or "". */
function stringField(object: { [key: string]: unknown }, key: string): string {
  const value = object[key];
  return typeof value === 'string' ? value : '';
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a sequence';
  if (typeof value === 'object' && value !== null) return 'a mapping without apiVersion and kind';
  return `a ${typeof value} (${JSON.stringify(value).slice(0, 40)})`;
}

/** Where a document's objects come from, to find their lines. */
interface DocumentPlace {
  readonly file: string;
  readonly doc: RawDocument | undefined;
  readonly sink: LoadSink;
  /** Lines of the top-level `items` elements (JSON documents, which have no RawDocument). */
  readonly itemLines?: number[];
}

function lineIn(place: DocumentPlace, prefix: (string | number)[], jsonPath: string, fallback: number): number {
  if (!place.doc) return fallback;
  const at = locatePath(place.doc.lines, [...prefix, ...parsePath(jsonPath)]);
  return at === undefined ? fallback : place.doc.startLine + at;
}

function pathText(path: (string | number)[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').slice(1);
}

/**
 * Hands the objects of one parsed YAML document to the sink, as kubectl sees them: an object
 * with an `items` field is a list whatever its kind (kubectl's unstructured decoding), applied as
 * its items only; items that are lists again are flattened too (up to MAX_LIST_NESTING); a
 * top-level list's items without kind and apiVersion get the list's kind (less "List") and
 * apiVersion, as kubectl gives them.
 */
function emitDocument(value: unknown, line: number, doc: RawDocument | undefined, file: string, sink: LoadSink, itemLines?: number[]): void {
  const place: DocumentPlace = { file, doc, sink, ...(itemLines ? { itemLines } : {}) };
  if (!isKubeObject(value)) {
    sink.problem({ file, line, severity: 'warning', message: `skipped: not a Kubernetes object (${describe(value)})` });
    return;
  }
  const folded = foldedItemsKey(value);
  if (folded !== undefined) {
    sink.problem({ file, line: lineIn(place, [folded], '', line), severity: 'error', message: `key "${folded}": kubectl's JSON decoding ignores case and reads it as the list's "items"; write "items" or rename it` });
    return;
  }
  if (!hasOwn(value, 'items')) {
    sink.object({ object: value, file, line, lineOf: (p) => lineIn(place, [], p, line) });
    return;
  }
  const items = (value as { items?: unknown }).items;
  const itemsLine = lineIn(place, ['items'], '', line);
  if (items === null) {
    sink.problem({ file, line: itemsLine, severity: 'warning', message: `skipped: kubectl reads this ${value.kind} as a list ("items: null") and applies nothing from it` });
    return;
  }
  if (!Array.isArray(items)) {
    sink.problem({ file, line: itemsLine, severity: 'error', message: `"items" is ${describe(items).replace(/ without apiVersion and kind$/, '')}, not a sequence: kubectl cannot read this ${value.kind} as a list` });
    return;
  }
  const inherited = { kind: value.kind.endsWith('List') ? value.kind.slice(0, -'List'.length) : value.kind, apiVersion: value.apiVersion };
  emitItems(items, ['items'], 1, value.kind, line, place, inherited);
}

/** Hands a list's items to the sink, flattening items that are lists themselves. */
function emitItems(items: unknown[], prefix: (string | number)[], depth: number, listKind: string, listLine: number, place: DocumentPlace, inherited?: { kind: string; apiVersion: string }): void {
  const { file, sink } = place;
  items.forEach((item, i) => {
    const path = [...prefix, i];
    const itemLine = (depth === 1 ? place.itemLines?.[i] : undefined) ?? lineIn(place, path, '', listLine);
    if (inherited && isMapping(item) && stringField(item, 'kind') === '' && stringField(item, 'apiVersion') === '') {
      item.kind = inherited.kind;
      item.apiVersion = inherited.apiVersion;
    }
    if (isMapping(item) && Array.isArray(item.items)) {
      if (depth >= MAX_LIST_NESTING) {
        sink.problem({ file, line: itemLine, severity: 'error', message: `${pathText(path)} of the ${listKind}: Lists nested more than ${MAX_LIST_NESTING} deep are not read` });
        return;
      }
      emitItems(item.items, [...path, 'items'], depth + 1, listKind, itemLine, place);
      return;
    }
    if (!isKubeObject(item)) {
      sink.problem({ file, line: itemLine, severity: 'warning', message: `skipped: ${pathText(path)} of the ${listKind} is not a Kubernetes object (${describe(item)})` });
      return;
    }
    sink.object({ object: item, file, line: itemLine, lineOf: (p) => lineIn(place, path, p, itemLine) });
  });
}

/** Reads YAML text as it arrives, document by document. */
class YamlReader {
  private readonly splitter: DocumentSplitter;
  private documents = 0;

  constructor(private readonly file: string, private readonly sink: LoadSink) {
    this.splitter = new DocumentSplitter((doc) => this.document(doc));
  }

  write(text: string): void { this.splitter.write(text); }

  end(): void {
    this.splitter.end();
    if (this.documents === 0) this.sink.problem({ file: this.file, severity: 'warning', message: 'skipped: holds no YAML document' });
  }

  private document(doc: RawDocument): void {
    const { documents, error } = parseDocument(doc);
    if (error) this.sink.problem({ file: this.file, line: error.line, severity: 'error', message: error.message });
    for (const parsed of documents) {
      this.documents++;
      emitDocument(parsed.value, parsed.line, doc, this.file, this.sink);
    }
    if (error) this.documents++;
  }
}

export function binaryProblem(file: string, offset: number): InputProblem {
  return { file, severity: 'error', message: `binary content (a NUL byte at offset ${offset}): not YAML or JSON text` };
}

/** Reads one file from disk, streaming YAML in blocks; JSON files are parsed whole. */
export function readFile(file: string, sink: LoadSink): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err: any) {
    sink.problem({ file, severity: 'error', message: `cannot read: ${err?.message ?? err}` });
    return;
  }
  try {
    if (path.extname(file).toLowerCase() === '.json') readJsonFile(fd, file, sink);
    else readYamlStream(fd, file, sink);
  } catch (err: any) {
    sink.problem({ file, severity: 'error', message: `cannot read: ${err?.message ?? err}` });
  } finally {
    fs.closeSync(fd);
  }
}

function readYamlStream(fd: number, file: string, sink: LoadSink): void {
  const reader = new YamlReader(file, sink);
  const decoder = new StringDecoder('utf8');
  const buffer = Buffer.allocUnsafe(BLOCK_SIZE);
  let offset = 0;
  for (;;) {
    const n = fs.readSync(fd, buffer, 0, BLOCK_SIZE, null);
    if (n === 0) break;
    const chunk = buffer.subarray(0, n);
    const nul = chunk.indexOf(0);
    if (nul >= 0) { sink.problem(binaryProblem(file, offset + nul)); return; }
    let text = decoder.write(chunk);
    if (offset === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    reader.write(text);
    offset += n;
  }
  reader.write(decoder.end());
  reader.end();
}

function readJsonFile(fd: number, file: string, sink: LoadSink): void {
  const bytes = fs.readFileSync(fd);
  const nul = bytes.indexOf(0);
  if (nul >= 0) { sink.problem(binaryProblem(file, nul)); return; }
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  readJsonText(text, file, sink);
}

/** Parses JSON text; text that is not JSON is read as YAML (kubectl decodes by content, not name). */
export function readJsonText(text: string, file: string, sink: LoadSink): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    readYamlText(text, file, sink);
    return;
  }
  if (value === null) { sink.problem({ file, line: 1, severity: 'warning', message: 'skipped: holds no document' }); return; }
  const firstLine = 1 + (text.slice(0, text.search(/\S|$/)).match(/\n/g)?.length ?? 0);
  emitDocument(value, firstLine, undefined, file, sink, isKubeObject(value) && Array.isArray((value as { items?: unknown }).items) ? jsonItemLines(text) : undefined);
}

/** Reads YAML (or JSON) text held in memory. */
export function readYamlText(text: string, file: string, sink: LoadSink): void {
  const reader = new YamlReader(file, sink);
  reader.write(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  reader.end();
}

/** Reads standard input (or any stream of bytes) as YAML. */
export async function readStream(stream: AsyncIterable<Buffer | string>, file: string, sink: LoadSink): Promise<void> {
  const reader = new YamlReader(file, sink);
  const decoder = new StringDecoder('utf8');
  let offset = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const nul = bytes.indexOf(0);
    if (nul >= 0) { sink.problem(binaryProblem(file, offset + nul)); return; }
    let text = decoder.write(bytes);
    if (offset === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    reader.write(text);
    offset += bytes.length;
  }
  reader.write(decoder.end());
  reader.end();
}

/** Loads every source in order, handing objects and problems to the sink; `stdin` is called only if `-` is among them. */
export async function loadSources(sources: readonly Source[], sink: LoadSink, stdin: () => AsyncIterable<Buffer | string>): Promise<void> {
  let stdinRead = false;
  for (const source of sources) {
    sink.file?.(source.name);
    if (!source.stdin) { readFile(source.name, sink); continue; }
    if (stdinRead) { sink.problem({ file: source.name, severity: 'error', message: 'standard input (-) can be read only once' }); continue; }
    stdinRead = true;
    await readStream(stdin(), source.name, sink);
  }
}
