// The pod knobs of issue 15 (imagePullSecrets, imagePullPolicy, podAnnotations, nodeSelector, tolerations,
// affinity, topologySpreadConstraints, priorityClassName) on every sandboxed workload: the fields they emit,
// nothing when unset, each refusal with the construct path, the field, the value and what is allowed, schema
// validity, and a clean synth guard and audit.
import { ApiObject, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import {
  CodeRun, CodeRunnerJob, ImagePullPolicy, LabelSelectorOperator, NetworkPeer, NodeSelectorOperator, SandboxNamespace, SandboxNetworkPolicy, SandboxPodProps,
  SandboxedCronJob, SandboxedDeployment, SandboxedDeploymentProps, SandboxedStatefulSet, TaintEffect, TolerationOperator, UnsatisfiableConstraintAction,
} from '../src';
import { auditObjects } from '../src/audit';
import { buildSandboxedDeployment } from '../src/builders/deployment';
import { SandboxValidationError } from '../src/builders/errors';
import { kubernetesProblems } from './helpers/schema';

const IMAGE = 'registry.example/app:1.2.3';

/** Every knob set. */
const KNOBS: SandboxPodProps = {
  imagePullSecrets: ['regcred', 'mirror.pull-secret'],
  podAnnotations: {
    'example.com/owner': 'team-a',
    'container.apparmor.security.beta.kubernetes.io/main': 'runtime/default',
    'container.apparmor.security.beta.kubernetes.io/proxy': 'localhost/proxy-profile',
  },
  nodeSelector: { 'example.com/pool': 'sandboxes', 'sandbox.gke.io/runtime': 'gvisor', 'kubernetes.io/os': 'linux' },
  tolerations: [
    { key: 'dedicated', value: 'sandboxes', effect: TaintEffect.NO_SCHEDULE },
    { key: 'example.com/spot' },
    { key: 'node.kubernetes.io/unreachable', operator: TolerationOperator.EXISTS, effect: TaintEffect.NO_EXECUTE, tolerationSeconds: 30 },
  ],
  affinity: {
    nodeAffinity: {
      required: [
        { matchExpressions: [{ key: 'sandbox.gke.io/runtime', operator: NodeSelectorOperator.IN, values: ['gvisor'] }, { key: 'node-role.kubernetes.io/control-plane', operator: NodeSelectorOperator.DOES_NOT_EXIST }] },
        { matchFields: [{ key: 'metadata.name', operator: NodeSelectorOperator.NOT_IN, values: ['node-a'] }] },
      ],
      preferred: [{ weight: 20, preference: { matchExpressions: [{ key: 'example.com/cpu-generation', operator: NodeSelectorOperator.GT, values: ['3'] }] } }],
    },
    podAffinity: {
      preferred: [{ weight: 10, term: { labelSelector: { matchLabels: { 'cdk8s-sandbox.io/sandboxed': 'true' } }, topologyKey: 'topology.kubernetes.io/zone' } }],
    },
    podAntiAffinity: {
      required: [{
        labelSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: LabelSelectorOperator.IN, values: ['database'] }] },
        topologyKey: 'kubernetes.io/hostname',
        namespaces: ['data'],
        namespaceSelector: { matchLabels: { tier: 'data' } },
      }],
    },
  },
  topologySpreadConstraints: [
    { topologyKey: 'topology.kubernetes.io/zone' },
    { topologyKey: 'kubernetes.io/hostname', maxSkew: 2, whenUnsatisfiable: UnsatisfiableConstraintAction.SCHEDULE_ANYWAY, labelSelector: { matchLabels: { 'cdk8s-sandbox.io/sandboxed': 'true' } }, matchLabelKeys: ['pod-template-hash'] },
    { topologyKey: 'example.com/rack', minDomains: 3 },
  ],
  priorityClassName: 'sandbox-high',
};

/** The knob fields every workload's pod spec carries, as emitted, for a workload selected by `selector`. */
function expectedKnobFields(selector: { [key: string]: string }): { [key: string]: unknown } {
  return {
    imagePullSecrets: [{ name: 'regcred' }, { name: 'mirror.pull-secret' }],
    nodeSelector: { 'example.com/pool': 'sandboxes', 'sandbox.gke.io/runtime': 'gvisor', 'kubernetes.io/os': 'linux' },
    tolerations: [
      { key: 'dedicated', operator: 'Equal', value: 'sandboxes', effect: 'NoSchedule' },
      { key: 'example.com/spot', operator: 'Exists' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
    ],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'sandbox.gke.io/runtime', operator: 'In', values: ['gvisor'] }, { key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' }] },
            { matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['node-a'] }] },
          ],
        },
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 20, preference: { matchExpressions: [{ key: 'example.com/cpu-generation', operator: 'Gt', values: ['3'] }] } }],
      },
      podAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { labelSelector: { matchLabels: { 'cdk8s-sandbox.io/sandboxed': 'true' } }, topologyKey: 'topology.kubernetes.io/zone' } }],
      },
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{
          labelSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['database'] }] },
          namespaceSelector: { matchLabels: { tier: 'data' } },
          namespaces: ['data'],
          topologyKey: 'kubernetes.io/hostname',
        }],
      },
    },
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: selector } },
      { maxSkew: 2, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'cdk8s-sandbox.io/sandboxed': 'true' } }, matchLabelKeys: ['pod-template-hash'] },
      { maxSkew: 1, topologyKey: 'example.com/rack', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: selector }, minDomains: 3 },
    ],
    priorityClassName: 'sandbox-high',
  };
}

