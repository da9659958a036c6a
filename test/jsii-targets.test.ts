// The jsii targets: jsii-pacmak generates the Python, Java, Go and .NET sources from the assembly the build
// writes; the Python byte-compiles, the Go parses, each language's package holds the constructs and
// CodeRun; and README's "From Python" example uses only what the generated Python module defines (names,
// keyword arguments, struct keys, class attributes; test/helpers/python_api_check.py). The build and
// pacmak run in a snapshot of the working tree (helpers/package-build.ts), never in the working tree itself.
// Needs python3 (and gofmt for the Go check): without them the checks skip with the reason on a developer
// machine and fail under CI=true.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT, check, run, skipOrFail, snapshotWorkingTree, tempDir } from './helpers/package-build';

jest.setTimeout(10 * 60 * 1000);

/** The classes every target must have: the constructs and the render entry point. */
const CLASSES = ['SandboxedDeployment', 'CodeRunnerJob', 'SandboxNetworkPolicy', 'SandboxNamespace', 'GvisorRuntimeClass', 'CodeRun'];
const PYTHON_CHECK = path.join(__dirname, 'helpers', 'python_api_check.py');

/** Whether `command` can be started at all (spawnSync reports ENOENT as `error`). */
const onPath = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore' }).error === undefined;
const PYTHON = onPath('python3', ['--version']);
const GOFMT = onPath('gofmt', ['-h']);

let work = '';
let out = '';

/** Every file under `dir`, relative to it, sorted. */
function filesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else found.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return found.sort();
}

beforeAll(async () => {
  work = tempDir('cdk8s-sandbox-jsii-');
  const snapshot = path.join(work, 'snapshot', 'repo');
  await snapshotWorkingTree(snapshot);
  check('npm run build', await run('npm', ['run', 'build'], { cwd: snapshot }));
  out = path.join(work, 'pacmak');
  const started = process.hrtime.bigint();
  check('jsii-pacmak', await run(path.join(snapshot, 'node_modules', '.bin', 'jsii-pacmak'),
    ['--code-only', '--target', 'python', '--target', 'java', '--target', 'go', '--target', 'dotnet', '--outdir', out], { cwd: snapshot }));
  // eslint-disable-next-line no-console
  console.log(`jsii-pacmak --code-only, four targets: ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s, ${filesUnder(out).length} files`);
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('jsii-pacmak --code-only', () => {
  test('writes one directory per target', () => {
    expect(fs.readdirSync(out).sort()).toEqual(['dotnet', 'go', 'java', 'python']);
  });

  test('Python: the package cdk8s_sandbox with the assembly, and its setup', () => {
    const files = filesUnder(path.join(out, 'python'));
    expect(files).toEqual(expect.arrayContaining([
      'setup.py', 'pyproject.toml', 'src/cdk8s_sandbox/__init__.py', 'src/cdk8s_sandbox/py.typed',
      'src/cdk8s_sandbox/_jsii/__init__.py', 'src/cdk8s_sandbox/_jsii/cdk8s-sandbox@0.1.0.jsii.tgz',
    ]));
    const init = fs.readFileSync(path.join(out, 'python', 'src', 'cdk8s_sandbox', '__init__.py'), 'utf8');
    expect(CLASSES.filter((c) => !new RegExp(`^class ${c}\\(`, 'm').test(init))).toEqual([]);
    expect(fs.readFileSync(path.join(out, 'python', 'setup.py'), 'utf8')).toMatch(/"name": "cdk8s-sandbox"/);
  });

  test('Java: a class per construct in package io.github.cdk8s_sandbox, and the pom', () => {
    const dir = path.join(out, 'java', 'src', 'main', 'java', 'io', 'github', 'cdk8s_sandbox');
    expect(fs.readdirSync(dir)).toEqual(expect.arrayContaining(CLASSES.map((c) => `${c}.java`)));
    expect(fs.readFileSync(path.join(dir, 'CodeRun.java'), 'utf8')).toMatch(/^package io\.github\.cdk8s_sandbox;$/m);
    const pom = fs.readFileSync(path.join(out, 'java', 'pom.xml'), 'utf8');
    expect([pom.includes('<groupId>io.github.cdk8s-sandbox</groupId>'), pom.includes('<artifactId>cdk8s-sandbox</artifactId>')]).toEqual([true, true]);
  });

  test('Go: module github.com/cdk8s-sandbox/cdk8s-sandbox-go/cdk8ssandbox with a file per construct', () => {
    const dir = path.join(out, 'go', 'cdk8ssandbox');
    expect(fs.readFileSync(path.join(dir, 'go.mod'), 'utf8').split('\n')[0]).toBe('module github.com/cdk8s-sandbox/cdk8s-sandbox-go/cdk8ssandbox');
    expect(fs.readdirSync(dir)).toEqual(expect.arrayContaining(CLASSES.map((c) => `${c}.go`)));
    expect(fs.readFileSync(path.join(dir, 'CodeRun.go'), 'utf8')).toMatch(/^package cdk8ssandbox$/m);
  });

  test('.NET: namespace Cdk8sSandbox with a file per construct, and the project', () => {
    const dir = path.join(out, 'dotnet', 'Cdk8sSandbox');
    expect(fs.existsSync(path.join(dir, 'Cdk8sSandbox.csproj'))).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'Cdk8sSandbox'))).toEqual(expect.arrayContaining(CLASSES.map((c) => `${c}.cs`)));
    expect(fs.readFileSync(path.join(dir, 'Cdk8sSandbox', 'CodeRun.cs'), 'utf8')).toMatch(/^namespace Cdk8sSandbox$/m);
  });

  test('the generated Python byte-compiles, every file', async () => {
    if (!PYTHON) return void skipOrFail('the Python byte-compile', 'python3 is not on PATH');
    const py = filesUnder(path.join(out, 'python')).filter((f) => f.endsWith('.py'));
    expect(py).toEqual(expect.arrayContaining(['setup.py', 'src/cdk8s_sandbox/__init__.py', 'src/cdk8s_sandbox/_jsii/__init__.py']));
    const compiled = await run('python3', ['-m', 'py_compile', ...py], { cwd: path.join(out, 'python') });
    expect([compiled.status, compiled.stderr]).toEqual([0, '']);
  });

  test('the generated Go parses (gofmt -e)', async () => {
    if (!GOFMT) return void skipOrFail('the Go syntax check', 'gofmt is not on PATH (apt-get install -y golang-go)');
    const parsed = await run('gofmt', ['-e', '-l', '.'], { cwd: path.join(out, 'go', 'cdk8ssandbox'), env: process.env });
    expect([parsed.status, parsed.stderr]).toEqual([0, '']);
  });
});

