// CodeRunnerJob (issue 3): snapshots of the construct with defaults and with every option, literal
// field assertions for every hardening control, one test per bad input, the content hash in names,
// name lengths, the shared deny-all NetworkPolicy's selector evaluated against pod labels, and schema plus
// unknown-field validation of every object. Output is judged by literal values, never by src/profile.
import { Chart, Testing } from 'cdk8s';
import { CodeRunnerJob, CodeRunnerJobProps, CodeSource, EnvValue, Language, SandboxRuntimes, SandboxVolume, SandboxedDeployment } from '../src';
import { CODE_IN_POD_FILE_OVERHEAD_BYTES, CODE_IN_POD_MAX_BYTES, codeBytesInJob, goJsonStringBytes } from '../src/builders/code-runner';
import { SandboxValidationError } from '../src/builders/errors';
import { parseRunResultWrapperCommand, runResultWrapperCommand } from '../src/builders/run-wrapper';
import { schemaErrors, unknownFields } from './helpers/schema';

type Json = { [key: string]: any };

const PY = 'print("hello")\n';

/** Synthesizes one CodeRunnerJob in a fresh chart `test` (construct path `test/<id>`). */
function synth(props: CodeRunnerJobProps, id = 'run', chartNamespace?: string): { run: CodeRunnerJob; objects: Json[] } {
  const chart = new Chart(Testing.app(), 'test', chartNamespace ? { namespace: chartNamespace } : {});
  // The tests' own gVisor RuntimeClasses (self-managed clusters), allowed deliberately.
  for (const name of ['gvisor-ptrace', 'gvisor-kvm']) SandboxRuntimes.allow(chart, name, 'test: a gVisor RuntimeClass of a self-managed cluster');
  const run = new CodeRunnerJob(chart, id, props);
  return { run, objects: Testing.synth(chart) };
}

function only(objects: Json[], kind: string): Json {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
}

const jobOf = (objects: Json[]) => only(objects, 'Job');
const podOf = (objects: Json[]) => jobOf(objects).spec.template.spec;
const mainOf = (objects: Json[]) => podOf(objects).containers[0];
/** The submitted files as the pod sees them: path -> content, from the code volume and wherever it points. */
function filesOf(objects: Json[]): Json {
  const volume = podOf(objects).volumes.find((v: Json) => v.name === 'code');
  const annotations = jobOf(objects).spec.template.metadata.annotations;
  if (volume.downwardAPI) return Object.fromEntries(volume.downwardAPI.items.map((i: Json) => [i.path, annotations[/\['(.*)'\]$/.exec(i.fieldRef.fieldPath)![1]]]));
  const data = only(objects, 'ConfigMap').data;
  return volume.configMap.items ? Object.fromEntries(volume.configMap.items.map((i: Json) => [i.path, data[i.key]])) : data;
}
/** The container command of a run under a soft timeout of `seconds`: the result wrapper around `command`. */
const wrapped = (seconds: number, command: string[]) => runResultWrapperCommand(command, { timeoutSeconds: seconds, killGraceSeconds: 5, terminationMessagePath: '/dev/termination-log' });
const envOf = (container: Json) => Object.fromEntries((container.env ?? []).map((e: Json) => [e.name, e.value ?? e.valueFrom]));

/** The error a function throws (fails the test when it does not throw). */
function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error, but none was thrown');
}

const HARDENED_CONTAINER_SECURITY = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsGroup: 65534,
  runAsNonRoot: true,
  runAsUser: 65534,
};
const DEFAULT_RESOURCES = {
  requests: { 'cpu': '250m', 'memory': '256Mi', 'ephemeral-storage': '64Mi' },
  limits: { 'cpu': '500m', 'memory': '512Mi', 'ephemeral-storage': '256Mi' },
};

/** Every option of the construct, one case each, plus all of them at once. */
const CASES: [string, CodeRunnerJobProps][] = [
  ['defaults', { code: PY }],
  ['a files map', { files: { 'main.py': 'import util\nutil.hello()\n', 'util.py': 'def hello():\n    print("hi")\n' } }],
  ['code from a ConfigMap', { codeFrom: CodeSource.fromConfigMap('submission-code') }],
  ['code from a Secret', { codeFrom: CodeSource.fromSecret('submission-code') }],
  ['Python', { code: PY, language: Language.PYTHON }],
  ['Node.js', { code: 'console.log("hello");\n', language: Language.NODE }],
  ['POSIX shell', { code: 'echo hello\n', language: Language.SHELL }],
  ['a custom language', {
    code: 'puts "hello"\n',
    language: Language.custom({ name: 'ruby', image: 'ruby:3.3.5-slim', command: ['ruby', '--disable-gems'], entryFile: 'main.rb', env: { GEM_HOME: '/tmp/gems' } }),
  }],
  ['a custom image and command', { code: PY, image: 'python:3.11.10-slim', command: ['python3', '-I', '/workspace/main.py'] }],
  ['an entry file', { files: { 'app.py': PY, 'lib.py': 'X = 1\n' }, entryFile: 'app.py' }],
  ['env', { code: PY, env: { GREETING: EnvValue.fromValue('hi'), LIMITS: EnvValue.fromConfigMap('run-settings', 'limits'), POD: EnvValue.fromFieldPath('metadata.name') } }],
  ['time limits', { code: PY, timeoutSeconds: 5, deadlineSeconds: 20, ttlSecondsAfterFinished: 0 }],
  ['resources', { code: PY, resources: { cpuRequest: '100m', cpuLimit: '1', memoryRequest: '128Mi', memoryLimit: '1Gi', ephemeralStorageRequest: '32Mi', ephemeralStorageLimit: '128Mi' } }],
  ['writable paths', { code: PY, writablePaths: [{ path: '/tmp', sizeLimit: '128Mi' }, { path: '/home/runner', sizeLimit: '16Mi', inMemory: true }] }],
  ['a run id', { code: PY, runId: 'user-code-run-12345' }],
  ['a name', { code: PY, name: 'exercise-7' }],
  ['a namespace', { code: PY, namespace: 'sandbox-jobs' }],
  ['labels', { code: PY, labels: { 'platform.example.com/user': 'u-42', 'tier': 'free' } }],
  ['sidecar and init containers', {
    code: PY,
    initContainers: [{ name: 'fetch', image: 'busybox:1.36.1', command: ['sh', '-c', 'true'] }],
    sidecars: [{ name: 'log-shipper', image: 'fluent/fluent-bit:3.1.9', resources: { cpuLimit: '100m', memoryLimit: '64Mi', cpuRequest: '50m', memoryRequest: '32Mi' } }],
  }],
  ['extra volumes, runtime class and pod security', {
    code: PY,
    runtimeClassName: 'gvisor-ptrace',
    podSecurity: { user: 10001, group: 10002, fsGroup: 10003 },
    volumes: [SandboxVolume.fromConfigMap('datasets', 'shared-datasets')],
    sidecars: [{ name: 'reader', image: 'busybox:1.36.1', volumeMounts: [{ volume: 'datasets', path: '/data' }] }],
  }],
  ['every option at once', {
    files: { 'main.js': 'require("./lib");\n', 'lib.js': 'console.log(1);\n' },
    language: Language.NODE,
    runId: 'submission-0001',
    namespace: 'sandbox-jobs',
    labels: { 'platform.example.com/user': 'u-42' },
    env: { NODE_OPTIONS: EnvValue.fromValue('--max-old-space-size=256') },
    timeoutSeconds: 10,
    deadlineSeconds: 16,
    ttlSecondsAfterFinished: 60,
    resources: { cpuLimit: '250m', memoryLimit: '384Mi' },
    writablePaths: [{ path: '/tmp', sizeLimit: '32Mi' }],
    containerName: 'user-code',
    sidecars: [{ name: 'watch', image: 'busybox:1.36.1', command: ['sleep', '5'] }],
  }],
];