const KNOB_FIELDS = ['imagePullSecrets', 'nodeSelector', 'tolerations', 'affinity', 'topologySpreadConstraints', 'priorityClassName'];

function objectsOf(scope: Construct): any[] {
  return scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson());
}

function kindOf(objects: any[], kind: string): any {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
}

function deployment(props: Partial<SandboxedDeploymentProps>, id = 'api'): { chart: Chart; construct: SandboxedDeployment } {
  const chart = new Chart(Testing.app(), 'chart');
  return { chart, construct: new SandboxedDeployment(chart, id, { image: IMAGE, networkPolicyManagedElsewhere: 'not under test', ...props }) };
}

describe('SandboxedDeployment with every knob', () => {
  const { chart, construct } = deployment({
    ...KNOBS,
    imagePullPolicy: ImagePullPolicy.IF_NOT_PRESENT,
    initContainers: [{ name: 'fetch', image: 'registry.example/fetch:1.0.0', imagePullPolicy: ImagePullPolicy.ALWAYS }],
    sidecars: [{ name: 'proxy', image: 'registry.example/proxy:3.1.4', imagePullPolicy: ImagePullPolicy.NEVER }],
  });
  const objects = objectsOf(chart);
  const template = kindOf(objects, 'Deployment').spec.template;
  const pod = template.spec;

  test('the pod spec carries each knob as given, with the defaults filled in', () => {
    for (const [key, value] of Object.entries(expectedKnobFields({ 'cdk8s-sandbox.io/workload': 'api' }))) expect([key, pod[key]]).toEqual([key, value]);
  });

  test('each container has its own imagePullPolicy', () => {
    expect(pod.initContainers[0].imagePullPolicy).toBe('Always');
    expect(pod.containers.map((c: any) => [c.name, c.imagePullPolicy])).toEqual([['main', 'IfNotPresent'], ['proxy', 'Never']]);
  });

  test('the pod annotations come after the library\'s gVisor annotations, which stay', () => {
    expect(template.metadata.annotations).toEqual({
      'dev.gvisor.flag.oci-seccomp': 'true',
      'dev.gvisor.spec.mount.main-tmp.share': 'pod', 'dev.gvisor.spec.mount.main-tmp.type': 'tmpfs',
      'dev.gvisor.spec.mount.fetch-tmp.share': 'pod', 'dev.gvisor.spec.mount.fetch-tmp.type': 'tmpfs',
      'dev.gvisor.spec.mount.proxy-tmp.share': 'pod', 'dev.gvisor.spec.mount.proxy-tmp.type': 'tmpfs',
      'example.com/owner': 'team-a',
      'container.apparmor.security.beta.kubernetes.io/main': 'runtime/default',
      'container.apparmor.security.beta.kubernetes.io/proxy': 'localhost/proxy-profile',
    });
    // Only the pod template: the Deployment's own metadata keeps its annotations (the opt-out) alone.
    expect(kindOf(objects, 'Deployment').metadata.annotations).toEqual({ 'cdk8s-sandbox.io/suppress': 'network-isolation: not under test' });
  });

  test('the hardening is untouched', () => {
    expect(pod.runtimeClassName).toBe('gvisor');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of [...pod.initContainers, ...pod.containers]) expect(c.securityContext.capabilities).toEqual({ drop: ['ALL'] });
  });

  test('every object is valid Kubernetes with no unknown fields', () => {
    expect(kubernetesProblems(objects)).toEqual([]);
  });

  test('the synth guard has nothing to report and the whole chart synthesizes', () => {
    expect(construct.node.validate()).toEqual([]);
    expect(Testing.synth(chart)).toEqual(objects);
  });

  test('the construct emits exactly what the pure builder returns', () => {
    const props = { image: IMAGE, networkPolicyManagedElsewhere: 'not under test', ...KNOBS };
    expect(objectsOf(deployment(props).chart)).toEqual(buildSandboxedDeployment('chart/api', props, 'api').objects);
  });
});

describe('unset knobs emit nothing', () => {
  test('a SandboxedDeployment without knobs has none of their fields', () => {
    const { chart } = deployment({});
    const template = kindOf(objectsOf(chart), 'Deployment').spec.template;
    for (const key of KNOB_FIELDS) expect(template.spec[key]).toBeUndefined();
    expect(template.spec.containers[0].imagePullPolicy).toBeUndefined();
    expect(Object.keys(template.metadata.annotations).every((k) => k.startsWith('dev.gvisor.'))).toBe(true);
  });

  test('empty lists and maps emit nothing either', () => {
    const { chart } = deployment({ imagePullSecrets: [], nodeSelector: {}, tolerations: [], topologySpreadConstraints: [], podAnnotations: {}, affinity: { nodeAffinity: { required: [] }, podAntiAffinity: {} } });
    const template = kindOf(objectsOf(chart), 'Deployment').spec.template;
    for (const key of KNOB_FIELDS) expect(template.spec[key]).toBeUndefined();
    expect(objectsOf(chart)).toEqual(objectsOf(deployment({}).chart));
  });

  test('a code run without knobs renders the same pod as before (the render snapshot holds it), and no knob field', () => {
    const job = CodeRun.render({ code: 'print(1)\n' }).objects[0];
    for (const key of KNOB_FIELDS) expect(job.spec.template.spec[key]).toBeUndefined();
  });
});

