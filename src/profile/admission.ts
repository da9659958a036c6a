// The CEL vocabulary of the profile's admission checks: what a rule's `admission` entries are, the
// variables every entry may read, and small builders of portable CEL. The rules (rules.ts,
// cross-resource.ts) carry their CEL next to their TypeScript checks; the SandboxAdmissionPolicy builder
// turns them into ValidatingAdmissionPolicy validations. The CEL uses only what Kubernetes 1.31's
// admission CEL environment has: the standard library with `has()` (no optional syntax), the strings
// extension (`split`, `trim`, `indexOf`, `substring`, `lowerAscii`), `matches` (RE2) and, for ipBlocks,
// the IP/CIDR library (`isCIDR`, `cidr().containsCIDR()`).
import { SANDBOX_DEFAULTS } from './defaults';
import { NAMESPACE_NAME_LABEL } from './kube';
import { MAX_QUANTITY_LENGTH, QUANTITY_EXPONENT_TOO_LARGE_SOURCE, QUANTITY_PATTERN_SOURCE } from './quantity';

/** Which objects an admission check judges; the policy guards the expression with it. */
export type AdmissionTarget =
  /** The pod template of any workload kind (`variables.pod` is its spec, `variables.podMeta` its metadata). */
  | 'pod'
  /** The Job spec of a Job or a CronJob's job template (`variables.job`). */
  | 'job'
  /** Every object the policy matches (the suppression checks). */
  | 'object'
  /** NetworkPolicies (`object.spec`). */
  | 'networkPolicy';

/** One CEL validation of a rule: true when the object passes. */
export interface AdmissionCheck {
  /** What the expression judges. */
  readonly target: AdmissionTarget;
  /** CEL over `object`, `namespaceObject` and `variables.*` (see ADMISSION_VARIABLES); true when the object passes. */
  readonly expression: string;
  /**
   * What is wrong when it fails, for the validation's message (the rule's id and fix are added).
   * @default - the rule's title
   */
  readonly message?: string;
  /**
   * How to fix it.
   * @default - the rule's fix
   */
  readonly fix?: string;
  /**
   * Whether a reasoned suppression of the rule waives this check.
   * @default - true, unless the rule can never be waived (`unwaivable: 'all'`)
   */
  readonly waivable?: boolean;
}

/** The parameters the generated variables take. */
export interface AdmissionVariableParams {
  /** The RuntimeClass names sandboxed pods may name. */
  readonly runtimeClassNames: readonly string[];
  /** The annotation that carries suppressions. */
  readonly suppressionAnnotation: string;
}

/** A CEL string literal (single-quoted, escaped). */
export function celString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/** A CEL list literal of strings. */
export function celStrings(values: readonly string[]): string {
  return `[${values.map(celString).join(', ')}]`;
}

/** `has(base.a) && has(base.a.b) ...`: whether the path below `base` is set. */
export function celHas(base: string, path: string): string {
  const parts = path.split('.');
  return parts.map((_, i) => `has(${base}.${parts.slice(0, i + 1).join('.')})`).join(' && ');
}

/** The value at a path below `base`, or `fallback` when any part is unset. */
export function celValueOr(base: string, path: string, fallback: string): string {
  return `(${celHas(base, path)} ? ${base}.${path} : ${fallback})`;
}

/** Whether a value is an integer at least `min`, with nothing else (a string, a double) accepted. */
export function celIntAtLeast(value: string, min: number): string {
  return `(type(${value}) == int && ${value} >= ${min})`;
}

/** Whether a switch is off: unset, null or false (anything else is on: the checks fail closed on odd values). */
export function celSwitchOff(base: string, path: string): string {
  return `(!(${celHas(base, path)}) || ${base}.${path} == null || ${base}.${path} == false)`;
}

/**
 * Whether a quantity is positive: a number above zero, or a string of Kubernetes' quantity grammar whose
 * digits are not all zero (the grammar of quantity.ts, as RE2).
 */
export function celPositiveQuantity(value: string): string {
  const text = `${value}.trim()`;
  const quantity = `size(${text}) <= ${MAX_QUANTITY_LENGTH} && ${text}.matches(${celString(QUANTITY_PATTERN_SOURCE)})`
    + ` && !${text}.matches(${celString(QUANTITY_EXPONENT_TOO_LARGE_SOURCE)}) && !${text}.startsWith('-') && ${text}.matches('^[^eE]*[1-9]')`;
  return `(type(${value}) == string ? (${quantity}) : ((type(${value}) == int && ${value} > 0) || (type(${value}) == double && ${value} > 0.0)))`;
}

/** The rule id a suppression line (an entry of `variables.suppressionLines`) names: what comes before its first colon. */
export function celSuppressionId(line: string): string {
  return `(${line}.indexOf(':') >= 0 ? ${line}.substring(0, ${line}.indexOf(':')).trim() : ${line})`;
}