describe('README "From Python"', () => {
  /** The first ```python block of README's "From Python" section. */
  function readmeExample(): string {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.split(/^## From Python[ \t]*$/m)[1]?.split(/^## /m)[0];
    if (section === undefined) throw new Error('README.md has no "## From Python" section');
    const block = section.match(/^```python\n([\s\S]*?)^```$/m);
    if (!block) throw new Error('README.md\'s "From Python" section has no ```python block');
    return block[1];
  }

  test('the example byte-compiles, and imports and calls only what the generated module defines', async () => {
    if (!PYTHON) return void skipOrFail('the README Python check', 'python3 is not on PATH');
    const dir = path.join(work, 'readme');
    fs.mkdirSync(dir, { recursive: true });
    const example = path.join(dir, 'from_python.py');
    fs.writeFileSync(example, readmeExample());
    const compiled = await run('python3', ['-m', 'py_compile', example], { cwd: dir });
    expect([compiled.status, compiled.stderr]).toEqual([0, '']);
    const init = path.join(out, 'python', 'src', 'cdk8s_sandbox', '__init__.py');
    const report = JSON.parse(check('python_api_check.py', await run('python3', [PYTHON_CHECK, init, example], { cwd: dir })).stdout);
    expect(report.problems).toEqual([]);
    // The example is about the render entry point: it imports CodeRun and calls CodeRun.render with keywords.
    expect(report.imports).toEqual(expect.arrayContaining(['CodeRun']));
    expect(report.checked).toEqual(expect.arrayContaining([expect.stringMatching(/^CodeRun\.render\(/)]));
    // eslint-disable-next-line no-console
    console.log(`README "From Python": imports ${report.imports.join(', ')}; checked ${report.checked.join('; ')}`);
  });

  test('the checker finds what the module lacks (a misspelt keyword, a name it does not define, a missing member)', async () => {
    if (!PYTHON) return void skipOrFail('the README Python check', 'python3 is not on PATH');
    const dir = path.join(work, 'checker');
    fs.mkdirSync(dir, { recursive: true });
    const bad = path.join(dir, 'bad.py');
    fs.writeFileSync(bad, [
      'from cdk8s_sandbox import CodeRun, CodeRunnerJobProps, Language, NoSuchThing',
      'CodeRun.render(CodeRunnerJobProps(code="x", timeout_secs=5), allowed_runtime_class=["gvisor"])',
      'CodeRun.render({"code": "x", "run_idd": "a"})',
      'Language.RUBY',
      '',
    ].join('\n'));
    const init = path.join(out, 'python', 'src', 'cdk8s_sandbox', '__init__.py');
    const report = JSON.parse(check('python_api_check.py', await run('python3', [PYTHON_CHECK, init, bad], { cwd: dir })).stdout);
    expect(report.problems.map((p: string) => p.replace(/ \(its (parameters|fields): .*\)$/, '')).sort()).toEqual([
      'NoSuchThing is imported from cdk8s_sandbox but is no class or enum of the generated module',
      'CodeRun.render has no parameter allowed_runtime_class',
      'CodeRunnerJobProps.__init__ has no parameter timeout_secs',
      'CodeRun.render(<props>): \'run_idd\' is no field of CodeRunnerJobProps',
      'Language has no attribute RUBY',
    ].sort());
  });
});
