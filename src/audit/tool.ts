// The tool's name and version, as reports state them.
import * as fs from 'fs';
import * as path from 'path';

let cached: string | undefined;

/** The version in the package's own package.json (found upwards from this file), or `0.0.0`. */
export function toolVersion(): string {
  if (cached !== undefined) return cached;
  cached = '0.0.0';
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'package.json');
    try {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8'));
      if (pkg.name === 'cdk8s-sandbox' && typeof pkg.version === 'string') { cached = pkg.version; break; }
    } catch {
      // not here; keep looking upwards
    }
    if (path.dirname(dir) === dir) break;
  }
  return cached!;
}
