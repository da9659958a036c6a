// SandboxNetworkPolicy over workloads this library did not build, by reference with WorkloadSelector.of: cdk8s-plus-27
// Deployments, StatefulSets, Jobs and CronJobs, L1 KubeDeployments and Include'd objects, in `selects` and as
// NetworkPeer.workload, selected by the labels their objects really carry; every refusal with its message; wrong
// objects passed from JavaScript refused, never an empty selector; and the isolation check seeing them isolated.
import * as fs from 'fs';
import * as path from 'path';
import { transformSync } from '@swc/core';
import { ApiObject, Chart, Cron, Include, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import * as k8s from '../imports/k8s';
import {
  CodeRunnerJob, NetworkPeer, NetworkRule, SandboxNamespace, SandboxNetworkPolicy, SandboxNetworkPolicyProps, SandboxedDeployment, WorkloadSelector,
} from '../src';
import { SandboxSynthGuard } from '../src/constructs/synth-guard';
import { crossResourceRuleById, resolveCrossResourceOptions } from '../src/profile';
import { thrown } from './helpers/errors';

const FIXTURES = path.join(__dirname, 'fixtures', 'network-select');
const IMAGE = 'ghcr.io/example/app:1.0.0';
const ADDR = 'cdk8s.io/metadata.addr';
const DENY = ['Ingress', 'Egress'];

/** A chart in namespace `apps` (or `namespace`) of a fresh app. */
const newChart = (namespace: string | undefined = 'apps', id = 'c') => new Chart(Testing.app(), id, namespace ? { namespace } : {});

const plusDeployment = (scope: Construct, id = 'web') => new kplus.Deployment(scope, id, { containers: [{ image: IMAGE }] });
const plusStatefulSet = (scope: Construct, id = 'db') => new kplus.StatefulSet(scope, id, { containers: [{ image: IMAGE, ports: [{ number: 5432 }] }] });
const plusJob = (scope: Construct, id = 'migrate') => new kplus.Job(scope, id, { containers: [{ image: IMAGE }] });
const plusCronJob = (scope: Construct, id = 'report') => new kplus.CronJob(scope, id, { containers: [{ image: IMAGE }], schedule: Cron.daily() });
const l1Deployment = (scope: Construct, id = 'store', namespace?: string) => new k8s.KubeDeployment(scope, id, {
  metadata: { name: id, ...(namespace ? { namespace } : {}) },
  spec: {
    selector: { matchLabels: { 'app.kubernetes.io/name': id } },
    template: { metadata: { labels: { 'app.kubernetes.io/name': id, 'app.kubernetes.io/part-of': 'shop' } }, spec: { containers: [{ name: id, image: IMAGE }] } },
  },
});
const include = (scope: Construct, file: string, id = 'shop') => new Include(scope, id, { url: path.join(FIXTURES, file) });

/** The synthesized objects of a chart's app (the synth guard runs), by kind and name. */
function synthOf(chart: Chart): { find: (kind: string, name?: string) => any; all: any[] } {
  const all = Testing.synth(chart);
  return { all, find: (kind, name) => all.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name)) };
}

/** What a SandboxNetworkPolicy with `props` in `scope` throws at construction. */
const refusal = (scope: Construct, props: SandboxNetworkPolicyProps, id = 'pol') => thrown(() => new SandboxNetworkPolicy(scope, id, props));

