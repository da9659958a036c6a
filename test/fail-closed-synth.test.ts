// Synth refuses what the cluster would run unsafely or not as written (issue 11): runtime classes not known to
// sandbox, app-wide cross-resource rules over every object (a patched SandboxNamespace, a raw sibling policy),
// duplicate Kubernetes names, cluster-scoped objects given a namespace, and objects that serialize differently
// from what the checks judged. Each asserts the refusal and its message.
import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CodeRunnerJob, type ISandboxWorkload, GvisorRuntimeClass, NetworkPeer, SandboxNamespace, SandboxNetworkPolicy, SandboxPlatform, SandboxRuntimes, SandboxedDeployment } from '../src';
import { SandboxValidationError } from '../src/builders/errors';
import { renderCodeRun } from '../src/builders/render';
import { thrown } from './helpers/errors';

const IMAGE = 'registry.example/app:1.2.3';
const PY = 'print(1)\n';

describe('only runtime classes known to sandbox pass', () => {
  const refusal = (path: string, name: string, classes = 'none', allowed = 'none') =>
    `[${path}] runtimeClassName is "${name}", which is not known to be a sandboxed runtime; allowed: "gvisor" (GKE Sandbox), the name of a GvisorRuntimeClass in this app (${classes}), `
    + `or a name allowed deliberately with SandboxRuntimes.allow(app, name, reason) (${allowed}). A runtime class that is not gVisor (runc, a plain kata or crun handler) does not sandbox untrusted code.`;

  test('SandboxedDeployment with runc: refused at synth, naming path, field, value and how to allow one', () => {
    const chart = new Chart(Testing.app(), 'c');
    new SandboxedDeployment(chart, 'api', { image: IMAGE, runtimeClassName: 'runc', networkPolicyManagedElsewhere: 'not under test' });
    expect(thrown(() => Testing.synth(chart))).toContain(refusal('c/api', 'runc'));
  });

  test('CodeRunnerJob with runc: refused at synth', () => {
    const chart = new Chart(Testing.app(), 'c');
    new CodeRunnerJob(chart, 'run', { runId: 'run-1', code: PY, runtimeClassName: 'runc' });
    expect(thrown(() => Testing.synth(chart))).toContain(refusal('c/run', 'runc'));
  });

  test('renderCodeRun with runc: refused, and allowed only through the render\'s own allowlist', () => {
    const err = (() => { try { renderCodeRun({ code: PY, runtimeClassName: 'runc' }, { where: 'platform/run-1' }); } catch (e) { return e as SandboxValidationError; } return undefined; })();
    expect(err).toBeInstanceOf(SandboxValidationError);
    expect(err!.message).toBe('platform/run-1: runtimeClassName is "runc"; not known to be a sandboxed runtime; allowed: "gvisor". A gVisor RuntimeClass of your own goes in RenderOptions.allowedRuntimeClasses');
    expect(renderCodeRun({ code: PY, runtimeClassName: 'gvisor-own' }, { allowedRuntimeClasses: ['gvisor-own'] }).objects[0].spec.template.spec.runtimeClassName).toBe('gvisor-own');
    expect(() => renderCodeRun({ code: PY, runtimeClassName: 'runc' }, { allowedRuntimeClasses: ['gvisor-own'] })).toThrow('allowed: "gvisor", "gvisor-own"');
  });

  test('the name of a GvisorRuntimeClass of the same app passes; another name still does not', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    const rc = new GvisorRuntimeClass(chart, 'rc', { platform: SandboxPlatform.SELF_MANAGED, name: 'gvisor-selfmanaged' });
    new SandboxedDeployment(chart, 'api', { image: IMAGE, runtimeClassName: rc.name, networkPolicyManagedElsewhere: 'not under test' });
    expect(Testing.synth(chart).find((o) => o.kind === 'Deployment').spec.template.spec.runtimeClassName).toBe('gvisor-selfmanaged');
    new SandboxedDeployment(chart, 'other', { image: IMAGE, runtimeClassName: 'kata', networkPolicyManagedElsewhere: 'not under test' });
    expect(thrown(() => Testing.synth(chart))).toContain(refusal('c/other', 'kata', '"gvisor-selfmanaged"'));
  });

  test('SandboxRuntimes.allow with a reason lets a name pass; without a reason it is refused', () => {
    const chart = new Chart(Testing.app(), 'c');
    SandboxRuntimes.allow(chart, 'gvisor-kvm', 'the platform team\'s RuntimeClass, handler runsc with --platform=kvm');
    new CodeRunnerJob(chart, 'run', { runId: 'run-1', code: PY, runtimeClassName: 'gvisor-kvm' });
    expect(Testing.synth(chart).find((o) => o.kind === 'Job').spec.template.spec.runtimeClassName).toBe('gvisor-kvm');
    expect(() => SandboxRuntimes.allow(chart, 'runc', ' ')).toThrow('c: reason is " "; SandboxRuntimes.allow("runc") needs a reason: say which gVisor RuntimeClass it is and where it is defined');
    expect(() => SandboxRuntimes.allow(chart, 'Not A Name', 'x')).toThrow('c: runtimeClassName is "Not A Name"; must be a DNS subdomain');
  });
});

