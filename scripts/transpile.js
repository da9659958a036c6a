#!/usr/bin/env node
// The compile step of `npm run synth`: transpile src/ and imports/ to lib/ with swc, laid out as
// `tsc -p tsconfig.json` lays them out (lib/src/..., lib/imports/...), CommonJS, the target of tsconfig.json,
// class fields with define semantics, no decorators; without type-checking and without declarations.
// `npm test` type-checks (tsc --noEmit), `npm run build` emits the package with declarations, and
// `isolatedModules` in tsconfig.json makes tsc refuse code that a per-file transpiler would get wrong.
//
//   node scripts/transpile.js [--out-dir DIR]     (default: lib)
'use strict';
const fs = require('fs');
const path = require('path');
const swc = require('@swc/core');

const ROOT = path.resolve(__dirname, '..');
const SOURCES = ['src', 'app', 'imports'];

/** swc options equivalent to tsconfig.json's emit; refuses a tsconfig whose emit they would not match. */
function swcOptions() {
  const { compilerOptions: c } = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8'));
  const target = String(c.target).toLowerCase();
  const problems = [];
  if (String(c.module).toLowerCase() !== 'commonjs') problems.push(`module is ${c.module}, not commonjs`);
  if (!/^es20(2[2-9]|[3-9]\d)$|^esnext$/.test(target)) problems.push(`target ${c.target} is below ES2022 (class fields would need lowering)`);
  if (c.esModuleInterop !== true) problems.push('esModuleInterop is not on (swc\'s interop matches it only when it is)');
  if (c.experimentalDecorators || c.emitDecoratorMetadata) problems.push('decorators are on');
  if (c.isolatedModules !== true && c.verbatimModuleSyntax !== true) problems.push('neither isolatedModules nor verbatimModuleSyntax is on');
  if (problems.length > 0) throw new Error(`scripts/transpile.js does not match tsconfig.json: ${problems.join('; ')}`);
  return {
    swcrc: false,
    configFile: false,
    sourceMaps: false,
    jsc: {
      parser: { syntax: 'typescript', tsx: false, decorators: false },
      target,
      // tsc's default for ES2022 and later targets.
      transform: { useDefineForClassFields: c.useDefineForClassFields ?? true },
      externalHelpers: false,
    },
    module: { type: 'commonjs', strict: false, strictMode: true, noInterop: false },
  };
}

function sources(dir, out) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) sources(file, out);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(file);
  }
  return out;
}

async function main() {
  const at = process.argv.indexOf('--out-dir');
  const outDir = at >= 0 ? path.resolve(process.argv[at + 1]) : path.join(ROOT, 'lib');
  const options = swcOptions();
  const files = SOURCES.flatMap((d) => sources(path.join(ROOT, d), []));
  // swc transforms on its own thread pool: start every file, then write each as it comes back.
  await Promise.all(files.map(async (file) => {
    const { code } = await swc.transformFile(file, { ...options, filename: file });
    const dest = path.join(outDir, path.relative(ROOT, file)).replace(/\.ts$/, '.js');
    await fs.promises.mkdir(path.dirname(dest), { recursive: true });
    await fs.promises.writeFile(dest, code);
  }));
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
