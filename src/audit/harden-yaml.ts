// In-place editing of one YAML document for `cdk8s-sandbox harden`: the hardening pass's changes (a value at
// a path of keys and list indexes) are applied to a `yaml` Document, then written back as small splices of
// the original text, so comments, key order and the formatting of every untouched line stay as they were.
// Aliases are expanded (the resolved node cloned) before editing, so an edit through one alias never reaches
// the node another alias or the anchor shares. Every edited text is decoded again as kubectl reads it and
// compared with the original plus the changes; where a splice cannot reproduce them (merge keys, multi-line
// values replaced), the whole document is re-serialized from the edited Document, and as a last resort
// written afresh from the expected value.
import { isDeepStrictEqual } from 'util';
import { Document, Node, Pair, Scalar, YAMLMap, YAMLSeq, isAlias, isCollection, isMap, isNode, isPair, isScalar, isSeq, parseDocument, visit } from 'yaml';
import { lastPlainScalarKind, resolvePlain } from '../profile/yaml-scalar';
import { readKubeYaml } from './kube-yaml';

/** One step of a path: a mapping key or a list index. */
export type EditSegment = string | number;

/** One value to set at a path from the document's root (missing mappings and lists are created; an index equal to a list's length appends). */
export interface DocumentEdit {
  readonly segments: readonly EditSegment[];
  readonly value: unknown;
}

/**
 * How an edited document was written: `in-place` (the original text with the changes spliced in), `reformatted`
 * (comments kept, the whole document re-serialized) or `rewritten` (written afresh from its value: comments lost).
 */
export type EditMode = 'in-place' | 'reformatted' | 'rewritten';

/** An edited document's text and how it was written. */
export interface EditedDocument {
  readonly text: string;
  readonly mode: EditMode;
  /** Why the document could not be edited in place (for `reformatted` and `rewritten`). */
  readonly reason?: string;
}

/** A change that cannot be applied to a document (a path through a scalar, an index beyond a list's end, ...). */
export class DocumentEditError extends Error {}

/** Formatting choices for new YAML text, detected from the document being edited. */
export interface YamlStyle {
  /** Spaces per nesting level. */
  readonly indent: number;
  /** Whether a list under a key is indented below it (`key:\n  - a`) or not (`key:\n- a`). */
  readonly indentSeq: boolean;
  /** Whether flow collections have spaces inside their brackets (`{ a: 1 }`). */
  readonly flowPadding: boolean;
}

/** The style of new text where the document gives no hint (kubectl's and kustomize's output). */
export const DEFAULT_YAML_STYLE: YamlStyle = { indent: 2, indentSeq: false, flowPadding: false };

const PARSE_OPTIONS = { schema: 'failsafe', merge: false, uniqueKeys: false, keepSourceTokens: false, prettyErrors: false } as const;

function pathText(segments: readonly EditSegment[]): string {
  return segments.map((s) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z0-9_-]+$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join('').replace(/^\./, '');
}

function isObjectValue(value: unknown): value is { [key: string]: unknown } {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/** A deep copy of a JSON value (not structuredClone: its objects would come from another realm under jest's vm). */
function cloneJson<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/** Sets `value` at `segments` inside a plain JSON value, creating missing (or null) mappings and lists on the way. */
export function setValueAt(root: unknown, segments: readonly EditSegment[], value: unknown): void {
  if (segments.length === 0) throw new DocumentEditError('a change with an empty path would replace the whole object');
  let cursor: any = root;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const at = () => pathText(segments.slice(0, i + 1));
    const last = i === segments.length - 1;
    const fresh = () => (typeof segments[i + 1] === 'number' ? [] : {});
    if (typeof segment === 'number') {
      if (!Array.isArray(cursor)) throw new DocumentEditError(`${at()}: the parent is not a list`);
      if (!Number.isInteger(segment) || segment < 0 || segment > cursor.length) throw new DocumentEditError(`${at()}: index ${segment} is beyond the end of a list of ${cursor.length}`);
      if (last) { cursor[segment] = cloneJson(value); return; }
      if (cursor[segment] === undefined || cursor[segment] === null) cursor[segment] = fresh();
      cursor = cursor[segment];
    } else {
      if (!isObjectValue(cursor)) throw new DocumentEditError(`${at()}: the parent is not a mapping`);
      if (last) { cursor[segment] = cloneJson(value); return; }
      if (cursor[segment] === undefined || cursor[segment] === null) cursor[segment] = fresh();
      cursor = cursor[segment];
    }
    if (typeof cursor !== 'object' || cursor === null) throw new DocumentEditError(`${at()}: is ${JSON.stringify(cursor)}, not a mapping or list`);
  }
}