describe('the cross-resource rules judge every object of the app', () => {
  /** A SandboxNamespace holding one sandboxed workload, so the namespace rules apply to it. */
  function sandbox(): { app: App; chart: Chart; ns: SandboxNamespace } {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    const ns = new SandboxNamespace(chart, 'jobs');
    new CodeRunnerJob(ns, 'run', { runId: 'run-1', code: PY });
    return { app, chart, ns };
  }

  test('the namespace\'s own deny-all policy patched open to every destination', () => {
    const { chart, ns } = sandbox();
    ns.defaultDenyPolicy.addJsonPatch(JsonPatch.add('/spec/egress', [{}]));
    expect(thrown(() => Testing.synth(chart))).toContain('[c/jobs/NetworkPolicy] [egress-peers] spec.egress[0]: egress rule 0 has no `to`: every port open to every destination, the internet and the metadata server included');
  });

  test('the namespace\'s Pod Security label replaced with privileged', () => {
    const { chart, ns } = sandbox();
    ns.namespace.addJsonPatch(JsonPatch.replace('/metadata/labels/pod-security.kubernetes.io~1enforce', 'privileged'));
    expect(thrown(() => Testing.synth(chart))).toContain('[c/jobs/Namespace] [namespace-pod-security] metadata.labels["pod-security.kubernetes.io/enforce"]: Namespace "jobs" holds sandboxed pods but its pod-security.kubernetes.io/enforce label is "privileged"; must be "restricted"');
  });

  test('a hand-written sibling NetworkPolicy opening egress in the sandbox namespace', () => {
    const { chart } = sandbox();
    new ApiObject(chart, 'open', {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'open', namespace: 'jobs' },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{}] },
    } as any);
    expect(thrown(() => Testing.synth(chart))).toContain('[c/open] [egress-peers] spec.egress[0]: egress rule 0 has no `to`');
  });

  test('the untouched namespace passes', () => {
    const { chart } = sandbox();
    expect(Testing.synth(chart).map((o) => o.kind)).toEqual(['Namespace', 'ResourceQuota', 'LimitRange', 'NetworkPolicy', 'NetworkPolicy', 'Job']);
  });
});

