// The code run's result wrapper, run for real: the generated `sh -c` command under dash (/bin/sh), bash and, when
// `which busybox` finds one, busybox alone (its sh, timeout, tee, tail, tr, date and awk, and sleep), with a temp file as the
// termination message path. The programs it wraps are node scripts, so that every byte they write is exact.
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  RUN_RESULT_FORMAT, RUN_RESULT_STDERR_TAIL_BYTES, RUN_RESULT_WRAPPER_SCRIPT, RunResultMessage, TERMINATION_MESSAGE_MAX_BYTES,
  parseRunResultMessage, parseRunResultWrapperCommand, runResultWrapperCommand,
} from '../src/builders/run-wrapper';

const NODE = process.execPath;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'run-wrapper-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A program that runs `code` (JavaScript) in node. */
const js = (code: string) => [NODE, '-e', code];

/** The path of `name` on PATH, or undefined. */
function which(name: string): string | undefined {
  try {
    return execFileSync('which', [name], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A shell to run the wrapper with: the program standing for `sh`, and the PATH its tools come from. */
interface Shell { readonly name: string; readonly argv: string[]; readonly pathEnv: string }

/** busybox alone: a folder of its applets, the only one on PATH. */
function busyboxShell(busybox: string): Shell {
  const dir = path.join(tmp, 'busybox-bin');
  fs.mkdirSync(dir);
  for (const applet of ['sh', 'timeout', 'tee', 'tail', 'tr', 'date', 'awk', 'sleep']) fs.symlinkSync(busybox, path.join(dir, applet));
  return { name: 'busybox', argv: [path.join(dir, 'sh')], pathEnv: dir };
}

const busybox = which('busybox');
// Language.SHELL's image is busybox, so its runs matter: skipped on a developer machine without it, never under CI.
const inCi = process.env.CI === 'true';
if (!busybox) console.warn(`run-wrapper: ${inCi ? 'CI=true, so failing:' : 'skipping the busybox runs:'} \`which busybox\` finds none (apt-get install -y busybox to run them)`);
if (!busybox && inCi) test('busybox is installed (CI=true: nothing important is skipped)', () => { throw new Error('busybox is missing: .ci/run installs it'); });
const shells: Shell[] = [
  { name: `/bin/sh (${path.basename(fs.realpathSync('/bin/sh'))})`, argv: ['/bin/sh'], pathEnv: process.env.PATH ?? '' },
  { name: 'bash', argv: [which('bash') ?? 'bash'], pathEnv: process.env.PATH ?? '' },
  ...(busybox ? [busyboxShell(busybox)] : []),
];

/** One wrapped run: the container's exit status, its stdout and stderr, wall time, and the termination message. */
interface Run {
  readonly status: number | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly ms: number;
  /** The termination message file's bytes. */
  readonly file: Buffer;
  /** The file parsed as JSON. */
  readonly json: any;
  readonly message?: RunResultMessage;
}

let counter = 0;

/** The processes below `pid` (coreutils timeout puts itself and the code in a process group of their own). */
function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* gone */ }
  }
  const found: number[] = [];
  for (let level = [pid]; level.length; found.push(...level)) {
    const above = level;
    level = [...parents].filter(([, parent]) => above.includes(parent)).map(([child]) => child);
  }
  return found;
}

/** Runs `command` under the wrapper with `shell`; `onStderr` is called once, when stderr first brings data. */
function runWrapped(shell: Shell, command: string[], timeoutSeconds = 30, killGraceSeconds = 1, onStderr?: (pid: number, messagePath: string) => void): Promise<Run> {
  const messagePath = path.join(tmp, `message-${++counter}`);
  fs.writeFileSync(messagePath, ''); // the kubelet creates the file before the container starts
  const [, ...args] = runResultWrapperCommand(command, { timeoutSeconds, killGraceSeconds, terminationMessagePath: messagePath });
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(shell.argv[0], [...shell.argv.slice(1), ...args], { env: { ...process.env, PATH: shell.pathEnv }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => {
      if (err.length === 0) onStderr?.(child.pid!, messagePath);
      err.push(c);
    });
    child.on('error', reject);
    child.on('close', (status) => {
      const file = fs.readFileSync(messagePath);
      let json: any;
      try { json = JSON.parse(file.toString('utf8')); } catch { json = undefined; }
      resolve({ status, stdout: Buffer.concat(out), stderr: Buffer.concat(err), ms: Date.now() - started, file, json, message: parseRunResultMessage(file.toString('utf8')) });
    });
  });
}

