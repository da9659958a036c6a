// SandboxNetworkPolicy's builder: deny-all by default, then only the peers and ports asked for; the rules
// to domain names go to the provider's object beside it (fqdn.ts).
import type { IConstruct } from 'constructs';
import { EGRESS_FORBIDDEN_RANGES, KubeObject, SANDBOX_LABELS, internetExcepts, labelsText, unexceptedRanges } from '../profile';
import { Cidr, cidrContains, cidrText, hasHostBits, ipBlockRanges, networkOf, parseCidr, rangeOfCidr, rangesCover } from '../profile/cidr';
import { FqdnProvider, FqdnRule, buildFqdnPolicy, checkFqdnName, checkFqdnPorts } from './fqdn';
import { Protocol } from './pod-props';
import { Site, checkDnsLabel, checkInteger, child, fail, field } from './validate';

export { FqdnProvider } from './fqdn';

/** How sandboxed pods resolve names. Every mode but NONE lets code tunnel data out over DNS. */
export enum DnsMode {
  /** No DNS at all: the safest, and the default for code runners. */
  NONE = 'none',
  /**
   * UDP and TCP 53 to the kube-dns pods in kube-system only. Code can enumerate cluster Services by
   * name and tunnel data through DNS queries.
   */
  CLUSTER = 'cluster',
  /**
   * GKE NodeLocal DNSCache: the link-local resolver 169.254.20.10 on port 53 (gVisor pods send DNS there as
   * ordinary packets), plus the kube-dns pods behind it. Same trade-off as CLUSTER.
   */
  GKE_NODE_LOCAL_DNS = 'gke-node-local-dns',
  /**
   * GKE Cloud DNS: the metadata server address 169.254.169.254, port 53 only. Opens that address for
   * DNS, never for its HTTP port; same trade-off as CLUSTER.
   */
  GKE_CLOUD_DNS = 'gke-cloud-dns',
}

/** The NodeLocal DNSCache address on GKE. */
export const GKE_NODE_LOCAL_DNS_IP = '169.254.20.10';
/** The Cloud DNS resolver address on GKE (the metadata server). */
export const GKE_CLOUD_DNS_IP = '169.254.169.254';

/**
 * A workload a policy selects or names as a peer, by reference: one of the library's own (an ISandboxWorkload,
 * which knows its selector labels), or any other workload construct with a name (a cdk8s-plus-27 workload, an
 * L1 `KubeDeployment`, an ApiObject of `Include` or `Helm`), whose labels the policy reads from its object.
 */
export interface IWorkloadReference {
  /** Name of the workload. */
  readonly name: string;
}

/** What a workload built by this library tells a policy about its pods. */
export interface ISandboxWorkload extends IWorkloadReference {
  /** Namespace of its pods (the chart's when unset). */
  readonly namespace?: string;
  /** Labels that select exactly its pods. */
  readonly selectorLabels: { readonly [key: string]: string };
}

/** Whether a value is a construct (it has a node with a path and a tree to search). */
export function isConstructLike(value: unknown): value is IConstruct {
  const node = (value as { node?: { path?: unknown; findAll?: unknown } } | undefined)?.node;
  return !!value && typeof value === 'object' && !!node && typeof node.path === 'string' && typeof node.findAll === 'function';
}

/** Whether a workload brings no usable selector labels of its own (a cdk8s-plus or L1 workload, or a mistake). */
export function lacksSelectorLabels(workload: unknown): boolean {
  const labels: unknown = (workload as { selectorLabels?: unknown } | undefined)?.selectorLabels;
  return !labels || typeof labels !== 'object' || Object.keys(labels).length === 0;
}

/**
 * A workload as a policy selects it, read from the object it references (WorkloadSelector): its name and
 * namespace, the labels that select its pods, and how messages name it.
 */
export interface WorkloadSelection {
  /** Name of the workload object. */
  readonly name: string;
  /** Namespace of its pods; unset when the object names none. */
  readonly namespace?: string;
  /** The labels its selector (or, without one, its pod template) selects its pods by; never empty. */
  readonly labels: { readonly [key: string]: string };
  /** How messages name it: `Deployment "web" at c/web`. */
  readonly what: string;
}