/** A copy of `value` with the edits applied in order. */
export function applyEdits<T>(value: T, edits: readonly DocumentEdit[]): T {
  const copy = cloneJson(value);
  for (const edit of edits) setValueAt(copy, edit.segments, edit.value);
  return copy;
}

/** Whether a string must be quoted for kubectl (YAML 1.1) to read it back as that string. */
function needsQuotes(text: string): boolean {
  const resolved = resolvePlain(text);
  return lastPlainScalarKind() !== 'string' || resolved !== text;
}

function stringNode(text: string): Scalar {
  const node = new Scalar(text);
  if (needsQuotes(text)) node.type = Scalar.QUOTE_DOUBLE;
  return node;
}

/**
 * A `yaml` node for a plain JSON value, written so that kubectl reads that value back: strings that YAML 1.1
 * would read as something else (`yes`, `010`, `""`) are quoted, numbers, booleans and null are plain.
 */
export function nodeOf(value: unknown): Node {
  if (typeof value === 'string') return stringNode(value);
  if (typeof value === 'boolean' || value === null || (typeof value === 'number' && Number.isFinite(value))) {
    const node = new Scalar(String(value));
    node.type = Scalar.PLAIN;
    return node;
  }
  if (Array.isArray(value)) {
    const seq = new YAMLSeq();
    for (const item of value) seq.items.push(nodeOf(item));
    return seq;
  }
  if (isObjectValue(value)) {
    const map = new YAMLMap();
    for (const [key, item] of Object.entries(value)) if (item !== undefined) map.items.push(new Pair(stringNode(key), nodeOf(item)));
    return map;
  }
  throw new DocumentEditError(`cannot write ${typeof value} ${String(value)} as YAML`);
}

/** YAML text of one node, in `style`, ending with a line break. */
function render(node: Node, style: YamlStyle): string {
  const doc = new Document(undefined, { schema: 'failsafe' });
  doc.contents = node as any;
  return doc.toString({ indent: style.indent, indentSeq: style.indentSeq, lineWidth: 0, flowCollectionPadding: style.flowPadding });
}

/** A plain JSON value (a Kubernetes object) as a YAML document's text, quoted where kubectl would misread it. */
export function renderYaml(value: unknown, style: YamlStyle = DEFAULT_YAML_STYLE): string {
  return render(nodeOf(value), style);
}

/** Decodes one document as kubectl would (undefined for an empty one); throws the reader's problem. */
function decode(text: string): unknown {
  const { documents, error } = readKubeYaml(text);
  if (error) throw new DocumentEditError(`line ${error.line}: ${error.message}`);
  if (documents.length > 1) throw new DocumentEditError(`holds ${documents.length} documents`);
  return documents[0]?.value;
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** What the edits did to the Document's nodes, for writing them back as splices. */
interface EditState {
  readonly text: string;
  /** Original nodes an edit path went through (and the ancestors of expanded aliases that must be written). */
  readonly touched: Set<Node>;
  /** The source range of the node each new node replaced (a null, an alias, a scalar). */
  readonly replaced: WeakMap<Node, [number, number]>;
  /** Clones that stand for aliases: the node they were cloned from, and their alias's ancestors. */
  readonly clones: Map<Node, { readonly original: Node; readonly ancestors: readonly Node[] }>;
  /** Why the document cannot be spliced, if it cannot. */
  unspliceable?: string;
}

function isRanged(node: unknown): node is Node {
  return isNode(node) && !!node.range;
}

function stripSource(node: Node): void {
  visit(node, {
    Node(_key, n) {
      n.range = undefined;
      delete (n as { anchor?: string }).anchor;
    },
  });
}

/**
 * Replaces every alias of the document by a clone of the node it resolves to (without anchors or source
 * ranges), so that edits through one alias stay in that place; `state` learns what each clone stands for.
 */
function expandAliases(doc: Document, state: EditState): void {
  const anchors = new Map<string, Node>();
  visit(doc, {
    Node(key, node, path) {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (!target) throw new DocumentEditError(`alias *${node.source} names no anchor before it`);
        if (key === 'key') state.unspliceable ??= `an alias (*${node.source}) is used as a key`;
        const clone = target.clone() as Node;
        stripSource(clone);
        state.replaced.set(clone, [node.range![0], node.range![1]]);
        state.clones.set(clone, { original: target, ancestors: path.filter((p): p is Node => isNode(p)) });
        return clone;
      }
      if (node.anchor) anchors.set(node.anchor, node);
      return undefined;
    },
  });
}

