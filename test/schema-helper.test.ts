// Tests of test/helpers/schema.ts: it accepts valid objects of every built-in kind the library emits,
// and catches unknown fields (typos) and wrong types with the JSON path of the offending field.
import { KubeJson, kubernetesProblems, schemaErrors, unknownFields } from './helpers/schema';

const meta = { name: 'x', namespace: 'sandbox', labels: { 'app.kubernetes.io/name': 'x' }, annotations: { 'example.com/note': 'y' } };
const podSpec = {
  runtimeClassName: 'gvisor',
  securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [{
    name: 'main',
    image: 'app:1.0.0',
    ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
    resources: { limits: { 'cpu': '1', 'memory': '1Gi', 'ephemeral-storage': '256Mi' }, requests: { cpu: '500m', memory: '512Mi' } },
    readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 5 },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  }],
  volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
};

/** One valid object of every kind the library's constructs emit. */
const VALID: KubeJson[] = [
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta, spec: { replicas: 2, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: podSpec } } },
  { apiVersion: 'v1', kind: 'Service', metadata: meta, spec: { type: 'ClusterIP', selector: { a: 'b' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] } },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta, spec: { maxUnavailable: 1, selector: { matchLabels: { a: 'b' } } } },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta, automountServiceAccountToken: false },
  { apiVersion: 'batch/v1', kind: 'Job', metadata: meta, spec: { backoffLimit: 0, activeDeadlineSeconds: 30, ttlSecondsAfterFinished: 300, template: { spec: { ...podSpec, restartPolicy: 'Never' } } } },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: { 'main.py': 'print(1)' } },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta, spec: { podSelector: { matchLabels: { a: 'b' } }, policyTypes: ['Ingress', 'Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ port: 53, protocol: 'UDP' }] }] } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sandbox', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
  { apiVersion: 'v1', kind: 'ResourceQuota', metadata: meta, spec: { hard: { 'requests.cpu': '4', 'limits.memory': '8Gi', 'pods': '20' } } },
  { apiVersion: 'v1', kind: 'LimitRange', metadata: meta, spec: { limits: [{ type: 'Container', default: { cpu: '500m' }, defaultRequest: { cpu: '250m' }, max: { memory: '1Gi' } }] } },
  { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'gvisor' }, handler: 'runsc', overhead: { podFixed: { memory: '64Mi' } }, scheduling: { nodeSelector: { 'sandbox.gke.io/runtime': 'gvisor' } } },
  { apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: podSpec } } } } },
  { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: podSpec },
];

/** A deep copy of `obj` with `mutate` applied. */
function variant(obj: KubeJson, mutate: (o: any) => void): KubeJson {
  const copy = JSON.parse(JSON.stringify(obj));
  mutate(copy);
  return copy;
}

function valid(kind: string): KubeJson {
  return VALID.find((o) => o.kind === kind)!;
}

describe.each(VALID.map((o) => [`${o.apiVersion} ${o.kind}`, o] as const))('valid %s', (_name, obj) => {
  test('has no schema errors', () => {
    expect(schemaErrors(obj)).toEqual([]);
  });
  test('has no unknown fields', () => {
    expect(unknownFields(obj)).toEqual([]);
  });
});