/**
 * A workload resolved where a policy uses it, so that its errors name the policy and the field
 * (`selects[0]`, `ingress[0].peers[1].peer`). WorkloadSelector is one; `role` says what the labels do there.
 */
interface ResolvableWorkload {
  _selectionFor(site: Site, name: string, role: WorkloadRole): WorkloadSelection;
}

/** What a workload's labels become: the pods a policy selects, or the pods a peer matches. */
export type WorkloadRole = 'selects' | 'peer';

/** Whether a workload is resolved by the policy that uses it (a WorkloadSelector), not read from `selectorLabels`. */
export function isResolvableWorkload(workload: unknown): workload is ResolvableWorkload {
  return !!workload && typeof workload === 'object' && typeof (workload as { _selectionFor?: unknown })._selectionFor === 'function';
}

/** A value for messages: a construct by its class and path (its JSON would be its whole tree), anything else as given. */
export function describeGiven(value: unknown): unknown {
  if (isResolvableWorkload(value)) return `WorkloadSelector.of(${String(describeGiven((value as { workload?: unknown }).workload) ?? 'undefined')})`;
  const node = (value as { node?: { path?: unknown } } | undefined)?.node;
  if (!value || typeof value !== 'object' || !node || typeof node.path !== 'string') return value;
  const kind = typeof (value as { kind?: unknown }).kind === 'string' ? (value as { kind: string }).kind : value.constructor?.name ?? 'construct';
  const name = (value as { name?: unknown }).name;
  return `${kind}${typeof name === 'string' ? ` "${name}"` : ''} at ${node.path || '(root)'}`;
}

/** A port of a network rule. */
export interface NetworkPort {
  /** Port number (1-65535). */
  readonly port: number;
  /**
   * Last port of a range starting at `port`.
   * @default - the single port
   */
  readonly endPort?: number;
  /**
   * Protocol.
   * @default Protocol.TCP
   */
  readonly protocol?: Protocol;
}

/** The other end of an allowed connection. */
export class NetworkPeer {
  /**
   * The pods of a workload, in its namespace: one built with this library (SandboxedDeployment, CodeRunnerJob),
   * or any other by reference with `WorkloadSelector.of(workload)` (cdk8s-plus, L1, Include, Helm), matched by
   * the selector labels it really carries.
   */
  public static workload(workload: IWorkloadReference): NetworkPeer {
    // A WorkloadSelector is read where the policy uses it, so that its refusals name the policy and the peer.
    if (isResolvableWorkload(workload)) return new NetworkPeer('workload', { workload, what: 'a workload' });
    // A construct without selector labels of its own (cdk8s-plus, L1) is kept and read by the policy that uses it.
    if (isConstructLike(workload) && lacksSelectorLabels(workload)) return new NetworkPeer('workload', { workload, what: String(describeGiven(workload)) });
    const w: Partial<ISandboxWorkload> | undefined = workload;
    const labels: unknown = w?.selectorLabels;
    return new NetworkPeer('workload', {
      labels: labels && typeof labels === 'object' ? { ...(labels as { [key: string]: string }) } : undefined,
      namespace: w?.namespace,
      what: typeof w?.name === 'string' ? `workload "${w.name}"` : `workload ${JSON.stringify(describeGiven(workload) ?? null)}`,
    });
  }

  /** Pods with these labels, in a namespace (the policy's own when unset). */
  public static pods(labels: { [key: string]: string }, namespace?: string): NetworkPeer {
    return new NetworkPeer('pods', { labels: { ...labels }, namespace, what: `pods ${JSON.stringify(labels)}` });
  }

  /** Every pod of a namespace: never the policy's own, and kube-system only for DNS (port 53). */
  public static namespace(name: string): NetworkPeer {
    return new NetworkPeer('namespace', { namespace: name, what: `namespace "${name}"` });
  }

  /**
   * An IP range. It may not contain a metadata server address, or a private, shared or link-local range
   * whole, unless `except` removes it. IPv4-mapped IPv6 (`::ffff:a.b.c.d/n`) is judged and emitted as the
   * IPv4 CIDR Kubernetes reads it as.
   */
  public static cidr(cidr: string, except: string[] = []): NetworkPeer {
    return new NetworkPeer('cidr', { cidr, except: [...except], what: `CIDR ${cidr}` });
  }

