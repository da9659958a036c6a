// SandboxHardening.harden over a cdk8s-plus-27 app (test/fixtures/cdk8s-plus-app/plain.ts) and the same app
// hardened by hand (by-hand.ts): both synthesize and audit to zero findings, the fields harden changes are
// asserted as concrete values (never through the rules), and the lines each file spends on sandboxing are
// counted from its source. Then what harden must refuse (a weakening set on purpose), what a suppression
// waives, what it leaves alone (the library's own constructs), and other producers of workloads (L1 objects,
// `Include` of the real-shaped installs in test/fixtures/harden).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Include } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as jsyaml from 'js-yaml';
import { KubeDeployment, KubeNetworkPolicy } from '../imports/k8s';
import { SandboxHardening, SandboxNamespace, SandboxedDeployment, type HardeningSuppression } from '../src';
import { auditObjects } from '../src/audit';
import { SandboxValidationError } from '../src/builders/errors';
import { byHandApp } from './fixtures/cdk8s-plus-app/by-hand';
import { ShopWorkloads, plainApp, shopWorkloads } from './fixtures/cdk8s-plus-app/plain';

const APP_FIXTURES = path.join(__dirname, 'fixtures', 'cdk8s-plus-app');
const HARDEN_FIXTURES = path.join(__dirname, 'fixtures', 'harden');
const SUPPRESS = 'cdk8s-sandbox.io/suppress';
const IMAGE = 'registry.example.com/shop/web:2.14.1';

// app.synth() writes files: never into the repository's dist/.
let outdir: string;
beforeAll(() => { outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-plus-harden-')); });
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

/** The objects `app.synthYaml()` writes, as kubectl would read them. */
function synthesized(app: App): any[] {
  return (jsyaml.loadAll(app.synthYaml()) as any[]).filter((o) => o && typeof o === 'object');
}

/** The objects of the ApiObjects under `scope` as they would be written now (harden's wrapped toJson), without synthesizing. */
function objectsUnder(scope: { node: { findAll(): any[] } }): any[] {
  return scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson());
}

function find(objects: readonly any[], kind: string, name: string): any {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!found) throw new Error(`no ${kind}/${name} among ${objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
  return found;
}

function podSpecOf(obj: any): any {
  return obj.kind === 'CronJob' ? obj.spec.jobTemplate.spec.template.spec : obj.spec.template.spec;
}

function jobSpecOf(obj: any): any {
  return obj.kind === 'CronJob' ? obj.spec.jobTemplate.spec : obj.spec;
}

/** The four workloads of the shop in the synthesized objects, by their cdk8s-plus construct. */
function shopObjects(objects: readonly any[], w: ShopWorkloads): { web: any; migrate: any; cache: any; report: any } {
  return {
    web: find(objects, 'Deployment', ApiObject.of(w.web).name),
    migrate: find(objects, 'Job', ApiObject.of(w.migrate).name),
    cache: find(objects, 'StatefulSet', ApiObject.of(w.cache).name),
    report: find(objects, 'CronJob', ApiObject.of(w.report).name),
  };
}

/** `Kind/name rule path` of each audit finding. */
function findingsOf(objects: readonly any[], options: Parameters<typeof auditObjects>[1] = {}): string[] {
  return auditObjects(objects, options).findings.map((f) => `${f.object.kind}/${f.object.name} ${f.rule} ${f.path}`);
}

/**
 * The synth guard's errors of `app.synth()`, as `constructPath Kind/name rule field` (a line the pattern does
 * not read is kept whole, so it shows in a failed comparison); [] when synth succeeds.
 */
function synthErrors(app: App): string[] {
  try {
    app.synth();
    return [];
  } catch (e) {
    return String((e as Error).message).split('\n').filter((l) => l.includes('[cdk8s-sandbox-synth-guard]')).map((l) => {
      const m = /\[cdk8s-sandbox-synth-guard\] \[([^\]]+)\] \[([a-z-]+)\] (\S+\/\S+) ([^\s:]+):/.exec(l);
      return m ? `${m[1]} ${m[3]} ${m[2]} ${m[4]}` : l.trim();
    });
  }
}

/** A chart in a fresh app that writes into the test's temporary directory. */
function newChart(id = 'shop', namespace: string | null = 'shop'): { app: App; chart: Chart } {
  const app = new App({ outdir });
  return { app, chart: new Chart(app, id, namespace !== null ? { namespace } : {}) };
}

function denyAll(chart: Chart, namespace?: string): void {
  new KubeNetworkPolicy(chart, 'deny-all', { metadata: namespace ? { namespace } : {}, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } });
}

/**
 * The non-blank, non-comment lines a fixture spends on sandboxing: those between `// sandbox:begin` and
 * `// sandbox:end`, and lines elsewhere tagged with a trailing `// sandbox` (props a cdk8s-plus workload takes
 * only at construction, the imports only sandboxing uses).
 */
function sandboxingLines(file: string): string[] {
  const lines: string[] = [];
  let inside = false;
  for (const raw of fs.readFileSync(path.join(APP_FIXTURES, file), 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '// sandbox:begin' || line === '// sandbox:end') {
      if (inside === (line === '// sandbox:begin')) throw new Error(`${file}: unbalanced ${line}`);
      inside = !inside;
      continue;
    }
    const code = line !== '' && !/^(\/\/|\/\*|\*)/.test(line);
    if (code && (inside || / \/\/ sandbox$/.test(line))) lines.push(line);
  }
  if (inside) throw new Error(`${file}: a sandbox:begin without its sandbox:end`);
  return lines;
}

// The values asserted below are written out, not read from SANDBOX_DEFAULTS or the rules: a wrong default
// must not pass because the test reads the same wrong value.
const POD_SECURITY = { fsGroupChangePolicy: 'Always', runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } };
const CONTAINER_SECURITY = { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } };
/** cdk8s-plus's own cpu and memory defaults, which harden keeps (they are set), plus the profile's ephemeral storage. */
const CDK8S_PLUS_RESOURCES = { limits: { 'cpu': '1500m', 'memory': '2048Mi', 'ephemeral-storage': '256Mi' }, requests: { 'cpu': '1000m', 'memory': '512Mi', 'ephemeral-storage': '64Mi' } };

