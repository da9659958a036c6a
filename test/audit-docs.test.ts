// README's audit section does not lie: its text example is the command's real output on the example
// manifest, its JSON and SARIF excerpts are real excerpts, and it names every rule the audit has.
import * as fs from 'fs';
import * as path from 'path';
import { AUDIT_RULES, auditText, formatSarif } from '../src/audit';
import { RULES } from '../src/profile';
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
  expect(JSON.parse(`${head.replace(/,\s*$/, '')}]}`)).toEqual({ ...real, findings: real.findings.slice(0, 1), problems: undefined, suppressions: undefined });
  expect(tail).toBe('  ],\n  "problems": [],\n  "suppressions": []\n}\n');
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

/** The lines of a README section, from its heading to the next heading of its level or above. */
function section(heading: string): string {
  const start = README.indexOf(`\n${heading}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const level = heading.indexOf(' ');
  const rest = README.slice(start + heading.length + 2);
  const next = rest.search(new RegExp(`\\n#{1,${level}} `));
  return next < 0 ? rest : rest.slice(0, next);
}

/** The rows of README's hardening table: number and the rule ids of its second column. */
function hardeningRows(): { row: number; ids: string[] }[] {
  const lines = section('## Hardening controls').split('\n').filter((l) => /^\| \d+ \|/.test(l));
  return lines.map((l) => {
    const cells = l.split('|').map((c) => c.trim());
    return { row: Number(cells[1]), ids: [...cells[2].matchAll(/`([a-z-]+)`/g)].map((m) => m[1]) };
  });
}

describe('one numbering of the hardening profile', () => {
  const PROFILE = AUDIT_RULES.filter((r) => r.row !== undefined);

  test('README\'s hardening table is numbered 1, 2, 3, ... and names every rule of the profile once', () => {
    const rows = hardeningRows();
    expect(rows.map((r) => r.row)).toEqual(rows.map((_r, i) => i + 1));
    expect(rows.flatMap((r) => r.ids).sort()).toEqual(PROFILE.map((r) => r.id).sort());
  });

  test('each rule\'s row is the row of README\'s table that names it', () => {
    const rowOf = new Map(hardeningRows().flatMap((r) => r.ids.map((id) => [id, r.row] as const)));
    expect(PROFILE.map((r) => [r.id, r.row])).toEqual(PROFILE.map((r) => [r.id, rowOf.get(r.id)]));
  });

  test('README\'s Rules section lists the per-object rules in order with their rows, and the set rules with theirs', () => {
    const rules = section('### Rules');
    const perObject = rules.slice(0, rules.indexOf('Over the whole set'));
    expect([...perObject.matchAll(/`([a-z-]+)` \((\d+)\)/g)].map((m) => [m[1], Number(m[2])])).toEqual(RULES.map((r) => [r.id, r.row]));
    const setRows = rules.split('\n').filter((l) => /^\| `[a-z-]+` \| \d+ \|/.test(l)).map((l) => l.split('|').map((c) => c.trim()));
    expect(setRows.map((c) => [c[1].replace(/`/g, ''), Number(c[2])])).toEqual(PROFILE.filter((r) => r.crossResource).map((r) => [r.id, r.row]));
  });

  test('SARIF names the same rows', () => {
    const log = JSON.parse(formatSarif(auditText('apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\nautomountServiceAccountToken: false\n'), { cwd: ROOT }));
    const rowOf = new Map(hardeningRows().flatMap((r) => r.ids.map((id) => [id, r.row] as const)));
    const described = log.runs[0].tool.driver.rules.filter((r: any) => r.properties.row !== undefined);
    expect(described.map((r: any) => [r.id, r.properties.row])).toEqual(PROFILE.map((r) => [r.id, rowOf.get(r.id)]));
    expect(log.runs[0].tool.driver.rules.find((r: any) => r.id === 'image-pinned').properties.row).toBe(21);
    expect(log.runs[0].tool.driver.rules.find((r: any) => r.id === 'network-isolation').properties.row).toBe(18);
  });

  test('the Suppressing section names exactly the rules no suppression may waive, whole or in part', () => {
    const doc = section('### Suppressing a rule on one object');
    const paragraph = doc.slice(doc.indexOf('What no reason makes safe'), doc.indexOf('The list is data'));
    const named = new Set([...paragraph.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]).filter((id) => id !== 'suppression-unwaivable'));
    expect([...named].sort()).toEqual(AUDIT_RULES.filter((r) => r.unwaivable !== undefined).map((r) => r.id).sort());
  });
});
