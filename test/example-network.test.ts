// The example app's network and namespace side, judged on the committed dist/ YAML: which policies select
// which pods (evaluated with selectorMatches, both directions), what they allow, the sandbox-jobs
// Namespace, quota and limits, every hardening-profile row on every sandboxed pod as concrete field
// values, schema validity of every object, and that dist/ matches a fresh synth for these objects.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import * as yaml from 'js-yaml';
import { ExampleChart } from '../app/main';
import { selectorMatches } from '../src/profile/cross-resource';
import { manifestProblems } from './helpers/crd-schema';

const DIST = path.join(__dirname, '..', 'dist', 'sandbox-example.k8s.yaml');
const objects: any[] = (yaml.loadAll(fs.readFileSync(DIST, 'utf8')) as any[]).filter((o) => o);

/** A pod template of dist/, with its owner and effective namespace. */
interface Pod { readonly id: string; readonly namespace: string; readonly labels: { [key: string]: string }; readonly spec: any; readonly owner: any }

const pods: Pod[] = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job').map((o) => ({
  id: `${o.kind}/${o.metadata.name}`, namespace: o.metadata.namespace ?? 'default', labels: o.spec.template.metadata.labels, spec: o.spec.template.spec, owner: o,
}));
const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
const podById = (id: string) => pods.find((p) => p.id === id)!;
const UNTRUSTED = 'Deployment/untrusted-workload';
const RUNNER = 'Job/user-code-run-12345';
/** The submission with a folder, and the queued one that may reach the package index by name. */
const PACKAGE_RUNNER = 'Job/user-code-run-12346';
const QUEUED_RUNNER = 'Job/user-code-run-12347';
const TRUSTED = 'Deployment/trusted-api';

/** The policies that apply to a pod: same namespace, podSelector matching the pod template's labels. */
function policiesSelecting(pod: Pod): any[] {
  return policies.filter((p) => (p.metadata.namespace ?? 'default') === pod.namespace && selectorMatches(p.spec.podSelector, pod.labels));
}

/** Whether a `from`/`to` peer of a policy in `policyNamespace` matches a pod in `namespace` with `labels`. */
function peerMatches(peer: any, policyNamespace: string, namespace: string, labels: { [key: string]: string }): boolean {
  if (peer.ipBlock) return false;
  const namespaceOk = peer.namespaceSelector
    ? selectorMatches(peer.namespaceSelector, { 'kubernetes.io/metadata.name': namespace })
    : namespace === policyNamespace;
  return namespaceOk && (peer.podSelector === undefined || selectorMatches(peer.podSelector, labels));
}

const KUBE_DNS_RULE = {
  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
};

