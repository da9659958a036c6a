// Strings that YAML writers cannot carry to kubectl as written. Characters: cdk8s's writer puts them raw, and
// kubectl's YAML 1.1 reader (sigs.k8s.io/yaml on yaml.v2) takes NEL, LS and PS for line breaks (so a string can
// forge keys, even whole objects) and refuses DEL, C1 controls, U+FFFE/U+FFFF and lone surrogates; C0 controls
// and a BOM are refused too. Scalars: a string such as `0o17` that a writer leaves unquoted is a number for kubectl.
import { resolvePlainScalar } from '../profile/yaml-scalar';

/** The characters refused in synthesized strings, for messages. */
export const UNSAFE_YAML_CHARACTERS = 'control characters other than tab and line feed, U+0085 (NEL), U+2028/U+2029 (line and paragraph separators), U+FEFF (BOM), U+FFFE/U+FFFF and unpaired surrogates';

const UNSAFE = /[\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029\uFEFF\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Where a string holds a character kubectl would not read back as written. */
export interface UnsafeCharacter {
  /** 0-based index of the character (UTF-16 units). */
  readonly index: number;
  /** The character as `U+XXXX`. */
  readonly codePoint: string;
}

/** The first character of `text` that cdk8s cannot write safely for kubectl, or undefined. */
export function findUnsafeCharacter(text: string): UnsafeCharacter | undefined {
  const match = UNSAFE.exec(text);
  if (!match) return undefined;
  return { index: match.index, codePoint: `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` };
}

/** One string (value or key) of an object that holds such a character. */
export interface UnsafeString extends UnsafeCharacter {
  /** JSON path of the value, or of the key's mapping with the key appended. */
  readonly path: string;
  /** True when the character is in a key. */
  readonly inKey: boolean;
}

/** Calls `visit` for every string of a JSON value, keys included, with its JSON path. */
function eachString(value: unknown, visit: (text: string, path: string, inKey: boolean) => void, path = ''): void {
  if (typeof value === 'string') {
    visit(value, path, false);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) eachString(value[i], visit, `${path}[${i}]`);
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      const keyPath = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
      visit(key, keyPath, true);
      eachString((value as { [k: string]: unknown })[key], visit, keyPath);
    }
  }
}

/** Every string of a JSON value, keys included, that holds such a character (first character of each). */
export function findUnsafeStrings(value: unknown, path = ''): UnsafeString[] {
  return findTextProblems(value, () => false, path).unsafe;
}

/** A string (value or key) that kubectl would read as another type. */
export interface MisreadString {
  /** JSON path of the value, or of the key. */
  readonly path: string;
  readonly inKey: boolean;
  readonly text: string;
  /** What kubectl's YAML 1.1 reader (yaml.v2) makes of it unquoted. */
  readonly readAs: string;
}

/**
 * First characters with which yaml.v2 can read a plain scalar as something other than a string (its resolve
 * table: signs, digits, `.`, `~`, the letters of y/yes/n/no/true/false/on/off/null, `<` of `<<`), or the
 * empty string. Other strings skip the resolver.
 */
const MAYBE_NON_STRING = /^(?:[-+.0-9~<yYnNtTfFoO]|$)/;

/** Whether yaml.v2 reads `text`, written as a plain scalar, as a number, bool or null. */
export function readAsNonString(text: string): boolean {
  return MAYBE_NON_STRING.test(text) && resolvePlainScalar(text).kind !== 'string';
}

/**
 * The problem strings of a JSON value, keys included, in one walk: those holding an unsafe character, and
 * those that yaml.v2 reads as a number, bool or null (`0o17` is 15, `yes` is true) which `writesPlain` says
 * the writer leaves unquoted.
 */
export function findTextProblems(value: unknown, writesPlain: (text: string, inKey: boolean) => boolean, path = ''): { unsafe: UnsafeString[]; misread: MisreadString[] } {
  const unsafe: UnsafeString[] = [];
  const misread: MisreadString[] = [];
  eachString(value, (text, p, inKey) => {
    const at = findUnsafeCharacter(text);
    if (at) unsafe.push({ ...at, path: p, inKey });
    if (readAsNonString(text) && writesPlain(text, inKey)) {
      const read = resolvePlainScalar(text);
      misread.push({ path: p, inKey, text, readAs: `${read.kind} ${JSON.stringify(read.value)}` });
    }
  }, path);
  return { unsafe, misread };
}
