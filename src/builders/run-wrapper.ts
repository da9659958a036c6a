// A code run's result contract: the container command that runs the code under the soft timeout and then writes one
// JSON object (exit code, whether the soft timeout stopped it, duration, the tail of stderr) to the container's
// termination message path, so one GET of the pod tells how the run ended; and the parser of that message.

/** The `format` field of every result message. */
export const RUN_RESULT_FORMAT = 'cdk8s-sandbox.io/run-result/v1';
/** Raw bytes of stderr the message keeps at most (its newest). */
export const RUN_RESULT_STDERR_TAIL_BYTES = 2048;
/** The kubelet keeps at most this many bytes of a termination message. */
export const TERMINATION_MESSAGE_MAX_BYTES = 4096;
/** The wrapper's `$0`: the name its shell uses in its own error messages. */
export const RUN_RESULT_WRAPPER_NAME = 'cdk8s-sandbox-run';

/**
 * The wrapper, a POSIX sh script (dash, busybox ash, bash) that needs `timeout`, `tee`, `tail`, `tr`, `date` and
 * `awk`, and /proc (for /proc/self/fd). Its arguments: the soft timeout, the kill grace, the termination message
 * path, then the command. Without awk the command still runs and the container still exits with its status, but
 * no message is written. The only `$` it holds are shell and awk expansions: no `$$`, which the kubelet would
 * turn into `$`.
 */
export const RUN_RESULT_WRAPPER_SCRIPT = String.raw`# The run's result, as one JSON object in the termination message (${RUN_RESULT_FORMAT}).
# $1: seconds before timeout sends SIGTERM; $2: seconds more before SIGKILL; $3: the termination message path.
t=$1 g=$2 m=$3
shift 3
s=$(date +%s)
exec 3>&1
# The command's stdout is the container's (fd 3). Its stderr goes to tee, which copies it to the container's stderr
# and, through /proc/self/fd/5, to tail, which keeps the newest ${RUN_RESULT_STDERR_TAIL_BYTES + 1} bytes (one more tells that more came);
# tr turns NUL, which awk cannot hold, into 0xFF, a byte that is never UTF-8. The command's status goes to the
# output (fd 6) first, so it survives whatever happens to awk, then with the end time to awk (fd 4); the tail
# follows once stderr is closed. A background process that keeps stderr open keeps the run from finishing: the
# hard deadline (activeDeadlineSeconds) then stops it, with no message. The subshell's exec keeps the shell's
# own "Killed" notices out of stderr.
r=$( { { { (exec timeout -k "$g" "$t" "$@" 2>&1 >&3 3>&- 4>&- 6>&-); c=$?; printf '%s,' "$c" >&6; echo "$c $(date +%s)" >&4; } 2>/dev/null |
    tee /proc/self/fd/5 5>&1 >&2 | { tail -c ${RUN_RESULT_STDERR_TAIL_BYTES + 1}; echo; } | tr '\000' '\377'; } 4>&1 |
  LC_ALL=C awk -v t="$t" -v g="$g" -v s="$s" '
# Prints the message: the bytes of stderr as JSON tokens (an escape, or one whole UTF-8 character), the newest
# that fit in ${TERMINATION_MESSAGE_MAX_BYTES} bytes with the other fields.
BEGIN { for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i }
NR == 1 { c = $1; e = $2; next }
{ b = b (NR > 2 ? "\n" : "") $0 }
END {
  n = length(b); cut = n > ${RUN_RESULT_STDERR_TAIL_BYTES}
  if (cut) {
    b = substr(b, n - ${RUN_RESULT_STDERR_TAIL_BYTES - 1}); n = ${RUN_RESULT_STDERR_TAIL_BYTES}
    # Start at a character: drop the continuation bytes the cut left (at most 3).
    for (k = 0; k < 3 && ord[substr(b, 1, 1)] >= 128 && ord[substr(b, 1, 1)] < 192; k++) { b = substr(b, 2); n-- }
  }
  for (i = 1; i <= n; i += k) {
    x = ord[substr(b, i, 1)]; k = 1
    if (x == 34 || x == 92) tok[++m] = "\\" substr(b, i, 1)
    else if (x == 10) tok[++m] = "\\n"
    else if (x == 9) tok[++m] = "\\t"
    else if (x == 13) tok[++m] = "\\r"
    else if (x < 32) tok[++m] = sprintf("\\u%04x", x)
    else if (x < 128) tok[++m] = substr(b, i, 1)
    else {
      # A UTF-8 sequence: its length, and the range of its second byte (no overlong form, surrogate or > U+10FFFF).
      l = (x >= 194 && x <= 223) ? 2 : (x >= 224 && x <= 239) ? 3 : (x >= 240 && x <= 244) ? 4 : 0
      lo = (x == 224) ? 160 : (x == 240) ? 144 : 128
      hi = (x == 237) ? 159 : (x == 244) ? 143 : 191
      for (j = 1; j < l; j++) {
        y = ord[substr(b, i + j, 1)]
        if (y < (j == 1 ? lo : 128) || y > (j == 1 ? hi : 191)) l = 0
      }
      # Any other byte is shown as U+FFFD.
      if (l) { tok[++m] = substr(b, i, l); k = l } else tok[++m] = "\357\277\275"
    }
  }
  # The soft timeout stopped the command when timeout says so (124; 143 from busybox, which ends it with
  # SIGTERM; 137 after SIGKILL) and the run lasted that long: code that exits 124 by itself earlier is not.
  d = e - s
  stop = ((c == 124 || c == 143) && d >= t + 0) || (c == 137 && d >= t + g)
  head = "{\"format\":\"${RUN_RESULT_FORMAT}\",\"exitCode\":" c (stop ? ",\"stoppedBy\":\"soft-timeout\"" : "") ",\"durationSeconds\":" d ",\"stderrTruncated\":"
  room = ${TERMINATION_MESSAGE_MAX_BYTES} - length(head) - length("false,\"stderrTail\":\"\"}")
  for (i = m; i >= 1 && length(tok[i]) <= room; i--) room -= length(tok[i])
  tail = ""
  for (j = i + 1; j <= m; j++) tail = tail tok[j]
  printf "%s%s,\"stderrTail\":\"%s\"}", head, (cut || i > 0) ? "true" : "false", tail
}'; } 6>&1 )
# Written at the end only: a run killed before (the hard deadline, OOM) leaves the file empty for the kubelet.
j=${"$"}{r#*,}
[ -n "$j" ] && printf '%s' "$j" > "$m"
exit "${"$"}{r%%,*}"
`;

