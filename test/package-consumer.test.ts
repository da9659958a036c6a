// The package consumer smoke test: the tarball `npm pack` makes (its `prepare` runs the jsii build) holds what
// a consumer needs and nothing of the repo's own; installed offline into a scratch cdk8s project outside the
// repository, next to the lowest cdk8s and constructs the peer ranges allow and the newest checked
// (test/fixtures/consumer/versions.json), an app that imports it by name type-checks, compiles and
// synthesizes with the audit validation plugin loaded from the installed package, which fails the synth of a
// weakened object; and `npm install <git url>` gives the same package as a pack of a clean clone of HEAD.
// The pack is of a snapshot of the working tree (helpers/package-build.ts), so it never rebuilds the working
// tree's lib/. Offline: the installs read the npm cache, which .ci/run fills first; where it lacks something,
// the tests say so and skip, except under CI=true, where they fail. Slow (about a minute per version pair).
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as jsYaml from 'js-yaml';
import { ROOT, RunResult, check, extract, notCached, npmPack, run, skipOrFail, snapshotWorkingTree, tarEntries, tempDir } from './helpers/package-build';

const CONSUMER = path.join(__dirname, 'fixtures', 'consumer');
const VERSIONS: { pairs: { why: string; cdk8s: string; constructs: string }[]; typesNode: string } = JSON.parse(fs.readFileSync(path.join(CONSUMER, 'versions.json'), 'utf8'));
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const CDK8S = path.join(ROOT, 'node_modules', '.bin', 'cdk8s');

/** Where cdk8s.yaml loads the validation plugin from: the installed package. */
const PLUGIN = 'node_modules/cdk8s-sandbox/lib/src/audit/cdk8s-validation-plugin.js';

/** Every construct of the package. */
const CONSTRUCTS = ['SandboxedDeployment', 'CodeRunnerJob', 'SandboxNetworkPolicy', 'SandboxNamespace', 'GvisorRuntimeClass'];

jest.setTimeout(15 * 60 * 1000);

let work = '';
let tarball = '';
let entries: string[] = [];