describe('CodeRunnerJob and CodeRun.render take the pod knobs', () => {
  const RUN = { code: 'print(1)\n', runId: 'run-1', ...KNOBS, sidecars: [{ name: 'proxy', image: 'registry.example/proxy:3.1.4', imagePullPolicy: ImagePullPolicy.NEVER }] };

  test('the run\'s pod carries them; a topology spread counts every code-run pod by default', () => {
    const job = CodeRun.render(RUN).objects[0];
    const pod = job.spec.template.spec;
    for (const [key, value] of Object.entries(expectedKnobFields({ 'cdk8s-sandbox.io/code-run': 'true' }))) expect([key, pod[key]]).toEqual([key, value]);
    expect(pod.containers.map((c: any) => [c.name, c.imagePullPolicy])).toEqual([['runner', undefined], ['proxy', 'Never']]);
    expect(pod.restartPolicy).toBe('Never');
  });

  test('the runner container takes its own imagePullPolicy, and a bad one is refused', () => {
    const pod = CodeRun.render({ ...RUN, imagePullPolicy: ImagePullPolicy.ALWAYS }).objects[0].spec.template.spec;
    expect(pod.containers.map((c: any) => [c.name, c.imagePullPolicy])).toEqual([['runner', 'Always'], ['proxy', 'Never']]);
    expect(() => CodeRun.render({ code: 'print(1)\n', imagePullPolicy: 'Sometimes' as any }, { where: 'submission-7' })).toThrow(/^submission-7: imagePullPolicy is "Sometimes"; /);
  });

  test('the user\'s annotations sit beside the code\'s and gVisor\'s', () => {
    const annotations = CodeRun.render(RUN).objects[0].spec.template.metadata.annotations;
    expect(annotations['code.cdk8s-sandbox.io/0']).toBe('print(1)\n');
    expect(annotations['dev.gvisor.flag.oci-seccomp']).toBe('true');
    expect(annotations['example.com/owner']).toBe('team-a');
    expect(annotations['container.apparmor.security.beta.kubernetes.io/main']).toBe('runtime/default');
  });

  test('the construct emits the same Job as the render path, valid Kubernetes, and the guard passes', () => {
    const chart = new Chart(Testing.app(), 'chart');
    const run = new CodeRunnerJob(chart, 'run', RUN);
    const job = kindOf(objectsOf(chart), 'Job');
    expect(job).toEqual(CodeRun.render(RUN).objects[0]);
    expect(kubernetesProblems([job])).toEqual([]);
    expect(run.node.validate()).toEqual([]);
  });

  test('a knob shapes the pod, so it changes the generated name', () => {
    const base = { code: 'print(1)\n' };
    const names = [base, { ...base, priorityClassName: 'sandbox-high' }, { ...base, podAnnotations: { 'example.com/owner': 'team-a' } }, { ...base, nodeSelector: { 'example.com/pool': 'a' } }]
      .map((props) => CodeRun.render(props).name);
    expect(new Set(names).size).toBe(4);
  });

  test('refusals name the render id and the field', () => {
    expect(() => CodeRun.render({ code: 'print(1)\n', podAnnotations: { 'code.cdk8s-sandbox.io/0': 'print(2)' } }, { where: 'submission-7' }))
      .toThrow('submission-7: podAnnotations["code.cdk8s-sandbox.io/0"] is "code.cdk8s-sandbox.io/0"; keys under cdk8s-sandbox.io/ and its subdomains (code.cdk8s-sandbox.io/) are the library\'s own');
    expect(() => CodeRun.render({ code: 'print(1)\n', priorityClassName: 'system-node-critical' }, { where: 'submission-7' }))
      .toThrow('submission-7: priorityClassName is "system-node-critical"; the system- PriorityClasses');
  });
});

describe('SandboxedCronJob and SandboxedStatefulSet take the pod knobs', () => {
  test('a CronJob\'s pods carry them, a topology spread counting its own pods', () => {
    const chart = new Chart(Testing.app(), 'chart');
    const cron = new SandboxedCronJob(chart, 'nightly', { image: IMAGE, schedule: '@daily', networkPolicyManagedElsewhere: 'not under test', ...KNOBS });
    const template = kindOf(objectsOf(chart), 'CronJob').spec.jobTemplate.spec.template;
    for (const [key, value] of Object.entries(expectedKnobFields({ 'cdk8s-sandbox.io/workload': 'nightly' }))) expect([key, template.spec[key]]).toEqual([key, value]);
    expect(template.metadata.annotations['example.com/owner']).toBe('team-a');
    expect(kubernetesProblems(objectsOf(chart))).toEqual([]);
    expect(cron.node.validate()).toEqual([]);
  });

  test('a StatefulSet\'s pods carry them, a topology spread counting its own pods', () => {
    const chart = new Chart(Testing.app(), 'chart');
    const set = new SandboxedStatefulSet(chart, 'sessions', { image: IMAGE, networkPolicyManagedElsewhere: 'not under test', ...KNOBS });
    const template = kindOf(objectsOf(chart), 'StatefulSet').spec.template;
    for (const [key, value] of Object.entries(expectedKnobFields({ 'cdk8s-sandbox.io/workload': 'sessions' }))) expect([key, template.spec[key]]).toEqual([key, value]);
    expect(template.metadata.annotations['example.com/owner']).toBe('team-a');
    expect(kubernetesProblems(objectsOf(chart))).toEqual([]);
    expect(set.node.validate()).toEqual([]);
  });

  test('refusals name the construct\'s path', () => {
    const chart = new Chart(Testing.app(), 'chart');
    expect(() => new SandboxedCronJob(chart, 'nightly', { image: IMAGE, schedule: '@daily', nodeSelector: { 'sandbox.gke.io/runtime': 'runc' } }))
      .toThrow('chart/nightly: nodeSelector["sandbox.gke.io/runtime"] is "runc"; allowed: "gvisor"');
    expect(() => new SandboxedStatefulSet(chart, 'sessions', { image: IMAGE, tolerations: [{ key: '' }] }))
      .toThrow('chart/sessions: tolerations[0].key is ""; a toleration names the taint\'s key');
  });
});