describe('dist/ is what the example app synthesizes', () => {
  test('NetworkPolicies, Namespace, ResourceQuota, LimitRange and pod template labels match a fresh synth', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'example-network-'));
    try {
      const fresh = new ExampleChart(new App({ outdir }), 'sandbox-example').toJson();
      const networkSide = (list: any[]) => list.map((o) => (['Deployment', 'Job'].includes(o.kind)
        ? { kind: o.kind, metadata: o.metadata, podLabels: o.spec.template.metadata.labels, runtimeClassName: o.spec.template.spec.runtimeClassName }
        : ['NetworkPolicy', 'Namespace', 'ResourceQuota', 'LimitRange'].includes(o.kind) ? o : { kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace }));
      expect(networkSide(objects)).toEqual(networkSide(fresh));
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('the untrusted Deployment', () => {
  const untrusted = podById(UNTRUSTED);

  test('lives in sandbox-jobs and is selected by the namespace deny-all and its own policy only', () => {
    expect(untrusted.namespace).toBe('sandbox-jobs');
    expect(policiesSelecting(untrusted).map((p) => p.metadata.name)).toEqual(['default-deny-all', 'untrusted-workload-network']);
  });

  test('ingress: only 8080/TCP, only from app.kubernetes.io/name=trusted-api pods in namespace default', () => {
    const ingress = policiesSelecting(untrusted).flatMap((p) => p.spec.ingress ?? []);
    expect(ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'default' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'trusted-api' } } }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    }]);
    const [peer] = ingress[0].from;
    // Right pods in: the trusted client of dist/.
    const trusted = podById(TRUSTED);
    expect(peerMatches(peer, 'sandbox-jobs', trusted.namespace, trusted.labels)).toBe(true);
    // Others out: every other pod of dist/, the client's labels in another namespace, another app in default.
    expect(pods.filter((p) => peerMatches(peer, 'sandbox-jobs', p.namespace, p.labels)).map((p) => p.id)).toEqual([TRUSTED]);
    expect(peerMatches(peer, 'sandbox-jobs', 'sandbox-jobs', trusted.labels)).toBe(false);
    expect(peerMatches(peer, 'sandbox-jobs', 'default', { 'app.kubernetes.io/name': 'other-api' })).toBe(false);
  });

  test('egress: only DNS, UDP and TCP 53, to the kube-dns pods in kube-system', () => {
    const egress = policiesSelecting(untrusted).flatMap((p) => p.spec.egress ?? []);
    expect(egress).toEqual([KUBE_DNS_RULE]);
    const [peer] = egress[0].to;
    expect(peerMatches(peer, 'sandbox-jobs', 'kube-system', { 'k8s-app': 'kube-dns' })).toBe(true);
    expect(peerMatches(peer, 'sandbox-jobs', 'sandbox-jobs', { 'k8s-app': 'kube-dns' })).toBe(false);
    expect(peerMatches(peer, 'sandbox-jobs', 'kube-system', { 'k8s-app': 'metrics-server' })).toBe(false);
    expect(pods.filter((p) => peerMatches(peer, 'sandbox-jobs', p.namespace, p.labels))).toEqual([]);
  });

  test('its policy selects its pods and no other pod of dist/', () => {
    const own = policies.find((p) => p.metadata.name === 'untrusted-workload-network');
    expect(pods.filter((p) => policiesSelecting(p).includes(own)).map((p) => p.id)).toEqual([UNTRUSTED]);
  });
});

describe('the code runner', () => {
  const runner = podById(RUNNER);

  test('is selected only by deny-all policies: no ingress or egress rule in any of them', () => {
    expect(runner.namespace).toBe('sandbox-jobs');
    const selecting = policiesSelecting(runner);
    expect(selecting.map((p) => p.metadata.name)).toEqual(['default-deny-all', 'code-run-deny-all']);
    for (const p of selecting) {
      expect(p.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(p.spec.ingress).toBeUndefined();
      expect(p.spec.egress).toBeUndefined();
    }
  });

  test('the shared code-run policy selects the code runs\' pods only', () => {
    const shared = policies.find((p) => p.metadata.name === 'code-run-deny-all');
    expect(pods.filter((p) => policiesSelecting(p).includes(shared)).map((p) => p.id)).toEqual([RUNNER, 'Job/user-code-run-12346', 'Job/user-code-run-12347']);
    expect(policies.filter((p) => p.metadata.name.startsWith('user-code-run'))).toEqual([]);
  });
});

describe('the trusted workload', () => {
  const trusted = podById(TRUSTED);

  test('runs outside the sandbox: namespace default, no runtimeClassName, no sandbox marker', () => {
    expect(trusted.namespace).toBe('default');
    expect(trusted.owner.metadata.namespace).toBe('default');
    expect(trusted.spec.runtimeClassName).toBeUndefined();
    expect(trusted.labels['cdk8s-sandbox.io/sandboxed']).toBeUndefined();
  });

  test('is isolated by its own policy, which no sandbox policy shares', () => {
    expect(policiesSelecting(trusted).map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(['default/trusted-api']);
  });
});

describe('network rows 18 and 19 over all of dist/', () => {
  test.each(pods.map((p) => [p.id, p] as [string, Pod]))('%s is selected in its namespace by a policy isolating Ingress and one isolating Egress', (_id, pod) => {
    const types = policiesSelecting(pod).flatMap((p) => p.spec.policyTypes);
    expect(types).toContain('Ingress');
    expect(types).toContain('Egress');
  });

  test.each(policies.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]))('%s selects at least one pod of its namespace and states both policyTypes', (_id, policy) => {
    expect(pods.some((pod) => policiesSelecting(pod).includes(policy))).toBe(true);
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
  });

  test('every egress rule names its peers; DNS goes only to kube-dns in kube-system; no ipBlock reaches anything', () => {
    const rules = policies.flatMap((p) => p.spec.egress ?? []);
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(Array.isArray(rule.to) && rule.to.length > 0).toBe(true);
      for (const peer of rule.to) expect(Object.keys(peer).length).toBeGreaterThan(0);
      expect(rule.ports?.length).toBeGreaterThan(0);
      if (rule.ports.some((p: any) => p.port === 53)) expect(rule).toEqual(KUBE_DNS_RULE);
    }
    expect(JSON.stringify(policies)).not.toContain('ipBlock');
  });
});

