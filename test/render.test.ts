// The render API for platforms (issue 3, part 2): one submission -> plain objects and YAML, in-process.
// Proves that the construct and the render path produce identical objects, that renders are
// deterministic, safe to interleave and leak no state, that the YAML parses back to the objects, that
// every object is schema-valid, and that a render whose output would violate the hardening profile (its
// network isolation included) is refused (fail closed) - by weakening the builder's output under a
// module mock, so the test fails as soon as the profile check is removed from the render path.
import { Chart, Testing } from 'cdk8s';
import * as jsYaml from 'js-yaml';
import { CodeRun, CodeRunnerJob, CodeRunnerJobProps, CodeSource, EnvValue, Language, SandboxRuntimes } from '../src';
import { buildCodeRun } from '../src/builders/code-runner';
import { SandboxProfileViolationError, SandboxValidationError } from '../src/builders/errors';
import { renderCodeRun, renderCodeRunObjects, toYaml } from '../src/builders/render';
import { parseRunResultWrapperCommand } from '../src/builders/run-wrapper';
import { KubeObject } from '../src/profile';
import { schemaErrors, unknownFields } from './helpers/schema';

type Json = { [key: string]: any };
type RenderModule = typeof import('../src/builders/render');

const PY = 'print("hello")\n';

/** Prop sets that exercise every part of the builder. */
const PROP_SETS: [string, CodeRunnerJobProps][] = [
  ['defaults', { code: PY }],
  ['files and Node.js', { files: { 'main.js': 'require("./lib");\n', 'lib.js': 'console.log(1);\n' }, language: Language.NODE }],
  ['shell', { code: 'echo hi\n', language: Language.SHELL }],
  ['code from a Secret', { codeFrom: CodeSource.fromSecret('submission-code') }],
  ['code from a ConfigMap', { codeFrom: CodeSource.fromConfigMap('submission-code'), entryFile: 'run.py' }],
  ['run id, namespace and labels', { code: PY, runId: 'user-code-run-12345', namespace: 'sandbox-jobs', labels: { 'platform.example.com/user': 'u-42' } }],
  ['a custom language and command', {
    code: 'puts 1\n',
    language: Language.custom({ name: 'ruby', image: 'ruby:3.3.5-slim', command: ['ruby'], entryFile: 'main.rb', env: { GEM_HOME: '/tmp/gems' } }),
    command: ['ruby', '-W0', '/workspace/main.rb'],
  }],
  ['limits, env and writable paths', {
    code: PY,
    timeoutSeconds: 10,
    deadlineSeconds: 16,
    ttlSecondsAfterFinished: 30,
    resources: { cpuLimit: '1', memoryLimit: '1Gi', ephemeralStorageLimit: '512Mi' },
    env: { GREETING: EnvValue.fromValue('hi'), POD: EnvValue.fromFieldPath('metadata.name') },
    writablePaths: [{ path: '/tmp', sizeLimit: '128Mi' }, { path: '/home/runner', inMemory: true }],
  }],
  ['init and sidecar containers', {
    code: PY,
    initContainers: [{ name: 'fetch', image: 'busybox:1.36.1', command: ['true'] }],
    sidecars: [{ name: 'watch', image: 'busybox:1.36.1', command: ['sleep', '5'] }],
    runtimeClassName: 'gvisor-ptrace',
  }],
];

/** The error a function throws (fails the test when it does not throw). */
function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error, but none was thrown');
}

/** A deep copy through JSON: what a platform would send to the API server. */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value));

/** The gVisor RuntimeClasses of the props sets: a self-managed cluster's, allowed deliberately on both paths. */
const OWN_RUNTIME_CLASSES = ['gvisor-ptrace', 'other'];

