// Deep comparison of plain JSON values, reporting where two values first differ.

/** JSON paths where `a` and `b` differ (at most `limit`). */
export function jsonDiff(a: unknown, b: unknown, path = '', out: string[] = [], limit = 10): string[] {
  if (out.length >= limit) return out;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path || '.'}: ${a.length} items vs ${b.length}`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) jsonDiff(a[i], b[i], `${path}[${i}]`, out, limit);
    return out;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of [...keys].sort()) {
      if (!(k in a)) out.push(`${path}.${k}: missing on the left`);
      else if (!(k in b)) out.push(`${path}.${k}: missing on the right`);
      else jsonDiff((a as any)[k], (b as any)[k], `${path}.${k}`, out, limit);
    }
    return out;
  }
  if (a !== b) out.push(`${path || '.'}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  return out;
}
