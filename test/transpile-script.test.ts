// `npm run synth` transpiles src/ and imports/ with swc (scripts/transpile.js) instead of running tsc: its output
// must sit where tsc puts it (cdk8s.yaml runs lib/app/main.js and loads the validation plugin from lib/src/audit/)
// and be CommonJS that exports values only, as tsc's does.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..');

function files(dir: string, keep: (name: string) => boolean, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return files(file, keep, base);
    return keep(e.name) ? [path.relative(base, file)] : [];
  });
}

/** Runs `code` in a fresh node whose modules resolve from the transpiled tree; returns what it printed as JSON. */
function inNode(out: string, code: string): any {
  return JSON.parse(execFileSync(process.execPath, ['-e', code], { cwd: out, encoding: 'utf8' }));
}

describe('scripts/transpile.js (the compile step of npm run synth)', () => {
  let out: string;
  beforeAll(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'transpile-'));
    execFileSync(process.execPath, [path.join(root, 'scripts', 'transpile.js'), '--out-dir', out], { stdio: 'pipe' });
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(out, 'node_modules'), 'dir');
  });
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  test('writes one CommonJS file for each source, at the path tsc gives it', () => {
    const sources = ['src', 'imports'].flatMap((d) => files(path.join(root, d), (n) => n.endsWith('.ts') && !n.endsWith('.d.ts')).map((f) => path.join(d, f)));
    const written = ['src', 'imports'].flatMap((d) => files(path.join(out, d), () => true).map((f) => path.join(d, f)));
    expect(written.sort()).toEqual(sources.map((f) => f.replace(/\.ts$/, '.js')).sort());
    for (const file of written) {
      const code = fs.readFileSync(path.join(out, file), 'utf8');
      expect(code).toContain('"use strict";');
      expect(code).not.toMatch(/^\s*(import|export)\s/m);
    }
    expect(fs.readFileSync(path.join(out, 'src', 'cli', 'main.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  test('no package entry exports a name without a value (a type re-exported as a value)', () => {
    const exportsOf = (entry: string): [string, string][] => inNode(out, `const m = require("./src/${entry}"); console.log(JSON.stringify(Object.keys(m).map((k) => [k, typeof m[k]])))`);
    const root = exportsOf('index.js');
    const audit = exportsOf('audit/index.js');
    const runner = exportsOf('runner/index.js');
    for (const exported of [root, audit, runner]) expect(exported.filter(([, type]) => type === 'undefined').map(([name]) => name)).toEqual([]);
    expect(root).toEqual(expect.arrayContaining([['SandboxedDeployment', 'function'], ['CodeRun', 'function'], ['SandboxProfile', 'function']]));
    expect(audit).toEqual(expect.arrayContaining([['SandboxAuditValidation', 'function'], ['auditManifests', 'function']]));
    expect(runner).toEqual(expect.arrayContaining([['runWorkload', 'function'], ['RunnerError', 'function']]));
  });

  test('the validation plugin cdk8s.yaml names loads from the transpiled tree', () => {
    expect(fs.readFileSync(path.join(root, 'cdk8s.yaml'), 'utf8')).toContain('./lib/src/audit/cdk8s-validation-plugin.js');
    expect(inNode(out, 'console.log(JSON.stringify(typeof require("./src/audit/cdk8s-validation-plugin.js").SandboxAuditValidation))')).toBe('function');
  });
});
