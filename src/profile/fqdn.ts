// Egress by domain name (CiliumNetworkPolicy toFQDNs, GKE FQDNNetworkPolicy matches) as the builders and
// the egress-peers rule read it: which names and wildcard patterns reach too far (every domain, a whole
// top-level domain) or reach the metadata servers and private names. Pure string functions, no DNS.

/**
 * The kinds that allow egress by domain name. They add allowances to what NetworkPolicies allow and never
 * isolate a pod for the audit: network-isolation counts Kubernetes NetworkPolicies only.
 */
export const FQDN_POLICY_KINDS: ReadonlySet<string> = new Set(['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'FQDNNetworkPolicy']);

/**
 * The names of the clouds' metadata servers, which resolve to the addresses no egress may reach (GCE's
 * metadata.google.internal, and `metadata` through a GCE VM's search path; EC2's instance-data).
 */
export const METADATA_SERVER_NAMES: readonly string[] = ['metadata.google.internal', 'metadata', 'instance-data', 'instance-data.ec2.internal'];

/** Top-level domains whose names are private by definition, and what lives there. */
export const PRIVATE_TOP_LEVEL_DOMAINS: readonly { readonly tld: string; readonly what: string }[] = [
  { tld: 'internal', what: 'private-use names (ICANN reserves .internal): metadata.google.internal and the clouds\' VM names' },
  { tld: 'local', what: 'multicast DNS and the cluster\'s own Service names (cluster.local)' },
  { tld: 'localhost', what: 'the loopback address' },
];

/** A name or pattern as the providers compare it: lower-case (DNS is case-insensitive), without one trailing dot. */
export function normalizeFqdn(text: string): string {
  const lower = text.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** Whether a name is an IPv4 address written as a DNS name (`169.254.169.254`). */
export function isIpv4Name(name: string): boolean {
  const labels = name.split('.');
  return labels.length === 4 && labels.every((l) => /^\d{1,3}$/.test(l) && Number(l) <= 255);
}

/**
 * Whether a pattern may match a name. Conservative: `*` matches any run of name characters, dots
 * included, so a pattern that matches a name under any provider's reading (Cilium's `**.`, GKE's
 * one-label `*`) matches it here too.
 */
function mayMatch(pattern: string, name: string): boolean {
  const source = pattern.split('*').map((part) => part.replace(/[.\\+?^$()[\]{}|-]/g, '\\$&')).join('[-a-z0-9_.]*');
  return new RegExp(`^${source}$`).test(name);
}

/**
 * Why an egress domain name or wildcard pattern is unsafe for a sandbox, each reason a phrase; empty when it
 * is not. It matches every domain name (`*`, `**.`, `*.*`, `pypi.*`) or every domain of a top-level
 * domain (`*.com`, `*cilium.io`, which Cilium reads as every name ending in "cilium.io"); it covers a
 * metadata server's name (`metadata.google.internal`, `*.google.internal`); it is a private name
 * (under .internal, .local, .localhost); or it is an IP address written as a name.
 */
export function fqdnReachProblems(text: string): string[] {
  const pattern = normalizeFqdn(text);
  const labels = pattern.split('.');
  const problems: string[] = [];
  const lastWildcard = labels.map((l) => l.includes('*')).lastIndexOf(true);
  const fixed = labels.slice(lastWildcard + 1);
  const tld = fixed.length > 0 ? fixed[fixed.length - 1] : undefined;
  const privateTld = PRIVATE_TOP_LEVEL_DOMAINS.find((p) => p.tld === tld);
  if (lastWildcard >= 0 && fixed.length === 0) problems.push('matches every domain name');
  else if (lastWildcard >= 0 && fixed.length === 1) problems.push(`matches every domain of the top-level domain .${tld}${privateTld ? '' : ', names anyone can register'}`);
  const metadata = METADATA_SERVER_NAMES.filter((name) => mayMatch(pattern, name));
  if (metadata.length > 0) problems.push(`covers the metadata server's name${metadata.length > 1 ? 's' : ''} ${metadata.join(', ')}`);
  if (privateTld) problems.push(`is under .${privateTld.tld}, ${privateTld.what}`);
  if (isIpv4Name(pattern)) problems.push('is an IP address written as a name (a rule by name never needs one; addresses belong in an ipBlock, which keeps the metadata server and private ranges out)');
  return problems;
}
