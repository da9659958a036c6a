// CIDRs as Kubernetes reads them, in one parser shared by the builders (NetworkPeer.cidr) and the rules
// (egress-peers, network-isolation): IPv4-mapped IPv6 (`::ffff:a.b.c.d/n`) is read as the IPv4 CIDR it
// maps, as Go's net package (and so every NetworkPolicy implementation) reads it; ranges can be joined
// and cut, so that what several ipBlocks reach together can be judged.

/** A parsed CIDR: the address as a 32- or 128-bit integer and its prefix length. */
export interface Cidr {
  readonly bits: 32 | 128;
  readonly addr: bigint;
  readonly prefix: number;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function parseIpv6(text: string): bigint | undefined {
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tailV4 = parseIpv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(halves[0]);
  const right = halves.length === 2 ? groups(halves[1]) : [];
  const fill = 8 - left.length - right.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) return undefined;
  const all = [...left, ...Array(halves.length === 2 ? fill : 0).fill('0'), ...right];
  if (all.length !== 8 || !all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  let value = all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

/** The IPv4-mapped IPv6 block `::ffff:0:0/96`. */
const MAPPED_PREFIX = 0xffffn << 32n;

/**
 * An IPv6 CIDR inside `::ffff:0:0/96` with a prefix of 96 or more is an IPv4 CIDR: Go's net.ParseCIDR keeps
 * the address's 4-byte form and IPNet.Contains compares IPv4 packets with the mask's last 32 bits, so
 * `::ffff:0.0.0.0/96` is 0.0.0.0/0 and `::ffff:169.254.169.254/128` is 169.254.169.254/32. A shorter
 * prefix (`::/80`) masks the `ffff` away and stays IPv6.
 */
function normalized(cidr: Cidr): Cidr {
  if (cidr.bits !== 128 || cidr.prefix < 96 || (cidr.addr >> 32n) !== (MAPPED_PREFIX >> 32n)) return cidr;
  return { bits: 32, addr: cidr.addr & 0xffffffffn, prefix: cidr.prefix - 96 };
}

/** Parses `a.b.c.d/n` or an IPv6 CIDR, IPv4-mapped IPv6 read as IPv4; undefined when malformed. */
export function parseCidr(text: unknown): Cidr | undefined {
  if (typeof text !== 'string') return undefined;
  const [address, prefixText, extra] = text.trim().split('/');
  if (extra !== undefined || prefixText === undefined || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const v4 = address.includes(':') ? undefined : parseIpv4(address);
  if (v4 !== undefined) return prefix <= 32 ? { bits: 32, addr: v4, prefix } : undefined;
  const v6 = address.includes(':') ? parseIpv6(address) : undefined;
  return v6 !== undefined && prefix <= 128 ? normalized({ bits: 128, addr: v6, prefix }) : undefined;
}

/** Whether a CIDR's text is IPv4-mapped IPv6 that Kubernetes reads as IPv4. */
export function isIpv4MappedCidr(text: unknown): boolean {
  return typeof text === 'string' && text.includes(':') && parseCidr(text)?.bits === 32;
}

/** A CIDR as text: dotted IPv4, or IPv6 in its shortest form (RFC 5952). */
export function cidrText(cidr: Cidr): string {
  if (cidr.bits === 32) {
    const a = cidr.addr;
    return `${[24n, 16n, 8n, 0n].map((s) => String((a >> s) & 0xffn)).join('.')}/${cidr.prefix}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((cidr.addr >> BigInt(112 - 16 * i)) & 0xffffn));
  let bestAt = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) { bestAt = i; bestLength = j - i; }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  const text = bestAt < 0 ? hex(groups) : `${hex(groups.slice(0, bestAt))}::${hex(groups.slice(bestAt + bestLength))}`;
  return `${text}/${cidr.prefix}`;
}

/** Whether a CIDR sets bits past its prefix (`203.0.113.5/24`: the network is 203.0.113.0/24). */
export function hasHostBits(cidr: Cidr): boolean {
  return (cidr.addr & ((1n << BigInt(cidr.bits - cidr.prefix)) - 1n)) !== 0n;
}

/** The CIDR with its host bits cleared: the network it names. */
export function networkOf(cidr: Cidr): Cidr {
  const host = (1n << BigInt(cidr.bits - cidr.prefix)) - 1n;
  return { ...cidr, addr: cidr.addr & ~host };
}

/** Whether `outer` contains every address of `inner`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.bits !== inner.bits || outer.prefix > inner.prefix) return false;
  const shift = BigInt(outer.bits - outer.prefix);
  return (outer.addr >> shift) === (inner.addr >> shift);
}

/** The addresses from `first` to `last` (inclusive) of one family. */
export interface AddressRange {
  readonly bits: 32 | 128;
  readonly first: bigint;
  readonly last: bigint;
}

/** Every address of a CIDR as one range. */
export function rangeOfCidr(cidr: Cidr): AddressRange {
  const size = 1n << BigInt(cidr.bits - cidr.prefix);
  const first = (cidr.addr >> BigInt(cidr.bits - cidr.prefix)) << BigInt(cidr.bits - cidr.prefix);
  return { bits: cidr.bits, first, last: first + size - 1n };
}

/** `ranges` without the addresses of `cut`. */
export function subtractRange(ranges: readonly AddressRange[], cut: AddressRange): AddressRange[] {
  const out: AddressRange[] = [];
  for (const r of ranges) {
    if (r.bits !== cut.bits || cut.last < r.first || cut.first > r.last) { out.push(r); continue; }
    if (r.first < cut.first) out.push({ bits: r.bits, first: r.first, last: cut.first - 1n });
    if (cut.last < r.last) out.push({ bits: r.bits, first: cut.last + 1n, last: r.last });
  }
  return out;
}

/** The addresses an ipBlock admits: its CIDR without its excepts (malformed excepts cut nothing); [] when the CIDR is malformed. */
export function ipBlockRanges(ipBlock: { readonly cidr?: unknown; readonly except?: unknown }): AddressRange[] {
  const cidr = parseCidr(ipBlock?.cidr);
  if (!cidr) return [];
  let ranges = [rangeOfCidr(cidr)];
  for (const e of Array.isArray(ipBlock.except) ? ipBlock.except : []) {
    const cut = parseCidr(e);
    if (cut) ranges = subtractRange(ranges, rangeOfCidr(cut));
  }
  return ranges;
}

/** Whether the union of `ranges` holds every address of `target`. */
export function rangesCover(ranges: readonly AddressRange[], target: AddressRange): boolean {
  const relevant = ranges.filter((r) => r.bits === target.bits && r.last >= target.first && r.first <= target.last)
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  let next = target.first;
  for (const r of relevant) {
    if (r.first > next) return false;
    if (r.last >= next) next = r.last + 1n;
    if (next > target.last) return true;
  }
  return next > target.last;
}
