// Pod templates in kinds the profile does not know (Argo Rollout, Knative Service, JobSet, PodTemplate) are found
// by their shape and judged by the pod rules; containers outside any template (Argo Workflow, Tekton Task) are
// reported as not audited, and `--strict` fails the run on them. Before, every object here audited clean.
import * as fs from 'fs';
import * as yaml from 'js-yaml';
import * as path from 'path';
import { auditText } from '../src/audit';
import { runAuditCommand } from '../src/cli/audit-command';
import { KubeObject, embeddedPodsOf } from '../src/profile';

const FIXTURE = path.join(__dirname, 'fixtures', 'audit', 'embedded', 'unknown-kinds.yaml');
const text = fs.readFileSync(FIXTURE, 'utf8');
const lines = text.split('\n');
/** The 1-based line of the first line at or after `after` that contains `needle`. */
const lineOf = (needle: string, after = 0) => lines.findIndex((l, i) => i >= after && l.includes(needle)) + 1;

describe('embeddedPodsOf finds pod templates by shape', () => {
  test('template paths of each kind, and lone containers', () => {
    const docs = text.split(/^---$/m);
    const found = (i: number) => {
      const e = embeddedPodsOf(yaml.load(docs[i]) as KubeObject);
      return { templates: e.templates.map((t) => t.specPath), loneContainers: e.loneContainers };
    };
    expect(found(0)).toEqual({ templates: ['spec.template.spec'], loneContainers: [] });
    expect(found(1)).toEqual({ templates: ['spec.template.spec'], loneContainers: [] });
    expect(found(2)).toEqual({ templates: ['spec.replicatedJobs[0].template.spec.template.spec', 'spec.replicatedJobs[1].template.spec.template.spec'], loneContainers: [] });
    expect(found(3)).toEqual({ templates: ['template.spec'], loneContainers: [] });
    expect(found(4)).toEqual({ templates: [], loneContainers: ['spec.templates[1].container', 'spec.templates[2].script'] });
    expect(found(5)).toEqual({ templates: [], loneContainers: ['spec.steps[0]'] });
  });

  test('built-in kinds without pods are not searched (a ConfigMap value or a CRD schema is no pod); a CRD named Service is', () => {
    const podLike = { template: { spec: { containers: [{ name: 'x', image: 'y:1' }] } } };
    expect(embeddedPodsOf({ apiVersion: 'v1', kind: 'ConfigMap', data: podLike } as any)).toEqual({ templates: [], loneContainers: [] });
    expect(embeddedPodsOf({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', spec: podLike } as any)).toEqual({ templates: [], loneContainers: [] });
    expect(embeddedPodsOf({ apiVersion: 'serving.knative.dev/v1', kind: 'Service', spec: podLike } as any).templates.map((t) => t.specPath)).toEqual(['spec.template.spec']);
    // Known workload kinds are judged through their own pod template, not searched again.
    expect(embeddedPodsOf({ apiVersion: 'apps/v1', kind: 'Deployment', spec: podLike } as any)).toEqual({ templates: [], loneContainers: [] });
  });
});

describe('the audit judges them', () => {
  const result = auditText(text, { file: 'unknown-kinds.yaml' });
  const summary = result.findings.map((f) => [f.rule, `${f.object.kind}/${f.object.name}`, f.path, f.line]);

  test('one finding per broken template, at its own path and line', () => {
    expect(summary).toEqual([
      ['not-privileged', 'Rollout/canary', 'spec.template.spec.containers[0].securityContext.privileged', lineOf('privileged: true')],
      ['runtime-class', 'Service/hello', 'spec.template.spec.runtimeClassName', lineOf('    spec:', lineOf('name: hello'))],
      ['no-host-namespaces', 'JobSet/train', 'spec.replicatedJobs[1].template.spec.template.spec.hostNetwork', lineOf('hostNetwork: true')],
      ['image-pinned', 'PodTemplate/runner-template', 'template.spec.containers[0].image', lineOf('runner:latest')],
    ]);
    expect(result.findings[0].message).toContain('privileged');
    expect(result.exitCode).toBe(1);
  });

  test('containers outside any template are reported as not audited, with their lines', () => {
    expect(result.problems).toEqual([
      { file: 'unknown-kinds.yaml', line: lineOf('container:', lineOf('name: say')), severity: 'warning', message: 'not audited: Workflow/steps spec.templates[1].container is a container outside any pod template the audit knows, so how its pod runs cannot be judged (--strict fails on it)' },
      { file: 'unknown-kinds.yaml', line: lineOf('script:', lineOf('name: compute')), severity: 'warning', message: 'not audited: Workflow/steps spec.templates[2].script is a container outside any pod template the audit knows, so how its pod runs cannot be judged (--strict fails on it)' },
      { file: 'unknown-kinds.yaml', line: lineOf('- name: compile'), severity: 'warning', message: 'not audited: Task/build spec.steps[0] is a container outside any pod template the audit knows, so how its pod runs cannot be judged (--strict fails on it)' },
    ]);
  });

  test('with strict they are errors: exit 2', () => {
    const strict = auditText(text, { file: 'unknown-kinds.yaml', strict: true });
    expect(strict.problems.map((p) => p.severity)).toEqual(['error', 'error', 'error']);
    expect(strict.exitCode).toBe(2);
  });

  test('a suppression with a reason on the object waives a finding of its embedded template', () => {
    const latest = text.replace('registry.example.com/canary:2.4.1', 'registry.example.com/canary:latest');
    const suppressed = latest.replace('  name: canary\n', '  name: canary\n  annotations:\n    cdk8s-sandbox.io/suppress: "image-pinned: the canary tracks the vendor\'s latest on purpose"\n');
    expect(auditText(latest, { file: 'x.yaml' }).findings.filter((f) => f.object.name === 'canary').map((f) => f.rule)).toEqual(['not-privileged', 'image-pinned']);
    const r = auditText(suppressed, { file: 'x.yaml' });
    expect(r.findings.filter((f) => f.object.name === 'canary').map((f) => f.rule)).toEqual(['not-privileged']);
    expect(r.suppressions.map((f) => [f.object.name, f.rule, f.path, f.reason])).toEqual([
      ['canary', 'image-pinned', 'spec.template.spec.containers[0].image', 'the canary tracks the vendor\'s latest on purpose'],
    ]);
    expect(r.suppressed).toBe(1);
  });

  test('a suppression of not-privileged on the object is refused, and the embedded template\'s finding stays', () => {
    const suppressed = text.replace('  name: canary\n', '  name: canary\n  annotations:\n    cdk8s-sandbox.io/suppress: "not-privileged: the canary needs it for the test"\n');
    const r = auditText(suppressed, { file: 'x.yaml' });
    expect(r.findings.filter((f) => f.object.name === 'canary').map((f) => [f.rule, f.path, f.message])).toEqual([
      ['not-privileged', 'spec.template.spec.containers[0].securityContext.privileged', 'container "app" is privileged; GKE Sandbox refuses privileged containers'],
      ['suppression-unwaivable', 'metadata.annotations["cdk8s-sandbox.io/suppress"]', 'suppression of "not-privileged" is refused: a sandbox can never waive not-privileged, so it suppresses nothing'],
    ]);
    expect([r.suppressed, r.suppressions]).toEqual([0, []]);
  });
});

describe('cdk8s-sandbox audit --strict', () => {
  async function audit(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const io = { stdout: { write: (t: string) => { out += t; } }, stderr: { write: (t: string) => { err += t; } }, stdin: (async function* () { /* none */ })(), cwd: process.cwd() };
    const code = await runAuditCommand([FIXTURE], { format: 'text', strict: args.includes('--strict') }, io);
    return { code, out, err };
  }

  test('exit 1 for the findings alone, 2 with --strict', async () => {
    expect((await audit()).code).toBe(1);
    const strict = await audit('--strict');
    expect(strict.code).toBe(2);
    expect(strict.out + strict.err).toContain('not audited: Workflow/steps spec.templates[1].container');
  });
});