/**
 * What the wrapper makes of stderr, in JavaScript: the newest RUN_RESULT_STDERR_TAIL_BYTES bytes, starting at a
 * character, each whole UTF-8 character kept and every other byte (NUL included) shown as U+FFFD.
 */
function expectedTail(stderr: Buffer): string {
  let bytes = stderr.length > RUN_RESULT_STDERR_TAIL_BYTES ? stderr.subarray(stderr.length - RUN_RESULT_STDERR_TAIL_BYTES) : stderr;
  if (stderr.length > RUN_RESULT_STDERR_TAIL_BYTES) for (let k = 0; k < 3 && (bytes[0] & 0xc0) === 0x80; k++) bytes = bytes.subarray(1);
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const x = bytes[i];
    const length = x > 0 && x < 0x80 ? 1 : x >= 0xc2 && x <= 0xdf ? 2 : x >= 0xe0 && x <= 0xef ? 3 : x >= 0xf0 && x <= 0xf4 ? 4 : 0;
    const low = x === 0xe0 ? 0xa0 : x === 0xf0 ? 0x90 : 0x80;
    const high = x === 0xed ? 0x9f : x === 0xf4 ? 0x8f : 0xbf;
    let whole = length > 0 && i + length <= bytes.length;
    for (let j = 1; whole && j < length; j++) whole = bytes[i + j] >= (j === 1 ? low : 0x80) && bytes[i + j] <= (j === 1 ? high : 0xbf);
    out += whole ? bytes.subarray(i, i + length).toString('utf8') : '\uFFFD';
    i += whole ? length : 1;
  }
  return out;
}

/** Bytes from a seeded generator (xorshift), so that a failure can be replayed. */
function randomBytes(seed: number, length: number): Buffer {
  let state = seed >>> 0 || 1;
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    out[i] = state & 0xff;
  }
  return out;
}

/** A program that writes `bytes` to stderr and exits `code`. */
const writesStderr = (bytes: Buffer, code = 0) => js(`process.stderr.write(Buffer.from(${JSON.stringify(bytes.toString('base64'))}, 'base64'), () => process.exit(${code}))`);

/** Every byte that needs care: controls, NUL, quote, backslash, DEL, a whole 2- and 4-byte character, and bytes that are not UTF-8. */
const NASTY = Buffer.from([
  0x41, 0x00, 0x22, 0x5c, 0x0a, 0x09, 0x0d, 0x01, 0x1f, 0x7f, 0xc3, 0xa9, 0xff, 0xc0, 0xaf, 0xed, 0xa0, 0x80,
  0xf0, 0x9f, 0x98, 0x80, 0xf4, 0x90, 0x80, 0x80, 0x80, 0xe2, 0x82,
]);
/** 1 MiB of stderr, ending in a line the tail must keep (made by the program: it is too long for an argument). */
const HUGE_CODE = 'Buffer.from(`${"x".repeat(1023)}\\n`.repeat(1024) + "the last line\\n")';
const HUGE: Buffer = eval(HUGE_CODE);
const RANDOM_SEEDS = [1, 7, 2024];