/** A key as kubectl reads it: plain scalars resolved as YAML 1.1 (`yes` is "true", `010` is "8"). */
function keyText(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined;
  const raw = String(key.value);
  if (key.type !== Scalar.PLAIN) return raw;
  const resolved = resolvePlain(raw);
  return resolved === null ? 'null' : String(resolved);
}

function isNullScalar(node: unknown): boolean {
  if (!isScalar(node) || node.type !== Scalar.PLAIN || node.tag) return false;
  resolvePlain(String(node.value ?? ''));
  return lastPlainScalarKind() === 'null';
}

function hasMergeKey(doc: Document): boolean {
  let found = false;
  visit(doc, {
    Pair(_key, pair) {
      if (isScalar(pair.key) && pair.key.type === Scalar.PLAIN && pair.key.value === '<<') { found = true; return visit.BREAK; }
      return undefined;
    },
  });
  return found;
}

/** The node at `segment` of a mapping (matched as kubectl reads keys) or list. */
function childOf(parent: YAMLMap | YAMLSeq, segment: EditSegment): unknown {
  if (isMap(parent)) return typeof segment === 'string' ? parent.items.find((p) => keyText(p.key) === segment)?.value : undefined;
  return typeof segment === 'number' ? parent.items[segment] : undefined;
}

/** Puts `node` at `segment` of `parent`, remembering the source range of what it replaces. */
function place(parent: YAMLMap | YAMLSeq, segment: EditSegment, node: Node, state: EditState, at: () => string): void {
  let old: unknown;
  if (isMap(parent)) {
    if (typeof segment !== 'string') throw new DocumentEditError(`${at()}: index ${segment} into a mapping`);
    const pair = parent.items.find((p) => keyText(p.key) === segment);
    if (pair) {
      old = pair.value;
      pair.value = node;
    } else {
      parent.items.push(new Pair(stringNode(segment), node));
    }
  } else {
    if (typeof segment !== 'number') throw new DocumentEditError(`${at()}: key ${JSON.stringify(segment)} into a list`);
    if (!Number.isInteger(segment) || segment < 0 || segment > parent.items.length) {
      throw new DocumentEditError(`${at()}: index ${segment} is beyond the end of a list of ${parent.items.length}`);
    }
    old = parent.items[segment];
    parent.items[segment] = node;
  }
  if (isRanged(old)) {
    state.replaced.set(node, [old.range![0], old.range![1]]);
    if (isScalar(old) && isScalar(node) && old.comment) node.comment = old.comment;
    if (old.anchor || old.tag) state.unspliceable ??= `${at()}: the value replaced carries an anchor or tag`;
  } else if (old !== undefined && state.replaced.has(old as Node)) {
    state.replaced.set(node, state.replaced.get(old as Node)!);
  }
}

/** Applies one edit to the Document, creating missing (or null) mappings and lists on the way. */
function applyEdit(doc: Document, edit: DocumentEdit, state: EditState): void {
  const { segments } = edit;
  if (segments.length === 0) throw new DocumentEditError('a change with an empty path would replace the whole object');
  let node: unknown = doc.contents;
  for (let i = 0; i < segments.length; i++) {
    const at = () => pathText(segments.slice(0, i + 1));
    if (!isMap(node) && !isSeq(node)) throw new DocumentEditError(`${at()}: the parent is not a mapping or list in the YAML`);
    state.touched.add(node);
    const parent: YAMLMap | YAMLSeq = node;
    const segment = segments[i];
    if (i === segments.length - 1) {
      place(parent, segment, nodeOf(edit.value), state, at);
      return;
    }
    const child = childOf(parent, segment);
    if (child === undefined || child === null || isNullScalar(child)) {
      const created = typeof segments[i + 1] === 'number' ? new YAMLSeq() : new YAMLMap();
      place(parent, segment, created, state, at);
      node = created;
    } else if (isCollection(child)) {
      node = child;
    } else {
      throw new DocumentEditError(`${at()}: is ${isScalar(child) ? JSON.stringify(child.value) : 'a scalar'} in the YAML, not a mapping or list`);
    }
  }
}

/** One piece of new text: `text` replaces `[from, to)`; equal offsets are ordered deeper first. */
interface Splice {
  readonly from: number;
  readonly to: number;
  readonly text: string;
  readonly depth: number;
}