/** How the wrapper runs the command. */
export interface RunResultWrapperOptions {
  /** Seconds before `timeout` sends SIGTERM: a whole number, at least 1. */
  readonly timeoutSeconds: number;
  /** Seconds after SIGTERM before `timeout` sends SIGKILL (`-k`): a whole number, at least 1. */
  readonly killGraceSeconds: number;
  /** The container's `terminationMessagePath`, where the message is written: an absolute path. */
  readonly terminationMessagePath: string;
}

/** The command the wrapper runs, with how it runs it. */
export interface RunResultWrapperCommand extends RunResultWrapperOptions {
  /** The command run under the soft timeout. */
  readonly command: string[];
}

/** The container command that runs `command` under the soft timeout and writes the result message. */
export function runResultWrapperCommand(command: readonly string[], options: RunResultWrapperOptions): string[] {
  if (command.length === 0) throw new RangeError('runResultWrapperCommand: the command is empty; it must name a program');
  for (const [name, value] of [['timeoutSeconds', options.timeoutSeconds], ['killGraceSeconds', options.killGraceSeconds]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`runResultWrapperCommand: ${name} must be a whole number of seconds, at least 1, got ${value}`);
  }
  const messagePath = options.terminationMessagePath;
  if (typeof messagePath !== 'string' || !messagePath.startsWith('/') || messagePath.includes('\0')) {
    throw new RangeError(`runResultWrapperCommand: terminationMessagePath must be an absolute path, got ${JSON.stringify(messagePath)}`);
  }
  return ['sh', '-c', RUN_RESULT_WRAPPER_SCRIPT, RUN_RESULT_WRAPPER_NAME, String(options.timeoutSeconds), String(options.killGraceSeconds), messagePath, ...command];
}

/**
 * The wrapper's options and command when `args` is exactly a command `runResultWrapperCommand` makes (this
 * version's script), else undefined.
 */
export function parseRunResultWrapperCommand(args: readonly string[]): RunResultWrapperCommand | undefined {
  const [shell, flag, script, name, timeout, grace, messagePath, ...command] = args;
  if (shell !== 'sh' || flag !== '-c' || script !== RUN_RESULT_WRAPPER_SCRIPT || name !== RUN_RESULT_WRAPPER_NAME || command.length === 0) return undefined;
  const seconds = (text: string) => (/^[1-9][0-9]*$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : undefined);
  const timeoutSeconds = seconds(timeout);
  const killGraceSeconds = seconds(grace);
  if (timeoutSeconds === undefined || killGraceSeconds === undefined || !messagePath.startsWith('/')) return undefined;
  return { timeoutSeconds, killGraceSeconds, terminationMessagePath: messagePath, command };
}

/** The result a message holds, or undefined when it is not one of ours (e.g. the kubelet's log-tail fallback). */
export interface RunResultMessage {
  /** RUN_RESULT_FORMAT. */
  readonly format: string;
  /** The command's exit status, as the container exits with it: 124 or 143 (busybox) when the soft timeout ended it, 137 after its SIGKILL. */
  readonly exitCode: number;
  /**
   * `soft-timeout` when the soft timeout stopped the command: its exit status says so and the run lasted at least
   * the timeout (the timeout plus the kill grace for 137).
   * @default - absent: the command ended by itself (or was killed by something else)
   */
  readonly stoppedBy?: 'soft-timeout';
  /** Whole seconds from the wrapper's start to the command's end (`date +%s`, so within a second). */
  readonly durationSeconds: number;
  /**
   * The newest bytes of stderr (at most RUN_RESULT_STDERR_TAIL_BYTES), starting at a character; NUL and bytes
   * that are not UTF-8 show as U+FFFD.
   */
  readonly stderrTail: string;
  /** Whether older stderr was left out (more than RUN_RESULT_STDERR_TAIL_BYTES came, or the message had no room for them). */
  readonly stderrTruncated: boolean;
}

/** The result a message holds, or undefined when it is not one of ours (e.g. the kubelet's log-tail fallback). */
export function parseRunResultMessage(message: string): RunResultMessage | undefined {
  let value: any;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value.format !== RUN_RESULT_FORMAT) return undefined;
  const { exitCode, stoppedBy, durationSeconds, stderrTail, stderrTruncated } = value;
  if (!Number.isInteger(exitCode) || exitCode < 0 || exitCode > 255) return undefined;
  if (stoppedBy !== undefined && stoppedBy !== 'soft-timeout') return undefined;
  if (!Number.isInteger(durationSeconds) || durationSeconds < 0) return undefined;
  if (typeof stderrTail !== 'string' || typeof stderrTruncated !== 'boolean') return undefined;
  return { format: RUN_RESULT_FORMAT, exitCode, ...(stoppedBy ? { stoppedBy } : {}), durationSeconds, stderrTail, stderrTruncated };
}