const CASES = {
  ok: { command: js('process.stdout.write("hello, secret stdout\\n"); process.stderr.write("a warning\\n")') },
  fails: { command: js('process.stderr.write("Traceback (most recent call last):\\nValueError: bad input\\n"); process.exitCode = 3') },
  exits42: { command: js('process.exit(42)') },
  killedBySignal: { command: js('process.kill(process.pid, "SIGUSR2")') },
  exits124Early: { command: js('process.stderr.write("my own 124\\n"); process.exit(124)') },
  // sh and sleep, which start at once even while the other cases load the machine.
  softTimeout: { command: ['sh', '-c', 'echo sleeping; exec sleep 30'], timeout: 2 },
  softTimeoutKill: { command: ['sh', '-c', 'trap "" TERM; echo stubborn; exec sleep 30'], timeout: 2 },
  huge: { command: js(`process.stderr.write(${HUGE_CODE}, () => process.exit(1))`) },
  quotes: { command: writesStderr(Buffer.from('"'.repeat(10000)), 1) },
  controls: { command: writesStderr(Buffer.alloc(5000, 0x01), 1) },
  nasty: { command: writesStderr(NASTY, 2) },
  cutCharacter: { command: writesStderr(Buffer.from('✓'.repeat(1000))) },
  backgroundHolder: {
    // Exits at once, but a detached child keeps stderr open for 1.5 s.
    command: js('require("child_process").spawn(process.execPath, ["-e", "setTimeout(() => {}, 1500)"], { detached: true, stdio: ["ignore", "ignore", "inherit"] }).unref()'),
  },
  ...Object.fromEntries(RANDOM_SEEDS.map((seed) => [`random${seed}`, { command: writesStderr(randomBytes(seed, 300)) }])),
  ...Object.fromEntries(RANDOM_SEEDS.map((seed) => [`randomLong${seed}`, { command: writesStderr(randomBytes(seed, 9000)) }])),
} as { [name: string]: { command: string[]; timeout?: number } };

describe('the wrapper command', () => {
  test('is sh -c, the script, its name, the timeout, the grace, the path, then the command', () => {
    const command = runResultWrapperCommand(['python3', '/workspace/main.py'], { timeoutSeconds: 30, killGraceSeconds: 5, terminationMessagePath: '/dev/termination-log' });
    expect(command).toEqual(['sh', '-c', RUN_RESULT_WRAPPER_SCRIPT, 'cdk8s-sandbox-run', '30', '5', '/dev/termination-log', 'python3', '/workspace/main.py']);
    expect(parseRunResultWrapperCommand(command)).toEqual({ timeoutSeconds: 30, killGraceSeconds: 5, terminationMessagePath: '/dev/termination-log', command: ['python3', '/workspace/main.py'] });
  });

  test('is recognised only as made: another script, a plain timeout or no command is not one', () => {
    const command = runResultWrapperCommand(['sh'], { timeoutSeconds: 2, killGraceSeconds: 1, terminationMessagePath: '/tmp/m' });
    expect(parseRunResultWrapperCommand(command.map((a, i) => (i === 2 ? `${a}\n` : a)))).toBeUndefined();
    expect(parseRunResultWrapperCommand(command.slice(0, 7))).toBeUndefined();
    expect(parseRunResultWrapperCommand(command.map((a, i) => (i === 4 ? '2.5' : a)))).toBeUndefined();
    expect(parseRunResultWrapperCommand(['timeout', '-k', '5', '30', 'python3', 'main.py'])).toBeUndefined();
  });

  test('refuses a timeout or grace that is not a whole number of seconds, a relative path and an empty command', () => {
    const options = { timeoutSeconds: 30, killGraceSeconds: 5, terminationMessagePath: '/dev/termination-log' };
    expect(() => runResultWrapperCommand(['x'], { ...options, timeoutSeconds: 0 })).toThrow('timeoutSeconds must be a whole number of seconds, at least 1, got 0');
    expect(() => runResultWrapperCommand(['x'], { ...options, killGraceSeconds: 1.5 })).toThrow('killGraceSeconds must be a whole number of seconds, at least 1, got 1.5');
    expect(() => runResultWrapperCommand(['x'], { ...options, terminationMessagePath: 'termination-log' })).toThrow('terminationMessagePath must be an absolute path, got "termination-log"');
    expect(() => runResultWrapperCommand([], options)).toThrow('the command is empty');
  });

  test('the script is ASCII without tabs, holds no `$$` (the kubelet makes it `$`), and its awk program no single quote', () => {
    expect(RUN_RESULT_WRAPPER_SCRIPT).toMatch(/^[\x20-\x7e\n]+$/);
    expect(RUN_RESULT_WRAPPER_SCRIPT).not.toContain('$$');
    const awk = RUN_RESULT_WRAPPER_SCRIPT.split("-v s=\"$s\" '")[1].split("\n}'; }")[0];
    expect(awk.length).toBeGreaterThan(1000);
    expect(awk).not.toContain("'");
  });
});

