// Splits a YAML stream into its documents as text arrives, so a large manifest set is parsed one
// document at a time (memory bounded by the largest document), and parses each one, keeping lines,
// with the reader that decodes YAML as kubectl does (kube-yaml.ts).
import { readKubeYaml } from './kube-yaml';

/** One YAML document's text, with where it starts in its file. */
export interface RawDocument {
  /** The document's lines (without line endings), its `---` marker included when it has one. */
  readonly lines: readonly string[];
  /** 1-based line of `lines[0]` in the file. */
  readonly startLine: number;
}

/** A parsed document: its value and the line of its first content. */
export interface ParsedDocument {
  readonly value: unknown;
  /** 1-based line of the document's first content line (its first key, for a mapping). */
  readonly line: number;
}

/** A syntax error with its 1-based line in the file. */
export interface SyntaxProblem {
  readonly line: number;
  readonly message: string;
}

const DOCUMENT_START = /^---(?:[ \t]|$)/;

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

const DOCUMENT_END = /^\.\.\.(?:[ \t]|$)/;

/**
 * Cuts a stream of text into YAML documents at `---` and `...` lines. A document marker at the start
 * of a line can never be content in YAML (not even inside a block scalar), so the cut is exact.
 */
export class DocumentSplitter {
  private pending = '';
  private lines: string[] = [];
  private startLine = 1;
  private lineNumber = 0;

  /** @param onDocument receives each document as soon as it is complete. */
  constructor(private readonly onDocument: (doc: RawDocument) => void) {}

  /** Feeds more text (any size, lines may be cut anywhere). */
  write(text: string): void {
    let start = 0;
    let end = text.indexOf('\n');
    if (end < 0) { this.pending += text; return; }
    // One line at a time: the lines of finished documents become garbage at once instead of
    // living as long as the block they came from.
    this.line(stripCr(this.pending + text.slice(0, end)));
    this.pending = '';
    start = end + 1;
    while ((end = text.indexOf('\n', start)) >= 0) {
      this.line(stripCr(text.slice(start, end)));
      start = end + 1;
    }
    this.pending = text.slice(start);
  }

  /** Flushes the last document. */
  end(): void {
    if (this.pending !== '') this.line(stripCr(this.pending));
    this.pending = '';
    this.flush();
  }

  private line(line: string): void {
    this.lineNumber++;
    const first = line.charCodeAt(0);
    if (first !== 45 /* - */ && first !== 46 /* . */) {
      if (this.lines.length === 0) this.startLine = this.lineNumber;
      this.lines.push(line);
    } else if (DOCUMENT_START.test(line)) {
      this.flush();
      this.startLine = this.lineNumber;
      this.lines.push(line);
    } else if (DOCUMENT_END.test(line)) {
      this.lines.push(line);
      this.flush();
      this.startLine = this.lineNumber + 1;
    } else {
      if (this.lines.length === 0) this.startLine = this.lineNumber;
      this.lines.push(line);
    }
  }

  private flush(): void {
    if (this.lines.length > 0) this.onDocument({ lines: this.lines, startLine: this.startLine });
    this.lines = [];
  }
}

/** Whether a line holds content (not blank, not only a comment, not a bare document marker). */
export function isContentLine(line: string): boolean {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return false;
  if (trimmed === '---' || trimmed === '...') return false;
  if (DOCUMENT_START.test(line) && /^---\s+#/.test(line)) return false;
  return !trimmed.startsWith('%');
}

/** 1-based file line of the document's first content line, or of its start when it has none. */
export function firstContentLine(doc: RawDocument): number {
  const index = doc.lines.findIndex(isContentLine);
  return doc.startLine + Math.max(index, 0);
}

/**
 * Parses one raw document (normally one YAML document) into the values kubectl would decode, or
 * a problem with its file line: a syntax error, or YAML that kubectl reads in a way the reader
 * does not reproduce exactly (see kube-yaml.ts). Empty documents are left out.
 */
export function parseDocument(doc: RawDocument): { documents: ParsedDocument[]; error?: SyntaxProblem } {
  const { documents, error } = readKubeYaml(doc.lines.join('\n'), doc.startLine);
  const first = firstContentLine(doc);
  const parsed = documents
    .map((d, i) => ({ value: d.value, line: i === 0 ? first : d.line }))
    .filter((d) => d.value !== null && d.value !== undefined);
  return error ? { documents: parsed, error } : { documents: parsed };
}

/**
 * The 1-based lines where the elements of a JSON document's top-level `items` array start,
 * found in one pass over the text (JSON has no line positions after `JSON.parse`).
 */
export function jsonItemLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let lastKey = '';
  let keyStart = -1;
  let itemsDepth = -1;
  let expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') { line++; continue; }
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') { inString = false; lastKey = text.slice(keyStart, i); }
      continue;
    }
    if (ch === '"') {
      if (expectValue && itemsDepth === depth) { lines.push(line); expectValue = false; }
      inString = true; keyStart = i + 1; continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') continue;
    if (ch === ',') { if (itemsDepth === depth) expectValue = true; continue; }
    if (ch === ':') continue;
    if (ch === '[' && depth === 1 && lastKey === 'items' && itemsDepth < 0) {
      depth++; itemsDepth = depth; expectValue = true; continue;
    }
    if (ch === '}' || ch === ']') {
      if (depth === itemsDepth) { itemsDepth = -2; expectValue = false; }
      depth--;
      continue;
    }
    if (expectValue && itemsDepth === depth) { lines.push(line); expectValue = false; }
    if (ch === '{' || ch === '[') depth++;
  }
  return lines;
}
