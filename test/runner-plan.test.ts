// The pure part of `run`: manifests -> OCI spec, bundle files, flags, deadline and warnings (no runsc needed).
import * as fs from 'fs';
import { CODE_RUNNER_FIXTURE } from './fixtures/runner/code-runner';
import {
  DEFAULT_PATH, DEFAULT_PIDS_LIMIT, RootfsSource, RunPlanInput, buildRunPlan, capabilitiesOf, cpuQuotaUs, expandVars,
  parseBytes, parseManifests, parseMillicores, planRootView, selectWorkload,
} from '../src/runner/internal';
import { KubeObject } from '../src/profile/kube';
import { runnerErrorOf } from './helpers/errors';

const BUNDLE = '/tmp/cdk8s-sandbox-test/bundle';

/** The hand-made code runner: this file asserts its exact fields. */
function codeRunnerDocs(): KubeObject[] {
  return parseManifests(fs.readFileSync(CODE_RUNNER_FIXTURE, 'utf8'), CODE_RUNNER_FIXTURE);
}

/** A host root as listed on a Debian machine, with entries the view must hide. */
const HOST_ROOT: RootfsSource = {
  path: '/',
  hostRoot: true,
  entries: [
    { name: 'bin', type: 'symlink', target: 'usr/bin' }, { name: 'lib', type: 'symlink', target: 'usr/lib' },
    { name: 'lib64', type: 'symlink', target: 'usr/lib64' }, { name: 'sbin', type: 'symlink', target: 'usr/sbin' },
    { name: 'usr', type: 'directory' }, { name: 'etc', type: 'directory' }, { name: 'opt', type: 'directory' },
    { name: 'home', type: 'directory' }, { name: 'root', type: 'directory' }, { name: 'tmp', type: 'directory' },
    { name: 'var', type: 'directory' }, { name: 'proc', type: 'directory' }, { name: 'secrets.txt', type: 'file' },
  ],
};

function plan(docs: KubeObject[] = codeRunnerDocs(), extra: Partial<RunPlanInput> = {}) {
  return buildRunPlan({ docs, bundleDir: BUNDLE, rootfs: HOST_ROOT, containerId: 'cdk8s-sandbox-abc123', cgroupControllers: ['memory', 'cpu', 'pids'], ...extra });
}

/** The code runner with its Job's pod spec changed by `edit`. */
function withPod(edit: (pod: any, container: any) => void): KubeObject[] {
  const docs = JSON.parse(JSON.stringify(codeRunnerDocs()));
  const job = docs.find((d: any) => d.kind === 'Job');
  edit(job.spec.template.spec, job.spec.template.spec.containers[0]);
  return docs;
}