describe('the cdk8s-plus-27 app hardened with SandboxHardening.harden', () => {
  test('synthesizes, and the audit over the whole synthesized set finds nothing (44 findings before)', () => {
    // Before: the same workloads without the sandbox part.
    const bare = newChart();
    shopWorkloads(bare.chart);
    const before = auditObjects(synthesized(bare.app));
    const byObject: Record<string, number> = {};
    for (const f of before.findings) byObject[f.object.kind] = (byObject[f.object.kind] ?? 0) + 1;
    expect(byObject).toEqual({ Deployment: 10, Job: 12, StatefulSet: 10, CronJob: 12 });

    const { app, workloads, hardening } = plainApp(new App({ outdir }));
    const objects = synthesized(app);
    const after = auditObjects(objects);
    console.log(`cdk8s-plus app: ${before.findings.length} audit findings before SandboxHardening.harden, ${after.findings.length} after (${after.suppressed} suppressed)`);
    expect(before.findings).toHaveLength(44);
    // Zero over the whole set: the per-object rules and the cross-resource ones (network-isolation through the
    // SandboxNetworkPolicy, availability through the budgets harden added). The namespace rules (namespace-pod-security,
    // namespace-quota) judge Namespace objects, and the app has none: namespace `shop` is the cluster's, made
    // outside this app. The test below puts the app in a SandboxNamespace, where they do apply.
    expect([after.findings, after.suppressions, after.problems, after.exitCode]).toEqual([[], [], [], 0]);
    expect(hardening.workloads.map((o) => o.kind)).toEqual(['Deployment', 'Job', 'StatefulSet', 'CronJob']);
    // Each hardened workload on its own, as the set judges it: nothing.
    const own = shopObjects(objects, workloads);
    for (const obj of Object.values(own)) expect(findingsOf(objects).filter((f) => f.startsWith(`${obj.kind}/${obj.metadata.name} `))).toEqual([]);
    // synth() writes the same and passes the synth guard too.
    expect(synthErrors(app)).toEqual([]);
  });

  test('the fields harden changes, on each of the four workloads', () => {
    const { app, workloads } = plainApp(new App({ outdir }));
    const objects = synthesized(app);
    const own = shopObjects(objects, workloads);
    for (const obj of Object.values(own)) {
      const pod = podSpecOf(obj);
      expect([obj.kind, pod.runtimeClassName, pod.automountServiceAccountToken, pod.enableServiceLinks]).toEqual([obj.kind, 'gvisor', false, false]);
      expect(pod.securityContext).toEqual(POD_SECURITY);
      expect(pod.containers).toHaveLength(1);
      expect(pod.containers[0].securityContext).toEqual(CONTAINER_SECURITY);
      expect(pod.containers[0].resources).toEqual(CDK8S_PLUS_RESOURCES);
      expect(pod.hostNetwork).toBe(false);
    }
    // Jobs: a deadline, a TTL, no retries, never restarted in place.
    for (const obj of [own.migrate, own.report]) {
      const job = jobSpecOf(obj);
      expect([job.activeDeadlineSeconds, job.ttlSecondsAfterFinished, job.backoffLimit, job.template.spec.restartPolicy]).toEqual([3600, 300, 0, 'Never']);
    }
    for (const obj of [own.web, own.cache]) expect(podSpecOf(obj).restartPolicy).toBe('Always');
    // What the team wrote is kept as written.
    const web = podSpecOf(own.web);
    expect(web.containers[0]).toMatchObject({ image: IMAGE, ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: '/healthz', port: 8080 } }, env: [{ name: 'SHOP_ENV', value: 'production' }] });
    expect(web.volumes).toEqual([{ name: web.containers[0].volumeMounts[0].name, configMap: { name: expect.stringMatching(/^shop-web-config-/) } }]);
    expect(web.containers[0].volumeMounts).toEqual([{ mountPath: '/etc/nginx/conf.d', name: web.volumes[0].name }]);
    expect(podSpecOf(own.cache).containers[0].args).toEqual(['--save', '', '--appendonly', 'no']);
    expect(own.cache.spec.serviceName).toMatch(/^shop-cache-headless-/);
    expect(own.report.spec.schedule).toBe('0 0 * * *');
    // cdk8s-plus sets readOnlyRootFilesystem: true itself, so harden (which fills only unset fields) adds no
    // writable /tmp to these pods; by-hand.ts gives each one (see the comparison below).
    for (const obj of Object.values(own)) expect(podSpecOf(obj).containers[0].volumeMounts?.some((m: any) => m.mountPath === '/tmp') ?? false).toBe(false);
  });

  test('a PodDisruptionBudget for the replicated Deployment and StatefulSet, by the workload\'s real selector; none for the Jobs', () => {
    const { app, workloads, hardening } = plainApp(new App({ outdir }));
    const objects = synthesized(app);
    const own = shopObjects(objects, workloads);
    const budgets = objects.filter((o) => o.kind === 'PodDisruptionBudget');
    expect(budgets.map((b) => b.metadata.name)).toEqual([`${own.web.metadata.name}-sandbox-pdb`, `${own.cache.metadata.name}-sandbox-pdb`]);
    expect(hardening.budgets).toHaveLength(2);
    for (const [budget, obj, w] of [[budgets[0], own.web, workloads.web], [budgets[1], own.cache, workloads.cache]] as const) {
      expect(budget.metadata.namespace).toBe('shop');
      expect(budget.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: w.matchLabels } });
      // cdk8s-plus selects its pods by the construct's address label; the budget selects exactly those.
      expect(Object.keys(w.matchLabels)).toEqual(['cdk8s.io/metadata.addr']);
      expect(budget.spec.selector).toEqual(obj.spec.selector);
      expect(obj.spec.template.metadata.labels).toMatchObject(w.matchLabels);
    }
    expect([own.web.spec.replicas, own.cache.spec.replicas]).toEqual([2, 3]);
  });

  test('the SandboxNetworkPolicy selects exactly the four workloads\' pods, by their cdk8s-plus labels, and denies all', () => {
    const { app, workloads } = plainApp(new App({ outdir }));
    const policies = synthesized(app).filter((o) => o.kind === 'NetworkPolicy');
    const addresses = Object.values(workloads).map((w) => (ApiObject.of(w).toJson() as any).spec.template?.metadata?.labels?.['cdk8s.io/metadata.addr']
      ?? (ApiObject.of(w).toJson() as any).spec.jobTemplate.spec.template.metadata.labels['cdk8s.io/metadata.addr']);
    expect(addresses.every((a) => typeof a === 'string' && a.length > 0)).toBe(true);
    expect(policies).toEqual([{
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
      metadata: { name: 'isolation', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-sandbox' } },
      spec: { podSelector: { matchExpressions: [{ key: 'cdk8s.io/metadata.addr', operator: 'In', values: [...addresses].sort() }] }, policyTypes: ['Ingress', 'Egress'] },
    }]);
  });

  test('in a SandboxNamespace the namespace rules apply too, and the set still audits to zero', () => {
    const { app, chart: namespaces } = newChart('namespaces', null);
    const namespace = new SandboxNamespace(namespaces, 'shop', { name: 'shop' });
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    shopWorkloads(chart);
    SandboxHardening.harden(chart, { namespace });
    const objects = synthesized(app);
    expect(objects.filter((o) => ['Namespace', 'ResourceQuota', 'LimitRange'].includes(o.kind)).map((o) => o.kind).sort()).toEqual(['LimitRange', 'Namespace', 'ResourceQuota']);
    expect(findingsOf(objects)).toEqual([]);
    expect(synthErrors(app)).toEqual([]);
  });

  test('a workload changed after the call is hardened as written out: a sidecar added later drops ALL too', () => {
    const { app, chart } = newChart();
    const web = new kplus.Deployment(chart, 'web', { containers: [{ name: 'web', image: IMAGE, portNumber: 8080 }] });
    denyAll(chart);
    SandboxHardening.harden(chart);
    web.addContainer({ name: 'log-shipper', image: 'registry.example.com/shop/log-shipper:1.4.0' });
    const pod = podSpecOf(find(synthesized(app), 'Deployment', ApiObject.of(web).name));
    expect(pod.containers.map((c: any) => [c.name, c.securityContext.capabilities, c.resources.limits['ephemeral-storage']])).toEqual([
      ['web', { drop: ['ALL'] }, '256Mi'], ['log-shipper', { drop: ['ALL'] }, '256Mi'],
    ]);
    expect(findingsOf(synthesized(app))).toEqual([]);
  });

  // harden() finds the workloads under the scope when it is called; one added later (here privileged, :latest)
  // would go out unhardened and unchecked, so synth refuses it, naming its construct path.
  test('a workload added under the scope after harden() fails synth: it would be neither hardened nor checked', () => {
    const { app, chart } = newChart();
    denyAll(chart);
    SandboxHardening.harden(chart);
    new kplus.Deployment(chart, 'late', { containers: [{ image: 'registry.example.com/shop/web:latest', securityContext: { privileged: true } }] });
    expect(synthErrors(app).filter((l) => l.includes('shop/late/'))).toEqual([
      expect.stringMatching(/\[shop\/late\/Resource\] Deployment "shop-late-[0-9a-f]+" was added under shop after SandboxHardening.harden, so it is neither hardened nor checked; call harden after adding every workload/),
    ]);
  });
});

