// SandboxAdmissionPolicy's builder: a ValidatingAdmissionPolicy whose validations are the CEL the profile's
// rules carry (one validation per check, in rule order), and the binding that puts it in force.
import type { SandboxAdmissionPolicyProps } from '../constructs/sandbox-admission-policy';
import {
  AdmissionCheck, KubeObject, MANAGED_BY_LABEL, NAMESPACE_NAME_LABEL, RULES, SANDBOX_DEFAULTS, SANDBOX_LABELS, SET_RULES,
  SUPPRESS_ANNOTATION, admissionVariables, celTargetGuard, celString, suppressionAdmission,
} from '../profile';
import { LABEL_KEY, Site, checkDnsLabel, checkDnsSubdomain, fail } from './validate';

/** Where the binding puts the policy in force. */
export enum AdmissionScopeKind {
  /** Namespaces a SandboxNamespace made (they carry `cdk8s-sandbox.io/sandboxed: "true"`). */
  SANDBOX_NAMESPACES = 'sandbox-namespaces',
  /** Every namespace but the excluded ones. */
  CLUSTER = 'cluster',
}

/** The namespace label a SandboxNamespace sets and the default binding selects. */
export const SANDBOX_NAMESPACE_LABEL = { key: SANDBOX_LABELS.sandboxed, value: 'true' } as const;

/** The namespaces a cluster-wide binding always leaves out: Kubernetes' own. */
export const SYSTEM_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease'];

/** The annotation of the policy that lists what it leaves to the audit, one `rule-id: why` per line. */
export const AUDIT_ONLY_ANNOTATION = 'cdk8s-sandbox.io/audit-only';

/** The annotation of the policy that names the Kubernetes version its CEL needs. */
export const MINIMUM_KUBERNETES_ANNOTATION = 'cdk8s-sandbox.io/minimum-kubernetes-version';

/** The Kubernetes version whose admission CEL has every function the policy uses (the IP/CIDR library came in 1.31). */
export const MINIMUM_KUBERNETES_VERSION = '1.31';

/** The policy's props with their defaults applied and checked. */
export interface ResolvedAdmissionPolicy {
  readonly name: string;
  readonly runtimeClassNames: readonly string[];
  readonly exemptNamespaces: readonly string[];
  readonly suppressionAnnotation: string;
  readonly scope: AdmissionScopeKind;
  /** Namespaces a cluster-wide binding leaves out (the system ones and the exempt ones). */
  readonly excludedNamespaces: readonly string[];
}

/** A rule id with its checks, as the policy lists them. */
interface RuleChecks {
  readonly rule: string;
  readonly title?: string;
  readonly unwaivableAll: boolean;
  readonly checks: readonly AdmissionCheck[];
}

/** The expression of a check behind its target's guard: objects outside the target pass. */
function guarded(check: AdmissionCheck): string {
  const guard = celTargetGuard(check.target);
  return guard ? `${guard} || (${check.expression})` : check.expression;
}

/** Every rule of the profile with admission checks, per object then over a set, then the suppression rules. */
function ruleChecks(): RuleChecks[] {
  return [
    ...[...RULES, ...SET_RULES].filter((r) => r.admission && r.admission.length > 0)
      .map((r) => ({ rule: r.id, title: r.title, unwaivableAll: r.unwaivable === 'all', checks: r.admission! })),
    ...suppressionAdmission(guarded).map((s) => ({ rule: s.rule, unwaivableAll: true, checks: s.checks })),
  ];
}

/** What the policy leaves to the audit: `rule-id: why`, one per rule (whole or in part). */
export function auditOnlyRules(): { readonly rule: string; readonly why: string }[] {
  return [...RULES, ...SET_RULES].flatMap((r) => {
    if (r.auditOnly) return [{ rule: r.id, why: r.auditOnly }];
    if (!r.admission || r.admission.length === 0) return [{ rule: r.id, why: 'it judges several objects together, which one admission request does not show' }];
    return [];
  });
}

