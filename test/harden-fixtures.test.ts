// The real-shaped inputs for hardening in place (issue 15): three manifests modelled on the published installs of
// ingress-nginx, kube-prometheus and argo-cd (test/fixtures/harden/README.md names the sources). Before any
// hardening exists, the audit must see in them exactly the weaknesses their README lists, workload by workload,
// so that a hardening pass has something real to fix and to refuse.
import * as fs from 'fs';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import { auditManifests, auditObjects } from '../src/audit';
import { KubeObject, SUPPRESS_ANNOTATION, checkObject, hardenObjects } from '../src/profile';

const FIXTURES = path.join(__dirname, 'fixtures', 'harden');

/** Findings per rule, and per object, of one fixture. */
async function findingsOf(file: string): Promise<{ byRule: Record<string, number>; byObject: Record<string, number>; exitCode: number; problems: readonly unknown[] }> {
  const result = await auditManifests([path.join(FIXTURES, file)]);
  const byRule: Record<string, number> = {};
  const byObject: Record<string, number> = {};
  for (const f of result.findings) {
    byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
    byObject[`${f.object.kind}/${f.object.name}`] = (byObject[`${f.object.kind}/${f.object.name}`] ?? 0) + 1;
  }
  return { byRule, byObject, exitCode: result.exitCode, problems: result.problems };
}

test('ingress-nginx: the controller and its two certgen Jobs fall short of the profile in 48 places', async () => {
  const r = await findingsOf('ingress-nginx.yaml');
  expect([r.exitCode, r.problems]).toEqual([1, []]);
  expect(Object.values(r.byRule).reduce((a, b) => a + b, 0)).toBe(48);
  expect(r.byRule).toMatchObject({ 'job-limits': 8, 'run-as-high-uid': 3, 'no-privilege-escalation': 1, 'availability': 1 });
  expect(r.byRule['image-pinned']).toBeUndefined();
});

test('kube-prometheus: node-exporter is a host-level agent (host namespaces, hostPath, SYS_TIME, a host port)', async () => {
  const r = await findingsOf('kube-prometheus.yaml');
  expect([r.exitCode, r.problems]).toEqual([1, []]);
  expect(Object.values(r.byRule).reduce((a, b) => a + b, 0)).toBe(47);
  expect(r.byRule).toMatchObject({ 'no-host-namespaces': 2, 'allowed-volume-types': 2, 'drop-all-capabilities': 1, 'no-host-ports': 1 });
  expect(Object.entries(r.byObject).filter(([k]) => k.startsWith('DaemonSet/'))).toEqual([['DaemonSet/node-exporter', 16]]);
});

test('argo-cd: low UIDs, no resources, and Secrets read into env', async () => {
  const r = await findingsOf('argo-cd.yaml');
  expect([r.exitCode, r.problems]).toEqual([1, []]);
  expect(Object.values(r.byRule).reduce((a, b) => a + b, 0)).toBe(63);
  expect(r.byRule).toMatchObject({ 'run-as-high-uid': 8, 'resource-limits': 8, 'no-secret-env': 2 });
  expect(r.byObject['StatefulSet/argocd-application-controller']).toBe(10);
});

// After hardening (src/profile/harden.ts): what each fixture's workloads become, what is refused without a
// word from the user, and what a reviewer's suppressions (each with its reason) make hardenable.

/** The objects of a fixture. */
function objectsOf(file: string): KubeObject[] {
  return (jsyaml.loadAll(fs.readFileSync(path.join(FIXTURES, file), 'utf8')) as KubeObject[]).filter((o) => o && typeof o === 'object');
}

/** Adds suppression lines to the named objects (kind/name), as a user would in the manifests or a Helm values file. */
function withSuppressions(objects: KubeObject[], lines: Record<string, string[]>): KubeObject[] {
  return objects.map((o) => {
    const own = lines[`${o.kind}/${o.metadata?.name}`];
    if (!own) return o;
    return { ...o, metadata: { ...o.metadata, annotations: { ...o.metadata?.annotations, [SUPPRESS_ANNOTATION]: own.join('\n') } } };
  });
}

