// SandboxedCronJob's builder: props -> ServiceAccount and a CronJob whose Jobs carry the limits the profile
// demands of every Job (a hard deadline, a TTL, no retries, restartPolicy Never).
import { KubeObject, SANDBOX_DEFAULTS } from '../profile';
import type { SandboxedCronJobProps } from '../constructs/sandboxed-cron-job';
import { checkGvisorSeccomp } from './gvisor-annotations';
import { buildPodSpec } from './pod';
import { podTemplateAnnotations } from './pod-knobs';
import { Site, checkEnum, checkInteger, checkSeconds, fail } from './validate';
import { WorkloadIdentity, buildServiceAccount, resolveIdentity, workloadMetadataOf } from './workload';

/** What the CronJob controller does when a run is due while the previous one still runs. */
export enum ConcurrencyPolicy {
  /** Start the new run beside the old one. */
  ALLOW = 'Allow',
  /** Skip the new run (the default: scheduled untrusted code never piles up). */
  FORBID = 'Forbid',
  /** Stop the old run and start the new one. */
  REPLACE = 'Replace',
}

/** The plain objects of one SandboxedCronJob. */
export interface SandboxedCronJobObjects {
  readonly identity: WorkloadIdentity;
  readonly serviceAccount: KubeObject;
  readonly cronJob: KubeObject;
  /** Every object above, in emission order. */
  readonly objects: readonly KubeObject[];
}

/** The Job limits a scheduled run gets unless its props say otherwise. */
export const CRON_JOB_DEFAULTS = {
  /** The Job's hard deadline: 10 minutes. */
  activeDeadlineSeconds: 600,
  ttlSecondsAfterFinished: SANDBOX_DEFAULTS.run.ttlSecondsAfterFinished,
  successfulJobsHistoryLimit: 3,
  failedJobsHistoryLimit: 1,
} as const;

/** The longest CronJob name: the controller appends an 11-character suffix to its Jobs' names, which are labels too. */
export const CRON_JOB_NAME_MAX = 52;

/** Builds a SandboxedCronJob's objects; `defaultName` stands in for a missing `name`. */
export function buildSandboxedCronJob(where: string, props: SandboxedCronJobProps, defaultName?: string): SandboxedCronJobObjects {
  const site: Site = { where, prefix: '' };
  const identity = resolveIdentity(site, props, defaultName?.slice(0, CRON_JOB_NAME_MAX).replace(/-+$/, ''), CRON_JOB_NAME_MAX);
  const schedule = checkCronSchedule(site, 'schedule', props.schedule);
  const timeZone = props.timeZone === undefined ? undefined : checkTimeZone(site, 'timeZone', props.timeZone);
  const concurrencyPolicy = props.concurrencyPolicy === undefined ? ConcurrencyPolicy.FORBID : checkEnum(site, 'concurrencyPolicy', props.concurrencyPolicy, ConcurrencyPolicy, 'ConcurrencyPolicy');
  const startingDeadlineSeconds = props.startingDeadlineSeconds === undefined ? undefined : checkSeconds(site, 'startingDeadlineSeconds', props.startingDeadlineSeconds, 86400);
  const successful = props.successfulJobsHistoryLimit === undefined ? CRON_JOB_DEFAULTS.successfulJobsHistoryLimit : checkInteger(site, 'successfulJobsHistoryLimit', props.successfulJobsHistoryLimit, 0, 100);
  const failed = props.failedJobsHistoryLimit === undefined ? CRON_JOB_DEFAULTS.failedJobsHistoryLimit : checkInteger(site, 'failedJobsHistoryLimit', props.failedJobsHistoryLimit, 0, 100);
  if (props.suspend !== undefined && typeof props.suspend !== 'boolean') fail(site, 'suspend', props.suspend, 'must be true or false');
  const deadline = props.activeDeadlineSeconds === undefined ? CRON_JOB_DEFAULTS.activeDeadlineSeconds : checkSeconds(site, 'activeDeadlineSeconds', props.activeDeadlineSeconds, 604800);
  const ttl = props.ttlSecondsAfterFinished === undefined ? CRON_JOB_DEFAULTS.ttlSecondsAfterFinished
    : checkInteger(site, 'ttlSecondsAfterFinished', props.ttlSecondsAfterFinished, 0, 31536000, 'a whole number of seconds');

  const podSpec = buildPodSpec(site, props, { serviceAccountName: identity.name, restartPolicy: 'Never', selectorLabels: identity.selectorLabels });
  const annotations = podTemplateAnnotations(site, props, podSpec, checkGvisorSeccomp(site, props.gvisorSeccomp));
  const serviceAccount = buildServiceAccount(identity);
  const cronJob: KubeObject = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: workloadMetadataOf(identity),
    spec: {
      schedule,
      ...(timeZone !== undefined ? { timeZone } : {}),
      concurrencyPolicy,
      ...(startingDeadlineSeconds !== undefined ? { startingDeadlineSeconds } : {}),
      ...(props.suspend !== undefined ? { suspend: props.suspend } : {}),
      successfulJobsHistoryLimit: successful,
      failedJobsHistoryLimit: failed,
      jobTemplate: {
        metadata: { labels: { ...identity.objectLabels } },
        spec: {
          activeDeadlineSeconds: deadline,
          backoffLimit: 0,
          completions: 1,
          parallelism: 1,
          ttlSecondsAfterFinished: ttl,
          template: { metadata: { labels: { ...identity.podLabels }, annotations }, spec: podSpec },
        },
      },
    },
  };
  return { identity, serviceAccount, cronJob, objects: [serviceAccount, cronJob] };
}