describe('the code runner as an OCI spec', () => {
  const p = plan();

  test('runs the command as UID/GID 65534 with the fsGroup, in /workspace', () => {
    expect(p.workload).toBe('Job/user-code-run-12345');
    expect(p.container).toBe('runner');
    expect(p.spec.process.args).toEqual(['timeout', '30', 'python3', '/workspace/main.py']);
    expect(p.spec.process.user).toEqual({ uid: 65534, gid: 65534 });
    expect(p.spec.process.cwd).toBe('/workspace');
    expect(p.spec.process.terminal).toBe(false);
  });

  test('holds no capabilities, sets no_new_privs, has a read-only root and no network', () => {
    expect(p.spec.process.capabilities).toEqual({ bounding: [], effective: [], inheritable: [], permitted: [], ambient: [] });
    expect(p.spec.process.noNewPrivileges).toBe(true);
    expect(p.spec.root).toEqual({ path: `${BUNDLE}/rootfs`, readonly: true });
    expect(p.runscFlags).toEqual(['--network=none', '--oci-seccomp']);
    expect(p.spec.linux.namespaces.map((n) => n.type)).toEqual(['pid', 'network', 'ipc', 'uts', 'mount']);
  });

  test('passes the env with a PATH and the pod name as HOSTNAME', () => {
    expect(p.spec.process.env).toEqual([
      `PATH=${DEFAULT_PATH}`, 'HOSTNAME=user-code-run-12345-local',
      'HOME=/tmp', 'TMPDIR=/tmp', 'PYTHONDONTWRITEBYTECODE=1', 'PYTHONUNBUFFERED=1',
    ]);
    expect(p.spec.hostname).toBe('user-code-run-12345-local');
  });

  test('maps the memory and CPU limits onto the sandbox cgroup', () => {
    expect(p.spec.linux.cgroupsPath).toBe('cdk8s-sandbox-abc123');
    expect(p.spec.linux.resources).toEqual({ memory: { limit: 536870912 }, cpu: { quota: 50000, period: 100000, shares: 256 }, pids: { limit: 1024 } });
    expect(DEFAULT_PIDS_LIMIT).toBe(1024);
    expect(p.memoryLimitBytes).toBe(536870912);
  });

  test('mounts the code read-only from the bundle and /tmp as a 64Mi tmpfs owned by the fsGroup', () => {
    expect(p.spec.mounts.find((m) => m.destination === '/workspace')).toEqual({
      destination: '/workspace', type: 'bind', source: `${BUNDLE}/volumes/code`, options: ['rbind', 'ro'],
    });
    expect(p.spec.mounts.find((m) => m.destination === '/tmp')).toEqual({
      destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=2777', 'gid=65534', `size=${64 * 2 ** 20}`],
    });
    const main = p.files.find((f) => f.path === 'volumes/code/main.py')!;
    expect(main.content.toString()).toContain('hello from the sandbox');
    expect(main.mode).toBe(0o444); // defaultMode 292
    expect(main.gid).toBe(65534);
  });

  test('shows only the runtime directories of the host root, read-only, and creates its mount points itself', () => {
    const binds = p.spec.mounts.filter((m) => m.type === 'bind' && !m.source.startsWith(BUNDLE));
    // Not the host's /etc (shadow, resolv.conf, hostname) nor /opt: /etc is generated in the skeleton.
    expect(binds).toEqual([{ destination: '/usr', type: 'bind', source: '/usr', options: ['rbind', 'ro'] }]);
    expect(p.symlinks).toEqual([
      { path: 'rootfs/etc/mtab', target: '../proc/self/mounts' },
      { path: 'rootfs/bin', target: 'usr/bin' }, { path: 'rootfs/lib', target: 'usr/lib' },
      { path: 'rootfs/lib64', target: 'usr/lib64' }, { path: 'rootfs/sbin', target: 'usr/sbin' },
    ]);
    const dirs = p.dirs.map((d) => d.path);
    expect(dirs).toEqual(expect.arrayContaining(['rootfs/proc', 'rootfs/dev', 'rootfs/sys', 'rootfs/tmp', 'rootfs/etc', 'rootfs/workspace']));
    expect(p.files.filter((f) => f.path.startsWith('rootfs/etc/')).map((f) => f.path)).toEqual(
      ['passwd', 'group', 'hosts', 'hostname', 'nsswitch.conf'].map((n) => `rootfs/etc/${n}`));
    expect(dirs.some((d) => /rootfs\/(home|root|var|secrets)/.test(d))).toBe(false);
    expect(p.requiredPaths).toEqual([]);
  });

  test('takes the deadline from the Job, or a shorter --timeout', () => {
    expect([p.deadlineSeconds, p.deadlineSource]).toEqual([60, 'Job activeDeadlineSeconds']);
    const shorter = plan(undefined, { timeoutSeconds: 5 });
    expect([shorter.deadlineSeconds, shorter.deadlineSource]).toEqual([5, '--timeout']);
    const longer = plan(undefined, { timeoutSeconds: 500 });
    expect(longer.deadlineSeconds).toBe(60);
  });

  test('says what it does not enforce', () => {
    const text = p.warnings.join('\n');
    expect(text).toMatch(/image python:3.12-slim is not pulled/);
    expect(text).toMatch(/ephemeral-storage limit 128Mi is NOT enforced as a total/);
    expect(text).toMatch(/seccompProfile RuntimeDefault is not applied/);
    expect(text).toMatch(/PID limit: the sandbox may use at most 1024 host tasks \(the default of 1024\)/);
    expect(text).toMatch(/with a generated \/etc \(passwd, group, hosts, hostname, nsswitch.conf, and the alternatives links into those directories; not the host's\)/);
    expect(text).not.toMatch(/memory limit/i);
  });
});

describe('limits the host cannot enforce are warned about, not dropped', () => {
  test('without a memory cgroup controller the memory limit is reported as not enforced', () => {
    const p = plan(undefined, { cgroupControllers: ['cpu'] });
    expect(p.spec.linux.resources).toEqual({ cpu: { quota: 50000, period: 100000, shares: 256 } });
    expect(p.warnings.join('\n')).toMatch(/memory limit 512Mi is NOT enforced: the host offers no memory cgroup controller/);
  });

  test('--pids-limit maps to the pids cgroup, and replaces the default', () => {
    const p = plan(undefined, { pidsLimit: 128 });
    expect(p.spec.linux.resources?.pids).toEqual({ limit: 128 });
    expect(p.warnings.join('\n')).toMatch(/at most 128 host tasks \(--pids-limit 128; the default is 1024\)/);
    expect(runnerErrorOf(() => plan(undefined, { pidsLimit: 0 })).message).toBe('pids limit must be a positive integer, got 0');
  });

  test('without a pids controller the default limit is reported as not enforced', () => {
    const p = plan(undefined, { cgroupControllers: ['memory', 'cpu'] });
    expect(p.spec.linux.resources?.pids).toBeUndefined();
    expect(p.warnings.join('\n')).toMatch(/pids limit 1024 \(the default of 1024\) is NOT enforced: the host offers no pids cgroup controller/);
  });

  test('a writable root becomes an in-memory overlay, never a write to the base', () => {
    const p = plan(withPod((_pod, c) => { c.securityContext.readOnlyRootFilesystem = false; }));
    expect(p.spec.root.readonly).toBe(false);
    // The root only: an overlay on the writable termination message mount would keep the message in the sandbox.
    expect(p.runscFlags).toEqual(['--network=none', '--oci-seccomp', '--overlay2=root:memory']);
    expect(p.warnings.join('\n')).toMatch(/readOnlyRootFilesystem is not true/);
  });

  test('an emptyDir without sizeLimit is capped at the ephemeral-storage limit', () => {
    const p = plan(withPod((pod) => { delete pod.volumes[1].emptyDir.sizeLimit; }));
    expect(p.spec.mounts.find((m) => m.destination === '/tmp')!.options).toContain(`size=${128 * 2 ** 20}`);
    expect(p.warnings.join('\n')).toMatch(/emptyDir "tmp" has no sizeLimit: capped here at the ephemeral-storage limit \(128Mi\)/);
  });
});

describe('security context mapping', () => {
  test('capabilities start from the runtime defaults, then drop and add', () => {
    expect(capabilitiesOf({ drop: ['ALL'] }, 0).bounding).toEqual([]);
    expect(capabilitiesOf({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] }, 0)).toEqual({
      bounding: ['CAP_NET_BIND_SERVICE'], effective: ['CAP_NET_BIND_SERVICE'], inheritable: [], permitted: ['CAP_NET_BIND_SERVICE'], ambient: [],
    });
    const nonRoot = capabilitiesOf(undefined, 1000);
    expect(nonRoot.bounding).toContain('CAP_NET_RAW');
    expect(nonRoot.effective).toEqual([]);
  });

  test('allowPrivilegeEscalation unset leaves no_new_privs off, as in the cluster', () => {
    const p = plan(withPod((_pod, c) => { delete c.securityContext.allowPrivilegeEscalation; }));
    expect(p.spec.process.noNewPrivileges).toBe(false);
  });

  test('runAsNonRoot with UID 0 is refused, as the kubelet refuses it', () => {
    const err = runnerErrorOf(() => plan(withPod((pod, c) => { pod.securityContext.runAsUser = 0; delete c.securityContext.runAsUser; })));
    expect(err.message).toMatch(/runAsNonRoot is true but runAsUser is 0/);
  });

  test('privileged containers and host namespaces are refused', () => {
    expect(runnerErrorOf(() => plan(withPod((_p, c) => { c.securityContext.privileged = true; }))).message).toMatch(/privileged: true cannot run in a sandbox/);
    expect(runnerErrorOf(() => plan(withPod((pod) => { pod.hostPID = true; }))).message).toMatch(/hostPID: true cannot run in a sandbox/);
  });
});

describe('clear errors', () => {
  test('a workload name that is not in the files lists the ones that are', () => {
    expect(runnerErrorOf(() => plan(undefined, { workload: 'nope' })).message)
      .toBe('workload "nope" is not in the files; workloads found: Job/sandbox-jobs/user-code-run-12345');
  });

  test('several workloads need --workload', () => {
    const docs = [...codeRunnerDocs(), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'other' }, spec: { securityContext: { runAsUser: 1000 }, containers: [{ name: 'c', command: ['true'] }] } }];
    expect(runnerErrorOf(() => plan(docs)).message).toMatch(/the files hold 2 workloads; choose one with --workload \(name, Kind\/name or Kind\/namespace\/name\): Job\/sandbox-jobs\/user-code-run-12345, Pod\/other/);
    expect(plan(docs, { workload: 'Pod/other' }).workload).toBe('Pod/other');
  });

  test('a Deployment or Pod runs too, with no deadline unless --timeout gives one', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { activeDeadlineSeconds: 30, containers: [{ name: 'c', command: ['sleep', '1'], securityContext: { runAsUser: 10001 } }] } };
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { spec: { containers: [{ name: 'c', command: ['sleep', '1'] }] } } } };
    const p = plan([pod, deployment] as KubeObject[], { workload: 'p' });
    expect([p.workload, p.deadlineSeconds, p.deadlineSource, p.spec.hostname]).toEqual(['Pod/p', 30, 'pod activeDeadlineSeconds', 'p']);
    // The Deployment sets no runAsUser: it would run as root, which needs allowRoot (--allow-root).
    const d = plan([pod, deployment] as KubeObject[], { workload: 'Deployment/d', allowRoot: true });
    expect(d.deadlineSeconds).toBeUndefined();
    expect(d.spec.process.user.uid).toBe(0);
    expect(d.warnings.join('\n')).toMatch(/no deadline \(activeDeadlineSeconds or --timeout\)/);
    expect(d.warnings.join('\n')).toMatch(/no runAsUser: .* runs as UID 0 \(root inside the sandbox\), allowed by --allow-root/);
    expect(d.warnings.join('\n')).toMatch(/no memory limit in the manifest/);
    expect(plan([pod, deployment] as KubeObject[], { workload: 'd', timeoutSeconds: 9, allowRoot: true }).deadlineSeconds).toBe(9);
  });

  test('a volume type that cannot be mapped names the type and what is supported', () => {
    const docs = withPod((pod) => { pod.volumes[0] = { name: 'code', hostPath: { path: '/etc' } }; });
    expect(runnerErrorOf(() => plan(docs)).message).toBe(
      'volume code: type hostPath cannot be mapped to a local sandbox (supported: configMap, secret, projected (configMap and secret sources), downwardAPI (fieldRef items), emptyDir)');
  });

  test('a ConfigMap missing from the files is named', () => {
    const docs = codeRunnerDocs().filter((d) => d.kind !== 'ConfigMap');
    expect(runnerErrorOf(() => plan(docs)).message).toMatch(/volume code: ConfigMap "user-code-12345" is not in the files \(ConfigMaps found: none\)/);
  });

  test('a projected service-account token is refused', () => {
    const docs = withPod((pod) => { pod.volumes[0] = { name: 'code', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }; });
    expect(runnerErrorOf(() => plan(docs)).message).toMatch(/serviceAccountToken cannot be mapped/);
  });

  test('a container without a command cannot run (the image entrypoint is unknown)', () => {
    expect(runnerErrorOf(() => plan(withPod((_p, c) => { delete c.command; }))).message).toMatch(/no command; the image's entrypoint is unknown here/);
  });

  test('bad YAML names the file', () => {
    expect(runnerErrorOf(() => parseManifests('a: [', 'x.yaml')).message).toMatch(/^x.yaml: not valid YAML/);
  });
});

