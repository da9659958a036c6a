// Kubernetes resource quantities ("512Mi", "500m", "1.5", "1e3"): the one grammar of the library, that of
// k8s.io/apimachinery's resource.ParseQuantity, for the builders' input checks, the rules, the namespace
// bounds and the local runner. Values are exact: a count of nano-units as a bigint, never a float.
//
//   <quantity>        ::= <signedNumber><suffix>
//   <signedNumber>    ::= <number> | <sign><number>        <sign> ::= "+" | "-"
//   <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
//   <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
//   <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
//   <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
//   <decimalExponent> ::= "e" <sign?><digits> | "E" <sign?><digits>
//
// As ParseQuantity does, a value finer than a nano-unit is rounded away from zero ("0.1n" is 1n) and a
// binarySI value is capped at 2^63-1 ("16Ei"); the API server trims white space around the text when it
// decodes JSON, and a YAML number reaches it as its JSON text. Where this grammar is stricter than
// ParseQuantity it says so: a number needs a digit (ParseQuantity reads "Mi", "-" and "." as 0, a bug
// reported as kubernetes/apimachinery#165), the text is at most MAX_QUANTITY_LENGTH characters, and a
// decimal exponent is at most ±MAX_DECIMAL_EXPONENT (ParseQuantity truncates exponents to 32 bits).
// The builders' stricter choices (no signs, no `n`/`u`, whole bytes...) are options of validateQuantity.

/** Longest quantity text read; Kubernetes sets no limit, and its own quantities are far shorter. */
export const MAX_QUANTITY_LENGTH = 100;

/** Largest decimal exponent read: `1e400` is refused as out of range rather than computed. */
export const MAX_DECIMAL_EXPONENT = 200;

/** Nano-units in one unit. */
const NANOS = 1_000_000_000n;
/** ParseQuantity's cap of a binarySI value (2^63-1 units), in nano-units. */
const MAX_BINARY_NANOS = (2n ** 63n - 1n) * NANOS;

const BINARY_SI: { readonly [suffix: string]: bigint } = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const DECIMAL_SI: { readonly [suffix: string]: number } = { 'n': -9, 'u': -6, 'm': -3, '': 0, 'k': 3, 'M': 6, 'G': 9, 'T': 12, 'P': 15, 'E': 18 };

/** sign, whole digits, dot, fraction digits (or: dot, fraction digits), then a SI suffix or an exponent. */
const QUANTITY = /^([+-]?)(?:([0-9]+)(?:(\.)([0-9]*))?|(\.)([0-9]+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?[0-9]+))?$/;

/** QUANTITY as RE2 source, for the admission policy's CEL `matches` (RE2 reads it as JavaScript does). */
export const QUANTITY_PATTERN_SOURCE: string = QUANTITY.source;

/** RE2 source matching a decimal exponent beyond ±MAX_DECIMAL_EXPONENT (200) at the end of a quantity. */
export const QUANTITY_EXPONENT_TOO_LARGE_SOURCE = '[eE][+-]?0*([3-9][0-9]{2}|2[1-9][0-9]|20[1-9]|[1-9][0-9]{3,})$';

/** What Go's strings.TrimSpace removes (unicode.IsSpace), which the API server applies before parsing. */
const SURROUNDING_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/** A quantity as Kubernetes holds it. */
export interface Quantity {
  /** The value in nano-units (value × 10^9), after Kubernetes' rounding and cap. */
  readonly nanos: bigint;
  /** Whether `nanos` is the value written exactly (false when Kubernetes rounded it to 1n or capped it). */
  readonly exact: boolean;
  /** The suffix as written: `Mi`, `m`, `` (none), or a decimal exponent such as `e3`. */
  readonly suffix: string;
}

/**
 * The stricter choices a caller may make over Kubernetes' grammar; each is off by default (every option
 * `true` accepts what Kubernetes accepts, the last two refuse more).
 */