describe('snapshots', () => {
  test.each(CASES)('%s', (_name, props) => {
    expect(synth(props).objects).toMatchSnapshot();
  });
});

describe('schema and unknown fields', () => {
  test.each(CASES)('%s: every object is a valid Kubernetes object with no unknown field', (_name, props) => {
    const { objects } = synth(props);
    expect(objects.length).toBeGreaterThanOrEqual(2);
    for (const obj of objects) {
      expect({ object: `${obj.kind}/${obj.metadata.name}`, schema: schemaErrors(obj as any), unknown: unknownFields(obj as any) })
        .toEqual({ object: `${obj.kind}/${obj.metadata.name}`, schema: [], unknown: [] });
    }
  });
});

describe('defaults: every control as a literal value', () => {
  const { run, objects } = synth({ code: PY });
  const name = run.name;

  test('a Job and the shared deny-all NetworkPolicy; nothing else, nothing the Job does not own but that one policy', () => {
    expect(objects.map((o) => `${o.apiVersion} ${o.kind}`)).toEqual(['networking.k8s.io/v1 NetworkPolicy', 'batch/v1 Job']);
    expect(name).toMatch(/^run-[0-9a-f]{16}$/);
    expect(objects.map((o) => o.metadata.name)).toEqual(['code-run-deny-all', name]);
    expect(jobOf(objects).metadata.labels).toEqual({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/managed-by': 'cdk8s-sandbox' });
    expect(only(objects, 'NetworkPolicy').metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'cdk8s-sandbox' });
    for (const o of objects) expect(o.metadata.namespace).toBeUndefined();
  });

  test('the code travels in the pod: one annotation per file, projected read-only by a downwardAPI volume', () => {
    const template = jobOf(objects).spec.template;
    expect(template.metadata.annotations['code.cdk8s-sandbox.io/0']).toBe(PY);
    expect(Object.keys(template.metadata.annotations).filter((k) => k.startsWith('code.'))).toEqual(['code.cdk8s-sandbox.io/0']);
    expect(run.configMap).toBeUndefined();
  });

  test('it is mounted read-only (defaultMode 0444) at /workspace, the working directory', () => {
    expect(podOf(objects).volumes).toContainEqual({
      name: 'code',
      downwardAPI: { defaultMode: 0o444, items: [{ path: 'main.py', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.annotations[\'code.cdk8s-sandbox.io/0\']' } }] },
    });
    expect(podOf(objects).volumes.find((v: Json) => v.name === 'code').downwardAPI.defaultMode).toBe(292);
    expect(mainOf(objects).volumeMounts).toContainEqual({ name: 'code', mountPath: '/workspace', readOnly: true });
    expect(mainOf(objects).workingDir).toBe('/workspace');
  });

  test('Job limits: 60 s deadline on the pod (90 s on the Job), TTL 300, no retries, one completion, no parallelism, restartPolicy Never', () => {
    const spec = jobOf(objects).spec;
    expect(spec.template.spec.activeDeadlineSeconds).toBe(60);
    expect(spec.activeDeadlineSeconds).toBe(90);
    expect(spec.ttlSecondsAfterFinished).toBe(300);
    expect(spec.backoffLimit).toBe(0);
    expect(spec.completions).toBe(1);
    expect(spec.parallelism).toBe(1);
    expect(spec.template.spec.restartPolicy).toBe('Never');
    expect(Object.keys(spec).sort()).toEqual(['activeDeadlineSeconds', 'backoffLimit', 'completions', 'parallelism', 'template', 'ttlSecondsAfterFinished']);
  });

  test('the soft limit: python3 runs under `timeout -k 5 30`, in the wrapper that writes the result to /dev/termination-log', () => {
    expect(parseRunResultWrapperCommand(mainOf(objects).command)).toEqual({
      timeoutSeconds: 30, killGraceSeconds: 5, terminationMessagePath: '/dev/termination-log', command: ['python3', '/workspace/main.py'],
    });
    expect(mainOf(objects).command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(mainOf(objects).command).toEqual(wrapped(30, ['python3', '/workspace/main.py']));
    expect(mainOf(objects).args).toBeUndefined();
  });

  test('the pod: gVisor, no token, no service links, no host namespaces, non-root ids, RuntimeDefault seccomp', () => {
    const pod = podOf(objects);
    expect(pod.runtimeClassName).toBe('gvisor');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.serviceAccountName).toBeUndefined();
    for (const hostField of ['hostNetwork', 'hostPID', 'hostIPC', 'hostUsers', 'shareProcessNamespace']) expect(pod[hostField]).toBeUndefined();
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.initContainers).toBeUndefined();
    expect(pod.containers).toHaveLength(1);
  });

  test('the container: pinned image, hardened security context, every resource bounded, no ports', () => {
    const main = mainOf(objects);
    expect(main.name).toBe('runner');
    expect(main.image).toBe('python:3.12.7-slim');
    expect(main.securityContext).toEqual(HARDENED_CONTAINER_SECURITY);
    expect(main.resources).toEqual(DEFAULT_RESOURCES);
    expect(main.ports).toBeUndefined();
    expect(main.envFrom).toBeUndefined();
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) expect(main[probe]).toBeUndefined();
  });

  test('/tmp is a size-limited emptyDir, HOME and TMPDIR point there, Python writes no bytecode', () => {
    expect(podOf(objects).volumes.map((v: Json) => v.name)).toEqual(['code', 'runner-tmp']);
    expect(podOf(objects).volumes[1]).toEqual({ name: 'runner-tmp', emptyDir: { sizeLimit: '64Mi' } });
    expect(mainOf(objects).volumeMounts).toEqual([
      { name: 'runner-tmp', mountPath: '/tmp' },
      { name: 'code', mountPath: '/workspace', readOnly: true },
    ]);
    expect(mainOf(objects).env).toEqual([
      { name: 'HOME', value: '/tmp' },
      { name: 'TMPDIR', value: '/tmp' },
      { name: 'PYTHONDONTWRITEBYTECODE', value: '1' },
      { name: 'PYTHONUNBUFFERED', value: '1' },
    ]);
  });

  test('the pod template carries the object labels, the sandbox marker, the code-run marker and the run\'s selector label', () => {
    expect(jobOf(objects).spec.template.metadata.labels).toEqual({
      'app.kubernetes.io/name': name,
      'app.kubernetes.io/managed-by': 'cdk8s-sandbox',
      'cdk8s-sandbox.io/code-run': 'true',
      'cdk8s-sandbox.io/sandboxed': 'true',
      'cdk8s-sandbox.io/workload': name,
    });
  });

  test('the shared deny-all NetworkPolicy: both policy types, no rule at all, selecting every code-run pod by its marker', () => {
    const np = only(objects, 'NetworkPolicy');
    expect(np.metadata.name).toBe('code-run-deny-all');
    expect(np.spec).toEqual({ podSelector: { matchLabels: { 'cdk8s-sandbox.io/code-run': 'true' } }, policyTypes: ['Ingress', 'Egress'] });
    expect(np.spec.ingress).toBeUndefined();
    expect(np.spec.egress).toBeUndefined();
  });

  test('the construct exposes its name, labels, runtime class and ApiObjects', () => {
    expect(run.namespace).toBeUndefined();
    expect(run.runtimeClassName).toBe('gvisor');
    expect(run.selectorLabels).toEqual({ 'cdk8s-sandbox.io/workload': name });
    expect(run.podLabels).toEqual(jobOf(objects).spec.template.metadata.labels);
    expect([run.configMap, run.job.kind, run.networkPolicy.kind]).toEqual([undefined, 'Job', 'NetworkPolicy']);
    expect([run.job.name, run.networkPolicy.name]).toEqual([name, 'code-run-deny-all']);
  });
});