describe('volumes, env and quantities', () => {
  test('secrets are decoded, items pick keys and paths, and mount points under bound directories must exist', () => {
    const docs = withPod((pod, c) => {
      pod.volumes.push({ name: 'creds', secret: { secretName: 'creds', items: [{ key: 'token', path: 'sub/token.txt', mode: 0o400 }] } });
      c.volumeMounts.push({ name: 'creds', mountPath: '/usr/share/creds' });
    });
    docs.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'sandbox-jobs' }, data: { token: Buffer.from('s3cret').toString('base64') } });
    const p = plan(docs);
    const file = p.files.find((f) => f.path === 'volumes/creds/sub/token.txt')!;
    expect(file.content.toString()).toBe('s3cret');
    expect(file.mode).toBe(0o440); // 0400 plus group read for the fsGroup, as the kubelet does
    expect(p.dirs.map((d) => d.path)).toContain('volumes/creds/sub');
    expect(p.requiredPaths).toEqual(['/usr/share/creds']);
  });

  test('a mount point under the generated /etc is made in the skeleton, not required on the host', () => {
    const docs = withPod((pod, c) => {
      pod.volumes.push({ name: 'creds', secret: { secretName: 'creds' } });
      c.volumeMounts.push({ name: 'creds', mountPath: '/etc/creds' });
    });
    docs.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, data: { token: Buffer.from('s3cret').toString('base64') } });
    const p = plan(docs);
    expect(p.requiredPaths).toEqual([]);
    expect(p.dirs.map((d) => d.path)).toContain('rootfs/etc/creds');
    expect(p.spec.mounts.find((m) => m.destination === '/etc/creds')?.source).toBe(`${BUNDLE}/volumes/creds`);
  });

  test('env from ConfigMaps, the downward API and $(VAR) expansion', () => {
    const docs = withPod((_pod, c) => {
      c.env = [
        { name: 'LANG', valueFrom: { configMapKeyRef: { name: 'settings', key: 'lang' } } },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'GREETING', value: 'lang=$(LANG) literal=$$(LANG) unknown=$(NOPE)' },
      ];
      c.args = ['--lang=$(LANG)'];
    });
    docs.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { lang: 'C.UTF-8' } });
    const p = plan(docs);
    expect(p.spec.process.env).toEqual(expect.arrayContaining([
      'LANG=C.UTF-8', 'POD=user-code-run-12345-local', 'NS=sandbox-jobs', 'MEM=512', 'GREETING=lang=C.UTF-8 literal=$(LANG) unknown=$(NOPE)',
    ]));
    expect(p.spec.process.args.at(-1)).toBe('--lang=C.UTF-8');
  });

  test('downwardAPI volumes write the pod\'s annotations, labels, name and namespace as files, at nested paths, read-only', () => {
    const docs = withPod((pod, c) => {
      pod.volumes.push({
        name: 'meta',
        downwardAPI: {
          defaultMode: 0o444,
          items: [
            { path: 'main.py', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.annotations[\'code.cdk8s-sandbox.io/0\']' } },
            { path: 'pkg/labels/workload', fieldRef: { fieldPath: 'metadata.labels[\'cdk8s-sandbox.io/workload\']' }, mode: 0o400 },
            { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
            { path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } },
          ],
        },
      });
      c.volumeMounts.push({ name: 'meta', mountPath: '/usr/share/meta' });
    });
    const job = docs.find((d: any) => d.kind === 'Job') as any;
    job.spec.template.metadata.annotations = { ...job.spec.template.metadata.annotations, 'code.cdk8s-sandbox.io/0': 'print("from an annotation")\n' };
    const p = plan(docs);
    const fileOf = (rel: string) => p.files.find((f) => f.path === `volumes/meta/${rel}`)!;
    expect(fileOf('main.py').content.toString()).toBe('print("from an annotation")\n');
    expect(fileOf('main.py').mode).toBe(0o444);
    expect(fileOf('pkg/labels/workload').content.toString()).toBe('user-code-run-12345');
    expect(fileOf('pkg/labels/workload').mode).toBe(0o440);
    expect(fileOf('name').content.toString()).toBe('user-code-run-12345-local');
    expect(fileOf('namespace').content.toString()).toBe('sandbox-jobs');
    expect(p.spec.mounts.find((m) => m.destination === '/usr/share/meta')).toEqual({ destination: '/usr/share/meta', type: 'bind', source: `${BUNDLE}/volumes/meta`, options: ['rbind', 'ro'] });
  });

  test.each([
    ['a resourceFieldRef item', { path: 'cpu', resourceFieldRef: { resource: 'limits.cpu' } }, 'volume meta: items[0]: resourceFieldRef items cannot be mapped here (supported: fieldRef)'],
    ['an item without a fieldRef', { path: 'x' }, 'volume meta: items[0]: needs a fieldRef with a fieldPath'],
    ['a path climbing out', { path: '../x', fieldRef: { fieldPath: 'metadata.name' } }, 'volume meta: items[0]: item path "../x" has a ".." element'],
    ['an unknown field path', { path: 'x', fieldRef: { fieldPath: 'status.podIP' } }, 'volume meta: items[0]: fieldRef "status.podIP" cannot be resolved locally'],
  ])('a downwardAPI volume with %s is refused', (_what, item, message) => {
    const docs = withPod((pod, c) => {
      pod.volumes.push({ name: 'meta', downwardAPI: { items: [item] } });
      c.volumeMounts.push({ name: 'meta', mountPath: '/usr/share/meta' });
    });
    expect(runnerErrorOf(() => plan(docs)).message).toContain(message);
  });

  test('expandVars follows Kubernetes: known names expand, $$ escapes, unknown stay', () => {
    expect(expandVars('$(A)-$$(A)-$(B)', new Map([['A', '1']]))).toBe('1-$(A)-$(B)');
  });

  test('quantities', () => {
    expect(parseBytes('64Mi', 'x')).toBe(67108864);
    expect(parseBytes('1G', 'x')).toBe(1e9);
    expect(parseBytes('1e3', 'x')).toBe(1000);
    expect(parseMillicores('500m', 'x')).toBe(500);
    expect(parseMillicores('1.5', 'x')).toBe(1500);
    expect(cpuQuotaUs(500)).toBe(50000);
    expect(() => parseBytes('lots', 'limits.memory')).toThrow('limits.memory: "lots" is not a Kubernetes quantity');
  });

  test('a user rootfs is bound entry by entry, except what the sandbox provides', () => {
    const view = planRootView({ path: '/images/py', hostRoot: false, entries: [{ name: 'usr', type: 'directory' }, { name: 'home', type: 'directory' }, { name: 'proc', type: 'directory' }, { name: '.env', type: 'file' }] });
    expect(view.mounts.map((m) => `${m.destination}<-${m.source}`)).toEqual(['/.env<-/images/py/.env', '/home<-/images/py/home', '/usr<-/images/py/usr']);
    expect(view.files.map((f) => f.path)).toEqual(['rootfs/.env']);
  });

  test('the selected workload skips other containers loudly', () => {
    const docs = withPod((pod) => { pod.initContainers = [{ name: 'setup', command: ['true'] }]; });
    expect(selectWorkload(docs).skippedContainers).toEqual(['init container setup']);
    expect(plan(docs).warnings.join('\n')).toMatch(/only container runner runs; not run: init container setup/);
  });
});
