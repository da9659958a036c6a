// Kubernetes' CEL libraries for the offline admission evaluator, over @bufbuild/cel: the IP and CIDR
// functions of k8s.io/apiserver/pkg/cel/library (ip.go, cidr.go) with their parsing rules (Go's
// net/netip: no leading zeros in IPv4 octets, no zones, no IPv4-mapped IPv6), the list functions of
// lists.go, and `isQuantity`/`quantity` (quantity.go) on the profile's quantity grammar. The values
// `net.IP`, `net.CIDR` and `kubernetes.Quantity` are small protobuf messages, so that `==`, `type()` and
// lists of them behave as CEL values do. @bufbuild/cel is loaded when the library is first built.
import type * as CelModule from '@bufbuild/cel';
import { Cidr, cidrContains, cidrText, networkOf } from '../profile/cidr';
import { Quantity, formatNanos, validateQuantity } from '../profile/quantity';

/** An IP address as Kubernetes' `ip()` holds it: IPv4 (32 bits) or IPv6 (128 bits). */
export interface KubeIp {
  readonly bits: 32 | 128;
  readonly addr: bigint;
}

/** A CIDR as Kubernetes' `cidr()` holds it: the address as written (host bits kept) and the prefix length. */
export interface KubeCidr extends KubeIp {
  readonly prefix: number;
}

/** A parse of Go's net/netip: the value, or the error text Go gives. */
type Parsed<T> = { readonly value: T; readonly error?: undefined } | { readonly value?: undefined; readonly error: string };

/** Go's netip IPv4 parsing: four decimal octets, no leading zeros, each at most 255. */
function parseIpv4Fields(text: string): Parsed<bigint> {
  const fields = text.split('.');
  for (const field of fields) {
    if (field === '') return { error: 'IPv4 field must have at least one digit' };
    if (!/^[0-9]+$/.test(field)) return { error: 'unexpected character' };
    if (field.length > 1 && field.startsWith('0')) return { error: 'IPv4 field has octet with leading zero' };
    if (Number(field) > 255) return { error: 'IPv4 field has value >255' };
  }
  if (fields.length > 4) return { error: 'IPv4 address too long' };
  if (fields.length < 4) return { error: 'IPv4 address too short' };
  return { value: fields.reduce((acc, f) => (acc << 8n) | BigInt(Number(f)), 0n) };
}

/** The 16-bit groups of one side of an IPv6 `::` (the last group may be an embedded IPv4 address). */
function ipv6Groups(side: string, last: boolean): Parsed<bigint[]> {
  if (side === '') return { value: [] };
  const out: bigint[] = [];
  const parts = side.split(':');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (last && i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4Fields(part);
      if (v4.error !== undefined) return v4;
      out.push(v4.value >> 16n, v4.value & 0xffffn);
      continue;
    }
    if (part === '') return { error: 'each colon-separated field must have at least one digit' };
    if (!/^[0-9a-fA-F]+$/.test(part)) return { error: 'unexpected character' };
    if (part.length > 4) return { error: 'IPv6 field has value >=2^16' };
    out.push(BigInt(parseInt(part, 16)));
  }
  return { value: out };
}

/** Go's netip IPv6 parsing (zones split off, for the caller to refuse). */
function parseIpv6(text: string): Parsed<{ addr: bigint; zone: string | undefined }> {
  let rest = text;
  let zone: string | undefined;
  const percent = text.indexOf('%');
  if (percent >= 0) {
    zone = text.slice(percent + 1);
    rest = text.slice(0, percent);
    if (zone === '') return { error: 'zone must be a non-empty string' };
  }
  const halves = rest.split('::');
  if (halves.length > 2) return { error: 'multiple :: in address' };
  const head = ipv6Groups(halves[0], halves.length === 1);
  if (head.error !== undefined) return head;
  const tail = halves.length === 2 ? ipv6Groups(halves[1], true) : { value: [] as bigint[] };
  if (tail.error !== undefined) return tail;
  const count = head.value.length + tail.value.length;
  if (count > 8) return { error: 'IPv6 address too long' };
  if (halves.length === 1 && count < 8) return { error: 'address string too short' };
  if (halves.length === 2 && count === 8) return { error: 'the :: must expand to at least one field of zeros' };
  const groups = [...head.value, ...Array(8 - count).fill(0n), ...tail.value];
  return { value: { addr: groups.reduce((acc, g) => (acc << 16n) | g, 0n), zone } };
}