describe('selects: the pods of a workload the library did not build, by its real selector', () => {
  test('a cdk8s-plus-27 Deployment: its matchLabels (cdk8s.io/metadata.addr), in its chart\'s namespace', () => {
    const chart = newChart();
    const web = plusDeployment(chart);
    const policy = new SandboxNetworkPolicy(chart, 'web-net', { selects: [WorkloadSelector.of(web)] });
    const out = synthOf(chart);
    const np = out.find('NetworkPolicy', 'web-net');
    expect(np.metadata.namespace).toBe('apps');
    expect(np.spec).toEqual({ podSelector: { matchLabels: { [ADDR]: 'c-web-c81a99f2' } }, policyTypes: DENY });
    // The labels are the Deployment's own selector and pod labels, as synthesized.
    const deployment = out.find('Deployment');
    expect(deployment.spec.selector).toEqual({ matchLabels: { [ADDR]: 'c-web-c81a99f2' } });
    expect(deployment.spec.template.metadata.labels).toEqual({ [ADDR]: 'c-web-c81a99f2' });
    expect(policy.policy.toJson().spec.podSelector).toEqual(np.spec.podSelector);
  });

  test('a cdk8s-plus-27 StatefulSet: its matchLabels', () => {
    const chart = newChart();
    const db = plusStatefulSet(chart);
    new SandboxNetworkPolicy(chart, 'db-net', { selects: [WorkloadSelector.of(db)] });
    const out = synthOf(chart);
    expect(out.find('StatefulSet').spec.selector).toEqual({ matchLabels: { [ADDR]: 'c-db-c8ae5f1c' } });
    expect(out.find('NetworkPolicy', 'db-net').spec).toEqual({ podSelector: { matchLabels: { [ADDR]: 'c-db-c8ae5f1c' } }, policyTypes: DENY });
  });

  test('a cdk8s-plus-27 Job and CronJob: no selector is emitted, so their pod template\'s cdk8s.io/metadata.addr label', () => {
    const chart = newChart();
    const job = plusJob(chart);
    const cron = plusCronJob(chart);
    new SandboxNetworkPolicy(chart, 'job-net', { selects: [WorkloadSelector.of(job)] });
    new SandboxNetworkPolicy(chart, 'cron-net', { selects: [WorkloadSelector.of(cron)] });
    const out = synthOf(chart);
    const jobJson = out.find('Job');
    const cronJson = out.find('CronJob');
    expect(jobJson.spec.selector).toBeUndefined();
    expect(jobJson.spec.template.metadata.labels).toEqual({ [ADDR]: 'c-migrate-c8656c3f' });
    expect(cronJson.spec.jobTemplate.spec.template.metadata.labels).toEqual({ [ADDR]: 'c-report-c86fd545' });
    expect(out.find('NetworkPolicy', 'job-net').spec.podSelector).toEqual({ matchLabels: { [ADDR]: 'c-migrate-c8656c3f' } });
    expect(out.find('NetworkPolicy', 'cron-net').spec.podSelector).toEqual({ matchLabels: { [ADDR]: 'c-report-c86fd545' } });
    expect(out.find('NetworkPolicy', 'cron-net').metadata.namespace).toBe('apps');
  });

  test('a cdk8s-plus-27 DaemonSet (its matchLabels) and Pod (its own labels)', () => {
    const chart = newChart();
    const agent = new kplus.DaemonSet(chart, 'agent', { containers: [{ image: IMAGE }] });
    const pod = new kplus.Pod(chart, 'debug', { containers: [{ image: IMAGE }] });
    new SandboxNetworkPolicy(chart, 'agent-net', { selects: [WorkloadSelector.of(agent)] });
    new SandboxNetworkPolicy(chart, 'debug-net', { selects: [WorkloadSelector.of(pod)] });
    const out = synthOf(chart);
    expect(out.find('NetworkPolicy', 'agent-net').spec.podSelector).toEqual({ matchLabels: out.find('DaemonSet').spec.selector.matchLabels });
    expect(out.find('NetworkPolicy', 'agent-net').spec.podSelector).toEqual({ matchLabels: { [ADDR]: expect.stringMatching(/^c-agent-c8[0-9a-f]{6}$/) } });
    expect(out.find('NetworkPolicy', 'debug-net').spec.podSelector).toEqual({ matchLabels: out.find('Pod').metadata.labels });
    expect(out.find('Pod').metadata.labels).toEqual({ [ADDR]: expect.stringMatching(/^c-debug-c8[0-9a-f]{6}$/) });
  });

  test('a cdk8s-plus Job\'s pod labels added after the policy change nothing: it is selected by its address label alone', () => {
    const chart = newChart();
    const job = plusJob(chart);
    new SandboxNetworkPolicy(chart, 'job-net', { selects: [WorkloadSelector.of(job)] });
    job.podMetadata.addLabel('team', 'billing');
    const out = synthOf(chart);
    expect(out.find('Job').spec.template.metadata.labels).toEqual({ [ADDR]: 'c-migrate-c8656c3f', team: 'billing' });
    expect(out.find('NetworkPolicy', 'job-net').spec.podSelector).toEqual({ matchLabels: { [ADDR]: 'c-migrate-c8656c3f' } });
  });

  test('a cdk8s-plus workload may be referenced before it has a container (its spec is not rendered early)', () => {
    const chart = newChart();
    const web = new kplus.Deployment(chart, 'web');
    new SandboxNetworkPolicy(chart, 'web-net', { selects: [WorkloadSelector.of(web)] });
    web.addContainer({ image: IMAGE });
    expect(synthOf(chart).find('NetworkPolicy', 'web-net').spec.podSelector).toEqual({ matchLabels: { [ADDR]: 'c-web-c81a99f2' } });
  });

  test('an L1 KubeDeployment: its spec.selector.matchLabels, and its metadata.namespace', () => {
    const chart = newChart();
    const store = l1Deployment(chart, 'store', 'data');
    new SandboxNetworkPolicy(chart, 'store-net', { selects: [WorkloadSelector.of(store)] });
    const np = synthOf(chart).find('NetworkPolicy', 'store-net');
    expect(np.metadata.namespace).toBe('data');
    expect(np.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'store' } });
  });

  test('an L1 KubeJob of cdk8s-plus-27\'s k8s module: every label of its pod template', () => {
    const chart = newChart();
    const job = new kplus.k8s.KubeJob(chart, 'backup', {
      metadata: { name: 'backup' },
      spec: { template: { metadata: { labels: { app: 'backup', tier: 'ops' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'backup', image: IMAGE }] } } },
    });
    new SandboxNetworkPolicy(chart, 'backup-net', { selects: [WorkloadSelector.of(job)] });
    expect(synthOf(chart).find('NetworkPolicy', 'backup-net').spec.podSelector).toEqual({ matchLabels: { app: 'backup', tier: 'ops' } });
  });

  test('an Include holding one Deployment (and its Service): the Deployment\'s matchLabels, in the including chart\'s namespace', () => {
    const chart = newChart('shop');
    const shop = include(chart, 'web.yaml');
    new SandboxNetworkPolicy(chart, 'web-net', { selects: [WorkloadSelector.of(shop)] });
    const out = synthOf(chart);
    expect(out.find('Deployment', 'web').metadata.namespace).toBe('shop');
    const np = out.find('NetworkPolicy', 'web-net');
    expect(np.metadata.namespace).toBe('shop');
    expect(np.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/instance': 'shop', 'app.kubernetes.io/name': 'web' } });
  });

  test('one Deployment of an Include holding several, picked from include.apiObjects', () => {
    const chart = newChart('shop');
    const shop = include(chart, 'api-and-worker.yaml');
    const worker = shop.apiObjects.find((o) => o.kind === 'Deployment' && o.name === 'worker')!;
    new SandboxNetworkPolicy(chart, 'worker-net', { selects: [WorkloadSelector.of(worker)] });
    expect(synthOf(chart).find('NetworkPolicy', 'worker-net').spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'worker' } });
  });

  test('a construct wrapping exactly one workload (a team\'s own construct around a cdk8s-plus Deployment)', () => {
    const chart = newChart();
    const wrapper = new Construct(chart, 'frontend');
    plusDeployment(wrapper, 'server');
    new kplus.ConfigMap(wrapper, 'settings', { data: { MODE: 'prod' } });
    new SandboxNetworkPolicy(chart, 'frontend-net', { selects: [WorkloadSelector.of(wrapper)] });
    const out = synthOf(chart);
    expect(out.find('Deployment').spec.selector.matchLabels).toEqual({ [ADDR]: 'c-frontend-server-c8acf9cc' });
    expect(out.find('NetworkPolicy', 'frontend-net').spec.podSelector).toEqual({ matchLabels: { [ADDR]: 'c-frontend-server-c8acf9cc' } });
  });

  test('several cdk8s-plus workloads of one namespace: cdk8s.io/metadata.addr In their values', () => {
    const chart = newChart();
    const web = plusDeployment(chart);
    const db = plusStatefulSet(chart);
    const job = plusJob(chart);
    new SandboxNetworkPolicy(chart, 'shop-net', { selects: [WorkloadSelector.of(web), WorkloadSelector.of(db), WorkloadSelector.of(job)] });
    expect(synthOf(chart).find('NetworkPolicy', 'shop-net').spec.podSelector).toEqual({
      matchExpressions: [{ key: ADDR, operator: 'In', values: ['c-db-c8ae5f1c', 'c-migrate-c8656c3f', 'c-web-c81a99f2'] }],
    });
  });

  test('WorkloadSelector.of a SandboxedDeployment selects it exactly as the SandboxedDeployment itself', () => {
    const chart = newChart();
    const api = new SandboxedDeployment(chart, 'api', { image: IMAGE });
    const direct = new SandboxNetworkPolicy(chart, 'direct', { selects: [api] }).policy.toJson();
    const wrapped = new SandboxNetworkPolicy(chart, 'wrapped', { selects: [WorkloadSelector.of(api)] }).policy.toJson();
    expect(wrapped.spec).toEqual(direct.spec);
    expect(wrapped.spec.podSelector).toEqual({ matchLabels: { 'cdk8s-sandbox.io/workload': 'api' } });
  });

  test('the WorkloadSelector tells its name, namespace and selector labels as an ISandboxWorkload', () => {
    const chart = newChart();
    const store = WorkloadSelector.of(l1Deployment(chart, 'store'));
    expect([store.name, store.namespace, store.selectorLabels]).toEqual(['store', 'apps', { 'app.kubernetes.io/name': 'store' }]);
    expect(WorkloadSelector.of(newChart(undefined)).workload).toBeInstanceOf(Chart);
  });
});

