// The example app (app/main.ts) and its committed output (dist/): synthesis is deterministic, dist/ is
// not stale, the seed article's workloads keep their values, every object is valid Kubernetes, and every
// sandboxed pod in dist/ carries each pod-level control of the hardening profile (literal field checks,
// never the profile code).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import * as yaml from 'js-yaml';
import { ExampleChart } from '../app/main';
import { manifestProblems } from './helpers/crd-schema';

const DIST = path.resolve(__dirname, '..', 'dist');
const MIN_ID = 10000;
const ALLOWED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

/** Synthesizes the example app into a fresh temporary directory, as `npm run synth` does into dist/. */
function synthExample(): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-example-'));
  const app = new App({ outdir });
  new ExampleChart(app, 'sandbox-example');
  app.synth();
  return outdir;
}

/** File name -> contents of every file in a directory. */
function readDir(dir: string): Map<string, string> {
  return new Map(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

/** Every object of every YAML file in dist/. */
function distObjects(): any[] {
  return [...readDir(DIST).entries()].filter(([f]) => f.endsWith('.yaml')).flatMap(([, text]) => yaml.loadAll(text) as any[]).filter((o) => o);
}

function find(objects: any[], kind: string, name: string): any {
  const found = objects.filter((o) => o.kind === kind && o.metadata?.name === name);
  expect(found).toHaveLength(1);
  return found[0];
}

test('two in-process synths in a row are byte-identical', () => {
  const first = readDir(synthExample());
  const second = readDir(synthExample());
  expect(first.size).toBeGreaterThan(0);
  expect([...second.keys()]).toEqual([...first.keys()]);
  for (const [file, text] of first) expect(second.get(file)).toBe(text);
});

test('the example app matches the snapshot', () => {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-example-')) });
  expect(new ExampleChart(app, 'sandbox-example').toJson()).toMatchSnapshot();
});

test('dist/ is what a fresh synth of the example app writes', () => {
  const fresh = readDir(synthExample());
  const committed = readDir(DIST);
  const stale: string[] = [];
  for (const file of new Set([...fresh.keys(), ...committed.keys()])) {
    if (!committed.has(file)) stale.push(`dist/${file} is missing: run \`npm run synth\` and commit dist/`);
    else if (!fresh.has(file)) stale.push(`dist/${file} is no longer synthesized: run \`npm run synth\` and commit dist/`);
    else if (committed.get(file) !== fresh.get(file)) stale.push(`dist/${file} differs from a fresh synth: run \`npm run synth\` and commit dist/`);
  }
  expect(stale).toEqual([]);
});

describe('dist/', () => {
  const objects = distObjects();

  test('every object is valid Kubernetes with no unknown fields', () => {
    expect(objects.length).toBeGreaterThan(0);
    expect(manifestProblems(objects)).toEqual([]);
  });

  test('the code-execution examples: a folder in a submission, a queued run with its Kueue objects, egress to the package index by name', () => {
    const folder = find(objects, 'Job', 'user-code-run-12346');
    expect(folder.spec.template.spec.volumes.find((v: any) => v.name === 'code').downwardAPI.items.map((i: any) => [i.path, i.fieldRef.fieldPath])).toEqual([
      ['main.py', 'metadata.annotations[\'code.cdk8s-sandbox.io/0\']'], ['pkg/greet.py', 'metadata.annotations[\'code.cdk8s-sandbox.io/1\']'],
    ]);
    expect(folder.spec.template.metadata.annotations['code.cdk8s-sandbox.io/1']).toContain('def hello(what):');
    // Nothing of a run outlives its Job: no ConfigMap, no policy of its own; one shared code-run policy.
    expect(objects.filter((o) => o.kind === 'ConfigMap')).toEqual([]);
    expect(objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'code-run-deny-all').map((o) => o.metadata.namespace)).toEqual(['sandbox-jobs']);
    const queued = find(objects, 'Job', 'user-code-run-12347');
    expect([queued.spec.suspend, queued.metadata.labels['kueue.x-k8s.io/queue-name']]).toEqual([true, 'code-runs']);
    expect(find(objects, 'LocalQueue', 'code-runs').metadata.namespace).toBe('sandbox-jobs');
    const clusterQueue = objects.find((o) => o.kind === 'ClusterQueue');
    expect(find(objects, 'LocalQueue', 'code-runs').spec.clusterQueue).toBe(clusterQueue.metadata.name);
    expect(clusterQueue.metadata.namespace).toBeUndefined();
    const flavor = objects.find((o) => o.kind === 'ResourceFlavor');
    expect(flavor.spec.nodeLabels).toEqual({ 'sandbox.gke.io/runtime': 'gvisor' });
    const fqdn = objects.find((o) => o.kind === 'FQDNNetworkPolicy');
    expect(fqdn.spec.podSelector).toEqual({ matchLabels: { 'cdk8s-sandbox.io/workload': 'user-code-run-12347' } });
    expect(fqdn.spec.egress).toEqual([{ matches: [{ name: 'pypi.org' }, { name: 'files.pythonhosted.org' }], ports: [{ port: 443, protocol: 'TCP' }] }]);
    for (const job of objects.filter((o) => o.kind === 'Job')) {
      expect(job.spec.template.metadata.annotations['dev.gvisor.flag.oci-seccomp']).toBe('true');
    }
  });

  test('the untrusted workload carries the seed article\'s values, sandboxed', () => {
    const deployment = find(objects, 'Deployment', 'untrusted-workload');
    expect(deployment.spec.replicas).toBe(3);
    const pod = deployment.spec.template.spec;
    expect(pod.runtimeClassName).toBe('gvisor');
    expect(deployment.spec.template.metadata.labels['cdk8s-sandbox.io/sandboxed']).toBe('true');
    const [main] = pod.containers;
    expect(main.ports.map((p: any) => p.containerPort)).toEqual([8080]);
    expect(main.resources.requests).toMatchObject({ cpu: '500m', memory: '512Mi' });
    expect(main.resources.limits).toMatchObject({ cpu: '1', memory: '1Gi' });
    expect(find(objects, 'Service', 'untrusted-workload').spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }]);
    expect(find(objects, 'PodDisruptionBudget', 'untrusted-workload').spec.maxUnavailable).toBe(1);
  });

  test('the trusted workload is not sandboxed, and says so', () => {
    const deployment = find(objects, 'Deployment', 'trusted-api');
    expect(deployment.spec.template.spec.runtimeClassName).toBeUndefined();
    expect(deployment.spec.template.metadata.labels['cdk8s-sandbox.io/sandboxed']).toBeUndefined();
    expect(deployment.metadata.annotations['cdk8s-sandbox.io/suppress']).toMatch(/^runtime-class: .*not sandboxed/);
  });

  test('every sandboxed pod has each control of profile rows 1-17 and 21-22', () => {
    const pods = objects.flatMap((obj) => {
      const template = obj.kind === 'Pod' ? obj : obj.kind === 'CronJob' ? obj.spec?.jobTemplate?.spec?.template : obj.spec?.template;
      return template?.spec && template.metadata?.labels?.['cdk8s-sandbox.io/sandboxed'] === 'true' ? [{ obj, template }] : [];
    });
    expect(pods.map(({ obj }) => `${obj.kind}/${obj.metadata.name}`)).toContain('Deployment/untrusted-workload');
    const problems = pods.flatMap(({ obj, template }) => sandboxedPodProblems(template, objects).map((p) => `${obj.kind}/${obj.metadata.name}: ${p}`));
    expect(problems).toEqual([]);
  });
});