/** Go's netip.ParseAddr: the address, its zone, or Go's error text. */
function parseAddr(text: string): Parsed<{ ip: KubeIp; zone: string | undefined }> {
  const fail = (msg: string) => ({ error: `ParseAddr(${JSON.stringify(text)}): ${msg}` });
  for (const ch of text) {
    if (ch === '.') {
      const v4 = parseIpv4Fields(text);
      return v4.error !== undefined ? fail(v4.error) : { value: { ip: { bits: 32, addr: v4.value }, zone: undefined } };
    }
    if (ch === ':') {
      const v6 = parseIpv6(text);
      return v6.error !== undefined ? fail(v6.error) : { value: { ip: { bits: 128, addr: v6.value.addr }, zone: v6.value.zone } };
    }
    if (ch === '%') return fail('missing IPv6 address');
  }
  return fail('unable to parse IP');
}

/** Whether an IPv6 address is IPv4-mapped (`::ffff:a.b.c.d`), which Kubernetes' ip() and cidr() refuse. */
function isIpv4Mapped(ip: KubeIp): boolean {
  return ip.bits === 128 && ip.addr >> 32n === 0xffffn;
}

/** Parses an IP address as Kubernetes' `ip()` and `isIP()` do; throws with Kubernetes' message when invalid. */
export function parseKubeIp(text: string): KubeIp {
  const parsed = parseAddr(text);
  if (parsed.error !== undefined) throw new Error(`IP Address ${JSON.stringify(text)} parse error during conversion from string: ${parsed.error}`);
  if (parsed.value.zone !== undefined) throw new Error(`IP address ${JSON.stringify(text)} with zone value is not allowed`);
  if (isIpv4Mapped(parsed.value.ip)) throw new Error(`IPv4-mapped IPv6 address ${JSON.stringify(text)} is not allowed`);
  return parsed.value.ip;
}

/** Parses a CIDR as Kubernetes' `cidr()` and `isCIDR()` do (host bits allowed); throws with Kubernetes' message when invalid. */
export function parseKubeCidr(text: string): KubeCidr {
  const fail = (msg: string): never => {
    throw new Error(`network address parse error during conversion from string: network address parse error during conversion from string: netip.ParsePrefix(${JSON.stringify(text)}): ${msg}`);
  };
  const slash = text.lastIndexOf('/');
  if (slash < 0) return fail("no '/'");
  const parsed = parseAddr(text.slice(0, slash));
  if (parsed.error !== undefined) return fail(parsed.error);
  if (parsed.value.zone !== undefined) return fail('IPv6 zones cannot be present in a prefix');
  const bitsText = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]*)$/.test(bitsText)) return fail(`bad bits after slash: ${JSON.stringify(bitsText)}`);
  const prefix = Number(bitsText);
  if (prefix > parsed.value.ip.bits) return fail('prefix length out of range');
  if (isIpv4Mapped(parsed.value.ip)) {
    throw new Error(`network address parse error during conversion from string: IPv4-mapped IPv6 address ${JSON.stringify(text)} is not allowed`);
  }
  return { ...parsed.value.ip, prefix };
}

/** Whether `parse` accepts the text. */
function accepts(parse: (text: string) => unknown, text: string): boolean {
  try {
    parse(text);
    return true;
  } catch {
    return false;
  }
}

/** An address in Go's canonical form: dotted IPv4, or RFC 5952 IPv6 (what `string(ip(...))` gives). */
export function kubeIpText(ip: KubeIp): string {
  const text = cidrText({ bits: ip.bits, addr: ip.addr, prefix: ip.bits });
  return text.slice(0, text.lastIndexOf('/'));
}

/** A CIDR in Go's canonical form, host bits kept (what `string(cidr(...))` gives). */
export function kubeCidrText(cidr: KubeCidr): string {
  return `${kubeIpText(cidr)}/${cidr.prefix}`;
}

function asCidr(value: KubeIp | KubeCidr): Cidr {
  return { bits: value.bits, addr: value.addr, prefix: 'prefix' in value ? value.prefix : value.bits };
}

