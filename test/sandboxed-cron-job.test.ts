// SandboxedCronJob: snapshots with defaults and with every option, literal assertions of the CronJob, its Jobs'
// limits and the hardened pod (never the profile code), the schedule grammar, every refusal with the construct
// path, the field, the value and what is allowed, schema validity, the synth guard, the audit, and violations
// smuggled in after construction.
import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import {
  ConcurrencyPolicy, EnvValue, ImagePullPolicy, NetworkPeer, SandboxNamespace, SandboxNetworkPolicy, SandboxRuntimes, SandboxedCronJob, SandboxedCronJobProps, SandboxedDeployment,
  SandboxVolume,
} from '../src';
import { auditObjects } from '../src/audit';
import { buildSandboxedCronJob } from '../src/builders/cron-job';
import { SandboxValidationError } from '../src/builders/errors';
import { kubernetesProblems } from './helpers/schema';

const IMAGE = 'registry.example/report:2.0.1';

/** Every prop of the CronJob's own set to a value other than its default, with a few of the shared ones. */
const EVERY_OPTION: SandboxedCronJobProps = {
  name: 'nightly-report',
  namespace: 'reports',
  labels: { team: 'data' },
  networkPolicyManagedElsewhere: 'policies come from the platform repo',
  schedule: '30 2 * * MON-FRI',
  timeZone: 'Europe/Berlin',
  concurrencyPolicy: ConcurrencyPolicy.REPLACE,
  startingDeadlineSeconds: 120,
  successfulJobsHistoryLimit: 5,
  failedJobsHistoryLimit: 2,
  suspend: true,
  activeDeadlineSeconds: 1800,
  ttlSecondsAfterFinished: 3600,
  runtimeClassName: 'gvisor-custom',
  gvisorSeccomp: false,
  image: IMAGE,
  imagePullPolicy: ImagePullPolicy.ALWAYS,
  imagePullSecrets: ['regcred'],
  command: ['/app/report'],
  args: ['--since', '24h'],
  env: { MODE: EnvValue.fromValue('nightly') },
  resources: { cpuLimit: '1', memoryLimit: '1Gi' },
  volumes: [SandboxVolume.fromConfigMap('config', 'report-config')],
  volumeMounts: [{ volume: 'config', path: '/etc/report' }],
  podAnnotations: { 'example.com/owner': 'data-team' },
  priorityClassName: 'batch-low',
};

function make(props: SandboxedCronJobProps, id = 'nightly'): { chart: Chart; cron: SandboxedCronJob } {
  const chart = new Chart(Testing.app(), 'chart');
  SandboxRuntimes.allow(chart, 'gvisor-custom', 'test: a gVisor RuntimeClass of a self-managed cluster');
  return { chart, cron: new SandboxedCronJob(chart, id, props) };
}

function objectsOf(scope: Construct): any[] {
  return scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson());
}