describe('duplicate Kubernetes names are refused, naming both construct paths', () => {
  test('two SandboxedDeployments named api (different ids)', () => {
    const chart = new Chart(Testing.app(), 'c');
    new SandboxedDeployment(chart, 'one', { name: 'api', image: IMAGE, networkPolicyManagedElsewhere: 'not under test' });
    new SandboxedDeployment(chart, 'two', { name: 'api', image: IMAGE, networkPolicyManagedElsewhere: 'not under test' });
    const message = thrown(() => Testing.synth(chart));
    expect(message).toContain('[c/two/Deployment] Deployment api is also defined by [c/one/Deployment]: two objects with the same apiVersion, kind, namespace and name overwrite each other when applied. Fix: give one of them another name (runId, name) or namespace');
    expect(message).toContain('[c/two/ServiceAccount] ServiceAccount api is also defined by [c/one/ServiceAccount]');
  });

  test('two CodeRunnerJobs with one runId in one namespace; in two namespaces they are fine', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'jobs' });
    new CodeRunnerJob(chart, 'a', { runId: 'run-7', code: PY });
    new CodeRunnerJob(chart, 'b', { runId: 'run-7', code: 'print(2)\n' });
    expect(thrown(() => Testing.synth(chart))).toContain('[c/b/Job] Job jobs/run-7 is also defined by [c/a/Job]');
    const fine = new Chart(Testing.app(), 'c');
    new CodeRunnerJob(fine, 'a', { runId: 'run-7', code: PY, namespace: 'team-a' });
    new CodeRunnerJob(fine, 'b', { runId: 'run-7', code: PY, namespace: 'team-b' });
    expect(Testing.synth(fine).map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'NetworkPolicy/team-a/code-run-deny-all', 'Job/team-a/run-7', 'NetworkPolicy/team-b/code-run-deny-all', 'Job/team-b/run-7',
    ]);
  });

  test('two SandboxNamespace("jobs") in two charts of one app', () => {
    const app = Testing.app();
    const first = new Chart(app, 'first');
    const second = new Chart(app, 'second');
    new CodeRunnerJob(new SandboxNamespace(first, 'jobs'), 'run', { runId: 'run-1', code: PY });
    new SandboxNamespace(second, 'jobs');
    expect(thrown(() => app.synth())).toContain('[second/jobs/Namespace] Namespace jobs is also defined by [first/jobs/Namespace]');
  });
});

describe('cluster-scoped objects take no namespace', () => {
  test('a SandboxNamespace in a chart with a namespace emits its Namespace without one', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'chart-ns' });
    new CodeRunnerJob(new SandboxNamespace(chart, 'jobs'), 'run', { runId: 'run-1', code: PY });
    const objects = Testing.synth(chart);
    expect(objects.find((o) => o.kind === 'Namespace').metadata).toEqual(expect.not.objectContaining({ namespace: expect.anything() }));
    expect(objects.find((o) => o.kind === 'LimitRange').metadata.namespace).toBe('jobs');
  });

  test('a hand-written Namespace given the chart\'s namespace is refused', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'chart-ns' });
    new CodeRunnerJob(chart, 'run', { runId: 'run-1', code: PY });
    new ApiObject(chart, 'extra-ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'extra' } });
    expect(thrown(() => Testing.synth(chart))).toContain('[c/extra-ns] Namespace/extra metadata.namespace is "chart-ns"; a Namespace is cluster-scoped and takes no namespace (the chart\'s namespace was applied to it)');
  });
});

