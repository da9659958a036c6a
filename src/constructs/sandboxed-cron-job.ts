// SandboxedCronJob: untrusted code run on a schedule, each run a hardened gVisor Job with a hard deadline.
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ConcurrencyPolicy, buildSandboxedCronJob } from '../builders/cron-job';
import { dnsLabelFromId } from '../builders/validate';
import { runtimeClassNameOr } from '../profile';
import { ISandboxWorkload } from '../builders/network';
import { SandboxSynthGuard } from './synth-guard';
import { addApiObjects } from './api-objects';
import { effectiveNamespace, namespaceFromScope } from './scope';
import { SandboxWorkloadProps } from '../builders/pod-props';

/** Props of a scheduled sandboxed workload. */
export interface SandboxedCronJobProps extends SandboxWorkloadProps {
  /** When to run: five cron fields (`"30 2 * * *"`, minute hour day-of-month month day-of-week) or a macro (`@hourly`, `@daily`, ...). */
  readonly schedule: string;
  /**
   * IANA time zone the schedule is read in (`"Europe/Berlin"`).
   * @default - the kube-controller-manager's time zone
   */
  readonly timeZone?: string;
  /**
   * What happens when a run is due while the previous one still runs.
   * @default ConcurrencyPolicy.FORBID
   */
  readonly concurrencyPolicy?: ConcurrencyPolicy;
  /**
   * Seconds after its scheduled time a missed run may still start.
   * @default - no deadline
   */
  readonly startingDeadlineSeconds?: number;
  /**
   * Finished successful Jobs the CronJob keeps (until their TTL deletes them).
   * @default 3
   */
  readonly successfulJobsHistoryLimit?: number;
  /**
   * Finished failed Jobs the CronJob keeps (until their TTL deletes them).
   * @default 1
   */
  readonly failedJobsHistoryLimit?: number;
  /**
   * Stop scheduling runs (the ones running go on).
   * @default false
   */
  readonly suspend?: boolean;
  /**
   * Hard limit of each run: the Job's activeDeadlineSeconds, counted from the Job's start.
   * @default 600
   */
  readonly activeDeadlineSeconds?: number;
  /**
   * Seconds a finished Job (and its pod and logs) is kept.
   * @default 300
   */
  readonly ttlSecondsAfterFinished?: number;
}

/**
 * A CronJob whose runs are Jobs of one hardened gVisor pod each (non-root, read-only root, no capabilities,
 * seccomp, no service-account token, bounded resources), with a hard deadline, a TTL, no retries
 * (`backoffLimit: 0`) and `restartPolicy: Never`; plus its token-less ServiceAccount.
 */
export class SandboxedCronJob extends Construct implements ISandboxWorkload {
  /** Name of the workload and of its objects. */
  public readonly name: string;
  /** Namespace of the pods: from props, the enclosing SandboxNamespace, or the chart. */
  public readonly namespace?: string;
  /** Labels that select this workload's pods (stable: derived from the name only). */
  public readonly selectorLabels: { readonly [key: string]: string };
  /** Every label on this workload's pods. */
  public readonly podLabels: { readonly [key: string]: string };
  /** The RuntimeClass the pods run under. */
  public readonly runtimeClassName: string;
  /** The CronJob. */
  public readonly cronJob: ApiObject;
  /** The ServiceAccount, with automountServiceAccountToken false. */
  public readonly serviceAccount: ApiObject;

  constructor(scope: Construct, id: string, props: SandboxedCronJobProps) {
    super(scope, id);
    const built = buildSandboxedCronJob(this.node.path, { ...props, namespace: props.namespace ?? namespaceFromScope(scope) }, dnsLabelFromId(id));
    this.name = built.identity.name;
    this.namespace = effectiveNamespace(this, built.identity.namespace);
    this.selectorLabels = built.identity.selectorLabels;
    this.podLabels = built.identity.podLabels;
    this.runtimeClassName = runtimeClassNameOr(props.runtimeClassName);
    const apiObjects = addApiObjects(this, built.objects);
    const byKind = (kind: string) => apiObjects.find((o) => o.kind === kind);
    this.serviceAccount = byKind('ServiceAccount')!;
    this.cronJob = byKind('CronJob')!;
    SandboxSynthGuard.of(this).register(this, { objects: apiObjects, runtimeClassName: this.runtimeClassName, workload: this.cronJob });
  }
}
