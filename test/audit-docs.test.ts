// README's audit section does not lie: its text example is the command's real output on the example
// manifest, its JSON and SARIF excerpts are real excerpts, and it names every rule the audit has.
import * as fs from 'fs';
import * as path from 'path';
import { AUDIT_RULES } from '../src/audit';
import { AuditCommandIo, runAuditCommand } from '../src/cli/audit-command';

const ROOT = path.resolve(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
/** README's section on the audit command. */
const DOC = README.slice(README.indexOf('## Auditing any manifests'), README.indexOf('\n## ', README.indexOf('## Auditing any manifests') + 1));
const EXAMPLE_DIR = path.join(__dirname, 'fixtures', 'audit', 'docs-example');

/** The body of the ```console block that starts with `$ command`. */
function consoleBlock(command: string): string {
  const start = DOC.indexOf(`\`\`\`console\n$ ${command}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const body = DOC.slice(start + `\`\`\`console\n$ ${command}\n`.length);
  return body.slice(0, body.indexOf('```'));
}

async function run(format: string): Promise<string> {
  let out = '';
  const io: AuditCommandIo = { stdout: { write: (s: string) => { out += s; } }, stderr: { write: () => undefined }, stdin: (async function* () {})(), cwd: EXAMPLE_DIR };
  const cwd = process.cwd();
  process.chdir(EXAMPLE_DIR);
  try {
    expect(await runAuditCommand(['manifests/'], { format }, io)).toBe(1);
  } finally {
    process.chdir(cwd);
  }
  return out;
}

test('the text example is the real output', async () => {
  expect(consoleBlock('cdk8s-sandbox audit manifests/')).toBe(`${await run('text')}$ echo $?\n1\n`);
});

test('the JSON example is an excerpt of the real output', async () => {
  const real = JSON.parse(await run('json'));
  const shown = consoleBlock('cdk8s-sandbox audit --format json manifests/');
  const [head, tail] = shown.split('    ...\n');
  expect(JSON.parse(`${head.replace(/,\s*$/, '')}]}`)).toEqual({ ...real, findings: real.findings.slice(0, 1), problems: undefined });
  expect(tail).toBe('  ],\n  "problems": []\n}\n');
});

test('the SARIF example is the real log cut to one rule and one result', async () => {
  const real = JSON.parse(await run('sarif'));
  const shown = JSON.parse(consoleBlock('cdk8s-sandbox audit --format sarif manifests/'));
  const run0 = real.runs[0];
  expect(shown).toEqual({ ...real, runs: [{ ...run0, tool: { driver: { ...run0.tool.driver, rules: run0.tool.driver.rules.filter((r: any) => r.id === 'image-pinned') } }, results: run0.results.slice(0, 1) }] });
});

test('every rule id is documented', () => {
  expect(AUDIT_RULES.map((r) => r.id).filter((id) => !DOC.includes(`\`${id}\``))).toEqual([]);
});