/** The refusals of a hardening pass, as `Kind/name rule path`. */
function refusalsOf(objects: KubeObject[]): string[] {
  return hardenObjects(objects).flatMap((r) => r.refusals.map((f) => `${f.object.kind}/${f.object.name} ${f.rule} ${f.path}`));
}

/** The hardened set (companions after their workload) with a deny-all NetworkPolicy per namespace, which isolating the pods takes. */
function hardenedSet(objects: KubeObject[]): { objects: KubeObject[]; results: ReturnType<typeof hardenObjects> } {
  const results = hardenObjects(objects);
  const namespaces = [...new Set(objects.map((o) => o.metadata?.namespace ?? 'default'))];
  const policies = namespaces.map((ns) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-all', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } }));
  return { objects: [...results.flatMap((r) => [r.object, ...r.companions]), ...policies], results };
}

/** Audit findings per object (`Kind/name` -> count), and the rules suppressed. */
function auditAfter(objects: KubeObject[]): { byObject: Record<string, number>; total: number; suppressed: string[] } {
  const result = auditObjects(objects);
  const byObject: Record<string, number> = {};
  for (const f of result.findings) byObject[`${f.object.kind}/${f.object.name}`] = (byObject[`${f.object.kind}/${f.object.name}`] ?? 0) + 1;
  return { byObject, total: result.findings.length, suppressed: result.suppressions.map((f) => `${f.object.kind}/${f.object.name} ${f.rule}`) };
}

describe('after hardening', () => {
  test('ingress-nginx: the UIDs, fsGroups and restart policy it sets are refused; allowPrivilegeEscalation: true can never be waived', () => {
    const objects = objectsOf('ingress-nginx.yaml');
    expect(refusalsOf(objects)).toEqual([
      'ServiceAccount/ingress-nginx no-service-account-token automountServiceAccountToken',
      'Deployment/ingress-nginx-controller run-as-high-uid spec.template.spec.containers[0].securityContext.runAsUser',
      'Deployment/ingress-nginx-controller no-privilege-escalation spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation',
      'Job/ingress-nginx-admission-create run-as-high-uid spec.template.spec.securityContext.runAsUser',
      'Job/ingress-nginx-admission-create run-as-high-gid spec.template.spec.securityContext.fsGroup',
      'Job/ingress-nginx-admission-create job-limits spec.template.spec.restartPolicy',
      'Job/ingress-nginx-admission-patch run-as-high-uid spec.template.spec.securityContext.runAsUser',
      'Job/ingress-nginx-admission-patch run-as-high-gid spec.template.spec.securityContext.fsGroup',
      'Job/ingress-nginx-admission-patch job-limits spec.template.spec.restartPolicy',
    ]);
    // The certgen Jobs run as 2000 by the chart's choice and retry on purpose (a Helm hook), and they call the API.
    const certgen = ['run-as-high-uid: the chart runs certgen as 2000; the image needs no files of its own', 'run-as-high-gid: fsGroup 2000 owns nothing it writes', 'job-limits: a Helm hook retries a transient API error', 'no-service-account-token: it creates the webhook Secret and patches the webhook'];
    let suppressed = withSuppressions(objects, {
      'Job/ingress-nginx-admission-create': certgen, 'Job/ingress-nginx-admission-patch': certgen,
      'ServiceAccount/ingress-nginx': ['no-service-account-token: the controller watches Ingresses'],
    });
    // The Jobs keep their token from their ServiceAccount, so harden will not turn it off there behind their back.
    const account = hardenObjects(suppressed).find((r) => r.object.kind === 'ServiceAccount' && r.object.metadata?.name === 'ingress-nginx-admission')!;
    expect(account.refusals.map((f) => f.message)).toEqual([
      'ServiceAccount automountServiceAccountToken is unset; must be false; harden does not turn it off: Job/ingress-nginx-admission-create relies on its token (its no-service-account-token rule is waived and its pods leave automountServiceAccountToken unset)',
    ]);
    expect(account.object.automountServiceAccountToken).toBeUndefined();
    suppressed = withSuppressions(suppressed, { 'ServiceAccount/ingress-nginx-admission': ['no-service-account-token: the certgen Jobs create and patch the webhook\'s Secret'] });
    expect(refusalsOf(suppressed)).toEqual([
      'Deployment/ingress-nginx-controller run-as-high-uid spec.template.spec.containers[0].securityContext.runAsUser',
      'Deployment/ingress-nginx-controller no-privilege-escalation spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation',
    ]);
    const { objects: after, results } = hardenedSet(suppressed.filter((o) => o.metadata?.name !== 'ingress-nginx-controller'));
    const create = results.find((r) => r.object.kind === 'Job' && r.object.metadata?.name === 'ingress-nginx-admission-create')!.object;
    // A suppressed rule is not filled either: the Job keeps Kubernetes' own retry and no deadline, as the chart wrote it.
    expect([create.spec.activeDeadlineSeconds, create.spec.ttlSecondsAfterFinished, create.spec.backoffLimit]).toEqual([undefined, undefined, undefined]);
    expect(create.spec.template.spec).toMatchObject({ runtimeClassName: 'gvisor', enableServiceLinks: false, restartPolicy: 'OnFailure', securityContext: { runAsUser: 2000, fsGroup: 2000, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } });
    expect([create.spec.template.spec.automountServiceAccountToken, create.spec.template.spec.securityContext.runAsGroup]).toEqual([undefined, undefined]);
    expect(create.spec.template.spec.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true });
    const audit = auditAfter(after);
    expect(audit.total).toBe(0);
    expect(audit.suppressed.length).toBeGreaterThan(0);
  });

  test('kube-prometheus: node-exporter is refused field by field; the three Deployments harden to zero findings once their token is explained', () => {
    const objects = objectsOf('kube-prometheus.yaml');
    expect(refusalsOf(objects)).toEqual([
      'Deployment/prometheus-operator no-service-account-token spec.template.spec.automountServiceAccountToken',
      'DaemonSet/node-exporter drop-all-capabilities spec.template.spec.containers[0].securityContext.capabilities.add',
      'DaemonSet/node-exporter no-host-namespaces spec.template.spec.hostNetwork',
      'DaemonSet/node-exporter no-host-namespaces spec.template.spec.hostPID',
      'DaemonSet/node-exporter no-host-ports spec.template.spec.containers[1].ports[0].hostPort',
      'DaemonSet/node-exporter allowed-volume-types spec.template.spec.volumes[0].hostPath',
      'DaemonSet/node-exporter allowed-volume-types spec.template.spec.volumes[1].hostPath',
      'DaemonSet/node-exporter no-service-account-token spec.template.spec.automountServiceAccountToken',
      'Deployment/kube-state-metrics no-service-account-token spec.template.spec.automountServiceAccountToken',
      'Deployment/blackbox-exporter no-service-account-token spec.template.spec.automountServiceAccountToken',
    ]);
    const token = (why: string) => [`no-service-account-token: ${why}`];
    const suppressed = withSuppressions(objects, {
      'Deployment/prometheus-operator': token('the operator creates StatefulSets, Secrets and ConfigMaps'),
      'Deployment/kube-state-metrics': token('it lists every object of the cluster'),
      'Deployment/blackbox-exporter': token('kube-rbac-proxy makes TokenReviews and SubjectAccessReviews'),
      'DaemonSet/node-exporter': ['no-host-namespaces: it reads the node', 'allowed-volume-types: it reads /sys and /'],
    });
    // No reason waives host namespaces or hostPath volumes: the agent stays refused.
    expect(refusalsOf(suppressed).filter((r) => !r.startsWith('DaemonSet/node-exporter'))).toEqual([]);
    expect(refusalsOf(suppressed).filter((r) => r.includes(' no-host-namespaces ') || r.includes('.hostPath'))).toHaveLength(4);
    const { objects: after, results } = hardenedSet(suppressed.filter((o) => o.kind !== 'DaemonSet'));
    const operator = results.find((r) => r.object.kind === 'Deployment' && r.object.metadata?.name === 'prometheus-operator')!.object.spec.template.spec;
    expect(operator).toMatchObject({ runtimeClassName: 'gvisor', automountServiceAccountToken: true, enableServiceLinks: false, securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } } });
    expect(operator.containers.map((c: any) => c.resources.limits['ephemeral-storage'])).toEqual(['256Mi', '256Mi']);
    // The two containers that share one securityContext through a YAML alias are each hardened (their own copy).
    const blackbox = results.find((r) => r.object.kind === 'Deployment' && r.object.metadata?.name === 'blackbox-exporter')!.object.spec.template.spec;
    expect(blackbox.containers.map((c: any) => c.securityContext.readOnlyRootFilesystem)).toEqual([true, true, true]);
    expect(auditAfter(after).total).toBe(0);
  });

  test('argo-cd: low UIDs and Secrets in env are refused; the server and the application controller harden once their token is explained', () => {
    const objects = objectsOf('argo-cd.yaml');
    expect(refusalsOf(objects)).toEqual([
      'Deployment/argocd-dex-server run-as-high-uid spec.template.spec.containers[0].securityContext.runAsUser',
      'Deployment/argocd-redis run-as-high-uid spec.template.spec.securityContext.runAsUser',
      'Deployment/argocd-redis run-as-high-uid spec.template.spec.securityContext.runAsUser',
      'Deployment/argocd-redis no-secret-env spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef',
      'Deployment/argocd-repo-server no-secret-env spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef',
    ]);
    const token = 'no-service-account-token: an API client of the cluster';
    const suppressed = withSuppressions(objects, {
      'Deployment/argocd-server': [token], 'StatefulSet/argocd-application-controller': [token], 'ServiceAccount/argocd-application-controller': [token],
      'Deployment/argocd-repo-server': ['no-secret-env: argo-cd reads its own redis password from env'],
    });
    expect(refusalsOf(suppressed)).toEqual([
      'Deployment/argocd-dex-server run-as-high-uid spec.template.spec.containers[0].securityContext.runAsUser',
      'Deployment/argocd-redis run-as-high-uid spec.template.spec.securityContext.runAsUser',
      'Deployment/argocd-redis run-as-high-uid spec.template.spec.securityContext.runAsUser',
      'Deployment/argocd-redis no-secret-env spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef',
    ]);
    // The refused two are left out, and with redis its NetworkPolicy (it would select no pod).
    const hardenable = suppressed.filter((o) => !['argocd-dex-server', 'argocd-redis', 'argocd-redis-network-policy'].includes(o.metadata?.name ?? ''));
    const { objects: after, results } = hardenedSet(hardenable);
    const controller = results.find((r) => r.object.kind === 'StatefulSet')!.object.spec.template.spec;
    expect(controller.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534 });
    expect(controller.containers[0].resources).toEqual({ limits: { 'cpu': '500m', 'memory': '512Mi', 'ephemeral-storage': '256Mi' }, requests: { 'cpu': '250m', 'memory': '256Mi', 'ephemeral-storage': '64Mi' } });
    const repo = results.find((r) => r.object.kind === 'Deployment' && r.object.metadata?.name === 'argocd-repo-server')!;
    // Its /tmp is an emptyDir already: no second one is added.
    expect(repo.object.spec.template.spec.volumes.filter((v: any) => v.name.startsWith('sandbox-tmp'))).toEqual([]);
    expect(repo.object.spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(auditObjects(after).findings).toEqual([]);
    for (const r of results) if (r.workload) expect(checkObject(r.object).filter((f) => !r.suppressed.some((s) => s.path === f.path))).toEqual([]);
  });
});
