// Hardening in place (src/profile/harden.ts): every per-object rule has a fill action or a refusal in the rules
// table itself; unset fields get the profile's values (asserted as concrete fields, not through the rules),
// set ones that a rule forbids are refused with their path, and suppressions and ignored rules are honoured.
import { KubeObject, RULES, SANDBOX_DEFAULTS, SUPPRESS_ANNOTATION, checkObject, hardenObject, hardenObjects, pathOfSegments, segmentsOfPath } from '../src/profile';
import { BASE_SETS, MUTATIONS, isTarget } from './helpers/mutations';

/** A Deployment as a chart would write it: nothing of the profile set. */
function plainDeployment(extra: { [key: string]: any } = {}, replicas = 1): any {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'apps' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'registry.example/web:1.4.2', ports: [{ containerPort: 8080 }] }], ...extra },
      },
    },
  };
}

const podSpecOf = (obj: any) => obj.spec.template.spec;

describe('the rules table', () => {
  test('every per-object rule says what harden does: a fill action, or a refusal with its reason', () => {
    const rows = RULES.map((r) => [r.id, typeof r.hardening?.fill === 'function' ? 'fills' : 'refuses', r.hardening?.refuses?.length > 20]);
    expect(rows.every(([, , reason]) => reason === true)).toBe(true);
    expect(Object.fromEntries(rows.map(([id, action]) => [id, action]))).toEqual({
      'runtime-class': 'fills', 'run-as-non-root': 'fills', 'run-as-high-uid': 'fills', 'run-as-high-gid': 'fills',
      'no-privilege-escalation': 'fills', 'not-privileged': 'refuses', 'drop-all-capabilities': 'fills', 'seccomp-runtime-default': 'fills',
      'read-only-root-filesystem': 'fills', 'no-host-namespaces': 'refuses', 'no-host-ports': 'refuses', 'allowed-volume-types': 'refuses',
      'no-service-account-token': 'fills', 'no-service-links': 'fills', 'baseline-security-options': 'refuses', 'resource-limits': 'fills',
      'ephemeral-storage-limit': 'fills', 'job-limits': 'fills', 'image-pinned': 'refuses', 'no-secret-env': 'refuses',
      'no-host-process': 'refuses', 'no-shared-process-namespace': 'refuses', 'gvisor-host-users': 'refuses',
    });
  });

  test('every weakening of the mutation corpus is either hardened to zero findings or refused by the rule it trips', () => {
    let hardened = 0;
    let refused = 0;
    for (const base of BASE_SETS) {
      for (const obj of base.objects.filter(isTarget)) {
        for (const m of MUTATIONS) {
          if (!m.kinds.includes(obj.kind)) continue;
          const set = JSON.parse(JSON.stringify(base.objects));
          const copy = set[base.objects.indexOf(obj)];
          if (m.applies && !m.applies(copy, set)) continue;
          const mutated = m.mutate(copy, set).find((o) => o.kind === obj.kind && o.metadata?.name === obj.metadata?.name);
          if (!mutated || RULES.every((r) => r.id !== m.expected)) continue;
          const result = hardenObject(mutated);
          const left = checkObject(result.object).filter((f) => !result.suppressed.some((s) => s.rule === f.rule && s.path === f.path));
          if (result.refusals.length === 0) {
            expect([m.description, left]).toEqual([m.description, []]);
            hardened++;
          } else {
            // What is refused is exactly what is left, and the rule the weakening trips is among it.
            expect([m.description, result.refusals.filter((f) => !f.rule.startsWith('suppression-')).map((f) => `${f.rule} ${f.path}`).sort()]).toEqual([m.description, left.map((f) => `${f.rule} ${f.path}`).sort()]);
            expect([m.description, result.refusals.some((f) => f.rule === m.expected || (m.implies ?? []).includes(f.rule))]).toEqual([m.description, true]);
            refused++;
          }
        }
      }
    }
    expect(hardened).toBeGreaterThan(40);
    expect(refused).toBeGreaterThan(100);
  });
});