test('without awk the code still runs and the container exits with its status; no message is written', async () => {
  const dir = path.join(tmp, 'no-awk-bin');
  fs.mkdirSync(dir);
  for (const tool of ['sh', 'timeout', 'tee', 'tail', 'tr', 'date']) fs.symlinkSync(which(tool)!, path.join(dir, tool));
  const run = await runWrapped({ name: 'no awk', argv: ['/bin/sh'], pathEnv: dir }, js('process.stdout.write("out\\n"); process.stderr.write("err\\n"); process.exit(7)'));
  expect(run.status).toBe(7);
  expect(run.stdout.toString()).toBe('out\n');
  // The shell says so (when the pipeline starts), beside the code's own stderr.
  const notFound = /cdk8s-sandbox-run: \d+: awk: not found\n/;
  expect(run.stderr.toString()).toMatch(notFound);
  expect(run.stderr.toString().replace(notFound, '')).toBe('err\n');
  expect(run.file.length).toBe(0);
});

describe('parsing a termination message', () => {
  const message = { format: RUN_RESULT_FORMAT, exitCode: 124, stoppedBy: 'soft-timeout', durationSeconds: 30, stderrTruncated: false, stderrTail: 'x\n' };

  test('gives the result of one of ours, with only the known fields', () => {
    expect(parseRunResultMessage(JSON.stringify(message))).toEqual(message);
    expect(parseRunResultMessage(JSON.stringify({ ...message, stoppedBy: undefined, extra: 1 }))).toEqual({ format: RUN_RESULT_FORMAT, exitCode: 124, durationSeconds: 30, stderrTruncated: false, stderrTail: 'x\n' });
  });

  test('is undefined for the kubelet\'s log-tail fallback, an empty file, and anything else', () => {
    expect(parseRunResultMessage('Traceback (most recent call last):\n  File "/workspace/main.py", line 1\nValueError: bad\n')).toBeUndefined();
    expect(parseRunResultMessage('{"level":"error","msg":"a JSON log line"}\n')).toBeUndefined();
    expect(parseRunResultMessage('')).toBeUndefined();
    expect(parseRunResultMessage('null')).toBeUndefined();
    expect(parseRunResultMessage('[1]')).toBeUndefined();
    expect(parseRunResultMessage(JSON.stringify({ ...message, format: 'cdk8s-sandbox.io/run-result/v2' }))).toBeUndefined();
    expect(parseRunResultMessage(JSON.stringify({ ...message, stoppedBy: 'deadline' }))).toBeUndefined();
    expect(parseRunResultMessage(JSON.stringify({ ...message, exitCode: '124' }))).toBeUndefined();
    expect(parseRunResultMessage(JSON.stringify({ ...message, exitCode: 256 }))).toBeUndefined();
    expect(parseRunResultMessage(JSON.stringify({ ...message, durationSeconds: -1 }))).toBeUndefined();
    expect(parseRunResultMessage(JSON.stringify({ ...message, stderrTail: undefined }))).toBeUndefined();
    expect(parseRunResultMessage(JSON.stringify({ ...message, stderrTruncated: 'no' }))).toBeUndefined();
    // A message the kubelet cut (it keeps the last 4096 bytes) is not one either.
    expect(parseRunResultMessage(JSON.stringify(message).slice(10))).toBeUndefined();
  });
});

