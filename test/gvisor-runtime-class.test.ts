// GvisorRuntimeClass: nothing on GKE (GKE installs `gvisor`), `handler: runsc` with optional overhead and
// scheduling on self-managed clusters; pods name it; tolerations only ever travel inside the RuntimeClass.
// Literal fields, snapshots, every construction error, schema validity.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { CodeRunnerJob, GvisorRuntimeClass, GvisorRuntimeClassProps, SandboxNamespace, SandboxPlatform, SandboxedDeployment } from '../src';
import { SandboxValidationError } from '../src/builders/errors';
import { auditObjects } from '../src/audit';
import { skeletonOf } from '../src/audit/audit';
import { checkObjectSet } from '../src/profile';
import { kubernetesProblems } from './helpers/schema';

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function newChart(namespace?: string): Chart {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gvisor-runtime-class-'));
  outdirs.push(outdir);
  return new Chart(new App({ outdir }), 'c', namespace ? { namespace } : {});
}

/** Every JSON path under `value` whose key is `key`. */
function pathsOfKey(value: unknown, key: string, at = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => pathsOfKey(v, key, `${at}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [...(k === key ? [`${at}.${k}`] : []), ...pathsOfKey(v, key, `${at}.${k}`)]);
}

const FULL: GvisorRuntimeClassProps = {
  platform: SandboxPlatform.SELF_MANAGED,
  name: 'gvisor-runsc',
  handler: 'gvisor',
  overheadCpu: '100m',
  overheadMemory: '64Mi',
  nodeSelector: { 'runtime.example.com/gvisor': 'true' },
  tolerations: [{ key: 'runtime.example.com/gvisor', value: 'true', effect: 'NoSchedule' }, { key: 'dedicated' }],
};

describe('GKE', () => {
  test('emits nothing and names the RuntimeClass GKE installs', () => {
    const chart = newChart();
    const rc = new GvisorRuntimeClass(chart, 'runtime', { platform: SandboxPlatform.GKE });
    expect(rc.name).toBe('gvisor');
    expect(rc.runtimeClass).toBeUndefined();
    expect(chart.toJson()).toEqual([]);
  });

  test('sandboxed pods name it, and carry no toleration or node selector of their own', () => {
    const chart = newChart();
    const rc = new GvisorRuntimeClass(chart, 'runtime', { platform: SandboxPlatform.GKE });
    const sb = new SandboxNamespace(chart, 'sb');
    new SandboxedDeployment(sb, 'api', { image: 'app:1.0.0', runtimeClassName: rc.name });
    new CodeRunnerJob(sb, 'run', { runId: 'run-1', code: 'print(1)', runtimeClassName: rc.name });
    const objects = chart.toJson();
    const pods = objects.filter((o: any) => o.kind === 'Deployment' || o.kind === 'Job').map((o: any) => o.spec.template.spec);
    expect(pods.map((p: any) => p.runtimeClassName)).toEqual(['gvisor', 'gvisor']);
    expect(objects.filter((o: any) => o.kind === 'RuntimeClass')).toEqual([]);
    expect(pathsOfKey(objects, 'tolerations')).toEqual([]);
    expect(pathsOfKey(objects, 'nodeSelector')).toEqual([]);
  });
});

describe('self-managed', () => {
  test('defaults: RuntimeClass gvisor with handler runsc, no overhead, no scheduling', () => {
    const chart = newChart();
    const rc = new GvisorRuntimeClass(chart, 'runtime', { platform: SandboxPlatform.SELF_MANAGED });
    expect(rc.name).toBe('gvisor');
    expect(rc.runtimeClass!.toJson()).toEqual({
      apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass',
      metadata: { name: 'gvisor', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-sandbox' } },
      handler: 'runsc',
    });
    expect(chart.toJson()).toMatchSnapshot();
  });

  test('every option: name, handler, overhead.podFixed and scheduling', () => {
    const chart = newChart();
    const rc = new GvisorRuntimeClass(chart, 'runtime', FULL);
    expect(rc.name).toBe('gvisor-runsc');
    expect(rc.runtimeClass!.toJson()).toEqual({
      apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass',
      metadata: { name: 'gvisor-runsc', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-sandbox' } },
      handler: 'gvisor',
      overhead: { podFixed: { cpu: '100m', memory: '64Mi' } },
      scheduling: {
        nodeSelector: { 'runtime.example.com/gvisor': 'true' },
        tolerations: [
          { key: 'runtime.example.com/gvisor', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
          { key: 'dedicated', operator: 'Exists' },
        ],
      },
    });
    expect(chart.toJson()).toMatchSnapshot();
  });

  test.each<[string, Partial<GvisorRuntimeClassProps>, object]>([
    ['CPU overhead only', { overheadCpu: '250m' }, { overhead: { podFixed: { cpu: '250m' } } }],
    ['memory overhead only', { overheadMemory: '100Mi' }, { overhead: { podFixed: { memory: '100Mi' } } }],
    ['a node selector only', { nodeSelector: { pool: 'gvisor' } }, { scheduling: { nodeSelector: { pool: 'gvisor' } } }],
    ['a toleration only', { tolerations: [{ key: 'gvisor', effect: 'NoExecute' }] }, { scheduling: { tolerations: [{ key: 'gvisor', operator: 'Exists', effect: 'NoExecute' }] } }],
    ['an empty node selector and no tolerations', { nodeSelector: {}, tolerations: [] }, {}],
  ])('%s', (_name, props, extra) => {
    const rc = new GvisorRuntimeClass(newChart(), 'runtime', { platform: SandboxPlatform.SELF_MANAGED, ...props });
    const { apiVersion, kind, metadata, handler, ...rest } = rc.runtimeClass!.toJson();
    expect([apiVersion, kind, metadata.name, handler]).toEqual(['node.k8s.io/v1', 'RuntimeClass', 'gvisor', 'runsc']);
    expect(rest).toEqual(extra);
  });

  test('pods use its name; its scheduling stays in the RuntimeClass, never on the pods', () => {
    const chart = newChart();
    const rc = new GvisorRuntimeClass(chart, 'runtime', FULL);
    const sb = new SandboxNamespace(chart, 'sb');
    const api = new SandboxedDeployment(sb, 'api', { image: 'app:1.0.0', runtimeClassName: rc.name });
    const run = new CodeRunnerJob(sb, 'run', { runId: 'run-1', code: 'print(1)', runtimeClassName: rc.name });
    expect(api.runtimeClassName).toBe('gvisor-runsc');
    expect(run.runtimeClassName).toBe('gvisor-runsc');
    const objects = chart.toJson();
    const pods = objects.filter((o: any) => o.kind === 'Deployment' || o.kind === 'Job');
    expect(pods.map((o: any) => o.spec.template.spec.runtimeClassName)).toEqual(['gvisor-runsc', 'gvisor-runsc']);
    const runtimeClassIndex = objects.findIndex((o: any) => o.kind === 'RuntimeClass');
    expect(pathsOfKey(objects, 'tolerations')).toEqual([`[${runtimeClassIndex}].scheduling.tolerations`]);
    expect(pathsOfKey(objects, 'nodeSelector')).toEqual([`[${runtimeClassIndex}].scheduling.nodeSelector`]);
  });

  test('the RuntimeClass is cluster-scoped: no namespace without a chart namespace', () => {
    const rc = new GvisorRuntimeClass(newChart(), 'runtime', { platform: SandboxPlatform.SELF_MANAGED });
    expect(rc.runtimeClass!.toJson().metadata.namespace).toBeUndefined();
  });

  test('the RuntimeClass stays cluster-scoped in a chart with a namespace', () => {
    const chart = newChart('team-a');
    const rc = new GvisorRuntimeClass(chart, 'runtime', { platform: SandboxPlatform.SELF_MANAGED });
    expect(rc.runtimeClass!.toJson().metadata.namespace).toBeUndefined();
    expect(Testing.synth(chart).find((o) => o.kind === 'RuntimeClass').metadata.namespace).toBeUndefined();
  });
});

describe('schema', () => {
  test('the emitted RuntimeClasses are valid and have no unknown field', () => {
    const objects = [
      new GvisorRuntimeClass(newChart(), 'a', { platform: SandboxPlatform.SELF_MANAGED }),
      new GvisorRuntimeClass(newChart(), 'b', FULL),
      new GvisorRuntimeClass(newChart(), 'c', { platform: SandboxPlatform.SELF_MANAGED, overheadMemory: '32Mi', tolerations: [{ key: 'k', value: 'v' }] }),
    ].map((rc) => rc.runtimeClass!.toJson());
    expect(objects.map((o) => o.kind)).toEqual(['RuntimeClass', 'RuntimeClass', 'RuntimeClass']);
    expect(kubernetesProblems(objects)).toEqual([]);
  });
});

describe('errors', () => {
  const GKE_ONLY = 'GKE provides the gvisor RuntimeClass itself; this setting only applies to SandboxPlatform.SELF_MANAGED';
  const rows: [string, GvisorRuntimeClassProps, string][] = [
    ['GKE with a handler', { platform: SandboxPlatform.GKE, handler: 'runsc' }, `c/rc: handler is "runsc"; ${GKE_ONLY}`],
    ['GKE with a CPU overhead', { platform: SandboxPlatform.GKE, overheadCpu: '100m' }, `c/rc: overheadCpu is "100m"; ${GKE_ONLY}`],
    ['GKE with a memory overhead', { platform: SandboxPlatform.GKE, overheadMemory: '64Mi' }, `c/rc: overheadMemory is "64Mi"; ${GKE_ONLY}`],
    ['GKE with a node selector', { platform: SandboxPlatform.GKE, nodeSelector: { 'sandbox.gke.io/runtime': 'gvisor' } },
      `c/rc: nodeSelector is {"sandbox.gke.io/runtime":"gvisor"}; ${GKE_ONLY}`],
    ['GKE with tolerations', { platform: SandboxPlatform.GKE, tolerations: [{ key: 'sandbox.gke.io/runtime', value: 'gvisor', effect: 'NoSchedule' }] },
      `c/rc: tolerations is [{"key":"sandbox.gke.io/runtime","value":"gvisor","effect":"NoSchedule"}]; ${GKE_ONLY}`],
    ['GKE with an empty toleration list', { platform: SandboxPlatform.GKE, tolerations: [] }, `c/rc: tolerations is []; ${GKE_ONLY}`],
    ['an unknown platform', { platform: 'aks' as SandboxPlatform }, 'c/rc: platform is "aks"; allowed: gke, self-managed'],
    ['no platform', {} as GvisorRuntimeClassProps, 'c/rc: platform is unset; allowed: gke, self-managed'],
    ...['runc', 'kata', 'crun', 'runsc-kvm', 'Run_SC', 'runsc.v1', '', '-runsc', 'io.containerd.runsc.v1'].map((handler): [string, GvisorRuntimeClassProps, string] => [
      `the handler ${JSON.stringify(handler)}`, { platform: SandboxPlatform.SELF_MANAGED, handler },
      `c/rc: handler is ${JSON.stringify(handler)}; allowed: "runsc" or "gvisor", the containerd runtimes that run gVisor; pods naming the RuntimeClass "gvisor" with another handler (runc, kata, crun) would run without the sandbox`]),
    ['a RuntimeClass named like the sandbox with handler runc', { platform: SandboxPlatform.SELF_MANAGED, name: 'gvisor-runsc', handler: 'runc' },
      'c/rc: handler is "runc"; allowed: "runsc" or "gvisor", the containerd runtimes that run gVisor; pods naming the RuntimeClass "gvisor-runsc" with another handler (runc, kata, crun) would run without the sandbox'],
    ['a RuntimeClass name that is no DNS subdomain', { platform: SandboxPlatform.SELF_MANAGED, name: 'gVisor!' },
      'c/rc: name is "gVisor!"; must be a DNS subdomain: at most 253 lowercase letters, digits, \'-\' and \'.\''],
    ['a bad name on GKE', { platform: SandboxPlatform.GKE, name: '' }, 'c/rc: name is ""; must be a DNS subdomain: at most 253 lowercase letters, digits, \'-\' and \'.\''],
    ['a toleration with an empty key', { platform: SandboxPlatform.SELF_MANAGED, tolerations: [{ key: 'ok' }, { key: '', effect: 'NoSchedule' }] },
      'c/rc: tolerations[1].key is ""; a toleration names the taint key'],
    ['a toleration without key', { platform: SandboxPlatform.SELF_MANAGED, tolerations: [{ value: 'gvisor' } as any] },
      'c/rc: tolerations[0].key is unset; a toleration names the taint key'],
    ['a zero CPU overhead', { platform: SandboxPlatform.SELF_MANAGED, overheadCpu: '0' },
      'c/rc: overheadCpu is "0"; removing a request or limit is refused: every sandboxed container is bounded; give a positive quantity such as "100m"'],
    ['a malformed memory overhead', { platform: SandboxPlatform.SELF_MANAGED, overheadMemory: '64MB' },
      'c/rc: overheadMemory is "64MB"; must be a Kubernetes quantity; give a positive quantity such as "64Mi"'],
  ];

  test.each(rows)('%s', (_name, props, message) => {
    const chart = newChart();
    let error: unknown;
    try {
      new GvisorRuntimeClass(chart, 'rc', props);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SandboxValidationError);
    expect((error as Error).message).toBe(message);
    expect(chart.toJson()).toEqual([]);
  });
});

describe('GKE names its RuntimeClass gvisor', () => {
  test('another name on GKE is refused', () => {
    expect(() => new GvisorRuntimeClass(newChart(), 'rc', { platform: SandboxPlatform.GKE, name: 'sandboxed' }))
      .toThrow('c/rc: name is "sandboxed"; GKE Sandbox installs the RuntimeClass "gvisor"');
  });
});

describe('a RuntimeClass that claims gVisor but runs another handler', () => {
  const runcGvisor = { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'gvisor' }, handler: 'runc' };
  const MESSAGE = 'RuntimeClass "gvisor" has handler "runc": its name says it is the sandbox runtime, and pods naming it run on that runtime, not in gVisor; allowed: "runsc" or "gvisor"';

  test('is reported by the profile over the set (runtime-class-handler); what GvisorRuntimeClass emits passes', () => {
    expect(checkObjectSet([runcGvisor]).map((f) => [f.rule, f.path, f.message])).toEqual([['runtime-class-handler', 'handler', MESSAGE]]);
    const emitted = [new GvisorRuntimeClass(newChart(), 'a', { platform: SandboxPlatform.SELF_MANAGED }), new GvisorRuntimeClass(newChart(), 'b', FULL)].map((rc) => rc.runtimeClass!.toJson());
    expect(checkObjectSet(emitted)).toEqual([]);
  });

  // The audit keeps a skeleton of each object for the cross-resource rules; this runs once it keeps a RuntimeClass's handler.
  const auditKeepsHandler = skeletonOf(runcGvisor as any).handler !== undefined;
  (auditKeepsHandler ? test : test.skip)('is reported by cdk8s-sandbox audit', () => {
    const result = auditObjects([runcGvisor as any]);
    expect(result.findings.map((f) => [f.rule, f.object.name, f.path, f.message])).toEqual([['runtime-class-handler', 'gvisor', 'handler', MESSAGE]]);
    expect(result.exitCode).toBe(1);
  });
});