describe('the same app hardened by hand (by-hand.ts)', () => {
  test('synthesizes and audits to zero findings', () => {
    const { app } = byHandApp(new App({ outdir }));
    const objects = synthesized(app);
    const result = auditObjects(objects);
    expect([result.findings, result.suppressions, result.problems, result.exitCode]).toEqual([[], [], [], 0]);
  });

  test('ends where harden ends, field for field, but for the writable /tmp it adds and the budgets\' names', () => {
    const plain = plainApp(new App({ outdir }));
    const byHand = byHandApp(new App({ outdir }));
    const hardened = shopObjects(synthesized(plain.app), plain.workloads);
    const handObjects = synthesized(byHand.app);
    const hand = shopObjects(handObjects, byHand.workloads);
    for (const key of ['web', 'migrate', 'cache', 'report'] as const) {
      const obj = JSON.parse(JSON.stringify(hand[key]));
      const pod = podSpecOf(obj);
      // by-hand.ts mounts a 64Mi emptyDir at /tmp in every container; harden adds none here (see above).
      expect(pod.volumes.filter((v: any) => v.name === 'sandbox-tmp')).toEqual([{ name: 'sandbox-tmp', emptyDir: { sizeLimit: '64Mi' } }]);
      expect(pod.containers[0].volumeMounts.filter((m: any) => m.name === 'sandbox-tmp')).toEqual([{ name: 'sandbox-tmp', mountPath: '/tmp' }]);
      pod.volumes = pod.volumes.filter((v: any) => v.name !== 'sandbox-tmp');
      if (pod.volumes.length === 0) delete pod.volumes;
      for (const c of pod.containers) {
        c.volumeMounts = c.volumeMounts.filter((m: any) => m.name !== 'sandbox-tmp');
        if (c.volumeMounts.length === 0) delete c.volumeMounts;
      }
      expect(obj).toEqual(hardened[key]);
    }
    const budgets = handObjects.filter((o) => o.kind === 'PodDisruptionBudget');
    expect(budgets.map((b) => b.spec)).toEqual([
      { maxUnavailable: 1, selector: hand.web.spec.selector }, { maxUnavailable: 1, selector: hand.cache.spec.selector },
    ]);
  });

  test('lines of code to sandbox the app: SandboxHardening takes fewer than doing it by hand', () => {
    const withHarden = sandboxingLines('plain.ts');
    const byHand = sandboxingLines('by-hand.ts');
    // writableTmp(): its signature, two lines of body, its closing brace, and the call.
    const tmpLines = byHand.filter((l) => /writableTmp|fromEmptyDir|container\.mount\('\/tmp'/.test(l)).length + 1;
    console.log(`lines of code to sandbox the cdk8s-plus app: by hand ${byHand.length} (of which about ${tmpLines} give the writable /tmp harden does not add here), with SandboxHardening.harden ${withHarden.length}`);
    expect(withHarden.length).toBeGreaterThan(0);
    expect(withHarden.length).toBeLessThan(byHand.length);
  });
});

describe('what harden refuses, waives and leaves alone', () => {
  const weakenings: [string, (chart: Chart) => kplus.Deployment, string, string][] = [
    ['securityContext user 101', (c) => new kplus.Deployment(c, 'web', { securityContext: { user: 101 }, containers: [{ image: IMAGE, portNumber: 8080 }] }),
      'run-as-high-uid', 'spec.template.spec.securityContext.runAsUser'],
    ['a privileged container', (c) => new kplus.Deployment(c, 'web', { containers: [{ image: IMAGE, securityContext: { privileged: true } }] }),
      'not-privileged', 'spec.template.spec.containers[0].securityContext.privileged'],
    ['a hostPath volume', (c) => {
      const d = new kplus.Deployment(c, 'web', { containers: [{ image: IMAGE }] });
      d.containers[0].mount('/var/log/host', kplus.Volume.fromHostPath(c, 'host-logs', 'host-logs', { path: '/var/log' }));
      return d;
    }, 'allowed-volume-types', 'spec.template.spec.volumes[0].hostPath'],
    ['an image tagged :latest', (c) => new kplus.Deployment(c, 'web', { containers: [{ image: 'registry.example.com/shop/web:latest' }] }),
      'image-pinned', 'spec.template.spec.containers[0].image'],
  ];

  test.each(weakenings)('a cdk8s-plus Deployment with %s fails app.synth(), naming the construct path and the field', (_what, make, rule, field) => {
    const { app, chart } = newChart();
    const web = make(chart);
    denyAll(chart);
    SandboxHardening.harden(chart);
    expect(synthErrors(app)).toEqual([`shop/web/Resource Deployment/${ApiObject.of(web).name} ${rule} ${field}`]);
  });

  test('a suppression with its reason for a waivable rule is recorded on the workload as its annotation', () => {
    const { chart } = newChart();
    const web = weakenings[0][1](chart);
    denyAll(chart);
    SandboxHardening.harden(chart, { suppressions: [{ rule: 'run-as-high-uid', kind: 'Deployment', reason: 'the image owns its nginx directories as UID 101 (www-data)' }] });
    const json = ApiObject.of(web).toJson();
    expect(json.metadata.annotations).toEqual({ [SUPPRESS]: 'run-as-high-uid: the image owns its nginx directories as UID 101 (www-data)' });
    // The UID stays as written; everything else is filled.
    expect(podSpecOf(json).securityContext).toEqual({ ...POD_SECURITY, runAsUser: 101 });
    expect(podSpecOf(json).runtimeClassName).toBe('gvisor');
    // The audit honours it: no finding, one suppression with its reason.
    const result = auditObjects(objectsUnder(chart));
    expect([result.findings, result.suppressions.map((s) => `${s.rule}: ${s.reason}`)]).toEqual([[], ['run-as-high-uid: the image owns its nginx directories as UID 101 (www-data)']]);
  });

  // The synth guard honours the suppression annotation harden records, as the audit does.
  test('... and the app then synthesizes, the annotation written', () => {
    const { app, chart } = newChart();
    weakenings[0][1](chart);
    denyAll(chart);
    SandboxHardening.harden(chart, { suppressions: [{ rule: 'run-as-high-uid', kind: 'Deployment', reason: 'the image owns its nginx directories as UID 101 (www-data)' }] });
    expect(synthErrors(app)).toEqual([]);
    expect(synthesized(app).find((o) => o.kind === 'Deployment').metadata.annotations[SUPPRESS]).toMatch(/^run-as-high-uid: /);
  });

  test.each(['not-privileged', 'no-privilege-escalation', 'no-host-namespaces', 'no-host-process'])('%s cannot be suppressed: harden throws a SandboxValidationError', (rule) => {
    const { chart } = newChart();
    weakenings[1][1](chart);
    let error: unknown;
    try {
      SandboxHardening.harden(chart, { suppressions: [{ rule, reason: 'the workload needs it' }] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SandboxValidationError);
    expect([(error as SandboxValidationError).where, (error as SandboxValidationError).field]).toEqual(['shop', 'suppressions[0].rule']);
    expect((error as Error).message).toMatch(/cannot be waived/);
  });

  test('a suppression that names no rule, or gives no reason, is refused too', () => {
    const { chart } = newChart();
    const bad: [HardeningSuppression, string][] = [
      [{ rule: 'run-as-high-uids', reason: 'typo' }, 'suppressions[0].rule'],
      [{ rule: 'run-as-high-uid', reason: ' ' }, 'suppressions[0].reason'],
      [{ rule: 'run-as-high-uid', reason: 'two\nlines' }, 'suppressions[0].reason'],
    ];
    for (const [suppression, field] of bad) {
      expect(() => SandboxHardening.harden(chart, { suppressions: [suppression] })).toThrow(expect.objectContaining({ name: 'SandboxValidationError', field }));
    }
  });

  test('a hostPath volume stays refused even when its rule is suppressed (the hostPath part is unwaivable)', () => {
    const { app, chart } = newChart();
    const web = weakenings[2][1](chart);
    denyAll(chart);
    SandboxHardening.harden(chart, { suppressions: [{ rule: 'allowed-volume-types', reason: 'it reads the node\'s logs' }] });
    expect(synthErrors(app)).toEqual([
      `shop/web/Resource Deployment/${ApiObject.of(web).name} allowed-volume-types spec.template.spec.volumes[0].hostPath`,
      `shop/web/Resource Deployment/${ApiObject.of(web).name} suppression-unwaivable metadata.annotations["cdk8s-sandbox.io/suppress"]`,
    ]);
    expect(findingsOf(objectsUnder(chart))).toEqual([
      `Deployment/${ApiObject.of(web).name} allowed-volume-types spec.template.spec.volumes[0].hostPath`,
      `Deployment/${ApiObject.of(web).name} suppression-unwaivable metadata.annotations["${SUPPRESS}"]`,
    ]);
  });

  test('objects of the library\'s own constructs under the scope are left as they were', () => {
    const build = (harden: boolean) => {
      const { app, chart } = newChart();
      const api = new SandboxedDeployment(chart, 'api', { image: 'registry.example.com/shop/api:2.14.1' });
      new kplus.Deployment(chart, 'web', { containers: [{ image: IMAGE, portNumber: 8080 }] });
      denyAll(chart);
      const hardening = harden ? SandboxHardening.harden(chart) : undefined;
      synthesized(app);
      return { own: objectsUnder(api), api, hardening, app };
    };
    const without = build(false);
    const withHarden = build(true);
    expect(withHarden.own.map((o) => o.kind).sort()).toEqual(['Deployment', 'PodDisruptionBudget', 'ServiceAccount']);
    expect(withHarden.own).toEqual(without.own);
    // Only the cdk8s-plus Deployment was taken, and no second budget was made for the SandboxedDeployment.
    expect(withHarden.hardening!.workloads.map((o) => o.node.path)).toEqual(['shop/web/Resource']);
    expect(withHarden.hardening!.budgets.map((o) => o.node.path)).toEqual(['shop/web/Resource-sandbox-pdb']);
    expect(findingsOf(synthesized(withHarden.app))).toEqual([]);
  });

  test('an L1 KubeDeployment is hardened too: fields, a writable /tmp, a budget by its selector, zero findings', () => {
    const { app, chart } = newChart();
    new KubeDeployment(chart, 'worker', {
      metadata: { name: 'worker' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'worker' } },
        template: {
          metadata: { labels: { 'app.kubernetes.io/name': 'worker' } },
          spec: { containers: [{ name: 'worker', image: 'registry.example.com/shop/worker:2.14.1', args: ['--queue', 'orders'] }] },
        },
      },
    });
    denyAll(chart);
    SandboxHardening.harden(chart);
    const objects = synthesized(app);
    const pod = podSpecOf(find(objects, 'Deployment', 'worker'));
    expect(pod).toEqual({
      runtimeClassName: 'gvisor', automountServiceAccountToken: false, enableServiceLinks: false,
      securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
      volumes: [{ name: 'sandbox-tmp', emptyDir: { sizeLimit: '64Mi' } }],
      containers: [{
        name: 'worker', image: 'registry.example.com/shop/worker:2.14.1', args: ['--queue', 'orders'],
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
        volumeMounts: [{ name: 'sandbox-tmp', mountPath: '/tmp' }],
        resources: { limits: { 'cpu': '500m', 'memory': '512Mi', 'ephemeral-storage': '256Mi' }, requests: { 'cpu': '250m', 'memory': '256Mi', 'ephemeral-storage': '64Mi' } },
      }],
    });
    expect(find(objects, 'PodDisruptionBudget', 'worker-sandbox-pdb').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'worker' } } });
    expect(findingsOf(objects)).toEqual([]);
    expect(synthErrors(app)).toEqual([]);
  });
});

