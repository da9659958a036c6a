// Identity of a sandboxed workload: its name, namespace, labels and the token-less ServiceAccount.
import { KubeObject, MANAGED_BY_LABEL, SANDBOX_LABELS, SUPPRESS_ANNOTATION } from '../profile';
import { SandboxWorkloadIdentityProps } from './pod-props';
import { LABEL_KEY, LABEL_VALUE, Site, checkDnsLabel, fail } from './validate';

/** The resolved identity of a workload. */
export interface WorkloadIdentity {
  /** Name of the workload and of its objects. */
  readonly name: string;
  /** Namespace, when given. */
  readonly namespace?: string;
  /** Labels that select the workload's pods: stable, derived from the name only. */
  readonly selectorLabels: { readonly [key: string]: string };
  /** Labels on the workload's objects. */
  readonly objectLabels: { readonly [key: string]: string };
  /** Labels on the workload's pods (object labels, selector labels and the sandbox marker). */
  readonly podLabels: { readonly [key: string]: string };
  /** Annotations on the workload object (a recorded network-isolation opt-out). */
  readonly workloadAnnotations?: { readonly [key: string]: string };
}

const RESERVED_PREFIXES = ['cdk8s-sandbox.io/', 'app.kubernetes.io/name', 'app.kubernetes.io/managed-by'];

/** Resolves name, namespace and labels of a workload; `name` falls back to `defaultName` (from the construct id). */
export function resolveIdentity(site: Site, props: SandboxWorkloadIdentityProps, defaultName: string | undefined, nameLength = 63): WorkloadIdentity {
  const rawName = props.name ?? defaultName;
  if (rawName === undefined) fail(site, 'name', rawName, 'the construct id cannot be turned into a DNS label; give a name of lowercase letters, digits and \'-\'');
  const name = checkDnsLabel(site, 'name', rawName, nameLength);
  const namespace = props.namespace === undefined ? undefined : checkDnsLabel(site, 'namespace', props.namespace);
  for (const [key, value] of Object.entries(props.labels ?? {})) {
    if (!LABEL_KEY.test(key) || key.length > 316) fail(site, `labels["${key}"]`, key, 'label keys are an optional DNS-subdomain prefix and a name of at most 63 characters');
    if (typeof value !== 'string' || !LABEL_VALUE.test(value)) fail(site, `labels["${key}"]`, value, 'label values are at most 63 letters, digits, \'-\', \'_\' and \'.\'');
    if (RESERVED_PREFIXES.some((p) => key.startsWith(p))) fail(site, `labels["${key}"]`, key, `the library sets this label itself (reserved: ${RESERVED_PREFIXES.join(', ')})`);
  }
  const selectorLabels = { [SANDBOX_LABELS.workload]: name };
  const objectLabels = { ...props.labels, 'app.kubernetes.io/name': name, ...MANAGED_BY_LABEL };
  const podLabels = { ...objectLabels, [SANDBOX_LABELS.sandboxed]: 'true', ...selectorLabels };
  const optOut = props.networkPolicyManagedElsewhere;
  if (optOut !== undefined && (typeof optOut !== 'string' || optOut.trim() === '' || /[\r\n]/.test(optOut))) {
    fail(site, 'networkPolicyManagedElsewhere', optOut, 'give the reason on one line (who manages the NetworkPolicies that isolate these pods)');
  }
  const workloadAnnotations = optOut ? { [SUPPRESS_ANNOTATION]: `network-isolation: ${optOut.trim()}` } : undefined;
  return { name, ...(namespace ? { namespace } : {}), selectorLabels, objectLabels, podLabels, ...(workloadAnnotations ? { workloadAnnotations } : {}) };
}

/** Metadata of the workload object itself (Deployment, Job): carries the recorded opt-outs. */
export function workloadMetadataOf(identity: WorkloadIdentity): { name: string; namespace?: string; labels: { [key: string]: string }; annotations?: { [key: string]: string } } {
  return { ...metadataOf(identity), ...(identity.workloadAnnotations ? { annotations: { ...identity.workloadAnnotations } } : {}) };
}

/** Object metadata for one of the workload's objects. */
export function metadataOf(identity: WorkloadIdentity, name = identity.name): { name: string; namespace?: string; labels: { [key: string]: string } } {
  return { name, ...(identity.namespace ? { namespace: identity.namespace } : {}), labels: { ...identity.objectLabels } };
}

/** The workload's own ServiceAccount: no token is ever mounted from it. */
export function buildServiceAccount(identity: WorkloadIdentity): KubeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadataOf(identity), automountServiceAccountToken: false };
}