function kindOf(objects: any[], kind: string): any {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('with defaults', () => {
  const { chart, cron } = make({ image: IMAGE, schedule: '*/15 * * * *' });
  const objects = objectsOf(chart);
  const cronJob = kindOf(objects, 'CronJob');
  const job = cronJob.spec.jobTemplate;
  const pod = job.spec.template.spec;

  test('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  test('emits a ServiceAccount and the CronJob', () => {
    expect(objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`)).toEqual(['v1 ServiceAccount nightly', 'batch/v1 CronJob nightly']);
  });

  test('the CronJob: Forbid, the history limits, nothing else set', () => {
    expect(Object.keys(cronJob.spec).sort()).toEqual(['concurrencyPolicy', 'failedJobsHistoryLimit', 'jobTemplate', 'schedule', 'successfulJobsHistoryLimit']);
    expect(cronJob.spec.schedule).toBe('*/15 * * * *');
    expect(cronJob.spec.concurrencyPolicy).toBe('Forbid');
    expect(cronJob.spec.successfulJobsHistoryLimit).toBe(3);
    expect(cronJob.spec.failedJobsHistoryLimit).toBe(1);
  });

  test('each Job has the limits of every sandboxed Job: deadline, TTL, no retries, one pod, restartPolicy Never', () => {
    expect(job.metadata).toEqual({ labels: { 'app.kubernetes.io/name': 'nightly', 'app.kubernetes.io/managed-by': 'cdk8s-sandbox' } });
    const { template, ...limits } = job.spec;
    expect(limits).toEqual({ activeDeadlineSeconds: 600, backoffLimit: 0, completions: 1, parallelism: 1, ttlSecondsAfterFinished: 300 });
    expect(pod.restartPolicy).toBe('Never');
  });

  test('the pod carries every hardening control', () => {
    expect(pod.runtimeClassName).toBe('gvisor');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.serviceAccountName).toBe('nightly');
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.volumes).toEqual([{ name: 'main-tmp', emptyDir: { sizeLimit: '64Mi' } }]);
    expect(pod.containers).toEqual([{
      name: 'main',
      image: IMAGE,
      env: [{ name: 'HOME', value: '/tmp' }, { name: 'TMPDIR', value: '/tmp' }],
      resources: {
        requests: { 'cpu': '250m', 'memory': '256Mi', 'ephemeral-storage': '64Mi' },
        limits: { 'cpu': '500m', 'memory': '512Mi', 'ephemeral-storage': '256Mi' },
      },
      securityContext: {
        runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534,
        allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
      },
      volumeMounts: [{ name: 'main-tmp', mountPath: '/tmp' }],
    }]);
  });

  test('the pods carry the stable selector labels and gVisor\'s annotations', () => {
    expect(job.spec.template.metadata).toEqual({
      labels: {
        'app.kubernetes.io/name': 'nightly', 'app.kubernetes.io/managed-by': 'cdk8s-sandbox',
        'cdk8s-sandbox.io/sandboxed': 'true', 'cdk8s-sandbox.io/workload': 'nightly',
      },
      annotations: { 'dev.gvisor.flag.oci-seccomp': 'true', 'dev.gvisor.spec.mount.main-tmp.share': 'pod', 'dev.gvisor.spec.mount.main-tmp.type': 'tmpfs' },
    });
  });

  test('the ServiceAccount mounts no token; the CronJob carries no annotation', () => {
    expect(kindOf(objects, 'ServiceAccount')).toEqual({
      apiVersion: 'v1', kind: 'ServiceAccount', automountServiceAccountToken: false,
      metadata: { name: 'nightly', labels: { 'app.kubernetes.io/name': 'nightly', 'app.kubernetes.io/managed-by': 'cdk8s-sandbox' } },
    });
    expect(cronJob.metadata.annotations).toBeUndefined();
  });

  test('exposes its name, labels, runtime class and objects', () => {
    expect(cron.name).toBe('nightly');
    expect(cron.namespace).toBeUndefined();
    expect(cron.runtimeClassName).toBe('gvisor');
    expect(cron.selectorLabels).toEqual({ 'cdk8s-sandbox.io/workload': 'nightly' });
    expect(cron.podLabels['cdk8s-sandbox.io/sandboxed']).toBe('true');
    expect(cron.cronJob.kind).toBe('CronJob');
    expect(cron.serviceAccount.kind).toBe('ServiceAccount');
  });

  test('every object is valid Kubernetes with no unknown fields', () => {
    expect(kubernetesProblems(objects)).toEqual([]);
  });

  test('the construct has nothing to report (the app-wide checks run in a SandboxNamespace below)', () => {
    expect(cron.node.validate()).toEqual([]);
  });
});

describe('with every option', () => {
  const { chart, cron } = make(EVERY_OPTION);
  const objects = objectsOf(chart);
  const cronJob = kindOf(objects, 'CronJob');
  const pod = cronJob.spec.jobTemplate.spec.template.spec;

  test('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  test('the CronJob\'s own fields', () => {
    const { jobTemplate, ...spec } = cronJob.spec;
    expect(spec).toEqual({
      schedule: '30 2 * * MON-FRI', timeZone: 'Europe/Berlin', concurrencyPolicy: 'Replace', startingDeadlineSeconds: 120,
      suspend: true, successfulJobsHistoryLimit: 5, failedJobsHistoryLimit: 2,
    });
    const { template, ...limits } = jobTemplate.spec;
    expect(limits).toEqual({ activeDeadlineSeconds: 1800, backoffLimit: 0, completions: 1, parallelism: 1, ttlSecondsAfterFinished: 3600 });
  });

  test('namespace, labels and the opt-out', () => {
    expect(objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['ServiceAccount reports/nightly-report', 'CronJob reports/nightly-report']);
    expect(cronJob.metadata.labels).toEqual({ 'team': 'data', 'app.kubernetes.io/name': 'nightly-report', 'app.kubernetes.io/managed-by': 'cdk8s-sandbox' });
    expect(cronJob.spec.jobTemplate.metadata.labels).toEqual(cronJob.metadata.labels);
    expect(cronJob.metadata.annotations).toEqual({ 'cdk8s-sandbox.io/suppress': 'network-isolation: policies come from the platform repo' });
  });

  test('the pod: runtime class, knobs, container', () => {
    expect(pod.runtimeClassName).toBe('gvisor-custom');
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(pod.priorityClassName).toBe('batch-low');
    expect(pod.containers[0]).toMatchObject({ image: IMAGE, imagePullPolicy: 'Always', command: ['/app/report'], args: ['--since', '24h'] });
    expect(pod.containers[0].resources.limits).toEqual({ 'cpu': '1', 'memory': '1Gi', 'ephemeral-storage': '256Mi' });
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'main-tmp', mountPath: '/tmp' }, { name: 'config', mountPath: '/etc/report', readOnly: true }]);
    // gvisorSeccomp: false leaves the runsc flag off; the mount hints stay.
    expect(cronJob.spec.jobTemplate.spec.template.metadata.annotations).toEqual({
      'dev.gvisor.spec.mount.main-tmp.share': 'pod', 'dev.gvisor.spec.mount.main-tmp.type': 'tmpfs', 'example.com/owner': 'data-team',
    });
  });

  test('every object is valid Kubernetes with no unknown fields', () => {
    expect(kubernetesProblems(objects)).toEqual([]);
  });

  test('the synth guard has nothing to report for the custom RuntimeClass: the opt-out satisfies the isolation check', () => {
    expect(cron.node.validate()).toEqual([]);
    expect(Testing.synth(chart)).toEqual(objects);
  });
});

describe('in a SandboxNamespace, selected by a policy', () => {
  const chart = new Chart(Testing.app(), 'chart');
  const ns = new SandboxNamespace(chart, 'batch');
  const cron = new SandboxedCronJob(ns, 'nightly', { image: IMAGE, schedule: '@daily', ports: [{ number: 8080 }] });
  const api = new SandboxedDeployment(ns, 'api', { image: 'registry.example/api:1.0.0' });
  new SandboxNetworkPolicy(ns, 'nightly-network', { selects: [cron], egress: [{ peers: [NetworkPeer.workload(api)], ports: [{ port: 8080 }] }] });
  new SandboxNetworkPolicy(ns, 'api-network', { selects: [api], ingress: [{ peers: [NetworkPeer.workload(cron)], ports: [{ port: 8080 }] }] });
  const objects = Testing.synth(chart);

  test('lands in the namespace', () => {
    expect(cron.namespace).toBe('batch');
    expect(kindOf(objects, 'CronJob').metadata.namespace).toBe('batch');
  });

  test('selects and NetworkPeer.workload take it by its selector labels', () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name.startsWith('nightly-network'));
    expect(policies[0].spec.podSelector).toEqual({ matchLabels: { 'cdk8s-sandbox.io/workload': 'nightly' } });
    const apiPolicy = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name.startsWith('api-network'))!;
    expect(apiPolicy.spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: { 'cdk8s-sandbox.io/workload': 'nightly' } } }]);
  });

  test('the audit finds nothing', () => {
    expect(auditObjects(objects).findings).toEqual([]);
  });

  test('without a policy, synth refuses it as not isolated', () => {
    const bare = new Chart(Testing.app(), 'bare');
    new SandboxedCronJob(bare, 'nightly', { image: IMAGE, schedule: '@daily' });
    expect(() => Testing.synth(bare)).toThrow(/\[bare\/nightly\] \[network-isolation\] pods with labels .*cdk8s-sandbox.io\/workload=nightly in namespace "default" are selected by no NetworkPolicy/);
  });
});

describe('other shapes', () => {
  test('the chart\'s namespace applies when none is given', () => {
    const chart = new Chart(Testing.app(), 'chart', { namespace: 'team-a' });
    const cron = new SandboxedCronJob(chart, 'nightly', { image: IMAGE, schedule: '@hourly', networkPolicyManagedElsewhere: 'x' });
    expect(cron.namespace).toBe('team-a');
  });

  test('a long construct id is cut to the 52 characters a CronJob name may have', () => {
    const { cron } = make({ image: IMAGE, schedule: '@hourly', networkPolicyManagedElsewhere: 'x' }, `Report_${'a'.repeat(60)}`);
    expect(cron.name).toBe(`report-${'a'.repeat(45)}`);
  });

  test('the construct emits exactly what the pure builder returns', () => {
    for (const props of [{ image: IMAGE, schedule: '@hourly' }, EVERY_OPTION]) {
      expect(objectsOf(make(props).chart)).toEqual(buildSandboxedCronJob('chart/nightly', props, 'nightly').objects);
    }
  });
});

describe('schedules', () => {
  test.each([
    '* * * * *', '*/15 * * * *', '0 0 * * MON-FRI', '0 12 1 JAN,jul *', '5/10 * ? * *', '0 0 * * ?', '0 0 1 1 0', '59 23 31 12 6', '0-30/5 1,2,3 * * sun',
    '0  3  *  *  *', '@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly',
  ])('%s is accepted as written', (schedule) => {
    expect(kindOf(objectsOf(make({ image: IMAGE, schedule, networkPolicyManagedElsewhere: 'x' }).chart), 'CronJob').spec.schedule).toBe(schedule);
  });

  test.each([
    ['', 'must be a schedule: five fields'],
    ['* * * *', 'has 4 fields; must be five fields'],
    ['0 * * * * *', 'has 6 fields; must be five fields'],
    ['60 * * * *', 'its minute field "60" has "60", outside 0-59'],
    ['* 24 * * *', 'its hour field "24" has "24", outside 0-23'],
    ['* * 0 * *', 'its day of month field "0" has "0", outside 1-31'],
    ['* * * 13 *', 'its month field "13" has "13", outside 1-12'],
    ['* * * * 7', 'its day of week field "7" has "7", outside 0-6'],
    ['*/0 * * * *', 'its minute field "*/0" has step "0", which must be a positive integer'],
    ['5-1 * * * *', 'its minute field "5-1" has the range "5-1", whose start is after its end'],
    ['1-2-3 * * * *', 'has "1-2-3", which is not a value or a range'],
    ['*/5/2 * * * *', 'has more than one "/"'],
    ['? * * * *', 'its minute field "?" has "?", which is not a number'],
    ['* * * FOO *', 'its month field "FOO" has "FOO", which is not a number or a name'],
    ['@every 5m', 'unknown macro'],
    ['@reboot', 'unknown macro'],
    ['TZ=UTC 0 * * * *', 'a time zone in the schedule (TZ=, CRON_TZ=) is refused by Kubernetes: give it in timeZone'],
    ['CRON_TZ=Europe/Berlin 0 * * * *', 'give it in timeZone'],
    [' 0 * * * *', 'without leading, trailing or non-ASCII characters'],
    ['0\t* * * *', 'without leading, trailing or non-ASCII characters'],
  ])('%j is refused', (schedule, allowed) => {
    const err = refusal(() => make({ image: IMAGE, schedule }));
    expect(err.field).toBe('schedule');
    expect(err.message.startsWith(`chart/nightly: schedule is ${JSON.stringify(schedule)}; `)).toBe(true);
    expect(err.message).toContain(allowed);
  });
});

function refusal(fn: () => unknown): SandboxValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SandboxValidationError);
    return e as SandboxValidationError;
  }
  throw new Error('expected a SandboxValidationError');
}

const BAD_INPUTS: [string, Partial<SandboxedCronJobProps>, string, string, string][] = [
  ['a schedule that is no string', { schedule: 5 as unknown as string }, 'schedule', '5', 'must be a schedule'],
  ['the Local time zone', { timeZone: 'Local' }, 'timeZone', '"Local"', 'must be an IANA time zone name'],
  ['an unknown time zone', { timeZone: 'Mars/Olympus_Mons' }, 'timeZone', '"Mars/Olympus_Mons"', 'is not a known time zone'],
  ['a lower-case time zone', { timeZone: 'utc' }, 'timeZone', '"utc"', 'must be an IANA time zone name'],
  ['an offset as time zone', { timeZone: '+02:00' }, 'timeZone', '"+02:00"', 'not an offset'],
  ['an unknown concurrency policy', { concurrencyPolicy: 'Queue' as ConcurrencyPolicy }, 'concurrencyPolicy', '"Queue"', 'allowed: ConcurrencyPolicy.ALLOW ("Allow"), ConcurrencyPolicy.FORBID ("Forbid"), ConcurrencyPolicy.REPLACE ("Replace")'],
  ['a zero starting deadline', { startingDeadlineSeconds: 0 }, 'startingDeadlineSeconds', '0', 'must be a whole number of seconds from 1 to 86400'],
  ['a negative success history', { successfulJobsHistoryLimit: -1 }, 'successfulJobsHistoryLimit', '-1', 'must be an integer from 0 to 100'],
  ['a failure history over 100', { failedJobsHistoryLimit: 101 }, 'failedJobsHistoryLimit', '101', 'must be an integer from 0 to 100'],
  ['suspend that is no boolean', { suspend: 'yes' as unknown as boolean }, 'suspend', '"yes"', 'must be true or false'],
  ['no deadline', { activeDeadlineSeconds: 0 }, 'activeDeadlineSeconds', '0', 'must be a whole number of seconds from 1 to 604800'],
  ['a fractional deadline', { activeDeadlineSeconds: 1.5 }, 'activeDeadlineSeconds', '1.5', 'must be a whole number of seconds'],
  ['a negative TTL', { ttlSecondsAfterFinished: -1 }, 'ttlSecondsAfterFinished', '-1', 'must be a whole number of seconds from 0 to 31536000'],
  ['a name over 52 characters', { name: 'a'.repeat(53) }, 'name', `"${'a'.repeat(53)}"`, 'must be a DNS label: at most 52'],
  ['a privileged container', { securityContext: { privileged: true } }, 'securityContext.privileged', 'true', 'only false is allowed'],
  ['a :latest image', { image: 'registry.example/report:latest' }, 'image', '"registry.example/report:latest"', 'must name a version tag other than latest'],
  ['a system priority', { priorityClassName: 'system-cluster-critical' }, 'priorityClassName', '"system-cluster-critical"', 'the system- PriorityClasses'],
];

describe('bad input is refused with the construct path, the field, the value and what is allowed', () => {
  test.each(BAD_INPUTS)('%s', (_what, props, fieldName, givenText, allowed) => {
    const err = refusal(() => make({ image: IMAGE, schedule: '@daily', ...props }));
    expect(err.where).toBe('chart/nightly');
    expect(err.field).toBe(fieldName);
    expect(err.message.startsWith(`chart/nightly: ${fieldName} is ${givenText}; `)).toBe(true);
    expect(err.message).toContain(allowed);
  });
});

describe('a violation smuggled in after construction fails synthesis', () => {
  const SMUGGLED: [string, JsonPatch, RegExp][] = [
    ['retries', JsonPatch.replace('/spec/jobTemplate/spec/backoffLimit', 3), /\[job-limits\] .*backoffLimit is 3; untrusted code must not be retried/],
    ['a restarting pod', JsonPatch.replace('/spec/jobTemplate/spec/template/spec/restartPolicy', 'OnFailure'), /\[job-limits\] .*restartPolicy is "OnFailure"; must be Never/],
    ['no deadline', JsonPatch.remove('/spec/jobTemplate/spec/activeDeadlineSeconds'), /\[job-limits\] .*activeDeadlineSeconds is unset/],
    ['no TTL', JsonPatch.remove('/spec/jobTemplate/spec/ttlSecondsAfterFinished'), /\[job-limits\] .*ttlSecondsAfterFinished is unset/],
    ['hostPID', JsonPatch.add('/spec/jobTemplate/spec/template/spec/hostPID', true), /\[no-host-namespaces\] CronJob\/nightly spec\.jobTemplate\.spec\.template\.spec\.hostPID/],
  ];
  test.each(SMUGGLED)('%s', (_what, patch, detail) => {
    const { chart, cron } = make({ image: IMAGE, schedule: '@daily', networkPolicyManagedElsewhere: 'not under test' });
    cron.cronJob.addJsonPatch(patch);
    expect(() => Testing.synth(chart)).toThrow('[chart/nightly] ');
    expect(() => Testing.synth(chart)).toThrow(detail);
  });
});
