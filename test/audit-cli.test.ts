// The `cdk8s-sandbox audit` command: formats, options, standard input, usage errors and exit codes,
// in-process and through the real bin entry point in a child process.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runAuditCommand } from '../src/cli/audit-command';
import { createProgram } from '../src/cli/main';
import { commandIo } from './helpers/command-io';

const ROOT = path.resolve(__dirname, '..');
const HARDENED = path.join('test', 'fixtures', 'audit', 'hardened.yaml');
const SEED = path.join('test', 'fixtures', 'audit', 'seed-article.yaml');

const io = (stdinText = '') => commandIo(ROOT, stdinText);

describe('runAuditCommand', () => {
  const cwd = process.cwd();
  beforeAll(() => process.chdir(ROOT));
  afterAll(() => process.chdir(cwd));

  test('text by default: exit 0 on clean input, 1 on findings', async () => {
    const clean = io();
    expect(await runAuditCommand([HARDENED], {}, clean)).toBe(0);
    expect([clean.out(), clean.err()]).toEqual(['no findings in 10 audited objects, 1 file\n', '']);
    const seed = io();
    expect(await runAuditCommand([SEED], {}, seed)).toBe(1);
    expect(seed.out().split('\n').slice(0, 3)).toEqual([
      SEED,
      '  Deployment default/untrusted-workload (line 4)',
      '    run-as-non-root  spec.template.spec.securityContext.runAsNonRoot  (line 18)',
    ]);
    expect(seed.out().trimEnd().split('\n').pop()).toBe('53 findings (17 rules) in 5 of 5 audited objects, 1 file');
  });

  test('json and sarif', async () => {
    const json = io();
    expect(await runAuditCommand([SEED], { format: 'json', ignoreRule: ['image-pinned'] }, json)).toBe(1);
    expect(JSON.parse(json.out()).summary).toEqual({ files: 1, objects: 5, audited: 5, findings: 49, suppressed: 0, errors: 0, skipped: 0, exitCode: 1 });
    const sarif = io();
    expect(await runAuditCommand([SEED], { format: 'sarif', namespace: 'sandbox-jobs' }, sarif)).toBe(1);
    const log = JSON.parse(sarif.out());
    expect([log.version, log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri]).toEqual(['2.1.0', 'test/fixtures/audit/seed-article.yaml']);
  });

  test('- reads standard input', async () => {
    const stdin = io(fs.readFileSync(path.join(ROOT, HARDENED), 'utf8'));
    expect(await runAuditCommand(['-'], { format: 'json' }, stdin)).toBe(0);
    expect(JSON.parse(stdin.out()).summary.objects).toBe(10);
  });

  test('usage errors exit 2 and say what was given and what is allowed', async () => {
    const cases: [string[], object, string][] = [
      [[], {}, 'cdk8s-sandbox audit: name at least one file or directory, or - for standard input\n'],
      [[HARDENED], { format: 'xml' }, 'cdk8s-sandbox audit: unknown format "xml"; use one of text, json, sarif\n'],
      [[HARDENED], { ignoreRule: ['nope'] }, 'cdk8s-sandbox audit: unknown rule id(s) to ignore: nope; known rules: '],
      [[HARDENED], { namespace: 'A B' }, 'cdk8s-sandbox audit: namespace "A B" is not a valid namespace name'],
    ];
    for (const [paths, options, message] of cases) {
      const r = io();
      expect(await runAuditCommand(paths, options, r)).toBe(2);
      expect(r.err().startsWith(message)).toBe(true);
      expect(r.out()).toBe('');
    }
  });

  test('bad input exits 2, still reporting what it could audit', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-cli-'));
    try {
      fs.writeFileSync(path.join(dir, 'a-broken.yaml'), 'apiVersion: v1\nkind: [\n');
      fs.copyFileSync(path.join(ROOT, SEED), path.join(dir, 'b-seed.yaml'));
      const r = io();
      expect(await runAuditCommand([dir], { format: 'json' }, r)).toBe(2);
      const json = JSON.parse(r.out());
      expect([json.summary.findings, json.summary.errors, json.problems[0].line, path.basename(json.problems[0].file)]).toEqual([53, 1, 2, 'a-broken.yaml']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the commander program', () => {
  let write: jest.SpyInstance;
  let output = '';
  beforeEach(() => {
    output = '';
    write = jest.spyOn(process.stdout, 'write').mockImplementation(((s: string) => { output += s; return true; }) as any);
  });
  afterEach(() => {
    write.mockRestore();
    process.exitCode = undefined;
  });

  test('parses repeatable --ignore-rule and the scope options, and sets the exit code', async () => {
    await createProgram().parseAsync(['node', 'cdk8s-sandbox', 'audit', path.join(ROOT, SEED), '--format', 'json', '--ignore-rule', 'image-pinned', '--ignore-rule', 'network-isolation', '-n', 'default', '--only-runtime-class', '--runtime-class', 'gvisor']);
    expect(process.exitCode).toBe(1);
    const json = JSON.parse(output);
    expect([...new Set(json.findings.map((f: any) => f.object.name))]).toEqual(['untrusted-workload', 'untrusted-processor']);
    expect(json.findings.some((f: any) => ['image-pinned', 'network-isolation'].includes(f.rule))).toBe(false);
  });

  test('an invalid --format is a commander usage error (the bin maps it to exit 2)', async () => {
    const program = createProgram();
    program.commands.forEach((c) => c.configureOutput({ writeErr: () => undefined }));
    await expect(program.parseAsync(['node', 'cdk8s-sandbox', 'audit', 'x', '--format', 'xml'])).rejects.toMatchObject({ code: 'commander.invalidArgument' });
  });
});

describe('the cdk8s-sandbox bin', () => {
  const hook = path.join(__dirname, 'fixtures', 'audit', 'register-ts.js');
  const run = (args: string[], input?: string) => spawnSync(process.execPath, ['-r', hook, path.join(ROOT, 'src', 'cli', 'main.ts'), 'audit', ...args], { cwd: ROOT, input, encoding: 'utf8' });

  test('package.json installs lib/src/cli/main.js as cdk8s-sandbox, and main.ts is an executable script', () => {
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).bin).toEqual({ 'cdk8s-sandbox': 'lib/src/cli/main.js' });
    expect(fs.readFileSync(path.join(ROOT, 'src', 'cli', 'main.ts'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  test('exit codes: 0 clean, 1 findings, 2 bad input, 2 usage error', () => {
    const clean = run([HARDENED]);
    expect([clean.status, clean.stdout]).toEqual([0, 'no findings in 10 audited objects, 1 file\n']);
    expect(run([SEED]).status).toBe(1);
    const missing = run(['no/such/dir']);
    expect([missing.status, missing.stdout.split('\n').slice(0, 2)]).toEqual([2, ['input:', '  no/such/dir: error: no such file or directory']]);
    const usage = run([HARDENED, '--format', 'xml']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("error: option '-f, --format <format>' argument 'xml' is invalid. Allowed choices are text, json, sarif.");
  });

  test('a filter that leaves nothing to audit exits 2 (was: "no findings in 0 audited objects", exit 0)', () => {
    const typo = run(['-n', 'typo', HARDENED]);
    expect([typo.status, typo.stdout]).toEqual([2, [
      'input:',
      `  ${HARDENED}: error: nothing was audited: the filters (namespace "typo") leave none of the 10 Kubernetes object(s) read in scope; the input's objects live in namespace(s) sandbox`,
      '',
      'no findings in 0 audited objects, 1 file, 1 input error',
      '',
    ].join('\n')]);
    const onlyRuntimeClass = run(['--only-runtime-class', '--format', 'json', path.join('test', 'fixtures', 'audit', 'fail-closed', 'no-runtime-class.yaml')]);
    expect([onlyRuntimeClass.status, JSON.parse(onlyRuntimeClass.stdout).summary]).toEqual([2, { files: 1, objects: 2, audited: 0, findings: 0, suppressed: 0, errors: 1, skipped: 0, exitCode: 2 }]);
  });

  test('reads standard input', () => {
    const piped = run(['-', '--format', 'json'], fs.readFileSync(path.join(ROOT, SEED), 'utf8'));
    expect(piped.status).toBe(1);
    expect(JSON.parse(piped.stdout).findings[0].file).toBe('-');
  });
});
