// README's TypeScript examples run as written (with `cdk8s-sandbox` resolved to this checkout).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { transformSync } from '@swc/core';

const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

function run(snippet: string): string[] {
  const { code } = transformSync(snippet, { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } });
  const logged: string[] = [];
  const entries: { [name: string]: string } = { 'cdk8s-sandbox': '../src', 'cdk8s-sandbox/audit': '../src/audit', 'cdk8s-sandbox/runner': '../src/runner' };
  const req = (name: string) => require(entries[name] ?? name);
  new Function('require', 'console', 'exports', code)(req, { log: (...args: unknown[]) => logged.push(args.join(' ')) }, {});
  return logged;
}

describe('README examples', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-'));
  const saved = process.env.CDK8S_OUTDIR;
  beforeAll(() => { process.env.CDK8S_OUTDIR = outdir; });
  afterAll(() => {
    if (saved === undefined) delete process.env.CDK8S_OUTDIR; else process.env.CDK8S_OUTDIR = saved;
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  test('README has the construct example and the render example', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(2);
  });

  test('the construct example synthesizes the namespace, the deployment, the policy and the run', () => {
    run(snippets.find((s) => s.includes('new SandboxedDeployment'))!);
    const yaml = fs.readFileSync(path.join(outdir, 'sandboxes.k8s.yaml'), 'utf8');
    for (const kind of ['Namespace', 'Deployment', 'Service', 'PodDisruptionBudget', 'NetworkPolicy', 'Job']) {
      expect(yaml).toContain(`kind: ${kind}\n`);
    }
    expect(yaml).toContain('namespace: sandbox-jobs');
    expect(yaml).toContain('runtimeClassName: gvisor');
  });

  test('the render example prints the run id and a stream of the shared NetworkPolicy and the Job', () => {
    const logged = run(snippets.find((s) => s.includes('CodeRun.render('))!);
    expect(logged[0]).toBe('user-code-run-12345');
    expect(logged[1].match(/^kind: (\w+)$/gm)).toEqual(['kind: NetworkPolicy', 'kind: Job']);
    expect(logged[1]).not.toContain('kind: ConfigMap');
    expect(logged[1]).toContain('activeDeadlineSeconds: 20');
  });
});