  /** The internet: 0.0.0.0/0 and ::/0, always without the metadata servers, link-local, private and shared ranges. */
  public static internet(): NetworkPeer {
    return new NetworkPeer('internet', { what: 'the internet' });
  }

  /**
   * A domain name, for egress only: an exact name (`pypi.org`) or a wildcard of one label under a domain
   * (`*.pythonhosted.org` matches `files.pythonhosted.org`, not `pythonhosted.org` nor `a.b.pythonhosted.org`).
   * Lower-case; one trailing dot is dropped. Never `*` alone, an IP address, a whole top-level domain
   * (`*.com`), a metadata server's name (`metadata.google.internal`) or a private name (`.internal`,
   * `.local`). A Kubernetes NetworkPolicy cannot name domains: the policy needs `fqdnProvider`, and the rule
   * its ports.
   */
  public static fqdn(pattern: string): NetworkPeer {
    return new NetworkPeer('fqdn', { fqdn: pattern, what: `domain ${JSON.stringify(pattern)}` });
  }

  private constructor(
    /** Kind of peer. @internal */
    public readonly _kind: 'workload' | 'pods' | 'namespace' | 'cidr' | 'internet' | 'fqdn',
    /** Data of the peer. @internal */
    public readonly _data: { labels?: { [key: string]: string }; namespace?: string; cidr?: string; except?: string[]; fqdn?: string; workload?: IWorkloadReference; what: string },
  ) {}
}

/** One allowance: these peers, on these ports. */
export interface NetworkRule {
  /** Peers (at least one: a rule without peers would open the ports to everything). */
  readonly peers: NetworkPeer[];
  /**
   * Ports.
   * @default - every port (only allowed for workload, pods and namespace peers)
   */
  readonly ports?: NetworkPort[];
}

/** What a policy selects, resolved by the construct. */
export interface PolicySelection {
  /** Namespace of the selected pods. */
  readonly namespace?: string;
  /** The pod selector. */
  readonly podSelector: { [key: string]: any };
}

/** Resolved props of one SandboxNetworkPolicy. */
export interface SandboxNetworkPolicySpec {
  /** Name of the policy. */
  readonly name: string;
  /** Labels of the policy object. */
  readonly labels?: { [key: string]: string };
  /** What it selects. */
  readonly selection: PolicySelection;
  /** DNS mode. */
  readonly dns: DnsMode;
  /** Ingress allowances. */
  readonly ingress: readonly NetworkRule[];
  /** Egress allowances. */
  readonly egress: readonly NetworkRule[];
  /**
   * Who enforces the egress rules to domain names (NetworkPeer.fqdn).
   * @default - none: a rule to a domain name is refused
   */
  readonly fqdnProvider?: FqdnProvider;
}

/** The objects of one SandboxNetworkPolicy. */
export interface SandboxNetworkPolicyObjects {
  /** The Kubernetes NetworkPolicy: deny-all plus the allowances to peers other than domain names. */
  readonly policy: KubeObject;
  /** The provider's object for the rules to domain names, when there are any. */
  readonly fqdnPolicy?: KubeObject;
}

/** A selected workload: its name, namespace and selector labels, and whether they were read from its object. */
interface SelectedWorkload extends WorkloadSelection {
  /** Read from the object (WorkloadSelector), not taken from an ISandboxWorkload's `selectorLabels`. */
  readonly read: boolean;
}

/** What `selects` and NetworkPeer.workload take besides the library's own workloads. */
const OTHER_WORKLOADS = 'wrap any other workload (cdk8s-plus-27, an L1 KubeDeployment, an object of Include or Helm) with WorkloadSelector.of(workload)';