describe('fills what is unset', () => {
  test('a plain Deployment gets every control of the profile, field by field', () => {
    const input = plainDeployment();
    const before = JSON.stringify(input);
    const result = hardenObject(input);
    expect(JSON.stringify(input)).toBe(before);
    expect(result.refusals).toEqual([]);
    const spec = podSpecOf(result.object);
    expect(spec.runtimeClassName).toBe('gvisor');
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.enableServiceLinks).toBe(false);
    expect(spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } });
    expect(spec.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true });
    expect(spec.containers[0].resources).toEqual({
      limits: { 'cpu': '500m', 'memory': '512Mi', 'ephemeral-storage': '256Mi' },
      requests: { 'cpu': '250m', 'memory': '256Mi', 'ephemeral-storage': '64Mi' },
    });
    expect(spec.volumes).toEqual([{ name: 'sandbox-tmp', emptyDir: { sizeLimit: '64Mi' } }]);
    expect(spec.containers[0].volumeMounts).toEqual([{ name: 'sandbox-tmp', mountPath: '/tmp' }]);
    expect(spec.containers[0].ports).toEqual([{ containerPort: 8080 }]);
    expect(checkObject(result.object)).toEqual([]);
  });

  test('each change names its rule, path and value, and applying the changes to the input gives the hardened object', () => {
    const input = plainDeployment();
    const result = hardenObject(input);
    expect(result.changes.slice(0, 3)).toEqual([
      { rule: 'runtime-class', path: 'spec.template.spec.runtimeClassName', segments: ['spec', 'template', 'spec', 'runtimeClassName'], value: 'gvisor' },
      { rule: 'run-as-non-root', path: 'spec.template.spec.securityContext.runAsNonRoot', segments: ['spec', 'template', 'spec', 'securityContext', 'runAsNonRoot'], value: true },
      { rule: 'run-as-high-uid', path: 'spec.template.spec.securityContext.runAsUser', segments: ['spec', 'template', 'spec', 'securityContext', 'runAsUser'], value: 65534 },
    ]);
    const replay = JSON.parse(JSON.stringify(input));
    for (const c of result.changes) {
      let node = replay;
      c.segments.slice(0, -1).forEach((s, i) => { node = node[s] ??= typeof c.segments[i + 1] === 'number' ? [] : {}; });
      node[c.segments[c.segments.length - 1]] = c.value;
    }
    expect(replay).toEqual(result.object);
    expect(new Set(result.changes.map((c) => c.path)).size).toBe(result.changes.length);
  });

  test('set values that satisfy the profile are kept; only what is unset is filled', () => {
    const result = hardenObject(plainDeployment({
      securityContext: { runAsUser: 20000, seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/web.json' } },
      containers: [{
        name: 'web', image: 'registry.example/web:1.4.2',
        securityContext: { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] }, readOnlyRootFilesystem: true },
        resources: { requests: { memory: '1Gi' }, limits: { cpu: '100m' } },
        volumeMounts: [{ name: 'scratch', mountPath: '/tmp/' }],
      }],
      volumes: [{ name: 'scratch', emptyDir: {} }],
    }));
    expect(result.refusals).toEqual([]);
    const spec = podSpecOf(result.object);
    expect(spec.securityContext).toEqual({ runAsUser: 20000, seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/web.json' }, runAsNonRoot: true, runAsGroup: 65534, fsGroup: 65534 });
    expect(spec.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] });
    // A memory request above the default limit raises the limit to it; a CPU limit below the default request lowers the request to it.
    expect(spec.containers[0].resources).toEqual({
      requests: { 'memory': '1Gi', 'cpu': '100m', 'ephemeral-storage': '64Mi' },
      limits: { 'cpu': '100m', 'memory': '1Gi', 'ephemeral-storage': '256Mi' },
    });
    expect(spec.volumes).toEqual([{ name: 'scratch', emptyDir: {} }]);
    expect(spec.containers[0].volumeMounts).toEqual([{ name: 'scratch', mountPath: '/tmp/' }]);
  });

  test('a taken volume name is not reused, and init containers get /tmp as well', () => {
    const result = hardenObject(plainDeployment({
      initContainers: [{ name: 'setup', image: 'registry.example/setup:2.0.0' }],
      volumes: [{ name: 'sandbox-tmp', configMap: { name: 'x' } }],
    }));
    const spec = podSpecOf(result.object);
    expect(spec.volumes[1]).toEqual({ name: 'sandbox-tmp-2', emptyDir: { sizeLimit: '64Mi' } });
    expect(spec.initContainers[0].volumeMounts).toEqual([{ name: 'sandbox-tmp-2', mountPath: '/tmp' }]);
    expect(spec.containers[0].volumeMounts).toEqual([{ name: 'sandbox-tmp-2', mountPath: '/tmp' }]);
    expect(spec.initContainers[0].resources.limits.cpu).toBe('500m');
  });

  test('a Job and a CronJob get a deadline, a TTL, no retries and restartPolicy Never', () => {
    const template = { spec: { containers: [{ name: 'task', image: 'registry.example/task:3.1.0' }] } };
    const job = hardenObject({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once' }, spec: { template } });
    expect(job.refusals).toEqual([]);
    expect(job.object.spec).toMatchObject({ activeDeadlineSeconds: 3600, ttlSecondsAfterFinished: 300, backoffLimit: 0, template: { spec: { restartPolicy: 'Never', runtimeClassName: 'gvisor' } } });
    const cron = hardenObject({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly' }, spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template } } } });
    expect(cron.refusals).toEqual([]);
    expect(cron.object.spec.jobTemplate.spec).toMatchObject({ activeDeadlineSeconds: 3600, ttlSecondsAfterFinished: 300, backoffLimit: 0, template: { spec: { restartPolicy: 'Never' } } });
    expect(cron.object.spec.jobTemplate.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    expect(checkObject(cron.object)).toEqual([]);
  });

  test('a ServiceAccount that leaves the token setting unset gets automountServiceAccountToken: false; other kinds pass untouched', () => {
    const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web' } };
    expect(hardenObject(sa).object).toEqual({ ...sa, automountServiceAccountToken: false });
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { image: 'x:latest' } };
    const result = hardenObject(cm);
    expect(result.object).toBe(cm);
    expect([result.workload, result.changes, result.refusals]).toEqual([false, [], []]);
  });

  test('pod templates inside other kinds (an Argo Rollout) are hardened at their own paths', () => {
    const rollout = {
      apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'r' },
      spec: { strategy: { canary: {} }, template: { spec: { containers: [{ name: 'app', image: 'registry.example/app:1.0.0' }] } } },
    };
    const result = hardenObject(rollout);
    expect(result.refusals).toEqual([]);
    expect(result.object.spec.template.spec.runtimeClassName).toBe('gvisor');
    expect(result.changes[0].path).toBe('spec.template.spec.runtimeClassName');
  });
});

describe('refuses what is set', () => {
  test.each([
    ['privileged', { containers: [{ name: 'web', image: 'registry.example/web:1.4.2', securityContext: { privileged: true } }] }, 'not-privileged', 'spec.template.spec.containers[0].securityContext.privileged'],
    ['hostNetwork', { hostNetwork: true }, 'no-host-namespaces', 'spec.template.spec.hostNetwork'],
    ['hostPID', { hostPID: true }, 'no-host-namespaces', 'spec.template.spec.hostPID'],
    ['a hostPath volume', { volumes: [{ name: 'root', hostPath: { path: '/' } }] }, 'allowed-volume-types', 'spec.template.spec.volumes[0].hostPath'],
    ['an added capability', { containers: [{ name: 'web', image: 'registry.example/web:1.4.2', securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }] }, 'drop-all-capabilities', 'spec.template.spec.containers[0].securityContext.capabilities.add'],
    ['UID 0', { securityContext: { runAsUser: 0 } }, 'run-as-high-uid', 'spec.template.spec.securityContext.runAsUser'],
    ['a low UID', { containers: [{ name: 'web', image: 'registry.example/web:1.4.2', securityContext: { runAsUser: 101 } }] }, 'run-as-high-uid', 'spec.template.spec.containers[0].securityContext.runAsUser'],
    [':latest', { containers: [{ name: 'web', image: 'registry.example/web:latest' }] }, 'image-pinned', 'spec.template.spec.containers[0].image'],
    ['an untagged image', { containers: [{ name: 'web', image: 'nginx' }] }, 'image-pinned', 'spec.template.spec.containers[0].image'],
    ['a token asked for', { automountServiceAccountToken: true }, 'no-service-account-token', 'spec.template.spec.automountServiceAccountToken'],
    ['a writable root asked for', { containers: [{ name: 'web', image: 'registry.example/web:1.4.2', securityContext: { readOnlyRootFilesystem: false } }] }, 'read-only-root-filesystem', 'spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem'],
    ['another runtime class', { runtimeClassName: 'runc' }, 'runtime-class', 'spec.template.spec.runtimeClassName'],
    ['Unconfined seccomp', { securityContext: { seccompProfile: { type: 'Unconfined' } } }, 'seccomp-runtime-default', 'spec.template.spec.securityContext.seccompProfile.type'],
    ['a Secret in env', { containers: [{ name: 'web', image: 'registry.example/web:1.4.2', env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 's', key: 'p' } } }] }] }, 'no-secret-env', 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef'],
  ])('%s', (_what, extra, rule, path) => {
    const result = hardenObject(plainDeployment(extra));
    expect(result.refusals.map((f) => [f.rule, f.path])).toEqual([[rule, path]]);
    const [refusal] = result.refusals;
    expect(refusal.object).toEqual({ kind: 'Deployment', namespace: 'apps', name: 'web' });
    expect(refusal.message).toMatch(/; harden does not change it: /);
    // The field stays as the manifest has it.
    expect(JSON.stringify(result.object)).toContain(JSON.stringify(path.endsWith('image') ? result.object.spec.template.spec.containers[0].image : extra).slice(1, 12));
  });

  test('a suppression with a reason waives a refusal and skips that rule\'s fill; the waiver is recorded', () => {
    const dep = plainDeployment({ automountServiceAccountToken: true });
    dep.metadata.annotations = { [SUPPRESS_ANNOTATION]: 'no-service-account-token: the operator watches the API server' };
    const result = hardenObject(dep);
    expect(result.refusals).toEqual([]);
    expect(result.suppressed.map((f) => [f.rule, f.path, f.message])).toEqual([[
      'no-service-account-token', 'spec.template.spec.automountServiceAccountToken',
      'automountServiceAccountToken is true; must be false (suppressed: the operator watches the API server)',
    ]]);
    // With the rule suppressed, an unset token setting is left unset too (an API client that relies on the default).
    const unset = plainDeployment();
    unset.metadata.annotations = { [SUPPRESS_ANNOTATION]: 'no-service-account-token: needs its token' };
    expect(podSpecOf(hardenObject(unset).object).automountServiceAccountToken).toBeUndefined();
  });

  test('a suppression cannot waive what no reason makes safe, and a suppression without a reason is itself refused', () => {
    const host = plainDeployment({ hostNetwork: true, volumes: [{ name: 'root', hostPath: { path: '/' } }] });
    host.metadata.annotations = { [SUPPRESS_ANNOTATION]: 'no-host-namespaces: node agent\nallowed-volume-types: reads the node' };
    const result = hardenObject(host);
    expect(result.refusals.map((f) => [f.rule, f.path])).toEqual([
      ['no-host-namespaces', 'spec.template.spec.hostNetwork'],
      ['allowed-volume-types', 'spec.template.spec.volumes[0].hostPath'],
      ['suppression-unwaivable', 'metadata.annotations["cdk8s-sandbox.io/suppress"]'],
      ['suppression-unwaivable', 'metadata.annotations["cdk8s-sandbox.io/suppress"]'],
    ]);
    expect(result.refusals[2].message).toBe('suppression of "allowed-volume-types" cannot waive hostPath volumes: spec.template.spec.volumes[0].hostPath is still reported');
    expect(result.refusals[3].message).toMatch(/^suppression of "no-host-namespaces" is refused: a sandbox can never waive/);
    const noReason = plainDeployment({ securityContext: { runAsUser: 101 } });
    noReason.metadata.annotations = { [SUPPRESS_ANNOTATION]: 'run-as-high-uid' };
    expect(hardenObject(noReason).refusals.map((f) => f.rule)).toEqual(['run-as-high-uid', 'suppression-reason']);
  });

  test('an ignored rule is neither filled nor refused', () => {
    const result = hardenObject(plainDeployment({ securityContext: { runAsUser: 101 } }), { ignoreRules: ['run-as-high-uid', 'runtime-class'] });
    expect(result.refusals).toEqual([]);
    expect(podSpecOf(result.object).runtimeClassName).toBeUndefined();
    expect(podSpecOf(result.object).securityContext.runAsUser).toBe(101);
  });

  test('--runtime-class: pods get the given class, and one already naming it is kept', () => {
    expect(podSpecOf(hardenObject(plainDeployment(), { runtimeClassName: 'gvisor-strict' }).object).runtimeClassName).toBe('gvisor-strict');
    expect(hardenObject(plainDeployment({ runtimeClassName: 'gvisor-strict' }), { runtimeClassName: 'gvisor-strict' }).refusals).toEqual([]);
  });
});

