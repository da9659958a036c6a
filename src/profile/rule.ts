// What a hardening rule is, and what it reports.
import type { AdmissionCheck } from './admission';
import type { Fill } from './harden-fill';
import { KubeObject } from './kube';

/** The object a finding is about. */
export interface ObjectRef {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** One violation of one rule. */
export interface Finding {
  /** The rule's stable id, e.g. `runtime-class`. */
  readonly rule: string;
  /** The offending object. */
  readonly object: ObjectRef;
  /** JSON path of the offending (or missing) field, e.g. `spec.template.spec.runtimeClassName`. */
  readonly path: string;
  /** What is wrong, with the value found. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

/** Options every check receives. */
export interface CheckOptions {
  /**
   * The RuntimeClass sandboxed pods must name.
   * @default 'gvisor'
   */
  readonly runtimeClassName?: string;
}

/**
 * What of a rule a suppression annotation can never waive, because no reason makes it safe in a sandbox:
 * `'all'` of its findings, or those whose JSON path ends with one of `pathSuffixes` (`what` names them in
 * messages, e.g. "hostPath volumes").
 */
export type Unwaivable = 'all' | { readonly pathSuffixes: readonly string[]; readonly what: string };

/** Whether a finding of a rule with this `unwaivable` setting can never be waived. */
export function isUnwaivable(unwaivable: Unwaivable | undefined, finding: Pick<Finding, 'path'>): boolean {
  if (unwaivable === undefined) return false;
  return unwaivable === 'all' || unwaivable.pathSuffixes.some((suffix) => finding.path.endsWith(suffix));
}

/** What `harden` does about one rule. */
export interface RuleHardening {
  /**
   * Sets the profile's values where the object leaves fields unset (never a field that is set).
   * @default - nothing to fill: every finding of the rule is refused
   */
  readonly fill?: Fill;
  /** Why harden refuses, rather than changes, what the rule finds after filling (a set value it must not silently change). */
  readonly refuses: string;
}

/** A hardening rule: data plus a check over one plain Kubernetes object. */
export interface Rule {
  /** Stable id: never renamed, used in suppressions and reports. */
  readonly id: string;
  /** The row of the hardening profile table (README, "Hardening controls") it implements; rules may share a row. */
  readonly row: number;
  /** One-line title. */
  readonly title: string;
  /** Who demands it (PSS, NSA, KL, POL, KS, KSc, GKE, VAP, Kyverno, project). */
  readonly references: readonly string[];
  /**
   * What of the rule a suppression annotation (`cdk8s-sandbox.io/suppress`) can never waive: such a
   * suppression is itself a finding (`suppression-unwaivable`) and the finding stays.
   * @default - every finding may be waived on one object, with a reason
   */
  readonly unwaivable?: Unwaivable;
  /**
   * The rule as CEL, for the admission policy: every check it makes of one object.
   * @default - none: the rule is enforced by the audit and at synth only (see README, "Admission policy")
   */
  readonly admission?: readonly AdmissionCheck[];
  /**
   * What of the rule the admission policy leaves to the audit, and why.
   * @default - nothing, when `admission` is set; the whole rule otherwise
   */
  readonly auditOnly?: string;
  /**
   * What hardening in place (`harden`) does about the rule: `fill` sets the profile's values where fields are
   * unset; whatever the rule still finds afterwards is refused, for the reason `refuses` gives.
   */
  readonly hardening: RuleHardening;
  /** Findings for one object; objects the rule does not concern give none. */
  check(obj: KubeObject, options: Required<CheckOptions>): Finding[];
}

/** The object reference a finding names. */
export function refOf(obj: KubeObject): ObjectRef {
  const namespace = obj.metadata?.namespace;
  return { kind: obj.kind, ...(namespace ? { namespace } : {}), name: obj.metadata?.name ?? '(unnamed)' };
}

/** A readable rendering of a value for messages: `undefined` reads as "unset". */
export function show(value: unknown): string {
  return value === undefined ? 'unset' : JSON.stringify(value);
}
