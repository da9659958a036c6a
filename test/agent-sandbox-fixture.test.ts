// The agent-sandbox fixture policy (test/fixtures/admission/agent-sandbox): its shape, that every expression
// parses with @bufbuild/cel, and, evaluated directly with @bufbuild/cel's run(), that each validation admits
// and denies Sandboxes as the check of agent-sandbox's example policy it re-expresses does.
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { isCelError, parse, run } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { asSandbox } from './helpers/agent-sandbox';

const DIR = path.join(__dirname, 'fixtures', 'admission', 'agent-sandbox');
const [POLICY, BINDING] = yaml.loadAll(fs.readFileSync(path.join(DIR, 'policy.yaml'), 'utf8')) as any[];
const VALIDATIONS: { expression: string; message: string }[] = POLICY.spec.validations;
const VARIABLES: { name: string; expression: string }[] = POLICY.spec.variables;

/** The original's check each of our validations re-expresses, in order (README.md's table says the same). */
const ORIGINAL_CHECKS = ['0a', '1', '2', '3', '4', '5', '6', '7', '7 (init)', '8', '9', '10a', '10b', '11', '12', '13', '14', '15', '16'];

/** JSON as @bufbuild/cel input: integers become BigInt (CEL int), objects Maps, lists stay arrays. */
function toCel(value: unknown): any {
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === 'object') return new Map(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  return value;
}

/** Runs one expression with the strings extension (for split()): a value or a CelError. */
function evaluate(expression: string, bindings: Record<string, any>): unknown {
  return run(expression, bindings, { funcs: strings });
}

/**
 * The original check numbers of the validations that deny a Sandbox: false, or an evaluation error (the
 * policy's failurePolicy is Fail). Variables are evaluated first, in order, as the API server would lazily.
 */
function denials(sandbox: unknown): string[] {
  const object = toCel(sandbox);
  const variables = new Map<string, any>();
  for (const variable of VARIABLES) {
    const value = evaluate(variable.expression, { object, variables });
    if (isCelError(value)) throw new Error(`variables.${variable.name}: ${value.message}`);
    variables.set(variable.name, value);
  }
  return VALIDATIONS.flatMap((validation, i) => (evaluate(validation.expression, { object, variables }) === true ? [] : [ORIGINAL_CHECKS[i]]));
}

function container(name: string, extra: { [key: string]: any } = {}): { [key: string]: any } {
  return {
    name,
    image: 'registry.example.com/agent:1.0',
    securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    resources: { limits: { cpu: '500m', memory: '256Mi' } },
    ...extra,
  };
}

/** A Sandbox that meets every check. */
function goodSandbox(): any {
  return {
    apiVersion: 'agents.x-k8s.io/v1alpha1',
    kind: 'Sandbox',
    metadata: { name: 'agent', namespace: 'agents' },
    spec: {
      podTemplate: {
        spec: {
          runtimeClassName: 'gvisor',
          automountServiceAccountToken: false,
          hostNetwork: false,
          securityContext: { runAsNonRoot: true, runAsUser: 1000 },
          nodeSelector: { 'sandbox.gke.io/runtime': 'gvisor' },
          tolerations: [
            { key: 'example.com/pool', operator: 'Exists' },
            { key: 'sandbox.gke.io/runtime', operator: 'Equal', value: 'gvisor', effect: 'NoSchedule' },
          ],
          initContainers: [container('fetch')],
          containers: [container('agent', { ports: [{ containerPort: 8080 }] }), container('logs')],
          volumes: [
            { name: 'scratch', emptyDir: {} },
            { name: 'settings', projected: { sources: [{ configMap: { name: 'settings' } }] } },
          ],
        },
      },
    },
  };
}

/** A good Sandbox changed by `edit` (given the Sandbox and its pod spec). */
function sandboxWith(edit: (pod: any, sandbox: any) => void): any {
  const sandbox = goodSandbox();
  edit(sandbox.spec.podTemplate.spec, sandbox);
  return sandbox;
}

const TRUSTED = 'agents.x-k8s.io/trusted-init-containers';