/** One entry of `selects`: resolved through the policy (WorkloadSelector), or an ISandboxWorkload's own selector labels. */
function selectedWorkload(site: Site, name: string, given: IWorkloadReference): SelectedWorkload {
  const w = given as ISandboxWorkload;
  if (isResolvableWorkload(w)) return { ...w._selectionFor(site, name, 'selects'), read: true };
  // An empty selector (a cdk8s-plus workload passed from JavaScript has no selectorLabels) selects every pod.
  const labels: unknown = (w as Partial<ISandboxWorkload> | undefined)?.selectorLabels;
  const usable = !!labels && typeof labels === 'object' && Object.keys(labels).length > 0 && Object.values(labels).every((v) => typeof v === 'string' && v !== '');
  if (!usable) {
    const wName = (w as { name?: unknown } | undefined)?.name;
    const construct = describeGiven(w) !== w;
    fail(site, name, typeof wName === 'string' ? wName : describeGiven(w),
      `has no selector labels (${JSON.stringify(labels ?? null)}), so the policy would select every pod of its namespace; pass a SandboxedDeployment or CodeRunnerJob, `
      + `${construct ? `${OTHER_WORKLOADS}, ` : ''}or select a whole SandboxNamespace deliberately with selectsAllIn`);
  }
  return { name: w.name, ...(w.namespace !== undefined ? { namespace: w.namespace } : {}), labels: w.selectorLabels, what: `"${w.name}"`, read: false };
}

/** The pod selector for a set of workloads in one namespace. */
export function selectorForWorkloads(site: Site, workloads: readonly IWorkloadReference[]): PolicySelection {
  if (!Array.isArray(workloads)) fail(site, 'selects', describeGiven(workloads), `must be a list of workloads (selects: [deployment]); ${OTHER_WORKLOADS}`);
  if (workloads.length === 0) fail(site, 'selects', [], 'select at least one workload (or a whole SandboxNamespace with selectsAllIn)');
  const selected = workloads.map((w, i) => selectedWorkload(site, `selects[${i}]`, w));
  const namespaces = [...new Set(selected.map((w) => w.namespace ?? ''))];
  if (namespaces.length > 1) {
    fail(site, 'selects', selected.map((w) => `${w.namespace ?? '(chart namespace)'}/${w.name}${w.read ? ` (${w.what})` : ''}`), 'a NetworkPolicy selects pods of one namespace only; make one policy per namespace');
  }
  const namespace = selected[0].namespace;
  const inNamespace = namespace ? { namespace } : {};
  if (selected.length === 1) return { ...inNamespace, podSelector: { matchLabels: { ...selected[0].labels } } };
  const names = selected.map((w) => w.labels[SANDBOX_LABELS.workload]);
  if (names.every((n) => n !== undefined)) {
    return { ...inNamespace, podSelector: { matchExpressions: [{ key: SANDBOX_LABELS.workload, operator: 'In', values: [...new Set(names)].sort() }] } };
  }
  // Workloads read from their objects, each selected by one label of the same key (cdk8s-plus: cdk8s.io/metadata.addr):
  // their pods together are exactly those whose value of that key is one of theirs.
  const keys = [...new Set(selected.map((w) => Object.keys(w.labels).join('\u0000')))];
  if (selected.every((w) => w.read && Object.keys(w.labels).length === 1) && keys.length === 1) {
    return { ...inNamespace, podSelector: { matchExpressions: [{ key: keys[0], operator: 'In', values: [...new Set(selected.map((w) => w.labels[keys[0]]))].sort() }] } };
  }
  if (selected.every((w) => !w.read)) fail(site, 'selects', selected.map((w) => w.name), `every selected workload must carry the ${SANDBOX_LABELS.workload} label`);
  fail(site, 'selects', selected.map((w) => `${w.what}: ${labelsText(w.labels)}`),
    `one NetworkPolicy selects several workloads only by one label: every one carries ${SANDBOX_LABELS.workload} (SandboxedDeployment, CodeRunnerJob), or every one is selected by a single label of the same key (cdk8s-plus-27 workloads: cdk8s.io/metadata.addr); make one SandboxNetworkPolicy per workload`);
}

/** The pod selector for every sandboxed pod of a namespace. */
export function selectorForNamespace(namespace: string): PolicySelection {
  return { namespace, podSelector: { matchLabels: { [SANDBOX_LABELS.sandboxed]: 'true' } } };
}