/** Whether the address lies in `start/prefix` of its own family. */
function inBlock(ip: KubeIp, bits: 32 | 128, start: bigint, prefix: number): boolean {
  return ip.bits === bits && cidrContains({ bits, addr: start, prefix }, asCidr(ip));
}

/** Go's netip predicates on an address, as ip.go exposes them. */
export const IP_PREDICATES: { readonly [method: string]: (ip: KubeIp) => boolean } = {
  isUnspecified: (ip) => ip.addr === 0n,
  isLoopback: (ip) => (ip.bits === 32 ? inBlock(ip, 32, 0x7f000000n, 8) : ip.addr === 1n),
  isLinkLocalMulticast: (ip) => (ip.bits === 32 ? inBlock(ip, 32, 0xe0000000n, 24) : ((ip.addr >> 112n) & 0xff0fn) === 0xff02n),
  isLinkLocalUnicast: (ip) => (ip.bits === 32 ? inBlock(ip, 32, 0xa9fe0000n, 16) : inBlock(ip, 128, 0xfe80n << 112n, 10)),
  isGlobalUnicast: (ip) => {
    const multicast = ip.bits === 32 ? inBlock(ip, 32, 0xe0000000n, 4) : inBlock(ip, 128, 0xffn << 120n, 8);
    const broadcast = ip.bits === 32 && ip.addr === 0xffffffffn;
    return ip.addr !== 0n && !broadcast && !multicast && !IP_PREDICATES.isLoopback(ip) && !IP_PREDICATES.isLinkLocalUnicast(ip);
  },
};

/** Whether the CIDR holds the address (Go's netip.Prefix.Contains: same family, masked bits equal). */
export function kubeCidrContainsIp(cidr: KubeCidr, ip: KubeIp): boolean {
  return cidrContains(asCidr(cidr), asCidr(ip));
}

/**
 * Whether the CIDR holds every address of `inner`, as Kubernetes 1.33 and later answer (kubernetes/kubernetes#130450:
 * before it, a CIDR whose address differed from the outer one's, `192.168.10.0/24` in `192.168.0.0/16`, was not contained).
 */
export function kubeCidrContainsCidr(outer: KubeCidr, inner: KubeCidr): boolean {
  return cidrContains(asCidr(outer), asCidr(inner));
}