describe.each(shells)('run for real under $name', (shell) => {
  const runs: { [name: string]: Run } = {};
  let killed: { emptyWhileRunning: boolean; run: Run } | undefined;

  beforeAll(async () => {
    const names = Object.keys(CASES);
    const results = await Promise.all(names.map((name) => runWrapped(shell, CASES[name].command, CASES[name].timeout ?? 30)));
    names.forEach((name, i) => { runs[name] = results[i]; });
    // Killed mid-run (as the hard deadline or an OOM kill of the container kills it): the file stays empty.
    let emptyWhileRunning = false;
    const run = await runWrapped(shell, js('process.stderr.write("working\\n"); setTimeout(() => {}, 30000)'), 30, 1, (pid, messagePath) => {
      emptyWhileRunning = fs.readFileSync(messagePath).length === 0;
      // The whole container dies at once: the wrapper and everything it started (stopped first, so no shell
      // of the wrapper outlives its child long enough to report it).
      const all = [pid, ...descendantsOf(pid)];
      for (const signal of ['SIGSTOP', 'SIGKILL'] as const) {
        for (const each of all) {
          try { process.kill(each, signal); } catch { /* already gone */ }
        }
      }
    });
    killed = { emptyWhileRunning, run };
  }, 60_000);

  /** A run's message, after checking the file is one JSON object within the kubelet's limit that parses as ours. */
  function messageOf(name: string): RunResultMessage {
    const run = runs[name];
    expect(run.file.length).toBeGreaterThan(0);
    expect(run.file.length).toBeLessThanOrEqual(TERMINATION_MESSAGE_MAX_BYTES);
    expect(run.json).toBeDefined();
    // Valid UTF-8 throughout: decoding and encoding again gives the same bytes.
    expect(Buffer.from(run.file.toString('utf8'), 'utf8').equals(run.file)).toBe(true);
    expect(run.message).toEqual(run.json);
    return run.message!;
  }

  test('a normal exit: status 0, stdout and stderr each in their own stream, only stderr in the message', () => {
    const run = runs.ok;
    expect(run.status).toBe(0);
    expect(run.stdout.toString()).toBe('hello, secret stdout\n');
    expect(run.stderr.toString()).toBe('a warning\n');
    const message = messageOf('ok');
    expect(message).toEqual({ format: RUN_RESULT_FORMAT, exitCode: 0, durationSeconds: message.durationSeconds, stderrTail: 'a warning\n', stderrTruncated: false });
    expect(message.durationSeconds).toBeLessThanOrEqual(2);
    expect(run.file.toString()).not.toContain('hello');
    expect(run.file.toString().startsWith(`{"format":"${RUN_RESULT_FORMAT}","exitCode":0,"durationSeconds":`)).toBe(true);
  });

  test('a failure: the program\'s status and the tail of its stderr', () => {
    expect(runs.fails.status).toBe(3);
    expect(messageOf('fails')).toMatchObject({ exitCode: 3, stderrTail: 'Traceback (most recent call last):\nValueError: bad input\n', stderrTruncated: false });
    expect(messageOf('fails').stoppedBy).toBeUndefined();
  });

  test('the exit status passes through: a plain exit, and death by a signal (128 + SIGUSR2)', () => {
    expect(runs.exits42.status).toBe(42);
    expect(messageOf('exits42')).toMatchObject({ exitCode: 42, stderrTail: '' });
    expect(runs.killedBySignal.status).toBe(128 + os.constants.signals.SIGUSR2);
    expect(messageOf('killedBySignal').exitCode).toBe(128 + os.constants.signals.SIGUSR2);
    expect(messageOf('killedBySignal').stoppedBy).toBeUndefined();
  });

  test('code that exits 124 by itself, well before the timeout, was not stopped by it', () => {
    expect(runs.exits124Early.status).toBe(124);
    const message = messageOf('exits124Early');
    expect(message).toMatchObject({ exitCode: 124, stderrTail: 'my own 124\n' });
    expect(message.stoppedBy).toBeUndefined();
  });

  test('the soft timeout: SIGTERM after 2 s ends the sleeper (124; busybox\'s timeout: 143)', () => {
    const run = runs.softTimeout;
    const expected = shell.name === 'busybox' ? 143 : 124;
    expect(run.status).toBe(expected);
    expect(run.stdout.toString()).toBe('sleeping\n');
    expect(run.stderr.toString()).toBe('');
    expect(run.ms).toBeGreaterThanOrEqual(2000);
    expect(run.ms).toBeLessThan(10_000);
    const message = messageOf('softTimeout');
    expect(message).toMatchObject({ exitCode: expected, stoppedBy: 'soft-timeout', stderrTail: '', stderrTruncated: false });
    expect(message.durationSeconds).toBeGreaterThanOrEqual(2);
  });

  test('the soft timeout of code that ignores SIGTERM: SIGKILL after the 1 s grace, 137', () => {
    const run = runs.softTimeoutKill;
    expect(run.status).toBe(137);
    expect(run.stdout.toString()).toBe('stubborn\n');
    expect(run.stderr.toString()).toBe('');
    expect(run.ms).toBeGreaterThanOrEqual(3000);
    expect(run.ms).toBeLessThan(10_000);
    const message = messageOf('softTimeoutKill');
    expect(message).toMatchObject({ exitCode: 137, stoppedBy: 'soft-timeout', stderrTail: '' });
    expect(message.durationSeconds).toBeGreaterThanOrEqual(3);
  });

  test('1 MiB of stderr: all of it in the container\'s stderr, its newest 2 KiB in the message, marked truncated', () => {
    const run = runs.huge;
    expect(run.status).toBe(1);
    expect(run.stderr.equals(HUGE)).toBe(true);
    const message = messageOf('huge');
    expect(message.stderrTruncated).toBe(true);
    expect(message.stderrTail).toBe(HUGE.subarray(HUGE.length - RUN_RESULT_STDERR_TAIL_BYTES).toString());
    expect(message.stderrTail.endsWith('x\nthe last line\n')).toBe(true);
  });

  test('stderr of quotes only, or of control characters only: the newest that fit, never an escape cut, at most 4096 bytes', () => {
    const quotes = messageOf('quotes');
    expect(quotes.stderrTruncated).toBe(true);
    expect(quotes.stderrTail).toMatch(/^"+$/);
    expect(runs.quotes.file.toString()).toMatch(/"stderrTail":"(\\"){1900,}"\}$/);
    expect(runs.quotes.file.length).toBeGreaterThan(TERMINATION_MESSAGE_MAX_BYTES - 2);
    const controls = messageOf('controls');
    expect(controls.stderrTruncated).toBe(true);
    expect(controls.stderrTail).toMatch(/^\u0001{600,}$/);
    expect(runs.controls.file.toString()).toMatch(/"stderrTail":"(\\u0001){600,}"\}$/);
    expect(runs.controls.file.length).toBeGreaterThan(TERMINATION_MESSAGE_MAX_BYTES - 6);
  });

  test('every byte that needs care is escaped or replaced, and passed through to stderr untouched', () => {
    const run = runs.nasty;
    expect(run.status).toBe(2);
    expect(run.stderr.equals(NASTY)).toBe(true);
    const message = messageOf('nasty');
    expect(message.stderrTail).toBe('A\uFFFD"\\\n\t\r\u0001\u001f\u007fé\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD😀\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD');
    expect(message.stderrTail).toBe(expectedTail(NASTY));
    expect(message.stderrTruncated).toBe(false);
    expect(run.file.toString()).toContain(String.raw`"stderrTail":"A�\"\\\n\t\r\u0001\u001f`);
  });

  test('a tail cut inside a character starts at the next one', () => {
    const message = messageOf('cutCharacter');
    expect(message).toMatchObject({ exitCode: 0, stderrTruncated: true, stderrTail: '✓'.repeat(682) });
  });

  test('random bytes: exactly the JavaScript decoding when it fits; a suffix of it, within 4096 bytes, when it does not', () => {
    for (const seed of RANDOM_SEEDS) {
      const short = messageOf(`random${seed}`);
      expect(short).toMatchObject({ stderrTail: expectedTail(randomBytes(seed, 300)), stderrTruncated: false });
      const long = messageOf(`randomLong${seed}`);
      expect(long.stderrTruncated).toBe(true);
      expect(expectedTail(randomBytes(seed, 9000)).endsWith(long.stderrTail)).toBe(true);
      expect(long.stderrTail.length).toBeGreaterThan(500);
    }
  });

  test('a background process holding stderr open: the run ends when it lets go, and the message follows', () => {
    const run = runs.backgroundHolder;
    expect(run.status).toBe(0);
    expect(run.ms).toBeGreaterThanOrEqual(1400);
    expect(messageOf('backgroundHolder')).toMatchObject({ exitCode: 0, stderrTail: '' });
  });

  test('the message is written at the end only: empty while the code runs, and still empty when the run is killed', () => {
    expect(killed!.emptyWhileRunning).toBe(true);
    expect(killed!.run.status).toBeNull();
    expect(killed!.run.stderr.toString()).toBe('working\n');
    expect(killed!.run.file.length).toBe(0);
  });
});
