// Characters that cdk8s's YAML writer cannot carry to kubectl: it writes them raw, and kubectl's YAML 1.1
// reader (sigs.k8s.io/yaml on yaml.v2) takes NEL, LS and PS for line breaks (so a string can forge keys, even
// whole objects) and refuses DEL, C1 controls, U+FFFE/U+FFFF and lone surrogates. C0 controls and a BOM are
// refused too: no manifest needs them, and other readers treat them differently.

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

/** Every string of a JSON value, keys included, that holds such a character (first character of each). */
export function findUnsafeStrings(value: unknown, path = ''): UnsafeString[] {
  const found: UnsafeString[] = [];
  const visit = (v: unknown, p: string) => {
    if (typeof v === 'string') {
      const at = findUnsafeCharacter(v);
      if (at) found.push({ ...at, path: p, inKey: false });
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) visit(v[i], `${p}[${i}]`);
    } else if (v !== null && typeof v === 'object') {
      for (const key of Object.keys(v)) {
        const keyPath = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? (p ? `${p}.${key}` : key) : `${p}[${JSON.stringify(key)}]`;
        const at = findUnsafeCharacter(key);
        if (at) found.push({ ...at, path: keyPath, inKey: true });
        visit((v as { [k: string]: unknown })[key], keyPath);
      }
    }
  };
  visit(value, path);
  return found;
}