/** Applies the defaults of the props in one place and checks them. */
export function resolveAdmissionPolicy(where: string, props: SandboxAdmissionPolicyProps = {}): ResolvedAdmissionPolicy {
  const site: Site = { where, prefix: '' };
  const name = checkDnsSubdomain(site, 'name', props.name ?? 'cdk8s-sandbox');
  const runtimeClassNames = [...(props.runtimeClassNames ?? [SANDBOX_DEFAULTS.runtimeClassName])];
  if (runtimeClassNames.length === 0) fail(site, 'runtimeClassNames', runtimeClassNames, 'name at least one RuntimeClass (gvisor on GKE Sandbox): with none, every pod would be refused');
  runtimeClassNames.forEach((rc, i) => checkDnsSubdomain(site, `runtimeClassNames[${i}]`, rc));
  const exemptNamespaces = [...(props.exemptNamespaces ?? [])];
  exemptNamespaces.forEach((ns, i) => checkDnsLabel(site, `exemptNamespaces[${i}]`, ns));
  const suppressionAnnotation = props.suppressionAnnotation ?? SUPPRESS_ANNOTATION;
  if (!LABEL_KEY.test(suppressionAnnotation)) {
    fail(site, 'suppressionAnnotation', suppressionAnnotation, 'allowed: an annotation key, an optional DNS prefix and "/" then a name of at most 63 letters, digits, "-", "_" and "." (e.g. "cdk8s-sandbox.io/suppress")');
  }
  const scope = props.scope?.kind ?? AdmissionScopeKind.SANDBOX_NAMESPACES;
  const excluded = props.scope?.excludedNamespaces ?? [];
  excluded.forEach((ns, i) => checkDnsLabel(site, `scope.exclude[${i}]`, ns));
  const excludedNamespaces = [...new Set([...(scope === AdmissionScopeKind.CLUSTER ? SYSTEM_NAMESPACES : []), ...excluded, ...exemptNamespaces])];
  return { name, runtimeClassNames, exemptNamespaces, suppressionAnnotation, scope, excludedNamespaces };
}

/** The number of validations the policy carries (one per check of every rule with CEL). */
export function admissionValidationCount(): number {
  return ruleChecks().reduce((n, r) => n + r.checks.length, 0);
}

/** The policy and its binding. */
export function buildAdmissionPolicy(spec: ResolvedAdmissionPolicy): { policy: KubeObject; binding: KubeObject } {
  const validations = ruleChecks().flatMap(({ rule, title, unwaivableAll, checks }) => checks.map((check) => {
    // A reasoned suppression of the rule waives a check unless the rule, or this part of it, can never be waived.
    const waivable = !unwaivableAll && check.waivable !== false;
    const expression = waivable ? `${celString(rule)} in variables.suppressed || ${guarded(check)}` : guarded(check);
    return { expression, message: `${rule}: ${check.message ?? title}. Fix: ${check.fix ?? title}`, reason: 'Forbidden' };
  }));
  const labels = { ...MANAGED_BY_LABEL };
  const policy: KubeObject = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: {
      name: spec.name,
      labels,
      annotations: {
        [AUDIT_ONLY_ANNOTATION]: auditOnlyRules().map((r) => `${r.rule}: ${r.why}`).join('\n'),
        [MINIMUM_KUBERNETES_ANNOTATION]: MINIMUM_KUBERNETES_VERSION,
      },
    },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [
          { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods', 'pods/ephemeralcontainers', 'replicationcontrollers'] },
          { apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'] },
          { apiGroups: ['batch'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['jobs', 'cronjobs'] },
          { apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['networkpolicies'] },
        ],
      },
      variables: admissionVariables({ runtimeClassNames: spec.runtimeClassNames, suppressionAnnotation: spec.suppressionAnnotation }),
      validations,
    },
  };
  const notIn = spec.excludedNamespaces.length > 0 ? [{ key: NAMESPACE_NAME_LABEL, operator: 'NotIn', values: [...spec.excludedNamespaces] }] : [];
  const namespaceSelector = spec.scope === AdmissionScopeKind.SANDBOX_NAMESPACES
    ? { matchLabels: { [SANDBOX_NAMESPACE_LABEL.key]: SANDBOX_NAMESPACE_LABEL.value }, ...(notIn.length > 0 ? { matchExpressions: notIn } : {}) }
    : { ...(notIn.length > 0 ? { matchExpressions: notIn } : {}) };
  const binding: KubeObject = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: spec.name, labels: { ...labels } },
    spec: { policyName: spec.name, validationActions: ['Deny'], matchResources: { namespaceSelector } },
  };
  return { policy, binding };
}
