// Issue 14, point 1: what code runs leave behind. Renders 10,000 sequential submissions into one SandboxNamespace
// and plays them through a model of the control plane (quota admission, the Job controller, the TTL controller,
// the garbage collector; test/helpers/mini-cluster.ts): after the TTL nothing of any run is left, and no quota
// came near refusing the 10,000th. The same model refuses what would pile up (a ConfigMap nobody owns) and what
// outruns the Job quota, so it can fail.
import { CodeRun } from '../src';
import { buildSandboxNamespace } from '../src/builders/namespace';
import { MiniCluster, QuotaExceededError } from './helpers/mini-cluster';

type Json = { [key: string]: any };

const NAMESPACE = 'code-runs';
const TTL = 300;

/** A cluster with a SandboxNamespace (defaults) and what the control plane puts in every namespace. */
function clusterWithNamespace(runSeconds: number): MiniCluster {
  const cluster = new MiniCluster(runSeconds);
  for (const obj of buildSandboxNamespace('test', { name: NAMESPACE }).objects) cluster.create(obj as Json);
  // The root CA ConfigMap counts against the ConfigMap quota; the default ServiceAccount does not count.
  cluster.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace: NAMESPACE }, data: { 'ca.crt': 'x' } });
  cluster.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: NAMESPACE } });
  return cluster;
}

/** Runs `count` submissions one after another, each started when the previous one has finished. */
function runSequentially(cluster: MiniCluster, count: number, submission: (i: number) => Json, afterCreate?: (objects: Json[], job: Json) => void): { renderMs: number } {
  let renderMs = 0;
  for (let i = 0; i < count; i++) {
    const started = process.hrtime.bigint();
    const rendered = CodeRun.render({ ...submission(i), namespace: NAMESPACE, ttlSecondsAfterFinished: TTL });
    renderMs += Number(process.hrtime.bigint() - started) / 1e6;
    for (const shared of rendered.sharedObjects) cluster.apply(shared);
    let job: Json | undefined;
    for (const obj of rendered.objects) {
      const created = cluster.create(obj);
      if (created.kind === 'Job') job = created;
    }
    afterCreate?.(rendered.objects, job!);
    let t = cluster.now;
    while (!cluster.finished(NAMESPACE, rendered.name)) cluster.advance(++t);
  }
  return { renderMs };
}

const BASELINE = [
  'ConfigMap/kube-root-ca.crt', 'LimitRange/sandbox-limits', 'NetworkPolicy/default-deny-all', 'ResourceQuota/sandbox-quota', 'ServiceAccount/default',
];

describe('10,000 sequential submissions into one SandboxNamespace', () => {
  const cluster = clusterWithNamespace(2);
  const files = (i: number) => ({ 'main.py': `import helpers\nhelpers.run(${i})\n`, 'helpers/__init__.py': `def run(i):\n    print(i * ${i})\n` });
  let lastPod: Json | undefined;
  const { renderMs } = runSequentially(cluster, 10_000, (i) => ({ files: files(i) }), (_objects, job) => {
    lastPod = cluster.get('Pod', NAMESPACE, `${job.metadata.name}-pod`);
  });
  const whileRunning = cluster.list(NAMESPACE);
  cluster.advance(cluster.now + TTL + 1);
  const after = cluster.list(NAMESPACE);
  // eslint-disable-next-line no-console
  console.log(`10,000 renders: ${renderMs.toFixed(0)} ms, ${(renderMs / 10_000).toFixed(3)} ms a submission; objects while the last runs' TTLs count down: ${whileRunning.length}; after: ${after.length}; peak quota use: ${JSON.stringify(Object.fromEntries(cluster.peakUse.get(NAMESPACE)!))}`);

  test('after their TTL nothing of any run is left: the namespace holds what it held before, plus the one shared policy', () => {
    expect(after).toEqual([...BASELINE, 'NetworkPolicy/code-run-deny-all'].sort());
  });

  test('while TTLs count down, only Jobs and their pods are there (one of each per run), no ConfigMap and no policy per run', () => {
    const perRun = whileRunning.filter((o) => !BASELINE.includes(o) && o !== 'NetworkPolicy/code-run-deny-all');
    expect(new Set(perRun.map((o) => o.split('/')[0]))).toEqual(new Set(['Job', 'Pod']));
    expect(perRun.filter((o) => o.startsWith('Job/')).length).toBe(perRun.filter((o) => o.startsWith('Pod/')).length);
    // With 2-second runs and a 300-second TTL, 150 finished runs wait for the TTL at any time.
    expect(perRun.filter((o) => o.startsWith('Job/')).length).toBe(150);
  });

  test('no quota came near refusing a run: the peak use of each is well under its cap', () => {
    const peak = cluster.peakUse.get(NAMESPACE)!;
    expect(peak.get('configmaps')).toBe(1);
    expect(peak.get('count/jobs.batch')).toBe(151);
    expect(peak.get('pods')).toBe(1);
    expect(peak.get('limits.memory')).toBe(512 * 1024 * 1024);
  });

  test('the pods carried their code: the 10,000th pod\'s code volume projects its own submission\'s files', () => {
    const volume = lastPod!.spec.volumes.find((v: Json) => v.name === 'code');
    const projected = Object.fromEntries(volume.downwardAPI.items.map((item: Json) => [item.path, lastPod!.metadata.annotations[/\['(.*)'\]$/.exec(item.fieldRef.fieldPath)![1]]]));
    expect(projected).toEqual(files(9_999));
  });
});

describe('the model refuses what would pile up, so the test above can fail', () => {
  const BIG = `# ${'x'.repeat(250 * 1024)}\n`;
  const big = (i: number) => ({ code: `print(${i})\n${BIG}` });

  test('code too big for the pod goes in a ConfigMap; left unowned, the ConfigMap quota (300, the root CA included) refuses the 300th run', () => {
    const cluster = clusterWithNamespace(2);
    let refusedAt: number | undefined;
    try {
      runSequentially(cluster, 400, (i) => { refusedAt = i + 1; return big(i); });
      refusedAt = undefined;
    } catch (err) {
      expect(err).toBeInstanceOf(QuotaExceededError);
      expect((err as Error).message).toBe('exceeded quota: sandbox-quota, requested: configmaps=1, used: configmaps=300, limited: configmaps=300');
    }
    expect(refusedAt).toBe(300);
  });

  test('owned by its Job with CodeRun.ownedByJob, the ConfigMap goes with the Job: 400 big runs leave nothing', () => {
    const cluster = clusterWithNamespace(2);
    runSequentially(cluster, 400, big, (objects, job) => {
      for (const obj of objects.filter((o) => o.kind === 'ConfigMap')) cluster.updateMetadata(CodeRun.ownedByJob(obj, job));
    });
    cluster.advance(cluster.now + TTL + 1);
    expect(cluster.list(NAMESPACE)).toEqual([...BASELINE, 'NetworkPolicy/code-run-deny-all'].sort());
    expect(cluster.peakUse.get(NAMESPACE)!.get('configmaps')).toBeLessThanOrEqual(152);
  });

  test('runs faster than quota.jobs / (TTL + run time) outrun the Job quota: 1-second runs are refused at the 201st', () => {
    const cluster = clusterWithNamespace(1);
    expect(() => runSequentially(cluster, 400, (i) => ({ code: `print(${i})\n` })))
      .toThrow('exceeded quota: sandbox-quota, requested: count/jobs.batch=1, used: count/jobs.batch=200, limited: count/jobs.batch=200');
  });
});