export interface QuantityOptions {
  /**
   * Accept a `+` or `-` before the number or in the exponent (`+1`, `1e-3`).
   * @default true
   */
  readonly signs?: boolean;
  /**
   * Accept a number ending with its dot (`1.`, `1.Gi`).
   * @default true
   */
  readonly trailingDot?: boolean;
  /**
   * Accept the suffixes `n` and `u` (nano, micro).
   * @default true
   */
  readonly subMilliSuffixes?: boolean;
  /**
   * Accept white space around the text, as the API server trims it.
   * @default true
   */
  readonly surroundingSpace?: boolean;
  /**
   * Accept a number (YAML's `memory: 1024`), read as the JSON text kubectl sends.
   * @default true
   */
  readonly numbers?: boolean;
  /**
   * Refuse zero and negative values.
   * @default false
   */
  readonly positive?: boolean;
  /**
   * Refuse what is no whole number of bytes, and the suffix `m` (`512m` is 0.512 bytes, not 512 MB).
   * @default false
   */
  readonly wholeBytes?: boolean;
}

/** The choices of the builders: quantities written as people write them, positive (every sandbox is bounded). */
export const BUILDER_QUANTITY_OPTIONS: QuantityOptions = { signs: false, trailingDot: false, subMilliSuffixes: false, surroundingSpace: false, numbers: false, positive: true };

/** Why a value is refused. */
export type QuantityProblem =
  /** Not text (or a number) of the grammar. */
  | 'not-a-quantity'
  /** A number that is not finite (NaN, Infinity). */
  | 'not-finite'
  /** Text longer than MAX_QUANTITY_LENGTH. */
  | 'too-long'
  /** A decimal exponent beyond ±MAX_DECIMAL_EXPONENT. */
  | 'exponent-out-of-range'
  /** A quantity Kubernetes reads, in a form the options refuse (`quantity` is set, but for a refused number). */
  | 'refused-form'
  /** Zero or negative, with `positive` (`quantity` is set). */
  | 'not-positive'
  /** No whole number of bytes, or milli-bytes, with `wholeBytes` (`quantity` is set). */
  | 'not-whole-bytes';

/** What validateQuantity makes of a value: the quantity, or why it is refused. */
export interface QuantityVerdict {
  /** The quantity, when the grammar reads the value (also with some problems, see QuantityProblem). */
  readonly quantity?: Quantity;
  /** Why the value is refused; undefined when it is accepted. */
  readonly problem?: QuantityProblem;
  /** The text read (a number's JSON text, trimmed of surrounding white space). */
  readonly text?: string;
  /** For `exponent-out-of-range` and `refused-form`: what, e.g. "its exponent 400 is beyond ±200". */
  readonly detail?: string;
}

/** 10^n for n >= 0. */
function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Reads a value with Kubernetes' grammar and the stricter choices of `options`. */
export function validateQuantity(value: unknown, options: QuantityOptions = {}): QuantityVerdict {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { problem: 'not-finite', text: String(value) };
    text = String(value);
    if (options.numbers === false) return { problem: 'refused-form', text, detail: 'a number rather than a string' };
  } else if (typeof value === 'string') {
    text = value.replace(SURROUNDING_SPACE, '');
    if (text !== value && options.surroundingSpace === false) return { problem: 'refused-form', text, detail: 'white space around it' };
  } else {
    return { problem: 'not-a-quantity' };
  }
  if (text.length > MAX_QUANTITY_LENGTH) return { problem: 'too-long', text };
  const m = QUANTITY.exec(text);
  if (!m) return { problem: 'not-a-quantity', text };
  const [, sign, whole = '', dot, fraction = '', , dotFraction, siSuffix, exponentText] = m;
  const fractionDigits = dotFraction ?? fraction;
  if (exponentText !== undefined && Math.abs(Number(exponentText)) > MAX_DECIMAL_EXPONENT) {
    return { problem: 'exponent-out-of-range', text, detail: `its exponent ${exponentText} is beyond ±${MAX_DECIMAL_EXPONENT}` };
  }

  // The value in nano-units: digits × 2^binary × 10^(decimal + 9 - fraction digits), rounded away from zero.
  const suffix = siSuffix ?? (exponentText !== undefined ? text.slice(text.search(/[eE]/)) : '');
  const binary = siSuffix !== undefined ? BINARY_SI[siSuffix] : undefined;
  const decimal = exponentText !== undefined ? Number(exponentText) : siSuffix !== undefined && binary === undefined ? DECIMAL_SI[siSuffix] : 0;
  let magnitude = BigInt(`${whole}${fractionDigits}` || '0') * (binary !== undefined ? 2n ** binary : 1n);
  let exact = true;
  const scale = decimal + 9 - fractionDigits.length;
  if (scale >= 0) {
    magnitude *= pow10(scale);
  } else {
    const divisor = pow10(-scale);
    const rounded = (magnitude + divisor - 1n) / divisor;
    exact = rounded * divisor === magnitude;
    magnitude = rounded;
  }
  if (binary !== undefined && magnitude > MAX_BINARY_NANOS) {
    magnitude = MAX_BINARY_NANOS;
    exact = false;
  }
  const quantity: Quantity = { nanos: sign === '-' ? -magnitude : magnitude, exact, suffix };

  const refused = (detail: string): QuantityVerdict => ({ quantity, problem: 'refused-form', text, detail });
  if (options.signs === false && (sign !== '' || /^[+-]/.test(exponentText ?? ''))) return refused('a sign');
  if (options.trailingDot === false && dot === '.' && fraction === '') return refused('a dot without digits after it');
  if (options.subMilliSuffixes === false && (siSuffix === 'n' || siSuffix === 'u')) return refused(`the suffix "${siSuffix}"`);
  if (options.positive && quantity.nanos <= 0n) return { quantity, problem: 'not-positive', text };
  if (options.wholeBytes && (siSuffix === 'm' || quantity.nanos % NANOS !== 0n)) return { quantity, problem: 'not-whole-bytes', text };
  return { quantity, text };
}