describe('namespace rows 23 and 24', () => {
  const sandboxed = pods.filter((p) => p.labels['cdk8s-sandbox.io/sandboxed'] === 'true');

  test('every sandboxed pod lives in sandbox-jobs, and sandbox-jobs is a Namespace of dist/', () => {
    expect(sandboxed.map((p) => p.id)).toEqual([UNTRUSTED, RUNNER, PACKAGE_RUNNER, QUEUED_RUNNER]);
    expect([...new Set(sandboxed.map((p) => p.namespace))]).toEqual(['sandbox-jobs']);
    expect(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toEqual(['sandbox-jobs']);
  });

  test('the sandbox-jobs Namespace enforces, audits and warns on restricted, each with a pinned version', () => {
    const ns = objects.find((o) => o.kind === 'Namespace' && o.metadata.name === 'sandbox-jobs');
    expect(ns.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'cdk8s-sandbox',
      'cdk8s-sandbox.io/sandboxed': 'true',
      'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.27',
      'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/audit-version': 'v1.27',
      'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/warn-version': 'v1.27',
    });
  });

  test('sandbox-jobs has a ResourceQuota on cpu, memory, ephemeral-storage, pods, jobs and configmaps', () => {
    const quotas = objects.filter((o) => o.kind === 'ResourceQuota' && o.metadata.namespace === 'sandbox-jobs');
    expect(quotas).toHaveLength(1);
    expect(Object.keys(quotas[0].spec.hard).sort()).toEqual([
      'configmaps', 'count/jobs.batch', 'limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'pods', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory',
    ]);
    expect(quotas[0].spec.hard).toEqual({
      'requests.cpu': '8', 'limits.cpu': '16', 'requests.memory': '16Gi', 'limits.memory': '32Gi',
      'requests.ephemeral-storage': '20Gi', 'limits.ephemeral-storage': '40Gi', 'pods': '100', 'count/jobs.batch': '200', 'configmaps': '300',
    });
  });

  test('sandbox-jobs has a LimitRange with container defaults for cpu, memory and ephemeral-storage', () => {
    const ranges = objects.filter((o) => o.kind === 'LimitRange' && o.metadata.namespace === 'sandbox-jobs');
    expect(ranges).toHaveLength(1);
    expect(ranges[0].spec.limits).toEqual([{
      type: 'Container',
      defaultRequest: { 'cpu': '250m', 'memory': '256Mi', 'ephemeral-storage': '64Mi' },
      default: { 'cpu': '500m', 'memory': '512Mi', 'ephemeral-storage': '256Mi' },
      max: { cpu: '2', memory: '4Gi' },
    }]);
  });
});

