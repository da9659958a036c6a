// NetworkPeer.fqdn's names and the object that carries them beside the Kubernetes NetworkPolicy, which
// cannot name domains: a CiliumNetworkPolicy (toFQDNs, plus the DNS rule Cilium's DNS proxy learns the
// addresses from) or a GKE FQDNNetworkPolicy. Both only add allowed egress; the NetworkPolicy isolates.
import { KubeObject, fqdnReachProblems, isIpv4Name } from '../profile';
import { Site, child, fail } from './validate';

/** Which implementation enforces egress rules to domain names (NetworkPeer.fqdn). */
export enum FqdnProvider {
  /**
   * A CiliumNetworkPolicy (cilium.io/v2) with `toFQDNs` rules and the DNS rule to kube-dns that Cilium's
   * DNS proxy needs (Cilium with the L7 proxy enabled, its default). Needs DnsMode.CLUSTER.
   */
  CILIUM = 'cilium',
  /**
   * A GKE FQDNNetworkPolicy (networking.gke.io/v1alpha1): GKE Dataplane V2 with FQDN network policy enabled
   * (`--enable-fqdn-network-policy`). TCP and UDP single ports only. Needs a DnsMode other than NONE.
   */
  GKE = 'gke',
}

/** One egress rule by name: the names and patterns (normalized), and the rule's ports as the NetworkPolicy has them. */
export interface FqdnRule {
  readonly names: readonly string[];
  readonly ports: readonly { readonly port: number; readonly endPort?: number; readonly protocol: string }[];
}

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ALLOWED_FORMS = 'an exact name ("pypi.org") or a wildcard of one label under a domain ("*.pythonhosted.org")';

/**
 * Checks a NetworkPeer.fqdn name and returns it as emitted (without its trailing dot): lower-case DNS labels,
 * two or more, a wildcard only as the whole first label, never an IP address, a metadata server's name or a
 * private name.
 */
export function checkFqdnName(site: Site, name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '' || value === '.') fail(site, name, value, `must be ${ALLOWED_FORMS}`);
  const text = value.endsWith('.') ? value.slice(0, -1) : value;
  if (text !== text.toLowerCase()) fail(site, name, value, `must be lower-case (DNS names are case-insensitive; the providers' patterns are not all): write "${text.toLowerCase()}"`);
  if (text.includes(':') || isIpv4Name(text)) fail(site, name, value, 'is an IP address: an FQDN rule matches DNS names; reach an address with NetworkPeer.cidr, which keeps the metadata server and private ranges out');
  if (/^[*.]+$/.test(text)) fail(site, name, value, `matches every domain name, the metadata server's included; name the domains: ${ALLOWED_FORMS}`);
  const wildcard = text.startsWith('*.');
  const domain = wildcard ? text.slice(2) : text;
  if (domain.includes('*')) {
    fail(site, name, value, `a wildcard may only be the whole first label ("*.example.com"); "**.", "*example.com" and "a.*.example.com" are refused, as Cilium and GKE read them differently`);
  }
  const labels = domain.split('.');
  const bad = labels.find((l) => l.length > 63 || !LABEL.test(l));
  if (bad !== undefined) {
    fail(site, name, value, `label ${JSON.stringify(bad)} is not a DNS label (1 to 63 lower-case letters, digits and '-', starting and ending with a letter or digit); must be ${ALLOWED_FORMS}`);
  }
  if (text.length > 253) fail(site, name, value, 'is longer than the 253 characters of a DNS name');
  const problems = fqdnReachProblems(text);
  if (problems.length > 0) fail(site, name, value, `${problems.join('; ')}: sandboxes never reach the metadata server or private names; name public domains: ${ALLOWED_FORMS}`);
  if (labels.length < 2) {
    fail(site, name, value, wildcard
      ? `matches every domain of the top-level domain .${domain}; put the wildcard under a domain you trust ("*.pythonhosted.org")`
      : `a single-label name is completed by the pod's DNS search path (on GCE "metadata" becomes metadata.google.internal); write the fully qualified name ("pypi.org")`);
  }
  if (/^\d+$/.test(labels[labels.length - 1])) fail(site, name, value, 'ends in a numeric label, which no top-level domain is; must be a DNS name');
  return text;
}

/** The one rule Cilium's DNS proxy needs: DNS to kube-dns (what DnsMode.CLUSTER opens), every query seen by the proxy. */
export const CILIUM_DNS_PROXY_RULE = {
  toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
  toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }], rules: { dns: [{ matchPattern: '*' }] } }],
} as const;

/** The most ports one Cilium `toPorts` entry holds (its CRD's maxItems). */
const CILIUM_MAX_PORTS = 40;

function nameMatch(cilium: boolean, name: string): { [key: string]: string } {
  const isPattern = name.includes('*');
  return cilium ? { [isPattern ? 'matchPattern' : 'matchName']: name } : { [isPattern ? 'pattern' : 'name']: name };
}

/** Checks a rule's ports against what the provider can express (`site`: the rule). */
export function checkFqdnPorts(site: Site, provider: FqdnProvider, ports: FqdnRule['ports']): void {
  if (provider === FqdnProvider.CILIUM && ports.length > CILIUM_MAX_PORTS) {
    fail(site, 'ports', ports.length, `a CiliumNetworkPolicy rule holds at most ${CILIUM_MAX_PORTS} ports; split the rule`);
  }
  if (provider !== FqdnProvider.GKE) return;
  ports.forEach((p, i) => {
    const portSite = child(site, `ports[${i}]`);
    if (p.endPort !== undefined) fail(portSite, 'endPort', p.endPort, 'a GKE FQDNNetworkPolicy takes single ports only; list the ports one by one, or use FqdnProvider.CILIUM');
    if (p.protocol !== 'TCP' && p.protocol !== 'UDP') fail(portSite, 'protocol', p.protocol, 'a GKE FQDNNetworkPolicy allows TCP and UDP only');
  });
}

/**
 * The provider's object for the rules by name: same name, namespace and labels as the NetworkPolicy, selecting
 * the same pods, each rule with its ports (Cilium: one more rule first, DNS to kube-dns through its DNS proxy).
 */
export function buildFqdnPolicy(
  provider: FqdnProvider,
  metadata: { name: string; namespace?: string; labels?: { [key: string]: string } },
  podSelector: { [key: string]: any },
  rules: readonly FqdnRule[],
): KubeObject {
  if (provider === FqdnProvider.CILIUM) {
    return {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata,
      spec: {
        endpointSelector: structuredClone(podSelector),
        egress: [
          structuredClone(CILIUM_DNS_PROXY_RULE),
          ...rules.map((r) => ({
            toFQDNs: r.names.map((n) => nameMatch(true, n)),
            toPorts: [{ ports: r.ports.map((p) => ({ port: String(p.port), ...(p.endPort !== undefined ? { endPort: p.endPort } : {}), protocol: p.protocol })) }],
          })),
        ],
      },
    };
  }
  return {
    apiVersion: 'networking.gke.io/v1alpha1',
    kind: 'FQDNNetworkPolicy',
    metadata,
    spec: {
      podSelector: structuredClone(podSelector),
      egress: rules.map((r) => ({ matches: r.names.map((n) => nameMatch(false, n)), ports: r.ports.map((p) => ({ port: p.port, protocol: p.protocol })) })),
    },
  };
}