describe('over a set of objects', () => {
  test('containers get their namespace\'s LimitRange defaults, others the profile\'s', () => {
    const limitRange: KubeObject = {
      apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'limits', namespace: 'apps' },
      spec: { limits: [{ type: 'Container', default: { cpu: '1', memory: '1Gi' }, defaultRequest: { cpu: '100m' } }] },
    };
    const other = plainDeployment();
    other.metadata.namespace = 'elsewhere';
    const [, inApps, inOther] = hardenObjects([limitRange, plainDeployment(), other]);
    expect(podSpecOf(inApps.object).containers[0].resources).toEqual({
      limits: { 'cpu': '1', 'memory': '1Gi', 'ephemeral-storage': SANDBOX_DEFAULTS.resources.ephemeralStorageLimit },
      requests: { 'cpu': '100m', 'memory': '1Gi', 'ephemeral-storage': SANDBOX_DEFAULTS.resources.ephemeralStorageRequest },
    });
    expect(podSpecOf(inOther.object).containers[0].resources.limits.cpu).toBe(SANDBOX_DEFAULTS.resources.cpuLimit);
  });

  test('a replicated Deployment no budget covers gets a PodDisruptionBudget right after it; a covered one does not', () => {
    const [result] = hardenObjects([plainDeployment({}, 3)]);
    expect(result.companions).toEqual([{
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget',
      metadata: { name: 'web-sandbox-pdb', namespace: 'apps', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-sandbox' } },
      spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } },
    }]);
    const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'mine', namespace: 'apps' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } };
    expect(hardenObjects([plainDeployment({}, 3), pdb])[0].companions).toEqual([]);
    expect(hardenObjects([plainDeployment({}, 1)])[0].companions).toEqual([]);
    expect(hardenObjects([plainDeployment({}, 3)], { ignoreRules: ['availability'] })[0].companions).toEqual([]);
  });

  test('results come one per object, in input order, with non-objects passed through', () => {
    const objs = [plainDeployment(), { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } }, plainDeployment()];
    const results = hardenObjects(objs);
    expect(results.map((r) => r.workload)).toEqual([true, false, true]);
    expect(results[1].object).toBe(objs[1]);
  });
});