describe('every hardening-profile row on every sandboxed pod of dist/', () => {
  const sandboxed = pods.filter((p) => p.labels['cdk8s-sandbox.io/sandboxed'] === 'true');
  const containersOf = (pod: Pod): any[] => [...(pod.spec.initContainers ?? []), ...pod.spec.containers, ...(pod.spec.ephemeralContainers ?? [])];
  const ALLOWED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
  const rows: [string, (pod: Pod) => void][] = [
    ['1 runtimeClassName gvisor', (pod) => expect(pod.spec.runtimeClassName).toBe('gvisor')],
    ['2 runAsNonRoot on pod and containers', (pod) => {
      expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
      for (const c of containersOf(pod)) expect(c.securityContext.runAsNonRoot).toBe(true);
    }],
    ['3 numeric UID >= 10000', (pod) => {
      expect(pod.spec.securityContext.runAsUser).toBeGreaterThanOrEqual(10000);
      for (const c of containersOf(pod)) expect(c.securityContext.runAsUser ?? pod.spec.securityContext.runAsUser).toBeGreaterThanOrEqual(10000);
    }],
    ['4 runAsGroup and fsGroup >= 10000', (pod) => {
      expect(pod.spec.securityContext.runAsGroup).toBeGreaterThanOrEqual(10000);
      expect(pod.spec.securityContext.fsGroup).toBeGreaterThanOrEqual(10000);
      for (const c of containersOf(pod)) expect(c.securityContext.runAsGroup ?? pod.spec.securityContext.runAsGroup).toBeGreaterThanOrEqual(10000);
    }],
    ['5 allowPrivilegeEscalation false', (pod) => { for (const c of containersOf(pod)) expect(c.securityContext.allowPrivilegeEscalation).toBe(false); }],
    ['6 not privileged', (pod) => { for (const c of containersOf(pod)) expect(c.securityContext.privileged ?? false).toBe(false); }],
    ['7 capabilities drop ALL, add nothing', (pod) => {
      for (const c of containersOf(pod)) {
        expect(c.securityContext.capabilities.drop).toEqual(['ALL']);
        expect(c.securityContext.capabilities.add).toBeUndefined();
      }
    }],
    ['8 seccomp RuntimeDefault', (pod) => expect(pod.spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' })],
    ['9 read-only root, size-limited emptyDirs', (pod) => {
      for (const c of containersOf(pod)) expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
      for (const v of pod.spec.volumes ?? []) if (v.emptyDir) expect(v.emptyDir.sizeLimit).toBeDefined();
    }],
    ['10 no host namespaces', (pod) => {
      expect(pod.spec.hostNetwork).toBeUndefined();
      expect(pod.spec.hostPID).toBeUndefined();
      expect(pod.spec.hostIPC).toBeUndefined();
    }],
    ['11 no hostPort', (pod) => { for (const c of containersOf(pod)) for (const p of c.ports ?? []) expect(p.hostPort).toBeUndefined(); }],
    ['12 only allowed volume types, no service-account token projection', (pod) => {
      for (const v of pod.spec.volumes ?? []) {
        const types = Object.keys(v).filter((k) => k !== 'name');
        expect(types).toHaveLength(1);
        expect(ALLOWED_VOLUMES).toContain(types[0]);
        expect(JSON.stringify(v)).not.toContain('serviceAccountToken');
      }
    }],
    ['13 no service-account token, also on its ServiceAccount', (pod) => {
      expect(pod.spec.automountServiceAccountToken).toBe(false);
      const sa = pod.spec.serviceAccountName
        ? objects.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === pod.spec.serviceAccountName && o.metadata.namespace === pod.namespace)
        : undefined;
      if (pod.spec.serviceAccountName) expect(sa.automountServiceAccountToken).toBe(false);
    }],
    ['14 enableServiceLinks false', (pod) => expect(pod.spec.enableServiceLinks).toBe(false)],
    ['15 no procMount, sysctls, AppArmor or SELinux options', (pod) => {
      expect(pod.spec.securityContext.sysctls).toBeUndefined();
      expect(pod.spec.securityContext.seLinuxOptions).toBeUndefined();
      expect(pod.spec.securityContext.appArmorProfile).toBeUndefined();
      for (const c of containersOf(pod)) {
        expect(c.securityContext.procMount).toBeUndefined();
        expect(c.securityContext.seLinuxOptions).toBeUndefined();
        expect(c.securityContext.appArmorProfile).toBeUndefined();
      }
      expect(JSON.stringify(pod.owner.spec.template.metadata.annotations ?? {})).not.toContain('apparmor');
    }],
    ['16 cpu and memory requests and limits on every container', (pod) => {
      for (const c of containersOf(pod)) {
        for (const kind of ['requests', 'limits']) for (const r of ['cpu', 'memory']) expect(c.resources[kind][r]).toMatch(/^[0-9]/);
      }
    }],
    ['17 ephemeral-storage limit', (pod) => { for (const c of containersOf(pod)) expect(c.resources.limits['ephemeral-storage']).toMatch(/^[0-9]/); }],
    ['20 Job limits (Jobs only): deadline, TTL, backoffLimit 0, restartPolicy Never', (pod) => {
      if (pod.owner.kind !== 'Job') return;
      expect(pod.owner.spec.activeDeadlineSeconds).toBeGreaterThan(0);
      expect(pod.owner.spec.ttlSecondsAfterFinished).toBeGreaterThan(0);
      expect(pod.owner.spec.backoffLimit).toBe(0);
      expect(pod.spec.restartPolicy).toBe('Never');
    }],
    ['21 images pinned to a tag other than latest', (pod) => {
      for (const c of containersOf(pod)) expect(c.image).toMatch(/^[^@]+:(?!latest$)[\w][\w.-]*$|@sha256:[0-9a-f]{64}$/);
    }],
    ['22 no secretKeyRef', (pod) => expect(JSON.stringify(pod.spec)).not.toContain('secretKeyRef')],
    ['25 replicated Deployments have a PodDisruptionBudget', (pod) => {
      if (!(pod.owner.kind === 'Deployment' && pod.owner.spec.replicas > 1)) return;
      const budgets = objects.filter((o) => o.kind === 'PodDisruptionBudget' && o.metadata.namespace === pod.namespace && selectorMatches(o.spec.selector, pod.labels));
      expect(budgets).toHaveLength(1);
    }],
  ];

  test('the sandboxed pods are the untrusted Deployment and the code runner', () => {
    expect(sandboxed.map((p) => p.id)).toEqual([UNTRUSTED, RUNNER, PACKAGE_RUNNER, QUEUED_RUNNER]);
    expect(pods.filter((p) => p.spec.runtimeClassName !== undefined).map((p) => p.id)).toEqual([UNTRUSTED, RUNNER, PACKAGE_RUNNER, QUEUED_RUNNER]);
  });

  test.each(sandboxed.flatMap((pod) => rows.map(([row, check]) => [pod.id, row, pod, check] as [string, string, Pod, (pod: Pod) => void])))(
    '%s: row %s', (_id, _row, pod, check) => check(pod),
  );
});

describe('schema', () => {
  test('every object of dist/ is valid and has no unknown field', () => {
    expect(objects.map((o) => o.kind).sort()).toEqual([
      'ClusterQueue', 'Deployment', 'Deployment', 'FQDNNetworkPolicy',
      'Job', 'Job', 'Job', 'LimitRange', 'LocalQueue', 'Namespace',
      'NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy',
      'PodDisruptionBudget', 'PodDisruptionBudget', 'ResourceFlavor', 'ResourceQuota', 'Service', 'ServiceAccount',
      'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
    ]);
    expect(manifestProblems(objects)).toEqual([]);
  });
});
