// The render API for code-execution platforms: one submission -> plain objects and YAML, in-process.
// No cdk8s App, no files, no global state: safe to call concurrently, deterministic for the same input.
import * as jsYaml from 'js-yaml';
import { KubeObject, SANDBOX_DEFAULTS, crossResourceRuleById, resolveCrossResourceOptions } from '../profile';
import { CodeRunnerJobProps, buildCodeRun } from './code-runner';
import { assertProfile, describeFinding } from './compliance';
import { SandboxProfileViolationError } from './errors';

/** The cross-resource rules a lone run can be judged by: its pod is isolated by its own policy, which selects it. */
const RUN_NETWORK_RULES = ['network-isolation', 'network-policy-selects-pods', 'egress-peers'];

/** Options of one render. */
export interface RenderOptions {
  /**
   * Names the render in error messages, like a construct path.
   * @default 'render'
   */
  readonly where?: string;
  /**
   * Name used for the objects when neither `runId` nor `name` is given (the hash is appended).
   * @default 'code-run'
   */
  readonly defaultName?: string;
}

/** One rendered submission. */
export interface RenderedCodeRun {
  /** Name of the Job (and of its ConfigMap and NetworkPolicy). */
  readonly name: string;
  /** The objects, in the order `kubectl apply` should see them. */
  readonly objects: readonly KubeObject[];
  /** The objects as one multi-document YAML stream (keys sorted, like `cdk8s synth`). */
  readonly yaml: string;
}

/** Renders one submission to plain objects, checking them against the hardening profile (fail closed). */
export function renderCodeRunObjects(props: CodeRunnerJobProps, options: RenderOptions = {}): { name: string; objects: readonly KubeObject[] } {
  const where = options.where ?? 'render';
  const built = buildCodeRun(where, props, options.defaultName ?? 'code-run');
  assertProfile(where, built.objects, { runtimeClassName: props.runtimeClassName ?? SANDBOX_DEFAULTS.runtimeClassName });
  // The construct path checks network isolation app-wide at synth; a render has only its own objects to go by.
  const networkFindings = RUN_NETWORK_RULES.flatMap((id) => crossResourceRuleById(id)!.check(built.objects, resolveCrossResourceOptions()));
  if (networkFindings.length > 0) throw new SandboxProfileViolationError(where, networkFindings.map(describeFinding));
  return { name: built.name, objects: built.objects };
}

/** Renders one submission to plain objects and YAML, checking them against the hardening profile (fail closed). */
export function renderCodeRun(props: CodeRunnerJobProps, options: RenderOptions = {}): RenderedCodeRun {
  const { name, objects } = renderCodeRunObjects(props, options);
  return { name, objects, yaml: toYaml(objects) };
}

/** js-yaml's options for the render path's YAML; the fast writer below reproduces their output byte for byte. */
const JS_YAML_OPTIONS: jsYaml.DumpOptions = { sortKeys: true, noRefs: true, lineWidth: -1 };

/** Plain objects as a multi-document YAML stream, keys sorted. */
export function toYaml(objects: readonly KubeObject[]): string {
  let out = '';
  for (let i = 0; i < objects.length; i++) out += (i > 0 ? '---\n' : '') + dumpSorted(objects[i]);
  return out;
}

/**
 * One document: exactly what `jsYaml.dump(value, JS_YAML_OPTIONS)` returns, written by a specialised writer for
 * plain JSON data (about 4x faster: no type detection, no state object, no per-line indentation). Anything
 * outside that subset (floats, dates, class instances, keys over 1024 characters) falls back to js-yaml itself.
 */
function dumpSorted(value: unknown): string {
  if (IMPLICIT_TYPES !== undefined && value !== null && typeof value === 'object') {
    try {
      return writeNode(value, 0, true) + '\n';
    } catch (e) {
      if (e !== UNSUPPORTED) throw e;
    }
  }
  return jsYaml.dump(value, JS_YAML_OPTIONS);
}

/** Thrown (and caught in dumpSorted) when a value is outside the fast writer's subset. A constant, never mutated. */
const UNSUPPORTED: unique symbol = Symbol('unsupported by the fast YAML writer');

/** js-yaml's implicit scalar resolvers (null, bool, int, float, timestamp, merge): a plain string they match must be quoted. */
const IMPLICIT_TYPES: ReadonlyArray<{ resolve: (s: string) => boolean }> | undefined = (jsYaml.DEFAULT_SCHEMA as any).compiledImplicit;

const INDENTS: readonly string[] = Array.from({ length: 32 }, (_, i) => ' '.repeat(2 * i));
function indentOf(level: number): string {
  return level < INDENTS.length ? INDENTS[level] : ' '.repeat(2 * level);
}

