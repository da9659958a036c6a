// Gate before the figures: the render path's YAML writer must print exactly what js-yaml prints
// (`dump(o, { sortKeys: true, noRefs: true, lineWidth: -1 })`), on the bench's objects and on random JSON.
import * as jsYaml from 'js-yaml';
import { toYaml } from '../src';
import { floorObjects, submissionCode } from './fixtures/code-run';

const OPTIONS: jsYaml.DumpOptions = { sortKeys: true, noRefs: true, lineWidth: -1 };

/** A small deterministic PRNG (mulberry32), so a failure can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TRICKY = ['', ' ', 'a', 'y', 'Yes', 'NO', 'off', '~', 'null', 'Null', 'true', 'False', '0', '-1', '+1', '0x1F', '0o17', '0b101', '1_000', '1.5', '.5', '.inf', '-.Inf', '.nan', '1e3',
  '12:30', '1:2:3.4', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '<<', '=', '- a', '-a', '? x', ':x', 'a:', 'a: b', 'a:b', 'a #b', 'a#b', '#a', '"q"', "'q'", "it's", 'a\tb', 'tab\t',
  '\n', '\n\n', 'a\n', 'a\n\n', '\na', ' a\nb', '\n a', 'a\r\nb', 'é', 'naïve: yes', '日本語', '\u2028', '\u00a0x', '\u0085', '\ufeffbom', '\u{1F600}', 'x\u{1F600}', '\ud800', 'a\ud800b', '\udc00',
  '\x00', '\x07', '\x1b[0m', 'back\\slash', 'a b', 'a ', ' a', '[x]', '{x}', 'x,y', '*a', '&a', '!a', '|', '>', '%a', '@a', '`a`', 'a'.repeat(1100), 'k'.repeat(1030)];
const ALPHABET = ['a', 'b', 'Z', '0', '9', ' ', ':', '#', '-', "'", '"', '\n', '\t', '\\', ',', '[', '{', '.', '_', 'é', '\u{1F600}', '\u2028', '\r', '\x01', '/'];

function randomString(r: () => number): string {
  if (r() < 0.35) return TRICKY[Math.floor(r() * TRICKY.length)];
  let s = '';
  const n = Math.floor(r() * 12);
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(r() * ALPHABET.length)];
  return s;
}

function randomValue(r: () => number, depth: number): unknown {
  const x = r();
  if (depth > 4 || x < 0.4) {
    const y = r();
    if (y < 0.55) return randomString(r);
    if (y < 0.7) return Math.floor(r() * 2000) - 1000;
    // Floats send the whole document to js-yaml's own path; keep them rare so most documents test the fast writer.
    if (y < 0.71) return [1.5, -0, 1e21, 2 ** 53 + 2, NaN, Infinity][Math.floor(r() * 6)];
    if (y < 0.75) return [2 ** 53 + 2, 1e21, -7, 0][Math.floor(r() * 4)];
    if (y < 0.85) return r() < 0.5;
    if (y < 0.93) return null;
    return undefined;
  }
  if (x < 0.65) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
  const obj: { [key: string]: unknown } = {};
  const n = Math.floor(r() * 5);
  for (let i = 0; i < n; i++) obj[randomString(r)] = randomValue(r, depth + 1);
  return obj;
}

/** Checks the writer on `count` random documents and the bench's objects; throws on the first difference. */
export function checkYamlEquivalence(count = 20000, seed = 7): { documents: number } {
  const docs: unknown[] = [...floorObjects('submission-0123456789', 'sandbox-jobs', submissionCode(1)), { s: TRICKY }, Object.fromEntries(TRICKY.map((t, i) => [t, i]))];
  const r = prng(seed);
  for (let i = 0; i < count; i++) {
    const v = randomValue(r, 0);
    docs.push(v !== null && typeof v === 'object' ? v : { v });
  }
  for (const [i, doc] of docs.entries()) {
    const expected = jsYaml.dump(doc, OPTIONS);
    const actual = toYaml([doc as any]);
    if (actual !== expected) {
      throw new Error(`toYaml differs from js-yaml on document ${i} (seed ${seed}): ${JSON.stringify(doc)}\n--- js-yaml\n${expected}--- toYaml\n${actual}`);
    }
  }
  return { documents: docs.length };
}

if (require.main === module) {
  const count = Number(process.argv[2] ?? 200000);
  const seed = Number(process.argv[3] ?? Date.now() % 100000);
  console.log(`seed ${seed}:`, checkYamlEquivalence(count, seed));
}