/** Offset just after the line break of the line holding the character before `offset`. */
function lineEndAfter(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset;
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

function indentLines(block: string, column: number, firstToo = true): string {
  const pad = ' '.repeat(column);
  return block.split('\n').map((line, i) => (line === '' || (i === 0 && !firstToo) ? line : pad + line)).join('\n');
}

/** Writes the Document's changes back as splices of the original text. */
class Splicer {
  readonly splices: Splice[] = [];

  constructor(private readonly state: EditState, private readonly style: YamlStyle) {}

  private get text(): string { return this.state.text; }

  /** Whether a clone written for an alias must be written out (it, or the node it copies, was edited). */
  private active(node: Node): boolean {
    const clone = this.state.clones.get(node);
    return !clone || this.state.touched.has(node) || this.state.touched.has(clone.original);
  }

  private changed(node: Node): boolean {
    return this.state.touched.has(node);
  }

  /** The end of an original node's content (the last value of a block collection, not trailing comments). */
  private contentEnd(node: Node): number {
    const pairs = isMap(node) && !node.flow ? node.items.filter((p) => isRanged(p.key)) : [];
    if (pairs.length > 0) {
      const last = pairs[pairs.length - 1];
      const value = last.value as Node | null;
      if (value && isRanged(value)) return this.contentEnd(value);
      if (value && this.state.replaced.has(value)) return this.state.replaced.get(value)![1];
      return (last.key as Node).range![1];
    }
    if (isSeq(node) && !node.flow && node.items.length > 0) {
      const ranged = node.items.filter((item) => isRanged(item) || this.state.replaced.has(item as Node)) as Node[];
      const last = ranged[ranged.length - 1];
      if (last) return isRanged(last) ? this.contentEnd(last) : this.state.replaced.get(last)![1];
    }
    return node.range![1];
  }

  /** Appends lines after the content of `node` (a block collection), at `column`. */
  private appendLines(node: Node, block: string, column: number, depth: number): void {
    const at = lineEndAfter(this.text, this.contentEnd(node));
    const lead = at === this.text.length && !this.text.endsWith('\n') && this.text.length > 0 ? '\n' : '';
    this.splices.push({ from: at, to: at, text: lead + indentLines(block, column), depth });
  }

  /** The new value of a block mapping's key: inline when it is one line, else on the lines below the key. */
  private replaceInMap(pair: Pair, value: Node, range: [number, number], depth: number): void {
    const old = this.text.slice(range[0], range[1]);
    if (old.includes('\n')) { this.state.unspliceable ??= 'a multi-line value is replaced'; return; }
    if (isCollection(value) && value.items.length > 0 && !value.flow) {
      const keyEnd = (pair.key as Node).range![1];
      const colon = this.text.indexOf(':', keyEnd);
      if (colon < 0 || colon > range[0]) { this.state.unspliceable ??= 'a key without a colon before its value'; return; }
      const keyColumn = columnOf(this.text, (pair.key as Node).range![0]);
      const column = keyColumn + (isSeq(value) && !this.style.indentSeq ? 0 : this.style.indent);
      this.splices.push({ from: colon + 1, to: range[1], text: '', depth });
      const at = lineEndAfter(this.text, range[1]);
      const lead = at === this.text.length && !this.text.endsWith('\n') ? '\n' : '';
      this.splices.push({ from: at, to: at, text: lead + indentLines(this.renderNew(value), column), depth });
      return;
    }
    const inline = this.renderNew(value).replace(/\n$/, '');
    if (inline.includes('\n')) { this.state.unspliceable ??= 'a value that needs several lines replaces an inline one'; return; }
    this.splices.push({ from: range[0], to: range[1], text: range[0] === range[1] ? ` ${inline}` : inline, depth });
  }

  /** The new item of a block list (`- value`): its first line after the dash, the others aligned below it. */
  private replaceInSeq(value: Node, range: [number, number], depth: number): void {
    const old = this.text.slice(range[0], range[1]);
    if (old.includes('\n')) { this.state.unspliceable ??= 'a multi-line list item is replaced'; return; }
    const block = this.renderNew(value).replace(/\n$/, '');
    this.splices.push({ from: range[0], to: range[1], text: indentLines(block, columnOf(this.text, range[0]), false), depth });
  }

  /** New text for a node made by the edits (or a clone), without anchors. */
  private renderNew(node: Node): string {
    return render(node, this.style);
  }

  /** Rewrites a flow collection that holds a change, from its `{`/`[` to its closing bracket. */
  private rewriteFlow(node: YAMLMap | YAMLSeq, depth: number): void {
    const copy = node.clone() as YAMLMap | YAMLSeq;
    delete (copy as { anchor?: string }).anchor;
    copy.comment = undefined;
    copy.commentBefore = undefined;
    const source = this.text.slice(node.range![0], node.range![1]);
    const padding = /^[{[][ ]/.test(source);
    const inline = render(copy, { ...this.style, flowPadding: padding }).replace(/\n$/, '');
    if (inline.includes('\n')) { this.state.unspliceable ??= 'a flow collection would span lines'; return; }
    this.splices.push({ from: node.range![0], to: node.range![1], text: inline, depth });
  }

  /** Collects the splices for an original node the edits went through. */
  visit(node: Node, depth: number, parentPair?: Pair): void {
    if (isCollection(node) && node.flow) {
      const wasEmpty = node.items.every((item) => !isRanged(isPair(item) ? item.key : item));
      if (wasEmpty && parentPair && node.items.length > 0) {
        node.flow = false;
        this.replaceInMap(parentPair, node, [node.range![0], node.range![1]], depth);
        return;
      }
      this.rewriteFlow(node, depth);
      return;
    }
    if (isMap(node)) {
      const fresh: Pair[] = [];
      for (const pair of node.items) {
        if (!isRanged(pair.key)) { fresh.push(pair); continue; }
        const value = pair.value as Node | null;
        if (!value) continue;
        if (isRanged(value)) {
          if (this.changed(value)) this.visit(value, depth + 1, pair);
        } else if (this.state.replaced.has(value)) {
          if (this.active(value)) this.replaceInMap(pair, value, this.state.replaced.get(value)!, depth + 1);
        }
      }
      if (fresh.length > 0) {
        const map = new YAMLMap();
        map.items = fresh;
        const first = node.items.find((p) => isRanged(p.key));
        this.appendLines(node, this.renderNew(map), first ? columnOf(this.text, (first.key as Node).range![0]) : 0, depth);
      }
      return;
    }
    if (isSeq(node)) {
      const fresh: Node[] = [];
      for (const item of node.items as Node[]) {
        if (isRanged(item)) {
          if (fresh.length > 0) { this.state.unspliceable ??= 'a list item inserted before existing ones'; return; }
          if (this.changed(item)) this.visit(item, depth + 1);
        } else if (this.state.replaced.has(item)) {
          if (fresh.length > 0) { this.state.unspliceable ??= 'a list item inserted before existing ones'; return; }
          if (this.active(item)) this.replaceInSeq(item, this.state.replaced.get(item)!, depth + 1);
        } else {
          fresh.push(item);
        }
      }
      if (fresh.length > 0) {
        const seq = new YAMLSeq();
        seq.items = fresh;
        this.appendLines(node, this.renderNew(seq), columnOf(this.text, node.range![0]), depth);
      }
    }
  }
}

/** The splices applied to the text, last first. */
function applySplices(text: string, splices: readonly Splice[]): string {
  const ordered = splices.map((s, i) => ({ s, i })).sort((a, b) => (b.s.from - a.s.from) || (a.s.depth - b.s.depth) || (b.i - a.i));
  let out = text;
  let limit = Infinity;
  for (const { s } of ordered) {
    if (s.to > limit) throw new DocumentEditError('overlapping edits');
    out = out.slice(0, s.from) + s.text + out.slice(s.to);
    limit = s.from;
  }
  return out;
}

/** Marks the ancestors of the aliases whose clones must be written, so the splicer reaches them. */
function markActiveClones(state: EditState): void {
  for (const [clone, { original, ancestors }] of state.clones) {
    if (!state.touched.has(clone) && !state.touched.has(original)) continue;
    for (const ancestor of ancestors) if (isRanged(ancestor)) state.touched.add(ancestor);
  }
}

function mostCommon(counts: Map<number, number>, fallback: number): number {
  let best = fallback;
  let bestCount = 0;
  for (const [value, count] of counts) if (count > bestCount) { best = value; bestCount = count; }
  return best;
}

/** The indentation, list style and flow padding the document already uses. */
export function detectStyle(doc: Document, text: string): YamlStyle {
  const indents = new Map<number, number>();
  let indented = 0;
  let flush = 0;
  let padded = 0;
  let tight = 0;
  visit(doc, {
    Pair(_key, pair) {
      const key = pair.key as Node | null;
      const value = pair.value as Node | null;
      if (!isRanged(key) || !isRanged(value) || !isCollection(value)) return;
      if (value.flow) {
        const source = text.slice(value.range![0], value.range![0] + 2);
        if (/^[{[] /.test(source)) padded++;
        else if (/^[{[][^ }\]]/.test(source)) tight++;
        return;
      }
      const keyColumn = columnOf(text, key.range![0]);
      if (isSeq(value)) {
        if (columnOf(text, value.range![0]) > keyColumn) indented++;
        else flush++;
      } else if (isMap(value) && value.items[0] && isRanged(value.items[0].key)) {
        const step = columnOf(text, (value.items[0].key as Node).range![0]) - keyColumn;
        if (step > 0) indents.set(step, (indents.get(step) ?? 0) + 1);
      }
    },
  });
  return {
    indent: mostCommon(indents, DEFAULT_YAML_STYLE.indent),
    indentSeq: indented === flush ? DEFAULT_YAML_STYLE.indentSeq : indented > flush,
    flowPadding: padded === tight ? DEFAULT_YAML_STYLE.flowPadding : padded > tight,
  };
}

/** The document's own `---` line, if it starts with one (kept when it is rewritten). */
function leadingMarker(text: string): string {
  const m = /^(?:[ \t]*(?:#[^\n]*)?\r?\n)*(---(?:[ \t][^\n]*)?\r?\n)/.exec(text);
  return m ? text.slice(0, m.index + m[0].length) : '';
}

/**
 * Applies the edits to one YAML document's text (the text between two `---` lines, markers and comments
 * included) and returns the new text: spliced into the original where possible, else re-serialized. The result
 * decodes (as kubectl reads YAML) to exactly the original value with the edits applied, or this throws a
 * DocumentEditError. `original` is the document's value as kubectl reads it, when the caller has it already.
 */
export function editDocument(text: string, edits: readonly DocumentEdit[], original?: unknown): EditedDocument {
  if (edits.length === 0) return { text, mode: 'in-place' };
  const expected = applyEdits(original === undefined ? decode(text) : original, edits);
  const matches = (candidate: string) => {
    try {
      return isDeepStrictEqual(decode(candidate), expected);
    } catch {
      return false;
    }
  };
  const doc = parseDocument(text, PARSE_OPTIONS);
  let reason: string | undefined = doc.errors.length > 0 ? `the YAML library reads it otherwise: ${doc.errors[0].message.split('\n')[0]}` : undefined;
  if (!reason && !isMap(doc.contents)) reason = 'its root is not a mapping';
  if (!reason) {
    const state: EditState = { text, touched: new Set(), replaced: new WeakMap(), clones: new Map() };
    expandAliases(doc, state);
    if (hasMergeKey(doc)) state.unspliceable = 'it uses merge keys (<<)';
    for (const edit of edits) applyEdit(doc, edit, state);
    if (!state.unspliceable) {
      markActiveClones(state);
      const splicer = new Splicer(state, detectStyle(doc, text));
      splicer.visit(doc.contents as Node, 0);
      if (!state.unspliceable) {
        const spliced = applySplices(text, splicer.splices);
        if (matches(spliced)) return { text: spliced, mode: 'in-place' };
        state.unspliceable = 'the spliced text does not read back as the hardened object';
      }
    }
    reason = state.unspliceable;
    const style = detectStyle(doc, text);
    const reformatted = doc.toString({ indent: style.indent, indentSeq: style.indentSeq, lineWidth: 0, flowCollectionPadding: style.flowPadding });
    if (matches(reformatted)) return { text: reformatted, mode: 'reformatted', ...(reason ? { reason } : {}) };
    reason = `${reason ? `${reason}; ` : ''}the re-serialized document does not read back as the hardened object`;
  }
  const rewritten = leadingMarker(text) + renderYaml(expected);
  if (matches(rewritten)) return { text: rewritten, mode: 'rewritten', reason: reason! };
  throw new DocumentEditError(`cannot write the changes so that kubectl reads them back (${reason})`);
}

/** A JSON document's edited text: the value with the edits, indented as the original (two spaces when it is one line). */
export function editJsonDocument(text: string, edits: readonly DocumentEdit[]): string {
  if (edits.length === 0) return text;
  const indent = /\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
  return `${JSON.stringify(applyEdits(JSON.parse(text), edits), null, indent)}\n`;
}