/** The schedule macros Kubernetes' cron parser (robfig/cron's standard parser) accepts besides five fields. */
export const CRON_MACROS: readonly string[] = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** The five fields of a schedule: their bounds, the names they take, whether `?` stands for `*`. */
const CRON_FIELDS: readonly { name: string; min: number; max: number; names?: readonly string[]; question?: boolean }[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31, question: true },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 6, names: WEEKDAYS, question: true },
];

const SCHEDULE_ALLOWED = `five fields (minute 0-59, hour 0-23, day of month 1-31, month 1-12 or JAN-DEC, day of week 0-6 or SUN-SAT; each "*", a value, a range "a-b", a list "a,b" and an optional step "/n"; "?" for day of month or week), or one of ${CRON_MACROS.join(', ')}; e.g. "*/15 * * * *"`;

/** Checks a cron schedule as the CronJob controller parses it: five fields or a macro; a time zone goes in timeZone. */
export function checkCronSchedule(site: Site, name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') fail(site, name, value, `must be a schedule: ${SCHEDULE_ALLOWED}`);
  if (/^\s*(CRON_)?TZ=/.test(value)) fail(site, name, value, 'a time zone in the schedule (TZ=, CRON_TZ=) is refused by Kubernetes: give it in timeZone');
  if (value !== value.trim() || /[^\x20-\x7e]/.test(value)) fail(site, name, value, `must be a schedule without leading, trailing or non-ASCII characters: ${SCHEDULE_ALLOWED}`);
  if (value.startsWith('@')) {
    if (!CRON_MACROS.includes(value)) fail(site, name, value, `unknown macro; allowed: ${SCHEDULE_ALLOWED}`);
    return value;
  }
  const fields = value.split(/ +/);
  if (fields.length !== 5) fail(site, name, value, `has ${fields.length} field${fields.length === 1 ? '' : 's'}; must be ${SCHEDULE_ALLOWED}`);
  fields.forEach((text, i) => {
    const problem = cronFieldProblem(text, CRON_FIELDS[i]);
    if (problem) fail(site, name, value, `its ${CRON_FIELDS[i].name} field "${text}" ${problem}; must be ${SCHEDULE_ALLOWED}`);
  });
  return value;
}

/** Why one field of a schedule is malformed, or undefined. */
function cronFieldProblem(text: string, spec: (typeof CRON_FIELDS)[number]): string | undefined {
  const valueOf = (part: string): number | undefined => {
    if (/^[0-9]{1,2}$/.test(part)) return Number(part);
    const index = spec.names?.indexOf(part.toUpperCase()) ?? -1;
    return index >= 0 ? index + (spec.min === 1 ? 1 : 0) : undefined;
  };
  for (const item of text.split(',')) {
    const [range, step, extra] = item.split('/');
    if (extra !== undefined) return 'has more than one "/"';
    if (step !== undefined && !/^[1-9][0-9]{0,2}$/.test(step)) return `has step "${step}", which must be a positive integer`;
    if (range === '*' || (range === '?' && spec.question)) continue;
    const bounds = range.split('-');
    if (bounds.length > 2) return `has "${range}", which is not a value or a range`;
    const values = bounds.map(valueOf);
    if (values.some((v) => v === undefined)) return `has "${range}", which is not ${spec.names ? 'a number or a name' : 'a number'}`;
    if (values.some((v) => v! < spec.min || v! > spec.max)) return `has "${range}", outside ${spec.min}-${spec.max}`;
    if (values.length === 2 && values[0]! > values[1]!) return `has the range "${range}", whose start is after its end`;
  }
  return undefined;
}

/** Checks an IANA time zone name (`Europe/Berlin`, `Etc/UTC`); `Local` and offsets are refused, as Kubernetes does. */
export function checkTimeZone(site: Site, name: string, value: unknown): string {
  const allowed = 'must be an IANA time zone name such as "Etc/UTC", "Europe/Berlin" or "America/New_York" (not "Local", not an offset)';
  if (typeof value !== 'string' || !/^[A-Z][A-Za-z0-9_+-]*(\/[A-Z][A-Za-z0-9_+-]*)*$/.test(value) || value === 'Local') fail(site, name, value, allowed);
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
  } catch {
    fail(site, name, value, `is not a known time zone; ${allowed}`);
  }
  return value;
}