describe('NetworkPeer.workload: the pods of such a workload as a peer', () => {
  /** A SandboxedDeployment `api` in namespace `sandbox` whose policy admits `peer` on 8080; the emitted `from`. */
  function ingressFrom(build: (peers: Chart) => Construct): any[] {
    const app = Testing.app();
    const peers = new Chart(app, 'peers', { namespace: 'apps' });
    const workload = build(peers);
    const sandbox = new Chart(app, 'sb', { namespace: 'sandbox' });
    const api = new SandboxedDeployment(sandbox, 'api', { image: IMAGE });
    new SandboxNetworkPolicy(sandbox, 'api-net', { selects: [api], ingress: [{ peers: [NetworkPeer.workload(WorkloadSelector.of(workload))], ports: [{ port: 8080 }] }] });
    const np = Testing.synth(sandbox).find((o: any) => o.kind === 'NetworkPolicy' && o.metadata.name === 'api-net');
    expect(np.metadata.namespace).toBe('sandbox');
    expect(np.spec.podSelector).toEqual({ matchLabels: { 'cdk8s-sandbox.io/workload': 'api' } });
    expect(np.spec.ingress[0].ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
    return np.spec.ingress[0].from;
  }
  const inApps = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } } };

  test.each([
    ['a cdk8s-plus Deployment', (c: Chart) => plusDeployment(c), { [ADDR]: 'peers-web-c855edf6' }],
    ['a cdk8s-plus StatefulSet', (c: Chart) => plusStatefulSet(c), { [ADDR]: 'peers-db-c8ef50c0' }],
    ['a cdk8s-plus Job', (c: Chart) => plusJob(c), { [ADDR]: 'peers-migrate-c854b03a' }],
    ['a cdk8s-plus CronJob', (c: Chart) => plusCronJob(c), { [ADDR]: 'peers-report-c8f12c35' }],
    ['an L1 KubeDeployment', (c: Chart) => l1Deployment(c), { 'app.kubernetes.io/name': 'store' }],
    ['an Included Deployment', (c: Chart) => include(c, 'web.yaml'), { 'app.kubernetes.io/instance': 'shop', 'app.kubernetes.io/name': 'web' }],
  ])('%s in another namespace: its labels with a namespaceSelector on its namespace', (_what, build, labels) => {
    expect(ingressFrom(build)).toEqual([{ ...inApps, podSelector: { matchLabels: labels } }]);
  });

  test('a peer in the policy\'s own namespace has no namespaceSelector', () => {
    const chart = newChart('sandbox');
    const api = new SandboxedDeployment(chart, 'api', { image: IMAGE });
    const client = plusDeployment(chart, 'client');
    const np = new SandboxNetworkPolicy(chart, 'api-net', {
      selects: [api], ingress: [{ peers: [NetworkPeer.workload(WorkloadSelector.of(client))], ports: [{ port: 8080 }] }],
    }).policy.toJson();
    expect(np.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { [ADDR]: 'c-client-c8a68956' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }]);
  });

  test('an egress peer, both ends by reference: a cdk8s-plus Deployment may reach an Included Deployment\'s port', () => {
    const chart = newChart('shop');
    const front = plusDeployment(chart, 'front');
    const backend = include(chart, 'web.yaml');
    const np = new SandboxNetworkPolicy(chart, 'front-net', {
      selects: [WorkloadSelector.of(front)], egress: [{ peers: [NetworkPeer.workload(WorkloadSelector.of(backend))], ports: [{ port: 8080 }] }],
    }).policy.toJson();
    expect(np.spec).toEqual({
      podSelector: { matchLabels: { [ADDR]: 'c-front-c827c3fc' } },
      policyTypes: DENY,
      egress: [{ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'shop', 'app.kubernetes.io/name': 'web' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }],
    });
  });
});