describe('languages', () => {
  test.each([
    ['Python', Language.PYTHON, 'python:3.12.7-slim', ['python3', '/workspace/main.py'], 'main.py', { PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' }],
    ['Node.js', Language.NODE, 'node:20.18.0-slim', ['node', '/workspace/main.js'], 'main.js', { NODE_REPL_HISTORY: '', NO_UPDATE_NOTIFIER: '1' }],
    ['POSIX shell', Language.SHELL, 'busybox:1.36.1', ['sh', '/workspace/main.sh'], 'main.sh', {}],
  ])('%s: pinned image, command on the entry file, runtime env on a read-only root', (_name, language, image, command, entryFile, env) => {
    const { objects } = synth({ code: 'x\n', language });
    expect(mainOf(objects).image).toBe(image);
    expect(mainOf(objects).command).toEqual(wrapped(30, command));
    expect(filesOf(objects)).toEqual({ [entryFile]: 'x\n' });
    expect(envOf(mainOf(objects))).toEqual({ HOME: '/tmp', TMPDIR: '/tmp', ...env });
  });

  test('Python is the default language', () => {
    expect(mainOf(synth({ code: PY }).objects)).toEqual(mainOf(synth({ code: PY, language: Language.PYTHON }).objects));
  });

  test('presets are looked up by name; an unknown name is refused with the known ones', () => {
    expect(Language.presets()).toEqual([Language.PYTHON, Language.NODE, Language.SHELL]);
    expect(Language.of('python')).toBe(Language.PYTHON);
    expect(Language.of('node')).toBe(Language.NODE);
    expect(Language.of('shell')).toBe(Language.SHELL);
    expect(() => Language.of('ruby')).toThrow('unknown language "ruby"; known: python, node, shell (or Language.custom)');
  });

  test('a custom language brings its image, command, entry file and env', () => {
    const ruby = Language.custom({ name: 'ruby', image: 'ruby:3.3.5-slim', command: ['ruby', '--disable-gems'], entryFile: 'main.rb', env: { GEM_HOME: '/tmp/gems' } });
    const { objects } = synth({ code: 'puts 1\n', language: ruby });
    expect(mainOf(objects).image).toBe('ruby:3.3.5-slim');
    expect(mainOf(objects).command).toEqual(wrapped(30, ['ruby', '--disable-gems', '/workspace/main.rb']));
    expect(filesOf(objects)).toEqual({ 'main.rb': 'puts 1\n' });
    expect(envOf(mainOf(objects))).toEqual({ HOME: '/tmp', TMPDIR: '/tmp', GEM_HOME: '/tmp/gems' });
  });

  test('a custom image and command replace the language\'s and stay under the soft timeout', () => {
    const { objects } = synth({ code: PY, image: 'python:3.11.10-slim', command: ['python3', '-I', '/workspace/main.py'], timeoutSeconds: 7, deadlineSeconds: 13 });
    expect(mainOf(objects).image).toBe('python:3.11.10-slim');
    expect(mainOf(objects).command).toEqual(wrapped(7, ['python3', '-I', '/workspace/main.py']));
    expect(envOf(mainOf(objects))).toEqual({ HOME: '/tmp', TMPDIR: '/tmp', PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' });
  });
});

describe('where the code travels: in the pod when it fits, else in a ConfigMap of the run', () => {
  /** The Job as JSON the way Go writes it (kubectl's last-applied annotation): `<`, `>`, `&` as \u003c etc. */
  const goJsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`), 'utf8');
  // 'x' * n adds n + 2 (its quotes) bytes, plus the path and the per-file overhead (its key and downwardAPI item).
  const largest = CODE_IN_POD_MAX_BYTES - 2 - 'main.py'.length - CODE_IN_POD_FILE_OVERHEAD_BYTES;

  test('up to 192 KiB of files (as kubectl apply stores them) the code stays in the pod, one byte more and it moves', () => {
    expect(CODE_IN_POD_MAX_BYTES).toBe(196608);
    const inPod = synth({ code: 'x'.repeat(largest) });
    expect(inPod.objects.map((o) => o.kind)).toEqual(['NetworkPolicy', 'Job']);
    expect(codeBytesInJob({ 'main.py': 'x'.repeat(largest) })).toBe(CODE_IN_POD_MAX_BYTES);
    const moved = synth({ code: 'x'.repeat(largest + 1) });
    expect(moved.objects.map((o) => o.kind)).toEqual(['NetworkPolicy', 'ConfigMap', 'Job']);
    expect(moved.run.configMap?.name).toBe(moved.run.name);
    expect(filesOf(moved.objects)).toEqual({ 'main.py': 'x'.repeat(largest + 1) });
    expect(jobOf(moved.objects).spec.template.metadata.annotations['code.cdk8s-sandbox.io/0']).toBeUndefined();
  });

  test('at the limit, the Job and its pod stay well inside the 256 KiB annotation limit, and the overhead covers a file\'s key and item', () => {
    const job = jobOf(synth({ code: 'x'.repeat(largest) }).objects);
    expect(goJsonBytes(job)).toBeLessThan(256 * 1024 - 48 * 1024);
    const annotations = job.spec.template.metadata.annotations;
    expect(Object.entries(annotations).reduce((sum, [k, v]) => sum + k.length + (v as string).length, 0)).toBeLessThan(256 * 1024 - 60 * 1024);
    // Each further file adds its key, its downwardAPI item and its path: within the overhead and the path length.
    const one = jobOf(synth({ files: { 'main.py': 'x' } }).objects);
    const two = jobOf(synth({ files: { 'main.py': 'x', 'pkg/helpers.py': 'y' } }).objects);
    expect(goJsonBytes(two) - goJsonBytes(one) - goJsonBytes('y')).toBeLessThanOrEqual(CODE_IN_POD_FILE_OVERHEAD_BYTES + 'pkg/helpers.py'.length);
  });

  test('"<", ">" and "&" count six bytes each, as Go writes them in the last-applied annotation', () => {
    expect(goJsonStringBytes('<>&')).toBe(2 + 18);
    expect(goJsonStringBytes('\u00e9"\n')).toBe(Buffer.byteLength(JSON.stringify('\u00e9"\n')));
    const markupLength = Math.floor((largest - 2) / 6);
    expect(synth({ code: '<'.repeat(markupLength) }).objects.map((o) => o.kind)).toEqual(['NetworkPolicy', 'Job']);
    expect(synth({ code: '<'.repeat(markupLength + 1) }).objects.map((o) => o.kind)).toEqual(['NetworkPolicy', 'ConfigMap', 'Job']);
  });

  test('code with a character YAML cannot carry safely goes in a ConfigMap\'s binaryData, as the same bytes', () => {
    const code = 'print("a\u2028b")\n';
    const { objects } = synth({ code });
    const cm = only(objects, 'ConfigMap');
    expect(cm.binaryData).toEqual({ 'main.py': Buffer.from(code, 'utf8').toString('base64') });
    expect(cm.data).toBeUndefined();
  });

  test('a run\'s ConfigMap is immutable and labelled as a code run\'s, for a one-line cleanup', () => {
    const { run, objects } = synth({ code: 'x'.repeat(200 * 1024), labels: { tier: 'free' } });
    expect(only(objects, 'ConfigMap').immutable).toBe(true);
    expect(only(objects, 'ConfigMap').metadata.labels).toEqual({
      'app.kubernetes.io/name': run.name, 'app.kubernetes.io/managed-by': 'cdk8s-sandbox', 'cdk8s-sandbox.io/code-run': 'true', 'tier': 'free',
    });
  });
});

describe('options', () => {
  test('a files map travels in the pod, one annotation per file; the entry file can be chosen', () => {
    const files = { 'app.py': 'import lib\n', 'lib.py': 'X = 1\n', 'data.json': '{}' };
    const { objects } = synth({ files, entryFile: 'app.py' });
    expect(filesOf(objects)).toEqual(files);
    expect(Object.keys(jobOf(objects).spec.template.metadata.annotations).filter((k) => k.startsWith('code.'))).toEqual(['code.cdk8s-sandbox.io/0', 'code.cdk8s-sandbox.io/1', 'code.cdk8s-sandbox.io/2']);
    expect(mainOf(objects).command).toEqual(wrapped(30, ['python3', '/workspace/app.py']));
  });

  test('files in folders: each downwardAPI item writes its file at its path', () => {
    const files = { 'main.py': 'import pkg.mod\n', 'pkg/mod.py': 'X = 1\n', 'pkg/sub/data.json': '{}' };
    const { objects } = synth({ files });
    expect(podOf(objects).volumes.find((v: any) => v.name === 'code').downwardAPI.items.map((i: Json) => [i.path, i.fieldRef.fieldPath])).toEqual([
      ['main.py', 'metadata.annotations[\'code.cdk8s-sandbox.io/0\']'],
      ['pkg/mod.py', 'metadata.annotations[\'code.cdk8s-sandbox.io/1\']'],
      ['pkg/sub/data.json', 'metadata.annotations[\'code.cdk8s-sandbox.io/2\']'],
    ]);
    expect(filesOf(objects)).toEqual(files);
    // A nested entry file runs from its path.
    const nested = synth({ files: { 'app/main.py': 'print(1)\n' }, entryFile: 'app/main.py' });
    expect(mainOf(nested.objects).command).toEqual(wrapped(30, ['python3', '/workspace/app/main.py']));
  });

  test('files in folders, in a ConfigMap (code too big for the pod): flat keys, mapped back to their paths read-only by the volume\'s items', () => {
    const big = 'x'.repeat(250 * 1024);
    const files = { 'main.py': 'import pkg.mod\n', 'pkg/mod.py': 'X = 1\n', 'pkg/sub/data.json': big };
    const { objects } = synth({ files });
    expect(only(objects, 'ConfigMap').data).toEqual({ 'main.py': 'import pkg.mod\n', 'pkg__mod.py': 'X = 1\n', 'pkg__sub__data.json': big });
    const code = only(objects, 'Job').spec.template.spec.volumes.find((v: any) => v.name === 'code');
    expect(code.configMap.items).toEqual([
      { key: 'main.py', path: 'main.py' }, { key: 'pkg__mod.py', path: 'pkg/mod.py' }, { key: 'pkg__sub__data.json', path: 'pkg/sub/data.json' },
    ]);
    expect(code.configMap.defaultMode).toBe(0o444);
    expect(mainOf(objects).volumeMounts.find((m: any) => m.name === 'code')).toEqual({ name: 'code', mountPath: '/workspace', readOnly: true });
  });

  test('flat files in a ConfigMap keep a plain ConfigMap volume (no items)', () => {
    const { objects } = synth({ files: { 'main.py': PY, 'lib.py': 'x'.repeat(250 * 1024) } });
    expect(only(objects, 'Job').spec.template.spec.volumes.find((v: any) => v.name === 'code').configMap.items).toBeUndefined();
  });

  test('a queued run: created suspended, labelled with its LocalQueue, named apart from the same run unqueued', () => {
    const queued = synth({ code: PY, queueName: 'code-runs' });
    const job = only(queued.objects, 'Job');
    expect(job.spec.suspend).toBe(true);
    expect(job.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('code-runs');
    expect(job.spec.template.metadata.labels['kueue.x-k8s.io/queue-name']).toBeUndefined();
    const plain = only(synth({ code: PY }).objects, 'Job');
    expect(plain.spec.suspend).toBeUndefined();
    expect(plain.metadata.labels['kueue.x-k8s.io/queue-name']).toBeUndefined();
    expect(plain.metadata.name).not.toBe(job.metadata.name);
    expect(() => synth({ code: PY, queueName: 'Code Runs' })).toThrow(/queueName is "Code Runs"/);
  });

  test('softTimeout: false runs the command as given, for images without timeout; the deadline still applies', () => {
    const { objects } = synth({ code: PY, image: 'gcr.io/distroless/python3-debian12:nonroot', command: ['python3', '/workspace/main.py'], softTimeout: false, deadlineSeconds: 10 });
    expect(mainOf(objects).command).toEqual(['python3', '/workspace/main.py']);
    expect(podOf(objects).activeDeadlineSeconds).toBe(10);
  });

  test('gvisorSeccomp: false leaves gVisor\'s seccomp flag off (for code that needs threads), and keeps the tmpfs hints', () => {
    const template = only(synth({ code: PY, gvisorSeccomp: false }).objects, 'Job').spec.template;
    expect(template.metadata.annotations['dev.gvisor.flag.oci-seccomp']).toBeUndefined();
    expect(Object.keys(template.metadata.annotations).every((k) => k.startsWith('dev.gvisor.spec.mount.') || k.startsWith('code.cdk8s-sandbox.io/'))).toBe(true);
    expect(template.spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(() => synth({ code: PY, gvisorSeccomp: 'yes' as any })).toThrow(/gvisorSeccomp is "yes"; must be true or false/);
  });

  test('the run\'s container writes its result to /dev/termination-log, and falls back to its log\'s tail when killed', () => {
    const { objects } = synth({ code: PY });
    expect(mainOf(objects).terminationMessagePolicy).toBe('FallbackToLogsOnError');
    expect(mainOf(objects).terminationMessagePath).toBe('/dev/termination-log');
    // Without the soft timeout there is no wrapper: the kubelet's fallback is all there is.
    const plain = synth({ code: PY, image: 'gcr.io/distroless/python3-debian12:nonroot', softTimeout: false }).objects;
    expect(parseRunResultWrapperCommand(mainOf(plain).command)).toBeUndefined();
    expect(mainOf(plain).terminationMessagePolicy).toBe('FallbackToLogsOnError');
  });

  test('the pod carries the gVisor annotations: seccomp applied inside the sandbox, emptyDirs as sandbox-internal tmpfs', () => {
    const { objects } = synth({ code: PY, writablePaths: [{ path: '/tmp', sizeLimit: '32Mi' }, { path: '/var/cache/app', sizeLimit: '16Mi' }] });
    const template = only(objects, 'Job').spec.template;
    const emptyDirs = template.spec.volumes.filter((v: any) => v.emptyDir).map((v: any) => v.name);
    expect(emptyDirs.length).toBe(2);
    expect(template.metadata.annotations).toEqual({
      'code.cdk8s-sandbox.io/0': PY,
      'dev.gvisor.flag.oci-seccomp': 'true',
      ...Object.fromEntries(emptyDirs.flatMap((n: string) => [[`dev.gvisor.spec.mount.${n}.share`, 'pod'], [`dev.gvisor.spec.mount.${n}.type`, 'tmpfs']])),
    });
    expect(template.spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
  });

  test.each([
    ['ConfigMap', CodeSource.fromConfigMap('submission-code'), { configMap: { name: 'submission-code', defaultMode: 292 } }],
    ['Secret', CodeSource.fromSecret('submission-code'), { secret: { secretName: 'submission-code', defaultMode: 292 } }],
  ])('code from an existing %s: no ConfigMap of its own, the source mounted read-only at /workspace', (_kind, codeFrom, source) => {
    const { run, objects } = synth({ codeFrom });
    expect(objects.map((o) => o.kind)).toEqual(['NetworkPolicy', 'Job']);
    expect(run.configMap).toBeUndefined();
    expect(podOf(objects).volumes).toContainEqual({ name: 'code', ...source });
    expect(mainOf(objects).volumeMounts).toContainEqual({ name: 'code', mountPath: '/workspace', readOnly: true });
    expect(mainOf(objects).env.some((e: Json) => e.valueFrom?.secretKeyRef)).toBe(false);
  });

  test('time limits: soft timeout, hard deadline and TTL (0 deletes at once)', () => {
    const { objects } = synth({ code: PY, timeoutSeconds: 5, deadlineSeconds: 20, ttlSecondsAfterFinished: 0 });
    expect(parseRunResultWrapperCommand(mainOf(objects).command)).toMatchObject({ timeoutSeconds: 5, killGraceSeconds: 5 });
    expect(podOf(objects).activeDeadlineSeconds).toBe(20);
    expect(jobOf(objects).spec.activeDeadlineSeconds).toBe(50);
    expect(jobOf(objects).spec.ttlSecondsAfterFinished).toBe(0);
  });

  test('env: the language\'s first, then the user\'s; HOME can be overridden; no Secret references', () => {
    const { objects } = synth({
      code: PY,
      env: { HOME: EnvValue.fromValue('/tmp/home'), PYTHONUNBUFFERED: EnvValue.fromValue('0'), LIMITS: EnvValue.fromConfigMap('run-settings', 'limits') },
    });
    expect(mainOf(objects).env).toEqual([
      { name: 'TMPDIR', value: '/tmp' },
      { name: 'PYTHONDONTWRITEBYTECODE', value: '1' },
      { name: 'PYTHONUNBUFFERED', value: '0' },
      { name: 'HOME', value: '/tmp/home' },
      { name: 'LIMITS', valueFrom: { configMapKeyRef: { name: 'run-settings', key: 'limits' } } },
    ]);
    expect(Language.PYTHON.env).toEqual({ PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' });
  });

  test('resources: given values win, the rest keep their defaults', () => {
    const { objects } = synth({ code: PY, resources: { cpuLimit: '1', memoryLimit: '1Gi', ephemeralStorageLimit: '512Mi' } });
    expect(mainOf(objects).resources).toEqual({
      requests: { 'cpu': '250m', 'memory': '256Mi', 'ephemeral-storage': '64Mi' },
      limits: { 'cpu': '1', 'memory': '1Gi', 'ephemeral-storage': '512Mi' },
    });
  });

  test('writable paths: each a size-limited emptyDir; HOME and TMPDIR point at the first', () => {
    const { objects } = synth({ code: PY, writablePaths: [{ path: '/scratch', sizeLimit: '128Mi' }, { path: '/home/runner', inMemory: true }] });
    expect(podOf(objects).volumes.filter((v: Json) => v.emptyDir)).toEqual([
      { name: 'runner-scratch', emptyDir: { sizeLimit: '128Mi' } },
      { name: 'runner-home-runner', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
    ]);
    expect(mainOf(objects).volumeMounts).toEqual([
      { name: 'runner-scratch', mountPath: '/scratch' },
      { name: 'runner-home-runner', mountPath: '/home/runner' },
      { name: 'code', mountPath: '/workspace', readOnly: true },
    ]);
    expect(envOf(mainOf(objects))).toMatchObject({ HOME: '/scratch', TMPDIR: '/scratch' });
    expect(mainOf(objects).securityContext.readOnlyRootFilesystem).toBe(true);
  });

  test('a run id is used as the name of the run\'s objects, without a hash', () => {
    const { run, objects } = synth({ code: PY, runId: 'user-code-run-12345' });
    expect(run.name).toBe('user-code-run-12345');
    expect(objects.map((o) => o.metadata.name)).toEqual(['code-run-deny-all', 'user-code-run-12345']);
    expect(jobOf(objects).spec.template.metadata.labels['cdk8s-sandbox.io/workload']).toBe('user-code-run-12345');
    const big = synth({ code: 'x'.repeat(250 * 1024), runId: 'user-code-run-12345' }).objects;
    expect(big.map((o) => o.metadata.name)).toEqual(['code-run-deny-all', 'user-code-run-12345', 'user-code-run-12345']);
    expect(podOf(big).volumes).toContainEqual({ name: 'code', configMap: { name: 'user-code-run-12345', defaultMode: 292 } });
  });

  test('a given name gets the hash appended', () => {
    expect(synth({ code: PY, name: 'exercise-7' }).run.name).toMatch(/^exercise-7-[0-9a-f]{16}$/);
  });

  test('a namespace goes on every object; a chart\'s namespace applies when none is given', () => {
    const given = synth({ code: PY, namespace: 'sandbox-jobs' });
    expect(given.objects.map((o) => o.metadata.namespace)).toEqual(['sandbox-jobs', 'sandbox-jobs']);
    expect(given.run.namespace).toBe('sandbox-jobs');
    const fromChart = synth({ code: PY }, 'run', 'chart-ns');
    expect(fromChart.objects.map((o) => o.metadata.namespace)).toEqual(['chart-ns', 'chart-ns']);
  });

  test('labels go on objects and pods, never into the selector', () => {
    const { run, objects } = synth({ code: PY, labels: { tier: 'free' } });
    expect(jobOf(objects).metadata.labels.tier).toBe('free');
    expect(jobOf(objects).spec.template.metadata.labels.tier).toBe('free');
    expect(run.selectorLabels).toEqual({ 'cdk8s-sandbox.io/workload': run.name });
    // The shared policy is not the run's: the run's labels stay off it.
    expect(only(objects, 'NetworkPolicy').metadata.labels.tier).toBeUndefined();
    expect(only(objects, 'NetworkPolicy').spec.podSelector.matchLabels).toEqual({ 'cdk8s-sandbox.io/code-run': 'true' });
  });

  test('init and sidecar containers are hardened and bounded the same way, each with its own /tmp', () => {
    const { objects } = synth({
      code: PY,
      initContainers: [{ name: 'fetch', image: 'busybox:1.36.1', command: ['sh', '-c', 'true'] }],
      sidecars: [{ name: 'log-shipper', image: 'fluent/fluent-bit:3.1.9', resources: { cpuLimit: '100m', cpuRequest: '50m', memoryLimit: '64Mi', memoryRequest: '32Mi' } }],
    });
    const pod = podOf(objects);
    expect(pod.initContainers.map((c: Json) => c.name)).toEqual(['fetch']);
    expect(pod.containers.map((c: Json) => c.name)).toEqual(['runner', 'log-shipper']);
    for (const c of [...pod.initContainers, ...pod.containers]) {
      expect(c.securityContext).toEqual(HARDENED_CONTAINER_SECURITY);
      expect(c.resources.limits['ephemeral-storage']).toBe('256Mi');
      expect(c.volumeMounts).toContainEqual({ name: `${c.name}-tmp`, mountPath: '/tmp' });
      expect(pod.volumes).toContainEqual({ name: `${c.name}-tmp`, emptyDir: { sizeLimit: '64Mi' } });
    }
    expect(pod.initContainers[0].resources).toEqual(DEFAULT_RESOURCES);
    expect(pod.containers[1].resources).toEqual({
      requests: { 'cpu': '50m', 'memory': '32Mi', 'ephemeral-storage': '64Mi' },
      limits: { 'cpu': '100m', 'memory': '64Mi', 'ephemeral-storage': '256Mi' },
    });
    expect(pod.initContainers[0].command).toEqual(['sh', '-c', 'true']);
    expect(pod.containers[1].command).toBeUndefined();
  });

  test('runtime class, pod ids and extra volumes; the user\'s volumes come first', () => {
    const { run, objects } = synth({
      code: PY,
      runtimeClassName: 'gvisor-ptrace',
      podSecurity: { user: 10001, group: 10002, fsGroup: 10003 },
      volumes: [SandboxVolume.fromConfigMap('datasets', 'shared-datasets')],
    });
    expect(run.runtimeClassName).toBe('gvisor-ptrace');
    expect(podOf(objects).runtimeClassName).toBe('gvisor-ptrace');
    expect(podOf(objects).securityContext).toEqual({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10002, fsGroup: 10003, seccompProfile: { type: 'RuntimeDefault' } });
    expect(mainOf(objects).securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10002 });
    expect(podOf(objects).volumes.map((v: Json) => v.name)).toEqual(['datasets', 'code', 'runner-tmp']);
  });

  test('the main container can be renamed', () => {
    expect(mainOf(synth({ code: PY, containerName: 'user-code' }).objects).name).toBe('user-code');
  });
});

describe('bad input: one clear error each, naming the construct path, the field, the value and what is allowed', () => {
  const MiB = 1024 * 1024;
  const CASES_BAD: [string, Json, string, string | RegExp, string][] = [
    // [what, props, field, given (as quoted in the message), allowed]
    ['empty code', { code: '' }, 'code', '""', 'the submission is empty; there is nothing to run'],
    ['blank code', { code: ' \n\t' }, 'code', '" \\n\\t"', 'the submission is empty; there is nothing to run'],
    ['an empty files map', { files: {} }, 'files', '{}', 'the submission has no files; give at least the entry file'],
    ['files that are all empty', { files: { 'main.py': '', 'b.py': '  ' } }, 'files', '"(only empty files)"', 'the submission is empty'],
    ['no code at all', {}, 'code', 'unset', 'give exactly one of code, files and codeFrom'],
    ['code and files together', { code: PY, files: { 'main.py': PY } }, 'code+files', '"code and files together"', 'give exactly one of code, files and codeFrom'],
    ['code and codeFrom together', { code: PY, codeFrom: CodeSource.fromConfigMap('c') }, 'code+codeFrom', '"code and codeFrom together"', 'give exactly one of code, files and codeFrom'],
    ['code over 1 MiB', { code: 'x'.repeat(MiB) }, 'code', /^"1\.00 MiB \(10\d{5} bytes\) as a ConfigMap"$/, 'a ConfigMap holds at most 1 MiB (1048576 bytes), metadata included'],
    ['files over 1 MiB together', { files: { 'main.py': PY, 'a.txt': 'a'.repeat(MiB / 2), 'b.txt': 'b'.repeat(MiB / 2) } }, 'files', /^"1\.00 MiB \(10\d{5} bytes\) as a ConfigMap"$/, 'at most 1 MiB (1048576 bytes)'],
    ['code over 1 MiB in UTF-8 bytes, not characters', { code: '\u00e9'.repeat(0.6 * MiB) }, 'code', /^"1\.20 MiB \(12\d{5} bytes\) as a ConfigMap"$/, 'at most 1 MiB (1048576 bytes)'],
    ['a path climbing out of its folder', { files: { 'main.py': PY, 'lib/../../etc/passwd': 'x' } }, 'files["lib/../../etc/passwd"]', '"lib/../../etc/passwd"', '".." segments are refused, so no file lands outside its folder'],
    ['an absolute path', { files: { 'main.py': PY, '/etc/passwd': 'x' } }, 'files["/etc/passwd"]', '"/etc/passwd"', 'an absolute path is refused'],
    ['an empty segment', { files: { 'main.py': PY, 'lib//util.py': 'x' } }, 'files["lib//util.py"]', '"lib//util.py"', 'an empty segment ("//" or a trailing "/") is refused'],
    ['a trailing slash', { files: { 'main.py': PY, 'lib/': 'x' } }, 'files["lib/"]', '"lib/"', 'an empty segment'],
    ['a "." segment', { files: { 'main.py': PY, './util.py': 'x' } }, 'files["./util.py"]', '"./util.py"', '"." segments are refused'],
    ['paths colliding as ConfigMap keys', { files: { 'main.py': PY, 'lib/util.py': 'x', 'lib__util.py': 'y' } }, 'files["lib__util.py"]', '"lib__util.py"', 'collides with files["lib/util.py"]: both are stored under the ConfigMap key "lib__util.py"'],
    ['a path that is a file and a folder', { files: { 'main.py': PY, 'lib': 'x', 'lib/util.py': 'y' } }, 'files["lib"]', '"lib"', 'is also a folder of files["lib/util.py"]'],
    ['a file name with a space', { files: { 'main.py': PY, 'my file.py': 'x' } }, 'files["my file.py"]', '"my file.py"', 'file paths are names of letters, digits'],
    ['a file name ".."', { files: { 'main.py': PY, '..': 'x' } }, 'files[".."]', '".."', '".." segments are refused'],
    ['a file name over 253 characters', { files: { 'main.py': PY, ['f'.repeat(254)]: 'x' } }, `files["${'f'.repeat(254)}"]`, `"${'f'.repeat(254)}"`, 'at most 253'],
    ['an entry file outside the code mount', { code: PY, entryFile: '../main.py' }, 'entryFile', '"../main.py"', '".." segments are refused'],
    ['an entry file missing from the files', { files: { 'app.py': PY } }, 'entryFile', '"main.py"', 'must be one of the submitted files (app.py)'],
    ['a deadline equal to the soft timeout', { code: PY, timeoutSeconds: 30, deadlineSeconds: 30 }, 'deadlineSeconds', '30', 'must exceed timeoutSeconds (30) plus the soft timeout\'s 5-second kill grace'],
    ['a deadline within the soft timeout\'s kill grace', { code: PY, timeoutSeconds: 30, deadlineSeconds: 35 }, 'deadlineSeconds', '35', 'at least 36'],
    ['a soft timeout given with softTimeout: false', { code: PY, softTimeout: false, timeoutSeconds: 10 }, 'timeoutSeconds', '10', 'has no effect with softTimeout: false'],
    ['a deadline below the default soft timeout', { code: PY, deadlineSeconds: 10 }, 'deadlineSeconds', '10', 'must exceed timeoutSeconds (30)'],
    ['a zero soft timeout', { code: PY, timeoutSeconds: 0 }, 'timeoutSeconds', '0', 'must be a whole number of seconds from 1 to 86400'],
    ['a negative soft timeout', { code: PY, timeoutSeconds: -5 }, 'timeoutSeconds', '-5', 'must be a whole number of seconds from 1 to 86400'],
    ['a fractional soft timeout', { code: PY, timeoutSeconds: 1.5 }, 'timeoutSeconds', '1.5', 'a whole number of seconds'],
    ['a zero deadline', { code: PY, deadlineSeconds: 0 }, 'deadlineSeconds', '0', 'must be a whole number of seconds from 1 to 86400'],
    ['a negative deadline', { code: PY, deadlineSeconds: -60 }, 'deadlineSeconds', '-60', 'must be a whole number of seconds from 1 to 86400'],
    ['a negative TTL', { code: PY, ttlSecondsAfterFinished: -1 }, 'ttlSecondsAfterFinished', '-1', 'must be a whole number of seconds from 0 to 31536000'],
    ['a run id that is not a DNS label', { code: PY, runId: 'User_Run_1' }, 'runId', '"User_Run_1"', 'must be a DNS label: at most 63 lowercase letters, digits and \'-\''],
    ['a run id ending in "-"', { code: PY, runId: 'run-' }, 'runId', '"run-"', 'must be a DNS label'],
    ['an empty run id', { code: PY, runId: '' }, 'runId', '""', 'must be a DNS label'],
    ['a run id over 63 characters', { code: PY, runId: 'r'.repeat(64) }, 'runId', `"${'r'.repeat(64)}"`, 'must be a DNS label: at most 63'],
    ['an unknown language by name', { code: PY, language: 'ruby' }, 'language', '"ruby"', 'unknown language; use one of Language.PYTHON, Language.NODE, Language.SHELL or Language.custom(...)'],
    ['an unknown language object', { code: PY, language: { name: 'ruby', image: 'ruby:3.3.5', command: ['ruby'], entryFile: 'main.rb', env: {} } }, 'language', '"ruby"', 'unknown language'],
    ['a name too long to carry the hash', { code: PY, name: 'n'.repeat(47) }, 'name', `"${'n'.repeat(47)}"`, 'must be a DNS label: at most 46'],
    ['an image on :latest', { code: PY, image: 'python:latest' }, 'image', '"python:latest"', 'must name a version tag other than latest'],
    ['an image without a tag', { code: PY, image: 'python' }, 'image', '"python"', 'must name a version tag other than latest'],
    ['a custom language with an unpinned image', { code: PY, language: Language.custom({ name: 'r', image: 'r-base', command: ['Rscript'], entryFile: 'main.py' }) }, 'image', '"r-base"', 'must name a version tag'],
    ['an empty command', { code: PY, command: [] }, 'command', '[]', 'must name a program to run'],
    ['a code source whose name is not a DNS subdomain', { codeFrom: CodeSource.fromSecret('Bad_Name') }, 'codeFrom.name', '"Bad_Name"', 'must be a DNS subdomain'],
    ['a namespace that is not a DNS label', { code: PY, namespace: 'Sandbox Jobs' }, 'namespace', '"Sandbox Jobs"', 'must be a DNS label'],
    ['an invalid env name', { code: PY, env: { '1BAD': EnvValue.fromValue('x') } }, 'env.1BAD', '"1BAD"', 'environment variable names are letters, digits'],
    ['a zero CPU limit', { code: PY, resources: { cpuLimit: '0' } }, 'resources.cpuLimit', '"0"', 'removing a request or limit is refused'],
    ['a writable path without a size', { code: PY, writablePaths: [{ path: '/tmp', sizeLimit: '' }] }, 'writablePaths[0].sizeLimit', '""', 'removing a request or limit is refused'],
    ['a hostPath volume, named at the index given', { code: PY, volumes: [SandboxVolume.fromRaw('host', { hostPath: { path: '/' } })] }, 'volumes[0].type', '"hostPath"', 'hostPath is never allowed'],
    ['an Unconfined seccomp profile', { code: PY, podSecurity: { seccompProfile: 'Unconfined' } }, 'podSecurity.seccompProfile', '"Unconfined"', 'allowed: RuntimeDefault or Localhost'],
    ['a privileged sidecar', { code: PY, sidecars: [{ name: 'x', image: 'busybox:1.36.1', securityContext: { privileged: true } }] }, 'sidecars[0].securityContext.privileged', 'true', 'only false is allowed'],
  ];

  test.each(CASES_BAD)('%s', (_what, props, field, given, allowed) => {
    const err = errorOf(() => synth(props as CodeRunnerJobProps));
    expect(err).toBeInstanceOf(SandboxValidationError);
    const v = err as SandboxValidationError;
    expect(v.where).toBe('test/run');
    expect(v.field).toBe(field);
    const prefix = `test/run: ${field} is `;
    expect(err.message.startsWith(prefix)).toBe(true);
    const [givenPart, allowedPart] = [err.message.slice(prefix.length, err.message.indexOf('; ', prefix.length)), err.message.slice(err.message.indexOf('; ', prefix.length) + 2)];
    if (typeof given === 'string') expect(givenPart).toBe(given);
    else expect(givenPart).toMatch(given);
    expect(allowedPart).toContain(allowed);
  });

  test('the oversize error states the actual size, above the limit', () => {
    const err = errorOf(() => synth({ code: 'x'.repeat(MiB) }));
    const bytes = Number(/\((\d+) bytes\) as a ConfigMap/.exec(err.message)?.[1]);
    expect(bytes).toBeGreaterThan(MiB);
    expect(bytes).toBeLessThan(MiB + 4096);
  });

  test('code just under 1 MiB (metadata included) is accepted', () => {
    const { objects } = synth({ code: 'x'.repeat(MiB - 4096) });
    expect(only(objects, 'ConfigMap').data['main.py']).toHaveLength(MiB - 4096);
  });

  test('a construct id that cannot become a DNS label asks for a name', () => {
    const err = errorOf(() => synth({ code: PY }, '___')) as SandboxValidationError;
    expect(err.message).toBe('test/___: name is unset; the construct id cannot be turned into a DNS label; give a name of lowercase letters, digits and \'-\'');
    expect(synth({ code: PY, name: 'ok' }, '___').run.name).toMatch(/^ok-[0-9a-f]{16}$/);
  });
});

describe('names: a hash of everything that shapes the pod', () => {
  const base: CodeRunnerJobProps = { code: PY };
  const nameOf = (props: CodeRunnerJobProps, id = 'run') => synth(props, id).run.name;

  test('stays when nothing changes, across apps and for equal props built anew', () => {
    expect(nameOf({ code: PY })).toBe(nameOf({ code: `print("hello")\n` }));
    expect(nameOf({ files: { 'main.py': PY, 'b.py': 'x' } })).toBe(nameOf({ files: { 'b.py': 'x', 'main.py': PY } }));
    expect(nameOf({ code: PY, env: { A: EnvValue.fromValue('1') } })).toBe(nameOf({ code: PY, env: { A: EnvValue.fromValue('1') } }));
  });

  test.each([
    ['the code', { code: 'print("bye")\n' }],
    ['a file name', { files: { 'main.py': PY, 'extra.py': '' } }],
    ['the language', { code: PY, language: Language.NODE, entryFile: 'main.py' }],
    ['the image', { code: PY, image: 'python:3.13.0-slim' }],
    ['the command', { code: PY, command: ['python3', '-I', '/workspace/main.py'] }],
    ['the entry file', { files: { 'main.py': PY, 'other.py': PY }, entryFile: 'other.py' }],
    ['the env', { code: PY, env: { DEBUG: EnvValue.fromValue('1') } }],
    ['the soft timeout', { code: PY, timeoutSeconds: 10 }],
    ['the deadline', { code: PY, deadlineSeconds: 90 }],
    ['the CPU limit', { code: PY, resources: { cpuLimit: '1' } }],
    ['the memory limit', { code: PY, resources: { memoryLimit: '1Gi' } }],
    ['the ephemeral-storage limit', { code: PY, resources: { ephemeralStorageLimit: '1Gi' } }],
    ['the /tmp size', { code: PY, writablePaths: [{ path: '/tmp', sizeLimit: '128Mi' }] }],
    ['the runtime class', { code: PY, runtimeClassName: 'gvisor-kvm' }],
    ['a sidecar', { code: PY, sidecars: [{ name: 'x', image: 'busybox:1.36.1' }] }],
  ] as [string, CodeRunnerJobProps][])('changes with %s', (_what, changed) => {
    const before = nameOf(base);
    const after = nameOf(changed);
    expect(after).toMatch(/^run-[0-9a-f]{16}$/);
    expect(after).not.toBe(before);
    expect(after.slice(0, 4)).toBe(before.slice(0, 4));
  });

  test.each([
    ['the code source\'s name', CodeSource.fromConfigMap('code-a'), CodeSource.fromConfigMap('code-b')],
    ['the code source\'s kind', CodeSource.fromConfigMap('code-a'), CodeSource.fromSecret('code-a')],
  ])('changes with %s', (_what, a, b) => {
    expect(nameOf({ codeFrom: a })).not.toBe(nameOf({ codeFrom: b }));
  });

  test('a ConfigMap\'s name follows the hash, so changed code is a new ConfigMap and a new Job', () => {
    const a = synth({ code: `${PY}#${'x'.repeat(250 * 1024)}\n` }).objects;
    const b = synth({ code: `print(2)\n#${'x'.repeat(250 * 1024)}\n` }).objects;
    expect(only(a, 'ConfigMap').metadata.name).not.toBe(only(b, 'ConfigMap').metadata.name);
    expect(podOf(b).volumes.find((v: Json) => v.name === 'code').configMap.name).toBe(only(b, 'ConfigMap').metadata.name);
  });

  const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
  test.each([
    ['a 100-character construct id', 'x'.repeat(100)],
    ['a long id with upper case and underscores', `User_Submission_${'Abc_'.repeat(20)}End`],
    ['a long id that is cut at a "-"', `${'a'.repeat(51)}-${'b'.repeat(30)}`],
  ])('%s still gives DNS labels of at most 63 characters', (_what, id) => {
    const { run, objects } = synth({ code: PY }, id);
    expect(run.name.length).toBeLessThanOrEqual(63);
    expect(run.name).toMatch(DNS_LABEL);
    expect(run.name).toMatch(/-[0-9a-f]{16}$/);
    expect(jobOf(objects).metadata.name).toBe(run.name);
    for (const value of Object.values(jobOf(objects).spec.template.metadata.labels) as string[]) expect(value.length).toBeLessThanOrEqual(63);
    const other = synth({ code: 'print(2)\n' }, id).run.name;
    expect(other).not.toBe(run.name);
    expect(other.length).toBeLessThanOrEqual(63);
  });

  test('the longest accepted name and run id give 63-character names', () => {
    expect(nameOf({ code: PY, name: 'n'.repeat(46) })).toHaveLength(63);
    expect(nameOf({ code: PY, runId: 'r'.repeat(63) })).toBe('r'.repeat(63));
  });
});

describe('the shared deny-all NetworkPolicy selects every code-run pod and nothing else', () => {
  /** matchLabels/matchExpressions evaluated as the API server does (In, NotIn, Exists, DoesNotExist). */
  function selects(selector: Json | undefined, labels: { [key: string]: string }): boolean {
    if (!selector) return false;
    const labelsOk = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => Object.prototype.hasOwnProperty.call(labels, k) && labels[k] === v);
    const expressionsOk = (selector.matchExpressions ?? []).every((e: Json) => {
      const has = Object.prototype.hasOwnProperty.call(labels, e.key);
      switch (e.operator) {
        case 'In': return has && e.values.includes(labels[e.key]);
        case 'NotIn': return !has || !e.values.includes(labels[e.key]);
        case 'Exists': return has;
        case 'DoesNotExist': return !has;
        default: return false;
      }
    });
    return labelsOk && expressionsOk;
  }

  const podLabels = (objects: Json[]) => jobOf(objects).spec.template.metadata.labels;
  const policy = (objects: Json[]) => only(objects, 'NetworkPolicy');

  test.each(CASES)('%s: the policy selects the pod template, denies both directions, shares its namespace', (_name, props) => {
    const { objects } = synth(props);
    const np = policy(objects);
    expect(Object.keys(np.spec.podSelector.matchLabels ?? {}).length).toBeGreaterThan(0);
    expect(selects(np.spec.podSelector, podLabels(objects))).toBe(true);
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.ingress).toBeUndefined();
    expect(np.spec.egress).toBeUndefined();
    expect(np.metadata.namespace).toBe(jobOf(objects).metadata.namespace);
  });

  test('it selects no pod that is not a code run: a sandboxed Deployment\'s pod beside it needs policies of its own', () => {
    const chart = (managedElsewhere?: string) => {
      const c = new Chart(Testing.app(), 'test');
      new CodeRunnerJob(c, 'run', { code: PY });
      return { chart: c, web: new SandboxedDeployment(c, 'web', { image: 'nginx:1.27.2', ...(managedElsewhere ? { networkPolicyManagedElsewhere: managedElsewhere } : {}) }) };
    };
    expect(() => Testing.synth(chart().chart)).toThrow(/\[test\/web\] \[network-isolation\] pods with labels .*cdk8s-sandbox.io\/workload=web in namespace "default" are selected by no NetworkPolicy/);
    const { chart: isolatedElsewhere, web } = chart('test: the platform team isolates it');
    const objects = Testing.synth(isolatedElsewhere);
    const shared = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'code-run-deny-all')!;
    expect(selects(shared.spec.podSelector, web.podLabels)).toBe(false);
    expect(selects(shared.spec.podSelector, podLabels(objects))).toBe(true);
  });

  test('one policy per chart and namespace, whatever the number of runs; the runs share it', () => {
    const chart = new Chart(Testing.app(), 'test');
    const runs = [1, 2, 3].map((i) => new CodeRunnerJob(chart, `run-${i}`, { code: `print(${i})\n` }));
    const other = new CodeRunnerJob(chart, 'elsewhere', { code: PY, namespace: 'other-runs' });
    const objects = Testing.synth(chart);
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    expect(policies.map((p) => [p.metadata.name, p.metadata.namespace])).toEqual([['code-run-deny-all', undefined], ['code-run-deny-all', 'other-runs']]);
    expect(new Set(runs.map((r) => r.networkPolicy)).size).toBe(1);
    expect(other.networkPolicy).not.toBe(runs[0].networkPolicy);
    expect(objects.filter((o) => o.kind === 'Job')).toHaveLength(4);
  });

  test('the evaluator itself: an empty selector selects all, a missing key or other value selects nothing', () => {
    expect(selects({}, { a: '1' })).toBe(true);
    expect(selects({ matchLabels: { a: '1' } }, { a: '1', b: '2' })).toBe(true);
    expect(selects({ matchLabels: { a: '1' } }, { a: '2' })).toBe(false);
    expect(selects({ matchLabels: { a: '1' } }, {})).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1'] }] }, { a: '1' })).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] }, { a: '1' })).toBe(false);
    expect(selects(undefined, { a: '1' })).toBe(false);
  });
});