/** The quantity a value holds in Kubernetes' grammar, or undefined. */
export function parseQuantity(value: unknown): Quantity | undefined {
  // The rules read the same few quantities ("500m", "512Mi") in every object: remember what texts hold.
  if (typeof value === 'string') {
    const known = PARSED_QUANTITIES.get(value);
    if (known !== undefined || PARSED_QUANTITIES.has(value)) return known;
  }
  const verdict = validateQuantity(value);
  const quantity = verdict.problem === undefined ? verdict.quantity : undefined;
  if (typeof value === 'string' && PARSED_QUANTITIES.size < MAX_PARSED_QUANTITIES) PARSED_QUANTITIES.set(value, quantity && Object.freeze({ ...quantity }));
  return quantity;
}

/** Texts parseQuantity has read, with what they hold (a pure function of the text), at most MAX_PARSED_QUANTITIES. */
const PARSED_QUANTITIES = new Map<string, Quantity | undefined>();
const MAX_PARSED_QUANTITIES = 4096;

/** Whether a request or limit bounds anything: a quantity above zero (`0`, `"0m"`, `""` or a malformed one do not). */
export function isPositiveQuantity(value: unknown): boolean {
  const quantity = parseQuantity(value);
  return quantity !== undefined && quantity.nanos > 0n;
}

/** -1, 0 or 1 as quantity `a` is below, equal to or above `b`; undefined when either is no quantity. */
export function compareQuantities(a: unknown, b: unknown): number | undefined {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  if (x === undefined || y === undefined) return undefined;
  return x.nanos < y.nanos ? -1 : x.nanos > y.nanos ? 1 : 0;
}

/** `nanos / per`, rounded away from zero. */
function divideAwayFromZero(nanos: bigint, per: bigint): bigint {
  const magnitude = nanos < 0n ? -nanos : nanos;
  const rounded = (magnitude + per - 1n) / per;
  return nanos < 0n ? -rounded : rounded;
}

/** Kubernetes' Quantity.Value(): whole units (bytes, CPUs), rounded away from zero (`0.1Mi` is 104858 bytes). */
export function quantityValue(quantity: Quantity): bigint {
  return divideAwayFromZero(quantity.nanos, NANOS);
}

/** Kubernetes' Quantity.MilliValue(): milli-units (millicores), rounded away from zero (`0.0001` is 1m). */
export function quantityMilliValue(quantity: Quantity): bigint {
  return divideAwayFromZero(quantity.nanos, NANOS / 1000n);
}

/** A count of nano-units as a decimal number with at most `decimals` decimals (rounded half away from zero), for messages. */
export function formatNanos(nanos: bigint, decimals = 9): string {
  const negative = nanos < 0n;
  const step = pow10(9 - decimals);
  let magnitude = negative ? -nanos : nanos;
  magnitude = ((magnitude + step / 2n) / step) * step;
  const whole = magnitude / NANOS;
  const fraction = (magnitude % NANOS).toString().padStart(9, '0').replace(/0+$/, '');
  return `${negative && magnitude !== 0n ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