describe('refusals name the policy, the field, what was given and what is allowed', () => {
  const ALLOWED = 'allowed: a construct holding one workload: a cdk8s-plus-27 Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod; an L1 KubeDeployment, '
    + 'KubeStatefulSet, KubeDaemonSet, KubeReplicaSet, KubeJob, KubeCronJob or KubePod; an ApiObject of Include or Helm; a SandboxedDeployment or CodeRunnerJob; '
    + 'or a construct that holds exactly one of them';
  /** A policy of workload `api` with `peer` as its ingress peer. */
  const asPeer = (chart: Chart, peer: WorkloadSelector): SandboxNetworkPolicyProps => ({
    selects: [new SandboxedDeployment(chart, 'api', { image: IMAGE })], ingress: [{ peers: [NetworkPeer.pods({ app: 'lb' }), NetworkPeer.workload(peer)], ports: [{ port: 8080 }] }],
  });

  test('an empty selector (an L1 Deployment with selector {}) would select every pod', () => {
    const chart = newChart();
    const open = new k8s.KubeDeployment(chart, 'open', { metadata: { name: 'open' }, spec: { selector: {}, template: { metadata: { labels: { app: 'open' } }, spec: { containers: [{ name: 'a', image: IMAGE }] } } } });
    expect(refusal(chart, { selects: [WorkloadSelector.of(open)] })).toBe(
      'c/pol: selects[0] is "Deployment \\"open\\" at c/open"; its spec.selector is empty ({}), so the policy would select every pod of its namespace; allowed: a workload whose selector has matchLabels');
    expect(refusal(chart, asPeer(chart, WorkloadSelector.of(open)), 'peer-pol')).toBe(
      'c/peer-pol: ingress[0].peers[1].peer is "Deployment \\"open\\" at c/open"; its spec.selector is empty ({}), so the peer would match every pod of its namespace; allowed: a workload whose selector has matchLabels');
  });

  test('a Job whose pod template has no labels would select every pod', () => {
    const chart = newChart();
    const bare = new k8s.KubeJob(chart, 'bare', { metadata: { name: 'bare' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'a', image: IMAGE }] } } } });
    expect(refusal(chart, { selects: [WorkloadSelector.of(bare)] })).toBe(
      'c/pol: selects[0] is "Job \\"bare\\" at c/bare"; its pod template has no labels (spec.template.metadata.labels), so the policy would select every pod of its namespace; allowed: a workload whose pod template carries labels');
  });

  test('a cdk8s-plus Deployment created with select: false has no selector labels', () => {
    const chart = newChart();
    const web = new kplus.Deployment(chart, 'web', { containers: [{ image: IMAGE }], select: false });
    expect(refusal(chart, { selects: [WorkloadSelector.of(web)] })).toBe(
      'c/pol: selects[0] is "Deployment \\"c-web-c83c7fdb\\" at c/web/Resource"; its spec.selector is empty ({}), so the policy would select every pod of its namespace; allowed: a workload whose selector has matchLabels');
  });

  test('a construct that holds no workload', () => {
    const chart = newChart();
    const settings = include(chart, 'config-only.yaml', 'settings');
    expect(refusal(chart, { selects: [WorkloadSelector.of(settings)] })).toBe(
      `c/pol: selects[0] is "Include at c/settings"; it holds no workload (only ConfigMap "shop-settings", Service "shop-external"), so there are no pods to select; ${ALLOWED}`);
    expect(refusal(chart, { selects: [WorkloadSelector.of(new Construct(chart, 'empty'))] }, 'pol2')).toBe(
      `c/pol2: selects[0] is "Construct at c/empty"; it holds no workload (no ApiObject at all), so there are no pods to select; ${ALLOWED}`);
    expect(refusal(chart, asPeer(chart, WorkloadSelector.of(settings)), 'peer-pol')).toBe(
      `c/peer-pol: ingress[0].peers[1].peer is "Include at c/settings"; it holds no workload (only ConfigMap "shop-settings", Service "shop-external"), so there are no pods to select; ${ALLOWED}`);
  });

  test('a construct that holds several workloads', () => {
    const chart = newChart();
    const shop = include(chart, 'api-and-worker.yaml');
    const several = 'it holds 2 workloads (Deployment "api" at c/shop/api-deployment, Deployment "worker" at c/shop/worker-deployment), and a reference names one: '
      + 'pass the one meant (for Include or Helm: WorkloadSelector.of(chart.apiObjects.find((o) => o.kind === \'Deployment\' && o.name === \'web\'))), '
      + 'and list several in selects to select them together';
    expect(refusal(chart, { selects: [WorkloadSelector.of(shop)] })).toBe(`c/pol: selects[0] is "Include at c/shop"; ${several}`);
    expect(refusal(chart, asPeer(chart, WorkloadSelector.of(shop)), 'peer-pol')).toBe(`c/peer-pol: ingress[0].peers[1].peer is "Include at c/shop"; ${several}`);
    // A whole chart of workloads is no reference either.
    expect(refusal(chart, { selects: [WorkloadSelector.of(chart)] }, 'pol2')).toMatch(/^c\/pol2: selects\[0\] is "Chart at c"; it holds 3 workloads \(Deployment "api" at c\/shop\/api-deployment, /);
  });

  test('selector labels its own pod template does not carry would select nothing', () => {
    const chart = newChart();
    const odd = new k8s.KubeDeployment(chart, 'odd', {
      metadata: { name: 'odd' },
      spec: { selector: { matchLabels: { app: 'odd', tier: 'web' } }, template: { metadata: { labels: { app: 'odd' } }, spec: { containers: [{ name: 'a', image: IMAGE }] } } },
    });
    const message = 'its spec.selector.matchLabels (app=odd,tier=web) are not all on its pod template (spec.template.metadata.labels: app=odd; missing tier=web), '
      + 'so SUBJECT none of its pods; allowed: a workload whose pod template carries every label of its selector';
    expect(refusal(chart, { selects: [WorkloadSelector.of(odd)] })).toBe(`c/pol: selects[0] is "Deployment \\"odd\\" at c/odd"; ${message.replace('SUBJECT', 'the policy would select')}`);
    expect(refusal(chart, asPeer(chart, WorkloadSelector.of(odd)), 'peer-pol')).toBe(`c/peer-pol: ingress[0].peers[1].peer is "Deployment \\"odd\\" at c/odd"; ${message.replace('SUBJECT', 'the peer would match')}`);
  });

  test('a selector with matchExpressions is refused, saying what is allowed (an Included Deployment, a cdk8s-plus select())', () => {
    const chart = newChart();
    const cache = include(chart, 'set-based-selector.yaml', 'cache');
    expect(refusal(chart, { selects: [WorkloadSelector.of(cache)] })).toBe(
      'c/pol: selects[0] is "Deployment \\"cache\\" at c/cache/cache-deployment-shop"; its spec.selector has matchExpressions ([{"key":"app.kubernetes.io/component","operator":"In","values":["primary"]}]); '
      + 'selecting its pods by its matchLabels alone would also take pods those exclude, so it is not carried over. Allowed: a selector of matchLabels only (the labels its pod template carries), '
      + 'or an ISandboxWorkload ({ name, namespace, selectorLabels }) naming labels only its pods carry');
    const web = plusDeployment(chart);
    web.select(kplus.LabelSelector.of({ expressions: [kplus.LabelExpression.notIn('track', ['canary'])] }));
    expect(refusal(chart, { selects: [WorkloadSelector.of(web)] }, 'pol2')).toContain(
      'c/pol2: selects[0] is "Deployment \\"c-web-c83c7fdb\\" at c/web/Resource"; its spec.selector has matchExpressions ([{"key":"track","operator":"NotIn","values":["canary"]}]);');
  });

  test('workloads of different namespaces', () => {
    const chart = newChart();
    const web = plusDeployment(chart);
    const store = l1Deployment(chart, 'store', 'data');
    expect(refusal(chart, { selects: [WorkloadSelector.of(web), WorkloadSelector.of(store)] })).toBe(
      'c/pol: selects is ["apps/c-web-c83c7fdb (Deployment \\"c-web-c83c7fdb\\" at c/web/Resource)","data/store (Deployment \\"store\\" at c/store)"]; '
      + 'a NetworkPolicy selects pods of one namespace only; make one policy per namespace');
  });

  test('several workloads that share no single selector label key', () => {
    const chart = newChart();
    const web = plusDeployment(chart);
    const store = l1Deployment(chart, 'store');
    expect(refusal(chart, { selects: [WorkloadSelector.of(web), WorkloadSelector.of(store)] })).toBe(
      'c/pol: selects is ["Deployment \\"c-web-c83c7fdb\\" at c/web/Resource: cdk8s.io/metadata.addr=c-web-c81a99f2","Deployment \\"store\\" at c/store: app.kubernetes.io/name=store"]; '
      + 'one NetworkPolicy selects several workloads only by one label: every one carries cdk8s-sandbox.io/workload (SandboxedDeployment, CodeRunnerJob), or every one is selected by '
      + 'a single label of the same key (cdk8s-plus-27 workloads: cdk8s.io/metadata.addr); make one SandboxNetworkPolicy per workload');
  });

  test('a workload without a namespace selected by a policy whose chart has one', () => {
    const app = Testing.app();
    const store = l1Deployment(new Chart(app, 'plain'), 'store');
    const policies = new Chart(app, 'policies', { namespace: 'apps' });
    expect(refusal(policies, { selects: [WorkloadSelector.of(store)] })).toBe(
      'policies/pol: selects[0] is "Deployment \\"store\\" at plain/store"; its object names no namespace (nor does its chart), so its pods run wherever it is applied, '
      + 'but this policy\'s chart puts the policy in namespace "apps"; give the workload\'s chart a namespace, or create the policy in a chart without one');
  });

  test('a workload whose selector changes after the policy was created fails synth, naming the policy and the field', () => {
    const chart = newChart();
    const store = l1Deployment(chart, 'store');
    new SandboxNetworkPolicy(chart, 'pol', { selects: [WorkloadSelector.of(store)] });
    store.addJsonPatch(JsonPatch.replace('/spec/selector/matchLabels', { 'app.kubernetes.io/part-of': 'shop' }));
    expect(thrown(() => Testing.synth(chart))).toContain(
      '[c/pol] selects[0] is Deployment "store" at c/store, whose pods the policy selects by app.kubernetes.io/name=store in namespace "apps", '
      + 'but when synthesized the workload carries app.kubernetes.io/part-of=shop in namespace "apps" (its labels, selector or namespace changed after the policy was created); '
      + 'create the SandboxNetworkPolicy after the workload\'s labels and selector are final');
  });

  test('a peer whose pod labels are patched away after the policy was created fails synth', () => {
    const chart = newChart();
    const api = new SandboxedDeployment(chart, 'api', { image: IMAGE });
    const client = plusJob(chart, 'client');
    new SandboxNetworkPolicy(chart, 'pol', { selects: [api], ingress: [{ peers: [NetworkPeer.workload(WorkloadSelector.of(client))], ports: [{ port: 8080 }] }] });
    ApiObject.of(client).addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels'));
    expect(thrown(() => Testing.synth(chart))).toContain(
      '[c/pol] ingress[0].peers[0].peer is "Job \\"c-client-c803971d\\" at c/client/Resource"; its pod template has no labels (spec.template.metadata.labels), so the peer would match every pod '
      + 'of its namespace; allowed: a workload whose pod template carries labels (read again when synthesized: the workload changed after the policy was created)');
  });

  test('a label value that is not a string (an unquoted number in YAML)', () => {
    const chart = newChart();
    const v = new ApiObject(chart, 'v', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'v' },
      spec: { selector: { matchLabels: { app: 'v', version: 2 } }, template: { metadata: { labels: { app: 'v', version: 2 } }, spec: { containers: [{ name: 'a', image: IMAGE }] } } },
    } as any);
    expect(refusal(chart, { selects: [WorkloadSelector.of(v)] })).toBe(
      'c/pol: selects[0] is "Deployment \\"v\\" at c/v"; its spec.selector.matchLabels label "version" is 2, not a string: Kubernetes label values are strings; quote it');
  });
});

