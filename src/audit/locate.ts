// Finds the line of a JSON path (`spec.template.spec.containers[0].image`) in a block-style YAML
// document by indentation alone, so findings point at the field without a slow position-keeping
// parser. Best effort: it returns the deepest part of the path it could find, and never guesses.

/** One step of a JSON path: a mapping key or a sequence index. */
export type PathSegment = string | number;

/** Splits `a.b[0]["c.d"].e-f` into `['a', 'b', 0, 'c.d', 'e-f']`. */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  const re = /\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\.?([^.[\]]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path)) !== null) {
    if (m[1] !== undefined) segments.push(Number(m[1]));
    else if (m[2] !== undefined) segments.push(m[2].replace(/\\(.)/g, '$1'));
    else if (m[3] !== undefined) segments.push(m[3]);
  }
  return segments;
}

interface Block {
  /** First and past-the-last line index of the block. */
  readonly from: number;
  readonly to: number;
  /** Column where the block's keys (or sequence dashes) start. */
  readonly column: number;
}

/** Column of the first non-space character (the line's length when blank). */
function indentOf(line: string): number {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) === 32) i++;
  return i;
}

function isContent(line: string): boolean {
  const i = indentOf(line);
  if (i === line.length) return false;
  const c = line.charCodeAt(i);
  if (c === 35 /* # */ || c === 9 /* tab: blank */) return false;
  if (i === 0 && (c === 37 /* % */ || ((c === 45 || c === 46) && /^(---|\.\.\.)(\s|$)/.test(line)))) return false;
  return true;
}

/** Column of a line's content after any leading `- ` sequence markers. */
function keyColumn(line: string): number {
  let i = indentOf(line);
  while (line.charCodeAt(i) === 45 /* - */ && (line.charCodeAt(i + 1) === 32 || i + 1 === line.length)) {
    i++;
    while (line.charCodeAt(i) === 32) i++;
  }
  return i;
}

/** Whether the line continues, from `at`, with optional spaces and a colon ending the key. */
function colonAfter(line: string, at: number): boolean {
  let i = at;
  while (line.charCodeAt(i) === 32) i++;
  if (line.charCodeAt(i) !== 58 /* : */) return false;
  const next = line.charCodeAt(i + 1);
  return i + 1 === line.length || next === 32 || next === 9;
}

/** Whether `line` holds `key:` at `column`, plain or quoted. */
function keyAt(line: string, column: number, key: string): boolean {
  if (line.startsWith(key, column)) return colonAfter(line, column + key.length);
  const quote = line.charAt(column);
  if ((quote === '"' || quote === "'") && line.startsWith(key, column + 1) && line.charAt(column + 1 + key.length) === quote) {
    return colonAfter(line, column + key.length + 2);
  }
  return false;
}

/** Whether the value of the key on this line continues on the lines below as a nested collection (not inline, not a block scalar). */
function nestedValue(line: string, column: number): boolean {
  const afterColon = line.slice(column).replace(/^(?:"(?:[^"\\]|\\.)*"|'[^']*'|[^:]*?)\s*:/, '');
  const value = afterColon.trim().replace(/^&\S+\s*/, '').replace(/^!\S*\s*/, '');
  return value === '' || value.startsWith('#');
}

/** The block that holds the value of the key at line `at`, at column `column`. */
function valueBlock(lines: readonly string[], at: number, column: number, end: number): Block | undefined {
  let to = at + 1;
  let first = -1;
  for (; to < end; to++) {
    const line = lines[to];
    if (!isContent(line)) continue;
    const indent = indentOf(line);
    if (indent < column || (indent === column && !/^\s*-(\s|$)/.test(line))) break;
    if (first < 0) first = to;
  }
  if (first < 0) return undefined;
  const firstLine = lines[first];
  return { from: first, to, column: /^\s*-(\s|$)/.test(firstLine) ? indentOf(firstLine) : keyColumn(firstLine) };
}

/** Finds `key` among the keys of a mapping block. */
function findKey(lines: readonly string[], block: Block, key: string): number | undefined {
  for (let i = block.from; i < block.to; i++) {
    const line = lines[i];
    if (isContent(line) && keyColumn(line) === block.column && keyAt(line, block.column, key)) return i;
  }
  return undefined;
}

/** Finds item `index` of a sequence block: its first line and its own block. */
function findItem(lines: readonly string[], block: Block, index: number): { at: number; block: Block } | undefined {
  const starts: number[] = [];
  for (let i = block.from; i < block.to; i++) {
    const line = lines[i];
    if (isContent(line) && indentOf(line) === block.column && /^\s*-(\s|$)/.test(line)) starts.push(i);
  }
  const at = starts[index];
  if (at === undefined) return undefined;
  const to = starts[index + 1] ?? block.to;
  const line = lines[at];
  const afterDash = /^(\s*-\s+)/.exec(line);
  if (!afterDash || afterDash[1].length >= line.length) {
    // The item's content starts on a later line.
    const inner = valueBlock(lines, at, block.column + 1, to);
    return { at, block: inner ?? { from: at, to: at, column: block.column + 2 } };
  }
  return { at, block: { from: at, to, column: afterDash[1].length } };
}

/**
 * The 0-based index of the line that holds `path` in `lines` (the lines of one document), or of the
 * deepest part of it that exists; undefined when not even the first segment is found.
 */
export function locatePath(lines: readonly string[], path: readonly PathSegment[]): number | undefined {
  const firstContent = lines.findIndex(isContent);
  if (firstContent < 0) return undefined;
  let block: Block | undefined = { from: firstContent, to: lines.length, column: keyColumn(lines[firstContent]) };
  let found: number | undefined;
  for (const segment of path) {
    if (!block) break;
    if (typeof segment === 'number') {
      const item = findItem(lines, block, segment);
      if (!item) break;
      found = item.at;
      block = item.block;
    } else {
      const at = findKey(lines, block, segment);
      if (at === undefined) break;
      found = at;
      if (!nestedValue(lines[at], block.column)) break;
      block = valueBlock(lines, at, block.column, block.to);
    }
  }
  return found;
}