describe('an app with every knob on every workload audits clean', () => {
  test('a SandboxNamespace, the four workloads with knobs and a policy selecting them: no finding', () => {
    const chart = new Chart(Testing.app(), 'chart');
    const ns = new SandboxNamespace(chart, 'sandbox');
    const api = new SandboxedDeployment(ns, 'api', { image: IMAGE, ...KNOBS });
    const cron = new SandboxedCronJob(ns, 'nightly', { image: IMAGE, schedule: '0 3 * * *', ...KNOBS });
    const set = new SandboxedStatefulSet(ns, 'sessions', { image: IMAGE, ...KNOBS });
    new CodeRunnerJob(ns, 'run', { code: 'print(1)\n', ...KNOBS });
    new SandboxNetworkPolicy(ns, 'workloads', { selects: [api, cron, set], ingress: [{ peers: [NetworkPeer.workload(set)], ports: [{ port: 8080 }] }] });
    const objects = Testing.synth(chart);
    expect(auditObjects(objects).findings).toEqual([]);
    expect(kubernetesProblems(objects)).toEqual([]);
  });
});

/** A bad knob and the error it must raise. */
interface BadKnob {
  readonly props: Partial<SandboxedDeploymentProps>;
  readonly field: string;
  readonly given: string;
  readonly allowed: string;
}

const matchExpression = (key: string, operator: NodeSelectorOperator, values?: string[]) => ({ affinity: { nodeAffinity: { required: [{ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] }] } } });
const REQ = 'affinity.nodeAffinity.required[0].matchExpressions[0]';
const sandboxed = { matchLabels: { 'cdk8s-sandbox.io/sandboxed': 'true' } };