describe('Include of the real-shaped installs', () => {
  const tokenFor = (name: string, why: string): HardeningSuppression => ({ rule: 'no-service-account-token', name, reason: why });
  /** The argo-cd workloads that call the Kubernetes API; by name, so the application controller's ServiceAccount is covered too. */
  const ARGO_TOKENS = [
    tokenFor('argocd-dex-server', 'dex reads argocd-cm and argocd-secret through the API'),
    tokenFor('argocd-redis', 'its secret-init container creates the argocd-redis Secret through the API'),
    tokenFor('argocd-server', 'it serves the Argo CD API over the cluster\'s state'),
    tokenFor('argocd-application-controller', 'it applies the applications\' manifests to the cluster'),
  ];
  /** What the argo-cd install still has that no field change keeps working: low UIDs and Secrets in env. */
  const ARGO_REFUSALS = [
    'argo/argo-cd/argocd-dex-server-deployment Deployment/argocd-dex-server run-as-high-uid spec.template.spec.containers[0].securityContext.runAsUser',
    'argo/argo-cd/argocd-redis-deployment Deployment/argocd-redis run-as-high-uid spec.template.spec.securityContext.runAsUser',
    'argo/argo-cd/argocd-redis-deployment Deployment/argocd-redis run-as-high-uid spec.template.spec.securityContext.runAsUser',
    'argo/argo-cd/argocd-redis-deployment Deployment/argocd-redis no-secret-env spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef',
    'argo/argo-cd/argocd-repo-server-deployment Deployment/argocd-repo-server no-secret-env spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef',
  ];

  /** argo-cd.yaml included in a chart without a namespace (install.yaml is applied with -n; it has ClusterRoles), hardened. */
  function argo(suppressions: HardeningSuppression[]): { app: App; chart: Chart; hardening: SandboxHardening } {
    const { app, chart } = newChart('argo', null);
    new Include(chart, 'argo-cd', { url: path.join(HARDEN_FIXTURES, 'argo-cd.yaml') });
    denyAll(chart);
    return { app, chart, hardening: SandboxHardening.harden(chart, { suppressions }) };
  }

  test('argo-cd: the workloads are hardened in place; synth lists what is still refused (low UIDs, Secrets in env)', () => {
    const { app, chart, hardening } = argo(ARGO_TOKENS);
    expect(hardening.workloads.map((o) => `${o.kind}/${o.name}`)).toEqual([
      'Deployment/argocd-dex-server', 'Deployment/argocd-redis', 'Deployment/argocd-repo-server', 'Deployment/argocd-server', 'StatefulSet/argocd-application-controller',
    ]);
    expect(hardening.serviceAccounts.map((o) => o.name)).toEqual(['argocd-application-controller']);
    expect(synthErrors(app)).toEqual(ARGO_REFUSALS);

    const objects = objectsUnder(chart);
    const server = podSpecOf(find(objects, 'Deployment', 'argocd-server'));
    expect(server).toMatchObject({ runtimeClassName: 'gvisor', enableServiceLinks: false, securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534 } });
    // Its container sets seccomp RuntimeDefault itself (as upstream): the pod level is left unset.
    expect([server.securityContext.seccompProfile, server.containers[0].securityContext.seccompProfile]).toEqual([undefined, { type: 'RuntimeDefault' }]);
    // Its token was asked for with a reason: left as the install has it (unset: the ServiceAccount's default).
    expect(server.automountServiceAccountToken).toBeUndefined();
    expect(server.containers[0].resources).toEqual({ limits: { 'cpu': '500m', 'memory': '512Mi', 'ephemeral-storage': '256Mi' }, requests: { 'cpu': '250m', 'memory': '256Mi', 'ephemeral-storage': '64Mi' } });
    expect(find(objects, 'Deployment', 'argocd-server').metadata.annotations[SUPPRESS]).toBe('no-service-account-token: it serves the Argo CD API over the cluster\'s state');
    const controller = find(objects, 'StatefulSet', 'argocd-application-controller');
    expect(podSpecOf(controller).securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534 });
    expect(find(objects, 'ServiceAccount', 'argocd-application-controller').automountServiceAccountToken).toBeUndefined();
    // A replicated install workload would get a budget; argo-cd's are single replicas.
    expect(hardening.budgets).toEqual([]);
    // The audit of the hardened set finds exactly what synth refuses, and nothing on the hardenable workloads.
    const audit = auditObjects(objects);
    expect(audit.findings.map((f) => `${f.object.kind}/${f.object.name} ${f.rule} ${f.path}`)).toEqual(ARGO_REFUSALS.map((l) => l.split(' ').slice(1).join(' ')));
    expect(audit.suppressions.map((s) => `${s.object.kind}/${s.object.name} ${s.rule}`).sort()).toEqual([
      'Deployment/argocd-dex-server no-service-account-token', 'Deployment/argocd-redis no-service-account-token', 'Deployment/argocd-server no-service-account-token',
      'ServiceAccount/argocd-application-controller no-service-account-token', 'StatefulSet/argocd-application-controller no-service-account-token',
    ]);
    console.log(`argo-cd.yaml under Include: ${auditObjects(jsyaml.loadAll(fs.readFileSync(path.join(HARDEN_FIXTURES, 'argo-cd.yaml'), 'utf8')) as any[]).findings.length} audit findings before SandboxHardening.harden, ${audit.findings.length} after (the refusals; ${audit.suppressed} suppressed with their reasons)`);
  });

  // The token suppressions of ARGO_TOKENS are honoured by synth, which lists only the refusals.
  test('argo-cd: the token suppressions are honoured by synth, which lists only the refusals', () => {
    const { app } = argo(ARGO_TOKENS);
    expect(synthErrors(app)).toEqual(ARGO_REFUSALS);
  });

  // A token suppression given for the StatefulSet alone leaves its pods' field unset, so they take the token their
  // ServiceAccount gives: harden leaves that account's setting alone and refuses it until it is waived too.
  test('argo-cd: a token suppression on the StatefulSet keeps its pods\' token, and its ServiceAccount is refused until waived too', () => {
    const { app, chart } = argo([{ ...ARGO_TOKENS[3], kind: 'StatefulSet' }]);
    expect(synthErrors(app).filter((l) => l.includes('ServiceAccount/argocd-application-controller'))).toEqual([
      expect.stringMatching(/ServiceAccount\/argocd-application-controller no-service-account-token automountServiceAccountToken$/),
    ]);
    const objects = objectsUnder(chart);
    const pod = podSpecOf(find(objects, 'StatefulSet', 'argocd-application-controller'));
    const account = find(objects, 'ServiceAccount', pod.serviceAccountName);
    expect(pod.automountServiceAccountToken ?? account.automountServiceAccountToken ?? true).toBe(true);
  });

  test('kube-prometheus: the node-exporter DaemonSet (hostNetwork, hostPID, hostPath, SYS_TIME, a host port) is refused field by field', () => {
    const { app, chart } = newChart('monitoring', null);
    new Include(chart, 'kube-prometheus', { url: path.join(HARDEN_FIXTURES, 'kube-prometheus.yaml') });
    denyAll(chart, 'monitoring');
    const needsToken = (name: string) => tokenFor(name, 'an API client (kube-rbac-proxy makes TokenReviews; the operator and kube-state-metrics read the cluster)');
    SandboxHardening.harden(chart, { suppressions: ['prometheus-operator', 'kube-state-metrics', 'blackbox-exporter'].map(needsToken) });
    const errors = synthErrors(app);
    const at = 'monitoring/kube-prometheus/node-exporter-daemonset-monitoring DaemonSet/node-exporter';
    expect(errors.filter((l) => l.includes('DaemonSet/node-exporter'))).toEqual([
      `${at} drop-all-capabilities spec.template.spec.containers[0].securityContext.capabilities.add`,
      `${at} no-host-namespaces spec.template.spec.hostNetwork`,
      `${at} no-host-namespaces spec.template.spec.hostPID`,
      `${at} no-host-ports spec.template.spec.containers[1].ports[0].hostPort`,
      `${at} allowed-volume-types spec.template.spec.volumes[0].hostPath`,
      `${at} allowed-volume-types spec.template.spec.volumes[1].hostPath`,
      `${at} no-service-account-token spec.template.spec.automountServiceAccountToken`,
    ]);
    // Nothing else: the three suppressed tokens are waived.
    expect(errors.filter((l) => !l.includes('DaemonSet/node-exporter'))).toEqual([]);
    // The host-level agent's host access cannot be waived.
    expect(() => SandboxHardening.harden(chart, { suppressions: [{ rule: 'no-host-namespaces', kind: 'DaemonSet', reason: 'it reads the node' }] })).toThrow(SandboxValidationError);
  });
});
