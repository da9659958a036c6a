// SandboxedDeployment: snapshots with defaults and with every option, literal assertions of every
// hardening control (never the profile code), one test per kind of bad input asserting the whole error
// (construct path, field, value given, what is allowed), and violations smuggled in after construction.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { EnvValue, Probe, Protocol, SandboxRuntimes, SandboxVolume, SandboxedDeployment, SandboxedDeploymentProps, SeccompProfileType } from '../src';
import { buildSandboxedDeployment } from '../src/builders/deployment';
import { SandboxValidationError } from '../src/builders/errors';
import { kubernetesProblems } from './helpers/schema';

const IMAGE = 'registry.example/app:1.2.3';
const DIGEST_IMAGE = `registry.example/app@sha256:${'0123456789abcdef'.repeat(4)}`;

/** Every prop set to a value other than its default. */
const EVERY_OPTION: SandboxedDeploymentProps = {
  name: 'web-sandbox',
  namespace: 'sandboxes',
  labels: { 'team': 'platform', 'example.com/tier': 'untrusted' },
  networkPolicyManagedElsewhere: 'policies come from the platform repo',
  replicas: 3,
  service: true,
  runtimeClassName: 'gvisor-custom',
  containerName: 'app',
  image: DIGEST_IMAGE,
  command: ['/app/server'],
  args: ['--port', '8080'],
  workingDir: '/app',
  env: {
    MODE: EnvValue.fromValue('strict'),
    LEVEL: EnvValue.fromConfigMap('settings', 'level', { optional: true }),
    POD_NAME: EnvValue.fromFieldPath('metadata.name'),
    HOME: EnvValue.fromValue('/home/app'),
  },
  ports: [{ number: 8080, name: 'http' }, { number: 9090, protocol: Protocol.UDP }],
  resources: { cpuRequest: '100m', cpuLimit: '2', memoryRequest: '128Mi', memoryLimit: '2Gi', ephemeralStorageRequest: '32Mi', ephemeralStorageLimit: '1Gi' },
  readiness: Probe.fromHttpGet('/ready', { https: true, periodSeconds: 5, successThreshold: 2 }),
  liveness: Probe.fromTcpSocket({ port: 8080, initialDelaySeconds: 10, timeoutSeconds: 2, failureThreshold: 4 }),
  startup: Probe.fromCommand(['/app/check'], { periodSeconds: 1, failureThreshold: 30 }),
  writablePaths: [{ path: '/tmp', sizeLimit: '128Mi' }, { path: '/var/cache/app', inMemory: true }],
  volumes: [
    SandboxVolume.fromConfigMap('config', 'app-config', { defaultMode: 0o440, items: { 'app.yaml': 'conf/app.yaml' } }),
    SandboxVolume.fromSecret('tls', 'app-tls'),
    SandboxVolume.fromEmptyDir('scratch', '1Gi', true),
    SandboxVolume.fromPersistentVolumeClaim('data', 'app-data', true),
    SandboxVolume.fromRaw('podinfo', { downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } }),
  ],
  volumeMounts: [
    { volume: 'config', path: '/etc/app' },
    { volume: 'tls', path: '/etc/tls', subPath: 'certs' },
    { volume: 'scratch', path: '/scratch' },
    { volume: 'data', path: '/data', readOnly: true },
    { volume: 'podinfo', path: '/etc/podinfo' },
  ],
  securityContext: { user: 20000, group: 20001, privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, addCapabilities: ['NET_BIND_SERVICE'] },
  podSecurity: {
    user: 30000, group: 30001, fsGroup: 30002,
    seccompProfile: SeccompProfileType.LOCALHOST, seccompLocalhostProfile: 'profiles/app.json',
    hostNetwork: false, hostPid: false, hostIpc: false,
  },
  terminationGracePeriodSeconds: 15,
  initContainers: [{ name: 'migrate', image: 'registry.example/migrate:2.0.0', command: ['/migrate'], resources: { cpuLimit: '250m' }, writablePaths: [] }],
  sidecars: [{
    name: 'proxy',
    image: 'registry.example/proxy:3.1.4',
    ports: [{ number: 15001, name: 'proxy' }],
    volumeMounts: [{ volume: 'config', path: '/etc/proxy', readOnly: false }],
    securityContext: { user: 40000 },
    readiness: Probe.fromHttpGet('/healthz'),
  }],
};

/** A fresh chart with one SandboxedDeployment `id`. */
function make(props: SandboxedDeploymentProps, id = 'api'): { chart: Chart; deployment: SandboxedDeployment } {
  const chart = new Chart(Testing.app(), 'chart');
  // The tests' own gVisor RuntimeClass (a self-managed cluster's), allowed deliberately.
  SandboxRuntimes.allow(chart, 'gvisor-custom', 'test: a gVisor RuntimeClass of a self-managed cluster');
  return { chart, deployment: new SandboxedDeployment(chart, id, props) };
}

/** The final JSON of every ApiObject under `scope`, in construction order (patches applied). */
function objectsOf(scope: Construct): any[] {
  return scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson());
}

function kindOf(objects: any[], kind: string): any {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
}

/** Literal expectations for the hardening of one container (rows 2-9, 11, 16, 17, 21, 22 of the profile). */
function expectHardenedContainer(container: any, ids: { user: number; group: number }): void {
  expect(container.securityContext).toEqual({
    runAsNonRoot: true,
    runAsUser: ids.user,
    runAsGroup: ids.group,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: expect.objectContaining({ drop: ['ALL'] }),
  });
  for (const add of container.securityContext.capabilities.add ?? []) expect(add).toBe('NET_BIND_SERVICE');
  for (const kind of ['requests', 'limits']) {
    for (const resource of ['cpu', 'memory', 'ephemeral-storage']) {
      expect(typeof container.resources[kind][resource]).toBe('string');
      expect(container.resources[kind][resource]).not.toMatch(/^0*(\.0*)?[a-zA-Z]*$/);
    }
  }
  for (const port of container.ports ?? []) expect(port.hostPort).toBeUndefined();
  expect(container.image).not.toMatch(/:latest$/);
  expect(container.image).toMatch(/:[\w][\w.-]*$|@sha256:[a-f0-9]{64}$/);
  for (const env of container.env ?? []) expect(env.valueFrom?.secretKeyRef).toBeUndefined();
  expect(container.envFrom).toBeUndefined();
}

