// Plain scalars as kubectl reads them: gopkg.in/yaml.v2's resolve() for an untagged plain scalar decoded
// into interface{} (YAML 1.1). Shared by the audit's and the runner's YAML reader (src/audit/kube-yaml.ts)
// and the builders' check of what cdk8s writes unquoted (src/builders/yaml-text.ts), which must not depend
// on the audit.

/** The JSON type a plain scalar resolves to. */
export type PlainScalarKind = 'string' | 'null' | 'bool' | 'int' | 'float';

/** yaml.v2's table of plain scalars resolved by lookup (YAML 1.1 booleans, nulls, infinities). */
const PLAIN_LOOKUP: ReadonlyMap<string, boolean | null | number> = new Map<string, boolean | null | number>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((s) => [s, true] as const),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map((s) => [s, false] as const),
  ...['', '~', 'null', 'Null', 'NULL'].map((s) => [s, null] as const),
  ...['.nan', '.NaN', '.NAN'].map((s) => [s, NaN] as const),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((s) => [s, Infinity] as const),
  ...['-.inf', '-.Inf', '-.INF'].map((s) => [s, -Infinity] as const),
]);

/** yaml.v2's `yamlStyleFloat`, applied after underscores are removed. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** What Go's strconv.ParseFloat accepts for a scalar starting with `.` (underscores only between digits). */
const GO_DOT_FLOAT = /^\.[0-9]+(?:_[0-9]+)*(?:[eE][-+]?[0-9]+(?:_[0-9]+)*)?$/;
/** A short decimal integer: the common case, resolved without BigInt. */
const SHORT_DECIMAL = /^[-+]?(?:0|[1-9][0-9]{0,14})$/;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

const DIGITS: { readonly [base: number]: RegExp } = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ };
const PREFIX: { readonly [base: number]: string } = { 2: '0b', 8: '0o', 10: '', 16: '0x' };

/** Go's strconv.ParseInt/ParseUint syntax: an optional sign (`signed` only), then digits of `base` (0: Go prefixes). */
function goIntSyntax(s: string, base: number, signed: boolean): bigint | undefined {
  let negative = false;
  let rest = s;
  if (signed && (rest[0] === '+' || rest[0] === '-')) {
    negative = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (base === 0) {
    base = 10;
    if (rest[0] === '0' && rest.length > 1) {
      const prefix = rest[1].toLowerCase();
      if (prefix === 'x') { base = 16; rest = rest.slice(2); }
      else if (prefix === 'o') { base = 8; rest = rest.slice(2); }
      else if (prefix === 'b') { base = 2; rest = rest.slice(2); }
      else { base = 8; rest = rest.slice(1); }
    }
  }
  if (!DIGITS[base].test(rest)) return undefined;
  const magnitude = BigInt(PREFIX[base] + rest);
  return negative ? -magnitude : magnitude;
}

/** Go's ParseInt(s, base, 64), then ParseUint(s, base, 64): the integer, or undefined on any error. */
function goParseInteger(s: string, base: number): bigint | undefined {
  const signed = goIntSyntax(s, base, true);
  if (signed !== undefined && signed >= INT64_MIN && signed <= INT64_MAX) return signed;
  const unsigned = goIntSyntax(s, base, false);
  if (unsigned !== undefined && unsigned <= UINT64_MAX) return unsigned;
  return undefined;
}

/** Kind of the last value resolvePlain returned (saves an allocation per scalar). */
let lastPlainKind: PlainScalarKind = 'string';

/** The kind of the value the last call of resolvePlain returned. */
export function lastPlainScalarKind(): PlainScalarKind {
  return lastPlainKind;
}

function resolvedInt(value: bigint | number): number {
  lastPlainKind = 'int';
  // Beyond 2^53 a JavaScript number is not the integer kubectl sends; the caller refuses it.
  return typeof value === 'number' ? value || 0 : Number(value);
}

/** Resolves a plain scalar as yaml.v2 does; its kind is then lastPlainScalarKind() (resolvePlainScalar returns both). */
export function resolvePlain(text: string): string | number | boolean | null {
  const first = text.charCodeAt(0);
  const lookedUp = PLAIN_LOOKUP.get(text);
  if (lookedUp !== undefined) {
    lastPlainKind = lookedUp === null ? 'null' : typeof lookedUp === 'boolean' ? 'bool' : 'float';
    return lookedUp;
  }
  lastPlainKind = 'string';
  if (first === 46 /* . */) {
    if (GO_DOT_FLOAT.test(text)) {
      const value = Number(text.replace(/_/g, ''));
      if (Number.isFinite(value)) { lastPlainKind = 'float'; return value; }
    }
    return text;
  }
  const digitOrSign = (first >= 48 && first <= 57) || first === 43 || first === 45;
  if (!digitOrSign) return text;
  // A timestamp (2001-12-14...) stays the original string when decoded into interface{}; anything
  // else starting with four digits and a dash fails every parse below, so it is a string too.
  if (SHORT_DECIMAL.test(text)) return resolvedInt(Number(text));
  const plain = text.includes('_') ? text.replace(/_/g, '') : text;
  const integer = goParseInteger(plain, 0);
  if (integer !== undefined) return resolvedInt(integer);
  if (YAML_STYLE_FLOAT.test(plain)) {
    const value = Number(plain);
    if (Number.isFinite(value)) { lastPlainKind = 'float'; return value; }
  }
  if (plain.startsWith('0b')) {
    const binary = goParseInteger(plain.slice(2), 2);
    if (binary !== undefined) return resolvedInt(binary);
  } else if (plain.startsWith('-0b')) {
    const binary = goIntSyntax(`-${plain.slice(3)}`, 2, true);
    if (binary !== undefined && binary >= INT64_MIN) return resolvedInt(binary);
  }
  return text;
}

/**
 * What yaml.v2 resolves an untagged plain scalar to when kubectl decodes it (YAML 1.1: `yes` and
 * `on` are true, `010` is 8, `1_000` is 1000, `.inf` is Infinity, a date stays a string).
 */
export function resolvePlainScalar(text: string): { readonly kind: PlainScalarKind; readonly value: string | number | boolean | null } {
  const value = resolvePlain(text);
  return { kind: lastPlainKind, value };
}