test('paths and segments convert both ways, quoting keys that are not identifiers', () => {
  const path = 'spec.template.metadata.annotations["cdk8s-sandbox.io/suppress"].x[3]';
  expect(segmentsOfPath(path)).toEqual(['spec', 'template', 'metadata', 'annotations', 'cdk8s-sandbox.io/suppress', 'x', 3]);
  expect(pathOfSegments(segmentsOfPath(path))).toBe(path);
  expect(pathOfSegments(['spec', 'containers', 0, 'resources', 'limits', 'ephemeral-storage'])).toBe('spec.containers[0].resources.limits.ephemeral-storage');
});

test('README\'s table of what harden does lists every per-object rule, with "-" exactly where the rule fills nothing', () => {
  const readme = require('fs').readFileSync(require('path').join(__dirname, '..', 'README.md'), 'utf8') as string;
  const section = readme.slice(readme.indexOf('## Hardening what you already have'), readme.indexOf('### In cdk8s'));
  const rows = [...section.matchAll(/^\| `([a-z-]+)` \| (.+?) \| (.+?) \|$/gm)].map((m) => [m[1], m[2] === '-' ? 'refuses' : 'fills']);
  expect(rows).toEqual(RULES.map((r) => [r.id, r.hardening.fill ? 'fills' : 'refuses']));
});

test('numbers are quantities too (YAML `cpu: 2`), and a malformed pod spec is refused rather than rewritten', () => {
  const spec = podSpecOf(hardenObject(plainDeployment({ containers: [{ name: 'web', image: 'registry.example/web:1.4.2', resources: { requests: { cpu: 2 } } }] })).object);
  expect(spec.containers[0].resources.limits.cpu).toBe(2);
  const bad = plainDeployment();
  bad.spec.template.spec.containers = 'web';
  const result = hardenObject(bad);
  expect(result.object).toBe(bad);
  expect(result.refusals.map((f) => [f.rule, f.path])).toEqual([['pod-template', 'spec.template.spec']]);
});