const KUBE_DNS_PEER = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};
const DNS_PORTS = [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }];

/** The egress rules a DNS mode adds (exact, so tests and docs can name them). */
export function dnsEgressRules(mode: DnsMode): { [key: string]: any }[] {
  const rules = dnsRulesOf(mode);
  // A fresh copy for each policy; DnsMode.NONE (the default) has nothing to copy.
  return rules.length === 0 ? [] : structuredClone(rules);
}

function dnsRulesOf(mode: DnsMode): { [key: string]: any }[] {
  switch (mode) {
    case DnsMode.NONE: return [];
    case DnsMode.CLUSTER: return [{ to: [KUBE_DNS_PEER], ports: DNS_PORTS }];
    case DnsMode.GKE_NODE_LOCAL_DNS: return [{ to: [{ ipBlock: { cidr: `${GKE_NODE_LOCAL_DNS_IP}/32` } }, KUBE_DNS_PEER], ports: DNS_PORTS }];
    case DnsMode.GKE_CLOUD_DNS: return [{ to: [{ ipBlock: { cidr: `${GKE_CLOUD_DNS_IP}/32` } }], ports: DNS_PORTS }];
    default: throw new Error(`unknown DNS mode ${JSON.stringify(mode)}`);
  }
}

/** The ipBlocks of NetworkPeer.internet(): everything but the metadata servers, link-local, private and shared ranges. */
export function internetIpBlocks(): { ipBlock: { cidr: string; except: string[] } }[] {
  return [{ ipBlock: { cidr: '0.0.0.0/0', except: internetExcepts(false) } }, { ipBlock: { cidr: '::/0', except: internetExcepts(true) } }];
}

/** A CIDR as the ipBlock carries it: as given, or IPv4-mapped IPv6 written as the IPv4 CIDR Kubernetes reads. */
function ipBlockCidr(text: string): string {
  const parsed = parseCidr(text)!;
  return parsed.bits === 32 && text.includes(':') ? cidrText(parsed) : text;
}

function peerJson(site: Site, peer: NetworkPeer, policyNamespace: string | undefined): { [key: string]: any }[] {
  if (!(peer instanceof NetworkPeer)) fail(site, 'peer', peer, 'must be a NetworkPeer (NetworkPeer.workload, pods, namespace, cidr, internet or fqdn)');
  const d = peer._data;
  const namespaceSelector = (ns: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } });
  switch (peer._kind) {
    case 'workload':
    case 'pods': {
      // A WorkloadSelector is read now, with the labels and namespace its object carries.
      const read = d.workload && isResolvableWorkload(d.workload) ? d.workload._selectionFor(site, 'peer', 'peer') : undefined;
      const { labels, namespace, what } = read ? { labels: read.labels, namespace: read.namespace, what: read.what } : d;
      if (!labels || Object.keys(labels).length === 0) {
        fail(site, 'peer', what, peer._kind === 'workload'
          ? `NetworkPeer.workload was given a workload without selector labels (${JSON.stringify(labels ?? null)}); an empty selector would match every pod. Pass a SandboxedDeployment or CodeRunnerJob, or ${OTHER_WORKLOADS}`
          : 'a pods peer needs at least one label; an empty selector would match every pod');
      }
      if (namespace !== undefined) checkDnsLabel(site, 'peer.namespace', namespace);
      if (peer._kind === 'workload' && namespace === undefined && policyNamespace !== undefined) {
        fail(site, 'peer', what, `the workload has no namespace (none from its props, a SandboxNamespace or its chart), so the policy in namespace "${policyNamespace}" would select pods with its labels in "${policyNamespace}" instead; give the workload or its chart a namespace`);
      }
      const crossNamespace = namespace !== undefined && namespace !== policyNamespace;
      return [{ ...(crossNamespace ? namespaceSelector(namespace!) : {}), podSelector: { matchLabels: { ...labels } } }];
    }
    case 'namespace': {
      const ns = checkDnsLabel(site, 'peer.namespace', d.namespace);
      if (ns === policyNamespace) {
        fail(site, 'peer.namespace', ns, `the policy's own namespace: every pod of it, other sandboxes included, would be a peer; name the pods with NetworkPeer.workload or NetworkPeer.pods`);
      }
      return [namespaceSelector(ns)];
    }
    case 'cidr': {
      const outer = parseCidr(d.cidr);
      if (!outer) fail(site, 'peer.cidr', d.cidr, 'must be an IPv4 or IPv6 CIDR such as 203.0.113.0/24');
      const noHostBits = (field: string, text: string, cidr: Cidr) => {
        if (hasHostBits(cidr)) fail(site, field, text, `sets host bits past its /${cidr.prefix} prefix; write the network it means, ${cidrText(networkOf(cidr))} (or a /${cidr.bits} for one address)`);
      };
      noHostBits('peer.cidr', d.cidr!, outer);
      const excepts = (d.except ?? []).map((e) => {
        const inner = parseCidr(e);
        if (!inner) fail(site, 'peer.except', e, 'must be an IPv4 or IPv6 CIDR');
        noHostBits('peer.except', e, inner);
        if (!cidrContains(outer, inner) || inner.prefix <= outer.prefix) fail(site, 'peer.except', e, `must be a strict subset of the peer's CIDR ${d.cidr} (the API server refuses any other except)`);
        return ipBlockCidr(e);
      });
      const reached = unexceptedRanges({ cidr: d.cidr, except: d.except });
      if (reached.length > 0) {
        const mapped = ipBlockCidr(d.cidr!) !== d.cidr ? ` (Kubernetes reads this IPv4-mapped IPv6 as ${ipBlockCidr(d.cidr!)})` : '';
        fail(site, 'peer.cidr', d.cidr, `it contains ${reached.join(', ')}${mapped}; sandboxes never reach the metadata server or private ranges: add them to except or use NetworkPeer.internet()`);
      }
      return [{ ipBlock: { cidr: ipBlockCidr(d.cidr!), ...(excepts.length > 0 ? { except: excepts } : {}) } }];
    }
    case 'internet':
      return internetIpBlocks();
    case 'fqdn':
      // Rules to domain names go to the provider's object (rulesJson), never into the NetworkPolicy.
      return [];
  }
}