describe('JavaScript-style calls with a wrong object are refused, never an empty selector', () => {
  const NOT_A_WORKLOAD = /^c\/pol: selects\[0\] is .+; has no selector labels \((null|\{\})\), so the policy would select every pod of its namespace; /;

  test('a workload construct passed directly (no cast: cdk8s-plus, L1, an Include holding one) is selected by reference, as with WorkloadSelector.of', () => {
    for (const make of [plusDeployment, l1Deployment, (c: Chart) => include(c, 'web.yaml')]) {
      const direct = newChart();
      const viaSelector = newChart();
      const a = new SandboxNetworkPolicy(direct, 'pol', { selects: [make(direct) as any] });
      const b = new SandboxNetworkPolicy(viaSelector, 'pol', { selects: [WorkloadSelector.of(make(viaSelector))] });
      expect(a.policy.toJson().spec.podSelector).toEqual(b.policy.toJson().spec.podSelector);
      expect(Object.keys(a.policy.toJson().spec.podSelector.matchLabels).length).toBeGreaterThan(0);
    }
    // TypeScript takes a cdk8s-plus workload as it is.
    const chart = newChart();
    const web = plusDeployment(chart);
    const policy = new SandboxNetworkPolicy(chart, 'pol', { selects: [web] });
    expect(policy.policy.toJson().spec.podSelector).toEqual({ matchLabels: web.matchLabels });
  });

  test.each([
    ['undefined', () => undefined],
    ['null', () => null],
    ['a string', () => 'web'],
    ['a plain object', () => ({})],
    ['an object with a name only', () => ({ name: 'web' })],
  ])('selects: [%s] is refused', (_what, make) => {
    const chart = newChart();
    expect(refusal(chart, { selects: [make() as any] })).toMatch(NOT_A_WORKLOAD);
    expect(chart.node.tryFindChild('pol')?.node.findAll().some((c) => ApiObject.isApiObject(c))).toBeFalsy();
  });

  test('selects: [a ConfigMap] is refused: it holds no workload', () => {
    const chart = newChart();
    expect(refusal(chart, { selects: [new k8s.KubeConfigMap(chart, 'cm', { data: { a: 'b' } }) as any] })).toMatch(
      /^c\/pol: selects\[0\] is "ConfigMap \\"c-cm-[0-9a-f]+\\" at c\/cm"; it holds no workload \(only ConfigMap "c-cm-[0-9a-f]+"\), so there are no pods to select; allowed: a construct holding one workload/);
  });

  test('selects given one workload instead of a list is refused', () => {
    const chart = newChart();
    expect(refusal(chart, { selects: WorkloadSelector.of(plusDeployment(chart)) as any })).toBe(
      'c/pol: selects is "WorkloadSelector.of(Deployment \\"c-web-c83c7fdb\\" at c/web)"; must be a list of workloads (selects: [deployment]); wrap any other workload (cdk8s-plus-27, an L1 KubeDeployment, an object of Include or Helm) with WorkloadSelector.of(workload)');
  });

  test.each([
    ['undefined', () => undefined, 'unset'],
    ['a string', () => 'web', '"web"'],
    ['a plain object', () => ({ selectorLabels: {} }), '{"selectorLabels":{}}'],
  ])('WorkloadSelector.of(%s) is refused where it is used', (_what, make, given) => {
    const chart = newChart();
    const message = `c/pol: selects[0] is ${given}; allowed: a construct holding one workload: `;
    expect(refusal(chart, { selects: [WorkloadSelector.of(make() as any)] })).toMatch(new RegExp(`^${message.replace(/[[\]{}().*+?^$|\\]/g, '\\$&')}`));
    const api = new SandboxedDeployment(chart, 'api', { image: IMAGE });
    expect(refusal(chart, { selects: [api], ingress: [{ peers: [NetworkPeer.workload(WorkloadSelector.of(make() as any))] }] }, 'peer-pol'))
      .toMatch(new RegExp(`^c/peer-pol: ingress\\[0\\]\\.peers\\[0\\]\\.peer is ${given.replace(/[[\]{}().*+?^$|\\]/g, '\\$&')}; allowed: a construct holding one workload`));
  });

  test.each([
    ['undefined', () => undefined, '"workload null"'],
    ['a plain object', () => ({}), '"workload {}"'],
  ])('NetworkPeer.workload(%s) is refused, never a peer of every pod', (_what, make, given) => {
    const chart = newChart();
    const api = new SandboxedDeployment(chart, 'api', { image: IMAGE });
    const rule: NetworkRule = { peers: [NetworkPeer.workload(make() as any)], ports: [{ port: 8080 }] };
    expect(refusal(chart, { selects: [api], ingress: [rule] })).toBe(
      `c/pol: ingress[0].peers[0].peer is ${given}; NetworkPeer.workload was given a workload without selector labels (null); an empty selector would match every pod. `
      + 'Pass a SandboxedDeployment or CodeRunnerJob, or wrap any other workload (cdk8s-plus-27, an L1 KubeDeployment, an object of Include or Helm) with WorkloadSelector.of(workload)');
  });

  test('NetworkPeer.workload(a cdk8s-plus Deployment or an Include) matches its pods by reference, as with WorkloadSelector.of', () => {
    for (const make of [plusDeployment, (c: Chart) => include(c, 'web.yaml')]) {
      const peers = [false, true].map((wrap) => {
        const chart = newChart();
        const api = new SandboxedDeployment(chart, 'api', { image: IMAGE });
        const w = make(chart);
        const peer = NetworkPeer.workload(wrap ? WorkloadSelector.of(w) : (w as any));
        return new SandboxNetworkPolicy(chart, 'pol', { selects: [api], ingress: [{ peers: [peer], ports: [{ port: 8080 }] }] }).policy.toJson().spec.ingress[0].from;
      });
      expect(peers[0]).toEqual(peers[1]);
      expect(Object.keys(peers[0][0].podSelector.matchLabels).length).toBeGreaterThan(0);
    }
  });
});

