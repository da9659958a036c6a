// The streams the CLI commands take, as test doubles that keep what the command wrote.
import type { AuditCommandIo } from '../../src/cli/audit-command';

/** Command io over `cwd`, with `stdinText` on standard input; `out()` and `err()` give what was written. */
export function commandIo(cwd: string, stdinText = ''): AuditCommandIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  async function* stdin() { if (stdinText) yield Buffer.from(stdinText); }
  return {
    stdout: { write: (s: string) => { out += s; } },
    stderr: { write: (s: string) => { err += s; } },
    stdin: stdin(),
    cwd,
    out: () => out,
    err: () => err,
  };
}