function portsJson(site: Site, ports: readonly NetworkPort[] | undefined, peers: readonly NetworkPeer[]): { port: number; endPort?: number; protocol: string }[] | undefined {
  if (ports === undefined || ports.length === 0) {
    const wide = peers.filter((p) => p._kind === 'cidr' || p._kind === 'internet' || p._kind === 'fqdn');
    if (wide.length > 0) fail(site, 'ports', ports, `rules to ${wide.map((p) => p._data.what).join(', ')} must name their ports`);
    return undefined;
  }
  return ports.map((p, i) => {
    const portSite = child(site, `ports[${i}]`);
    checkInteger(portSite, 'port', p.port, 1, 65535, 'a port number');
    if (p.endPort !== undefined) checkInteger(portSite, 'endPort', p.endPort, p.port, 65535, 'a port number not below port');
    const protocol = p.protocol ?? Protocol.TCP;
    if (!['TCP', 'UDP', 'SCTP'].includes(protocol)) fail(portSite, 'protocol', protocol, 'allowed: TCP, UDP, SCTP');
    return { port: p.port, ...(p.endPort !== undefined ? { endPort: p.endPort } : {}), protocol };
  });
}

/** How rules to domain names are carried: the provider chosen (if any) and the policy's DNS mode. */
interface FqdnContext {
  readonly provider?: FqdnProvider;
  readonly dns: DnsMode;
}

const FQDN_PROVIDERS_TEXT = 'FqdnProvider.CILIUM (a CiliumNetworkPolicy, cilium.io/v2) or FqdnProvider.GKE (a GKE FQDNNetworkPolicy, networking.gke.io/v1alpha1, on GKE Dataplane V2)';

