// `run` picks between same-named workloads of two namespaces: `Kind/namespace/name` or `--namespace`, and the
// ConfigMaps it mounts come from the chosen workload's namespace (issue 11: `Deployment/web` was "ambiguous"
// and `Deployment/tenant-acme/web` "not in the files").
import { RunPlanInput, buildRunPlan } from '../src/runner/internal';
import { KubeObject } from '../src/profile/kube';

function tenant(namespace: string, greeting: string): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config', namespace }, data: { greeting } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace },
      spec: {
        replicas: 1, selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534 },
            containers: [{ name: 'web', image: 'busybox:1.36.1', command: ['cat', '/config/greeting'], volumeMounts: [{ name: 'config', mountPath: '/config' }] }],
            volumes: [{ name: 'config', configMap: { name: 'web-config' } }],
          },
        },
      },
    },
  ];
}

const docs = [...tenant('tenant-acme', 'hello acme'), ...tenant('tenant-beta', 'hello beta')];
const plan = (extra: Partial<RunPlanInput>) => buildRunPlan({ docs, bundleDir: '/tmp/b', containerId: 'id', cgroupControllers: [], rootfs: { path: '/', hostRoot: true, entries: [] }, ...extra });
const greetingOf = (p: ReturnType<typeof plan>) => p.files.find((f) => f.path.endsWith('/greeting'))!.content.toString('utf8');

test('a name or Kind/name that both namespaces hold is ambiguous, and the error says how to choose', () => {
  expect(() => plan({ workload: 'Deployment/web' })).toThrow('workload "Deployment/web" is ambiguous; use Kind/namespace/name or --namespace: Deployment/tenant-acme/web, Deployment/tenant-beta/web');
  expect(() => plan({})).toThrow('the files hold 2 workloads; choose one with --workload (name, Kind/name or Kind/namespace/name): Deployment/tenant-acme/web, Deployment/tenant-beta/web');
});

test('Kind/namespace/name picks one, with its own namespace\'s ConfigMap', () => {
  expect(greetingOf(plan({ workload: 'Deployment/tenant-acme/web' }))).toBe('hello acme');
  expect(greetingOf(plan({ workload: 'Deployment/tenant-beta/web' }))).toBe('hello beta');
});

test('--namespace narrows the choice; a workload without a namespace is taken to live in it', () => {
  expect(greetingOf(plan({ namespace: 'tenant-beta', workload: 'web' }))).toBe('hello beta');
  expect(greetingOf(plan({ namespace: 'tenant-acme' }))).toBe('hello acme');
  const unnamespaced = tenant('x', 'hello there').map((o) => ({ ...o, metadata: { name: o.metadata!.name } }));
  const p = buildRunPlan({ docs: unnamespaced, namespace: 'team', bundleDir: '/tmp/b', containerId: 'id', cgroupControllers: [], rootfs: { path: '/', hostRoot: true, entries: [] } });
  expect(p.files.find((f) => f.path.endsWith('/greeting'))!.content.toString('utf8')).toBe('hello there');
  expect(() => plan({ namespace: 'tenant-gamma' })).toThrow('the files hold no workload to run in namespace "tenant-gamma"');
  expect(() => plan({ namespace: 'tenant-beta', workload: 'Deployment/tenant-acme/web' })).toThrow('workload "Deployment/tenant-acme/web" is not in the files in namespace "tenant-beta"; workloads found: Deployment/tenant-beta/web');
});
