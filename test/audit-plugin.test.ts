// The cdk8s-cli validation plugin: loaded the way `cdk8s synth` loads a local plugin, it passes the
// example app's output and fails a weakened manifest with the report cdk8s prints.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { PluginManager as PluginManagerType } from 'cdk8s-cli/lib/plugins/_manager';
import type { Validation } from 'cdk8s-cli/lib/plugins/validation';
import { PLUGIN_PROPERTY_NAMES, SandboxAuditValidation, auditOptionsOfProperties } from '../src/audit/cdk8s-validation-plugin';
import { createProgram } from '../src/cli/main';

// cdk8s-cli exports only `cdk8s-cli/plugins`; its plugin manager is reached by file, as synth uses it.
const { ValidationContext } = require('cdk8s-cli/plugins') as typeof import('cdk8s-cli/lib/plugins/validation');
const { PluginManager } = require(path.join(path.dirname(require.resolve('cdk8s-cli/package.json')), 'lib', 'plugins', '_manager.js')) as { PluginManager: typeof PluginManagerType };

const ROOT = path.resolve(__dirname, '..');
const SEED = path.join(__dirname, 'fixtures', 'audit', 'seed-article.yaml');
const distFiles = () => fs.readdirSync(path.join(ROOT, 'dist')).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(ROOT, 'dist', f));