/** The DNS a provider's rules to domain names need, or undefined when the policy's DNS mode provides it. */
function fqdnDnsProblem(provider: FqdnProvider, dns: DnsMode): string | undefined {
  if (provider === FqdnProvider.CILIUM && dns !== DnsMode.CLUSTER) {
    return 'FqdnProvider.CILIUM needs dns: DnsMode.CLUSTER: Cilium learns the addresses of the names from the DNS answers its DNS proxy sees on the rule to kube-dns, which the CiliumNetworkPolicy carries and DnsMode.CLUSTER opens';
  }
  if (provider === FqdnProvider.GKE && dns === DnsMode.NONE) {
    return `FqdnProvider.GKE needs the pods to resolve names through the cluster's DNS (kube-dns or Cloud DNS), which the NetworkPolicy must open: set dns to ${[DnsMode.CLUSTER, DnsMode.GKE_NODE_LOCAL_DNS, DnsMode.GKE_CLOUD_DNS].map((m) => `"${m}"`).join(', ')}`;
  }
  return undefined;
}

/** The NetworkPolicy rules of one direction, and (egress) the rules to domain names, each with its ports. */
function rulesJson(site: Site, name: 'ingress' | 'egress', rules: readonly NetworkRule[], policyNamespace: string | undefined, fqdn: FqdnContext): { rules: { [key: string]: any }[]; fqdnRules: FqdnRule[] } {
  const out: { [key: string]: any }[] = [];
  const fqdnRules: FqdnRule[] = [];
  rules.forEach((rule, i) => {
    const ruleSite = child(site, `${name}[${i}]`);
    if (!rule || !Array.isArray(rule.peers) || rule.peers.length === 0) {
      fail(ruleSite, 'peers', rule?.peers, `every ${name} rule names at least one peer; a rule without peers would allow traffic ${name === 'egress' ? 'to' : 'from'} everywhere`);
    }
    const names: string[] = [];
    rule.peers.forEach((p, j) => {
      if (!(p instanceof NetworkPeer) || p._kind !== 'fqdn') return;
      const peerSite = child(ruleSite, `peers[${j}]`);
      if (name === 'ingress') fail(peerSite, 'peer.fqdn', p._data.fqdn, 'NetworkPeer.fqdn names egress destinations only; name clients with NetworkPeer.pods, workload or cidr');
      const checked = checkFqdnName(peerSite, 'peer.fqdn', p._data.fqdn);
      if (fqdn.provider === undefined) {
        fail({ where: site.where, prefix: '' }, 'fqdnProvider', undefined, `${field(peerSite, 'peer')} is ${p._data.what}, which a Kubernetes NetworkPolicy cannot express: set fqdnProvider to ${FQDN_PROVIDERS_TEXT}`);
      }
      if (!names.includes(checked)) names.push(checked);
    });
    const others = rule.peers.map((p, j) => [p, j] as const).filter(([p]) => !(p instanceof NetworkPeer) || p._kind !== 'fqdn');
    const peers = others.flatMap(([p, j]) => peerJson(child(ruleSite, `peers[${j}]`), p, policyNamespace));
    const ports = portsJson(ruleSite, rule.ports, rule.peers);
    const dnsOnly = ports !== undefined && ports.every((p) => p.port === 53 && p.endPort === undefined);
    rule.peers.forEach((p, j) => {
      if (name === 'egress' && p._kind === 'namespace' && p._data.namespace === 'kube-system' && !dnsOnly) {
        fail(child(ruleSite, `peers[${j}]`), 'peer.namespace', 'kube-system', `every pod of kube-system on ${ports ? `port(s) ${ports.map((q) => q.port).join(', ')}` : 'every port'} would be open to the sandbox; only DNS (port 53 alone) may go to all of kube-system: use DnsMode.CLUSTER, or NetworkPeer.pods with the labels of the one system workload needed`);
      }
    });
    if (names.length > 0) {
      checkFqdnPorts(ruleSite, fqdn.provider!, ports!);
      fqdnRules.push({ names, ports: ports! });
    }
    // A rule of domain names only has nothing for the NetworkPolicy (an empty `to` would open every destination).
    if (others.length > 0) out.push({ [name === 'egress' ? 'to' : 'from']: peers, ...(ports ? { ports } : {}) });
  });
  return { rules: out, fqdnRules };
}