/** js-yaml's writeNode in block context (`block` true, indent 2, noRefs, sortKeys, no line width). */
function writeNode(value: unknown, level: number, compact: boolean): string {
  switch (typeof value) {
    case 'string':
      return writeScalar(value, level, false);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      // js-yaml's int type: any integral number but -0, written with toString(10). Floats take the slow path.
      if (value % 1 === 0 && !(value === 0 && 1 / value < 0)) return value.toString(10);
      throw UNSUPPORTED;
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return value.length === 0 ? '[]' : writeBlockSequence(value, level, compact);
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw UNSUPPORTED;
      return writeBlockMapping(value as { [key: string]: unknown }, level, compact);
    }
    default:
      throw UNSUPPORTED;
  }
}

function writeBlockSequence(items: readonly unknown[], level: number, compact: boolean): string {
  let result = '';
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const dump = writeNode(item === undefined ? null : item, level + 1, true);
    if (!compact || result !== '') result += '\n' + indentOf(level);
    result += dump.charCodeAt(0) === 0x0A ? '-' : '- ';
    result += dump;
  }
  return result;
}

function writeBlockMapping(object: { [key: string]: unknown }, level: number, compact: boolean): string {
  const keys = Object.keys(object).sort();
  let result = '';
  for (let i = 0; i < keys.length; i++) {
    const value = object[keys[i]];
    if (value === undefined) continue; // js-yaml skips the pair
    const key = writeScalar(keys[i], level + 1, true);
    if (key.length > 1024) throw UNSUPPORTED; // an explicit `? key` pair
    const dump = writeNode(value, level + 1, false);
    if (!compact || result !== '') result += '\n' + indentOf(level);
    result += key + (dump.charCodeAt(0) === 0x0A ? ':' : ': ') + dump;
  }
  return result === '' ? '{}' : result;
}