describe('the isolation check sees such a workload isolated once a SandboxNetworkPolicy selects it', () => {
  /** A cdk8s-plus Deployment made to run in gVisor by a patch, so the profile counts its pods as sandboxed. */
  function sandboxedPlus(chart: Chart): kplus.Deployment {
    const web = plusDeployment(chart);
    ApiObject.of(web).addJsonPatch(JsonPatch.add('/spec/template/spec/runtimeClassName', 'gvisor'));
    return web;
  }
  const isolation = (objects: any[]) => crossResourceRuleById('network-isolation')!.check(objects, resolveCrossResourceOptions());
  const selectsPods = (objects: any[]) => crossResourceRuleById('network-policy-selects-pods')!.check(objects, resolveCrossResourceOptions());

  test('the synth guard, given the workload (as hardening in place registers it): unisolated without a policy, isolated with one', () => {
    const bare = newChart();
    const alone = sandboxedPlus(bare);
    SandboxSynthGuard.of(bare).register(alone, { objects: [], workload: ApiObject.of(alone) });
    expect(thrown(() => Testing.synth(bare))).toContain(
      '[c/web] [network-isolation] pods with labels cdk8s.io/metadata.addr=c-web-c81a99f2 in namespace "apps" are selected by no NetworkPolicy with policyTypes Ingress and Egress');

    const chart = newChart();
    const web = sandboxedPlus(chart);
    SandboxSynthGuard.of(chart).register(web, { objects: [], workload: ApiObject.of(web) });
    new SandboxNetworkPolicy(chart, 'web-net', { selects: [WorkloadSelector.of(web)] });
    const out = synthOf(chart);
    expect(out.find('Deployment').spec.template.spec.runtimeClassName).toBe('gvisor');
    expect(out.find('NetworkPolicy', 'web-net').spec).toEqual({ podSelector: { matchLabels: { [ADDR]: 'c-web-c81a99f2' } }, policyTypes: DENY });
  });

  test('the rule over the synthesized objects: every referenced workload kind is isolated, and every policy selects a pod', () => {
    const chart = newChart();
    const gvisor = JsonPatch.add('/spec/template/spec/runtimeClassName', 'gvisor');
    const web = sandboxedPlus(chart);
    const db = plusStatefulSet(chart);
    ApiObject.of(db).addJsonPatch(gvisor);
    const job = plusJob(chart);
    ApiObject.of(job).addJsonPatch(gvisor);
    const cron = plusCronJob(chart);
    ApiObject.of(cron).addJsonPatch(JsonPatch.add('/spec/jobTemplate/spec/template/spec/runtimeClassName', 'gvisor'));
    const store = l1Deployment(chart, 'store');
    store.addJsonPatch(gvisor);
    const shop = include(chart, 'web.yaml');
    shop.apiObjects.find((o) => o.kind === 'Deployment')!.addJsonPatch(gvisor);
    const workloads = [web, db, job, cron, store, shop];

    const before = isolation(Testing.synth(chart));
    expect(before.map((f) => `${f.object.kind}/${f.object.name}`).sort()).toEqual([
      'CronJob/c-report-c878005d', 'Deployment/c-web-c83c7fdb', 'Deployment/store', 'Deployment/web', 'Job/c-migrate-c8abf2dd', 'StatefulSet/c-db-c886d254',
    ]);
    workloads.forEach((w, i) => new SandboxNetworkPolicy(chart, `net-${i}`, { selects: [WorkloadSelector.of(w)] }));
    const after = Testing.synth(chart);
    expect(isolation(after)).toEqual([]);
    expect(selectsPods(after)).toEqual([]);
    expect(after.filter((o: any) => o.kind === 'NetworkPolicy').map((o: any) => o.spec.podSelector)).toEqual([
      { matchLabels: { [ADDR]: 'c-web-c81a99f2' } },
      { matchLabels: { [ADDR]: 'c-db-c8ae5f1c' } },
      { matchLabels: { [ADDR]: 'c-migrate-c8656c3f' } },
      { matchLabels: { [ADDR]: 'c-report-c86fd545' } },
      { matchLabels: { 'app.kubernetes.io/name': 'store' } },
      { matchLabels: { 'app.kubernetes.io/instance': 'shop', 'app.kubernetes.io/name': 'web' } },
    ]);
  });

  test('a workload referenced only as a peer is not isolated by that: the rule still reports it', () => {
    const chart = newChart();
    const web = sandboxedPlus(chart);
    const api = new SandboxedDeployment(chart, 'api', { image: IMAGE });
    new SandboxNetworkPolicy(chart, 'api-net', { selects: [api], ingress: [{ peers: [NetworkPeer.workload(WorkloadSelector.of(web))], ports: [{ port: 8080 }] }] });
    expect(isolation(Testing.synth(chart)).map((f) => `${f.object.kind}/${f.object.name}`)).toEqual(['Deployment/c-web-c83c7fdb']);
  });

  test('a CodeRunnerJob and a SandboxNamespace still work unchanged beside them', () => {
    const chart = newChart();
    const ns = new SandboxNamespace(chart, 'runs');
    const run = new CodeRunnerJob(ns, 'run', { runId: 'run-1', code: 'print(1)' });
    const web = plusDeployment(chart);
    const np = new SandboxNetworkPolicy(chart, 'web-net', {
      selects: [WorkloadSelector.of(web)], egress: [{ peers: [NetworkPeer.workload(run)], ports: [{ port: 8080 }] }],
    }).policy.toJson();
    expect(np.spec.egress).toEqual([{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'runs' } }, podSelector: { matchLabels: { ...run.selectorLabels } } }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    }]);
  });
});

test('README\'s SandboxNetworkPolicy example runs as written and selects what its comments say', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const snippet = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).find((t) => t.includes('WorkloadSelector.of(backend)'))!;
  expect(snippet).toContain("url: 'manifests/backend.yaml'");
  const source = `${snippet.replace('manifests/backend.yaml', path.join(FIXTURES, 'web.yaml'))}\nexports.chart = chart;\n`;
  const { code } = transformSync(source, { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } });
  const exported: { chart?: Chart } = {};
  new Function('require', 'exports', code)((name: string) => require(name === 'cdk8s-sandbox' ? '../src' : name), exported);
  const np = Testing.synth(exported.chart!).find((o: any) => o.kind === 'NetworkPolicy');
  expect(np.metadata).toMatchObject({ name: 'web-net', namespace: 'shop' });
  expect(np.spec).toEqual({
    podSelector: { matchLabels: { [ADDR]: expect.stringMatching(/^shop-web-c8[0-9a-f]{6}$/) } },
    policyTypes: DENY,
    egress: [{ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'shop', 'app.kubernetes.io/name': 'web' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }],
  });
});
