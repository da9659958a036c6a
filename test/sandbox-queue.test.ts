// SandboxQueue (issue 14, point 5): Kueue's ResourceFlavor, ClusterQueue and LocalQueue for one SandboxNamespace,
// as literal fields with the defaults and with every option; every construction error; the fields that queue a
// Job; validity against Kueue's vendored CRD schemas (and that the validation refuses wrong objects); and that
// the audit and the synth checks pass the objects (and catch a patched or duplicated one).
import * as fs from 'fs';
import * as path from 'path';
import { Chart, JsonPatch, Testing, Yaml } from 'cdk8s';
import {
  CodeRunnerJob, QueueingStrategy, SandboxNamespace, SandboxPlatform, SandboxQueue, SandboxQueueProps,
} from '../src';
import { auditObjects, auditText } from '../src/audit';
import { SandboxValidationError } from '../src/builders/errors';
import { KUEUE_API_VERSION, KUEUE_QUEUE_NAME_LABEL, checkJobInQueueNamespace, checkQueueName, queuedJobFields } from '../src/builders/queue';
import { thrown } from './helpers/errors';
import { KUEUE_CRD_DIR, KueueJson, kueueCrds, kueueProblems, kueueSchemaErrors } from './helpers/kueue-crd';
import { kubernetesProblems } from './helpers/schema';

type Json = { [key: string]: any };

const MANAGED = { 'app.kubernetes.io/managed-by': 'cdk8s-sandbox' };
const GKE_TOLERATION = { key: 'sandbox.gke.io/runtime', operator: 'Equal', value: 'gvisor', effect: 'NoSchedule' };

/** A chart `c` with the SandboxNamespace `sandbox-runs` (quota as given). */
function setup(chartNamespace?: string, quota?: Json): { chart: Chart; ns: SandboxNamespace } {
  const chart = new Chart(Testing.app(), 'c', chartNamespace ? { namespace: chartNamespace } : {});
  const ns = new SandboxNamespace(chart, 'sandbox-runs', quota ? { quota } : {});
  return { chart, ns };
}

const objectsOf = (q: SandboxQueue): Json[] => [q.resourceFlavor, q.clusterQueue, q.localQueue].map((o) => o.toJson());

/** The ClusterQueue's nominal quotas, by resource. */
const nominalOf = (clusterQueue: Json) => Object.fromEntries(clusterQueue.spec.resourceGroups[0].flavors[0].resources.map((r: Json) => [r.name, r.nominalQuota]));

describe('defaults', () => {
  test('created in a SandboxNamespace: a GKE Sandbox flavor, a ClusterQueue for that namespace with its ResourceQuota, a LocalQueue in it', () => {
    const { ns } = setup();
    const queue = new SandboxQueue(ns, 'code-runs');
    expect([queue.queueName, queue.namespace, queue.clusterQueueName, queue.flavorName]).toEqual(['code-runs', 'sandbox-runs', 'sandbox-runs-code-runs', 'sandbox-runs-code-runs-gvisor']);
    expect(objectsOf(queue)).toEqual([
      {
        apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'ResourceFlavor',
        metadata: { name: 'sandbox-runs-code-runs-gvisor', labels: MANAGED },
        spec: { nodeLabels: { 'sandbox.gke.io/runtime': 'gvisor' }, tolerations: [GKE_TOLERATION] },
      },
      {
        apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'ClusterQueue',
        metadata: { name: 'sandbox-runs-code-runs', labels: MANAGED },
        spec: {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'sandbox-runs' } },
          queueingStrategy: 'BestEffortFIFO',
          resourceGroups: [{
            coveredResources: ['cpu', 'memory', 'ephemeral-storage', 'pods'],
            flavors: [{
              name: 'sandbox-runs-code-runs-gvisor',
              resources: [
                { name: 'cpu', nominalQuota: '8' },
                { name: 'memory', nominalQuota: '16Gi' },
                { name: 'ephemeral-storage', nominalQuota: '20Gi' },
                { name: 'pods', nominalQuota: '100' },
              ],
            }],
          }],
          preemption: { reclaimWithinCohort: 'Never', borrowWithinCohort: { policy: 'Never' }, withinClusterQueue: 'Never' },
        },
      },
      {
        apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'LocalQueue',
        metadata: { name: 'code-runs', namespace: 'sandbox-runs', labels: MANAGED },
        spec: { clusterQueue: 'sandbox-runs-code-runs' },
      },
    ]);
  });

  test('given the SandboxNamespace as a prop, outside it: the same objects', () => {
    const inside = setup();
    const outside = setup();
    const a = new SandboxQueue(inside.ns, 'code-runs');
    const b = new SandboxQueue(outside.chart, 'code-runs', { namespace: outside.ns });
    expect(objectsOf(b)).toEqual(objectsOf(a));
    expect(b.namespace).toBe('sandbox-runs');
  });

  test("the quota follows the namespace's own ResourceQuota requests and pods", () => {
    const { ns } = setup(undefined, { requestsCpu: '4', requestsMemory: '8Gi', requestsEphemeralStorage: '10Gi', pods: 20 });
    const queue = new SandboxQueue(ns, 'q');
    expect(nominalOf(queue.clusterQueue.toJson())).toEqual({ 'cpu': '4', 'memory': '8Gi', 'ephemeral-storage': '10Gi', 'pods': '20' });
  });

  test("in a chart with a namespace: ResourceFlavor and ClusterQueue take none, the LocalQueue takes the SandboxNamespace's", () => {
    const { chart, ns } = setup('elsewhere');
    new SandboxQueue(ns, 'q');
    const objects = Testing.synth(chart).filter((o: Json) => o.apiVersion === KUEUE_API_VERSION);
    expect(objects.map((o: Json) => [o.kind, o.metadata.namespace])).toEqual([['ResourceFlavor', undefined], ['ClusterQueue', undefined], ['LocalQueue', 'sandbox-runs']]);
  });
});