beforeAll(async () => {
  work = tempDir('cdk8s-sandbox-pack-');
  const snapshot = path.join(work, 'snapshot', 'repo');
  await snapshotWorkingTree(snapshot);
  fs.mkdirSync(path.join(work, 'pack'));
  tarball = await npmPack(snapshot, path.join(work, 'pack'));
  entries = await tarEntries(tarball);
  // eslint-disable-next-line no-console
  console.log(`npm pack: ${path.basename(tarball)}, ${entries.length} entries, ${fs.statSync(tarball).size} bytes`);
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('the tarball npm pack makes', () => {
  test('holds the jsii assembly, the license, the readme, the compiled library with declarations and the bundled dependencies', () => {
    expect(entries).toEqual(expect.arrayContaining([
      'package/.jsii', 'package/LICENSE', 'package/README.md', 'package/package.json',
      'package/lib/src/index.js', 'package/lib/src/index.d.ts',
      'package/lib/src/audit/index.js', 'package/lib/src/audit/index.d.ts', 'package/lib/src/audit/cdk8s-validation-plugin.js',
      'package/lib/src/runner/index.js', 'package/lib/src/runner/index.d.ts', 'package/lib/src/cli/main.js',
      'package/node_modules/commander/package.json', 'package/node_modules/js-yaml/package.json', 'package/node_modules/yaml/package.json',
    ]));
    const js = entries.filter((e) => /^package\/lib\/src\/.*\.js$/.test(e));
    expect(js.filter((e) => !entries.includes(e.replace(/\.js$/, '.d.ts')))).toEqual([]);
    expect(js.length).toBeGreaterThan(50);
  });

  test('holds nothing of the repo\'s own: no app, tests, benchmarks, sources\' build info, jsii config or generated bindings', () => {
    const own = entries.filter((e) => !e.startsWith('package/node_modules/'));
    expect(own.filter((e) => /^package\/(lib\/(app|test|bench|imports|scripts)\/|test\/|bench\/|app\/|dist\/|jsii-dist\/|imports\/|\.ci\/|scripts\/)/.test(e))).toEqual([]);
    expect(own.filter((e) => /tsbuildinfo$|tsconfig.*\.json$|\.test\.|jest\.config|package-lock\.json$|\.gitignore$|\.npmignore$/.test(e))).toEqual([]);
    // Everything else is the compiled library (sources may or may not ship; neither is wrong).
    expect(own.filter((e) => !/^package\/(\.jsii|LICENSE|README\.md|package\.json|lib\/src\/.*\.(js|d\.ts)|src\/.*\.ts)$/.test(e))).toEqual([]);
  });

  test('its bundled dependencies are the dependencies, at the versions of the lockfile', async () => {
    const dir = path.join(work, 'extracted');
    await extract(tarball, dir);
    const packed = JSON.parse(fs.readFileSync(path.join(dir, 'package', 'package.json'), 'utf8'));
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
    const bundled: string[] = packed.bundleDependencies ?? packed.bundledDependencies;
    expect([...bundled].sort()).toEqual(Object.keys(PKG.dependencies).sort());
    for (const name of bundled) {
      const version = JSON.parse(fs.readFileSync(path.join(dir, 'package', 'node_modules', name, 'package.json'), 'utf8')).version;
      expect([name, version]).toEqual([name, lock.packages[`node_modules/${name}`].version]);
    }
    // And everything they need: each package the lockfile marks as in our bundle (a top-level node_modules entry;
    // nested ones are other packages' bundles) is in the tarball, at its version.
    const inBundle = Object.entries(lock.packages as { [key: string]: { inBundle?: boolean; version: string } })
      .filter(([key, p]) => p.inBundle && !key.slice('node_modules/'.length).includes('node_modules/')).map(([key, p]) => [key, p.version]);
    expect(inBundle.map(([key]) => key)).toEqual(expect.arrayContaining(['node_modules/@bufbuild/re2', 'node_modules/argparse']));
    const packedVersion = (key: string) => {
      const file = path.join(dir, 'package', key, 'package.json');
      return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')).version : 'missing from the tarball';
    };
    expect(inBundle.map(([key]) => [key, packedVersion(key)])).toEqual(inBundle);
    // cdk8s and constructs are the consumer's: peers, never bundled, never dependencies.
    expect(Object.keys(packed.peerDependencies).sort()).toEqual(['cdk8s', 'constructs']);
    expect(Object.keys(packed.dependencies ?? {}).filter((d) => ['cdk8s', 'constructs', 'cdk8s-plus-27'].includes(d))).toEqual([]);
    expect(entries.filter((e) => /^package\/node_modules\/(cdk8s|constructs)\//.test(e))).toEqual([]);
    const assembly = JSON.parse(fs.readFileSync(path.join(dir, 'package', '.jsii'), 'utf8'));
    expect([assembly.name, assembly.version, assembly.license]).toEqual(['cdk8s-sandbox', PKG.version, 'Apache-2.0']);
    expect([...CONSTRUCTS, 'CodeRun'].filter((c) => assembly.types[`cdk8s-sandbox.${c}`]?.kind !== 'class')).toEqual([]);
    expect(fs.readFileSync(path.join(dir, 'package', 'lib', 'src', 'cli', 'main.js'), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(fs.readFileSync(path.join(dir, 'package', 'LICENSE'), 'utf8')).toContain('Copyright 2026 The cdk8s-sandbox authors');
  });

  test('the lowest version pair is the lower bound of the peer ranges, and every pair is in them', () => {
    const lowest = (range: string) => range.replace(/^\^/, '');
    expect([VERSIONS.pairs[0].cdk8s, VERSIONS.pairs[0].constructs]).toEqual([lowest(PKG.peerDependencies.cdk8s), lowest(PKG.peerDependencies.constructs)]);
    const inCaretRange = (version: string, range: string) => {
      const [v, r] = [version, lowest(range)].map((s) => s.split('.').map(Number));
      return /^\^\d+\.\d+\.\d+$/.test(range) && v[0] === r[0] && (v[1] > r[1] || (v[1] === r[1] && v[2] >= r[2]));
    };
    expect(VERSIONS.pairs.map((p) => [inCaretRange(p.cdk8s, PKG.peerDependencies.cdk8s), inCaretRange(p.constructs, PKG.peerDependencies.constructs)]))
      .toEqual(VERSIONS.pairs.map(() => [true, true]));
  });
});

/** The objects of a multi-document YAML file, by `Kind/name`. */
function objectsOf(file: string): { [kindName: string]: any } {
  const docs = jsYaml.loadAll(fs.readFileSync(file, 'utf8')) as any[];
  return Object.fromEntries(docs.map((o) => [`${o.kind}/${o.metadata.name}`, o]));
}

describe.each(VERSIONS.pairs)('installed offline with cdk8s $cdk8s and constructs $constructs ($why)', (pair) => {
  const label = `the consumer app at cdk8s ${pair.cdk8s} / constructs ${pair.constructs}`;
  let scratch = '';
  let installed = false;
  const inScratch = (command: string, args: readonly string[]) => run(command, args, { cwd: scratch });
  const reportsOf = (file: string): any[] => JSON.parse(fs.readFileSync(path.join(scratch, file), 'utf8')).reports;
  const pluginOf = (report: any) => path.relative(scratch, report.summary.plugin);
  const synth = (args: readonly string[] = []) => inScratch(CDK8S, ['synth', '--no-check-upgrade', '--plugins-dir', path.join(scratch, '.cdk8s-plugins'), ...args]);

  beforeAll(async () => {
    scratch = tempDir('cdk8s-sandbox-consumer-');
    fs.writeFileSync(path.join(scratch, 'package.json'), `${JSON.stringify({ name: 'consumer-app', version: '0.0.0', private: true }, null, 2)}\n`);
    for (const f of ['cdk8s.yaml', 'tsconfig.json', 'tsconfig.node10.json', 'tsconfig.tools.json', 'tsconfig.tools-node10.json']) fs.copyFileSync(path.join(CONSUMER, f), path.join(scratch, f));
    fs.copyFileSync(path.join(CONSUMER, 'main.cts'), path.join(scratch, 'main.ts'));
    fs.copyFileSync(path.join(CONSUMER, 'tools.cts'), path.join(scratch, 'tools.ts'));
    const install = await inScratch('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball, `cdk8s@${pair.cdk8s}`, `constructs@${pair.constructs}`, `@types/node@${VERSIONS.typesNode}`]);
    const missing = notCached(install);
    if (missing) {
      skipOrFail(label, `the npm cache lacks what the offline install needs (.ci/run puts it there: npm cache add cdk8s@${pair.cdk8s} constructs@${pair.constructs} @types/node@${VERSIONS.typesNode}): ${missing}`);
      return;
    }
    check('npm install --offline', install);
    installed = true;
  });

  afterAll(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('npm installs the package with its bundled dependencies, next to the one cdk8s and constructs asked for', () => {
    if (!installed) return;
    const versionOf = (...p: string[]) => JSON.parse(fs.readFileSync(path.join(scratch, 'node_modules', ...p, 'package.json'), 'utf8')).version;
    expect([versionOf('cdk8s-sandbox'), versionOf('cdk8s'), versionOf('constructs')]).toEqual([PKG.version, pair.cdk8s, pair.constructs]);
    const nested = fs.readdirSync(path.join(scratch, 'node_modules', 'cdk8s-sandbox', 'node_modules')).sort();
    expect(nested).toEqual(expect.arrayContaining(['commander', 'js-yaml', 'yaml']));
    expect(nested.filter((n) => ['cdk8s', 'constructs'].includes(n))).toEqual([]);
    expect(fs.existsSync(path.join(scratch, 'node_modules', '.bin', 'cdk8s-sandbox'))).toBe(true);
  });

  test('the app type-checks (strict, no @types; node16 and node10 resolution) and compiles', async () => {
    if (!installed) return;
    check('tsc -p tsconfig.node10.json', await inScratch(process.execPath, [TSC, '-p', 'tsconfig.node10.json']));
    check('tsc -p tsconfig.json --noEmit', await inScratch(process.execPath, [TSC, '-p', 'tsconfig.json', '--noEmit']));
    check('tsc -p tsconfig.json', await inScratch(process.execPath, [TSC, '-p', 'tsconfig.json']));
    expect(fs.existsSync(path.join(scratch, 'lib', 'main.js'))).toBe(true);
  });

  test('cdk8s synth, with the validation plugin of the installed package: the hardened objects, and the plugin passes them', async () => {
    if (!installed) return;
    const started = process.hrtime.bigint();
    const result = await synth(['--validation-reports-output-file', 'reports.json']);
    // eslint-disable-next-line no-console
    console.log(`cdk8s synth at cdk8s ${pair.cdk8s} / constructs ${pair.constructs}: ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`);
    check('cdk8s synth', result);
    const objects = objectsOf(path.join(scratch, 'dist', 'consumer.k8s.yaml'));
    expect(Object.keys(objects).sort()).toEqual([
      'Deployment/untrusted-api', 'Job/submission-42', 'LimitRange/sandbox-limits', 'Namespace/consumer-sandbox',
      'NetworkPolicy/code-run-deny-all', 'NetworkPolicy/default-deny-all', 'NetworkPolicy/untrusted-api-network', 'PodDisruptionBudget/untrusted-api',
      'ResourceQuota/sandbox-quota', 'RuntimeClass/gvisor', 'ServiceAccount/untrusted-api',
    ].sort());
    const deployment = objects['Deployment/untrusted-api'];
    expect([deployment.metadata.namespace, deployment.spec.replicas, deployment.spec.template.spec.runtimeClassName]).toEqual(['consumer-sandbox', 2, 'gvisor']);
    expect(deployment.spec.template.spec.containers[0].securityContext).toMatchObject({ privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    const job = objects['Job/submission-42'];
    expect([job.metadata.namespace, job.spec.template.spec.runtimeClassName, job.spec.template.spec.containers[0].image]).toEqual(['consumer-sandbox', 'gvisor', 'python:3.12.7-slim']);
    expect(objects['NetworkPolicy/untrusted-api-network'].spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect([objects['RuntimeClass/gvisor'].handler, objects['RuntimeClass/gvisor'].overhead]).toEqual(['runsc', { podFixed: { cpu: '100m', memory: '64Mi' } }]);
    expect(objects['Namespace/consumer-sandbox'].metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(reportsOf('reports.json').map((r) => [pluginOf(r), r.summary.status, r.summary.metadata.summary, r.violations]))
      .toEqual([[PLUGIN, 'success', 'no findings in 11 audited objects, 1 file', []]]);
  });

  test('a raw privileged Pod next to the sandbox constructs: the app synthesizes it, and the plugin fails the synth', async () => {
    if (!installed) return;
    const result = await synth(['--app', 'node lib/main.js --weaken', '--output', 'dist-weakened', '--validation-reports-output-file', 'weakened.json']);
    expect(result.status).not.toBe(0);
    // The app ran to the end: the Pod was written, then judged.
    expect(objectsOf(path.join(scratch, 'dist-weakened', 'consumer.k8s.yaml'))['Pod/debug'].spec.containers[0].securityContext).toEqual({ privileged: true });
    expect(`${result.stdout}\n${result.stderr}`).toContain('Validation failed');
    const reports = reportsOf('weakened.json');
    expect(reports.map((r) => [pluginOf(r), r.summary.status, r.summary.metadata.summary]))
      .toEqual([[PLUGIN, 'failure', '14 findings (13 rules) in 1 of 12 audited objects, 1 file']]);
    const violations: any[] = reports[0].violations;
    expect(violations.map((v) => v.ruleName)).toEqual([
      'run-as-non-root', 'run-as-high-uid', 'run-as-high-gid', 'no-privilege-escalation', 'not-privileged', 'drop-all-capabilities',
      'seccomp-runtime-default', 'read-only-root-filesystem', 'no-service-account-token', 'no-service-links', 'resource-limits',
      'ephemeral-storage-limit', 'network-isolation',
    ]);
    // Only the Pod is at fault, named by its construct path.
    expect([...new Set(violations.flatMap((v) => v.violatingConstructs.map((c: any) => `${c.constructPath} ${c.resourceName}`)))]).toEqual(['consumer/debug-pod debug']);
    expect(violations.find((v) => v.ruleName === 'not-privileged').violatingConstructs[0].locations)
      .toEqual([expect.stringMatching(/^Pod spec\.containers\[0\]\.securityContext\.privileged \(line \d+\): container "debug" is privileged/)]);
  });

  test('a JSON patch that makes a sandboxed container privileged: the app itself refuses to synthesize', async () => {
    if (!installed) return;
    const result = await synth(['--app', 'node lib/main.js --patch', '--output', 'dist-patched']);
    expect(result.status).not.toBe(0);
    expect(`${result.stdout}\n${result.stderr}`).toMatch(/consumer\/consumer-sandbox\/untrusted-api[\s\S]*privileged/);
    expect(fs.existsSync(path.join(scratch, 'dist-patched', 'consumer.k8s.yaml'))).toBe(false);
  });

  test('CodeRun.render: one submission to plain objects and YAML, without an App', async () => {
    if (!installed) return;
    const rendered = JSON.parse(check('node lib/main.js --render', await inScratch(process.execPath, ['lib/main.js', '--render'])).stdout);
    expect(rendered.name).toBe('render-7');
    expect(rendered.objects.map((o: any) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['Job/runs/render-7']);
    expect(rendered.sharedObjects.map((o: any) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['NetworkPolicy/runs/code-run-deny-all']);
    const job = rendered.objects[0];
    expect([job.spec.template.spec.runtimeClassName, job.spec.template.spec.containers[0].image, job.spec.template.spec.activeDeadlineSeconds]).toEqual(['gvisor', 'node:20.18.0-slim', 60]);
    expect(job.spec.template.metadata.annotations['code.cdk8s-sandbox.io/0']).toBe('console.log(6 * 7)\n');
    expect((jsYaml.loadAll(rendered.yaml) as any[]).map((o) => o.kind)).toEqual(['NetworkPolicy', 'Job']);
  });

  test('cdk8s-sandbox/audit and cdk8s-sandbox/runner: resolve to the installed package, type-check, and audit the synthesized app clean', async () => {
    if (!installed) return;
    const resolved = check('require.resolve', await inScratch(process.execPath, ['-p', 'JSON.stringify(["cdk8s-sandbox", "cdk8s-sandbox/audit", "cdk8s-sandbox/runner"].map((m) => require.resolve(m)))']));
    expect((JSON.parse(resolved.stdout) as string[]).map((p) => path.relative(fs.realpathSync(scratch), fs.realpathSync(p))))
      .toEqual(['node_modules/cdk8s-sandbox/lib/src/index.js', 'node_modules/cdk8s-sandbox/lib/src/audit/index.js', 'node_modules/cdk8s-sandbox/lib/src/runner/index.js']);
    check('tsc -p tsconfig.tools.json', await inScratch(process.execPath, [TSC, '-p', 'tsconfig.tools.json']));
    check('tsc -p tsconfig.tools-node10.json', await inScratch(process.execPath, [TSC, '-p', 'tsconfig.tools-node10.json']));
    const manifest = path.join('dist', 'consumer.k8s.yaml');
    if (!fs.existsSync(path.join(scratch, manifest))) check('cdk8s synth', await synth());
    const report = JSON.parse(check('node lib/tools.js', await inScratch(process.execPath, ['lib/tools.js', manifest])).stdout);
    expect(report).toEqual({
      exitCode: 0, objects: 11, findings: [], problems: [],
      parsed: expect.arrayContaining(['Deployment/untrusted-api', 'Job/submission-42', 'RuntimeClass/gvisor']),
      plugin: 'function', runnerError: 2, pidsLimit: expect.any(Number),
    });
    expect(report.parsed).toHaveLength(11);
    // The command-line tool of the installed package, too.
    const cli: RunResult = await inScratch(path.join(scratch, 'node_modules', '.bin', 'cdk8s-sandbox'), ['audit', manifest]);
    expect([cli.status, cli.stdout.trimEnd().split('\n').pop()]).toEqual([0, 'no findings in 11 audited objects, 1 file']);
    // And its admission-policy evaluation, whose CEL engine comes bundled in the tarball: the example app's
    // policy admits the app's objects, and judges the ones in its SandboxNamespace.
    const policy = path.join(ROOT, 'dist', 'sandbox-example.k8s.yaml');
    const admission: RunResult = await inScratch(path.join(scratch, 'node_modules', '.bin', 'cdk8s-sandbox'), ['audit', '--admission-policy', policy, manifest]);
    expect([admission.status, admission.stdout.trimEnd().split('\n').pop()]).toEqual([0, 'no denials in 11 admitted objects (5 matched by 1 policy), 1 file']);
    // And `harden`, over a plain Deployment as a chart renders it: hardened on stdout, the input left as it was.
    const plain = path.join(scratch, 'plain.yaml');
    fs.writeFileSync(plain, '# a chart\'s Deployment\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n'
      + '  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: registry.example/web:1.4.2\n');
    const hardened: RunResult = await inScratch(path.join(scratch, 'node_modules', '.bin', 'cdk8s-sandbox'), ['harden', plain]);
    expect([hardened.status, hardened.stdout.startsWith('# a chart\'s Deployment\n'), hardened.stdout.includes('runtimeClassName: gvisor')]).toEqual([0, true, true]);
  });
});

/** sha256 of each file of a tarball, by entry name. */
async function digests(tgz: string, dir: string): Promise<{ [entry: string]: string }> {
  await extract(tgz, dir);
  const out: { [entry: string]: string } = {};
  for (const entry of await tarEntries(tgz)) {
    const file = path.join(dir, entry);
    if (fs.statSync(file).isFile()) out[entry] = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  }
  return out;
}

test('npm install of the git url gives the package a pack of a clean clone of HEAD gives', async () => {
  const label = 'the git-url pack';
  const dir = tempDir('cdk8s-sandbox-git-pack-');
  try {
    const head = check('git rev-parse HEAD', await run('git', ['rev-parse', 'HEAD'], { cwd: ROOT, env: process.env })).stdout.trim();
    // npm clones the url, installs its dependencies (devDependencies too, for `prepare`) and packs it.
    fs.mkdirSync(path.join(dir, 'from-git'));
    const viaGit = await run('npm', ['pack', '--offline', '--pack-destination', path.join(dir, 'from-git'), `git+file://${ROOT}#${head}`], { cwd: dir });
    const missing = notCached(viaGit);
    if (missing) return void skipOrFail(label, `the npm cache lacks the devDependencies of HEAD (npm ci fills it): ${missing}`);
    check('npm pack git+file://', viaGit);
    const gitTarball = path.join(dir, 'from-git', fs.readdirSync(path.join(dir, 'from-git')).find((f) => f.endsWith('.tgz'))!);

    // The same commit, cloned, installed from its lockfile and packed by hand.
    const clone = path.join(dir, 'clone', 'repo');
    check('git clone', await run('git', ['clone', '--quiet', '--no-local', '--no-checkout', ROOT, clone], { cwd: dir, env: process.env }));
    check('git checkout', await run('git', ['checkout', '--quiet', '--detach', head], { cwd: clone, env: process.env }));
    const ci = await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: clone });
    const ciMissing = notCached(ci);
    if (ciMissing) return void skipOrFail(label, `the npm cache lacks the devDependencies of HEAD: ${ciMissing}`);
    check('npm ci --offline in the clone', ci);
    fs.mkdirSync(path.join(dir, 'from-clone'));
    const cloneTarball = await npmPack(clone, path.join(dir, 'from-clone'), ['--offline']);

    const [fromGit, fromClone] = [await tarEntries(gitTarball), await tarEntries(cloneTarball)];
    expect(fromGit).toEqual(fromClone);
    expect(fromGit).toEqual(expect.arrayContaining(['package/.jsii', 'package/LICENSE', 'package/lib/src/index.js', 'package/lib/src/index.d.ts', 'package/node_modules/yaml/package.json']));
    const [a, b] = [await digests(gitTarball, path.join(dir, 'x-git')), await digests(cloneTarball, path.join(dir, 'x-clone'))];
    expect(Object.keys(a).filter((e) => a[e] !== b[e])).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
