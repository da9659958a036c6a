// The hardening profile as data for every jsii language: each rule's metadata, and the defaults it implies.
import { SANDBOX_DEFAULTS, SANDBOX_LABELS, SUPPRESS_ANNOTATION } from './defaults';
import { Unwaivable } from './rule';
import { RULES } from './rules';
import { SET_RULES } from './storage-rules';

/** What of a rule a suppression annotation may waive on one object. */
export enum RuleWaiver {
  /** Any finding of the rule, with a reason. */
  WITH_REASON = 'WITH_REASON',
  /** Some findings only: those whose path ends with one of `unwaivablePathSuffixes` stay. */
  PARTLY = 'PARTLY',
  /** None: no reason makes a finding of this rule safe in a sandbox. */
  NEVER = 'NEVER',
}

/** One rule of the hardening profile, as data. */
export interface ProfileRule {
  /** Stable id, used in suppressions and reports, e.g. `runtime-class`. */
  readonly id: string;
  /** One-line title. */
  readonly title: string;
  /**
   * The row of the hardening profile table (README, "Hardening controls") the rule implements.
   * @default - the rule implements no single row
   */
  readonly row?: number;
  /** Who demands it (PSS, NSA, KL, POL, KS, KSc, GKE, VAP, Kyverno, project). */
  readonly references: string[];
  /** Whether the rule judges a set of objects (network isolation, budgets) rather than one object. */
  readonly crossResource: boolean;
  /** What of the rule a suppression annotation may waive. */
  readonly waiver: RuleWaiver;
  /**
   * With `RuleWaiver.PARTLY`: the JSON path suffixes of the findings no suppression waives.
   * @default - none
   */
  readonly unwaivablePathSuffixes?: string[];
  /**
   * With `RuleWaiver.PARTLY`: what those findings are, as messages name them (e.g. "hostPath volumes").
   * @default - none
   */
  readonly unwaivableWhat?: string;
}

/** The metadata of one rule, copied so that callers cannot change the profile. */
function profileRuleOf(rule: { id: string; title: string; row: number; references: readonly string[]; unwaivable?: Unwaivable }, crossResource: boolean): ProfileRule {
  const u = rule.unwaivable;
  const base = { id: rule.id, title: rule.title, row: rule.row, references: [...rule.references], crossResource };
  if (u === undefined) return { ...base, waiver: RuleWaiver.WITH_REASON };
  if (u === 'all') return { ...base, waiver: RuleWaiver.NEVER };
  return { ...base, waiver: RuleWaiver.PARTLY, unwaivablePathSuffixes: [...u.pathSuffixes], unwaivableWhat: u.what };
}

/** The hardening profile every sandboxed pod is checked against, as data. */
export class SandboxProfile {
  /** The annotation that waives a rule on one object: `rule-id: reason` lines. */
  public static readonly SUPPRESS_ANNOTATION = SUPPRESS_ANNOTATION;
  /** The label (value `"true"`) on every sandboxed pod. */
  public static readonly SANDBOXED_LABEL = SANDBOX_LABELS.sandboxed;
  /** The label naming the workload a sandboxed pod belongs to: the stable selector label. */
  public static readonly WORKLOAD_LABEL = SANDBOX_LABELS.workload;

  /** Every rule of the profile: per object first, then over a set of objects. */
  public static rules(): ProfileRule[] {
    return [...RULES.map((r) => profileRuleOf(r, false)), ...SET_RULES.map((r) => profileRuleOf(r, true))];
  }

  /**
   * The rule with this id.
   * @returns undefined when no rule has it
   */
  public static rule(id: string): ProfileRule | undefined {
    return SandboxProfile.rules().find((r) => r.id === id);
  }

  private constructor() {}
}

/** The defaults and bounds the builders apply, as the profile implies them (one table: SANDBOX_DEFAULTS). */
export class SandboxDefaults {
  /** The RuntimeClass sandboxed pods name (GKE Sandbox installs it). */
  public static readonly RUNTIME_CLASS_NAME = SANDBOX_DEFAULTS.runtimeClassName;
  /** The UID sandboxed containers run as (`nobody`). */
  public static readonly RUN_AS_USER = SANDBOX_DEFAULTS.runAsUser;
  /** The GID sandboxed containers run as. */
  public static readonly RUN_AS_GROUP = SANDBOX_DEFAULTS.runAsGroup;
  /** The pod's fsGroup. */
  public static readonly FS_GROUP = SANDBOX_DEFAULTS.fsGroup;
  /** The lowest UID/GID accepted (kube-score: >= 10000). */
  public static readonly MINIMUM_ID = SANDBOX_DEFAULTS.minimumId;
  /** The seccomp profile type of every pod. */
  public static readonly SECCOMP_PROFILE_TYPE = SANDBOX_DEFAULTS.seccompProfileType;
  /** The writable path every sandboxed container gets on its read-only root. */
  public static readonly WRITABLE_PATH = SANDBOX_DEFAULTS.writablePath;
  /** The size limit of a writable path's emptyDir. */
  public static readonly WRITABLE_PATH_SIZE_LIMIT = SANDBOX_DEFAULTS.writablePathSizeLimit;
  /** CPU request of a container. */
  public static readonly CPU_REQUEST = SANDBOX_DEFAULTS.resources.cpuRequest;
  /** CPU limit of a container. */
  public static readonly CPU_LIMIT = SANDBOX_DEFAULTS.resources.cpuLimit;
  /** Memory request of a container. */
  public static readonly MEMORY_REQUEST = SANDBOX_DEFAULTS.resources.memoryRequest;
  /** Memory limit of a container. */
  public static readonly MEMORY_LIMIT = SANDBOX_DEFAULTS.resources.memoryLimit;
  /** Ephemeral-storage request of a container. */
  public static readonly EPHEMERAL_STORAGE_REQUEST = SANDBOX_DEFAULTS.resources.ephemeralStorageRequest;
  /** Ephemeral-storage limit of a container. */
  public static readonly EPHEMERAL_STORAGE_LIMIT = SANDBOX_DEFAULTS.resources.ephemeralStorageLimit;
  /** A code run's soft limit, in seconds (the command runs under `timeout`). */
  public static readonly RUN_TIMEOUT_SECONDS = SANDBOX_DEFAULTS.run.timeoutSeconds;
  /** A code run's hard limit, in seconds (the Job's activeDeadlineSeconds). */
  public static readonly RUN_DEADLINE_SECONDS = SANDBOX_DEFAULTS.run.deadlineSeconds;
  /** Seconds a finished run's Job (and its pod and logs) is kept. */
  public static readonly RUN_TTL_SECONDS_AFTER_FINISHED = SANDBOX_DEFAULTS.run.ttlSecondsAfterFinished;
  /** Where a run's code is mounted, read-only. */
  public static readonly CODE_MOUNT_PATH = SANDBOX_DEFAULTS.run.codeMountPath;

  /** The capabilities every container drops. */
  public static dropCapabilities(): string[] {
    return [...SANDBOX_DEFAULTS.dropCapabilities];
  }

  /** The only capabilities a container may add. */
  public static allowedAddCapabilities(): string[] {
    return [...SANDBOX_DEFAULTS.allowedAddCapabilities];
  }

  /** The volume sources a sandboxed pod may use (PSS restricted). */
  public static allowedVolumeTypes(): string[] {
    return [...SANDBOX_DEFAULTS.allowedVolumeTypes];
  }

  /** The sysctls PSS baseline calls safe. */
  public static safeSysctls(): string[] {
    return [...SANDBOX_DEFAULTS.safeSysctls];
  }

  private constructor() {}
}