/**
 * NetworkPolicy rules add up: ipBlocks that each leave a forbidden range partly out may cover it whole
 * together (10.0.0.0/9 and 10.128.0.0/9 are 10.0.0.0/8). Refuses a direction whose ipBlocks do.
 */
function checkIpBlockUnion(site: Site, name: 'ingress' | 'egress', rules: readonly { [key: string]: any }[]): void {
  const blocks = rules.flatMap((r) => (r[name === 'egress' ? 'to' : 'from'] as any[]).filter((p) => p.ipBlock).map((p) => p.ipBlock));
  if (blocks.length < 2) return;
  const all = blocks.flatMap(ipBlockRanges);
  for (const range of EGRESS_FORBIDDEN_RANGES) {
    const target = rangeOfCidr(parseCidr(range.cidr)!);
    if (!rangesCover(all, target) || blocks.some((b) => unexceptedRanges({ cidr: b.cidr, except: b.except }).length > 0)) continue;
    fail(site, name, blocks.map((b) => b.cidr), `together these CIDRs cover ${range.cidr} (${range.what}) whole, though none does alone; sandboxes never reach the metadata server or private ranges: narrow them or add ${range.cidr} to their except`);
  }
}

/** A NetworkPolicy selecting `podSelector` with both policy types and no rules: no traffic in or out. */
export function buildDenyAllPolicy(metadata: { name: string; namespace?: string; labels?: { [key: string]: string } }, podSelector: { [key: string]: any }): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata,
    spec: { podSelector, policyTypes: ['Ingress', 'Egress'] },
  };
}

/** Builds the NetworkPolicy: the deny-all policy plus the allowances, so anything not listed is denied. */
export function buildSandboxNetworkPolicy(where: string, spec: SandboxNetworkPolicySpec): KubeObject {
  return buildSandboxNetworkPolicies(where, spec).policy;
}

/**
 * Builds the NetworkPolicy, and the provider's object for the egress rules to domain names when there are
 * any (same name, namespace, labels and pods). The NetworkPolicy alone isolates; the other only adds egress.
 */
export function buildSandboxNetworkPolicies(where: string, spec: SandboxNetworkPolicySpec): SandboxNetworkPolicyObjects {
  const site: Site = { where, prefix: '' };
  checkDnsLabel(site, 'name', spec.name);
  if (!Object.values(DnsMode).includes(spec.dns)) fail(site, 'dns', spec.dns, `allowed: ${Object.values(DnsMode).join(', ')}`);
  if (spec.fqdnProvider !== undefined && !Object.values(FqdnProvider).includes(spec.fqdnProvider)) {
    fail(site, 'fqdnProvider', spec.fqdnProvider, `allowed: ${Object.values(FqdnProvider).join(', ')} (${FQDN_PROVIDERS_TEXT})`);
  }
  const fqdn: FqdnContext = { provider: spec.fqdnProvider, dns: spec.dns };
  const namespace = spec.selection.namespace;
  const ingress = rulesJson(site, 'ingress', spec.ingress, namespace, fqdn).rules;
  const { rules: egressRules, fqdnRules } = rulesJson(site, 'egress', spec.egress, namespace, fqdn);
  const egress = [...dnsEgressRules(spec.dns), ...egressRules];
  checkIpBlockUnion(site, 'ingress', ingress);
  checkIpBlockUnion(site, 'egress', egress);
  if (fqdnRules.length > 0) {
    const dnsProblem = fqdnDnsProblem(spec.fqdnProvider!, spec.dns);
    if (dnsProblem) fail(site, 'dns', spec.dns, dnsProblem);
  }
  const metadata = () => ({ name: spec.name, ...(namespace ? { namespace } : {}), ...(spec.labels ? { labels: { ...spec.labels } } : {}) });
  const deny = buildDenyAllPolicy(metadata(), spec.selection.podSelector);
  const policy = {
    ...deny,
    spec: { ...deny.spec, ...(ingress.length > 0 ? { ingress } : {}), ...(egress.length > 0 ? { egress } : {}) },
  };
  if (fqdnRules.length === 0) return { policy };
  return { policy, fqdnPolicy: buildFqdnPolicy(spec.fqdnProvider!, metadata(), spec.selection.podSelector, fqdnRules) };
}