const FULL: SandboxQueueProps = {
  name: 'submissions',
  clusterQueueName: 'sandbox.submissions',
  flavorName: 'gvisor-pool',
  platform: SandboxPlatform.SELF_MANAGED,
  nodeLabels: { 'runtime.example.com/gvisor': 'true', 'pool': 'sandbox' },
  tolerations: [{ key: 'runtime.example.com/gvisor', value: 'true', effect: 'NoSchedule' }, { key: 'dedicated' }, { key: 'spot', effect: 'NoExecute' }],
  quota: { cpu: '6500m', memory: '12Gi', ephemeralStorage: '15Gi', pods: 40 },
  queueingStrategy: QueueingStrategy.STRICT_FIFO,
};

describe('every option', () => {
  test('names, self-managed node labels and tolerations, quota and strategy', () => {
    const { ns } = setup();
    const queue = new SandboxQueue(ns, 'queue', FULL);
    expect([queue.queueName, queue.namespace, queue.clusterQueueName, queue.flavorName]).toEqual(['submissions', 'sandbox-runs', 'sandbox.submissions', 'gvisor-pool']);
    const [flavor, clusterQueue, localQueue] = objectsOf(queue);
    expect(flavor).toEqual({
      apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'ResourceFlavor',
      metadata: { name: 'gvisor-pool', labels: MANAGED },
      spec: {
        nodeLabels: { 'runtime.example.com/gvisor': 'true', 'pool': 'sandbox' },
        tolerations: [
          { key: 'runtime.example.com/gvisor', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
          { key: 'dedicated', operator: 'Exists' },
          { key: 'spot', operator: 'Exists', effect: 'NoExecute' },
        ],
      },
    });
    expect(clusterQueue.metadata).toEqual({ name: 'sandbox.submissions', labels: MANAGED });
    expect(clusterQueue.spec.queueingStrategy).toBe('StrictFIFO');
    expect(clusterQueue.spec.resourceGroups[0].flavors[0].name).toBe('gvisor-pool');
    expect(nominalOf(clusterQueue)).toEqual({ 'cpu': '6500m', 'memory': '12Gi', 'ephemeral-storage': '15Gi', 'pods': '40' });
    expect(localQueue).toEqual({
      apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'LocalQueue',
      metadata: { name: 'submissions', namespace: 'sandbox-runs', labels: MANAGED },
      spec: { clusterQueue: 'sandbox.submissions' },
    });
  });

  test.each<[string, SandboxQueueProps, Json, Json[] | undefined]>([
    ['self-managed without tolerations', { platform: SandboxPlatform.SELF_MANAGED, nodeLabels: { pool: 'gvisor' } }, { pool: 'gvisor' }, undefined],
    ['self-managed with an empty toleration list', { platform: SandboxPlatform.SELF_MANAGED, nodeLabels: { pool: 'gvisor' }, tolerations: [] }, { pool: 'gvisor' }, undefined],
    ['GKE given explicitly', { platform: SandboxPlatform.GKE }, { 'sandbox.gke.io/runtime': 'gvisor' }, [GKE_TOLERATION]],
    ['an empty node label value', { platform: SandboxPlatform.SELF_MANAGED, nodeLabels: { 'example.com/gvisor': '' } }, { 'example.com/gvisor': '' }, undefined],
  ])('%s', (_name, props, nodeLabels, tolerations) => {
    const flavor = new SandboxQueue(setup().ns, 'q', props).resourceFlavor.toJson();
    expect(flavor.spec).toEqual({ nodeLabels, ...(tolerations ? { tolerations } : {}) });
  });

  test.each<[string, SandboxQueueProps['quota'], Json]>([
    ['one resource given, the others from the namespace', { cpu: '2' }, { 'cpu': '2', 'memory': '16Gi', 'ephemeral-storage': '20Gi', 'pods': '100' }],
    ["exactly the namespace's ResourceQuota", { cpu: '8000m', memory: '16384Mi', ephemeralStorage: '20Gi', pods: 100 }, { 'cpu': '8000m', 'memory': '16384Mi', 'ephemeral-storage': '20Gi', 'pods': '100' }],
  ])('quota: %s', (_name, quota, nominal) => {
    expect(nominalOf(new SandboxQueue(setup().ns, 'q', { quota }).clusterQueue.toJson())).toEqual(nominal);
  });
});

describe('errors', () => {
  const SELF = { platform: SandboxPlatform.SELF_MANAGED, nodeLabels: { pool: 'gvisor' } };
  const GKE_ONLY = 'GKE Sandbox nodes carry the label and taint sandbox.gke.io/runtime=gvisor(:NoSchedule), which the flavor uses; this setting only applies to SandboxPlatform.SELF_MANAGED';
  const OVER = (field: string, quotaKey: string, bound: string, given: string) => `c/sandbox-runs/q: quota.${field} is ${given}; must not exceed the ResourceQuota ${quotaKey} of namespace "sandbox-runs" (${bound}): Kueue would start Jobs whose pods the ResourceQuota then refuses, and their deadlines would run out waiting`;
  const nineLabels = Object.fromEntries([...Array(9).keys()].map((i) => [`l${i}`, 'v']));
  const rows: [string, SandboxQueueProps, string][] = [
    ['a CPU quota that is no quantity', { quota: { cpu: 'lots' } }, 'c/sandbox-runs/q: quota.cpu is "lots"; must be a Kubernetes quantity; give a positive quantity such as "8"'],
    ['a zero CPU quota', { quota: { cpu: '0' } }, 'c/sandbox-runs/q: quota.cpu is "0"; removing a request or limit is refused: every sandboxed container is bounded; give a positive quantity such as "8"'],
    ['a memory quota in milli-bytes', { quota: { memory: '512m' } }, 'c/sandbox-runs/q: quota.memory is "512m"; must be a whole number of bytes ("512m" is 0.512 bytes; "m" means milli, not mega): use a suffix such as Mi or M, e.g. "16Gi"'],
    ['an ephemeral-storage quota that is no quantity', { quota: { ephemeralStorage: '20 GB' } }, 'c/sandbox-runs/q: quota.ephemeralStorage is "20 GB"; must be a Kubernetes quantity; give a positive quantity such as "20Gi"'],
    ['a pod quota of zero', { quota: { pods: 0 } }, 'c/sandbox-runs/q: quota.pods is 0; must be an integer from 1 to 1000000'],
    ['a fractional pod quota', { quota: { pods: 2.5 } }, 'c/sandbox-runs/q: quota.pods is 2.5; must be an integer from 1 to 1000000'],
    ["a CPU quota over the namespace's", { quota: { cpu: '8001m' } }, OVER('cpu', 'requests.cpu', '8', '"8001m"')],
    ["a memory quota over the namespace's", { quota: { memory: '17Gi' } }, OVER('memory', 'requests.memory', '16Gi', '"17Gi"')],
    ["an ephemeral-storage quota over the namespace's", { quota: { ephemeralStorage: '21Gi' } }, OVER('ephemeralStorage', 'requests.ephemeral-storage', '20Gi', '"21Gi"')],
    ["a pod quota over the namespace's", { quota: { pods: 101 } }, OVER('pods', 'pods', '100', '101')],
    ['self-managed without node labels', { platform: SandboxPlatform.SELF_MANAGED }, 'c/sandbox-runs/q: nodeLabels is unset; name the labels of the gVisor nodes (e.g. {"runtime.example.com/gvisor": "true"}): a flavor without node labels matches every node, so the quota would not be the gVisor nodes\''],
    ['self-managed with empty node labels', { platform: SandboxPlatform.SELF_MANAGED, nodeLabels: {} }, 'c/sandbox-runs/q: nodeLabels is {}; name the labels of the gVisor nodes (e.g. {"runtime.example.com/gvisor": "true"}): a flavor without node labels matches every node, so the quota would not be the gVisor nodes\''],
    ['nine node labels', { platform: SandboxPlatform.SELF_MANAGED, nodeLabels: nineLabels }, `c/sandbox-runs/q: nodeLabels is ${JSON.stringify(nineLabels)}; at most 8 labels (Kueue's limit)`],
    ['a node label key with a space', { platform: SandboxPlatform.SELF_MANAGED, nodeLabels: { 'gvisor pool': 'yes' } },
      'c/sandbox-runs/q: nodeLabels["gvisor pool"] is "gvisor pool"; must be a label key: an optional DNS-subdomain prefix and \'/\', then a name of at most 63 letters, digits, \'-\', \'_\' and \'.\' (e.g. "sandbox.gke.io/runtime")'],
    ['a node label key with an uppercase prefix', { platform: SandboxPlatform.SELF_MANAGED, nodeLabels: { 'Example.com/gvisor': 'true' } },
      'c/sandbox-runs/q: nodeLabels["Example.com/gvisor"] is "Example.com/gvisor"; must be a label key: an optional DNS-subdomain prefix and \'/\', then a name of at most 63 letters, digits, \'-\', \'_\' and \'.\' (e.g. "sandbox.gke.io/runtime")'],
    ['a node label value with a slash', { platform: SandboxPlatform.SELF_MANAGED, nodeLabels: { pool: 'a/b' } },
      'c/sandbox-runs/q: nodeLabels["pool"] is "a/b"; must be a label value: at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit'],
    ['GKE with node labels', { nodeLabels: { pool: 'gvisor' } }, `c/sandbox-runs/q: nodeLabels is {"pool":"gvisor"}; ${GKE_ONLY}`],
    ['GKE with an empty toleration list', { platform: SandboxPlatform.GKE, tolerations: [] }, `c/sandbox-runs/q: tolerations is []; ${GKE_ONLY}`],
    ['an unknown platform', { platform: 'aks' as SandboxPlatform }, 'c/sandbox-runs/q: platform is "aks"; allowed: gke, self-managed'],
    ['a toleration with an empty key', { ...SELF, tolerations: [{ key: 'ok' }, { key: '' }] }, 'c/sandbox-runs/q: tolerations[1].key is ""; a toleration names the taint key'],
    ['a toleration without key', { ...SELF, tolerations: [{ value: 'x' } as any] }, 'c/sandbox-runs/q: tolerations[0].key is unset; a toleration names the taint key'],
    ['a toleration with an unknown effect', { ...SELF, tolerations: [{ key: 'k', effect: 'NoScheduleNow' }] }, 'c/sandbox-runs/q: tolerations[0].effect is "NoScheduleNow"; allowed: NoSchedule, PreferNoSchedule, NoExecute (unset tolerates every effect)'],
    ['a toleration value that is no label value', { ...SELF, tolerations: [{ key: 'k', value: 'a b' }] },
      'c/sandbox-runs/q: tolerations[0].value is "a b"; must be a label value: at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit'],
    ['nine tolerations', { ...SELF, tolerations: [...Array(9).keys()].map((i) => ({ key: `t${i}` })) },
      `c/sandbox-runs/q: tolerations is ${JSON.stringify([...Array(9).keys()].map((i) => ({ key: `t${i}` })))}; at most 8 tolerations (Kueue's limit)`],
    ['a queue name with uppercase', { name: 'Code-Runs' }, 'c/sandbox-runs/q: name is "Code-Runs"; must be a DNS label: at most 63 lowercase letters, digits and \'-\', starting and ending with a letter or digit'],
    ['a queue name with a dot', { name: 'code.runs' }, 'c/sandbox-runs/q: name is "code.runs"; must be a DNS label: at most 63 lowercase letters, digits and \'-\', starting and ending with a letter or digit'],
    ['a ClusterQueue name that is no DNS subdomain', { clusterQueueName: 'Runs!' }, 'c/sandbox-runs/q: clusterQueueName is "Runs!"; must be a DNS subdomain: at most 253 lowercase letters, digits, \'-\' and \'.\''],
    ['an empty flavor name', { flavorName: '' }, 'c/sandbox-runs/q: flavorName is ""; must be a DNS subdomain: at most 253 lowercase letters, digits, \'-\' and \'.\''],
    ['an unknown queueing strategy', { queueingStrategy: 'FIFO' as QueueingStrategy }, 'c/sandbox-runs/q: queueingStrategy is "FIFO"; allowed: BestEffortFIFO, StrictFIFO'],
  ];

  test.each(rows)('%s', (_name, props, message) => {
    const { chart, ns } = setup();
    let error: unknown;
    try {
      new SandboxQueue(ns, 'q', props);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SandboxValidationError);
    expect((error as Error).message).toBe(message);
    expect(Testing.synth(chart).filter((o: Json) => o.apiVersion === KUEUE_API_VERSION)).toEqual([]);
  });

  test('a construct id that is no DNS label, without a name', () => {
    expect(thrown(() => new SandboxQueue(setup().ns, '!!!'))).toBe('c/sandbox-runs/!!!: name is unset; must name a LocalQueue (the queueName of a SandboxQueue): a DNS label of at most 63 lowercase letters, digits and \'-\'');
  });

  test('no SandboxNamespace, given or around', () => {
    const chart = new Chart(Testing.app(), 'c');
    const error = (() => {
      try {
        new SandboxQueue(chart, 'q');
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(SandboxValidationError);
    expect(error!.message).toBe('c/q: namespace is unset; a SandboxQueue queues the Jobs of one SandboxNamespace: pass namespace, or create the queue inside the SandboxNamespace');
  });
});

describe('the fields that queue a Job', () => {
  const site = { where: 'render run-1', prefix: '' };

  test('queuedJobFields: the queue-name label and suspend: true', () => {
    expect(KUEUE_QUEUE_NAME_LABEL).toBe('kueue.x-k8s.io/queue-name');
    expect(queuedJobFields('code-runs')).toEqual({ labels: { 'kueue.x-k8s.io/queue-name': 'code-runs' }, suspend: true });
    const queue = new SandboxQueue(setup().ns, 'code-runs');
    expect(queuedJobFields(queue.queueName).labels).toEqual({ 'kueue.x-k8s.io/queue-name': 'code-runs' });
  });

  test.each(['code-runs', 'q', 'a'.repeat(63)])('checkQueueName accepts %s', (name) => {
    expect(checkQueueName(site, 'queue', name)).toBe(name);
  });

  test.each<[unknown, string]>([
    [undefined, 'render run-1: queue is unset; must name a LocalQueue (the queueName of a SandboxQueue): a DNS label of at most 63 lowercase letters, digits and \'-\''],
    ['', 'render run-1: queue is ""; must name a LocalQueue (the queueName of a SandboxQueue): a DNS label of at most 63 lowercase letters, digits and \'-\''],
    [7, 'render run-1: queue is 7; must name a LocalQueue (the queueName of a SandboxQueue): a DNS label of at most 63 lowercase letters, digits and \'-\''],
    ['Code-Runs', 'render run-1: queue is "Code-Runs"; must be a DNS label: at most 63 lowercase letters, digits and \'-\', starting and ending with a letter or digit'],
    ['a'.repeat(64), `render run-1: queue is "${'a'.repeat(64)}"; must be a DNS label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit`],
    ['runs\n', 'render run-1: queue is "runs\\n"; must be a DNS label: at most 63 lowercase letters, digits and \'-\', starting and ending with a letter or digit'],
  ])('checkQueueName refuses %j', (value, message) => {
    expect(thrown(() => checkQueueName(site, 'queue', value))).toBe(message);
  });

  test("checkJobInQueueNamespace: a Job outside the LocalQueue's namespace is refused", () => {
    expect(() => checkJobInQueueNamespace(site, 'namespace', 'sandbox-runs', 'sandbox-runs')).not.toThrow();
    expect(thrown(() => checkJobInQueueNamespace(site, 'namespace', 'sandbox-runs', 'other'))).toBe(
      'render run-1: namespace is "other"; the queue\'s LocalQueue is in namespace "sandbox-runs"; a Job in another namespace would stay suspended for good: create the Job in "sandbox-runs"');
    expect(thrown(() => checkJobInQueueNamespace(site, 'namespace', 'sandbox-runs', undefined))).toContain('namespace is unset;');
  });

  test('a CodeRunnerJob with the fields is a valid Job the audit passes, and requests only resources the ClusterQueue covers', () => {
    const { chart, ns } = setup();
    const queue = new SandboxQueue(ns, 'code-runs');
    new CodeRunnerJob(ns, 'run', { runId: 'run-1', code: 'print(1)\n' });
    const objects = Testing.synth(chart);
    const job = objects.find((o: Json) => o.kind === 'Job');
    const fields = queuedJobFields(queue.queueName);
    const queued = { ...job, metadata: { ...job.metadata, labels: { ...job.metadata.labels, ...fields.labels } }, spec: { ...job.spec, suspend: fields.suspend } };
    expect(queued.metadata.namespace).toBe(queue.namespace);
    expect(kubernetesProblems([queued])).toEqual([]);
    const result = auditObjects(objects.map((o: Json) => (o === job ? queued : o)));
    expect(result.findings).toEqual([]);
    expect(result.exitCode).toBe(0);
    // Kueue leaves a workload that requests a resource its ClusterQueue does not cover pending for good.
    const pod = queued.spec.template.spec;
    const requested = new Set<string>(['pods', ...[...(pod.initContainers ?? []), ...pod.containers].flatMap((c: Json) => Object.keys(c.resources?.requests ?? {}))]);
    const covered = queue.clusterQueue.toJson().spec.resourceGroups[0].coveredResources;
    expect([...requested].filter((r) => !covered.includes(r))).toEqual([]);
    expect([...requested].sort()).toEqual(['cpu', 'ephemeral-storage', 'memory', 'pods']);
  });
});

describe("Kueue's CRD schemas", () => {
  test('the vendored CRDs are the v1beta2 ResourceFlavor, ClusterQueue and LocalQueue, and README.md names their source', () => {
    expect([...kueueCrds().entries()].map(([key, c]) => [key, c.namespaced])).toEqual([
      ['kueue.x-k8s.io/v1beta2 ClusterQueue', false],
      ['kueue.x-k8s.io/v1beta2 LocalQueue', true],
      ['kueue.x-k8s.io/v1beta2 ResourceFlavor', false],
    ]);
    const readme = fs.readFileSync(path.join(KUEUE_CRD_DIR, 'README.md'), 'utf8');
    for (const needed of ['https://github.com/kubernetes-sigs/kueue', '01ed66fdddfa757b45d1e9126c34218183ca80fd', 'Apache-2.0',
      'config/components/crd/bases/kueue.x-k8s.io_resourceflavors.yaml', 'config/components/crd/bases/kueue.x-k8s.io_clusterqueues.yaml',
      'config/components/crd/bases/kueue.x-k8s.io_localqueues.yaml']) {
      expect(readme).toContain(needed);
    }
    for (const file of ['resourceflavors', 'clusterqueues', 'localqueues']) {
      expect(fs.readFileSync(path.join(KUEUE_CRD_DIR, `${file}.v1beta2.yaml`), 'utf8')).toContain('commit 01ed66fdddfa757b45d1e9126c34218183ca80fd');
    }
  });

  test('the objects with the defaults and with every option are valid', () => {
    const objects = [
      ...objectsOf(new SandboxQueue(setup().ns, 'code-runs')),
      ...objectsOf(new SandboxQueue(setup().ns, 'q', FULL)),
      ...objectsOf(new SandboxQueue(setup().ns, 'q', { platform: SandboxPlatform.SELF_MANAGED, nodeLabels: { pool: 'gvisor' } })),
    ] as KueueJson[];
    expect(objects.map((o) => o.kind)).toEqual(['ResourceFlavor', 'ClusterQueue', 'LocalQueue', 'ResourceFlavor', 'ClusterQueue', 'LocalQueue', 'ResourceFlavor', 'ClusterQueue', 'LocalQueue']);
    expect(kueueProblems(objects)).toEqual([]);
  });

  /** The default objects, one of them changed by `edit`. */
  function edited(kind: string, edit: (o: Json) => void): KueueJson {
    const obj = JSON.parse(JSON.stringify(objectsOf(new SandboxQueue(setup().ns, 'code-runs')).find((o) => o.kind === kind)));
    edit(obj);
    return obj;
  }
  const resources = (o: Json) => o.spec.resourceGroups[0].flavors[0].resources;

  test.each<[string, string, (o: Json) => void, string[]]>([
    ['the deprecated v1beta1 API version', 'ClusterQueue', (o) => { o.apiVersion = 'kueue.x-k8s.io/v1beta1'; },
      ['apiVersion: "kueue.x-k8s.io/v1beta1" is not served by the vendored CRD of ClusterQueue (served: kueue.x-k8s.io/v1beta2)']],
    ['a field name with a typo', 'ResourceFlavor', (o) => { o.spec.nodeLabel = o.spec.nodeLabels; delete o.spec.nodeLabels; },
      ['spec: must NOT have additional properties "nodeLabel"']],
    ['v1beta1\'s cohort field (v1beta2 calls it cohortName)', 'ClusterQueue', (o) => { o.spec.cohort = 'sandboxes'; },
      ['spec: must NOT have additional properties "cohort"']],
    ['an unknown queueing strategy', 'ClusterQueue', (o) => { o.spec.queueingStrategy = 'FIFO'; },
      ['spec.queueingStrategy: must be equal to one of the allowed values ["StrictFIFO","BestEffortFIFO"]']],
    ['a nominal quota that is no quantity', 'ClusterQueue', (o) => { resources(o)[0].nominalQuota = '8 cpus'; },
      ['spec.resourceGroups[0].flavors[0].resources[0].nominalQuota: must match pattern "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$"']],
    ['a resource without nominal quota', 'ClusterQueue', (o) => { delete resources(o)[1].nominalQuota; },
      ['spec.resourceGroups[0].flavors[0].resources[1]: must have required property \'nominalQuota\'']],
    ['a flavor that lists fewer resources than the group covers', 'ClusterQueue', (o) => { resources(o).pop(); },
      ['spec.resourceGroups[0]: Invalid value: flavors must have the same number of resources as the coveredResources']],
    ['a resource listed twice', 'ClusterQueue', (o) => { resources(o)[3] = { name: 'cpu', nominalQuota: '1' }; },
      ['spec.resourceGroups[0].flavors[0].resources[3]: Duplicate value: {"name":"cpu"}']],
    ['a borrowing limit without a cohort', 'ClusterQueue', (o) => { resources(o)[0].borrowingLimit = '1'; },
      ['spec: Invalid value: borrowingLimit must be nil when cohort is empty']],
    ['borrowing preemption while reclaiming never (after defaulting)', 'ClusterQueue', (o) => { o.spec.preemption = { borrowWithinCohort: { policy: 'LowerPriority' } }; },
      ['spec.preemption: Invalid value: reclaimWithinCohort=Never and borrowWithinCohort.Policy!=Never']],
    ['a namespace on the cluster-scoped ClusterQueue', 'ClusterQueue', (o) => { o.metadata.namespace = 'sandbox-runs'; },
      ['metadata.namespace: Forbidden: a ClusterQueue is cluster-scoped']],
    ['nine node labels', 'ResourceFlavor', (o) => { o.spec.nodeLabels = Object.fromEntries([...Array(9).keys()].map((i) => [`l${i}`, 'v'])); },
      ['spec.nodeLabels: must NOT have more than 8 properties']],
    ['a toleration with operator Exists and a value', 'ResourceFlavor', (o) => { o.spec.tolerations[0].operator = 'Exists'; },
      ['spec.tolerations: Invalid value: a value must be empty when \'operator\' is \'Exists\'']],
    ['a toleration with an unknown effect', 'ResourceFlavor', (o) => { o.spec.tolerations[0].effect = 'NoScheduleNow'; },
      ['spec.tolerations: Invalid value: supported taint effect values: \'NoSchedule\', \'PreferNoSchedule\', \'NoExecute\'']],
    ['a LocalQueue without namespace', 'LocalQueue', (o) => { delete o.metadata.namespace; },
      ['metadata.namespace: Required value: a LocalQueue is namespaced']],
    ['a LocalQueue naming a ClusterQueue that is no DNS subdomain', 'LocalQueue', (o) => { o.spec.clusterQueue = 'Sandbox_Runs'; },
      ['spec.clusterQueue: must match pattern "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"']],
    ['an object name that is no DNS subdomain', 'ResourceFlavor', (o) => { o.metadata.name = 'gVisor'; },
      ['metadata.name: Invalid value: "gVisor": must be a DNS subdomain']],
  ])('refuses %s', (_name, kind, edit, problems) => {
    expect(kueueSchemaErrors(edited(kind, edit))).toEqual(problems);
  });
});

describe('the audit and the synth checks', () => {
  /** An app with a SandboxNamespace, its queue and a code run in it. */
  function app(props: SandboxQueueProps = {}): { chart: Chart; queue: SandboxQueue } {
    const { chart, ns } = setup();
    const queue = new SandboxQueue(ns, 'code-runs', props);
    new CodeRunnerJob(ns, 'run', { runId: 'run-1', code: 'print(1)\n' });
    return { chart, queue };
  }

  test.each<[string, SandboxQueueProps]>([['defaults', {}], ['every option', FULL]])('%s: synthesizes, and the audit finds nothing in the objects or the YAML', (_name, props) => {
    const objects = Testing.synth(app(props).chart);
    expect(objects.filter((o: Json) => o.apiVersion === KUEUE_API_VERSION).map((o: Json) => o.kind)).toEqual(['ResourceFlavor', 'ClusterQueue', 'LocalQueue']);
    const fromObjects = auditObjects(objects);
    expect([fromObjects.findings, fromObjects.problems, fromObjects.exitCode]).toEqual([[], [], 0]);
    const fromText = auditText(Yaml.stringify(...objects), { file: 'queue.yaml' });
    expect([fromText.findings, fromText.problems, fromText.exitCode]).toEqual([[], [], 0]);
  });

  test('the synth checks refuse a ClusterQueue patched into a namespace', () => {
    const { chart, queue } = app();
    queue.clusterQueue.addJsonPatch(JsonPatch.add('/metadata/namespace', 'sandbox-runs'));
    expect(thrown(() => Testing.synth(chart))).toContain('[c/sandbox-runs/code-runs/ClusterQueue] ClusterQueue/sandbox-runs-code-runs metadata.namespace is "sandbox-runs"; a ClusterQueue is cluster-scoped and takes no namespace');
  });

  test('the synth checks refuse two queues sharing one flavor name; distinct defaults do not collide', () => {
    const { chart, ns } = setup();
    new SandboxQueue(ns, 'a', { flavorName: 'gvisor' });
    new SandboxQueue(ns, 'b', { flavorName: 'gvisor' });
    new CodeRunnerJob(ns, 'run', { runId: 'run-1', code: 'print(1)\n' });
    expect(thrown(() => Testing.synth(chart))).toContain('[c/sandbox-runs/b/ResourceFlavor] ResourceFlavor gvisor is also defined by [c/sandbox-runs/a/ResourceFlavor]');
    const other = setup();
    new SandboxQueue(other.ns, 'a');
    new SandboxQueue(other.ns, 'b');
    new CodeRunnerJob(other.ns, 'run', { runId: 'run-1', code: 'print(1)\n' });
    expect(Testing.synth(other.chart).filter((o: Json) => o.kind === 'ResourceFlavor').map((o: Json) => o.metadata.name)).toEqual(['sandbox-runs-a-gvisor', 'sandbox-runs-b-gvisor']);
  });
});
