// SandboxedStatefulSet: snapshots with defaults and with every option, literal assertions of the StatefulSet,
// its claim templates, the headless Service, the PodDisruptionBudget and the hardened pod (never the profile
// code), every refusal with the construct path, the field, the value and what is allowed, schema validity, the
// synth guard, the audit (its storage rule judges the claim templates), and violations smuggled in afterwards.
import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import {
  NetworkPeer, PersistentVolumeAccessMode, PersistentVolumeClaimRetention, PodManagementPolicy, Probe, SandboxNamespace, SandboxNetworkPolicy, SandboxRuntimes,
  SandboxVolume, SandboxedDeployment, SandboxedStatefulSet, SandboxedStatefulSetProps, StatefulSetUpdateStrategy, TaintEffect,
} from '../src';
import { auditObjects } from '../src/audit';
import { SandboxValidationError } from '../src/builders/errors';
import { buildSandboxedStatefulSet } from '../src/builders/stateful-set';
import { kubernetesProblems } from './helpers/schema';

const IMAGE = 'registry.example/agent:0.9.2';

/** Every prop of the StatefulSet's own set to a value other than its default, with a few of the shared ones. */
const EVERY_OPTION: SandboxedStatefulSetProps = {
  name: 'agent-sessions',
  namespace: 'agents',
  labels: { team: 'ai' },
  networkPolicyManagedElsewhere: 'policies come from the platform repo',
  replicas: 3,
  serviceName: 'sessions',
  volumeClaimTemplates: [
    { name: 'state', storage: '2Gi', storageClassName: 'premium-rwo', accessModes: [PersistentVolumeAccessMode.READ_WRITE_ONCE_POD] },
    { name: 'cache', storage: '512Mi' },
  ],
  podManagementPolicy: PodManagementPolicy.PARALLEL,
  updateStrategy: StatefulSetUpdateStrategy.rollingUpdate({ partition: 1 }),
  persistentVolumeClaimRetentionPolicy: { whenDeleted: PersistentVolumeClaimRetention.DELETE },
  runtimeClassName: 'gvisor-custom',
  image: IMAGE,
  ports: [{ number: 8080, name: 'http' }],
  readiness: Probe.fromHttpGet('/ready'),
  volumes: [SandboxVolume.fromConfigMap('config', 'agent-config')],
  volumeMounts: [{ volume: 'state', path: '/state' }, { volume: 'config', path: '/etc/agent' }],
  sidecars: [{ name: 'sync', image: 'registry.example/sync:1.0.0', volumeMounts: [{ volume: 'cache', path: '/cache', readOnly: true }] }],
  tolerations: [{ key: 'dedicated', value: 'agents', effect: TaintEffect.NO_SCHEDULE }],
  topologySpreadConstraints: [{ topologyKey: 'topology.kubernetes.io/zone' }],
};

function make(props: SandboxedStatefulSetProps, id = 'sessions'): { chart: Chart; set: SandboxedStatefulSet } {
  const chart = new Chart(Testing.app(), 'chart');
  SandboxRuntimes.allow(chart, 'gvisor-custom', 'test: a gVisor RuntimeClass of a self-managed cluster');
  return { chart, set: new SandboxedStatefulSet(chart, id, props) };
}

function objectsOf(scope: Construct): any[] {
  return scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson());
}

function kindOf(objects: any[], kind: string): any {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
}

const LABELS = { 'app.kubernetes.io/name': 'sessions', 'app.kubernetes.io/managed-by': 'cdk8s-sandbox' };