/** Whether a suppression line gives a reason after its colon. */
export function celSuppressionHasReason(line: string): string {
  return `(${line}.indexOf(':') >= 0 && ${line}.substring(${line}.indexOf(':') + 1).trim() != '')`;
}

/** A VAP variable. */
export interface AdmissionVariable {
  readonly name: string;
  readonly expression: string;
}

/**
 * The variables every admission check may read, in the order the policy defines them (each may use the
 * ones before it). They are computed once per object and shared by the validations.
 */
export function admissionVariables(params: AdmissionVariableParams): AdmissionVariable[] {
  const annotation = celString(params.suppressionAnnotation);
  const templateSpec = `(${celHas('object', 'spec.template.spec')} ? object.spec.template.spec : null)`;
  const cronSpec = `(${celHas('object', 'spec.jobTemplate.spec.template.spec')} ? object.spec.jobTemplate.spec.template.spec : null)`;
  const templateMeta = `(${celHas('object', 'spec.template.metadata')} ? object.spec.template.metadata : {})`;
  const cronMeta = `(${celHas('object', 'spec.jobTemplate.spec.template.metadata')} ? object.spec.jobTemplate.spec.template.metadata : {})`;
  const group = (name: string) => celValueOr('variables.pod', name, '[]');
  return [
    // The pod spec of a Pod or of a workload's template; null for objects that carry none.
    { name: 'pod', expression: `object.kind == 'Pod' ? (has(object.spec) ? object.spec : null) : object.kind == 'CronJob' ? ${cronSpec} : object.kind == 'NetworkPolicy' || object.kind == 'ServiceAccount' ? null : ${templateSpec}` },
    { name: 'podMeta', expression: `object.kind == 'Pod' ? (has(object.metadata) ? object.metadata : {}) : object.kind == 'CronJob' ? ${cronMeta} : ${templateMeta}` },
    { name: 'podSecurity', expression: `variables.pod == null ? {} : ${celValueOr('variables.pod', 'securityContext', '{}')}` },
    // Every container, in the audit's order: init, main, ephemeral.
    { name: 'containers', expression: `variables.pod == null ? [] : ${group('initContainers')} + ${group('containers')} + ${group('ephemeralContainers')}` },
    // The containers resources apply to (ephemeral containers take none).
    { name: 'limitedContainers', expression: `variables.pod == null ? [] : ${group('initContainers')} + ${group('containers')}` },
    { name: 'job', expression: `object.kind == 'Job' ? (has(object.spec) ? object.spec : null) : object.kind == 'CronJob' ? (${celHas('object', 'spec.jobTemplate.spec')} ? object.spec.jobTemplate.spec : null) : null` },
    { name: 'runtimeClasses', expression: celStrings(params.runtimeClassNames) },
    // The labels of the object's own namespace: its Namespace object's (namespaceObject), else only its name.
    {
      name: 'namespaceLabels',
      expression: `namespaceObject != null && ${celHas('namespaceObject', 'metadata.labels')} ? namespaceObject.metadata.labels`
        + ` : {${celString(NAMESPACE_NAME_LABEL)}: (has(object.metadata.namespace) && object.metadata.namespace != '' ? object.metadata.namespace : request.namespace)}`,
    },
    // The suppression lines that are not blank or comments, trimmed.
    {
      name: 'suppressionLines',
      expression: `has(object.metadata.annotations) && ${annotation} in object.metadata.annotations`
        + ` ? object.metadata.annotations[${annotation}].split('\\n').map(l, l.trim()).filter(l, l != '' && !l.startsWith('#')) : []`,
    },
    // The rule ids a line waives: a known rule with a reason (a rule no suppression may waive is never checked against it).
    { name: 'suppressed', expression: `variables.suppressionLines.filter(l, ${celSuppressionHasReason('l')}).map(l, ${celSuppressionId('l')})` },
  ];
}

/** The guard of a target: objects outside it pass. */
export function celTargetGuard(target: AdmissionTarget): string | undefined {
  switch (target) {
    case 'pod': return 'variables.pod == null';
    case 'job': return 'variables.job == null';
    case 'networkPolicy': return "object.kind != 'NetworkPolicy'";
    case 'object': return undefined;
  }
}

/**
 * The volume sources of core/v1 a sandboxed pod may not use (every source but SANDBOX_DEFAULTS.allowedVolumeTypes),
 * hostPath first. The CEL names them, where the audit refuses any key but the allowed ones: the API server keeps
 * no field it does not know, so in a cluster the two agree.
 */
export const DISALLOWED_VOLUME_SOURCES: readonly string[] = [
  'hostPath', 'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'fc', 'flexVolume', 'flocker', 'gcePersistentDisk',
  'gitRepo', 'glusterfs', 'image', 'iscsi', 'nfs', 'photonPersistentDisk', 'portworxVolume', 'quobyte', 'rbd', 'scaleIO', 'storageos', 'vsphereVolume',
].filter((t) => !SANDBOX_DEFAULTS.allowedVolumeTypes.includes(t));
