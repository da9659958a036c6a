// SandboxNamespace: the Namespace under Pod Security "restricted" (version pinned), its ResourceQuota,
// LimitRange and deny-all NetworkPolicy as literal fields and snapshots, the namespace it gives the
// constructs placed in it, every construction error, and schema validity of every object.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { CodeRunnerJob, DnsMode, SandboxNamespace, SandboxNamespaceProps, SandboxNetworkPolicy, SandboxedDeployment } from '../src';
import { SandboxValidationError } from '../src/builders/errors';
import { selectorMatches } from '../src/profile/cross-resource';
import { kubernetesProblems } from './helpers/schema';

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function newChart(namespace?: string): Chart {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-namespace-'));
  outdirs.push(outdir);
  return new Chart(new App({ outdir }), 'c', namespace ? { namespace } : {});
}

const objectsOf = (ns: SandboxNamespace) => [ns.namespace, ns.resourceQuota, ns.limitRange, ns.defaultDenyPolicy].map((o) => o.toJson());

const PSS_V127 = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'v1.27',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/audit-version': 'v1.27',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/warn-version': 'v1.27',
};

describe('defaults', () => {
  test('the Namespace enforces, audits and warns on restricted, pinned to v1.27', () => {
    const ns = new SandboxNamespace(newChart(), 'sandbox-jobs');
    expect(ns.name).toBe('sandbox-jobs');
    expect(ns.namespace.toJson()).toEqual({
      apiVersion: 'v1', kind: 'Namespace',
      metadata: { name: 'sandbox-jobs', labels: { ...PSS_V127, 'app.kubernetes.io/managed-by': 'cdk8s-sandbox', 'cdk8s-sandbox.io/sandboxed': 'true' } },
    });
  });

  test('the ResourceQuota caps cpu, memory, ephemeral storage, pods, jobs and configmaps', () => {
    const ns = new SandboxNamespace(newChart(), 'sandbox-jobs');
    expect(ns.resourceQuota.toJson()).toEqual({
      apiVersion: 'v1', kind: 'ResourceQuota',
      metadata: { name: 'sandbox-quota', namespace: 'sandbox-jobs', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-sandbox' } },
      spec: {
        hard: {
          'requests.cpu': '8', 'limits.cpu': '16',
          'requests.memory': '16Gi', 'limits.memory': '32Gi',
          'requests.ephemeral-storage': '20Gi', 'limits.ephemeral-storage': '40Gi',
          'pods': '100', 'count/jobs.batch': '200', 'configmaps': '300',
        },
      },
    });
  });

  test('the LimitRange gives containers default requests and limits, and bounds them', () => {
    const ns = new SandboxNamespace(newChart(), 'sandbox-jobs');
    expect(ns.limitRange.toJson()).toEqual({
      apiVersion: 'v1', kind: 'LimitRange',
      metadata: { name: 'sandbox-limits', namespace: 'sandbox-jobs', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-sandbox' } },
      spec: {
        limits: [{
          type: 'Container',
          defaultRequest: { 'cpu': '250m', 'memory': '256Mi', 'ephemeral-storage': '64Mi' },
          default: { 'cpu': '500m', 'memory': '512Mi', 'ephemeral-storage': '256Mi' },
          max: { cpu: '2', memory: '4Gi' },
        }],
      },
    });
  });

  test('the default NetworkPolicy denies all ingress and egress of every pod of the namespace', () => {
    const ns = new SandboxNamespace(newChart(), 'sandbox-jobs');
    expect(ns.defaultDenyPolicy.toJson()).toEqual({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
      metadata: { name: 'default-deny-all', namespace: 'sandbox-jobs', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-sandbox' } },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  });

  test('the deny-all policy selects every pod template in the namespace and none elsewhere', () => {
    const chart = newChart();
    const sb = new SandboxNamespace(chart, 'sb');
    new SandboxedDeployment(sb, 'api', { image: 'app:1.0.0' });
    new CodeRunnerJob(sb, 'run', { runId: 'run-1', code: 'print(1)' });
    new SandboxedDeployment(chart, 'outside', { image: 'app:1.0.0', namespace: 'other', networkPolicyManagedElsewhere: 'not under test' });
    const objects = chart.toJson();
    const deny = objects.find((o: any) => o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny-all');
    const pods = objects.filter((o: any) => o.kind === 'Deployment' || o.kind === 'Job')
      .map((o: any) => ({ id: `${o.metadata.namespace}/${o.metadata.name}`, namespace: o.metadata.namespace, labels: o.spec.template.metadata.labels }));
    const selected = pods.filter((p: any) => p.namespace === deny.metadata.namespace && selectorMatches(deny.spec.podSelector, p.labels)).map((p: any) => p.id);
    expect(selected.sort()).toEqual(['sb/api', 'sb/run-1']);
    expect(pods.map((p: any) => p.id).filter((id: string) => !selected.includes(id))).toEqual(['other/outside']);
    expect(deny.spec.ingress).toBeUndefined();
    expect(deny.spec.egress).toBeUndefined();
  });

  test('the name comes from the construct id unless given', () => {
    expect(new SandboxNamespace(newChart(), 'Sandbox Jobs').name).toBe('sandbox-jobs');
    expect(new SandboxNamespace(newChart(), 'whatever', { name: 'tenant-a' }).namespace.toJson().metadata.name).toBe('tenant-a');
  });
});

describe('options', () => {
  test('every option is emitted as given, and extra labels cannot weaken Pod Security', () => {
    const ns = new SandboxNamespace(newChart(), 'sb', {
      name: 'tenant-a',
      podSecurityVersion: 'v1.30',
      quota: {
        requestsCpu: '2', limitsCpu: '4', requestsMemory: '4Gi', limitsMemory: '8Gi',
        requestsEphemeralStorage: '5Gi', limitsEphemeralStorage: '10Gi', pods: 20, jobs: 50, configMaps: 60,
      },
      limits: {
        defaultCpuRequest: '100m', defaultCpuLimit: '200m', defaultMemoryRequest: '128Mi', defaultMemoryLimit: '256Mi',
        defaultEphemeralStorageRequest: '32Mi', defaultEphemeralStorageLimit: '128Mi', maxCpu: '1', maxMemory: '1Gi',
      },
      labels: { 'team': 'a', 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/warn-version': 'latest' },
    });
    const [namespace, quota, limitRange] = objectsOf(ns);
    expect(namespace.metadata.labels).toEqual({
      'team': 'a',
      'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.30',
      'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/audit-version': 'v1.30',
      'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/warn-version': 'v1.30',
      'app.kubernetes.io/managed-by': 'cdk8s-sandbox',
      'cdk8s-sandbox.io/sandboxed': 'true',
    });
    expect(quota.spec.hard).toEqual({
      'requests.cpu': '2', 'limits.cpu': '4', 'requests.memory': '4Gi', 'limits.memory': '8Gi',
      'requests.ephemeral-storage': '5Gi', 'limits.ephemeral-storage': '10Gi', 'pods': '20', 'count/jobs.batch': '50', 'configmaps': '60',
    });
    expect(limitRange.spec.limits).toEqual([{
      type: 'Container',
      defaultRequest: { 'cpu': '100m', 'memory': '128Mi', 'ephemeral-storage': '32Mi' },
      default: { 'cpu': '200m', 'memory': '256Mi', 'ephemeral-storage': '128Mi' },
      max: { cpu: '1', memory: '1Gi' },
    }]);
    expect(objectsOf(ns).map((o) => o.metadata.namespace)).toEqual([undefined, 'tenant-a', 'tenant-a', 'tenant-a']);
  });

  test('a partial quota or limit set keeps the other defaults', () => {
    const ns = new SandboxNamespace(newChart(), 'sb', { quota: { pods: 5, limitsCpu: '8' }, limits: { maxMemory: '8Gi', defaultCpuLimit: undefined } });
    const [, quota, limitRange] = objectsOf(ns);
    expect(quota.spec.hard).toMatchObject({ 'pods': '5', 'limits.cpu': '8', 'requests.cpu': '8', 'count/jobs.batch': '200' });
    expect(limitRange.spec.limits[0].max).toEqual({ cpu: '2', memory: '8Gi' });
    expect(limitRange.spec.limits[0].default.cpu).toBe('500m');
  });

  test('snapshot: defaults', () => {
    expect(objectsOf(new SandboxNamespace(newChart(), 'sandbox-jobs'))).toMatchSnapshot();
  });

  test('snapshot: every option', () => {
    const ns = new SandboxNamespace(newChart(), 'sb', {
      name: 'tenant-a', podSecurityVersion: 'v1.29', labels: { team: 'a' },
      quota: { requestsCpu: '1', limitsCpu: '2', requestsMemory: '1Gi', limitsMemory: '2Gi', requestsEphemeralStorage: '1Gi', limitsEphemeralStorage: '2Gi', pods: 10, jobs: 20, configMaps: 30 },
      limits: { defaultCpuRequest: '50m', defaultCpuLimit: '100m', defaultMemoryRequest: '64Mi', defaultMemoryLimit: '128Mi', defaultEphemeralStorageRequest: '16Mi', defaultEphemeralStorageLimit: '64Mi', maxCpu: '500m', maxMemory: '512Mi' },
    });
    expect(objectsOf(ns)).toMatchSnapshot();
  });
});

describe('constructs placed in it get its namespace', () => {
  test('SandboxedDeployment, CodeRunnerJob and SandboxNetworkPolicy, directly or through an intermediate construct', () => {
    const chart = newChart('chart-ns');
    const sb = new SandboxNamespace(chart, 'sb');
    const api = new SandboxedDeployment(sb, 'api', { image: 'app:1.0.0', replicas: 2, ports: [{ number: 8080 }], service: true });
    const group = new Construct(sb, 'group');
    const run = new CodeRunnerJob(group, 'run', { runId: 'run-1', code: 'print(1)' });
    const policy = new SandboxNetworkPolicy(sb, 'api-dns', { selects: [api], dns: DnsMode.CLUSTER });
    expect(api.namespace).toBe('sb');
    expect(run.namespace).toBe('sb');
    // The Namespace itself is cluster-scoped, so its own metadata.namespace is not asserted.
    const byKind = chart.toJson().filter((o: any) => o.kind !== 'Namespace').map((o: any) => `${o.kind}/${o.metadata.name} ${o.metadata.namespace}`);
    expect(byKind).toEqual([
      'ResourceQuota/sandbox-quota sb',
      'LimitRange/sandbox-limits sb',
      'NetworkPolicy/default-deny-all sb',
      'ServiceAccount/api sb',
      'Deployment/api sb',
      'Service/api sb',
      'PodDisruptionBudget/api sb',
      'NetworkPolicy/code-run-deny-all sb',
      'Job/run-1 sb',
      'NetworkPolicy/api-dns sb',
    ]);
    expect(policy.policy.toJson().metadata.namespace).toBe('sb');
  });

  test('an explicit namespace prop wins; constructs outside keep the chart namespace', () => {
    const chart = newChart('chart-ns');
    const sb = new SandboxNamespace(chart, 'sb');
    const elsewhere = new SandboxedDeployment(sb, 'elsewhere', { image: 'app:1.0.0', namespace: 'other', networkPolicyManagedElsewhere: 'not under test' });
    const outside = new SandboxedDeployment(chart, 'outside', { image: 'app:1.0.0', networkPolicyManagedElsewhere: 'not under test' });
    expect(elsewhere.namespace).toBe('other');
    expect(elsewhere.deployment.toJson().metadata.namespace).toBe('other');
    expect(outside.namespace).toBe('chart-ns');
    expect(outside.deployment.toJson().metadata.namespace).toBe('chart-ns');
  });

  test('the nearest SandboxNamespace wins when they are nested', () => {
    const chart = newChart();
    const outer = new SandboxNamespace(chart, 'outer');
    const inner = new SandboxNamespace(outer, 'inner');
    const api = new SandboxedDeployment(inner, 'api', { image: 'app:1.0.0' });
    expect(api.namespace).toBe('inner');
    expect(api.deployment.toJson().metadata.namespace).toBe('inner');
  });

  test('a workload in it is isolated by its deny-all at synth', () => {
    const chart = newChart();
    const sb = new SandboxNamespace(chart, 'sb');
    new SandboxedDeployment(sb, 'api', { image: 'app:1.0.0' });
    expect(() => chart.toJson()).not.toThrow();
  });
});

describe('schema', () => {
  test('Namespace, ResourceQuota, LimitRange and NetworkPolicy are valid and have no unknown field', () => {
    const defaults = objectsOf(new SandboxNamespace(newChart(), 'sandbox-jobs'));
    const custom = objectsOf(new SandboxNamespace(newChart(), 'sb', {
      podSecurityVersion: 'v1.30', labels: { team: 'a' }, quota: { pods: 3, requestsMemory: '1500Mi' }, limits: { defaultCpuRequest: '0.1', maxCpu: '1500m' },
    }));
    expect([...defaults, ...custom].map((o) => o.kind)).toEqual(['Namespace', 'ResourceQuota', 'LimitRange', 'NetworkPolicy', 'Namespace', 'ResourceQuota', 'LimitRange', 'NetworkPolicy']);
    expect(kubernetesProblems([...defaults, ...custom])).toEqual([]);
  });
});

describe('errors', () => {
  const DNS_LABEL = 'must be a DNS label: at most 63 lowercase letters, digits and \'-\', starting and ending with a letter or digit';
  const UNPINNED = 'must pin a Kubernetes minor version such as "v1.27" ("latest" is not pinned)';
  const NOT_A_QUANTITY = 'must be a Kubernetes quantity; give a positive quantity such as';
  const REMOVED = 'removing a request or limit is refused: every sandboxed container is bounded; give a positive quantity such as';
  const rows: [string, SandboxNamespaceProps, string][] = [
    ...['default', 'kube-system', 'kube-public', 'kube-node-lease'].map((name): [string, SandboxNamespaceProps, string] => [
      `the system namespace ${name}`, { name }, `c/ns: name is "${name}"; sandboxes get a namespace of their own, not a system or the default one`]),
    ['a name that is no DNS label', { name: 'Sandbox_Jobs' }, `c/ns: name is "Sandbox_Jobs"; ${DNS_LABEL}`],
    ['a name over 63 characters', { name: 'n'.repeat(64) }, `c/ns: name is "${'n'.repeat(64)}"; ${DNS_LABEL}`],
    ...['latest', '1.27', 'v1', 'v1.27.3', 'v2.0', ''].map((v): [string, SandboxNamespaceProps, string] => [
      `the unpinned Pod Security version ${JSON.stringify(v)}`, { podSecurityVersion: v }, `c/ns: podSecurityVersion is ${JSON.stringify(v)}; ${UNPINNED}`]),
    ['a quota whose CPU requests exceed its CPU limits', { quota: { requestsCpu: '32' } },
      'c/ns: quota.requestsCpu is "32"; must not exceed limitsCpu (16): every container\'s request is at most its limit, so a higher cap is never reached'],
    ['a quota whose memory requests exceed its memory limits', { quota: { requestsMemory: '8Gi', limitsMemory: '4Gi' } },
      'c/ns: quota.requestsMemory is "8Gi"; must not exceed limitsMemory (4Gi): every container\'s request is at most its limit, so a higher cap is never reached'],
    ['a quota whose ephemeral-storage requests exceed its limits', { quota: { limitsEphemeralStorage: '10Gi' } },
      'c/ns: quota.requestsEphemeralStorage is "20Gi"; must not exceed limitsEphemeralStorage (10Gi): every container\'s request is at most its limit, so a higher cap is never reached'],
    ['an empty quota', { quota: { limitsCpu: '' } }, `c/ns: quota.limitsCpu is ""; ${REMOVED} "16"`],
    ['a zero quota', { quota: { requestsMemory: '0' } }, `c/ns: quota.requestsMemory is "0"; ${REMOVED} "16Gi"`],
    ['a malformed quota', { quota: { limitsMemory: 'lots' } }, `c/ns: quota.limitsMemory is "lots"; ${NOT_A_QUANTITY} "32Gi"`],
    ['a negative quota', { quota: { requestsEphemeralStorage: '-1Gi' } }, `c/ns: quota.requestsEphemeralStorage is "-1Gi"; ${NOT_A_QUANTITY} "20Gi"`],
    ['zero pods', { quota: { pods: 0 } }, 'c/ns: quota.pods is 0; must be an integer from 1 to 1000000'],
    ['a fractional job count', { quota: { jobs: 1.5 } }, 'c/ns: quota.jobs is 1.5; must be an integer from 1 to 1000000'],
    ['too many configmaps', { quota: { configMaps: 1000001 } }, 'c/ns: quota.configMaps is 1000001; must be an integer from 1 to 1000000'],
    ['a default CPU request above the default CPU limit', { limits: { defaultCpuRequest: '1' } },
      'c/ns: limits.defaultCpuRequest is "1"; must not exceed defaultCpuLimit (500m)'],
    ['a default memory request above the default memory limit', { limits: { defaultMemoryRequest: '1Gi', defaultMemoryLimit: '512Mi' } },
      'c/ns: limits.defaultMemoryRequest is "1Gi"; must not exceed defaultMemoryLimit (512Mi)'],
    ['a default ephemeral-storage request above its limit', { limits: { defaultEphemeralStorageLimit: '32Mi' } },
      'c/ns: limits.defaultEphemeralStorageRequest is "64Mi"; must not exceed defaultEphemeralStorageLimit (32Mi)'],
    ['a default CPU limit above maxCpu', { limits: { maxCpu: '250m', defaultCpuRequest: '100m' } },
      'c/ns: limits.defaultCpuLimit is "500m"; must not exceed maxCpu (250m)'],
    ['a default memory limit above maxMemory', { limits: { defaultMemoryLimit: '8Gi' } },
      'c/ns: limits.defaultMemoryLimit is "8Gi"; must not exceed maxMemory (4Gi)'],
    ['an empty limit', { limits: { maxCpu: '' } }, `c/ns: limits.maxCpu is ""; ${REMOVED} "2"`],
    ['a malformed limit', { limits: { defaultMemoryLimit: '512MB' } }, `c/ns: limits.defaultMemoryLimit is "512MB"; ${NOT_A_QUANTITY} "512Mi"`],
  ];

  test.each(rows)('%s', (_name, props, message) => {
    let error: unknown;
    try {
      new SandboxNamespace(newChart(), 'ns', props);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SandboxValidationError);
    expect((error as Error).message).toBe(message);
  });

  test('a construct id that is no DNS label needs an explicit name', () => {
    expect(() => new SandboxNamespace(newChart(), '***')).toThrow(`c/***: name is "***"; ${DNS_LABEL}`);
  });

  test('no object is left behind by a refused namespace', () => {
    const chart = newChart();
    expect(() => new SandboxNamespace(chart, 'ns', { name: 'kube-system' })).toThrow(SandboxValidationError);
    expect(chart.node.findAll().filter((c) => c instanceof ApiObject)).toEqual([]);
  });
});