describe('with defaults', () => {
  const { chart, set } = make({ image: IMAGE });
  const objects = objectsOf(chart);
  const sts = kindOf(objects, 'StatefulSet');
  const pod = sts.spec.template.spec;

  test('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  test('emits a ServiceAccount, the StatefulSet, the headless Service and a PodDisruptionBudget (2 replicas)', () => {
    expect(objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`)).toEqual([
      'v1 ServiceAccount sessions', 'apps/v1 StatefulSet sessions', 'v1 Service sessions', 'policy/v1 PodDisruptionBudget sessions',
    ]);
  });

  test('the StatefulSet\'s own fields', () => {
    const { template, ...spec } = sts.spec;
    expect(spec).toEqual({
      replicas: 2, serviceName: 'sessions', podManagementPolicy: 'OrderedReady', updateStrategy: { type: 'RollingUpdate' },
      selector: { matchLabels: { 'cdk8s-sandbox.io/workload': 'sessions' } },
    });
    expect(template.metadata.labels).toEqual({ ...LABELS, 'cdk8s-sandbox.io/sandboxed': 'true', 'cdk8s-sandbox.io/workload': 'sessions' });
    expect(template.metadata.annotations).toEqual({ 'dev.gvisor.flag.oci-seccomp': 'true', 'dev.gvisor.spec.mount.main-tmp.share': 'pod', 'dev.gvisor.spec.mount.main-tmp.type': 'tmpfs' });
  });

  test('the pod carries every hardening control', () => {
    expect(pod.runtimeClassName).toBe('gvisor');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.serviceAccountName).toBe('sessions');
    expect(pod.restartPolicy).toBeUndefined();
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.volumes).toEqual([{ name: 'main-tmp', emptyDir: { sizeLimit: '64Mi' } }]);
    expect(pod.containers[0].securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534,
      allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
    });
    expect(pod.containers[0].resources).toEqual({
      requests: { 'cpu': '250m', 'memory': '256Mi', 'ephemeral-storage': '64Mi' },
      limits: { 'cpu': '500m', 'memory': '512Mi', 'ephemeral-storage': '256Mi' },
    });
  });

  test('the headless Service selects the pods, without ports when the container has none', () => {
    expect(kindOf(objects, 'Service')).toEqual({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'sessions', labels: LABELS },
      spec: { clusterIP: 'None', selector: { 'cdk8s-sandbox.io/workload': 'sessions' } },
    });
  });

  test('the PodDisruptionBudget keeps all but one pod', () => {
    expect(kindOf(objects, 'PodDisruptionBudget').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'cdk8s-sandbox.io/workload': 'sessions' } } });
  });

  test('the ServiceAccount mounts no token', () => {
    expect(kindOf(objects, 'ServiceAccount')).toEqual({ apiVersion: 'v1', kind: 'ServiceAccount', automountServiceAccountToken: false, metadata: { name: 'sessions', labels: LABELS } });
  });

  test('exposes its name, labels, runtime class, service name and objects', () => {
    expect(set.name).toBe('sessions');
    expect(set.namespace).toBeUndefined();
    expect(set.runtimeClassName).toBe('gvisor');
    expect(set.serviceName).toBe('sessions');
    expect(set.selectorLabels).toEqual({ 'cdk8s-sandbox.io/workload': 'sessions' });
    expect(set.podLabels['cdk8s-sandbox.io/sandboxed']).toBe('true');
    expect([set.statefulSet.kind, set.serviceAccount.kind, set.service?.kind, set.podDisruptionBudget?.kind]).toEqual(['StatefulSet', 'ServiceAccount', 'Service', 'PodDisruptionBudget']);
  });

  test('every object is valid Kubernetes with no unknown fields', () => {
    expect(kubernetesProblems(objects)).toEqual([]);
  });

  test('the construct has nothing to report (the app-wide checks run in a SandboxNamespace below)', () => {
    expect(set.node.validate()).toEqual([]);
  });
});

describe('with every option', () => {
  const { chart, set } = make(EVERY_OPTION);
  const objects = objectsOf(chart);
  const sts = kindOf(objects, 'StatefulSet');
  const pod = sts.spec.template.spec;
  const labels = { 'team': 'ai', 'app.kubernetes.io/name': 'agent-sessions', 'app.kubernetes.io/managed-by': 'cdk8s-sandbox' };

  test('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  test('the StatefulSet\'s own fields', () => {
    const { template, volumeClaimTemplates, ...spec } = sts.spec;
    expect(spec).toEqual({
      replicas: 3, serviceName: 'sessions', podManagementPolicy: 'Parallel', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
      selector: { matchLabels: { 'cdk8s-sandbox.io/workload': 'agent-sessions' } },
    });
  });

  test('a claim per pod for each template, sized, with its class and access modes', () => {
    expect(sts.spec.volumeClaimTemplates).toEqual([
      { metadata: { name: 'state', labels }, spec: { accessModes: ['ReadWriteOncePod'], resources: { requests: { storage: '2Gi' } }, storageClassName: 'premium-rwo' } },
      { metadata: { name: 'cache', labels }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '512Mi' } } } },
    ]);
  });

  test('the containers mount the claims by name; the pod lists no volume for them', () => {
    expect(pod.containers[0].volumeMounts).toEqual([
      { name: 'main-tmp', mountPath: '/tmp' }, { name: 'state', mountPath: '/state' }, { name: 'config', mountPath: '/etc/agent', readOnly: true },
    ]);
    expect(pod.containers[1].volumeMounts).toEqual([{ name: 'sync-tmp', mountPath: '/tmp' }, { name: 'cache', mountPath: '/cache', readOnly: true }]);
    expect(pod.volumes.map((v: any) => v.name)).toEqual(['config', 'main-tmp', 'sync-tmp']);
  });

  test('the headless Service has the given name and the main container\'s ports', () => {
    expect(kindOf(objects, 'Service')).toEqual({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'sessions', namespace: 'agents', labels },
      spec: { clusterIP: 'None', selector: { 'cdk8s-sandbox.io/workload': 'agent-sessions' }, ports: [{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }] },
    });
  });

  test('namespace, labels, the opt-out and the knobs', () => {
    expect(objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'ServiceAccount agents/agent-sessions', 'StatefulSet agents/agent-sessions', 'Service agents/sessions', 'PodDisruptionBudget agents/agent-sessions',
    ]);
    expect(sts.metadata.annotations).toEqual({ 'cdk8s-sandbox.io/suppress': 'network-isolation: policies come from the platform repo' });
    expect(pod.runtimeClassName).toBe('gvisor-custom');
    expect(pod.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'agents', effect: 'NoSchedule' }]);
    expect(pod.topologySpreadConstraints).toEqual([{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { 'cdk8s-sandbox.io/workload': 'agent-sessions' } } }]);
  });

  test('every object is valid Kubernetes with no unknown fields', () => {
    expect(kubernetesProblems(objects)).toEqual([]);
  });

  test('the whole app synthesizes: the opt-out satisfies the isolation check', () => {
    expect(set.node.validate()).toEqual([]);
    expect(Testing.synth(chart)).toEqual(objects);
  });
});

describe('other shapes', () => {
  test('one replica gets no PodDisruptionBudget; headlessService false, no Service', () => {
    const { chart, set } = make({ image: IMAGE, replicas: 1, headlessService: false, serviceName: 'existing' });
    expect(objectsOf(chart).map((o) => o.kind)).toEqual(['ServiceAccount', 'StatefulSet']);
    expect(kindOf(objectsOf(chart), 'StatefulSet').spec.serviceName).toBe('existing');
    expect(set.podDisruptionBudget).toBeUndefined();
    expect(set.service).toBeUndefined();
  });

  test('OnDelete and a retention policy that keeps claims on deletion but drops them on scale-down', () => {
    const { chart } = make({ image: IMAGE, updateStrategy: StatefulSetUpdateStrategy.onDelete(), persistentVolumeClaimRetentionPolicy: { whenScaled: PersistentVolumeClaimRetention.DELETE } });
    const spec = kindOf(objectsOf(chart), 'StatefulSet').spec;
    expect(spec.updateStrategy).toEqual({ type: 'OnDelete' });
    expect(spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Delete' });
    expect(kubernetesProblems(objectsOf(chart))).toEqual([]);
  });

  test('a long construct id is cut to the 52 characters a StatefulSet name may have', () => {
    const { set } = make({ image: IMAGE }, `Agent_${'s'.repeat(60)}`);
    expect(set.name).toBe(`agent-${'s'.repeat(46)}`);
  });

  test('the construct emits exactly what the pure builder returns', () => {
    for (const props of [{ image: IMAGE }, EVERY_OPTION]) {
      expect(objectsOf(make(props).chart)).toEqual(buildSandboxedStatefulSet('chart/sessions', props, 'sessions').objects);
    }
  });
});

describe('in a SandboxNamespace, selected by a policy', () => {
  const chart = new Chart(Testing.app(), 'chart');
  const ns = new SandboxNamespace(chart, 'agents');
  const set = new SandboxedStatefulSet(ns, 'sessions', {
    image: IMAGE, ports: [{ number: 8080 }],
    volumeClaimTemplates: [{ name: 'state', storage: '1Gi', storageClassName: 'standard-rwo' }],
    volumeMounts: [{ volume: 'state', path: '/state' }],
  });
  const gateway = new SandboxedDeployment(ns, 'gateway', { image: 'registry.example/gateway:1.0.0' });
  new SandboxNetworkPolicy(ns, 'sessions-network', { selects: [set], ingress: [{ peers: [NetworkPeer.workload(gateway)], ports: [{ port: 8080 }] }] });
  new SandboxNetworkPolicy(ns, 'gateway-network', { selects: [gateway], egress: [{ peers: [NetworkPeer.workload(set)], ports: [{ port: 8080 }] }] });
  const objects = Testing.synth(chart);

  test('lands in the namespace; selects and NetworkPeer.workload take it by its selector labels', () => {
    expect(set.namespace).toBe('agents');
    expect(kindOf(objects, 'StatefulSet').metadata.namespace).toBe('agents');
    const own = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name.startsWith('sessions-network'))!;
    expect(own.spec.podSelector).toEqual({ matchLabels: { 'cdk8s-sandbox.io/workload': 'sessions' } });
    const gatewayPolicy = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name.startsWith('gateway-network'))!;
    expect(gatewayPolicy.spec.egress[0].to).toEqual([{ podSelector: { matchLabels: { 'cdk8s-sandbox.io/workload': 'sessions' } } }]);
  });

  test('the audit finds nothing', () => {
    expect(auditObjects(objects).findings).toEqual([]);
  });

  test('the audit\'s storage rule judges the claim templates: a hostPath PersistentVolume of their class is flagged', () => {
    const hostPv = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'node-disk' }, spec: { storageClassName: 'standard-rwo', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/mnt/disk' } } };
    const findings = auditObjects([...objects, hostPv]).findings.map((f) => `${f.rule} ${f.object.kind}/${f.object.name} ${f.path}`);
    expect(findings).toEqual(['no-host-storage StatefulSet/sessions spec.volumeClaimTemplates[0]']);
  });

  test('without the PodDisruptionBudget the audit flags the replicated StatefulSet', () => {
    const withoutBudget = objects.filter((o) => !(o.kind === 'PodDisruptionBudget' && o.metadata.name === 'sessions'));
    expect(auditObjects(withoutBudget).findings.map((f) => `${f.rule} ${f.object.kind}/${f.object.name}`)).toEqual(['availability StatefulSet/sessions']);
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

const mounted = (...names: string[]) => ({ volumeMounts: names.map((n, i) => ({ volume: n, path: `/v${i}` })) });

const BAD_INPUTS: [string, Partial<SandboxedStatefulSetProps>, string, string, string][] = [
  ['replicas 0', { replicas: 0 }, 'replicas', '0', 'must be an integer from 1 to 10000'],
  ['a service name that is no DNS label', { serviceName: 'Sessions' }, 'serviceName', '"Sessions"', 'must be a DNS label'],
  ['a service name starting with a digit', { serviceName: '1sessions' }, 'serviceName', '"1sessions"', 'is a DNS-1035 label: it must start with a lowercase letter'],
  ['a name starting with a digit, used as service name', { name: '1st' }, 'name', '"1st"', 'is a DNS-1035 label: it must start with a lowercase letter'],
  ['headlessService that is no boolean', { headlessService: 'yes' as unknown as boolean }, 'headlessService', '"yes"', 'must be true or false'],
  ['an unknown pod management policy', { podManagementPolicy: 'Random' as PodManagementPolicy }, 'podManagementPolicy', '"Random"', 'allowed: PodManagementPolicy.ORDERED_READY ("OrderedReady"), PodManagementPolicy.PARALLEL ("Parallel")'],
  ['an update strategy as a plain object', { updateStrategy: { type: 'RollingUpdate' } as unknown as StatefulSetUpdateStrategy }, 'updateStrategy', '{"type":"RollingUpdate"}', 'must be StatefulSetUpdateStrategy.rollingUpdate(...) or StatefulSetUpdateStrategy.onDelete()'],
  ['a negative partition', { updateStrategy: StatefulSetUpdateStrategy.rollingUpdate({ partition: -1 }) }, 'updateStrategy.partition', '-1', 'must be an integer from 0 to 10000'],
  ['an unknown retention', { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Archive' as PersistentVolumeClaimRetention } }, 'persistentVolumeClaimRetentionPolicy.whenDeleted', '"Archive"', 'allowed: PersistentVolumeClaimRetention.RETAIN ("Retain"), PersistentVolumeClaimRetention.DELETE ("Delete")'],
  ['a claim template name that is no DNS label', { volumeClaimTemplates: [{ name: 'State', storage: '1Gi' }] }, 'volumeClaimTemplates[0].name', '"State"', 'must be a DNS label'],
  ['a claim template without a size', { volumeClaimTemplates: [{ name: 'state' } as any], ...mounted('state') }, 'volumeClaimTemplates[0].storage', 'unset', 'give the size of each claim, e.g. "1Gi"'],
  ['a claim size in milli-bytes', { volumeClaimTemplates: [{ name: 'state', storage: '1024m' }], ...mounted('state') }, 'volumeClaimTemplates[0].storage', '"1024m"', 'must be a whole number of bytes'],
  ['a zero claim size', { volumeClaimTemplates: [{ name: 'state', storage: '0' }], ...mounted('state') }, 'volumeClaimTemplates[0].storage', '"0"', 'give a positive quantity such as "1Gi"'],
  ['an empty storage class', { volumeClaimTemplates: [{ name: 'state', storage: '1Gi', storageClassName: '' }], ...mounted('state') }, 'volumeClaimTemplates[0].storageClassName', '""', 'an empty class binds the claims only to pre-created PersistentVolumes without a class, which may be the node\'s own disk'],
  ['the local-path storage class', { volumeClaimTemplates: [{ name: 'state', storage: '1Gi', storageClassName: 'local-path' }], ...mounted('state') }, 'volumeClaimTemplates[0].storageClassName', '"local-path"', 'is the usual name of a class whose volumes are the node\'s own disk'],
  ['the local-storage storage class', { volumeClaimTemplates: [{ name: 'state', storage: '1Gi', storageClassName: 'local-storage' }], ...mounted('state') }, 'volumeClaimTemplates[0].storageClassName', '"local-storage"', 'the profile refuses (no-host-storage)'],
  ['a storage class that is no DNS subdomain', { volumeClaimTemplates: [{ name: 'state', storage: '1Gi', storageClassName: 'Fast_SSD' }], ...mounted('state') }, 'volumeClaimTemplates[0].storageClassName', '"Fast_SSD"', 'must be a DNS subdomain'],
  ['no access modes', { volumeClaimTemplates: [{ name: 'state', storage: '1Gi', accessModes: [] }], ...mounted('state') }, 'volumeClaimTemplates[0].accessModes', '[]', 'give at least one access mode'],
  ['an access mode twice', { volumeClaimTemplates: [{ name: 'state', storage: '1Gi', accessModes: [PersistentVolumeAccessMode.READ_WRITE_ONCE, PersistentVolumeAccessMode.READ_WRITE_ONCE] }], ...mounted('state') }, 'volumeClaimTemplates[0].accessModes', '["ReadWriteOnce","ReadWriteOnce"]', 'each access mode is listed once'],
  ['an unknown access mode', { volumeClaimTemplates: [{ name: 'state', storage: '1Gi', accessModes: ['RWO' as PersistentVolumeAccessMode] }], ...mounted('state') }, 'volumeClaimTemplates[0].accessModes[0]', '"RWO"', 'allowed: PersistentVolumeAccessMode.READ_WRITE_ONCE ("ReadWriteOnce")'],
  ['two claim templates with one name', { volumeClaimTemplates: [{ name: 'state', storage: '1Gi' }, { name: 'state', storage: '2Gi' }], ...mounted('state') }, 'volumeClaimTemplates[1].name', '"state"', 'claim template names must be unique'],
  ['a claim template named like a volume', { volumes: [SandboxVolume.fromConfigMap('state', 'c')], volumeClaimTemplates: [{ name: 'state', storage: '1Gi' }], ...mounted('state') }, 'volumeClaimTemplates[0].name', '"state"', 'a volume of the pod (volumes) has the same name'],
  ['a claim template named like a writable path\'s volume', { volumeClaimTemplates: [{ name: 'main-tmp', storage: '1Gi' }], volumeMounts: [{ volume: 'main-tmp', path: '/data' }] }, 'volumeClaimTemplates[0].name', '"main-tmp"', 'collides with the generated volume "main-tmp" of a writable path'],
  ['a claim template no container mounts', { volumeClaimTemplates: [{ name: 'state', storage: '1Gi' }] }, 'volumeClaimTemplates[0].name', '"state"', 'no container mounts it: add { volume: \'state\', path: \'/data\' } to volumeMounts'],
  ['a mount of a volume that is neither', { volumeMounts: [{ volume: 'state', path: '/state' }] }, 'volumeMounts[0].volume', '"state"', 'must name one of the workload\'s volumes'],
  ['a name over 52 characters', { name: 'a'.repeat(53) }, 'name', `"${'a'.repeat(53)}"`, 'must be a DNS label: at most 52'],
  ['a hostPath volume', { volumes: [SandboxVolume.fromRaw('host', { hostPath: { path: '/var/lib' } })] }, 'volumes[0].type', '"hostPath"', 'hostPath is never allowed'],
  ['a privileged container', { securityContext: { privileged: true } }, 'securityContext.privileged', 'true', 'only false is allowed'],
  ['a nodeSelector away from gVisor', { nodeSelector: { 'sandbox.gke.io/runtime': 'none' } }, 'nodeSelector["sandbox.gke.io/runtime"]', '"none"', 'allowed: "gvisor"'],
];

describe('bad input is refused with the construct path, the field, the value and what is allowed', () => {
  test.each(BAD_INPUTS)('%s', (_what, props, fieldName, givenText, allowed) => {
    const err = refusal(() => make({ image: IMAGE, ...props }));
    expect(err.where).toBe('chart/sessions');
    expect(err.field).toBe(fieldName);
    expect(err.message.startsWith(`chart/sessions: ${fieldName} is ${givenText}; `)).toBe(true);
    expect(err.message).toContain(allowed);
  });
});

describe('a violation smuggled in after construction fails synthesis', () => {
  const SMUGGLED: [string, JsonPatch, RegExp][] = [
    ['hostNetwork', JsonPatch.add('/spec/template/spec/hostNetwork', true), /\[no-host-namespaces\] StatefulSet\/sessions spec\.template\.spec\.hostNetwork/],
    ['no runtime class', JsonPatch.remove('/spec/template/spec/runtimeClassName'), /\[runtime-class\] StatefulSet\/sessions spec\.template\.spec\.runtimeClassName: runtimeClassName is unset/],
    ['a token', JsonPatch.replace('/spec/template/spec/automountServiceAccountToken', true), /\[no-service-account-token\] StatefulSet\/sessions/],
  ];
  test.each(SMUGGLED)('%s', (_what, patch, detail) => {
    const { chart, set } = make({ image: IMAGE, networkPolicyManagedElsewhere: 'not under test' });
    set.statefulSet.addJsonPatch(patch);
    expect(() => Testing.synth(chart)).toThrow('[chart/sessions] ');
    expect(() => Testing.synth(chart)).toThrow(detail);
  });
});