function isHighId(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= MIN_ID;
}

function isPositiveQuantity(value: unknown): boolean {
  return (typeof value === 'string' && /^[0-9.]*[1-9]/.test(value)) || (typeof value === 'number' && value > 0);
}

/** What a sandboxed pod template lacks, one line per missing control (empty when hardened). */
function sandboxedPodProblems(template: any, objects: any[]): string[] {
  const problems: string[] = [];
  const spec = template.spec;
  const podSc = spec.securityContext ?? {};
  const check = (ok: boolean, what: string) => { if (!ok) problems.push(what); };

  check(spec.runtimeClassName === 'gvisor', `row 1: runtimeClassName is ${spec.runtimeClassName}`);
  check(podSc.runAsNonRoot === true, 'row 2: pod runAsNonRoot is not true');
  check(isHighId(podSc.runAsUser), `row 3: pod runAsUser is ${podSc.runAsUser}`);
  check(isHighId(podSc.runAsGroup), `row 4: pod runAsGroup is ${podSc.runAsGroup}`);
  check(isHighId(podSc.fsGroup), `row 4: fsGroup is ${podSc.fsGroup}`);
  check(podSc.seccompProfile?.type === 'RuntimeDefault', `row 8: pod seccomp profile is ${JSON.stringify(podSc.seccompProfile)}`);
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) check(spec[field] !== true, `row 10: ${field} is true`);
  check(spec.automountServiceAccountToken === false, 'row 13: automountServiceAccountToken is not false');
  if (spec.serviceAccountName) {
    const account = objects.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === spec.serviceAccountName);
    check(account?.automountServiceAccountToken === false, `row 13: ServiceAccount ${spec.serviceAccountName} is missing or mounts its token`);
  }
  check(spec.enableServiceLinks === false, 'row 14: enableServiceLinks is not false');
  check(podSc.sysctls === undefined && podSc.seLinuxOptions === undefined && podSc.appArmorProfile === undefined, 'row 15: pod sets sysctls, SELinux or AppArmor options');
  for (const volume of spec.volumes ?? []) {
    const types = Object.keys(volume).filter((k) => k !== 'name');
    check(types.length === 1 && ALLOWED_VOLUME_TYPES.includes(types[0]), `row 12: volume ${volume.name} is of type ${types.join('+')}`);
    check(!(volume.projected?.sources ?? []).some((s: any) => s.serviceAccountToken), `row 12: volume ${volume.name} projects a service-account token`);
    if (volume.emptyDir) check(isPositiveQuantity(volume.emptyDir.sizeLimit), `row 9: emptyDir ${volume.name} has no sizeLimit`);
  }

  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const sc = c.securityContext ?? {};
    const at = `container ${c.name}`;
    check(sc.runAsNonRoot === true, `row 2: ${at} runAsNonRoot is not true`);
    check(isHighId(sc.runAsUser ?? podSc.runAsUser), `row 3: ${at} runs as UID ${sc.runAsUser ?? podSc.runAsUser}`);
    check(isHighId(sc.runAsGroup ?? podSc.runAsGroup), `row 4: ${at} runs as GID ${sc.runAsGroup ?? podSc.runAsGroup}`);
    check(sc.allowPrivilegeEscalation === false, `row 5: ${at} allowPrivilegeEscalation is not false`);
    check(sc.privileged === false || sc.privileged === undefined, `row 6: ${at} is privileged`);
    check(JSON.stringify(sc.capabilities?.drop) === '["ALL"]', `row 7: ${at} drops ${JSON.stringify(sc.capabilities?.drop)}`);
    check((sc.capabilities?.add ?? []).every((cap: string) => cap === 'NET_BIND_SERVICE'), `row 7: ${at} adds ${JSON.stringify(sc.capabilities?.add)}`);
    check(sc.seccompProfile === undefined || sc.seccompProfile.type === 'RuntimeDefault', `row 8: ${at} overrides seccomp with ${JSON.stringify(sc.seccompProfile)}`);
    check(sc.readOnlyRootFilesystem === true, `row 9: ${at} readOnlyRootFilesystem is not true`);
    check(!(c.ports ?? []).some((p: any) => p.hostPort), `row 11: ${at} binds a host port`);
    check(sc.procMount === undefined && sc.seLinuxOptions === undefined && sc.appArmorProfile === undefined, `row 15: ${at} sets procMount, SELinux or AppArmor options`);
    for (const kind of ['requests', 'limits']) {
      for (const resource of ['cpu', 'memory']) check(isPositiveQuantity(c.resources?.[kind]?.[resource]), `row 16: ${at} has no ${kind}.${resource}`);
    }
    check(isPositiveQuantity(c.resources?.limits?.['ephemeral-storage']), `row 17: ${at} has no ephemeral-storage limit`);
    check(/^[^\s@]+:[\w][\w.-]*$/.test(c.image) && !c.image.endsWith(':latest') || /^[^\s@]+@sha256:[a-f0-9]{64}$/.test(c.image),
      `row 21: ${at} image ${c.image} is not pinned`);
    check(!(c.env ?? []).some((e: any) => e.valueFrom?.secretKeyRef) && !(c.envFrom ?? []).some((e: any) => e.secretRef), `row 22: ${at} reads a Secret into its environment`);
  }
  return problems;
}