describe('what is written is what was checked', () => {
  test('a patch value that turns privileged after its n-th read never reaches the YAML, whatever n', () => {
    const outcomes: string[] = [];
    for (let n = 0; n <= 12; n++) {
      const app = Testing.app();
      const chart = new Chart(app, 'c');
      const run = new CodeRunnerJob(chart, 'run', { runId: 'run-1', code: PY });
      let reads = 0;
      const flipping = {
        allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534,
        capabilities: { drop: ['ALL'] },
        get privileged() { reads++; return reads > n; },
      };
      run.job.addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/securityContext', flipping));
      let yaml: string | undefined;
      try {
        yaml = app.synthYaml();
      } catch (err: any) {
        const message = String(err.message);
        if (message.includes('serializes differently')) {
          expect(message).toBe('[c/run/Job] Job/run-1 serializes differently from what the synth checks judged (a patch or value that changes when read, or a change after validation); refusing to write it');
          outcomes.push('changed after the check');
        } else {
          expect(message).toContain('[c/run] [not-privileged] Job/run-1 spec.template.spec.containers[0].securityContext.privileged: container "runner" is privileged');
          outcomes.push('refused by the check');
        }
        continue;
      }
      // Whatever was written, it is what the checks saw: never privileged.
      expect(yaml).not.toContain('privileged: true');
      outcomes.push('written, not privileged');
    }
    // Some n flip before the checks read the value, some between the checks and the write.
    expect(outcomes).toContain('changed after the check');
    expect(outcomes).toContain('refused by the check');
  });

  test('a patch added after one synth is checked by the next one', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    const run = new CodeRunnerJob(chart, 'run', { runId: 'run-1', code: PY });
    expect(app.synthYaml()).toContain('privileged: false');
    run.job.addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/securityContext/privileged', true));
    expect(thrown(() => app.synthYaml())).toContain('[not-privileged]');
  });
});

describe('requests and limits within the namespace\'s LimitRange and quota', () => {
  test('limits above the LimitRange max (2 CPU / 4Gi) are refused, naming the container, the value and the max', () => {
    const chart = new Chart(Testing.app(), 'c');
    const ns = new SandboxNamespace(chart, 'jobs');
    new SandboxedDeployment(ns, 'api', { image: IMAGE, replicas: 1, resources: { cpuLimit: '4', memoryLimit: '8Gi' } });
    const message = thrown(() => Testing.synth(chart));
    expect(message).toContain('[c/jobs/api] [namespace-bounds] spec.template.spec.containers[0].resources.limits.cpu: container "main" limits cpu 4, above the max 2 of LimitRange "sandbox-limits" in namespace "jobs": the API server refuses its pods. Fix: Lower it to at most 2, or raise the namespace\'s LimitRange max (SandboxNamespace limits).');
    expect(message).toContain('[c/jobs/api] [namespace-bounds] spec.template.spec.containers[0].resources.limits.memory: container "main" limits memory 8Gi, above the max 4Gi of LimitRange "sandbox-limits" in namespace "jobs"');
  });

  test('one pod larger than the whole quota, and replicas beyond it', () => {
    const chart = new Chart(Testing.app(), 'c');
    const ns = new SandboxNamespace(chart, 'jobs', { quota: { limitsCpu: '4', requestsCpu: '1' }, limits: { maxCpu: '8', defaultCpuLimit: '500m' } });
    new SandboxedDeployment(ns, 'big', { image: IMAGE, replicas: 1, resources: { cpuLimit: '6', cpuRequest: '500m' } });
    new SandboxedDeployment(ns, 'many', { image: IMAGE, replicas: 5, resources: { cpuLimit: '1', cpuRequest: '100m' } });
    const message = thrown(() => Testing.synth(chart));
    expect(message).toContain('[c/jobs/big] [namespace-bounds] spec.template.spec.containers: one pod limits cpu 6 in all, more than ResourceQuota "sandbox-quota" of namespace "jobs" allows for the whole namespace (4): no pod can ever be admitted');
    expect(message).toContain('[c/jobs/many] [namespace-bounds] spec.replicas: 5 pods limit cpu 5 in all, more than ResourceQuota "sandbox-quota" of namespace "jobs" allows (4): some of them are never admitted');
  });

  test('within bounds, and outside any SandboxNamespace, nothing is refused', () => {
    const chart = new Chart(Testing.app(), 'c');
    new SandboxedDeployment(new SandboxNamespace(chart, 'jobs'), 'api', { image: IMAGE, replicas: 2, resources: { cpuLimit: '2', memoryLimit: '4Gi' } });
    new SandboxedDeployment(chart, 'free', { image: IMAGE, resources: { cpuLimit: '16', memoryLimit: '64Gi' }, networkPolicyManagedElsewhere: 'not under test' });
    expect(Testing.synth(chart).filter((o) => o.kind === 'Deployment')).toHaveLength(2);
  });
});