describe('agent-sandbox fixture policy', () => {
  test('is a ValidatingAdmissionPolicy for Sandboxes with a Deny binding', () => {
    expect(POLICY).toMatchObject({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', spec: { failurePolicy: 'Fail' } });
    expect(POLICY.spec.matchConstraints.resourceRules).toEqual([
      { apiGroups: ['agents.x-k8s.io'], apiVersions: ['v1alpha1', 'v1beta1'], operations: ['CREATE', 'UPDATE'], resources: ['sandboxes'] },
    ]);
    expect(BINDING).toMatchObject({ kind: 'ValidatingAdmissionPolicyBinding', spec: { policyName: POLICY.metadata.name, validationActions: ['Deny'] } });
    expect(VALIDATIONS).toHaveLength(ORIGINAL_CHECKS.length);
    for (const validation of VALIDATIONS) expect(validation.message).toEqual(expect.any(String));
  });

  test('every expression parses with @bufbuild/cel', () => {
    for (const { expression } of [...VARIABLES, ...VALIDATIONS]) expect(() => parse(expression)).not.toThrow();
  });

  test("README.md's table maps the validations to the original's checks in order", () => {
    const readme = fs.readFileSync(path.join(DIR, 'README.md'), 'utf8');
    const rows = readme.split('\n').filter((line) => /^\| \d+ \|/.test(line)).map((line) => line.split('|').map((cell) => cell.trim()));
    expect(rows.map((cells) => Number(cells[1]))).toEqual(VALIDATIONS.map((_, i) => i));
    expect(rows.map((cells) => cells[2])).toEqual(ORIGINAL_CHECKS);
  });

  test('admits a Sandbox that meets every check', () => {
    expect(denials(goodSandbox())).toEqual([]);
  });

  test('runAsNonRoot at pod level only is accepted; a container saying false is not', () => {
    const podLevel = sandboxWith((pod) => {
      for (const c of [...pod.containers, ...pod.initContainers]) delete c.securityContext.runAsNonRoot;
    });
    expect(denials(podLevel)).toEqual([]);
    expect(denials(sandboxWith((pod) => { pod.containers[1].securityContext.runAsNonRoot = false; }))).toEqual(['7']);
    expect(denials(sandboxWith((pod) => { delete pod.securityContext; delete pod.containers[0].securityContext.runAsNonRoot; }))).toEqual(['7']);
  });

  test.each<[string, (pod: any, sandbox: any) => void, string[]]>([
    ['hostNetwork: true', (pod) => { pod.hostNetwork = true; }, ['2']],
    ['runtimeClassName runc', (pod) => { pod.runtimeClassName = 'runc'; }, ['1']],
    ['no runtimeClassName', (pod) => { delete pod.runtimeClassName; }, ['1']],
    ['no automountServiceAccountToken', (pod) => { delete pod.automountServiceAccountToken; }, ['3']],
    ['a privileged init container', (pod) => { pod.initContainers[0].securityContext.privileged = true; }, ['4']],
    ['an ephemeral container that drops nothing', (pod) => {
      pod.ephemeralContainers = [{ ...container('debug'), securityContext: { runAsNonRoot: true } }];
    }, ['5']],
    ['no memory limit', (pod) => { delete pod.containers[0].resources.limits.memory; }, ['6']],
    ['a root init container', (pod) => { pod.initContainers[0].securityContext.runAsNonRoot = false; }, ['7 (init)']],
    ['a projected service account token', (pod) => {
      pod.volumes[1].projected.sources.push({ serviceAccountToken: { path: 'token' } });
    }, ['8']],
    ['a projected pod certificate', (pod) => {
      pod.volumes[1].projected.sources.push({ podCertificate: { signerName: 'example.com/signer' } });
    }, ['8']],
    ['a hostPath volume', (pod) => { pod.volumes.push({ name: 'host', hostPath: { path: '/var/run' } }); }, ['9']],
    ['a main container adding a capability', (pod) => { pod.containers[0].securityContext.capabilities.add = ['NET_RAW']; }, ['10a']],
    ['an untrusted init container adding a capability', (pod) => { pod.initContainers[0].securityContext.capabilities.add = ['NET_ADMIN']; }, ['10b']],
    ['hostPID: true', (pod) => { pod.hostPID = true; }, ['11']],
    ['hostIPC: true', (pod) => { pod.hostIPC = true; }, ['11']],
    ['a hostPort', (pod) => { pod.containers[0].ports[0].hostPort = 8080; }, ['12']],
    ['a sysctl', (pod) => { pod.securityContext.sysctls = [{ name: 'net.ipv4.ip_forward', value: '1' }]; }, ['13']],
    ['procMount Unmasked', (pod) => { pod.containers[1].securityContext.procMount = 'Unmasked'; }, ['14']],
    ['another nodeSelector runtime', (pod) => { pod.nodeSelector['sandbox.gke.io/runtime'] = 'runc'; }, ['15']],
    ['no toleration of the gVisor taint', (pod) => { pod.tolerations[1].effect = 'NoExecute'; }, ['16']],
    ['the annotation naming a main container', (_pod, sandbox) => { sandbox.metadata.annotations = { [TRUSTED]: 'fetch,agent' }; }, ['0a']],
  ])('denies %s', (_name, edit, expected) => {
    expect(denials(sandboxWith(edit))).toEqual(expected);
  });

  test('a trusted init container may run as root and add capabilities; an untrusted one may not', () => {
    const rootInit = (pod: any): void => {
      pod.initContainers.push(container('iptables', { securityContext: { runAsNonRoot: false, capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] } } }));
    };
    expect(denials(sandboxWith(rootInit))).toEqual(['7 (init)', '10b']);
    expect(denials(sandboxWith((pod, sandbox) => { rootInit(pod); sandbox.metadata.annotations = { [TRUSTED]: 'iptables' }; }))).toEqual([]);
    // The exemption is for those two checks only: a trusted init container still may not be privileged.
    expect(denials(sandboxWith((pod, sandbox) => {
      rootInit(pod);
      pod.initContainers[1].securityContext.privileged = true;
      sandbox.metadata.annotations = { [TRUSTED]: 'iptables' };
    }))).toEqual(['4']);
  });

  test('a Sandbox without containers is denied by an evaluation error (failurePolicy Fail)', () => {
    expect(() => denials(sandboxWith((pod) => { delete pod.containers; }))).toThrow(/variables\.everyContainer/);
    const object = toCel(sandboxWith((pod) => { delete pod.containers; }));
    expect(isCelError(evaluate('object.spec.podTemplate.spec.containers.all(c, true)', { object }))).toBe(true);
  });
});