/** A plugin directory for cdk8s-cli's PluginManager, removed after the test file. */
const pluginDirs: string[] = [];
function pluginDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-plugins-'));
  pluginDirs.push(dir);
  return dir;
}
afterAll(() => pluginDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

async function validate(plugin: Validation, manifests: string[], metadata: { [name: string]: { path: string } } = {}) {
  const context = new ValidationContext(manifests, 'cdk8s-sandbox', '0.1.0', metadata, false);
  await plugin.validate(context);
  return context.report;
}

test('it is a cdk8s-cli Validation, and cdk8s-cli loads it from a local path with its properties', () => {
  const manager = new PluginManager(pluginDir());
  const loaded = manager.load({ pkg: path.join(ROOT, 'src', 'audit', 'cdk8s-validation-plugin.ts'), version: '0.1.0', class: 'SandboxAuditValidation', properties: { ignoreRules: ['image-pinned'] } });
  expect(loaded.instance).toBeInstanceOf(loaded.package.module.SandboxAuditValidation);
  expect(typeof (loaded.instance as Validation).validate).toBe('function');
});

test('the example app\'s manifests pass', async () => {
  const report = await validate(new SandboxAuditValidation(), distFiles());
  expect(report.success).toBe(true);
  expect(report.toJson().violations).toEqual([]);
  expect(report.toJson().summary.metadata?.findings).toBe('0');
});

test('a violation fails synth: one violation per rule, each object with its locations and construct path', async () => {
  const report = await validate(new SandboxAuditValidation(), [SEED], { 'sandbox-network-policy': { path: 'app/chart/policy' } });
  expect(report.success).toBe(false);
  const json = report.toJson();
  const dangling = json.violations.find((v) => v.ruleName === 'network-policy-selects-pods')!;
  expect(dangling).toEqual({
    ruleName: 'network-policy-selects-pods',
    recommendation: 'Every NetworkPolicy selects at least one pod of its namespace',
    fix: 'Make spec.podSelector match the labels of the pods it should isolate (the pod template labels, not the workload\'s own), or put the policy in the pods\' namespace.',
    violatingConstructs: [{
      resourceName: 'sandbox-network-policy', manifestPath: SEED, constructPath: 'app/chart/policy',
      locations: [expect.stringMatching(/^NetworkPolicy spec\.podSelector \(line \d+\): podSelector \{"matchLabels":\{"sandbox":"true"\}\} selects no pod/)],
    }],
  });
  expect(json.violations.find((v) => v.ruleName === 'image-pinned')!.violatingConstructs.map((c) => c.resourceName)).toEqual(['untrusted-workload', 'user-code-run-12345', 'trusted-api', 'untrusted-processor']);
  expect(json.summary.metadata?.summary).toBe('53 findings (17 rules) in 5 of 5 audited objects, 1 file');
  expect(report.toString()).toContain('network-policy-selects-pods (1 occurrences)');
});

test('properties scope the audit as the command-line options do', async () => {
  const report = await validate(new SandboxAuditValidation({ namespace: 'sandbox-jobs', ignoreRules: ['network-isolation'] }), [SEED]);
  const rules = report.toJson().violations.map((v) => v.ruleName);
  expect(rules).not.toContain('network-isolation');
  expect(new Set(report.toJson().violations.flatMap((v) => v.violatingConstructs.map((c) => c.resourceName)))).toEqual(new Set(['user-code-run-12345', 'sandbox-network-policy', 'trusted-api', 'untrusted-processor']));
});

test('unreadable manifests fail validation as input errors', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-plugin-'));
  try {
    const broken = path.join(dir, 'broken.k8s.yaml');
    fs.writeFileSync(broken, 'apiVersion: v1\nkind: [\n');
    const report = await validate(new SandboxAuditValidation(), [broken, ...distFiles()]);
    expect(report.success).toBe(false);
    expect(report.toJson().violations.map((v) => [v.ruleName, v.violatingConstructs[0].locations[0]])).toEqual([
      ['input', `${broken}:2: invalid YAML: unexpected end of the stream within a flow collection`],
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('properties: the command line\'s option names, and nothing else', () => {
  const summaryOf = async (props: any) => (await validate(new SandboxAuditValidation(props), [SEED])).toJson().summary.metadata?.summary;

  test('the names are the audit command\'s options (but format and admissionPolicy), plus the API\'s two spellings', () => {
    const audit = createProgram().commands.find((c) => c.name() === 'audit')!;
    // --admission-policy evaluates a policy file instead of the profile: at synth the profile itself runs.
    const cli = audit.options.map((o) => o.attributeName()).filter((n) => n !== 'format' && n !== 'admissionPolicy');
    expect(cli).toEqual(['namespace', 'onlyRuntimeClass', 'runtimeClass', 'ignoreRule', 'strict']);
    expect(PLUGIN_PROPERTY_NAMES.filter((n) => !cli.includes(n))).toEqual(['runtimeClassName', 'ignoreRules']);
    expect(cli.filter((n) => !PLUGIN_PROPERTY_NAMES.includes(n))).toEqual([]);
  });

  test('misspelt or unknown properties are refused with the allowed names (were: silently ignored, 53 findings as with no properties)', () => {
    const allowed = 'allowed: namespace, onlyRuntimeClass, runtimeClass, runtimeClassName, ignoreRule, ignoreRules, strict';
    expect(() => new SandboxAuditValidation({ onlyRuntimeclass: true } as any)).toThrow(`cdk8s-sandbox audit validation plugin: unknown property "onlyRuntimeclass"; ${allowed}`);
    expect(() => new SandboxAuditValidation({ runtime_class: 'runsc', ignore: ['x'] } as any)).toThrow(`cdk8s-sandbox audit validation plugin: unknown properties "runtime_class", "ignore"; ${allowed}`);
    expect(() => new SandboxAuditValidation({ format: 'sarif' } as any)).toThrow(
      `cdk8s-sandbox audit validation plugin: unknown property "format" (the plugin reports through cdk8s synth's own report; run \`cdk8s-sandbox audit --format json|sarif\` for the other formats); ${allowed}`);
  });

  test('wrong types, both spellings of one option, and invalid values are refused', () => {
    expect(() => new SandboxAuditValidation({ onlyRuntimeClass: 'yes' } as any)).toThrow('cdk8s-sandbox audit validation plugin: property onlyRuntimeClass must be a boolean, got "yes"');
    expect(() => new SandboxAuditValidation({ ignoreRule: [1] } as any)).toThrow('cdk8s-sandbox audit validation plugin: property ignoreRule must be a rule id or a list of rule ids, got [1]');
    expect(() => new SandboxAuditValidation({ runtimeClass: 'runsc', runtimeClassName: 'gvisor' })).toThrow('cdk8s-sandbox audit validation plugin: give runtimeClass or runtimeClassName, not both (they are the same option)');
    expect(() => new SandboxAuditValidation({ ignoreRule: 'no-such-rule' })).toThrow(/^cdk8s-sandbox audit validation plugin: unknown rule id\(s\) to ignore: no-such-rule; known rules: runtime-class, /);
    expect(() => new SandboxAuditValidation({ namespace: 'Not_A_Namespace' })).toThrow('cdk8s-sandbox audit validation plugin: namespace "Not_A_Namespace" is not a valid namespace name');
    expect(() => new SandboxAuditValidation('gvisor' as any)).toThrow('cdk8s-sandbox audit validation plugin: properties must be a mapping, got "gvisor"');
  });

  test('cdk8s-cli loading the plugin with a misspelt property fails', () => {
    const manager = new PluginManager(pluginDir());
    expect(() => manager.load({ pkg: path.join(ROOT, 'src', 'audit', 'cdk8s-validation-plugin.ts'), version: '0.1.0', class: 'SandboxAuditValidation', properties: { onlyRuntimeclass: true } }))
      .toThrow(/unknown property "onlyRuntimeclass"/);
  });

  test('the CLI\'s names take effect, as the API\'s do', async () => {
    expect(await summaryOf({})).toBe('53 findings (17 rules) in 5 of 5 audited objects, 1 file');
    expect(await summaryOf({ onlyRuntimeClass: true })).toBe('38 findings (16 rules) in 4 of 4 audited objects, 1 file');
    expect(await summaryOf({ ignoreRule: 'image-pinned' })).toBe('49 findings (16 rules) in 5 of 5 audited objects, 1 file');
    expect(await summaryOf({ ignoreRule: ['image-pinned'] })).toBe(await summaryOf({ ignoreRules: ['image-pinned'] }));
    const runsc = await validate(new SandboxAuditValidation({ runtimeClass: 'runsc' }), [SEED]);
    expect(runsc.toJson().violations.find((v) => v.ruleName === 'runtime-class')!.violatingConstructs[0].locations[0]).toMatch(/sandboxed pods must use "runsc"$/);
    expect(auditOptionsOfProperties({ runtimeClass: 'runsc', ignoreRule: 'availability', strict: true, namespace: 'sandbox-jobs', onlyRuntimeClass: false })).toEqual({
      runtimeClassName: 'runsc', ignoreRules: ['availability'], strict: true, namespace: 'sandbox-jobs', onlyRuntimeClass: false,
    });
  });

  test('properties that leave nothing to audit fail synth as an input error', async () => {
    const hardened = path.join(__dirname, 'fixtures', 'audit', 'hardened.yaml');
    const report = await validate(new SandboxAuditValidation({ namespace: 'typo' }), [hardened]);
    expect(report.success).toBe(false);
    expect(report.toJson().violations.map((v) => [v.ruleName, v.violatingConstructs[0].locations[0]])).toEqual([
      ['input', `${hardened}: nothing was audited: the filters (namespace "typo") leave none of the 10 Kubernetes object(s) read in scope; the input's objects live in namespace(s) sandbox`],
    ]);
  });
});
