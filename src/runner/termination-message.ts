// The container's termination message as the kubelet makes it: a writable host file bind-mounted at the container's
// terminationMessagePath, read after the run (its last 4096 bytes); under FallbackToLogsOnError, the tail of the log
// (the last 80 lines, at most 2048 bytes) when the file is empty and the container failed.
import * as path from 'path';
import { BundleFile, OciMount } from './bundle';
import { RunnerError } from './errors';
import { TERMINATION_MESSAGE_MAX_BYTES } from '../builders/run-wrapper';

export { TERMINATION_MESSAGE_MAX_BYTES };

/** Where the kubelet mounts the termination message file when the container names no terminationMessagePath. */
export const DEFAULT_TERMINATION_MESSAGE_PATH = '/dev/termination-log';
/** The termination message file in the bundle. */
export const TERMINATION_LOG_FILE = 'termination-log';
/** Bytes of the log the kubelet puts in the message under FallbackToLogsOnError (the newest). */
export const TERMINATION_MESSAGE_LOG_MAX_BYTES = 2048;
/** Lines of the log the kubelet puts in the message under FallbackToLogsOnError (the newest). */
export const TERMINATION_MESSAGE_LOG_MAX_LINES = 80;
/**
 * Bytes the termination message file may reach on this host before the runner kills the sandbox: 1 MiB. It is
 * the one host file the sandbox can write (everything else it writes stays in memory), and the kubelet reads only
 * its last TERMINATION_MESSAGE_MAX_BYTES, so this only stops code that would fill the host's disk through it.
 */
export const TERMINATION_LOG_HOST_MAX_BYTES = 2 ** 20;

/** The container's `terminationMessagePolicy`. */
export type TerminationMessagePolicy = 'File' | 'FallbackToLogsOnError';

/** The termination message of a run: where the container finds the file, and how the message is made. */
export interface TerminationMessagePlan {
  /** The container's terminationMessagePath. */
  readonly path: string;
  readonly policy: TerminationMessagePolicy;
  /** The empty host file, mode 0666 as the kubelet makes it, so any user in the sandbox can write it. */
  readonly file: BundleFile;
  /** Its writable bind mount at `path`. */
  readonly mount: OciMount;
}

/**
 * Plans the container's termination message file. Refused as the cluster would fail it: a path that is not
 * absolute, a policy the API server does not know, a path that is also a volumeMount's, or one inside a read-only
 * volume (where its mount point could not be made).
 */
export function planTerminationMessage(container: { [key: string]: any }, bundleDir: string, where: string, volumeMounts: readonly OciMount[]): TerminationMessagePlan {
  const policy = container.terminationMessagePolicy ?? 'File';
  if (policy !== 'File' && policy !== 'FallbackToLogsOnError') {
    throw new RunnerError(`${where}: terminationMessagePolicy ${JSON.stringify(policy)} is not valid (allowed: File, FallbackToLogsOnError)`);
  }
  const given = container.terminationMessagePath ?? DEFAULT_TERMINATION_MESSAGE_PATH;
  if (typeof given !== 'string' || !path.posix.isAbsolute(given) || given.includes('\0') || path.posix.normalize(given) === '/') {
    throw new RunnerError(`${where}: terminationMessagePath ${JSON.stringify(given)} must be the absolute path of a file`);
  }
  const messagePath = path.posix.normalize(given).replace(/\/+$/, '');
  for (const mount of volumeMounts) {
    if (mount.destination === messagePath) throw new RunnerError(`${where}: terminationMessagePath ${messagePath} is also a volumeMount's mountPath; move one of them`);
    if (mount.options.includes('ro') && messagePath.startsWith(`${mount.destination}/`)) {
      throw new RunnerError(`${where}: terminationMessagePath ${messagePath} is inside the read-only volume mounted at ${mount.destination}; its file cannot be mounted there, so choose a path outside it (the default is ${DEFAULT_TERMINATION_MESSAGE_PATH})`);
    }
  }
  return {
    path: messagePath,
    policy,
    file: { path: TERMINATION_LOG_FILE, content: Buffer.alloc(0), mode: 0o666 },
    mount: { destination: messagePath, type: 'bind', source: path.posix.join(bundleDir, TERMINATION_LOG_FILE), options: ['rbind', 'rw'] },
  };
}

/** The log tail the kubelet falls back to: the last TERMINATION_MESSAGE_LOG_MAX_LINES lines of `log`, at most TERMINATION_MESSAGE_LOG_MAX_BYTES. */
export function logTailMessage(log: string): string {
  const lines = log.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  let tail = lines.slice(-TERMINATION_MESSAGE_LOG_MAX_LINES).join('');
  const bytes = Buffer.from(tail, 'utf8');
  if (bytes.length > TERMINATION_MESSAGE_LOG_MAX_BYTES) {
    let start = bytes.length - TERMINATION_MESSAGE_LOG_MAX_BYTES;
    while (start < bytes.length && (bytes[start] & 0xc0) === 0x80) start++;
    tail = bytes.subarray(start).toString('utf8');
  }
  return tail;
}

/** What `terminationMessageOf` decides from. */
export interface TerminationMessageEvidence {
  readonly policy: TerminationMessagePolicy;
  /** The file's last TERMINATION_MESSAGE_MAX_BYTES bytes, as text ('' when it is empty or could not be read). */
  readonly file: string;
  /** The container's exit code. */
  readonly exitCode: number;
  /** The newest part of the container's log, stdout and stderr as they came (at least TERMINATION_MESSAGE_LOG_MAX_BYTES of it). */
  readonly log: string;
}

/** The termination message the kubelet would report: the file's content, or under FallbackToLogsOnError the log tail when the file is empty and the container failed. */
export function terminationMessageOf(evidence: TerminationMessageEvidence): string {
  if (evidence.file === '' && evidence.policy === 'FallbackToLogsOnError' && evidence.exitCode !== 0) return logTailMessage(evidence.log);
  return evidence.file;
}