describe('a hand-written RuntimeClass that claims gVisor', () => {
  test('a raw RuntimeClass gvisor with handler runc beside a sandboxed workload is refused at synth', () => {
    const chart = new Chart(Testing.app(), 'c');
    new CodeRunnerJob(chart, 'run', { runId: 'run-1', code: PY });
    new ApiObject(chart, 'rc', { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'gvisor' }, handler: 'runc' } as any);
    expect(thrown(() => Testing.synth(chart))).toContain('[c/rc] [runtime-class-handler] handler: RuntimeClass "gvisor" has handler "runc": pods name it (Job default/run-1) and run on that runtime, not in gVisor; allowed: "runsc" or "gvisor".');
  });
});

describe('a policy never selects every pod by accident', () => {
  test('a workload with empty selector labels is refused, naming the index and what to do', () => {
    const chart = new Chart(Testing.app(), 'c');
    expect(thrown(() => new SandboxNetworkPolicy(chart, 'p', { selects: [{ name: 'x', selectorLabels: {} } as ISandboxWorkload], egress: [{ peers: [NetworkPeer.internet()], ports: [{ port: 443 }] }] })))
      .toBe('c/p: selects[0] is "x"; has no selector labels ({}), so the policy would select every pod of its namespace; pass a SandboxedDeployment or CodeRunnerJob, or select a whole SandboxNamespace deliberately with selectsAllIn');
  });

  test('a cdk8s-plus Deployment (no selectorLabels of its own) is selected by its real selector, never with an empty one', () => {
    const chart = new Chart(Testing.app(), 'c');
    const plus = new kplus.Deployment(chart, 'web', { containers: [{ image: 'nginx:1.25.3' }] });
    const policy = new SandboxNetworkPolicy(chart, 'p', { selects: [plus] });
    expect(policy.policy.toJson().spec.podSelector).toEqual({ matchLabels: { 'cdk8s.io/metadata.addr': expect.stringMatching(/^c-web-/) } });
  });

  test('selectsAllIn selects the namespace\'s sandboxed pods by their label, never with an empty selector', () => {
    const chart = new Chart(Testing.app(), 'c');
    const ns = new SandboxNamespace(chart, 'jobs');
    const policy = new SandboxNetworkPolicy(ns, 'all', { selectsAllIn: ns });
    expect(policy.policy.toJson().spec.podSelector).toEqual({ matchLabels: { 'cdk8s-sandbox.io/sandboxed': 'true' } });
  });
});

test('a raw sibling NetworkPolicy re-opening ingress from everywhere to a sandboxed workload fails synth', () => {
  const chart = new Chart(Testing.app(), 'c');
  const ns = new SandboxNamespace(chart, 'jobs');
  const api = new SandboxedDeployment(ns, 'api', { image: IMAGE, replicas: 1 });
  new ApiObject(chart, 'open-ingress', {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'open-ingress', namespace: 'jobs' },
    spec: { podSelector: { matchLabels: { ...api.selectorLabels } }, policyTypes: ['Ingress'], ingress: [{}] },
  } as any);
  const message = thrown(() => Testing.synth(chart));
  expect(message).toContain('[c/jobs/api] [network-isolation] sandboxed pods with labels app.kubernetes.io/managed-by=cdk8s-sandbox,app.kubernetes.io/name=api,cdk8s-sandbox.io/sandboxed=true,cdk8s-sandbox.io/workload=api in namespace "jobs" accept connections from every source: NetworkPolicy "open-ingress" ingress rule 0 has no `from`');
  expect(message).not.toContain('set networkPolicyManagedElsewhere');
});