describe('asSandbox', () => {
  const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'main', image: 'x' }] } };
  const metadata = { name: 'w', namespace: 'ns', labels: { a: 'b' }, annotations: { [TRUSTED]: 'init' } };

  test.each(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job'])('wraps a %s pod template', (kind) => {
    expect(asSandbox({ apiVersion: 'apps/v1', kind, metadata, spec: { template } })).toEqual({
      apiVersion: 'agents.x-k8s.io/v1alpha1',
      kind: 'Sandbox',
      metadata: { name: 'w', namespace: 'ns', annotations: { [TRUSTED]: 'init' } },
      spec: { podTemplate: template },
    });
  });

  test("wraps a CronJob's job template and a Pod's own metadata and spec", () => {
    expect(asSandbox({ kind: 'CronJob', metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template } } } }).spec.podTemplate).toBe(template);
    const pod = { kind: 'Pod', metadata, spec: template.spec };
    expect(asSandbox(pod).spec.podTemplate).toEqual({ metadata, spec: template.spec });
  });

  test('is undefined for objects without a pod template', () => {
    expect(asSandbox({ kind: 'ConfigMap', metadata: { name: 'c' }, data: {} })).toBeUndefined();
    expect(asSandbox({ kind: 'Deployment', metadata: { name: 'd' }, spec: {} })).toBeUndefined();
    expect(asSandbox({ kind: 'Pod', metadata: { name: 'p' } })).toBeUndefined();
    expect(asSandbox(undefined)).toBeUndefined();
  });

  test("our hardened Deployment, as a Sandbox, fails only the original's GKE scheduling checks", () => {
    const objects = yaml.loadAll(fs.readFileSync(path.join(__dirname, 'fixtures', 'audit', 'hardened.yaml'), 'utf8')) as any[];
    const deployment = objects.find((o) => o.kind === 'Deployment');
    expect(denials(asSandbox(deployment))).toEqual(['15', '16']);
  });
});