const DEPRECATED_BOOLEANS = ['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF'];
const DEPRECATED_BASE60 = /^[-+]?[0-9_]+(?::[0-9_]+)+(?:\.[0-9_]*)?$/;
/** Characters outside printable ASCII and line feed: strings with any take js-yaml's exact code-point path. */
const NOT_ASCII_OR_LF = /[^\x20-\x7E\n]/;
const NOT_ASCII = /[^\x20-\x7E]/;
/** In printable ASCII, what stops a plain scalar: a first character that is an indicator, ' #', ': ', or a last ' ' or ':'. */
const PLAIN_ASCII_BAD = /^[-?:,[\]{}#&*!|=>'"%@` ]| #|: |[ :]$/;

/** js-yaml's writeScalar for one string (block context, no line width). */
function writeScalar(s: string, level: number, isKey: boolean): string {
  if (s.length === 0) return "''";
  if ((s.length <= 3 && DEPRECATED_BOOLEANS.includes(s)) || DEPRECATED_BASE60.test(s)) return `'${s}'`;
  let style: number;
  if (!(isKey ? NOT_ASCII : NOT_ASCII_OR_LF).test(s)) {
    // Printable ASCII (and line feeds outside keys): the outcome of js-yaml's character loop, by regular expressions.
    if (!isKey && s.includes('\n')) style = STYLE_LITERAL;
    else style = !PLAIN_ASCII_BAD.test(s) && !isAmbiguous(s) ? STYLE_PLAIN : STYLE_SINGLE;
  } else {
    style = chooseScalarStyle(s, isKey);
  }
  switch (style) {
    case STYLE_PLAIN: return s;
    case STYLE_SINGLE: return `'${s.replace(/'/g, "''")}'`;
    case STYLE_LITERAL: return `|${blockHeader(s)}${literalBody(s, 2 * Math.max(1, level))}`;
    default: return `"${escapeString(s)}"`;
  }
}

const STYLE_PLAIN = 1;
const STYLE_SINGLE = 2;
const STYLE_LITERAL = 3;
const STYLE_DOUBLE = 5;

/**
 * First characters with which one of js-yaml's implicit resolvers can match: null (`~`, `null`), bool (`true`,
 * `false`), int and float (sign, digit, `.`), timestamp (digit), merge (`<<`). Other strings skip the resolvers.
 */
const AMBIGUOUS_FIRST = /^[-+.0-9~nNtTfF<]/;

function isAmbiguous(s: string): boolean {
  if (!AMBIGUOUS_FIRST.test(s)) return false;
  for (const type of IMPLICIT_TYPES!) if (type.resolve(s)) return true;
  return false;
}

/** js-yaml's chooseScalarStyle with lineWidth -1, indent 2, single quotes, no forced quotes, in block context. */
function chooseScalarStyle(s: string, singleLineOnly: boolean): number {
  let plain = isPlainSafeFirst(s.codePointAt(0)!) && isPlainSafeLast(s.codePointAt(s.length - 1)!);
  let hasLineBreak = false;
  let prev = -1;
  let char = 0;
  for (let i = 0; i < s.length; char >= 0x10000 ? i += 2 : i++) {
    char = s.codePointAt(i)!;
    if (!singleLineOnly && char === 0x0A) hasLineBreak = true;
    else if (!isPrintable(char)) return STYLE_DOUBLE;
    plain = plain && isPlainSafe(char, prev);
    prev = char;
  }
  if (!hasLineBreak) return plain && !isAmbiguous(s) ? STYLE_PLAIN : STYLE_SINGLE;
  return STYLE_LITERAL;
}

function isPrintable(c: number): boolean {
  return (c >= 0x20 && c <= 0x7E) || (c >= 0xA1 && c <= 0xD7FF && c !== 0x2028 && c !== 0x2029) || (c >= 0xE000 && c <= 0xFFFD && c !== 0xFEFF) || (c >= 0x10000 && c <= 0x10FFFF);
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function isNsCharOrWhitespace(c: number): boolean {
  return isPrintable(c) && c !== 0xFEFF && c !== 0x0D && c !== 0x0A;
}

/** ns-plain-char in block context (js-yaml's isPlainSafe with inblock true). */
function isPlainSafe(c: number, prev: number): boolean {
  const cIsNsCharOrWhitespace = isNsCharOrWhitespace(c);
  const cIsNsChar = cIsNsCharOrWhitespace && !isWhitespace(c);
  return (cIsNsCharOrWhitespace && c !== 0x23 && !(prev === 0x3A && !cIsNsChar)) ||
    (isNsCharOrWhitespace(prev) && !isWhitespace(prev) && c === 0x23) ||
    (prev === 0x3A && cIsNsChar);
}

const NOT_PLAIN_FIRST = new Set([0x2D, 0x3F, 0x3A, 0x2C, 0x5B, 0x5D, 0x7B, 0x7D, 0x23, 0x26, 0x2A, 0x21, 0x7C, 0x3D, 0x3E, 0x27, 0x22, 0x25, 0x40, 0x60]);
function isPlainSafeFirst(c: number): boolean {
  return isPrintable(c) && c !== 0xFEFF && !isWhitespace(c) && !NOT_PLAIN_FIRST.has(c);
}

function isPlainSafeLast(c: number): boolean {
  return !isWhitespace(c) && c !== 0x3A;
}

/** Indentation indicator and chomping of a literal block scalar. */
function blockHeader(s: string): string {
  const indicator = /^\n* /.test(s) ? '2' : '';
  const clip = s[s.length - 1] === '\n';
  const keep = clip && (s[s.length - 2] === '\n' || s === '\n');
  return `${indicator}${keep ? '+' : clip ? '' : '-'}\n`;
}

/** Every line indented by `spaces` except empty ones, without the final line feed. */
function literalBody(s: string, spaces: number): string {
  const ind = ' '.repeat(spaces);
  const body = (s.charCodeAt(0) === 0x0A ? '' : ind) + s.replace(/\n(?=[^\n])/g, `\n${ind}`);
  return body.charCodeAt(body.length - 1) === 0x0A ? body.slice(0, -1) : body;
}

const ESCAPES: { readonly [code: number]: string } = {
  0x00: '\\0', 0x07: '\\a', 0x08: '\\b', 0x09: '\\t', 0x0A: '\\n', 0x0B: '\\v', 0x0C: '\\f', 0x0D: '\\r', 0x1B: '\\e',
  0x22: '\\"', 0x5C: '\\\\', 0x85: '\\N', 0xA0: '\\_', 0x2028: '\\L', 0x2029: '\\P',
};

/** The body of a double-quoted scalar, escaped as js-yaml escapes it. */
function escapeString(s: string): string {
  let result = '';
  let char = 0;
  for (let i = 0; i < s.length; char >= 0x10000 ? i += 2 : i++) {
    char = s.codePointAt(i)!;
    const escape = ESCAPES[char];
    if (!escape && isPrintable(char)) {
      result += s[i];
      if (char >= 0x10000) result += s[i + 1];
    } else {
      result += escape || encodeHex(char);
    }
  }
  return result;
}

function encodeHex(c: number): string {
  const hex = c.toString(16).toUpperCase();
  if (c <= 0xFF) return `\\x${hex.padStart(2, '0')}`;
  if (c <= 0xFFFF) return `\\u${hex.padStart(4, '0')}`;
  return `\\U${hex.padStart(8, '0')}`;
}