const BAD_KNOBS: { [what: string]: BadKnob } = {
  // imagePullSecrets
  'an empty pull secret name': { props: { imagePullSecrets: [''] }, field: 'imagePullSecrets[0]', given: '""', allowed: 'must be a DNS subdomain' },
  'a pull secret name that is no DNS subdomain': { props: { imagePullSecrets: ['Reg_Cred'] }, field: 'imagePullSecrets[0]', given: '"Reg_Cred"', allowed: 'must be a DNS subdomain' },
  'a pull secret listed twice': { props: { imagePullSecrets: ['regcred', 'regcred'] }, field: 'imagePullSecrets[1]', given: '"regcred"', allowed: 'each Secret is listed once' },
  'pull secrets that are no list': { props: { imagePullSecrets: 'regcred' as unknown as string[] }, field: 'imagePullSecrets', given: '"regcred"', allowed: 'must be a list of Secret names' },
  // imagePullPolicy
  'an unknown pull policy': { props: { imagePullPolicy: 'Sometimes' as ImagePullPolicy }, field: 'imagePullPolicy', given: '"Sometimes"', allowed: 'allowed: ImagePullPolicy.ALWAYS ("Always"), ImagePullPolicy.IF_NOT_PRESENT ("IfNotPresent"), ImagePullPolicy.NEVER ("Never")' },
  'an unknown pull policy of a sidecar': { props: { sidecars: [{ name: 'proxy', image: IMAGE, imagePullPolicy: 'always' as ImagePullPolicy }] }, field: 'sidecars[0].imagePullPolicy', given: '"always"', allowed: 'allowed: ImagePullPolicy.ALWAYS ("Always")' },
  'an unknown pull policy of an init container': { props: { initContainers: [{ name: 'init', image: IMAGE, imagePullPolicy: 'Never ' as ImagePullPolicy }] }, field: 'initContainers[0].imagePullPolicy', given: '"Never "', allowed: 'allowed: ImagePullPolicy.ALWAYS' },
  // podAnnotations
  'the suppression annotation': { props: { podAnnotations: { 'cdk8s-sandbox.io/suppress': 'runtime-class: not needed' } }, field: 'podAnnotations["cdk8s-sandbox.io/suppress"]', given: '"cdk8s-sandbox.io/suppress"', allowed: 'keys under cdk8s-sandbox.io/ and its subdomains (code.cdk8s-sandbox.io/) are the library\'s own' },
  'a code file annotation': { props: { podAnnotations: { 'code.cdk8s-sandbox.io/0': 'print(2)' } }, field: 'podAnnotations["code.cdk8s-sandbox.io/0"]', given: '"code.cdk8s-sandbox.io/0"', allowed: 'are the library\'s own' },
  'another subdomain of the library\'s': { props: { podAnnotations: { 'audit.cdk8s-sandbox.io/owner': 'x' } }, field: 'podAnnotations["audit.cdk8s-sandbox.io/owner"]', given: '"audit.cdk8s-sandbox.io/owner"', allowed: 'are the library\'s own' },
  'a runsc network flag': { props: { podAnnotations: { 'dev.gvisor.flag.network': 'host' } }, field: 'podAnnotations["dev.gvisor.flag.network"]', given: '"dev.gvisor.flag.network"', allowed: 'dev.gvisor.* annotations are runsc flags and mount hints: the library sets dev.gvisor.flag.oci-seccomp (gvisorSeccomp) and the emptyDir mount hints itself' },
  'the oci-seccomp flag switched off': { props: { podAnnotations: { 'dev.gvisor.flag.oci-seccomp': 'false' } }, field: 'podAnnotations["dev.gvisor.flag.oci-seccomp"]', given: '"dev.gvisor.flag.oci-seccomp"', allowed: 'dev.gvisor.* annotations are runsc flags' },
  'a mount hint of the library\'s volume': { props: { podAnnotations: { 'dev.gvisor.spec.mount.main-tmp.type': 'bind' } }, field: 'podAnnotations["dev.gvisor.spec.mount.main-tmp.type"]', given: '"dev.gvisor.spec.mount.main-tmp.type"', allowed: 'dev.gvisor.* annotations are runsc flags' },
  'an unconfined AppArmor profile': { props: { podAnnotations: { 'container.apparmor.security.beta.kubernetes.io/main': 'unconfined' } }, field: 'podAnnotations["container.apparmor.security.beta.kubernetes.io/main"]', given: '"unconfined"', allowed: 'allowed: "runtime/default" or "localhost/<profile>"; an unconfined AppArmor profile drops a confinement Pod Security "baseline" requires' },
  'an AppArmor profile of no known form': { props: { podAnnotations: { 'container.apparmor.security.beta.kubernetes.io/main': 'localhost/' } }, field: 'podAnnotations["container.apparmor.security.beta.kubernetes.io/main"]', given: '"localhost/"', allowed: 'allowed: "runtime/default" or "localhost/<profile>"' },
  'the deprecated pod seccomp annotation': { props: { podAnnotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' } }, field: 'podAnnotations["seccomp.security.alpha.kubernetes.io/pod"]', given: '"seccomp.security.alpha.kubernetes.io/pod"', allowed: 'the deprecated seccomp annotations are refused' },
  'the deprecated container seccomp annotation': { props: { podAnnotations: { 'container.seccomp.security.alpha.kubernetes.io/main': 'runtime/default' } }, field: 'podAnnotations["container.seccomp.security.alpha.kubernetes.io/main"]', given: '"container.seccomp.security.alpha.kubernetes.io/main"', allowed: 'podSecurity.seccompProfile' },
  'a CRI-O runtime annotation': { props: { podAnnotations: { 'io.kubernetes.cri-o.Devices': '/dev/fuse' } }, field: 'podAnnotations["io.kubernetes.cri-o.Devices"]', given: '"io.kubernetes.cri-o.Devices"', allowed: 'CRI-O passes its io.kubernetes.cri-o.* annotations on' },
  'an annotation key with a space': { props: { podAnnotations: { 'my key': 'x' } }, field: 'podAnnotations["my key"]', given: '"my key"', allowed: 'annotation keys are an optional DNS-subdomain prefix' },
  'an annotation value that is no string': { props: { podAnnotations: { 'example.com/replicas': 3 as unknown as string } }, field: 'podAnnotations["example.com/replicas"]', given: '3', allowed: 'annotation values are strings' },
  'an annotation value with a line separator': { props: { podAnnotations: { 'example.com/note': 'a\u2028b' } }, field: 'podAnnotations["example.com/note"]', given: '"a\u2028b"', allowed: 'holds U+2028 at character 1' },
  'annotations over 16 KiB': { props: { podAnnotations: { 'example.com/big': 'x'.repeat(16 * 1024) } }, field: 'podAnnotations', given: '"16399 bytes of keys and values"', allowed: 'at most 16384 bytes' },
  'annotations that are no map': { props: { podAnnotations: ['a'] as unknown as { [key: string]: string } }, field: 'podAnnotations', given: '["a"]', allowed: 'must be a map of annotation keys to string values' },
  // nodeSelector
  'a nodeSelector for another runtime': { props: { nodeSelector: { 'sandbox.gke.io/runtime': 'runc' } }, field: 'nodeSelector["sandbox.gke.io/runtime"]', given: '"runc"', allowed: 'allowed: "gvisor" (or leave it out): GKE Sandbox labels its gVisor nodes sandbox.gke.io/runtime: gvisor' },
  'a nodeSelector for Windows': { props: { nodeSelector: { 'kubernetes.io/os': 'windows' } }, field: 'nodeSelector["kubernetes.io/os"]', given: '"windows"', allowed: 'allowed: "linux" (or leave it out): gVisor runs only on Linux nodes' },
  'a nodeSelector for control-plane nodes': { props: { nodeSelector: { 'node-role.kubernetes.io/control-plane': '' } }, field: 'nodeSelector["node-role.kubernetes.io/control-plane"]', given: '"node-role.kubernetes.io/control-plane"', allowed: 'untrusted code never runs on control-plane nodes' },
  'a nodeSelector for master nodes': { props: { nodeSelector: { 'node-role.kubernetes.io/master': 'true' } }, field: 'nodeSelector["node-role.kubernetes.io/master"]', given: '"node-role.kubernetes.io/master"', allowed: 'untrusted code never runs on control-plane nodes' },
  'a nodeSelector key with a space': { props: { nodeSelector: { 'my pool': 'a' } }, field: 'nodeSelector["my pool"]', given: '"my pool"', allowed: 'must be a label key' },
  'a nodeSelector value with a space': { props: { nodeSelector: { pool: 'a b' } }, field: 'nodeSelector["pool"]', given: '"a b"', allowed: 'must be a label value' },
  // tolerations
  'a toleration without a key': { props: { tolerations: [{ operator: TolerationOperator.EXISTS } as any] }, field: 'tolerations[0].key', given: 'unset', allowed: 'one without a key tolerates every taint' },
  'a toleration with an empty key': { props: { tolerations: [{ key: '' }] }, field: 'tolerations[0].key', given: '""', allowed: 'one without a key tolerates every taint' },
  'a toleration of the control-plane taint': { props: { tolerations: [{ key: 'node-role.kubernetes.io/control-plane', effect: TaintEffect.NO_SCHEDULE }] }, field: 'tolerations[0].key', given: '"node-role.kubernetes.io/control-plane"', allowed: 'untrusted code never runs on control-plane nodes' },
  'a toleration with Exists and a value': { props: { tolerations: [{ key: 'dedicated', operator: TolerationOperator.EXISTS, value: 'x' }] }, field: 'tolerations[0].value', given: '"x"', allowed: 'a toleration with operator Exists takes no value' },
  'a toleration with Equal and no value': { props: { tolerations: [{ key: 'dedicated', operator: TolerationOperator.EQUAL }] }, field: 'tolerations[0].value', given: 'unset', allowed: 'a toleration with operator Equal needs the taint\'s value' },
  'a toleration of the gVisor taint with another value': { props: { tolerations: [{ key: 'sandbox.gke.io/runtime', value: 'runc' }] }, field: 'tolerations[0].value', given: '"runc"', allowed: 'allowed: "gvisor": GKE Sandbox taints its gVisor nodes sandbox.gke.io/runtime=gvisor:NoSchedule' },
  'an unknown toleration operator': { props: { tolerations: [{ key: 'dedicated', operator: 'Maybe' as TolerationOperator }] }, field: 'tolerations[0].operator', given: '"Maybe"', allowed: 'allowed: TolerationOperator.EQUAL ("Equal"), TolerationOperator.EXISTS ("Exists")' },
  'an unknown taint effect': { props: { tolerations: [{ key: 'dedicated', effect: 'NoRun' as TaintEffect }] }, field: 'tolerations[0].effect', given: '"NoRun"', allowed: 'allowed: TaintEffect.NO_SCHEDULE ("NoSchedule")' },
  'tolerationSeconds without NoExecute': { props: { tolerations: [{ key: 'dedicated', effect: TaintEffect.NO_SCHEDULE, tolerationSeconds: 30 }] }, field: 'tolerations[0].tolerationSeconds', given: '30', allowed: 'only applies with effect TaintEffect.NO_EXECUTE' },
  'negative tolerationSeconds': { props: { tolerations: [{ key: 'dedicated', effect: TaintEffect.NO_EXECUTE, tolerationSeconds: -1 }] }, field: 'tolerations[0].tolerationSeconds', given: '-1', allowed: 'must be a whole number of seconds from 0 to 31536000' },
  // node affinity
  'node affinity to another runtime': { props: matchExpression('sandbox.gke.io/runtime', NodeSelectorOperator.IN, ['runc']), field: `${REQ}.values`, given: '["runc"]', allowed: 'a requirement on sandbox.gke.io/runtime must let sandbox.gke.io/runtime=gvisor through: GKE Sandbox labels its gVisor nodes' },
  'node affinity away from gVisor': { props: matchExpression('sandbox.gke.io/runtime', NodeSelectorOperator.NOT_IN, ['gvisor']), field: `${REQ}.values`, given: '["gvisor"]', allowed: 'must let sandbox.gke.io/runtime=gvisor through' },
  'node affinity to nodes without the gVisor label': { props: matchExpression('sandbox.gke.io/runtime', NodeSelectorOperator.DOES_NOT_EXIST), field: `${REQ}.operator`, given: '"DoesNotExist"', allowed: 'must let sandbox.gke.io/runtime=gvisor through' },
  'node affinity to Windows': { props: matchExpression('kubernetes.io/os', NodeSelectorOperator.IN, ['windows']), field: `${REQ}.values`, given: '["windows"]', allowed: 'must let kubernetes.io/os=linux through: gVisor runs only on Linux nodes' },
  'node affinity to control-plane nodes': { props: matchExpression('node-role.kubernetes.io/control-plane', NodeSelectorOperator.EXISTS), field: `${REQ}.key`, given: '"node-role.kubernetes.io/control-plane"', allowed: 'untrusted code never runs on control-plane nodes' },
  'a preference for control-plane nodes': {
    props: { affinity: { nodeAffinity: { preferred: [{ weight: 1, preference: { matchExpressions: [{ key: 'node-role.kubernetes.io/master', operator: NodeSelectorOperator.IN, values: ['true'] }] } }] } } },
    field: 'affinity.nodeAffinity.preferred[0].preference.matchExpressions[0].key', given: '"node-role.kubernetes.io/master"', allowed: 'untrusted code never runs on control-plane nodes',
  },
  'an empty node selector term': { props: { affinity: { nodeAffinity: { required: [{}] } } }, field: 'affinity.nodeAffinity.required[0].matchExpressions', given: 'unset', allowed: 'an empty term matches no node' },
  'In without values': { props: matchExpression('example.com/pool', NodeSelectorOperator.IN, []), field: `${REQ}.values`, given: '[]', allowed: 'operator In needs at least one value' },
  'Exists with values': { props: matchExpression('example.com/pool', NodeSelectorOperator.EXISTS, ['a']), field: `${REQ}.values`, given: '["a"]', allowed: 'operator Exists takes no values' },
  'Gt with a value that is no integer': { props: matchExpression('example.com/generation', NodeSelectorOperator.GT, ['three']), field: `${REQ}.values`, given: '["three"]', allowed: 'operator Gt needs exactly one value, an integer' },
  'an unknown node selector operator': { props: matchExpression('example.com/pool', 'Like' as NodeSelectorOperator, ['a']), field: `${REQ}.operator`, given: '"Like"', allowed: 'allowed: NodeSelectorOperator.IN ("In")' },
  'matchFields on a field other than the name': {
    props: { affinity: { nodeAffinity: { required: [{ matchFields: [{ key: 'spec.unschedulable', operator: NodeSelectorOperator.IN, values: ['false'] }] }] } } },
    field: 'affinity.nodeAffinity.required[0].matchFields[0].key', given: '"spec.unschedulable"', allowed: 'allowed: "metadata.name"',
  },
  'matchFields with Exists': {
    props: { affinity: { nodeAffinity: { required: [{ matchFields: [{ key: 'metadata.name', operator: NodeSelectorOperator.EXISTS }] }] } } },
    field: 'affinity.nodeAffinity.required[0].matchFields[0].operator', given: '"Exists"', allowed: 'allowed in matchFields: NodeSelectorOperator.IN or NodeSelectorOperator.NOT_IN',
  },
  'a preferred weight of 0': {
    props: { affinity: { nodeAffinity: { preferred: [{ weight: 0, preference: { matchExpressions: [{ key: 'a', operator: NodeSelectorOperator.EXISTS }] } }] } } },
    field: 'affinity.nodeAffinity.preferred[0].weight', given: '0', allowed: 'must be an integer from 1 to 100',
  },
  // pod affinity
  'pod affinity to pods that are not sandboxed': {
    props: { affinity: { podAffinity: { required: [{ labelSelector: { matchLabels: { app: 'database' } }, topologyKey: 'kubernetes.io/hostname' }] } } },
    field: 'affinity.podAffinity.required[0].labelSelector.matchLabels', given: '{"app":"database"}', allowed: 'pod affinity draws untrusted code onto the nodes of the pods it selects: select sandboxed pods only',
  },
  'a preferred pod affinity to pods that are not sandboxed': {
    props: { affinity: { podAffinity: { preferred: [{ weight: 5, term: { labelSelector: { matchLabels: { 'cdk8s-sandbox.io/sandboxed': 'false' } }, topologyKey: 'kubernetes.io/hostname' } }] } } },
    field: 'affinity.podAffinity.preferred[0].term.labelSelector.matchLabels', given: '{"cdk8s-sandbox.io/sandboxed":"false"}', allowed: 'select sandboxed pods only',
  },
  'pod affinity by expressions only': {
    props: { affinity: { podAffinity: { required: [{ labelSelector: { matchExpressions: [{ key: 'cdk8s-sandbox.io/sandboxed', operator: LabelSelectorOperator.EXISTS }] }, topologyKey: 'kubernetes.io/hostname' }] } } },
    field: 'affinity.podAffinity.required[0].labelSelector.matchLabels', given: 'unset', allowed: 'select sandboxed pods only',
  },
  'a pod affinity term without a selector': {
    props: { affinity: { podAntiAffinity: { required: [{ topologyKey: 'kubernetes.io/hostname' } as any] } } },
    field: 'affinity.podAntiAffinity.required[0].labelSelector', given: 'unset', allowed: 'a pod affinity term names the pods it is about',
  },
  'a pod affinity term without a topology key': {
    props: { affinity: { podAntiAffinity: { required: [{ labelSelector: sandboxed } as any] } } },
    field: 'affinity.podAntiAffinity.required[0].topologyKey', given: 'unset', allowed: 'a pod affinity term names its topology domain',
  },
  'a pod affinity term with a bad namespace': {
    props: { affinity: { podAntiAffinity: { required: [{ labelSelector: sandboxed, topologyKey: 'kubernetes.io/hostname', namespaces: ['Data'] }] } } },
    field: 'affinity.podAntiAffinity.required[0].namespaces[0]', given: '"Data"', allowed: 'must be a DNS label',
  },
  'a label selector requirement In without values': {
    props: { affinity: { podAntiAffinity: { required: [{ labelSelector: { matchExpressions: [{ key: 'app', operator: LabelSelectorOperator.IN }] }, topologyKey: 'kubernetes.io/hostname' }] } } },
    field: 'affinity.podAntiAffinity.required[0].labelSelector.matchExpressions[0].values', given: 'unset', allowed: 'operator In needs at least one value',
  },
  'an unknown label selector operator': {
    props: { affinity: { podAntiAffinity: { required: [{ labelSelector: { matchExpressions: [{ key: 'app', operator: 'Gt' as LabelSelectorOperator, values: ['1'] }] }, topologyKey: 'kubernetes.io/hostname' }] } } },
    field: 'affinity.podAntiAffinity.required[0].labelSelector.matchExpressions[0].operator', given: '"Gt"', allowed: 'allowed: LabelSelectorOperator.IN ("In")',
  },
  // topology spread
  'a spread without a topology key': { props: { topologySpreadConstraints: [{} as any] }, field: 'topologySpreadConstraints[0].topologyKey', given: 'unset', allowed: 'a constraint names its topology domain' },
  'a spread with maxSkew 0': { props: { topologySpreadConstraints: [{ topologyKey: 'topology.kubernetes.io/zone', maxSkew: 0 }] }, field: 'topologySpreadConstraints[0].maxSkew', given: '0', allowed: 'must be an integer from 1 to 10000' },
  'an unknown whenUnsatisfiable': { props: { topologySpreadConstraints: [{ topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'Wait' as UnsatisfiableConstraintAction }] }, field: 'topologySpreadConstraints[0].whenUnsatisfiable', given: '"Wait"', allowed: 'allowed: UnsatisfiableConstraintAction.DO_NOT_SCHEDULE ("DoNotSchedule"), UnsatisfiableConstraintAction.SCHEDULE_ANYWAY ("ScheduleAnyway")' },
  'minDomains with ScheduleAnyway': { props: { topologySpreadConstraints: [{ topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: UnsatisfiableConstraintAction.SCHEDULE_ANYWAY, minDomains: 2 }] }, field: 'topologySpreadConstraints[0].minDomains', given: '2', allowed: 'only applies with whenUnsatisfiable UnsatisfiableConstraintAction.DO_NOT_SCHEDULE' },
  'two spreads over one key and action': { props: { topologySpreadConstraints: [{ topologyKey: 'topology.kubernetes.io/zone' }, { topologyKey: 'topology.kubernetes.io/zone', maxSkew: 2 }] }, field: 'topologySpreadConstraints[1].topologyKey', given: '"topology.kubernetes.io/zone"', allowed: 'another constraint already spreads over topology.kubernetes.io/zone with DoNotSchedule' },
  'a matchLabelKey that is also in the selector': { props: { topologySpreadConstraints: [{ topologyKey: 'topology.kubernetes.io/zone', matchLabelKeys: ['cdk8s-sandbox.io/workload'] }] }, field: 'topologySpreadConstraints[0].matchLabelKeys[0]', given: '"cdk8s-sandbox.io/workload"', allowed: 'is already a key of the labelSelector' },
  // priorityClassName
  'the system-cluster-critical priority': { props: { priorityClassName: 'system-cluster-critical' }, field: 'priorityClassName', given: '"system-cluster-critical"', allowed: 'the system- PriorityClasses (system-cluster-critical, system-node-critical) are for the cluster\'s own critical components' },
  'the system-node-critical priority': { props: { priorityClassName: 'system-node-critical' }, field: 'priorityClassName', given: '"system-node-critical"', allowed: 'untrusted pods at their priority could preempt them' },
  'a priority class name that is no DNS subdomain': { props: { priorityClassName: 'High_Priority' }, field: 'priorityClassName', given: '"High_Priority"', allowed: 'must be a DNS subdomain' },
};

describe('bad knobs are refused with the construct path, the field, the value and what is allowed', () => {
  test.each(Object.entries(BAD_KNOBS))('%s', (_what, bad) => {
    let error: unknown;
    try {
      deployment(bad.props);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SandboxValidationError);
    const err = error as SandboxValidationError;
    expect(err.where).toBe('chart/api');
    expect(err.field).toBe(bad.field);
    expect(err.message.startsWith(`chart/api: ${bad.field} is ${bad.given}; `)).toBe(true);
    expect(err.message).toContain(bad.allowed);
  });

  test('what the refusals spare is accepted', () => {
    const { chart } = deployment({
      podAnnotations: { 'container.apparmor.security.beta.kubernetes.io/main': 'localhost/k8s-apparmor-example', 'example.com/cdk8s-sandbox.io': 'not the domain' },
      nodeSelector: { 'sandbox.gke.io/runtime': 'gvisor' },
      tolerations: [{ key: 'sandbox.gke.io/runtime', value: 'gvisor', effect: TaintEffect.NO_SCHEDULE }, { key: 'sandbox.gke.io/runtime' }],
      affinity: {
        nodeAffinity: { required: [{ matchExpressions: [{ key: 'sandbox.gke.io/runtime', operator: NodeSelectorOperator.EXISTS }, { key: 'node-role.kubernetes.io/master', operator: NodeSelectorOperator.NOT_IN, values: ['true'] }] }] },
        podAffinity: { required: [{ labelSelector: { matchLabels: { 'cdk8s-sandbox.io/workload': 'sessions' } }, topologyKey: 'kubernetes.io/hostname' }] },
        podAntiAffinity: { preferred: [{ weight: 100, term: { labelSelector: {}, topologyKey: 'kubernetes.io/hostname' } }] },
      },
      priorityClassName: 'sandboxes',
    });
    const pod = kindOf(objectsOf(chart), 'Deployment').spec.template.spec;
    expect(pod.tolerations).toEqual([
      { key: 'sandbox.gke.io/runtime', operator: 'Equal', value: 'gvisor', effect: 'NoSchedule' },
      { key: 'sandbox.gke.io/runtime', operator: 'Exists' },
    ]);
    expect(pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector).toEqual({ matchLabels: { 'cdk8s-sandbox.io/workload': 'sessions' } });
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector).toEqual({});
    expect(kubernetesProblems(objectsOf(chart))).toEqual([]);
  });

  test('pod affinity to another sandboxed workload works through its selectorLabels', () => {
    const chart = new Chart(Testing.app(), 'chart');
    const sessions = new SandboxedStatefulSet(chart, 'sessions', { image: IMAGE, networkPolicyManagedElsewhere: 'not under test' });
    const api = new SandboxedDeployment(chart, 'api', {
      image: IMAGE, networkPolicyManagedElsewhere: 'not under test',
      affinity: { podAffinity: { required: [{ labelSelector: { matchLabels: { ...sessions.selectorLabels } }, topologyKey: 'topology.kubernetes.io/zone' }] } },
    });
    expect(api.deployment.toJson().spec.template.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution)
      .toEqual([{ labelSelector: { matchLabels: { 'cdk8s-sandbox.io/workload': 'sessions' } }, topologyKey: 'topology.kubernetes.io/zone' }]);
  });
});