describe('construct and render path produce identical objects', () => {
  test.each(PROP_SETS)('%s', (_name, props) => {
    const chart = new Chart(Testing.app(), 'test');
    for (const name of OWN_RUNTIME_CLASSES) SandboxRuntimes.allow(chart, name, 'test: a gVisor RuntimeClass of a self-managed cluster');
    const run = new CodeRunnerJob(chart, 'submission', props);
    const rendered = renderCodeRunObjects(props, { defaultName: 'submission', allowedRuntimeClasses: OWN_RUNTIME_CLASSES });
    expect(rendered.name).toBe(run.name);
    expect(Testing.synth(chart)).toEqual(plain([...rendered.sharedObjects, ...rendered.objects]));
    expect(chart.toJson()).toEqual(plain([...rendered.sharedObjects, ...rendered.objects]));
  });

  test('with a long construct id, the name is shortened the same way on both paths', () => {
    const id = 'x'.repeat(80);
    const chart = new Chart(Testing.app(), 'test');
    const run = new CodeRunnerJob(chart, id, { code: PY });
    const rendered = renderCodeRunObjects({ code: PY }, { defaultName: id });
    expect(rendered.name).toBe(run.name);
    expect(rendered.name.length).toBeLessThanOrEqual(63);
    expect(Testing.synth(chart)).toEqual(plain([...rendered.sharedObjects, ...rendered.objects]));
  });

  test('renderCodeRun returns the same objects as renderCodeRunObjects, plus their YAML', () => {
    for (const [, props] of PROP_SETS) {
      const full = renderCodeRun(props, { allowedRuntimeClasses: OWN_RUNTIME_CLASSES });
      const objectsOnly = renderCodeRunObjects(props, { allowedRuntimeClasses: OWN_RUNTIME_CLASSES });
      expect(full.name).toBe(objectsOnly.name);
      expect(full.objects).toEqual(objectsOnly.objects);
      expect(full.sharedObjects).toEqual(objectsOnly.sharedObjects);
      expect(full.yaml).toBe(toYaml([...objectsOnly.sharedObjects, ...objectsOnly.objects]));
    }
  });
});