describe('with defaults', () => {
  const { chart, deployment } = make({ image: IMAGE });
  const objects = objectsOf(chart);

  test('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  test('emits a ServiceAccount, the Deployment and a PodDisruptionBudget (2 replicas), no Service', () => {
    expect(objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`)).toEqual([
      'v1 ServiceAccount api', 'apps/v1 Deployment api', 'policy/v1 PodDisruptionBudget api',
    ]);
  });

  test('the pod carries every hardening control', () => {
    const dep = kindOf(objects, 'Deployment');
    expect(dep.spec.replicas).toBe(2);
    const pod = dep.spec.template.spec;
    expect(pod.runtimeClassName).toBe('gvisor');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.serviceAccountName).toBe('api');
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.hostNetwork).toBeUndefined();
    expect(pod.hostPID).toBeUndefined();
    expect(pod.hostIPC).toBeUndefined();
    expect(pod.initContainers).toBeUndefined();
    expect(pod.containers).toHaveLength(1);
    expect(pod.volumes).toEqual([{ name: 'main-tmp', emptyDir: { sizeLimit: '64Mi' } }]);
    expect(pod.containers[0]).toEqual({
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
    });
  });

  test('selects its pods by a label derived from the name only, and marks them sandboxed', () => {
    const dep = kindOf(objects, 'Deployment');
    expect(dep.spec.selector).toEqual({ matchLabels: { 'cdk8s-sandbox.io/workload': 'api' } });
    expect(dep.spec.template.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'api', 'app.kubernetes.io/managed-by': 'cdk8s-sandbox',
      'cdk8s-sandbox.io/sandboxed': 'true', 'cdk8s-sandbox.io/workload': 'api',
    });
    expect(kindOf(objects, 'PodDisruptionBudget').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'cdk8s-sandbox.io/workload': 'api' } } });
  });

  test('the ServiceAccount mounts no token', () => {
    expect(kindOf(objects, 'ServiceAccount')).toEqual({
      apiVersion: 'v1', kind: 'ServiceAccount', automountServiceAccountToken: false,
      metadata: { name: 'api', labels: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/managed-by': 'cdk8s-sandbox' } },
    });
  });

  test('exposes its name, labels, runtime class and objects', () => {
    expect(deployment.name).toBe('api');
    expect(deployment.namespace).toBeUndefined();
    expect(deployment.runtimeClassName).toBe('gvisor');
    expect(deployment.selectorLabels).toEqual({ 'cdk8s-sandbox.io/workload': 'api' });
    expect(deployment.podLabels['cdk8s-sandbox.io/sandboxed']).toBe('true');
    expect(deployment.deployment.kind).toBe('Deployment');
    expect(deployment.serviceAccount.kind).toBe('ServiceAccount');
    expect(deployment.podDisruptionBudget?.kind).toBe('PodDisruptionBudget');
    expect(deployment.service).toBeUndefined();
  });

  test('every object is valid Kubernetes with no unknown fields', () => {
    expect(kubernetesProblems(objects)).toEqual([]);
  });

  test('the synth-time profile guard has nothing to report', () => {
    expect(deployment.node.validate()).toEqual([]);
  });
});

describe('with every option', () => {
  const { chart, deployment } = make(EVERY_OPTION);
  const objects = objectsOf(chart);
  const dep = kindOf(objects, 'Deployment');
  const pod = dep.spec.template.spec;

  test('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  test('emits a ServiceAccount, the Deployment, a Service and a PodDisruptionBudget in the namespace', () => {
    expect(objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'ServiceAccount sandboxes/web-sandbox', 'Deployment sandboxes/web-sandbox', 'Service sandboxes/web-sandbox', 'PodDisruptionBudget sandboxes/web-sandbox',
    ]);
    for (const obj of objects) {
      expect(obj.metadata.labels).toEqual({
        'team': 'platform', 'example.com/tier': 'untrusted',
        'app.kubernetes.io/name': 'web-sandbox', 'app.kubernetes.io/managed-by': 'cdk8s-sandbox',
      });
    }
  });

  test('the network-isolation opt-out is recorded on the Deployment for the audit', () => {
    expect(dep.metadata.annotations).toEqual({ 'cdk8s-sandbox.io/suppress': 'network-isolation: policies come from the platform repo' });
    for (const obj of objects.filter((o) => o.kind !== 'Deployment')) expect(obj.metadata.annotations).toBeUndefined();
  });

  test('the whole app synthesizes: the opt-out satisfies the app-wide isolation check', () => {
    expect(Testing.synth(chart)).toEqual(objects);
  });

  test('pod-level settings', () => {
    expect(dep.spec.replicas).toBe(3);
    expect(pod.runtimeClassName).toBe('gvisor-custom');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.serviceAccountName).toBe('web-sandbox');
    expect(pod.terminationGracePeriodSeconds).toBe(15);
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 30000, runAsGroup: 30001, fsGroup: 30002,
      seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/app.json' },
    });
    expect(pod.hostNetwork).toBeUndefined();
    expect(pod.hostPID).toBeUndefined();
    expect(pod.hostIPC).toBeUndefined();
  });

  test('containers: init first, then main, then sidecars, each hardened', () => {
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['migrate']);
    expect(pod.containers.map((c: any) => c.name)).toEqual(['app', 'proxy']);
    expectHardenedContainer(pod.initContainers[0], { user: 30000, group: 30001 });
    expectHardenedContainer(pod.containers[0], { user: 20000, group: 20001 });
    expectHardenedContainer(pod.containers[1], { user: 40000, group: 30001 });
    expect(pod.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] });
    expect(pod.containers[1].securityContext.capabilities).toEqual({ drop: ['ALL'] });
  });

  test('main container fields', () => {
    const main = pod.containers[0];
    expect(main.image).toBe(DIGEST_IMAGE);
    expect(main.command).toEqual(['/app/server']);
    expect(main.args).toEqual(['--port', '8080']);
    expect(main.workingDir).toBe('/app');
    expect(main.env).toEqual([
      { name: 'TMPDIR', value: '/tmp' },
      { name: 'MODE', value: 'strict' },
      { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'settings', key: 'level', optional: true } } },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'HOME', value: '/home/app' },
    ]);
    expect(main.ports).toEqual([{ containerPort: 8080, name: 'http', protocol: 'TCP' }, { containerPort: 9090, protocol: 'UDP' }]);
    expect(main.resources).toEqual({
      requests: { 'cpu': '100m', 'memory': '128Mi', 'ephemeral-storage': '32Mi' },
      limits: { 'cpu': '2', 'memory': '2Gi', 'ephemeral-storage': '1Gi' },
    });
    expect(main.readinessProbe).toEqual({ httpGet: { path: '/ready', scheme: 'HTTPS', port: 8080 }, periodSeconds: 5, successThreshold: 2 });
    expect(main.livenessProbe).toEqual({ tcpSocket: { port: 8080 }, initialDelaySeconds: 10, timeoutSeconds: 2, failureThreshold: 4 });
    expect(main.startupProbe).toEqual({ exec: { command: ['/app/check'] }, periodSeconds: 1, failureThreshold: 30 });
    expect(main.volumeMounts).toEqual([
      { name: 'app-tmp', mountPath: '/tmp' },
      { name: 'app-var-cache-app', mountPath: '/var/cache/app' },
      { name: 'config', mountPath: '/etc/app', readOnly: true },
      { name: 'tls', mountPath: '/etc/tls', readOnly: true, subPath: 'certs' },
      { name: 'scratch', mountPath: '/scratch' },
      { name: 'data', mountPath: '/data', readOnly: true },
      { name: 'podinfo', mountPath: '/etc/podinfo', readOnly: true },
    ]);
  });

  test('init and sidecar containers get defaults of their own', () => {
    const [migrate] = pod.initContainers;
    expect(migrate.resources).toEqual({
      requests: { 'cpu': '250m', 'memory': '256Mi', 'ephemeral-storage': '64Mi' },
      limits: { 'cpu': '250m', 'memory': '512Mi', 'ephemeral-storage': '256Mi' },
    });
    expect(migrate.volumeMounts).toBeUndefined();
    expect(migrate.env).toBeUndefined();
    const proxy = pod.containers[1];
    expect(proxy.ports).toEqual([{ containerPort: 15001, name: 'proxy', protocol: 'TCP' }]);
    expect(proxy.readinessProbe).toEqual({ httpGet: { path: '/healthz', port: 15001 } });
    expect(proxy.env).toEqual([{ name: 'HOME', value: '/tmp' }, { name: 'TMPDIR', value: '/tmp' }]);
    expect(proxy.volumeMounts).toEqual([{ name: 'proxy-tmp', mountPath: '/tmp' }, { name: 'config', mountPath: '/etc/proxy' }]);
  });

  test('volumes: the user\'s, then each container\'s writable paths as size-limited emptyDirs', () => {
    expect(pod.volumes).toEqual([
      { name: 'config', configMap: { name: 'app-config', defaultMode: 0o440, items: [{ key: 'app.yaml', path: 'conf/app.yaml' }] } },
      { name: 'tls', secret: { secretName: 'app-tls', defaultMode: 0o444 } },
      { name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } },
      { name: 'data', persistentVolumeClaim: { claimName: 'app-data', readOnly: true } },
      { name: 'podinfo', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
      { name: 'app-tmp', emptyDir: { sizeLimit: '128Mi' } },
      { name: 'app-var-cache-app', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
      { name: 'proxy-tmp', emptyDir: { sizeLimit: '64Mi' } },
    ]);
  });

  test('the Service exposes the main container\'s ports, named', () => {
    expect(kindOf(objects, 'Service').spec).toEqual({
      type: 'ClusterIP',
      selector: { 'cdk8s-sandbox.io/workload': 'web-sandbox' },
      ports: [
        { name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' },
        { name: 'udp-9090', port: 9090, targetPort: 9090, protocol: 'UDP' },
      ],
    });
  });

  test('extra labels reach the pods but never the selector', () => {
    expect(dep.spec.selector).toEqual({ matchLabels: { 'cdk8s-sandbox.io/workload': 'web-sandbox' } });
    expect(dep.spec.template.metadata.labels).toEqual({
      'team': 'platform', 'example.com/tier': 'untrusted',
      'app.kubernetes.io/name': 'web-sandbox', 'app.kubernetes.io/managed-by': 'cdk8s-sandbox',
      'cdk8s-sandbox.io/sandboxed': 'true', 'cdk8s-sandbox.io/workload': 'web-sandbox',
    });
  });

  test('exposes its name, namespace, runtime class and objects', () => {
    expect(deployment.name).toBe('web-sandbox');
    expect(deployment.namespace).toBe('sandboxes');
    expect(deployment.runtimeClassName).toBe('gvisor-custom');
    expect(deployment.service?.kind).toBe('Service');
  });

  test('every object is valid Kubernetes with no unknown fields', () => {
    expect(kubernetesProblems(objects)).toEqual([]);
  });

  test('the synth-time profile guard has nothing to report for the custom RuntimeClass', () => {
    expect(deployment.node.validate()).toEqual([]);
  });
});

describe('other shapes', () => {
  test('one replica gets no PodDisruptionBudget', () => {
    const { chart, deployment } = make({ image: IMAGE, replicas: 1 });
    expect(objectsOf(chart).map((o) => o.kind)).toEqual(['ServiceAccount', 'Deployment']);
    expect(deployment.podDisruptionBudget).toBeUndefined();
  });

  test('a single unnamed port gets a Service port named after protocol and number', () => {
    const { chart } = make({ image: IMAGE, ports: [{ number: 8080 }], service: true });
    expect(kindOf(objectsOf(chart), 'Service').spec.ports).toEqual([{ name: 'tcp-8080', port: 8080, targetPort: 8080, protocol: 'TCP' }]);
  });

  test('the chart\'s namespace applies when none is given', () => {
    const chart = new Chart(Testing.app(), 'chart', { namespace: 'team-a' });
    const deployment = new SandboxedDeployment(chart, 'api', { image: IMAGE });
    expect(deployment.namespace).toBe('team-a');
    expect(objectsOf(chart).map((o) => o.metadata.namespace)).toEqual(['team-a', 'team-a', 'team-a']);
  });

  test('a construct id becomes the name when it is not a DNS label already', () => {
    const { deployment } = make({ image: IMAGE }, 'Untrusted_Workload');
    expect(deployment.name).toBe('untrusted-workload');
  });

  test('no writable paths: no emptyDir and no HOME/TMPDIR', () => {
    const { chart } = make({ image: IMAGE, writablePaths: [] });
    const pod = kindOf(objectsOf(chart), 'Deployment').spec.template.spec;
    expect(pod.volumes).toBeUndefined();
    expect(pod.containers[0].env).toBeUndefined();
    expect(pod.containers[0].volumeMounts).toBeUndefined();
    expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
  });

  test('SandboxVolume.fromRaw keeps its own name even when the source carries one', () => {
    const volume = SandboxVolume.fromRaw('config', { name: 'Other_Name', configMap: { name: 'app-config' } });
    const { chart } = make({ image: IMAGE, volumes: [volume], volumeMounts: [{ volume: 'config', path: '/etc/app' }] });
    const pod = kindOf(objectsOf(chart), 'Deployment').spec.template.spec;
    expect(volume.type).toBe('configMap');
    expect(pod.volumes[0]).toEqual({ name: 'config', configMap: { name: 'app-config' } });
    expect(pod.containers[0].volumeMounts[1]).toEqual({ name: 'config', mountPath: '/etc/app', readOnly: true });
  });

  test('the selector does not depend on where the construct sits in the tree', () => {
    const app = Testing.app();
    const top = new SandboxedDeployment(new Chart(app, 'a'), 'api', { image: IMAGE });
    const nested = new SandboxedDeployment(new Construct(new Chart(app, 'b'), 'deep'), 'api', { image: IMAGE });
    expect(top.deployment.toJson().spec.selector).toEqual(nested.deployment.toJson().spec.selector);
    expect(top.deployment.toJson().spec.template.metadata.labels).toEqual(nested.deployment.toJson().spec.template.metadata.labels);
  });

  test('the construct emits exactly what the pure builder returns', () => {
    for (const props of [{ image: IMAGE }, EVERY_OPTION]) {
      const { chart } = make(props);
      expect(objectsOf(chart)).toEqual(buildSandboxedDeployment('chart/api', props, 'api').objects);
    }
  });

  test('two synths of the same props are identical', () => {
    expect(objectsOf(make(EVERY_OPTION).chart)).toEqual(objectsOf(make(EVERY_OPTION).chart));
  });
});

/** A bad input and the error it must raise: field, value as shown, and (part of) what is allowed. */
interface BadInput {
  readonly props: Partial<SandboxedDeploymentProps>;
  readonly field: string;
  readonly given: string;
  readonly allowed: string;
  readonly id?: string;
}

const hostPathVolume = SandboxVolume.fromRaw('host', { hostPath: { path: '/var/run' } });

const BAD_INPUTS: { [what: string]: BadInput } = {
  'privileged': { props: { securityContext: { privileged: true } }, field: 'securityContext.privileged', given: 'true', allowed: 'only false is allowed: privileged containers escape every sandbox' },
  'privilege escalation': { props: { securityContext: { allowPrivilegeEscalation: true } }, field: 'securityContext.allowPrivilegeEscalation', given: 'true', allowed: 'only false is allowed' },
  'an added capability other than NET_BIND_SERVICE': { props: { securityContext: { addCapabilities: ['NET_BIND_SERVICE', 'SYS_ADMIN'] } }, field: 'securityContext.addCapabilities', given: '["NET_BIND_SERVICE","SYS_ADMIN"]', allowed: 'only NET_BIND_SERVICE may be added back after dropping ALL' },
  'hostNetwork': { props: { podSecurity: { hostNetwork: true } }, field: 'podSecurity.hostNetwork', given: 'true', allowed: 'only false is allowed: sandboxed pods never share host namespaces' },
  'hostPID': { props: { podSecurity: { hostPid: true } }, field: 'podSecurity.hostPid', given: 'true', allowed: 'only false is allowed: sandboxed pods never share host namespaces' },
  'hostIPC': { props: { podSecurity: { hostIpc: true } }, field: 'podSecurity.hostIpc', given: 'true', allowed: 'only false is allowed: sandboxed pods never share host namespaces' },
  'a hostPath volume (fromRaw)': { props: { volumes: [hostPathVolume] }, field: 'volumes[0].type', given: '"hostPath"', allowed: 'allowed volume types: configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret (hostPath is never allowed' },
  'a projected service-account token (fromRaw)': { props: { volumes: [SandboxVolume.fromRaw('token', { projected: { sources: [{ serviceAccountToken: { path: 't' } }] } })] }, field: 'volumes[0].projected.sources', given: '"a serviceAccountToken source"', allowed: 'sandboxed pods never receive a service-account token' },
  'a volume with two sources (fromRaw)': { props: { volumes: [SandboxVolume.fromRaw('two', { configMap: { name: 'a' }, secret: { secretName: 'b' } })] }, field: 'volumes[0].type', given: '"configMap+secret"', allowed: 'allowed volume types:' },
  'an emptyDir without sizeLimit (fromRaw)': { props: { volumes: [SandboxVolume.fromRaw('scratch', { emptyDir: {} })] }, field: 'volumes[0].emptyDir.sizeLimit', given: 'unset', allowed: 'every emptyDir needs a sizeLimit' },
  'a bad volume name': { props: { volumes: [SandboxVolume.fromEmptyDir('Scratch', '1Gi')] }, field: 'volumes[0].name', given: '"Scratch"', allowed: 'must be a DNS label' },
  'duplicate volume names': { props: { volumes: [SandboxVolume.fromEmptyDir('s', '1Gi'), SandboxVolume.fromConfigMap('s', 'c')] }, field: 'volumes[1].name', given: '"s"', allowed: 'volume names must be unique' },
  'a hostPort': { props: { ports: [{ number: 8080, hostPort: 8080 }] }, field: 'ports[0].hostPort', given: '8080', allowed: 'host ports are refused: they bypass NetworkPolicy; expose the port with a Service' },
  'UID 0': { props: { podSecurity: { user: 0 } }, field: 'podSecurity.user', given: '0', allowed: 'UID/GID 0 is root, which sandboxed containers never run as; use an id >= 10000' },
  'a low container UID': { props: { securityContext: { user: 1000 } }, field: 'securityContext.user', given: '1000', allowed: 'must be a numeric id (kube-score and kubesec want ids >= 10000) from 10000 to 2147483647' },
  'a fractional UID': { props: { podSecurity: { user: 10000.5 } }, field: 'podSecurity.user', given: '10000.5', allowed: 'from 10000 to 2147483647' },
  'a low GID': { props: { podSecurity: { group: 999 } }, field: 'podSecurity.group', given: '999', allowed: 'from 10000 to 2147483647' },
  'GID 0 on a container': { props: { securityContext: { group: 0 } }, field: 'securityContext.group', given: '0', allowed: 'UID/GID 0 is root' },
  'a low fsGroup': { props: { podSecurity: { fsGroup: 2000 } }, field: 'podSecurity.fsGroup', given: '2000', allowed: 'from 10000 to 2147483647' },
  'a writable root': { props: { securityContext: { readOnlyRootFilesystem: false } }, field: 'securityContext.readOnlyRootFilesystem', given: 'false', allowed: 'only true is allowed: give directories that must be written as writablePaths' },
  'seccomp Unconfined': { props: { podSecurity: { seccompProfile: SeccompProfileType.UNCONFINED } }, field: 'podSecurity.seccompProfile', given: '"Unconfined"', allowed: 'allowed: RuntimeDefault or Localhost' },
  'Localhost seccomp without a path': { props: { podSecurity: { seccompProfile: SeccompProfileType.LOCALHOST } }, field: 'podSecurity.seccompLocalhostProfile', given: 'unset', allowed: 'a Localhost seccomp profile needs the profile\'s path' },
  'an empty cpu limit': { props: { resources: { cpuLimit: '' } }, field: 'resources.cpuLimit', given: '""', allowed: 'removing a request or limit is refused: every sandboxed container is bounded; give a positive quantity such as "500m"' },
  'a zero memory limit': { props: { resources: { memoryLimit: '0' } }, field: 'resources.memoryLimit', given: '"0"', allowed: 'removing a request or limit is refused' },
  'a zero ephemeral-storage limit': { props: { resources: { ephemeralStorageLimit: '0Gi' } }, field: 'resources.ephemeralStorageLimit', given: '"0Gi"', allowed: 'removing a request or limit is refused' },
  'a zero cpu request': { props: { resources: { cpuRequest: '0m' } }, field: 'resources.cpuRequest', given: '"0m"', allowed: 'removing a request or limit is refused' },
  'a cpu request above its limit': { props: { resources: { cpuRequest: '2', cpuLimit: '1500m' } }, field: 'resources.cpuRequest', given: '"2"', allowed: 'must not exceed cpuLimit (1500m)' },
  'a memory request above the default limit': { props: { resources: { memoryRequest: '1Gi' } }, field: 'resources.memoryRequest', given: '"1Gi"', allowed: 'must not exceed memoryLimit (512Mi)' },
  'a malformed quantity': { props: { resources: { memoryLimit: '1 GB' } }, field: 'resources.memoryLimit', given: '"1 GB"', allowed: 'must be a Kubernetes quantity; give a positive quantity such as "512Mi"' },
  'a malformed writable-path size': { props: { writablePaths: [{ path: '/tmp', sizeLimit: 'big' }] }, field: 'writablePaths[0].sizeLimit', given: '"big"', allowed: 'must be a Kubernetes quantity' },
  'an untagged image': { props: { image: 'registry.example/app' }, field: 'image', given: '"registry.example/app"', allowed: 'must name a version tag other than latest (repo/image:1.2.3) or a digest (repo/image@sha256:<64 hex>)' },
  'a :latest image': { props: { image: 'registry.example/app:latest' }, field: 'image', given: '"registry.example/app:latest"', allowed: 'must name a version tag other than latest' },
  'a registry port but no tag': { props: { image: 'localhost:5000/app' }, field: 'image', given: '"localhost:5000/app"', allowed: 'must name a version tag other than latest' },
  'a malformed digest': { props: { image: 'registry.example/app@sha256:1234' }, field: 'image', given: '"registry.example/app@sha256:1234"', allowed: 'or a digest (repo/image@sha256:<64 hex>)' },
  'an image with white space': { props: { image: 'app:1.0 --privileged' }, field: 'image', given: '"app:1.0 --privileged"', allowed: 'must not contain white space' },
  'a :latest init container image': { props: { initContainers: [{ name: 'init', image: 'busybox:latest' }] }, field: 'initContainers[0].image', given: '"busybox:latest"', allowed: 'must name a version tag other than latest' },
  'a bad name': { props: { name: 'Web_App' }, field: 'name', given: '"Web_App"', allowed: 'must be a DNS label: at most 63 lowercase letters, digits and \'-\', starting and ending with a letter or digit' },
  'a name longer than 63 characters': { props: { name: 'a'.repeat(64) }, field: 'name', given: `"${'a'.repeat(64)}"`, allowed: 'must be a DNS label' },
  'a bad namespace': { props: { namespace: 'Sandboxes' }, field: 'namespace', given: '"Sandboxes"', allowed: 'must be a DNS label' },
  'a bad label key': { props: { labels: { 'bad key': 'x' } }, field: 'labels["bad key"]', given: '"bad key"', allowed: 'label keys are an optional DNS-subdomain prefix and a name of at most 63 characters' },
  'a bad label value': { props: { labels: { team: 'has space' } }, field: 'labels["team"]', given: '"has space"', allowed: 'label values are at most 63 letters, digits' },
  'a reserved label of the library': { props: { labels: { 'cdk8s-sandbox.io/sandboxed': 'false' } }, field: 'labels["cdk8s-sandbox.io/sandboxed"]', given: '"cdk8s-sandbox.io/sandboxed"', allowed: 'the library sets this label itself (reserved: cdk8s-sandbox.io/, app.kubernetes.io/name, app.kubernetes.io/managed-by)' },
  'a reserved app.kubernetes.io label': { props: { labels: { 'app.kubernetes.io/name': 'other' } }, field: 'labels["app.kubernetes.io/name"]', given: '"app.kubernetes.io/name"', allowed: 'the library sets this label itself' },
  'a construct id that cannot become a DNS label': { id: '***', props: {}, field: 'name', given: 'unset', allowed: 'the construct id cannot be turned into a DNS label; give a name of lowercase letters, digits and \'-\'' },
  'a bad runtimeClassName': { props: { runtimeClassName: 'GVisor' }, field: 'runtimeClassName', given: '"GVisor"', allowed: 'must name the gVisor RuntimeClass (a DNS subdomain, default "gvisor"); a pod without it is not sandboxed' },
  'an empty runtimeClassName': { props: { runtimeClassName: '' }, field: 'runtimeClassName', given: '""', allowed: 'a pod without it is not sandboxed' },
  'a bad container name': { props: { containerName: 'Main' }, field: 'containerName', given: '"Main"', allowed: 'must be a DNS label' },
  'a bad sidecar name': { props: { sidecars: [{ name: 'my_proxy', image: IMAGE }] }, field: 'sidecars[0].name', given: '"my_proxy"', allowed: 'must be a DNS label' },
  'a sidecar named like the main container': { props: { sidecars: [{ name: 'main', image: IMAGE }] }, field: 'sidecars[0].name', given: '"main"', allowed: 'container names must be unique in the pod' },
  'a main container named like an init container': { props: { initContainers: [{ name: 'main', image: IMAGE }] }, field: 'containerName', given: '"main"', allowed: 'container names must be unique in the pod' },
  'two sidecars with one name': { props: { sidecars: [{ name: 'proxy', image: IMAGE }, { name: 'proxy', image: IMAGE }] }, field: 'sidecars[1].name', given: '"proxy"', allowed: 'container names must be unique in the pod' },
  'a privileged sidecar': { props: { sidecars: [{ name: 'proxy', image: IMAGE, securityContext: { privileged: true } }] }, field: 'sidecars[0].securityContext.privileged', given: 'true', allowed: 'only false is allowed' },
  'a duplicate port': { props: { ports: [{ number: 8080 }, { number: 8080, protocol: Protocol.TCP }] }, field: 'ports[1].number', given: '8080', allowed: 'port 8080/TCP is listed twice' },
  'a duplicate port name': { props: { ports: [{ number: 8080, name: 'web' }, { number: 8443, name: 'web' }] }, field: 'ports[1].name', given: '"web"', allowed: 'port names must be unique in the container' },
  'port 0': { props: { ports: [{ number: 0 }] }, field: 'ports[0].number', given: '0', allowed: 'must be a port number from 1 to 65535' },
  'port 65536': { props: { ports: [{ number: 65536 }] }, field: 'ports[0].number', given: '65536', allowed: 'must be a port number from 1 to 65535' },
  'a fractional port': { props: { ports: [{ number: 80.5 }] }, field: 'ports[0].number', given: '80.5', allowed: 'must be a port number from 1 to 65535' },
  'a bad port name': { props: { ports: [{ number: 80, name: 'HTTP' }] }, field: 'ports[0].name', given: '"HTTP"', allowed: 'must be an IANA service name' },
  'a bad protocol': { props: { ports: [{ number: 80, protocol: 'HTTP' as unknown as Protocol }] }, field: 'ports[0].protocol', given: '"HTTP"', allowed: 'allowed: TCP, UDP, SCTP' },
  'an unknown volume in a mount': { props: { volumeMounts: [{ volume: 'nope', path: '/data' }] }, field: 'volumeMounts[0].volume', given: '"nope"', allowed: 'must name one of the workload\'s volumes (none defined)' },
  'an unknown volume among defined ones': { props: { volumes: [SandboxVolume.fromConfigMap('config', 'c')], volumeMounts: [{ volume: 'conf', path: '/etc/app' }] }, field: 'volumeMounts[0].volume', given: '"conf"', allowed: 'must name one of the workload\'s volumes (config)' },
  'a mount on a writable path': { props: { volumes: [SandboxVolume.fromConfigMap('config', 'c')], volumeMounts: [{ volume: 'config', path: '/tmp' }] }, field: 'volumeMounts[0].path', given: '"/tmp"', allowed: 'each path may be mounted once' },
  'two writable paths on one path': { props: { writablePaths: [{ path: '/cache' }, { path: '/cache' }] }, field: 'writablePaths[1].path', given: '"/cache"', allowed: 'each path may be mounted once' },
  'a relative mount path': { props: { volumes: [SandboxVolume.fromConfigMap('config', 'c')], volumeMounts: [{ volume: 'config', path: 'etc/app' }] }, field: 'volumeMounts[0].path', given: '"etc/app"', allowed: 'must be an absolute path without ".." segments' },
  'a relative writable path': { props: { writablePaths: [{ path: 'tmp' }] }, field: 'writablePaths[0].path', given: '"tmp"', allowed: 'must be an absolute path without ".." segments' },
  'a ".." writable path': { props: { writablePaths: [{ path: '/tmp/../etc' }] }, field: 'writablePaths[0].path', given: '"/tmp/../etc"', allowed: 'must be an absolute path without ".." segments' },
  'a relative workingDir': { props: { workingDir: 'app' }, field: 'workingDir', given: '"app"', allowed: 'must be an absolute path' },
  'a subPath escaping the volume': { props: { volumes: [SandboxVolume.fromConfigMap('config', 'c')], volumeMounts: [{ volume: 'config', path: '/etc/app', subPath: '../secrets' }] }, field: 'volumeMounts[0].subPath', given: '"../secrets"', allowed: 'must be a relative path without ".." segments' },
  'writable paths whose volume names collide': { props: { writablePaths: [{ path: '/a-b' }, { path: '/a/b' }] }, field: 'writablePaths', given: '"main-a-b"', allowed: 'the generated volume name "main-a-b" collides with a volume of the same name' },
  'writable paths of two containers whose volume names collide': { props: { writablePaths: [{ path: '/proxy-tmp' }], sidecars: [{ name: 'main-proxy', image: IMAGE }] }, field: 'sidecars[0].writablePaths', given: '"main-proxy-tmp"', allowed: 'collides with a volume of the same name' },
  'a writable path named like a volume': { props: { volumes: [SandboxVolume.fromEmptyDir('main-tmp', '1Gi')] }, field: 'writablePaths', given: '"main-tmp"', allowed: 'collides with a volume of the same name' },
  'a tcp probe without a port': { props: { readiness: Probe.fromTcpSocket() }, field: 'readiness', given: '"a network probe"', allowed: 'needs a port: give the probe a port or the container a port' },
  'an http probe without a port': { props: { liveness: Probe.fromHttpGet('/healthz') }, field: 'liveness', given: '"a network probe"', allowed: 'needs a port' },
  'a probe on a bad port': { props: { startup: Probe.fromTcpSocket({ port: 70000 }) }, field: 'startup.port', given: '70000', allowed: 'must be a port number from 1 to 65535' },
  'a service without ports': { props: { service: true }, field: 'service', given: 'true', allowed: 'a Service needs at least one port on the main container (props.ports)' },
  'replicas 0': { props: { replicas: 0 }, field: 'replicas', given: '0', allowed: 'must be an integer from 1 to 10000' },
  'fractional replicas': { props: { replicas: 1.5 }, field: 'replicas', given: '1.5', allowed: 'must be an integer from 1 to 10000' },
  'an env name starting with a digit': { props: { env: { '1BAD': EnvValue.fromValue('x') } }, field: 'env.1BAD', given: '"1BAD"', allowed: 'environment variable names are letters, digits, \'_\', \'-\' and \'.\', not starting with a digit' },
  'an env name with a space': { props: { env: { 'MY VAR': EnvValue.fromValue('x') } }, field: 'env.MY VAR', given: '"MY VAR"', allowed: 'environment variable names are' },
  'an env value that is not an EnvValue': { props: { env: { TOKEN: 'plain' as unknown as EnvValue } }, field: 'env.TOKEN', given: '"plain"', allowed: 'must be an EnvValue (EnvValue.fromValue, fromConfigMap or fromFieldPath)' },
  'an empty network-isolation opt-out reason': { props: { networkPolicyManagedElsewhere: ' ' }, field: 'networkPolicyManagedElsewhere', given: '" "', allowed: 'give the reason on one line' },
  'a multi-line network-isolation opt-out reason': { props: { networkPolicyManagedElsewhere: 'a\nb' }, field: 'networkPolicyManagedElsewhere', given: '"a\\nb"', allowed: 'give the reason on one line' },
  'a negative termination grace period': { props: { terminationGracePeriodSeconds: -1 }, field: 'terminationGracePeriodSeconds', given: '-1', allowed: 'must be an integer from 0 to 3600' },
};

describe('bad input is refused with the construct path, the field, the value and what is allowed', () => {
  test.each(Object.entries(BAD_INPUTS))('%s', (_what, bad) => {
    const id = bad.id ?? 'api';
    const where = `chart/${id}`;
    let error: unknown;
    try {
      make({ image: IMAGE, ...bad.props }, id);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SandboxValidationError);
    const err = error as SandboxValidationError;
    expect(err.where).toBe(where);
    expect(err.field).toBe(bad.field);
    expect(err.message.startsWith(`${where}: ${bad.field} is ${bad.given}; `)).toBe(true);
    expect(err.message).toContain(bad.allowed);
  });

  test('a valid digest is accepted', () => {
    const { chart } = make({ image: DIGEST_IMAGE });
    expect(kindOf(objectsOf(chart), 'Deployment').spec.template.spec.containers[0].image).toBe(DIGEST_IMAGE);
  });

  test('NET_BIND_SERVICE may be added back, with or without the CAP_ prefix', () => {
    for (const cap of ['NET_BIND_SERVICE', 'CAP_NET_BIND_SERVICE']) {
      const { chart } = make({ image: IMAGE, securityContext: { addCapabilities: [cap] } });
      expect(kindOf(objectsOf(chart), 'Deployment').spec.template.spec.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'], add: [cap] });
    }
  });

  test('the same port number on TCP and UDP is accepted', () => {
    const { chart } = make({ image: IMAGE, ports: [{ number: 53 }, { number: 53, protocol: Protocol.UDP }], service: true });
    expect(kindOf(objectsOf(chart), 'Service').spec.ports.map((p: any) => p.name)).toEqual(['tcp-53', 'udp-53']);
  });

  test('the pure builder raises the same error under the name it is given', () => {
    expect(() => buildSandboxedDeployment('render/job-1', { image: IMAGE, name: 'job', replicas: 0 })).toThrow('render/job-1: replicas is 0; must be an integer from 1 to 10000');
  });
});

describe('a violation smuggled in after construction fails synthesis with the rule id and the fix', () => {
  const SMUGGLED: [string, (d: SandboxedDeployment) => void, string, RegExp][] = [
    ['hostNetwork added by a JSON patch', (d) => d.deployment.addJsonPatch(JsonPatch.add('/spec/template/spec/hostNetwork', true)), 'no-host-namespaces',
      /Deployment\/api spec\.template\.spec\.hostNetwork: hostNetwork is true.*Fix: Remove hostNetwork, hostPID and hostIPC/],
    ['runtimeClassName removed', (d) => d.deployment.addJsonPatch(JsonPatch.remove('/spec/template/spec/runtimeClassName')), 'runtime-class',
      /Deployment\/api spec\.template\.spec\.runtimeClassName: runtimeClassName is unset; sandboxed pods must use "gvisor"\. Fix: Set spec\.runtimeClassName to the gVisor RuntimeClass/],
    ['runtimeClassName replaced by runc', (d) => d.deployment.addJsonPatch(JsonPatch.replace('/spec/template/spec/runtimeClassName', 'runc')), 'runtime-class',
      /runtimeClassName is "runc"; sandboxed pods must use "gvisor"\. Fix: /],
    ['a privileged container', (d) => d.deployment.addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/securityContext/privileged', true)), 'not-privileged',
      /Deployment\/api spec\.template\.spec\.containers\[0\]\.securityContext\.privileged: .*Fix: Remove securityContext\.privileged/],
    ['a zeroed cpu limit', (d) => d.deployment.addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/resources/limits/cpu', '0')), 'resource-limits',
      /Deployment\/api spec\.template\.spec\.containers\[0\]\.resources: container "main" does not set limits\.cpu\. Fix: Set resources\.requests and resources\.limits/],
    ['a hostPath volume', (d) => d.deployment.addJsonPatch(JsonPatch.add('/spec/template/spec/volumes/-', { name: 'host', hostPath: { path: '/' } })), 'allowed-volume-types',
      /Deployment\/api spec\.template\.spec\.volumes\[1\]\.hostPath: .*Fix: Use only configMap/],
    ['a token mounted by the ServiceAccount', (d) => d.serviceAccount.addJsonPatch(JsonPatch.replace('/automountServiceAccountToken', true)), 'no-service-account-token',
      /ServiceAccount\/api automountServiceAccountToken: .*Fix: Set automountServiceAccountToken: false/],
    ['a :latest image', (d) => d.deployment.addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/image', 'registry.example/app:latest')), 'image-pinned',
      /uses the mutable tag :latest\. Fix: Name the image with a version tag/],
  ];

  test.each(SMUGGLED)('%s: Testing.synth(chart) throws', (_what, smuggle, rule, detail) => {
    const { chart, deployment } = make({ image: IMAGE });
    smuggle(deployment);
    expect(() => Testing.synth(chart)).toThrow(`[chart/api] [${rule}] `);
    expect(() => Testing.synth(chart)).toThrow(detail);
  });

  test.each(SMUGGLED)('%s: app.synth() throws', (_what, smuggle, rule, detail) => {
    const app = Testing.app();
    const deployment = new SandboxedDeployment(new Chart(app, 'chart'), 'api', { image: IMAGE, networkPolicyManagedElsewhere: 'not under test' });
    smuggle(deployment);
    expect(() => app.synth()).toThrow(`[chart/api] [${rule}] `);
    expect(() => app.synth()).toThrow(detail);
  });

  test('the guard judges a custom RuntimeClass against that class', () => {
    const { chart, deployment } = make({ image: IMAGE, runtimeClassName: 'gvisor-custom' });
    deployment.deployment.addJsonPatch(JsonPatch.replace('/spec/template/spec/runtimeClassName', 'gvisor'));
    expect(() => Testing.synth(chart)).toThrow(/\[runtime-class\] .*runtimeClassName is "gvisor"; sandboxed pods must use "gvisor-custom"/);
  });

  test('a harmless patch passes the guard', () => {
    const { deployment } = make({ image: IMAGE });
    deployment.deployment.addJsonPatch(JsonPatch.add('/metadata/annotations', { 'example.com/owner': 'team-a' }));
    expect(deployment.node.validate()).toEqual([]);
  });

  test('an App with a synth-breaking patch writes nothing', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-')) });
    const deployment = new SandboxedDeployment(new Chart(app, 'chart'), 'api', { image: IMAGE });
    deployment.deployment.addJsonPatch(JsonPatch.add('/spec/template/spec/hostPID', true));
    expect(() => app.synth()).toThrow('[no-host-namespaces]');
    expect(fs.readdirSync(app.outdir)).toEqual([]);
  });
});

describe('probe timings are validated', () => {
  const cases: [string, Probe, string, string][] = [
    ['negative period', Probe.fromTcpSocket({ port: 8080, periodSeconds: -1 }), 'readiness.periodSeconds', 'must be an integer from 1 to 3600'],
    ['fractional timeout', Probe.fromTcpSocket({ port: 8080, timeoutSeconds: 0.5 }), 'readiness.timeoutSeconds', 'must be an integer from 1 to 3600'],
    ['negative initial delay', Probe.fromCommand(['true'], { initialDelaySeconds: -5 }), 'readiness.initialDelaySeconds', 'must be an integer from 0 to 3600'],
  ];
  test.each(cases)('%s', (_what, probe, fieldName, allowed) => {
    const chart = Testing.chart();
    expect(() => new SandboxedDeployment(chart, 'api', { image: 'app:1.0.0', ports: [{ number: 8080 }], readiness: probe }))
      .toThrow(`test/api: ${fieldName} is`);
    expect(() => new SandboxedDeployment(Testing.chart(), 'api', { image: 'app:1.0.0', ports: [{ number: 8080 }], readiness: probe }))
      .toThrow(allowed);
  });

  test('liveness successThreshold other than 1 is refused', () => {
    expect(() => new SandboxedDeployment(Testing.chart(), 'api', { image: 'app:1.0.0', ports: [{ number: 8080 }], liveness: Probe.fromTcpSocket({ successThreshold: 2 }) }))
      .toThrow('test/api: liveness.successThreshold is 2; must be 1 for a liveness probe');
  });
});
