// Reads YAML the way kubectl does: sigs.k8s.io/yaml's YAMLToJSON on gopkg.in/yaml.v2 (a YAML 1.1
// libyaml port), so the audit and the runner see the values the cluster would see. What this reader
// cannot reproduce exactly it refuses, with the 1-based line and a way to write it unambiguously.
//
// The exact path: syntax comes from the `yaml` package (YAML 1.2, failsafe schema: every scalar a
// string, no merge keys); values are built here by walking its nodes with yaml.v2's rules: plain
// scalars resolved as YAML 1.1 (`yes`, `on`, `010` octal, `1_000`...), merge keys (`<<`) applied where
// they stand, aliases expanded under caps, map keys turned into strings as sigs.k8s.io/yaml does.
// Where libyaml's syntax differs from YAML 1.2 (NEL/LS/PS line breaks, tabs, escapes, flow `?` and
// `:`...), the document is refused. The fast path (at the end) reads plain block YAML, which most
// manifests are, without the `yaml` package, and hands everything else to the exact path.
import * as jsyaml from 'js-yaml';
import { Alias, Document, Scalar, YAMLMap, YAMLSeq, isAlias, isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import { lastPlainScalarKind, resolvePlain } from '../profile/yaml-scalar';

/** One decoded document: its JSON value and the 1-based line where its content starts. */
export interface KubeYamlDocument {
  readonly value: unknown;
  readonly line: number;
}

/** Why a document was not read: a syntax error, or YAML whose kubectl reading is not reproduced. */
export interface KubeYamlProblem {
  /** 1-based line in the file. */
  readonly line: number;
  readonly message: string;
}

/** The documents read (in order), and the problem that stopped reading, if any. */
export interface KubeYamlResult {
  readonly documents: KubeYamlDocument[];
  readonly error?: KubeYamlProblem;
}

/**
 * Bytes that alias expansion may add to one document: the Kubernetes API server's default request
 * body limit (3 MiB). An object whose aliases alone expand beyond it could never be applied, so
 * refusing it loses nothing, and a small file can no longer expand into gigabytes.
 */
export const MAX_ALIAS_EXPANSION_BYTES = 3 * 1024 * 1024;

/** Nodes that alias expansion may add to one document (keeps the decoded value within tens of MB). */
export const MAX_ALIAS_EXPANSION_NODES = 100_000;

/** Longest implicit mapping key read, up to its `:` (libyaml gives up at 1024; kept below to be sure). */
export const MAX_KEY_LENGTH = 1000;

/** Deepest nesting of mappings and sequences read (real manifests stay far below it). */
export const MAX_NESTING_DEPTH = 256;

const STR_TAG = 'tag:yaml.org,2002:str';
const MAP_TAG = 'tag:yaml.org,2002:map';
const SEQ_TAG = 'tag:yaml.org,2002:seq';

/** Thrown inside the decoder; becomes the document's problem. */
class Refusal extends Error {
  constructor(readonly offset: number, message: string) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Plain scalars: yaml.v2's resolve(), in the profile (src/profile/yaml-scalar.ts) for the builders too.

export { resolvePlainScalar, type PlainScalarKind } from '../profile/yaml-scalar';

// ---------------------------------------------------------------------------------------------
// Text checks: characters whose reading differs between yaml.v2 and YAML 1.2, refused up front.

const UNSAFE_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]|\r(?!\n)|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** A `---` line followed only by whitespace that kubectl's document splitter counts and YAML does not. */
const ODD_SEPARATOR = /^---[ \t]*[\v\f\u0085\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000][\s\u0085]*$/m;

function characterName(ch: string): string {
  const code = ch.codePointAt(0)!;
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  const names: { [code: number]: string } = { 0x85: 'NEL (next line)', 0x2028: 'LS (line separator)', 0x2029: 'PS (paragraph separator)', 0xd: 'CR (carriage return) not followed by LF', 0xfeff: 'BOM (zero width no-break space)' };
  return `U+${hex}${names[code] ? ` ${names[code]}` : ''}`;
}

function unsafeCharacterMessage(ch: string): string {
  const code = ch.codePointAt(0)!;
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  if (code === 0x85 || code === 0x2028 || code === 0x2029 || code === 0xd) {
    return `raw ${characterName(ch)}: kubectl's YAML 1.1 parser breaks the line there and YAML 1.2 does not, so it could hide a key in a comment; write it escaped ("\\u${hex}" in a double-quoted string) or remove it`;
  }
  if (code >= 0xd800 && code <= 0xdfff) return `unpaired surrogate ${characterName(ch)}: not a character kubectl can read`;
  return `control character ${characterName(ch)} is not allowed in YAML (kubectl rejects it); write it escaped ("\\u${hex}" in a double-quoted string)`;
}

/** libyaml's double-quoted escapes (no `\/`, unlike YAML 1.2); a line break may follow `\`. */
const LIBYAML_ESCAPE = /\\(?:[0abt\tnvfre "'\\N_LP\n]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})/y;

/** `\` ending a line inside a double-quoted string, then a line holding only whitespace. */
const ESCAPED_BREAK_THEN_EMPTY_LINE = /\\\r?\n[ \t]*\r?\n/;

/**
 * The offset of a tab that libyaml rejects in a block scalar's content lines (`from` to `to`): one
 * before or at the first line with content (indentation is being detected), or inside the
 * detected indentation of a later line. -1 when there is none.
 */
function blockScalarIndentTab(source: string, from: number, to: number): number {
  if (source.indexOf('\t', from) < 0 || source.indexOf('\t', from) >= to) return -1;
  let indent = -1;
  for (let lineStart = from; lineStart < to; ) {
    const next = source.indexOf('\n', lineStart);
    const lineEnd = next < 0 || next > to ? to : next;
    let i = lineStart;
    while (i < lineEnd && source.charCodeAt(i) === 32) i++;
    const spaces = i - lineStart;
    if (source.charCodeAt(i) === 9 && i < lineEnd && (indent < 0 || spaces < indent)) return i;
    if (indent < 0 && i < lineEnd && source.charCodeAt(i) !== 13) indent = spaces;
    lineStart = lineEnd + 1;
  }
  return -1;
}

/** The offset of the first escape in a double-quoted scalar's source that libyaml does not read as YAML 1.2 does. */
function badEscapeOffset(source: string, start: number, end: number): number {
  for (let i = source.indexOf('\\', start); i >= 0 && i < end; i = source.indexOf('\\', i)) {
    LIBYAML_ESCAPE.lastIndex = i;
    const match = LIBYAML_ESCAPE.exec(source);
    if (!match) return i;
    const code = match[0][1] === 'u' || match[0][1] === 'U' ? parseInt(match[0].slice(2), 16) : -1;
    if ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return i;
    i += match[0].length;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// The decoder: yaml.v2's decoder.unmarshal over the `yaml` package's nodes.

type YamlNode = Scalar | YAMLMap | YAMLSeq | Alias;
type JsonObject = { [key: string]: unknown };
type KeyKind = 'int' | 'bool';

/** yaml.v2's allowedAliasRatio: the share of decode steps that may come from aliases. */
function allowedAliasRatio(decodeCount: number): number {
  if (decodeCount <= 400_000) return 0.99;
  if (decodeCount >= 4_000_000) return 0.10;
  return 0.99 - 0.89 * ((decodeCount - 400_000) / 3_600_000);
}

function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/** Sets an own property, `__proto__` included (JSON has no prototype to set). */
function setOwn(object: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  else object[key] = value;
}

function nodeOffset(node: YamlNode | null | undefined, fallback: number): number {
  return node?.range ? node.range[0] : fallback;
}

function describeTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
}

/** Decodes one document's nodes into the JSON value kubectl would send. */
class Decoder {
  private decodeCount = 0;
  private aliasCount = 0;
  private aliasDepth = 0;
  private expandedBytes = 0;
  private expandedNodes = 0;
  /** The outermost alias being expanded (where cap refusals point). */
  private expanding: Alias | undefined;
  /** Aliases being expanded: meeting one again is a cycle. */
  private readonly active = new Set<Alias>();
  /** Mapping keys that came from ints or bools, per decoded object (rare; only they can collide with a string). */
  private keyKinds: Map<JsonObject, Map<string, KeyKind>> | undefined;
  /** Whether the key keyString last returned came from an int or a bool (undefined: a string). */
  private lastKeyKind: KeyKind | undefined;

  /** @param firstLine the file line of the source's first line (for lines in messages) */
  constructor(private readonly source: string, private readonly targets: Map<Alias, YamlNode>, private readonly firstLine: number) {}

  /** The document's value (its root node decoded after yaml.v2's document step). */
  document(root: YamlNode | null): unknown {
    this.tick(undefined);
    if (root === null) return null;
    if (isScalar(root) && (root.type === 'BLOCK_LITERAL' || root.type === 'BLOCK_FOLDED')) {
      // libyaml indents a top-level block scalar's content by at least one space, YAML 1.2 by none.
      throw new Refusal(root.range![0], 'a block scalar (| or >) as the whole document is not read (kubectl\'s parser indents it otherwise); it is no Kubernetes object anyway');
    }
    return this.decode(root, 0, false);
  }

  /** yaml.v2 counts every unmarshal step and refuses documents mostly made of aliases. */
  private tick(node: YamlNode | null | undefined): void {
    this.decodeCount++;
    if (this.aliasDepth === 0) return;
    this.aliasCount++;
    this.expandedNodes++;
    this.expandedBytes += 1 + (node && isScalar(node) && typeof node.value === 'string' ? node.value.length : 0);
    const at = nodeOffset(this.expanding, 0);
    if (this.aliasCount > 100 && this.decodeCount > 1000 && this.aliasCount / this.decodeCount > allowedAliasRatio(this.decodeCount)) {
      throw new Refusal(at, `too much of the document comes from aliases: yaml.v2, which kubectl uses, refuses it ("document contains excessive aliasing"); write the repeated parts out`);
    }
    if (this.expandedBytes > MAX_ALIAS_EXPANSION_BYTES) {
      throw new Refusal(at, `alias *${this.expanding!.source} expands the document by more than ${MAX_ALIAS_EXPANSION_BYTES / 1024 / 1024} MiB (the API server's request limit); write the repeated parts out or make them smaller`);
    }
    if (this.expandedNodes > MAX_ALIAS_EXPANSION_NODES) {
      throw new Refusal(at, `alias *${this.expanding!.source} expands the document by more than ${MAX_ALIAS_EXPANSION_NODES} nodes; write the repeated parts out`);
    }
  }

  /** Decodes a node; `inFlow`: it is inside a flow collection (`[...]`, `{...}`). */
  private decode(node: YamlNode | null, depth: number, inFlow: boolean): unknown {
    this.tick(node);
    if (node === null) return null;
    if (isScalar(node)) return this.scalar(node, inFlow);
    if (depth >= MAX_NESTING_DEPTH) throw new Refusal(node.range![0], `nesting deeper than ${MAX_NESTING_DEPTH} levels is not read`);
    if (isMap(node)) {
      this.checkTag(node, MAP_TAG);
      const out: JsonObject = {};
      this.mapping(node, out, true, depth + 1, inFlow || !!node.flow);
      return out;
    }
    if (isSeq(node)) {
      this.checkTag(node, SEQ_TAG);
      const out: unknown[] = [];
      const flow = inFlow || !!node.flow;
      for (let i = 0; i < node.items.length; i++) out.push(this.decode(node.items[i] as YamlNode | null, depth + 1, flow));
      return out;
    }
    return this.withAlias(node as Alias, (target) => this.decode(target, depth + 1, inFlow));
  }

  /** Expands an alias as yaml.v2 does: one extra step, then its anchor's node counted as alias content. */
  private withAlias<T>(alias: Alias, expand: (target: YamlNode) => T): T {
    const target = this.targets.get(alias);
    if (target === undefined) throw new Refusal(alias.range![0], `unknown anchor '${alias.source}' referenced`);
    if (this.active.has(alias)) throw new Refusal(alias.range![0], `anchor '${alias.source}' value contains itself`);
    this.active.add(alias);
    if (this.aliasDepth === 0) this.expanding = alias;
    this.aliasDepth++;
    try {
      return expand(target);
    } finally {
      this.aliasDepth--;
      this.active.delete(alias);
    }
  }

  private checkTag(node: YamlNode, allowed: string): void {
    const tag = (node as Scalar).tag;
    if (tag !== undefined && tag !== allowed) {
      throw new Refusal(node.range![0], `tag ${describeTag(tag)} is not read (kubectl would apply YAML 1.1 rules to it that the audit does not reproduce); remove it, or quote the value to make it a string`);
    }
  }

  private scalar(node: Scalar, inFlow: boolean): unknown {
    this.checkTag(node, STR_TAG);
    const value = node.value as string;
    this.checkScalarSyntax(node, inFlow);
    if (node.type !== 'PLAIN' || node.tag !== undefined) return value;
    if (value.length > 0 && !this.plainNeedsResolving(value)) return value;
    const resolved = resolvePlain(value);
    if (lastPlainScalarKind() === 'float' && !Number.isFinite(resolved as number)) {
      throw new Refusal(node.range![0], `${value} is not a number JSON can hold: kubectl cannot send it; quote it if it is a string`);
    }
    if (lastPlainScalarKind() === 'int' && !Number.isSafeInteger(resolved)) {
      throw new Refusal(node.range![0], `integer ${value} is beyond ±(2^53-1) and cannot be read exactly; quote it if it is a string`);
    }
    return resolved;
  }

  /** Whether a plain scalar could resolve to something other than itself (first-character test). */
  private plainNeedsResolving(value: string): boolean {
    const c = value.charCodeAt(0);
    // Digits, signs, `.`, `~` and the first letters of yaml.v2's lookup table (y n t f o, any case).
    return (c >= 43 && c <= 57) || c === 126 || c === 121 || c === 89 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70 || c === 111 || c === 79;
  }

  /** Refuses scalar syntax that libyaml reads differently from YAML 1.2 (see the checks). */
  private checkScalarSyntax(node: Scalar, inFlow: boolean): void {
    const type = node.type;
    if (type === 'PLAIN') { if (inFlow) this.checkFlowPlain(node); }
    else if (type === 'QUOTE_DOUBLE') { this.checkDoubleQuoteEnd(node); this.checkEscapes(node); }
    else if (type === 'QUOTE_SINGLE') this.checkSingleQuoteEnd(node);
    else if (type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') this.checkBlockHeader(node);
  }

  /**
   * In a flow collection libyaml takes `?` and a leading `:` as indicators, and keeps a `:` that is
   * not followed by a space in the scalar (`{a:[1]}`), where YAML 1.2 reads a plain scalar and a
   * value indicator.
   */
  private checkFlowPlain(node: Scalar): void {
    const text = node.value as string;
    const [start, end] = node.range!;
    if (text.includes('?') || text.startsWith(':') || this.colonGluedAfter(end)) {
      throw new Refusal(start, `unquoted value ${JSON.stringify(text)} in a flow collection ([...] or {...}): kubectl's parser reads "?" and ":" in and around it differently; quote it, and put a space after ":"`);
    }
  }

  /** Whether, after optional whitespace, the source at `offset` has a `:` followed by something other than whitespace. */
  private colonGluedAfter(offset: number): boolean {
    let i = offset;
    for (let c = this.source.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13; c = this.source.charCodeAt(++i));
    if (this.source.charCodeAt(i) !== 58 /* : */) return false;
    const next = this.source.charCodeAt(i + 1);
    return !(next === 32 || next === 9 || next === 10 || next === 13 || Number.isNaN(next));
  }

  /**
   * A single-quoted scalar must end in an odd run of quotes (`''` is an escaped quote); the `yaml`
   * package ends some at `''` followed by a line break, where libyaml goes on reading.
   */
  private checkSingleQuoteEnd(node: Scalar): void {
    const [start, end] = node.range!;
    let quotes = 0;
    for (let i = end - 1; i > start && this.source.charCodeAt(i) === 39 /* ' */; i--) quotes++;
    if (quotes % 2 === 0) throw new Refusal(start, 'a single-quoted string ending in \'\' (an escaped quote) is read differently by kubectl\'s parser; end the string with one more quote');
  }

  /**
   * A double-quoted scalar must end in a quote that no backslash escapes; the `yaml` package ends
   * some at `\"` before a line break, where libyaml goes on reading (and may find keys the audit
   * would take for text).
   */
  private checkDoubleQuoteEnd(node: Scalar): void {
    const [start, end] = node.range!;
    let backslashes = 0;
    for (let i = end - 2; i > start && this.source.charCodeAt(i) === 92 /* \\ */; i--) backslashes++;
    if (this.source.charCodeAt(end - 1) !== 34 || backslashes % 2 === 1) {
      throw new Refusal(start, 'a double-quoted string whose closing quote is escaped (\\") is read differently by kubectl\'s parser; check the quoting');
    }
  }

  /** libyaml wants an implicit key's `:` on the key's line (the `yaml` package lets it follow on the next). */
  private checkColonLine(keyNode: YamlNode | null): void {
    if (keyNode === null || !keyNode.range) return;
    let i = keyNode.range[1];
    for (let c = this.source.charCodeAt(i); c === 32 || c === 9; c = this.source.charCodeAt(++i));
    const c = this.source.charCodeAt(i);
    if (c === 10 || c === 13 || c === 35 /* # */) {
      throw new Refusal(keyNode.range[0], 'a ":" on a later line than its key: kubectl\'s parser rejects it; put the ":" right after the key');
    }
    const hasProps = (keyNode as Scalar).anchor !== undefined || (keyNode as Scalar).tag !== undefined;
    if (hasProps && this.propsOnEarlierLine(keyNode.range[0])) {
      throw new Refusal(keyNode.range[0], 'a mapping key whose anchor or tag is on an earlier line: kubectl\'s parser rejects it; write them on the key\'s line');
    }
    // libyaml forgets a possible key 1024 characters after its start (anchor and tag included).
    if (i - this.propsStart(keyNode.range[0]) > MAX_KEY_LENGTH) {
      throw new Refusal(keyNode.range[0], `a mapping key longer than ${MAX_KEY_LENGTH} characters: kubectl's parser stops looking for its ":" after 1024; shorten the key`);
    }
  }

  /** Whether the nearest token before `start` (across line breaks), an anchor or a tag, is on an earlier line. */
  private propsOnEarlierLine(start: number): boolean {
    let i = start - 1;
    let crossedLine = false;
    for (; i >= 0; i--) {
      const c = this.source.charCodeAt(i);
      if (c === 10) crossedLine = true;
      else if (c !== 32 && c !== 9 && c !== 13) break;
    }
    return crossedLine;
  }

  /** Where the anchor and tag written before a node at `start` begin (`start` when there are none). */
  private propsStart(start: number): number {
    let at = start;
    for (;;) {
      let i = at - 1;
      while (i >= 0 && (this.source.charCodeAt(i) === 32 || this.source.charCodeAt(i) === 9)) i--;
      let tokenStart = i + 1;
      while (tokenStart > 0 && !/[\s[{,]/.test(this.source[tokenStart - 1])) tokenStart--;
      const first = this.source[tokenStart];
      if (tokenStart > i || (first !== '&' && first !== '!')) return at;
      at = tokenStart;
    }
  }

  /** Block scalars with an explicit indentation indicator (`|2`) keep trailing spaces in libyaml that YAML 1.2 drops. */
  private checkBlockHeader(node: Scalar): void {
    const start = node.range![0];
    const lineEnd = this.source.indexOf('\n', start);
    const header = this.source.slice(start, lineEnd < 0 ? undefined : lineEnd);
    if (/^[|>](?:[1-9]|[-+][1-9])/.test(header)) {
      throw new Refusal(start, `block scalar header ${header.split(/[ \t#]/)[0]}: indentation indicators are not read (kubectl's parser keeps whitespace there that YAML 1.2 drops); indent the text and leave the digit out`);
    }
    if (lineEnd >= 0 && lineEnd < node.range![1]) {
      const tab = blockScalarIndentTab(this.source, lineEnd + 1, node.range![1]);
      if (tab >= 0) throw new Refusal(tab, 'a tab in the indentation of a block scalar (| or >): kubectl\'s parser rejects it; indent with spaces');
    }
  }

  private checkEscapes(node: Scalar): void {
    const [start, end] = node.range!;
    const escapedBreak = ESCAPED_BREAK_THEN_EMPTY_LINE.exec(this.source.slice(start, end));
    if (escapedBreak) {
      throw new Refusal(start + escapedBreak.index, 'an escaped line break ("\\" at a line end) followed by an empty line in a double-quoted string: kubectl\'s parser keeps a line break there that YAML 1.2 readers may fold; remove the backslash or the empty line');
    }
    const bad = badEscapeOffset(this.source, start, end);
    if (bad >= 0) {
      const escape = this.source.slice(bad, bad + 2);
      throw new Refusal(bad, `escape ${JSON.stringify(escape).slice(1, -1)} in a double-quoted string is not one kubectl's YAML 1.1 parser reads the same way (it rejects \\/ and unpaired surrogates); write the character itself or another escape`);
    }
  }

  /** Whether a mapping key is yaml.v2's merge key: an untagged plain `<<`. */
  private isMergeKey(key: unknown): boolean {
    return isScalar(key) && key.type === 'PLAIN' && key.tag === undefined && key.value === '<<';
  }

  /**
   * Decodes a mapping's entries into `out`, in order, as yaml.v2 does: a merge key applies its
   * mapping(s) where it stands (overwriting), later keys overwrite it. `fresh`: `out` was made for
   * this mapping (no merge into it yet), so a key already in `out` is a duplicate of this mapping.
   */
  private mapping(node: YAMLMap, out: JsonObject, fresh: boolean, depth: number, flow: boolean, mergeOffset?: number): void {
    let ownKeys: Map<string, number> | undefined = fresh ? undefined : new Map();
    const items = node.items;
    for (let i = 0; i < items.length; i++) {
      const pair = items[i];
      const keyNode = pair.key as YamlNode | null;
      if (this.isMergeKey(keyNode)) {
        this.checkScalarSyntax(keyNode as Scalar, flow);
        this.checkColonLine(keyNode);
        if (ownKeys === undefined) ownKeys = this.keysSoFar(node, i);
        this.merge(pair.value as YamlNode | null, out, depth, mergeOffset ?? nodeOffset(keyNode, node.range![0]));
        continue;
      }
      this.tick(keyNode);
      const key = this.keyString(keyNode, node, flow);
      const kind = this.lastKeyKind;
      if (!flow || pair.value !== null) this.checkColonLine(keyNode);
      const value = this.decode(pair.value as YamlNode | null, depth, flow);
      const keyOffset = nodeOffset(keyNode, node.range![0]);
      if (ownKeys === undefined) {
        if (hasOwn(out, key)) throw this.duplicate(key, keyOffset, this.firstKeyOffset(node, key, i));
      } else {
        const earlier = ownKeys.get(key);
        if (earlier !== undefined) throw this.duplicate(key, keyOffset, earlier);
        ownKeys.set(key, keyOffset);
        if (hasOwn(out, key)) this.checkSameKeyKind(out, key, kind, mergeOffset ?? keyOffset);
      }
      setOwn(out, key, value);
      if (kind !== undefined) this.recordKeyKind(out, key, kind);
    }
  }

  /**
   * A duplicate key is refused rather than read as yaml.v2 reads it (the last value wins): other
   * tools on the way to the cluster (js-yaml, Helm, linters) refuse it or keep the first value, so
   * the same file would mean one thing to them and another to kubectl, and an audit that picked
   * either could be wrong. Refusing makes the author keep one; it never takes the earlier value.
   */
  private duplicate(key: string, offset: number, firstOffset: number | undefined): Refusal {
    const first = firstOffset === undefined ? '' : ` (first at line ${this.firstLine - 1 + lineOfOffset(this.source, firstOffset)})`;
    return new Refusal(offset, `duplicated mapping key ${JSON.stringify(key)}${first}: kubectl keeps the last value, other tools the first; keep one`);
  }

  /** Where key `key` first appears among a mapping's entries before `before`. */
  private firstKeyOffset(node: YAMLMap, key: string, before: number): number | undefined {
    for (let i = 0; i < before; i++) {
      const keyNode = node.items[i].key as YamlNode | null;
      if (this.isMergeKey(keyNode)) continue;
      try {
        if (this.keyString(keyNode, node, false) === key) return nodeOffset(keyNode, node.range![0]);
      } catch {
        // a key that could not be read would have stopped decoding already
      }
    }
    return undefined;
  }

  /** The JSON keys a fresh mapping set itself before entry `end` (when its first merge key comes). */
  private keysSoFar(node: YAMLMap, end: number): Map<string, number> {
    const keys = new Map<string, number>();
    for (let i = 0; i < end; i++) {
      const keyNode = node.items[i].key as YamlNode | null;
      keys.set(this.keyString(keyNode, node, false), nodeOffset(keyNode, node.range![0]));
    }
    return keys;
  }

  private recordKeyKind(out: JsonObject, key: string, kind: KeyKind): void {
    this.keyKinds ??= new Map();
    let kinds = this.keyKinds.get(out);
    if (!kinds) this.keyKinds.set(out, (kinds = new Map()));
    kinds.set(key, kind);
  }

  /**
   * A merge may set a key that is already there; yaml.v2 overwrites it only when both are the same
   * YAML value. `1` and `"1"` are two Go map keys that both become "1" in JSON, and which one
   * kubectl keeps depends on Go's random map order: refused.
   */
  private checkSameKeyKind(out: JsonObject, key: string, kind: KeyKind | undefined, offset: number): void {
    const existing = this.keyKinds?.get(out)?.get(key);
    if (existing !== kind) {
      throw new Refusal(offset, `mapping key ${JSON.stringify(key)} is set both as ${existing ?? 'a string'} and as ${kind ?? 'a string'}: both become "${key}" in JSON and kubectl keeps either at random; write the key one way`);
    }
  }

  /** yaml.v2's merge(): a mapping, an alias of one, or a sequence of them (earlier ones win). */
  private merge(value: YamlNode | null, out: JsonObject, depth: number, keyOffset: number): void {
    const notMap = () => new Refusal(nodeOffset(value, keyOffset), 'map merge requires map or sequence of maps as the value (yaml.v2, which kubectl uses, refuses it)');
    const isMapOrAliasOfMap = (node: YamlNode | null): boolean => !!node && (isMap(node) || (isAlias(node) && isMap(this.targets.get(node) ?? null)));
    if (value !== null && isSeq(value)) {
      this.checkTag(value, SEQ_TAG);
      for (let i = value.items.length - 1; i >= 0; i--) {
        const item = value.items[i] as YamlNode | null;
        if (!isMapOrAliasOfMap(item)) throw notMap();
        this.mergeOne(item!, out, depth, keyOffset);
      }
      return;
    }
    if (!isMapOrAliasOfMap(value)) {
      if (value !== null && isAlias(value) && !this.targets.has(value)) throw new Refusal(nodeOffset(value, keyOffset), `unknown anchor '${value.source}' referenced`);
      throw notMap();
    }
    this.mergeOne(value!, out, depth, keyOffset);
  }

  /** Decodes one merged mapping (or alias of one) into `out`. */
  private mergeOne(node: YamlNode, out: JsonObject, depth: number, mergeOffset: number): void {
    this.tick(node);
    if (depth >= MAX_NESTING_DEPTH) throw new Refusal(node.range![0], `nesting deeper than ${MAX_NESTING_DEPTH} levels is not read`);
    if (isAlias(node)) {
      this.withAlias(node, (target) => {
        this.tick(target);
        this.checkTag(target, MAP_TAG);
        this.mapping(target as YAMLMap, out, false, depth + 1, !!(target as YAMLMap).flow, mergeOffset);
      });
      return;
    }
    this.checkTag(node, MAP_TAG);
    this.mapping(node as YAMLMap, out, false, depth + 1, !!(node as YAMLMap).flow, mergeOffset);
  }

  /**
   * A mapping key as sigs.k8s.io/yaml makes it a JSON key (bool: "true"/"false", int: decimal);
   * `lastKeyKind` says whether it came from an int or a bool.
   */
  private keyString(keyNode: YamlNode | null, map: YAMLMap, inFlow: boolean): string {
    this.lastKeyKind = undefined;
    const offset = nodeOffset(keyNode, map.range![0]);
    if (keyNode === null) throw new Refusal(offset, 'a null mapping key: kubectl cannot turn it into JSON; quote the key');
    if (isAlias(keyNode)) throw new Refusal(offset, 'an alias as a mapping key is not read; write the key out');
    if (!isScalar(keyNode)) throw new Refusal(offset, 'a mapping or sequence as a mapping key: kubectl rejects it (invalid map key)');
    this.checkTag(keyNode, STR_TAG);
    const text = keyNode.value as string;
    this.checkScalarSyntax(keyNode, inFlow);
    const [keyStart, keyEnd] = keyNode.range!;
    const lineBreak = this.source.indexOf('\n', keyStart);
    if (lineBreak >= 0 && lineBreak < keyEnd) throw new Refusal(offset, 'a mapping key written over several lines: kubectl\'s parser rejects it; write the key on one line');
    if (keyNode.type !== 'PLAIN' || keyNode.tag !== undefined) return text;
    if (text.length > 0 && !this.plainNeedsResolving(text)) return text;
    const resolved = resolvePlain(text);
    switch (lastPlainScalarKind()) {
      case 'string': return text;
      case 'bool':
        this.lastKeyKind = 'bool';
        return resolved ? 'true' : 'false';
      case 'int':
        this.lastKeyKind = 'int';
        if (!Number.isSafeInteger(resolved)) throw new Refusal(offset, `integer key ${text} is beyond ±(2^53-1) and cannot be read exactly; quote it`);
        return String(resolved);
      case 'null': throw new Refusal(offset, `a null mapping key (${text || 'empty'}): kubectl cannot turn it into JSON; quote the key`);
      default: throw new Refusal(offset, `a floating-point mapping key (${text}): kubectl spells it in Go's float32 format, which the audit does not reproduce; quote the key`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Documents.

/** 1-based line of a 0-based offset in `text`. */
export function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

const ANCHOR_NAME = /^[0-9A-Za-z_-]+$/;

/**
 * Maps each alias to the node of the last anchor of its name before it, in document order (as
 * libyaml resolves them while parsing; an anchor counts from its node's start, so an alias inside
 * its own anchor's node refers to it and is a cycle). Anchor names must be libyaml's.
 */
function resolveAnchors(root: YamlNode | null): Map<Alias, YamlNode> {
  const anchors = new Map<string, YamlNode>();
  const targets = new Map<Alias, YamlNode>();
  const checkName = (name: string, node: YamlNode) => {
    if (!ANCHOR_NAME.test(name)) throw new Refusal(node.range![0], `anchor or alias name ${JSON.stringify(name)}: kubectl's parser allows only letters, digits, - and _ in it`);
  };
  const visit = (node: YamlNode | null): void => {
    if (node === null) return;
    if (isAlias(node)) {
      checkName(node.source, node);
      const target = anchors.get(node.source);
      if (target) targets.set(node, target);
      return;
    }
    if (node.anchor !== undefined) {
      checkName(node.anchor, node);
      anchors.set(node.anchor, node);
    }
    if (isMap(node)) {
      for (const pair of node.items) { visit(pair.key as YamlNode | null); visit(pair.value as YamlNode | null); }
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item as YamlNode | null);
    }
  };
  visit(root);
  return targets;
}

function firstLineOf(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** Checks what the parser keeps apart from the nodes: directives, and its errors and warnings. */
function documentProblem(doc: Document.Parsed): Refusal | undefined {
  // Tag warnings are left to the decoder, which refuses every tag but !!str, !!map and !!seq itself.
  const error = doc.errors[0] ?? doc.warnings.find((w) => w.code !== 'TAG_RESOLVE_FAILED' && w.code !== 'BAD_COLLECTION_TYPE');
  if (error) return new SyntaxRefusal(error.pos[0], `invalid YAML: ${firstLineOf(error.message)}`);
  const directives = doc.directives;
  if (directives && (directives.yaml.explicit || Object.keys(directives.tags).some((handle) => handle !== '!' && handle !== '!!'))) {
    return new Refusal(0, 'YAML directives (%YAML, %TAG) are not read; remove them');
  }
  return undefined;
}

/** The source ranges inside which a tab is content (quoted and block scalars) or allowed (flow collections). */
function tabSafeRanges(roots: readonly (YamlNode | null)[]): [number, number][] {
  const ranges: [number, number][] = [];
  const visit = (node: YamlNode | null): void => {
    if (node === null || !node.range) return;
    if (isScalar(node)) {
      if (node.type !== 'PLAIN') ranges.push([node.range[0], node.range[1]]);
    } else if (isMap(node)) {
      if (node.flow) ranges.push([node.range[0], node.range[1]]);
      for (const pair of node.items) { visit(pair.key as YamlNode | null); visit(pair.value as YamlNode | null); }
    } else if (isSeq(node)) {
      if (node.flow) ranges.push([node.range[0], node.range[1]]);
      for (const item of node.items) visit(item as YamlNode | null);
    }
  };
  roots.forEach(visit);
  return ranges;
}

/**
 * libyaml rejects a tab in a line's indentation or right after a block indicator (`-`, `?`, `:`
 * starting the line), where YAML 1.2 readers may take it as separation: refused, unless the tab
 * is inside a quoted or block scalar or a flow collection.
 */
function badTabOffset(text: string, roots: readonly (YamlNode | null)[]): number {
  let safe: [number, number][] | undefined;
  for (let lineStart = 0; lineStart < text.length; ) {
    const next = text.indexOf('\n', lineStart);
    const lineEnd = next < 0 ? text.length : next;
    let i = lineStart;
    let tab = -1;
    for (;;) {
      while (text.charCodeAt(i) === 32) i++;
      if (text.charCodeAt(i) === 9) { tab = i; break; }
      const c = text.charCodeAt(i);
      const following = text.charCodeAt(i + 1);
      if ((c === 45 || c === 63 || c === 58) && (following === 32 || following === 9)) { i++; continue; }
      break;
    }
    if (tab >= 0 && tab < lineEnd) {
      safe ??= tabSafeRanges(roots);
      if (!safe.some(([from, to]) => tab >= from && tab < to)) return tab;
    }
    lineStart = lineEnd + 1;
  }
  return -1;
}

/** Every scalar's source range (quoted, block and plain), to tell indicators from content. */
function scalarRanges(roots: readonly (YamlNode | null)[]): [number, number][] {
  const ranges: [number, number][] = [];
  const visit = (node: YamlNode | null): void => {
    if (node === null || !node.range) return;
    if (isScalar(node)) ranges.push([node.range[0], node.range[1]]);
    else if (isMap(node)) for (const pair of node.items) { visit(pair.key as YamlNode | null); visit(pair.value as YamlNode | null); }
    else if (isSeq(node)) for (const item of node.items) visit(item as YamlNode | null);
  };
  roots.forEach(visit);
  return ranges;
}

const ANCHOR_OR_ALIAS = /[&*][0-9A-Za-z_-]+/g;
/** What libyaml accepts right after an anchor or alias name. */
const AFTER_ANCHOR = /[\s?:,\]}%@`]/;

/** The offset of an anchor or alias glued to what follows (`&a{`), which libyaml rejects, or -1. */
function gluedAnchorOffset(text: string, roots: readonly (YamlNode | null)[]): number {
  let content: ContentTest | undefined;
  ANCHOR_OR_ALIAS.lastIndex = 0;
  for (let m = ANCHOR_OR_ALIAS.exec(text); m; m = ANCHOR_OR_ALIAS.exec(text)) {
    const after = m.index + m[0].length;
    if (after >= text.length || AFTER_ANCHOR.test(text[after])) continue;
    content ??= contentTest(text, roots);
    if (!content(m.index)) return m.index;
  }
  return -1;
}

/** Whether an offset is inside a scalar or a comment (not where an indicator could be). */
type ContentTest = (at: number) => boolean;

function contentTest(text: string, roots: readonly (YamlNode | null)[]): ContentTest {
  const scalars = scalarRanges(roots);
  const inScalar = (at: number) => scalars.some(([from, to]) => at >= from && at < to);
  return (at) => {
    if (inScalar(at)) return true;
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    for (let j = lineStart; j < at; j++) {
      const before = j === lineStart ? 32 : text.charCodeAt(j - 1);
      if (text.charCodeAt(j) === 35 /* # */ && (before === 32 || before === 9) && !inScalar(j)) return true;
    }
    return false;
  };
}

const QUESTION_INDICATOR = /(?:^|[ \t[{,])\?(?=[ \t\r\n]|$)/gm;

/**
 * The offset of an explicit-key indicator (`? key`), or -1. Explicit keys are refused: the `yaml`
 * package drops what follows some of them without an error, where kubectl's parser fails.
 */
function explicitKeyOffset(text: string, roots: readonly (YamlNode | null)[]): number {
  if (!text.includes('?')) return -1;
  let content: ContentTest | undefined;
  QUESTION_INDICATOR.lastIndex = 0;
  for (let m = QUESTION_INDICATOR.exec(text); m; m = QUESTION_INDICATOR.exec(text)) {
    const at = m.index + m[0].length - 1;
    content ??= contentTest(text, roots);
    if (!content(at)) return at;
  }
  return -1;
}

/**
 * The offset where the parsed documents stop covering the text with something other than blank
 * lines and comments after them, or -1: a guard against a parser that drops input silently.
 */
function uncoveredOffset(text: string, parsed: readonly Document.Parsed[]): number {
  const blankOrComments = /^(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*(?:#[^\n]*)?$/;
  let at = 0;
  for (const doc of parsed) {
    if (doc.range[0] < at || !blankOrComments.test(text.slice(at, doc.range[0]))) return at;
    at = doc.range[2];
  }
  return blankOrComments.test(text.slice(at)) ? -1 : at;
}

const BAD_TAB_MESSAGE = 'a tab in indentation or after "-", "?" or ":" at the start of a line: kubectl\'s parser rejects it there; use spaces';

/** Decodes one parsed document; throws a Refusal. */
function decodeDocument(doc: Document.Parsed, text: string, firstLine: number): unknown {
  const root = doc.contents as YamlNode | null;
  const targets = text.includes('*') || text.includes('&') ? resolveAnchors(root) : new Map<Alias, YamlNode>();
  return new Decoder(text, targets, firstLine).document(root);
}

/** 1-based line (within `text`) of a document's first content. */
function contentLine(doc: Document.Parsed, text: string): number {
  const contents = doc.contents as YamlNode | null;
  const offset = contents?.range ? contents.range[0] : doc.range[0];
  return lineOfOffset(text, offset);
}

// ---------------------------------------------------------------------------------------------
// The fast path. Most manifests are plain block YAML, as kubectl, Helm and cdk8s write it. This
// line reader decodes exactly that subset (block mappings and sequences, one-line plain and quoted
// scalars and flow collections, `|` and `>` block scalars), several times faster than the `yaml`
// package, and declines anything else, which then takes the exact path above. It never refuses:
// every problem, and its message, comes from the exact path. The differential tests check that
// the two paths agree on every document the fast one accepts.

/** Thrown when a document is outside the fast path's subset. */
class Declined extends Error {}
const DECLINED = new Declined('outside the fast subset');

/** Characters that may not start a plain scalar here (YAML indicators, and more to be safe). */
const INDICATOR_START = new Set(['-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`', ' ', '\\']);
const DOCUMENT_START_LINE = /^---(?: +(?:#.*)?)?$/;
const BLOCK_HEADER = /^([|>])(-?)(?: +(?:#.*)?)?$/;

function indentOf(line: string): number {
  let i = 0;
  while (line.charCodeAt(i) === 32) i++;
  return i;
}

function isBlankLine(line: string): boolean {
  return indentOf(line) === line.length;
}

function isSeqEntry(line: string, col: number): boolean {
  return line.charCodeAt(col) === 45 /* - */ && (line.length === col + 1 || line.charCodeAt(col + 1) === 32);
}

/** A plain scalar's value (block or flow context), or declines what the exact path must judge. */
function fastPlainValue(text: string): unknown {
  const resolved = resolvePlain(text);
  if (lastPlainScalarKind() === 'float' && !Number.isFinite(resolved as number)) throw DECLINED;
  if (lastPlainScalarKind() === 'int' && !Number.isSafeInteger(resolved)) throw DECLINED;
  return resolved;
}

/** A plain mapping key as JSON key (strings, bools, safe ints); declines the rest and `<<`. */
function fastPlainKey(text: string): string {
  if (text === '<<') throw DECLINED;
  const resolved = resolvePlain(text);
  if (lastPlainScalarKind() === 'string') return text;
  if (lastPlainScalarKind() === 'bool') return resolved ? 'true' : 'false';
  if (lastPlainScalarKind() === 'int' && Number.isSafeInteger(resolved)) return String(resolved);
  throw DECLINED;
}

/** Whether a plain scalar may start with this text (`-` only before a character other than a space, as in -1 or -c). */
function plainStartOk(text: string): boolean {
  const c = text[0];
  if (c === undefined) return false;
  if (c === '-') return text.length > 1 && text[1] !== ' ';
  return !INDICATOR_START.has(c);
}

/** Decodes a document in the fast subset; throws DECLINED outside it. */
class FastReader {
  private readonly lines: string[];
  private at = 0;

  constructor(text: string) {
    this.lines = text.split('\n');
    if (this.lines[this.lines.length - 1] === '') this.lines.pop();
  }

  /** The document's value and the 0-based index of its first content line (-1: none). */
  read(): { value: unknown; contentIndex: number } {
    const first = this.nextContent();
    if (first >= 0 && this.lines[first].startsWith('---')) {
      if (!DOCUMENT_START_LINE.test(this.lines[first])) throw DECLINED;
      this.at = first + 1;
    }
    const start = this.nextContent();
    if (start < 0) return { value: null, contentIndex: -1 };
    this.at = start;
    const value = this.block(indentOf(this.lines[start]), 0);
    if (this.nextContent() >= 0) throw DECLINED;
    return { value, contentIndex: start };
  }

  /** The index of the next line that is not blank or a comment, from `at` (-1: none). */
  private nextContent(): number {
    for (let i = this.at; i < this.lines.length; i++) {
      const line = this.lines[i];
      const indent = indentOf(line);
      if (indent < line.length && line.charCodeAt(indent) !== 35 /* # */) return i;
    }
    return -1;
  }

  private block(col: number, depth: number): unknown {
    if (depth > 64) throw DECLINED;
    return isSeqEntry(this.lines[this.at], col) ? this.sequence(col, depth) : this.mapping(col, {}, depth);
  }

  private mapping(col: number, out: { [key: string]: unknown }, depth: number): { [key: string]: unknown } {
    for (let i = this.nextContent(); i >= 0; i = this.nextContent()) {
      const line = this.lines[i];
      const indent = indentOf(line);
      if (indent < col) break;
      if (indent > col) throw DECLINED;
      if (isSeqEntry(line, col)) break;
      this.at = i;
      this.entry(line, col, out, depth);
    }
    return out;
  }

  /** One `key: value` starting at column `col` of the current line, into `out`. */
  private entry(line: string, col: number, out: { [key: string]: unknown }, depth: number): void {
    const { key, after } = this.key(line, col);
    this.at++;
    const value = this.valueAfter(line, after, col, true, depth);
    if (hasOwn(out, key)) throw DECLINED;
    setOwn(out, key, value);
  }

  private key(line: string, col: number): { key: string; after: number } {
    const c = line[col];
    if (c === '"' || c === "'") {
      const { value, end } = this.quoted(line, col);
      if (line[end] !== ':' || (end + 1 < line.length && line[end + 1] !== ' ') || end - col > MAX_KEY_LENGTH) throw DECLINED;
      return { key: value, after: end + 1 };
    }
    const colon = keyColon(line, col);
    if (colon < 0) throw DECLINED;
    const text = line.slice(col, colon);
    if (!plainStartOk(text) || c === '-' || text.length > MAX_KEY_LENGTH || text.endsWith(' ') || text.includes(' #')) throw DECLINED;
    return { key: fastPlainKey(text), after: colon + 1 };
  }

  /** The value after `key:` or `-` (position `pos`), on this line or the lines below. */
  private valueAfter(line: string, pos: number, parentCol: number, inMapping: boolean, depth: number): unknown {
    let k = pos;
    while (line.charCodeAt(k) === 32) k++;
    if (k === line.length || line[k] === '#') return this.nested(parentCol, inMapping, depth);
    const c = line[k];
    if (c === '|' || c === '>') return this.blockScalar(line.slice(k), parentCol);
    let value: unknown;
    let end: number;
    if (c === '[' || c === '{') ({ value, end } = this.flow(line, k, 0));
    else if (c === '"' || c === "'") ({ value, end } = this.quoted(line, k));
    else {
      const comment = line.indexOf(' #', k);
      const text = trimSpaces(comment < 0 ? line.slice(k) : line.slice(k, comment));
      if (!plainStartOk(text) || text.includes(': ') || text.endsWith(':')) throw DECLINED;
      value = fastPlainValue(text);
      end = line.length;
    }
    this.lineEnds(line, end);
    this.noDeeperLine(parentCol);
    return value;
  }

  /** A value on the lines below its key or dash: a deeper block, a sequence beside a key, or null. */
  private nested(parentCol: number, inMapping: boolean, depth: number): unknown {
    const i = this.nextContent();
    if (i < 0) return null;
    const line = this.lines[i];
    const indent = indentOf(line);
    if (indent > parentCol) { this.at = i; return this.block(indent, depth + 1); }
    if (inMapping && indent === parentCol && isSeqEntry(line, indent)) { this.at = i; return this.sequence(indent, depth + 1); }
    return null;
  }

  private sequence(col: number, depth: number): unknown[] {
    const out: unknown[] = [];
    for (let i = this.nextContent(); i >= 0; i = this.nextContent()) {
      const line = this.lines[i];
      const indent = indentOf(line);
      if (indent < col) break;
      if (indent > col) throw DECLINED;
      if (!isSeqEntry(line, col)) break;
      this.at = i;
      out.push(this.item(line, col, depth));
    }
    return out;
  }

  /** One `- item` at column `col` of the current line. */
  private item(line: string, col: number, depth: number): unknown {
    let k = col + 1;
    while (line.charCodeAt(k) === 32) k++;
    if (k < line.length && line[k] !== '#' && isSeqEntry(line, k)) throw DECLINED;
    if (k < line.length && line[k] !== '#' && startsMappingEntry(line, k)) {
      const out: { [key: string]: unknown } = {};
      this.entry(line, k, out, depth + 1);
      return this.mapping(k, out, depth + 1);
    }
    this.at++;
    return this.valueAfter(line, col + 1, col, false, depth);
  }

  /** After a value: only spaces and a comment may end the line. */
  private lineEnds(line: string, end: number): void {
    let k = end;
    while (line.charCodeAt(k) === 32) k++;
    if (k < line.length && !(line[k] === '#' && k > end)) throw DECLINED;
  }

  /** A one-line value may not go on below (a multi-line scalar, or a comment indented into it). */
  private noDeeperLine(parentCol: number): void {
    for (let i = this.at; i < this.lines.length; i++) {
      const line = this.lines[i];
      if (isBlankLine(line)) continue;
      if (indentOf(line) > parentCol) throw DECLINED;
      return;
    }
  }

  /** A one-line quoted scalar at `k`: single quotes with '' escapes, double quotes without any backslash. */
  private quoted(line: string, k: number): { value: string; end: number } {
    if (line[k] === '"') {
      const close = line.indexOf('"', k + 1);
      if (close < 0) throw DECLINED;
      const value = line.slice(k + 1, close);
      if (value.includes('\\')) throw DECLINED;
      return { value, end: close + 1 };
    }
    let value = '';
    for (let j = k + 1; ;) {
      const quote = line.indexOf("'", j);
      if (quote < 0) throw DECLINED;
      value += line.slice(j, quote);
      if (line[quote + 1] !== "'") return { value, end: quote + 1 };
      value += "'";
      j = quote + 2;
    }
  }

  /** A one-line flow collection or scalar at `k`: [a, b], {k: v}, nested; no trailing commas, no `:` or `#` in plain scalars. */
  private flow(line: string, k: number, depth: number): { value: unknown; end: number } {
    if (depth > 64) throw DECLINED;
    const c = line[k];
    if (c === '[') {
      const out: unknown[] = [];
      let j = skipSpaces(line, k + 1);
      if (line[j] === ']') return { value: out, end: j + 1 };
      for (;;) {
        const item = this.flow(line, j, depth + 1);
        out.push(item.value);
        j = skipSpaces(line, item.end);
        if (line[j] === ']') return { value: out, end: j + 1 };
        if (line[j] !== ',') throw DECLINED;
        j = skipSpaces(line, j + 1);
        if (line[j] === ']') throw DECLINED;
      }
    }
    if (c === '{') {
      const out: { [key: string]: unknown } = {};
      let j = skipSpaces(line, k + 1);
      if (line[j] === '}') return { value: out, end: j + 1 };
      for (;;) {
        const { key, end } = this.flowKey(line, j);
        const item = this.flow(line, skipSpaces(line, end), depth + 1);
        if (hasOwn(out, key)) throw DECLINED;
        setOwn(out, key, item.value);
        j = skipSpaces(line, item.end);
        if (line[j] === '}') return { value: out, end: j + 1 };
        if (line[j] !== ',') throw DECLINED;
        j = skipSpaces(line, j + 1);
        if (line[j] === '}') throw DECLINED;
      }
    }
    if (c === '"' || c === "'") return this.quoted(line, k);
    let j = k;
    while (j < line.length && !FLOW_PLAIN_END.has(line[j])) j++;
    const text = trimSpaces(line.slice(k, j));
    if (!plainStartOk(text) || (j < line.length && (line[j] === ':' || line[j] === '#' || line[j] === '?'))) throw DECLINED;
    return { value: fastPlainValue(text), end: j };
  }

  /** A flow mapping key and the position after its `: `. */
  private flowKey(line: string, j: number): { key: string; end: number } {
    let key: string;
    let end: number;
    if (line[j] === '"' || line[j] === "'") ({ value: key, end } = this.quoted(line, j));
    else {
      end = j;
      while (end < line.length && !FLOW_PLAIN_END.has(line[end])) end++;
      const text = line.slice(j, end);
      if (!plainStartOk(text) || text !== trimSpaces(text)) throw DECLINED;
      key = fastPlainKey(text);
    }
    if (line[end] !== ':' || line[end + 1] !== ' ' || end - j > MAX_KEY_LENGTH) throw DECLINED;
    return { key, end: end + 1 };
  }

  /** A `|` or `>` block scalar (clip or strip, indentation detected) whose header is `header`. */
  private blockScalar(header: string, parentCol: number): string {
    const match = BLOCK_HEADER.exec(header);
    if (!match) throw DECLINED;
    const folded = match[1] === '>';
    const strip = match[2] === '-';
    const content: string[] = [];
    let indent = -1;
    let leadingEmpty = 0;
    let i = this.at;
    for (; i < this.lines.length; i++) {
      const line = this.lines[i];
      const spaces = indentOf(line);
      if (spaces === line.length) {
        if (indent < 0) { leadingEmpty = Math.max(leadingEmpty, spaces); content.push(''); continue; }
        if (spaces > indent) throw DECLINED;
        content.push('');
        continue;
      }
      if (indent < 0) {
        if (spaces <= parentCol || leadingEmpty > spaces) throw DECLINED;
        indent = spaces;
      }
      if (spaces < indent) {
        if (spaces > parentCol) throw DECLINED;
        break;
      }
      if (folded && spaces > indent) throw DECLINED;
      content.push(line.slice(indent));
    }
    if (indent < 0) throw DECLINED;
    this.at = i;
    while (content.length > 0 && content[content.length - 1] === '') content.pop();
    const body = folded ? foldLines(content) : content.join('\n');
    return strip ? body : `${body}\n`;
  }
}

const FLOW_PLAIN_END = new Set([',', '[', ']', '{', '}', ':', '#', '?']);

/** The text without trailing spaces (only U+0020: a no-break space is content for YAML). */
function trimSpaces(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 32) end--;
  return end === text.length ? text : text.slice(0, end);
}

function skipSpaces(line: string, k: number): number {
  let j = k;
  while (line.charCodeAt(j) === 32) j++;
  return j;
}

/** The `:` that ends a plain key at `col` (followed by a space or the line end, before any ` #`), or -1. */
function keyColon(line: string, col: number): number {
  for (let k = line.indexOf(':', col); k >= 0; k = line.indexOf(':', k + 1)) {
    const comment = line.indexOf(' #', col);
    if (comment >= 0 && comment < k) return -1;
    if (k + 1 === line.length || line.charCodeAt(k + 1) === 32) return k;
  }
  return -1;
}

/** Whether a `- ` item's text at `k` is a mapping's first entry (`key: ...`). */
function startsMappingEntry(line: string, k: number): boolean {
  const c = line[k];
  if (c === '[' || c === '{' || c === '|' || c === '>') return false;
  if (c === '"' || c === "'") {
    const close = c === '"' ? line.indexOf('"', k + 1) : singleQuoteEnd(line, k);
    return close >= 0 && line[close + 1] === ':' && (close + 2 === line.length || line[close + 2] === ' ');
  }
  return keyColon(line, k) >= 0;
}

/** The index of the quote closing a single-quoted scalar at `k` on this line, or -1. */
function singleQuoteEnd(line: string, k: number): number {
  for (let j = k + 1; ;) {
    const quote = line.indexOf("'", j);
    if (quote < 0) return -1;
    if (line[quote + 1] !== "'") return quote;
    j = quote + 2;
  }
}

/** Folds a `>` block scalar's lines (none more indented): one line break is a space, n empty lines are n breaks. */
function foldLines(lines: readonly string[]): string {
  let out = '';
  let empties = 0;
  let started = false;
  for (const line of lines) {
    if (line === '') { empties++; continue; }
    if (started) out += empties > 0 ? '\n'.repeat(empties) : ' ';
    else out += '\n'.repeat(empties);
    out += line;
    empties = 0;
    started = true;
  }
  return out;
}

/** Decodes a document on the fast path, or undefined when it is outside the fast subset. */
function readFast(text: string): { value: unknown; contentIndex: number } | undefined {
  if (text.includes('\t') || text.includes('\r') || UNSAFE_CHARACTER.test(text)) return undefined;
  try {
    return new FastReader(text).read();
  } catch (err) {
    if (err === DECLINED) return undefined;
    throw err;
  }
}

/** Thrown for a syntax error the `yaml` package reports (worded by syntaxProblem). */
class SyntaxRefusal extends Refusal {}

/**
 * A syntax error's line and wording: js-yaml's, when js-yaml rejects the text too (the audit has
 * always worded syntax errors that way), else the `yaml` package's. Only on errors, so free.
 */
function syntaxProblem(text: string, refusal: Refusal): { line: number; message: string } {
  try {
    jsyaml.loadAll(text, () => undefined, { json: true });
  } catch (err) {
    if (err instanceof jsyaml.YAMLException && err.mark) return { line: err.mark.line + 1, message: `invalid YAML: ${err.reason}` };
  }
  return { line: lineOfOffset(text, refusal.offset), message: refusal.message };
}

/** Refuses characters and `---` lines that kubectl and YAML 1.2 split or read differently. */
function checkCharacters(text: string): void {
  const bad = UNSAFE_CHARACTER.exec(text);
  if (bad) throw new Refusal(bad.index, unsafeCharacterMessage(bad[0]));
  const odd = ODD_SEPARATOR.exec(text);
  if (odd) throw new Refusal(odd.index, '"---" followed by unusual whitespace: kubectl starts a new document there and YAML does not; end the line after "---"');
}

/** Parses the text into the `yaml` package's documents; throws its first error or warning. */
function parseText(text: string): Document.Parsed[] {
  const all = parseAllDocuments(text, { schema: 'failsafe', merge: false, uniqueKeys: false, keepSourceTokens: false, prettyErrors: false });
  if ('empty' in all) {
    const problem = all.errors[0] ?? all.warnings[0];
    if (problem) throw new SyntaxRefusal(problem.pos[0], `invalid YAML: ${firstLineOf(problem.message)}`);
  }
  const parsed = all as Document.Parsed[];
  for (const doc of parsed) {
    const problem = documentProblem(doc);
    if (problem) throw problem;
  }
  return parsed;
}

/** Checks of the whole text against the parsed nodes: nothing dropped, no explicit keys, anchors and tabs as libyaml wants them. */
function checkStructure(text: string, parsed: readonly Document.Parsed[]): void {
  const uncovered = uncoveredOffset(text, parsed);
  if (uncovered >= 0) throw new SyntaxRefusal(uncovered, 'invalid YAML: the parser could not read this part; check the indentation');
  const roots = parsed.map((doc) => doc.contents as YamlNode | null);
  const explicitKey = explicitKeyOffset(text, roots);
  if (explicitKey >= 0) throw new Refusal(explicitKey, 'explicit keys ("? key") are not read; write "key: value"');
  const glued = text.includes('&') || text.includes('*') ? gluedAnchorOffset(text, roots) : -1;
  if (glued >= 0) throw new Refusal(glued, 'an anchor or alias name followed directly by another character: kubectl\'s parser rejects it; put a space after the name');
  const tab = text.includes('\t') ? badTabOffset(text, roots) : -1;
  if (tab >= 0) throw new Refusal(tab, BAD_TAB_MESSAGE);
}

/** 1-based number of the last line of `text` (a final line break does not start a line). */
function lastLineOf(text: string): number {
  return Math.max(1, lineOfOffset(text, text.length) - (text.endsWith('\n') ? 1 : 0));
}

/**
 * Reads YAML text (one or more documents) as kubectl would decode each document, or refuses it
 * with the first problem: then no document is returned. `firstLine` is the file line of the
 * text's first line. Empty documents decode to null.
 */
export function readKubeYaml(input: string, firstLine = 1): KubeYamlResult {
  // kubectl's document reader ends every line with a line break, the last one included (it
  // matters to block scalars at the end of a document).
  const text = input === '' || input.endsWith('\n') ? input : `${input}\n`;
  const fileLine = (line: number) => firstLine - 1 + Math.min(line, lastLineOf(text));
  const fast = readFast(text);
  if (fast) return { documents: fast.contentIndex < 0 ? [] : [{ value: fast.value, line: firstLine + fast.contentIndex }] };
  return readExact(text, firstLine, fileLine);
}

/** readKubeYaml's fast path alone, or undefined where it declines (exported for the tests). */
export function readKubeYamlFast(input: string, firstLine = 1): KubeYamlResult | undefined {
  const fast = readFast(input === '' || input.endsWith('\n') ? input : `${input}\n`);
  if (!fast) return undefined;
  return { documents: fast.contentIndex < 0 ? [] : [{ value: fast.value, line: firstLine + fast.contentIndex }] };
}

/** readKubeYaml's exact path alone, which the fast one falls back to (exported for the tests). */
export function readKubeYamlExact(input: string, firstLine = 1): KubeYamlResult {
  const text = input === '' || input.endsWith('\n') ? input : `${input}\n`;
  return readExact(text, firstLine, (line) => firstLine - 1 + Math.min(line, lastLineOf(text)));
}

function readExact(text: string, firstLine: number, fileLine: (line: number) => number): KubeYamlResult {
  try {
    checkCharacters(text);
    const parsed = parseText(text);
    checkStructure(text, parsed);
    return { documents: parsed.map((doc) => ({ value: decodeDocument(doc, text, firstLine), line: fileLine(contentLine(doc, text)) })) };
  } catch (err) {
    if (err instanceof SyntaxRefusal) {
      const problem = syntaxProblem(text, err);
      return { documents: [], error: { line: fileLine(problem.line), message: problem.message } };
    }
    if (err instanceof Refusal) return { documents: [], error: { line: fileLine(lineOfOffset(text, err.offset)), message: err.message } };
    const message = err instanceof RangeError ? `nesting too deep to read (${err.message})` : `cannot read: ${(err as Error)?.message ?? err}`;
    return { documents: [], error: { line: firstLine, message } };
  }
}