describe('render output', () => {
  test('defaults: names, order and the main controls', () => {
    const { name, objects, sharedObjects } = renderCodeRunObjects({ code: PY });
    expect(name).toMatch(/^code-run-[0-9a-f]{16}$/);
    expect(objects.map((o) => o.kind)).toEqual(['Job']);
    const job = objects[0] as Json;
    expect(job.spec.activeDeadlineSeconds).toBe(90);
    expect(job.spec.template.spec.activeDeadlineSeconds).toBe(60);
    expect(job.spec.template.metadata.annotations['code.cdk8s-sandbox.io/0']).toBe(PY);
    expect(job.spec.backoffLimit).toBe(0);
    expect(job.spec.ttlSecondsAfterFinished).toBe(300);
    expect(job.spec.template.spec.runtimeClassName).toBe('gvisor');
    expect(parseRunResultWrapperCommand(job.spec.template.spec.containers[0].command)?.command).toEqual(['python3', '/workspace/main.py']);
    expect(sharedObjects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(['NetworkPolicy/code-run-deny-all']);
    expect((sharedObjects[0] as Json).spec).toEqual({ podSelector: { matchLabels: { 'cdk8s-sandbox.io/code-run': 'true' } }, policyTypes: ['Ingress', 'Egress'] });
  });

  test('options: `where` names the render in errors, `defaultName` names the objects', () => {
    expect(renderCodeRunObjects({ code: PY }, { defaultName: 'exercise' }).name).toMatch(/^exercise-[0-9a-f]{16}$/);
    expect(errorOf(() => renderCodeRun({ code: '' })).message).toBe('render: code is ""; the submission is empty; there is nothing to run');
    const err = errorOf(() => renderCodeRun({ code: PY, runId: 'Run_42' }, { where: 'platform/submission-42' }));
    expect(err).toBeInstanceOf(SandboxValidationError);
    expect((err as SandboxValidationError).where).toBe('platform/submission-42');
    expect(err.message).toBe('platform/submission-42: runId is "Run_42"; must be a DNS label: at most 63 lowercase letters, digits and \'-\', starting and ending with a letter or digit');
  });

  test.each([
    ['an unknown language', { code: PY, language: 'ruby' as any }, 'render: language is "ruby"; unknown language'],
    ['a deadline not above the soft timeout', { code: PY, timeoutSeconds: 20, deadlineSeconds: 20 }, 'render: deadlineSeconds is 20; must exceed timeoutSeconds (20) plus the soft timeout\'s 5-second kill grace'],
    ['a file name with a space', { files: { 'main.py': PY, 'a b': '' } }, 'render: files["a b"] is "a b"; file paths are names of letters, digits'],
    ['a file path climbing out of the code mount', { files: { 'main.py': PY, '../x.py': '' } }, 'render: files["../x.py"] is "../x.py"; ".." segments are refused'],
    ['code over 1 MiB', { code: 'x'.repeat(1024 * 1024) }, 'render: code is "1.00 MiB ('],
    ['a run id over 63 characters', { code: PY, runId: 'r'.repeat(64) }, `render: runId is "${'r'.repeat(64)}"; must be a DNS label`],
  ] as [string, CodeRunnerJobProps, string][])('bad input is refused on the render path too: %s', (_what, props, start) => {
    const err = errorOf(() => renderCodeRun(props));
    expect(err).toBeInstanceOf(SandboxValidationError);
    expect(err.message.startsWith(start)).toBe(true);
  });

  test.each(PROP_SETS)('%s: every object is schema-valid with no unknown field, before and after YAML', (_name, props) => {
    const { objects, yaml } = renderCodeRun(props, { allowedRuntimeClasses: OWN_RUNTIME_CLASSES });
    for (const obj of [...objects, ...(jsYaml.loadAll(yaml) as KubeObject[])]) {
      expect({ object: `${obj.kind}/${obj.metadata?.name}`, schema: schemaErrors(obj), unknown: unknownFields(obj) })
        .toEqual({ object: `${obj.kind}/${obj.metadata?.name}`, schema: [], unknown: [] });
    }
  });

  test('YAML snapshot: defaults', () => {
    expect(renderCodeRun({ code: PY }).yaml).toMatchSnapshot();
  });

  test('YAML snapshot: every option', () => {
    expect(renderCodeRun({
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
      sidecars: [{ name: 'watch', image: 'busybox:1.36.1', command: ['sleep', '5'] }],
    }).yaml).toMatchSnapshot();
  });
});

describe('YAML', () => {
  test.each(PROP_SETS)('%s: parses back (js-yaml loadAll) to the same objects', (_name, props) => {
    const { objects, sharedObjects, yaml } = renderCodeRun(props, { allowedRuntimeClasses: OWN_RUNTIME_CLASSES });
    const docs = jsYaml.loadAll(yaml);
    expect(docs).toEqual(plain([...sharedObjects, ...objects]));
    expect(yaml.split(/^---$/m)).toHaveLength(sharedObjects.length + objects.length);
  });

  test('keys are sorted and every document starts with apiVersion', () => {
    const { yaml } = renderCodeRun({ code: PY, labels: { zeta: 'z', alpha: 'a' } });
    for (const doc of yaml.split('---\n')) expect(doc.startsWith('apiVersion: ')).toBe(true);
    expect(yaml.indexOf('alpha: a')).toBeLessThan(yaml.indexOf('zeta: z'));
    expect(yaml.indexOf('activeDeadlineSeconds: 90')).toBeLessThan(yaml.indexOf('backoffLimit: 0'));
  });

  test('code with YAML-significant text survives the round trip byte for byte', () => {
    const code = '#!/bin/sh\n---\nkey: "value" # not a comment\n\ttab\n  trailing   \n\u00e9\u4e2d\u{1F600}\n: [a, {b}]\n';
    const { yaml } = renderCodeRun({ code, language: Language.SHELL });
    expect((jsYaml.loadAll(yaml)[1] as Json).spec.template.metadata.annotations['code.cdk8s-sandbox.io/0']).toBe(code);
    const inConfigMap = `${code}#${'x'.repeat(250 * 1024)}\n`;
    expect((jsYaml.loadAll(renderCodeRun({ code: inConfigMap, language: Language.SHELL }).yaml)[1] as Json).data['main.sh']).toBe(inConfigMap);
  });

  test('toYaml of no objects is empty', () => {
    expect(toYaml([])).toBe('');
  });
});

describe('determinism and isolation', () => {
  test.each(PROP_SETS)('%s: the same input twice gives identical YAML strings', (_name, props) => {
    expect(renderCodeRun(props, { allowedRuntimeClasses: OWN_RUNTIME_CLASSES }).yaml).toBe(renderCodeRun(props, { allowedRuntimeClasses: OWN_RUNTIME_CLASSES }).yaml);
  });

  test('equal props built anew, files in another insertion order, give identical YAML', () => {
    const a = renderCodeRun({ files: { 'main.py': PY, 'util.py': 'X = 1\n' }, env: { A: EnvValue.fromValue('1') } });
    const b = renderCodeRun({ files: { 'util.py': 'X = 1\n', 'main.py': PY }, env: { A: EnvValue.fromValue('1') } });
    expect(b.name).toBe(a.name);
    expect(b.yaml).toBe(a.yaml);
  });

  test('no state leaks between renders with different props', () => {
    const a: CodeRunnerJobProps = { code: PY };
    const first = renderCodeRun(a);
    renderCodeRun({
      code: PY, runId: 'other-run', namespace: 'elsewhere', labels: { leak: 'yes' }, env: { PYTHONUNBUFFERED: EnvValue.fromValue('0'), LEAK: EnvValue.fromValue('1') },
      resources: { cpuLimit: '2' }, writablePaths: [{ path: '/scratch' }], language: Language.PYTHON, runtimeClassName: 'other',
    }, { allowedRuntimeClasses: OWN_RUNTIME_CLASSES });
    expect(() => renderCodeRun({ code: PY, language: 'ruby' as any })).toThrow(SandboxValidationError);
    const again = renderCodeRun(a);
    expect(again.yaml).toBe(first.yaml);
    expect(again.yaml).not.toContain('leak');
    expect(again.yaml).not.toContain('LEAK');
    expect(Language.PYTHON.env).toEqual({ PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' });
  });

  test('mutating a result changes neither its sibling objects nor later renders', () => {
    const props: CodeRunnerJobProps = { code: PY, labels: { team: 'a' } };
    const render = () => { const r = renderCodeRunObjects(props); return [...r.sharedObjects, ...r.objects]; };
    const pristine = plain(render());
    const [policy, job] = render() as unknown as Json[];
    job.metadata.labels.extra = 'x';
    job.metadata.annotations = { note: 'y' };
    job.spec.template.metadata.labels.extra = 'x';
    job.spec.template.metadata.annotations['code.cdk8s-sandbox.io/0'] = 'changed';
    job.spec.template.spec.containers[0].env.push({ name: 'X', value: '1' });
    policy.spec.podSelector.matchLabels.extra = 'x';
    policy.metadata.labels.extra = 'x';
    expect(render()).toEqual(pristine);
    expect(plain(CodeRun.sharedObjects())).toEqual([pristine[0]]);
  });

  test('deeply frozen props are read, never written', () => {
    const deepFreeze = (value: any): any => {
      if (value && typeof value === 'object' && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const key of Object.getOwnPropertyNames(value)) deepFreeze(value[key]);
      }
      return value;
    };
    const props: CodeRunnerJobProps = deepFreeze({
      files: { 'main.py': PY }, env: { A: EnvValue.fromValue('1') }, labels: { team: 'a' }, command: ['python3', '/workspace/main.py'],
      resources: { cpuLimit: '1' }, writablePaths: [{ path: '/tmp', sizeLimit: '32Mi' }],
      sidecars: [{ name: 'watch', image: 'busybox:1.36.1', command: ['sleep', '5'], env: { B: EnvValue.fromValue('2') } }],
      language: Language.custom({ name: 'py', image: 'python:3.12.7-slim', command: ['python3'], entryFile: 'main.py', env: { C: '3' } }),
    });
    const copy = JSON.stringify(props);
    expect(renderCodeRun(props).yaml).toBe(renderCodeRun(props).yaml);
    expect(JSON.stringify(props)).toBe(copy);
  });

  test('many renders interleaved with setImmediate give the same results as sequential ones', async () => {
    const languages = [Language.PYTHON, Language.NODE, Language.SHELL];
    const inputs: CodeRunnerJobProps[] = Array.from({ length: 48 }, (_, i) => ({
      files: { [languages[i % 3].entryFile]: `echo ${i}\n`, ...(i % 4 === 0 ? { 'extra.txt': `${i}` } : {}) },
      language: languages[i % 3],
      ...(i % 2 === 0 ? { runId: `run-${i}` } : { name: `job-${i % 5}` }),
      ...(i % 5 === 0 ? { namespace: `ns-${i}` } : {}),
      labels: { index: String(i) },
      env: { INDEX: EnvValue.fromValue(String(i)) },
      timeoutSeconds: 5 + (i % 7),
      deadlineSeconds: 20 + (i % 3),
      resources: { cpuLimit: `${100 * (1 + (i % 4))}m`, cpuRequest: '50m' },
      // every seventh input is bad: the refusal must not disturb the others
      ...(i % 7 === 3 ? { deadlineSeconds: 1 } : {}),
    }));
    const settle = (fn: () => unknown) => {
      try {
        return { ok: fn() };
      } catch (err) {
        return { error: (err as Error).message };
      }
    };
    const sequential = inputs.map((props) => settle(() => renderCodeRun(props)));
    expect(sequential.filter((r) => 'error' in r)).toHaveLength(7);

    const order: number[] = [];
    const interleaved = await Promise.all(inputs.map((props, i) => new Promise((resolve) => {
      let hops = (i * 7) % 5; // start renders in a shuffled order across event-loop turns
      const step = () => {
        if (hops-- > 0) {
          setImmediate(step);
          return;
        }
        order.push(i);
        resolve(settle(() => renderCodeRun(props)));
      };
      setImmediate(step);
    })));
    expect(order).not.toEqual(inputs.map((_, i) => i));
    expect(interleaved).toEqual(sequential);
    expect(new Set(sequential.filter((r): r is { ok: any } => 'ok' in r).map((r) => r.ok.name)).size).toBe(41);
  });
});

describe('fail closed: output that violates the profile is refused, not returned', () => {
  /** A fake EnvValue that reads a Secret: the builder only checks that env values have `_toKube`. */
  const secretEnv = { _toKube: () => ({ valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }) } as unknown as EnvValue;

  test('the builder lets a Secret env reference through; the render refuses it with the rule and the fix', () => {
    const built = buildCodeRun('builder', { code: PY, env: { DB_PASSWORD: secretEnv } }, 'run');
    expect((built.job as Json).spec.template.spec.containers[0].env).toContainEqual({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } });
    const err = errorOf(() => renderCodeRun({ code: PY, env: { DB_PASSWORD: secretEnv } }, { where: 'platform/run-7' }));
    expect(err).toBeInstanceOf(SandboxProfileViolationError);
    expect(err.message).toContain('platform/run-7: the synthesized output violates the sandbox hardening profile');
    expect(err.message).toContain('[no-secret-env] Job/');
    expect(err.message).toContain('spec.template.spec.containers[0].env[');
    expect(err.message).toContain('Fix: ');
    expect(() => renderCodeRunObjects({ code: PY, env: { DB_PASSWORD: secretEnv } })).toThrow(SandboxProfileViolationError);
  });

  test('the construct refuses the same output when the app synthesizes', () => {
    const app = Testing.app();
    new CodeRunnerJob(new Chart(app, 'test'), 'run', { code: PY, env: { DB_PASSWORD: secretEnv } });
    expect(() => app.synthYaml()).toThrow(/no-secret-env/);
  });

  /** The render module with buildCodeRun's result passed through `transform` first (a builder bug, simulated). */
  function renderWithBuilder(transform: (built: Json) => Json): RenderModule {
    let mod: RenderModule | undefined;
    jest.isolateModules(() => {
      jest.doMock('../src/builders/code-runner', () => {
        const actual = jest.requireActual('../src/builders/code-runner');
        return { ...actual, buildCodeRun: (...args: unknown[]) => transform(actual.buildCodeRun(...args)) };
      });
      mod = require('../src/builders/render');
    });
    jest.dontMock('../src/builders/code-runner');
    return mod!;
  }

  /** The render module with the built Job weakened in place. */
  const renderWithWeakenedBuilder = (weaken: (job: Json) => void) => renderWithBuilder((built) => {
    weaken(built.job);
    return built;
  });

  const pod = (job: Json) => job.spec.template.spec;
  const main = (job: Json) => pod(job).containers[0];

  test('the mocked builder without a weakening renders normally (the harness itself works)', () => {
    const mod = renderWithWeakenedBuilder(() => undefined);
    expect(mod.renderCodeRun({ code: PY }).yaml).toBe(renderCodeRun({ code: PY }).yaml);
  });

  test.each([
    ['runtime-class', 'no runtimeClassName', (job: Json) => delete pod(job).runtimeClassName],
    ['run-as-non-root', 'runAsNonRoot false', (job: Json) => { pod(job).securityContext.runAsNonRoot = false; }],
    ['run-as-high-uid', 'UID 0', (job: Json) => { main(job).securityContext.runAsUser = 0; }],
    ['run-as-high-gid', 'fsGroup 0', (job: Json) => { pod(job).securityContext.fsGroup = 0; }],
    ['no-privilege-escalation', 'privilege escalation', (job: Json) => { main(job).securityContext.allowPrivilegeEscalation = true; }],
    ['not-privileged', 'a privileged container', (job: Json) => { main(job).securityContext.privileged = true; }],
    ['drop-all-capabilities', 'SYS_ADMIN added', (job: Json) => { main(job).securityContext.capabilities.add = ['SYS_ADMIN']; }],
    ['seccomp-runtime-default', 'Unconfined seccomp', (job: Json) => { pod(job).securityContext.seccompProfile = { type: 'Unconfined' }; }],
    ['read-only-root-filesystem', 'a writable root', (job: Json) => { main(job).securityContext.readOnlyRootFilesystem = false; }],
    ['no-host-namespaces', 'hostNetwork', (job: Json) => { pod(job).hostNetwork = true; }],
    ['no-host-ports', 'a host port', (job: Json) => { main(job).ports = [{ containerPort: 8080, hostPort: 8080 }]; }],
    ['allowed-volume-types', 'a hostPath volume', (job: Json) => { pod(job).volumes.push({ name: 'host', hostPath: { path: '/' } }); }],
    ['no-service-account-token', 'a mounted token', (job: Json) => { pod(job).automountServiceAccountToken = true; }],
    ['no-service-links', 'service links', (job: Json) => { pod(job).enableServiceLinks = true; }],
    ['resource-limits', 'no CPU limit', (job: Json) => { delete main(job).resources.limits.cpu; }],
    ['ephemeral-storage-limit', 'no ephemeral-storage limit', (job: Json) => { delete main(job).resources.limits['ephemeral-storage']; }],
    ['job-limits', 'retries', (job: Json) => { job.spec.backoffLimit = 3; }],
    ['job-limits', 'no deadline', (job: Json) => { delete job.spec.activeDeadlineSeconds; }],
    ['image-pinned', 'an image on :latest', (job: Json) => { main(job).image = 'python:latest'; }],
  ] as [string, string, (job: Json) => void][])('refuses %s (%s)', (rule, _what, weaken) => {
    const mod = renderWithWeakenedBuilder(weaken);
    const render = () => mod.renderCodeRun({ code: PY }, { where: 'platform/run-9' });
    const err = errorOf(render);
    expect(err.name).toBe('SandboxProfileViolationError');
    expect(err.message).toContain('platform/run-9: the synthesized output violates the sandbox hardening profile');
    expect(err.message).toContain(`[${rule}] Job/`);
    expect(() => mod.renderCodeRunObjects({ code: PY })).toThrow(`[${rule}]`);
  });

  const withPolicy = (change: (policy: Json) => void) => (built: Json) => {
    change(built.isolationPolicy);
    return built;
  };
  const withoutCodeRunLabel = (built: Json) => {
    delete built.job.spec.template.metadata.labels['cdk8s-sandbox.io/code-run'];
    return built;
  };
  test.each([
    ['network-isolation', 'a pod without the code-run label, so the shared policy misses it', withoutCodeRunLabel],
    ['network-policy-selects-pods', 'a pod without the code-run label, so the shared policy selects nothing', withoutCodeRunLabel],
    ['network-isolation', 'a policy that selects other pods', withPolicy((p) => { p.spec.podSelector = { matchLabels: { 'cdk8s-sandbox.io/workload': 'another-run' } }; })],
    ['network-policy-selects-pods', 'a policy that selects other pods', withPolicy((p) => { p.spec.podSelector = { matchLabels: { 'cdk8s-sandbox.io/workload': 'another-run' } }; })],
    ['network-isolation', 'a policy for ingress only', withPolicy((p) => { p.spec.policyTypes = ['Ingress']; })],
    ['network-isolation', 'a policy in another namespace', withPolicy((p) => { p.metadata.namespace = 'elsewhere'; })],
    ['egress-peers', 'an egress rule without peers', withPolicy((p) => { p.spec.egress = [{ ports: [{ port: 443, protocol: 'TCP' }] }]; })],
  ] as [string, string, (built: Json) => Json][])('refuses %s (%s): the render checks its own network isolation', (rule, _what, transform) => {
    const mod = renderWithBuilder(transform);
    const err = errorOf(() => mod.renderCodeRun({ code: PY }, { where: 'platform/run-9' }));
    expect(err.name).toBe('SandboxProfileViolationError');
    expect(err.message).toContain('platform/run-9: the synthesized output violates the sandbox hardening profile');
    expect(err.message).toContain(`[${rule}] `);
  });

  test('the check sees exactly the objects the render returns, with the run\'s runtime class', () => {
    const calls: unknown[][] = [];
    let mod: RenderModule | undefined;
    jest.isolateModules(() => {
      jest.doMock('../src/builders/compliance', () => {
        const actual = jest.requireActual('../src/builders/compliance');
        return { ...actual, assertProfile: (...args: unknown[]) => { calls.push(args); return actual.assertProfile(...args); } };
      });
      mod = require('../src/builders/render');
    });
    jest.dontMock('../src/builders/compliance');
    const result = mod!.renderCodeRun({ code: PY, runtimeClassName: 'gvisor-ptrace' }, { where: 'platform/run-1', allowedRuntimeClasses: ['gvisor-ptrace'] });
    expect(calls).toHaveLength(1);
    expect(calls[0][0]).toBe('platform/run-1');
    expect(calls[0][1]).toEqual([...result.sharedObjects, ...result.objects]);
    expect(calls[0][2]).toEqual({ runtimeClassName: 'gvisor-ptrace' });
  });
});

describe('in-process: no files, no App', () => {
  test('rendering writes nothing to disk', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require('fs');
    const spies = ['writeFileSync', 'writeFile', 'appendFileSync', 'mkdirSync', 'mkdtempSync', 'openSync', 'createWriteStream']
      .map((fn) => jest.spyOn(fs, fn));
    try {
      for (const [, props] of PROP_SETS) renderCodeRun(props, { allowedRuntimeClasses: OWN_RUNTIME_CLASSES });
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});

describe('CodeRun.ownedByJob: a run\'s ConfigMap owned by its created Job, so the cluster deletes it with the Job', () => {
  const BIG = `print(1)\n#${'x'.repeat(250 * 1024)}\n`;
  const rendered = CodeRun.render({ code: BIG, namespace: 'sandbox-jobs' });
  const [configMap, job] = rendered.objects;
  const created = { ...job, metadata: { ...job.metadata, uid: '9d4c7a52-1e0b-4c1a-9a55-2f6f3c1d0e11' } };

  test('the ConfigMap gets one ownerReference to the Job; nothing else changes; the input is not written', () => {
    const owned = CodeRun.ownedByJob(configMap, created);
    expect(owned.metadata.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'Job', name: rendered.name, uid: '9d4c7a52-1e0b-4c1a-9a55-2f6f3c1d0e11' }]);
    const { ownerReferences: _refs, ...rest } = owned.metadata;
    expect({ ...owned, metadata: rest }).toEqual(configMap);
    expect(configMap.metadata.ownerReferences).toBeUndefined();
    expect(CodeRun.ownedByJob(owned, created).metadata.ownerReferences).toHaveLength(1);
    expect(schemaErrors(owned)).toEqual([]);
  });

  test.each([
    ['the rendered Job (no uid yet)', configMap, job, 'CodeRun.ownedByJob: createdJob.metadata.uid is undefined; the uid the API server gave the Job on create'],
    ['a ConfigMap as the owner', configMap, configMap, 'CodeRun.ownedByJob: createdJob.kind is "v1 ConfigMap"; the batch/v1 Job as the API server returned it on create'],
    ['the Job as the dependent', job, created, 'CodeRun.ownedByJob: object.kind is "Job"; a run\'s ConfigMap'],
    ['the shared policy as the dependent', rendered.sharedObjects[0], created, 'CodeRun.ownedByJob: object.kind is "NetworkPolicy"; a run\'s ConfigMap: the Job owns itself, and the shared policy outlives every run'],
    ['a Job in another namespace', configMap, { ...created, metadata: { ...created.metadata, namespace: 'elsewhere' } }, 'CodeRun.ownedByJob: object.metadata.namespace is "sandbox-jobs"; the Job\'s namespace ("elsewhere")'],
  ])('refused: %s', (_what, object, owner, message) => {
    const err = errorOf(() => CodeRun.ownedByJob(object, owner));
    expect(err).toBeInstanceOf(SandboxValidationError);
    expect(err.message.startsWith(message)).toBe(true);
  });
});