describe('unknownFields', () => {
  test.each([
    ['a typo in the pod spec', 'Deployment', (o: any) => { o.spec.template.spec.runtimeClasName = 'gvisor'; }, 'spec.template.spec.runtimeClasName'],
    ['a typo in a container security context', 'Deployment', (o: any) => { o.spec.template.spec.containers[0].securityContext = { readOnlyRootFileSystem: true }; }, 'spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem'],
    ['a typo at the top level', 'ServiceAccount', (o: any) => { o.automountServiceAcountToken = false; }, 'automountServiceAcountToken'],
    ['a typo in metadata', 'ConfigMap', (o: any) => { o.metadata.label = { a: 'b' }; }, 'metadata.label'],
    ['a typo in a Job spec', 'Job', (o: any) => { o.spec.ttlSecondAfterFinished = 300; }, 'spec.ttlSecondAfterFinished'],
    ['a typo in a CronJob pod template', 'CronJob', (o: any) => { o.spec.jobTemplate.spec.template.spec.hostNetwrok = true; }, 'spec.jobTemplate.spec.template.spec.hostNetwrok'],
    ['a typo in a NetworkPolicy peer', 'NetworkPolicy', (o: any) => { o.spec.egress[0].to[0].namespaceSelecter = {}; }, 'spec.egress[0].to[0].namespaceSelecter'],
    ['a typo in a volume source', 'Pod', (o: any) => { o.spec.volumes[0].emptyDir.sizelimit = '1Gi'; }, 'spec.volumes[0].emptyDir.sizelimit'],
    ['a field of another kind', 'Service', (o: any) => { o.spec.replicas = 2; }, 'spec.replicas'],
    ['a typo in a RuntimeClass', 'RuntimeClass', (o: any) => { o.handlr = 'runsc'; }, 'handlr'],
    ['a typo in a LimitRange item', 'LimitRange', (o: any) => { o.spec.limits[0].defaults = {}; }, 'spec.limits[0].defaults'],
    ['a typo in a Namespace', 'Namespace', (o: any) => { o.spec = { finalizer: [] }; }, 'spec.finalizer'],
  ])('reports %s', (_what, kind, mutate, path) => {
    expect(unknownFields(variant(valid(kind), mutate))).toEqual([path]);
  });

  test('does not report keys of free-form maps (labels, annotations, resources, data)', () => {
    const obj = variant(valid('Deployment'), (o) => {
      o.spec.template.metadata.labels['cdk8s-sandbox.io/sandboxed'] = 'true';
      o.spec.template.spec.nodeSelector = { 'sandbox.gke.io/runtime': 'gvisor' };
    });
    expect(unknownFields(obj)).toEqual([]);
  });

  test('reports every unknown field', () => {
    const obj = variant(valid('Deployment'), (o) => {
      o.spec.replica = 2;
      o.spec.template.spec.containers[0].imagePullPolice = 'Always';
    });
    expect(unknownFields(obj).sort()).toEqual(['spec.replica', 'spec.template.spec.containers[0].imagePullPolice']);
  });

  test('throws for a kind it has no model of', () => {
    expect(() => unknownFields({ apiVersion: 'example.com/v1', kind: 'Widget' })).toThrow('no Kubernetes model for example.com/v1 Widget');
  });

  test('tells the two Event kinds apart by API group', () => {
    const core = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, involvedObject: {}, reason: 'R' };
    const events = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e' }, eventTime: '2024-01-01T00:00:00.000000Z', regarding: {} };
    expect(unknownFields(core)).toEqual([]);
    expect(unknownFields(events)).toEqual([]);
    expect(unknownFields({ ...core, regarding: {} })).toEqual(['regarding']);
  });
});

describe('schemaErrors', () => {
  test.each([
    ['a string where an integer belongs', 'Deployment', (o: any) => { o.spec.replicas = 'three'; }, 'spec.replicas: must be integer'],
    ['a string where a boolean belongs', 'ServiceAccount', (o: any) => { o.automountServiceAccountToken = 'false'; }, 'automountServiceAccountToken: must be boolean'],
    ['a missing required field', 'Deployment', (o: any) => { delete o.spec.template.spec.containers[0].name; }, 'spec.template.spec.containers[0]: must have required property name'],
    ['an object where a list belongs', 'Deployment', (o: any) => { o.spec.template.spec.containers = { name: 'main' }; }, 'spec.template.spec.containers: must be array'],
    ['a malformed quantity', 'Pod', (o: any) => { o.spec.containers[0].resources.limits.memory = 'lots'; }, 'spec.containers[0].resources.limits.memory: must match format "quantity"'],
    ['a missing Service port number', 'Service', (o: any) => { delete o.spec.ports[0].port; }, 'spec.ports[0]: must have required property port'],
    ['a missing RuntimeClass handler', 'RuntimeClass', (o: any) => { delete o.handler; }, '(root): must have required property handler'],
  ])('reports %s', (_what, kind, mutate, expected) => {
    const errors = schemaErrors(variant(valid(kind), mutate));
    expect(errors.some((e) => e.startsWith(expected))).toBe(true);
    expect(errors.join('\n')).toContain(expected);
  });

  test('accepts the unknown field that unknownFields exists for', () => {
    const obj = variant(valid('Deployment'), (o) => { o.spec.template.spec.runtimeClasName = 'gvisor'; });
    expect(schemaErrors(obj)).toEqual([]);
    expect(unknownFields(obj)).toEqual(['spec.template.spec.runtimeClasName']);
  });

  test('throws for a kind it has no schema of', () => {
    expect(() => schemaErrors({ apiVersion: 'example.com/v1', kind: 'Widget' })).toThrow('no kubernetes-models schema for example.com/v1 Widget');
  });
});

describe('kubernetesProblems', () => {
  test('is empty for valid objects', () => {
    expect(kubernetesProblems(VALID)).toEqual([]);
  });

  test('names the object of each problem', () => {
    const bad = [
      variant(valid('Deployment'), (o) => { o.spec.template.spec.runtimeClasName = 'gvisor'; }),
      variant(valid('ServiceAccount'), (o) => { o.metadata.name = 'sa'; o.automountServiceAccountToken = 'no'; }),
    ];
    expect(kubernetesProblems(bad)).toEqual([
      'Deployment/x spec.template.spec.runtimeClasName: unknown field',
      'ServiceAccount/sa automountServiceAccountToken: must be boolean {"type":"boolean"}',
    ]);
  });
});