/** Reads a quantity as Kubernetes' resource.ParseQuantity does (no white space around it, no numbers); throws when invalid. */
export function parseKubeQuantity(text: string): Quantity {
  const verdict = validateQuantity(text, { surroundingSpace: false, numbers: false });
  if (verdict.problem !== undefined || verdict.quantity === undefined) throw new Error('quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'');
  return verdict.quantity;
}

/** What the evaluator needs of the library: its functions and the registry that holds its value types. */
export interface KubernetesCelLibrary {
  readonly funcs: readonly CelModule.CelFunc[];
  readonly registry: unknown;
  /** Every function name the library and the engine's standard library give, qualified ones (`ip.isCanonical`) included. */
  readonly functionNames: ReadonlySet<string>;
}

/** Kubernetes functions this library does not give, with what they belong to (for the compile errors). */
export const UNSUPPORTED_KUBERNETES_FUNCTIONS: { readonly [name: string]: string } = {
  'find': 'the regex library', 'findAll': 'the regex library',
  'url': 'the URL library', 'isURL': 'the URL library', 'getScheme': 'the URL library', 'getHost': 'the URL library', 'getHostname': 'the URL library',
  'getPort': 'the URL library', 'getEscapedPath': 'the URL library', 'getQuery': 'the URL library',
  'semver': 'the semver library', 'isSemver': 'the semver library', 'major': 'the semver library', 'minor': 'the semver library', 'patch': 'the semver library',
  'format.named': 'the format library', 'validate': 'the format library',
  'sets.contains': 'the sets extension', 'sets.equivalent': 'the sets extension', 'sets.intersects': 'the sets extension',
  'base64.encode': 'the encoders extension', 'base64.decode': 'the encoders extension',
  'math.greatest': 'the math extension', 'math.least': 'the math extension', 'math.ceil': 'the math extension', 'math.floor': 'the math extension',
  'math.round': 'the math extension', 'math.trunc': 'the math extension', 'math.abs': 'the math extension', 'math.sign': 'the math extension',
  'math.isNaN': 'the math extension', 'math.isInf': 'the math extension', 'math.isFinite': 'the math extension',
  'jsonpatch.escapeKey': 'the JSON patch library', 'reverse': 'the strings extension (version 3)',
  'slice': 'the lists extension', 'flatten': 'the lists extension', 'distinct': 'the lists extension', 'range': 'the lists extension', 'sortBy': 'the lists extension',
  'transformList': 'two-variable comprehensions', 'transformMap': 'two-variable comprehensions', 'transformMapEntry': 'two-variable comprehensions',
  'path': 'the authorizer library', 'group': 'the authorizer library', 'serviceAccount': 'the authorizer library', 'resource': 'the authorizer library',
  'subresource': 'the authorizer library', 'check': 'the authorizer library', 'allowed': 'the authorizer library', 'reason': 'the authorizer library',
  'errored': 'the authorizer library', 'error': 'the authorizer library', 'fieldSelector': 'the authorizer library', 'labelSelector': 'the authorizer library',
};

/** The one instance: built on first use. */
let library: KubernetesCelLibrary | undefined;

/** Builds (once) the Kubernetes functions over @bufbuild/cel: loads the engine. */
export function kubernetesCelLibrary(): KubernetesCelLibrary {
  if (library) return library;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const cel: typeof CelModule = require('@bufbuild/cel');
  const ext: { strings: readonly CelModule.CelFunc[] } = require('@bufbuild/cel/ext');
  const pb = require('@bufbuild/protobuf');
  const wkt = require('@bufbuild/protobuf/wkt');
  const { reflect } = require('@bufbuild/protobuf/reflect');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const stringField = (name: string) => ({ name, number: 1, type: wkt.FieldDescriptorProto_Type.STRING, label: wkt.FieldDescriptorProto_Label.OPTIONAL, jsonName: name });
  const registry = pb.createFileRegistry(pb.create(wkt.FileDescriptorSetSchema, {
    file: [
      { name: 'cdk8s-sandbox/k8s-net.proto', package: 'net', syntax: 'proto3', messageType: [{ name: 'IP', field: [stringField('ip')] }, { name: 'CIDR', field: [stringField('cidr')] }] },
      { name: 'cdk8s-sandbox/k8s-quantity.proto', package: 'kubernetes', syntax: 'proto3', messageType: [{ name: 'Quantity', field: [stringField('nanos')] }] },
    ],
  }));
  const [IP, CIDR, QUANTITY] = ['net.IP', 'net.CIDR', 'kubernetes.Quantity'].map((n) => registry.getMessage(n));
  const [IP_T, CIDR_T, QUANTITY_T] = [IP, CIDR, QUANTITY].map((d) => cel.objectType(d));
  const { STRING, BOOL, INT, DOUBLE, DYN } = cel.CelScalar;
  const LIST = cel.listType(DYN);
  const ipValue = (ip: KubeIp) => reflect(IP, pb.create(IP, { ip: kubeIpText(ip) }));
  const cidrValue = (c: KubeCidr) => reflect(CIDR, pb.create(CIDR, { cidr: kubeCidrText(c) }));
  const ipOf = (v: any): KubeIp => parseKubeIp(v.message.ip);
  const cidrOf = (v: any): KubeCidr => parseKubeCidr(v.message.cidr);
  const quantityValue = (nanos: bigint) => reflect(QUANTITY, pb.create(QUANTITY, { nanos: nanos.toString() }));
  const nanosOf = (v: any): bigint => BigInt(v.message.nanos);
  const NANOS = 1_000_000_000n;
  const asInt64 = (nanos: bigint): bigint => {
    if (nanos % NANOS !== 0n || nanos / NANOS > 2n ** 63n - 1n || nanos / NANOS < -(2n ** 63n)) throw new Error('cannot convert value to integer');
    return nanos / NANOS;
  };
  const compare = (a: bigint, b: bigint): bigint => (a < b ? -1n : a > b ? 1n : 0n);

  const funcs: CelModule.CelFunc[] = [
    ...ext.strings,
    // ip.go
    cel.celFunc('ip', [STRING], IP_T, (s) => ipValue(parseKubeIp(s))),
    cel.celFunc('isIP', [STRING], BOOL, (s) => accepts(parseKubeIp, s)),
    cel.celFunc('ip.isCanonical', [STRING], BOOL, (s) => kubeIpText(parseKubeIp(s)) === s),
    cel.celFunc('string', [IP_T], STRING, (v) => (v as any).message.ip),
    cel.celMethod('family', IP_T, [], INT, function () { return ipOf(this).bits === 32 ? 4n : 6n; }),
    ...Object.entries(IP_PREDICATES).map(([name, test]) => cel.celMethod(name, IP_T, [], BOOL, function () { return test(ipOf(this)); })),
    // cidr.go
    cel.celFunc('cidr', [STRING], CIDR_T, (s) => cidrValue(parseKubeCidr(s))),
    cel.celFunc('isCIDR', [STRING], BOOL, (s) => accepts(parseKubeCidr, s)),
    cel.celFunc('string', [CIDR_T], STRING, (v) => (v as any).message.cidr),
    cel.celMethod('containsIP', CIDR_T, [STRING], BOOL, function (s) { return kubeCidrContainsIp(cidrOf(this), parseKubeIp(s)); }),
    cel.celMethod('containsIP', CIDR_T, [IP_T], BOOL, function (ip) { return kubeCidrContainsIp(cidrOf(this), ipOf(ip)); }),
    cel.celMethod('containsCIDR', CIDR_T, [STRING], BOOL, function (s) { return kubeCidrContainsCidr(cidrOf(this), parseKubeCidr(s)); }),
    cel.celMethod('containsCIDR', CIDR_T, [CIDR_T], BOOL, function (c) { return kubeCidrContainsCidr(cidrOf(this), cidrOf(c)); }),
    cel.celMethod('ip', CIDR_T, [], IP_T, function () { return ipValue(cidrOf(this)); }),
    cel.celMethod('masked', CIDR_T, [], CIDR_T, function () { return cidrValue(networkOf(asCidr(cidrOf(this)))); }),
    cel.celMethod('prefixLength', CIDR_T, [], INT, function () { return BigInt(cidrOf(this).prefix); }),
    // quantity.go
    cel.celFunc('quantity', [STRING], QUANTITY_T, (s) => quantityValue(parseKubeQuantity(s).nanos)),
    cel.celFunc('isQuantity', [STRING], BOOL, (s) => accepts(parseKubeQuantity, s)),
    cel.celMethod('sign', QUANTITY_T, [], INT, function () { return compare(nanosOf(this), 0n); }),
    cel.celMethod('isInteger', QUANTITY_T, [], BOOL, function () { const nanos = nanosOf(this); return accepts(() => asInt64(nanos), ''); }),
    cel.celMethod('asInteger', QUANTITY_T, [], INT, function () { return asInt64(nanosOf(this)); }),
    cel.celMethod('asApproximateFloat', QUANTITY_T, [], DOUBLE, function () { return Number(formatNanos(nanosOf(this))); }),
    cel.celMethod('compareTo', QUANTITY_T, [QUANTITY_T], INT, function (q) { return compare(nanosOf(this), nanosOf(q)); }),
    cel.celMethod('isGreaterThan', QUANTITY_T, [QUANTITY_T], BOOL, function (q) { return nanosOf(this) > nanosOf(q); }),
    cel.celMethod('isLessThan', QUANTITY_T, [QUANTITY_T], BOOL, function (q) { return nanosOf(this) < nanosOf(q); }),
    cel.celMethod('add', QUANTITY_T, [QUANTITY_T], QUANTITY_T, function (q) { return quantityValue(nanosOf(this) + nanosOf(q)); }),
    cel.celMethod('add', QUANTITY_T, [INT], QUANTITY_T, function (n) { return quantityValue(nanosOf(this) + n * NANOS); }),
    cel.celMethod('sub', QUANTITY_T, [QUANTITY_T], QUANTITY_T, function (q) { return quantityValue(nanosOf(this) - nanosOf(q)); }),
    cel.celMethod('sub', QUANTITY_T, [INT], QUANTITY_T, function (n) { return quantityValue(nanosOf(this) - n * NANOS); }),
    // lists.go
    cel.celMethod('isSorted', LIST, [], BOOL, function () { return isSorted([...this]); }),
    cel.celMethod('sum', LIST, [], DYN, function () { return sum([...this]); }),
    cel.celMethod('min', LIST, [], DYN, function () { return extreme([...this], 'min', -1) as CelModule.CelValue; }),
    cel.celMethod('max', LIST, [], DYN, function () { return extreme([...this], 'max', 1) as CelModule.CelValue; }),
    cel.celMethod('indexOf', LIST, [DYN], INT, function (v) { return BigInt([...this].findIndex((e) => celEquals(e, v))); }),
    cel.celMethod('lastIndexOf', LIST, [DYN], INT, function (v) {
      const items = [...this];
      for (let i = items.length - 1; i >= 0; i--) if (celEquals(items[i], v)) return BigInt(i);
      return -1n;
    }),
  ];
  const env = cel.celEnv({ funcs, registry });
  const functionNames = new Set<string>([...env.funcs].map((f) => f.name));
  library = { funcs, registry, functionNames };
  return library;
}

/** CEL equality of the values list functions compare: numbers across int, uint and double; strings, bools, null; lists and maps deeply. */
export function celEquals(a: unknown, b: unknown): boolean {
  const num = (v: unknown): number | bigint | undefined => {
    if (typeof v === 'bigint' || typeof v === 'number') return v;
    if (v !== null && typeof v === 'object' && typeof (v as any).value === 'bigint' && Object.keys(v).length <= 1) return (v as any).value; // CelUint
    return undefined;
  };
  const x = num(a);
  const y = num(b);
  if (x !== undefined || y !== undefined) {
    if (x === undefined || y === undefined) return false;
    // eslint-disable-next-line eqeqeq
    return typeof x === typeof y ? x === y : x == y;
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && a.length === b.length && a.every((v, i) => v === b[i]);
  }
  if ('message' in a && 'message' in b) return JSON.stringify((a as any).message, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) === JSON.stringify((b as any).message, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  const aMap = typeof (a as any).has === 'function' && typeof (a as any).entries === 'function';
  const bMap = typeof (b as any).has === 'function' && typeof (b as any).entries === 'function';
  if (aMap || bMap) {
    if (!aMap || !bMap || (a as any).size !== (b as any).size) return false;
    for (const [k, v] of (a as any).entries()) if (!(b as any).has(k) || !celEquals(v, (b as any).get(k))) return false;
    return true;
  }
  const aList = typeof (a as any)[Symbol.iterator] === 'function' ? [...(a as any)] : undefined;
  const bList = typeof (b as any)[Symbol.iterator] === 'function' ? [...(b as any)] : undefined;
  if (!aList || !bList || aList.length !== bList.length) return false;
  return aList.every((v, i) => celEquals(v, bList[i]));
}

/** -1, 0 or 1 for two comparable values (numbers, strings, bools), as lists.go's ordering; throws for others. */
function celCompare(a: unknown, b: unknown): number {
  const numeric = (v: unknown) => typeof v === 'bigint' || typeof v === 'number';
  if (numeric(a) && numeric(b)) {
    // eslint-disable-next-line eqeqeq
    return (a as number) < (b as number) ? -1 : (a as number) == (b as number) ? 0 : 1;
  }
  if ((typeof a === 'string' && typeof b === 'string') || (typeof a === 'boolean' && typeof b === 'boolean')) return a < b ? -1 : a === b ? 0 : 1;
  throw new Error(`no such overload: cannot compare ${typeof a} and ${typeof b}`);
}

function isSorted(items: unknown[]): boolean {
  for (let i = 1; i < items.length; i++) if (celCompare(items[i - 1], items[i]) > 0) return false;
  return true;
}

function sum(items: unknown[]): bigint | number {
  if (items.length === 0) return 0n;
  if (items.every((v) => typeof v === 'bigint')) {
    const total = (items as bigint[]).reduce((a, b) => a + b, 0n);
    if (total > 2n ** 63n - 1n || total < -(2n ** 63n)) throw new Error('int overflow during sum');
    return total;
  }
  if (items.every((v) => typeof v === 'number')) return (items as number[]).reduce((a, b) => a + b, 0);
  throw new Error('no such overload: sum() of a list whose elements are not all int or all double');
}

function extreme(items: unknown[], name: string, sign: number): unknown {
  if (items.length === 0) throw new Error(`${name} called on empty list`);
  return items.reduce((best, v) => (celCompare(v, best) * sign > 0 ? v : best));
}
