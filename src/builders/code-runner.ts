// CodeRunnerJob's builder: one submission -> ConfigMap (the code) + Job (one sandboxed run) + deny-all NetworkPolicy.
import { createHash } from 'crypto';
import type { CodeRunnerJobProps } from '../constructs/code-runner-job';
import { KubeObject, PodSpecJson, SANDBOX_DEFAULTS } from '../profile';
import { EnvValue } from './env';
import { checkGvisorSeccomp, gvisorPodAnnotations } from './gvisor-annotations';
import { Language } from './language';
import { buildDenyAllPolicy } from './network';
import { checkQueueName, queuedJobFields } from './queue';
import { buildPodSpec } from './pod';
import { SandboxVolumeMount } from './pod-props';
import { Site, checkDnsLabel, checkDnsSubdomain, checkImage, checkInteger, checkSeconds, fail } from './validate';
import { SandboxVolume } from './volume';
import { findUnsafeCharacter } from './yaml-text';
import { WorkloadIdentity, metadataOf, resolveIdentity, workloadMetadataOf } from './workload';

/** Where the code of a run comes from when it is not given inline. */
export class CodeSource {
  /** An existing ConfigMap in the run's namespace; its keys are the files. */
  public static fromConfigMap(configMapName: string): CodeSource {
    return new CodeSource('configMap', configMapName);
  }

  /** An existing Secret in the run's namespace; its keys are the files. */
  public static fromSecret(secretName: string): CodeSource {
    return new CodeSource('secret', secretName);
  }

  private constructor(
    /** `configMap` or `secret`. */
    public readonly kind: 'configMap' | 'secret',
    /** Name of the ConfigMap or Secret. */
    public readonly name: string,
  ) {}
}

/** The plain objects of one run. */
export interface CodeRunObjects {
  /** Name of the Job (and of the ConfigMap and NetworkPolicy). */
  readonly name: string;
  /** Labels that select exactly this run's pod. */
  readonly selectorLabels: { readonly [key: string]: string };
  /** Every label of the run's pod. */
  readonly podLabels: { readonly [key: string]: string };
  /** The ConfigMap holding the code, unless the code came from `codeFrom`. */
  readonly configMap?: KubeObject;
  readonly job: KubeObject;
  readonly networkPolicy: KubeObject;
  /** Every object above, in emission order. */
  readonly objects: readonly KubeObject[];
}

/** Where the code is mounted, read-only. */
export const CODE_MOUNT_PATH = SANDBOX_DEFAULTS.run.codeMountPath;
/** Seconds the soft timeout waits after SIGTERM before it sends SIGKILL (`timeout -k`). */
export const SOFT_TIMEOUT_KILL_GRACE_SECONDS = 5;
/** The largest ConfigMap the API server stores. */
export const CONFIGMAP_MAX_BYTES = 1024 * 1024;
const FILE_NAME = /^[-._a-zA-Z0-9]+$/;
/**
 * Hex digits of the content hash in generated names: 64 bits, so that even billions of submissions are
 * unlikely to collide (40 bits collided after about a million), leaving 46 characters of a 63-character name.
 */
const HASH_LENGTH = 16;

/** Builds one run's objects; `defaultName` (from the construct id) stands in for a missing `name`. */
export function buildCodeRun(where: string, props: CodeRunnerJobProps, defaultName?: string): CodeRunObjects {
  const site: Site = { where, prefix: '' };
  const language = props.language ?? Language.PYTHON;
  if (!(language instanceof Language)) fail(site, 'language', (language as any)?.name ?? language, `unknown language; use one of ${Language.presets().map((l) => `Language.${l.name.toUpperCase()}`).join(', ')} or Language.custom(...)`);

  const gvisorSeccomp = checkGvisorSeccomp(site, props.gvisorSeccomp);
  const softTimeout = props.softTimeout ?? true;
  if (typeof softTimeout !== 'boolean') fail(site, 'softTimeout', softTimeout, 'must be true or false');
  if (!softTimeout && props.timeoutSeconds !== undefined) {
    fail(site, 'timeoutSeconds', props.timeoutSeconds, 'has no effect with softTimeout: false; drop it (deadlineSeconds still stops the run), or put a wrapper of your own in command');
  }
  const timeout = props.timeoutSeconds === undefined ? SANDBOX_DEFAULTS.run.timeoutSeconds : checkSeconds(site, 'timeoutSeconds', props.timeoutSeconds, 86400);
  const deadline = props.deadlineSeconds === undefined ? SANDBOX_DEFAULTS.run.deadlineSeconds : checkSeconds(site, 'deadlineSeconds', props.deadlineSeconds, 86400);
  if (softTimeout && deadline <= timeout + SOFT_TIMEOUT_KILL_GRACE_SECONDS) {
    fail(site, 'deadlineSeconds', deadline, `must exceed timeoutSeconds (${timeout}) plus the soft timeout's ${SOFT_TIMEOUT_KILL_GRACE_SECONDS}-second kill grace, so the soft timeout reports first and the hard deadline catches what it misses: at least ${timeout + SOFT_TIMEOUT_KILL_GRACE_SECONDS + 1}`);
  }
  const ttl = props.ttlSecondsAfterFinished === undefined ? SANDBOX_DEFAULTS.run.ttlSecondsAfterFinished : checkInteger(site, 'ttlSecondsAfterFinished', props.ttlSecondsAfterFinished, 0, 31536000, 'a whole number of seconds');

  const sources = ['code', 'files', 'codeFrom'].filter((k) => (props as any)[k] !== undefined);
  if (sources.length !== 1) fail(site, sources.length === 0 ? 'code' : sources.join('+'), sources.length === 0 ? undefined : `${sources.join(' and ')} together`, 'give exactly one of code, files and codeFrom');
  const entryFile = props.entryFile ?? language.entryFile;
  checkFilePath(site, 'entryFile', entryFile);
  const files = props.code !== undefined ? { [entryFile]: props.code } : props.files;
  if (files !== undefined) {
    if (Object.keys(files).length === 0) fail(site, 'files', files, 'the submission has no files; give at least the entry file');
    const keys = new Map<string, string>();
    for (const [fileName, content] of Object.entries(files)) {
      checkFilePath(site, `files["${fileName}"]`, fileName);
      if (typeof content !== 'string') fail(site, `files["${fileName}"]`, content, 'file content must be a string');
      const key = configMapKeyOf(fileName);
      const other = keys.get(key);
      if (other !== undefined) fail(site, `files["${fileName}"]`, fileName, `collides with files["${other}"]: both are stored under the ConfigMap key "${key}" (a folder separator is stored as "${FOLDER_SEPARATOR_IN_KEY}"); rename one`);
      keys.set(key, fileName);
    }
    // A file may not also be a folder of another file (`pkg` and `pkg/mod.py`): the mount could hold only one.
    const folders = new Set(Object.keys(files).flatMap((f) => {
      const parts = f.split('/');
      return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('/'));
    }));
    for (const fileName of Object.keys(files)) {
      if (!folders.has(fileName)) continue;
      const folder = Object.keys(files).find((other) => other.startsWith(`${fileName}/`));
      fail(site, `files["${fileName}"]`, fileName, `is also a folder of files["${folder}"]; a path is either a file or a folder`);
    }
    if (Object.values(files).every((c) => c.trim() === '')) fail(site, props.code !== undefined ? 'code' : 'files', props.code ?? '(only empty files)', 'the submission is empty; there is nothing to run');
    if (!(entryFile in files)) fail(site, 'entryFile', entryFile, `must be one of the submitted files (${Object.keys(files).join(', ')})`);
  }
  if (props.codeFrom) checkDnsSubdomain(site, 'codeFrom.name', props.codeFrom.name);

  const image = checkImage(site, 'image', props.image ?? language.image);
  const entryPath = `${CODE_MOUNT_PATH}/${entryFile}`;
  const command = props.command ? [...props.command] : [...language.command, entryPath];
  if (command.length === 0) fail(site, 'command', command, 'must name a program to run');
  const env: { [name: string]: EnvValue } = {};
  for (const [key, value] of Object.entries(language.env)) env[key] = EnvValue.fromValue(value);
  Object.assign(env, props.env);

  // A name derived from the construct id is shortened to leave room for the hash; a given name is checked as is.
  const fittedDefault = defaultName?.slice(0, 63 - HASH_LENGTH - 1).replace(/-+$/, '') || undefined;
  const identityName = props.runId !== undefined ? checkDnsLabel(site, 'runId', props.runId) : (props.name ?? fittedDefault);
  const baseIdentity = resolveIdentity(site, { ...props, name: identityName }, undefined, props.runId !== undefined ? 63 : 63 - HASH_LENGTH - 1);
  // Files in folders are stored under flat ConfigMap keys and mapped back to their paths by the volume's items.
  const items = files && Object.keys(files).some((f) => f.includes('/'))
    ? Object.fromEntries(Object.keys(files).map((f) => [configMapKeyOf(f), f])) : undefined;
  const codeVolumeSource = props.codeFrom
    ? (codeSourceName: string) => props.codeFrom!.kind === 'secret' ? SandboxVolume.fromSecret('code', codeSourceName) : SandboxVolume.fromConfigMap('code', codeSourceName)
    : (codeSourceName: string) => SandboxVolume.fromConfigMap('code', codeSourceName, items ? { items } : {});

  // The pod is built once. Its spec names the run only in the code volume (a ConfigMap named after it), so the
  // content hash is taken over the Job spec as it reads with the base name, and only that volume is re-made
  // for the final name. The hash, and so every name, is the same as building the pod twice would give.
  const mounts: SandboxVolumeMount[] = [{ volume: 'code', path: CODE_MOUNT_PATH, readOnly: true }];
  const built = buildPodSpec(site, {
    ...props,
    image,
    command: softTimeout ? ['timeout', '-k', String(SOFT_TIMEOUT_KILL_GRACE_SECONDS), String(timeout), ...command] : command,
    workingDir: CODE_MOUNT_PATH,
    env,
    // The user's volumes come first, so that errors about them name the index the user gave.
    volumes: [...(props.volumes ?? []), codeVolumeSource(props.codeFrom?.name ?? baseIdentity.name)],
    volumeMounts: mounts,
    containerName: props.containerName ?? SANDBOX_DEFAULTS.run.containerName,
  }, { restartPolicy: 'Never' });
  // The run's outcome in one GET of its pod: when the code fails, the kubelet puts the tail of its log (the last
  // 2 KiB or 80 lines) in the container's termination message, beside the exit code and reason (README, "Reading a run's result").
  const runContainer = props.containerName ?? SANDBOX_DEFAULTS.run.containerName;
  const podSpec: PodSpecJson = { ...built, containers: built.containers!.map((c) => (c.name === runContainer ? { ...c, terminationMessagePolicy: 'FallbackToLogsOnError' } : c)) };
  const jobSpec = (identity: WorkloadIdentity, spec: PodSpecJson) => ({
    activeDeadlineSeconds: deadline,
    backoffLimit: 0,
    completions: 1,
    parallelism: 1,
    ttlSecondsAfterFinished: ttl,
    template: { metadata: { labels: { ...identity.podLabels }, annotations: gvisorPodAnnotations(spec, gvisorSeccomp) }, spec },
  });

  let name = baseIdentity.name;
  let identity = baseIdentity;
  let finalPodSpec = podSpec;
  if (props.runId === undefined) {
    name = `${baseIdentity.name}-${contentHash([files ?? null, jobSpec(baseIdentity, podSpec), props.codeFrom?.name ?? null, ...(props.queueName !== undefined ? [props.queueName] : [])])}`;
    identity = resolveIdentity(site, { ...props, name }, undefined);
    if (!props.codeFrom) {
      const volumes = podSpec.volumes!.map((v) => v.name === 'code' ? codeVolumeSource(name)._toKube() : v);
      finalPodSpec = { ...podSpec, volumes };
    }
  }
  // metadataOf gives each object its own metadata, so that labelling one returned object does not label the others.
  const configMap: KubeObject | undefined = files ? { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadataOf(identity), immutable: true, ...configMapFiles(files) } : undefined;
  // A queued run is created suspended and labelled with its LocalQueue; Kueue unsuspends it when quota allows.
  const queued = props.queueName === undefined ? undefined : queuedJobFields(checkQueueName(site, 'queueName', props.queueName));
  const jobMetadata = workloadMetadataOf(identity);
  const job: KubeObject = {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: queued ? { ...jobMetadata, labels: { ...jobMetadata.labels, ...queued.labels } } : jobMetadata,
    spec: { ...(queued ? { suspend: queued.suspend } : {}), ...jobSpec(identity, finalPodSpec) },
  };
  const networkPolicy = buildDenyAllPolicy(metadataOf(identity), { matchLabels: { ...identity.selectorLabels } });
  if (configMap) {
    const size = Buffer.byteLength(JSON.stringify(configMap), 'utf8');
    if (size > CONFIGMAP_MAX_BYTES) {
      fail(site, props.code !== undefined ? 'code' : 'files', `${(size / CONFIGMAP_MAX_BYTES).toFixed(2)} MiB (${size} bytes) as a ConfigMap`, `a ConfigMap holds at most 1 MiB (${CONFIGMAP_MAX_BYTES} bytes), metadata included; ship larger code in the image or a volume`);
    }
  }
  const objects = [...(configMap ? [configMap] : []), job, networkPolicy];
  return { name, selectorLabels: identity.selectorLabels, podLabels: identity.podLabels, ...(configMap ? { configMap } : {}), job, networkPolicy, objects };
}

/**
 * The files as ConfigMap `data`, except those holding characters cdk8s cannot write safely into YAML for
 * kubectl (U+2028 in a string literal, say): those go in `binaryData`, base64, and mount as the same bytes.
 */
function configMapFiles(files: { readonly [name: string]: string }): { data?: { [name: string]: string }; binaryData?: { [name: string]: string } } {
  let data: { [name: string]: string } | undefined;
  let binaryData: { [name: string]: string } | undefined;
  for (const [fileName, content] of Object.entries(files)) {
    const key = configMapKeyOf(fileName);
    if (findUnsafeCharacter(content) === undefined) (data ??= {})[key] = content;
    else (binaryData ??= {})[key] = Buffer.from(content, 'utf8').toString('base64');
  }
  return { ...(data ? { data } : {}), ...(binaryData ? { binaryData } : {}) };
}

/** How a folder separator is stored in a ConfigMap key (keys hold no `/`). */
export const FOLDER_SEPARATOR_IN_KEY = '__';

/** The ConfigMap key a submitted file is stored under: its path with each `/` written as `__`. */
export function configMapKeyOf(path: string): string {
  return path.split('/').join(FOLDER_SEPARATOR_IN_KEY);
}

/**
 * Checks a submitted file's path: names of letters, digits, '-', '_' and '.' separated by '/', relative to the
 * code mount. No absolute path, no empty, `.` or `..` segment, nothing starting with `..` (the kubelet's atomic
 * writer keeps its own `..data` entries in the volume), at most 253 characters as a ConfigMap key.
 */
function checkFilePath(site: Site, name: string, value: unknown): void {
  const allowed = 'file paths are names of letters, digits, \'-\', \'_\' and \'.\' separated by \'/\', relative to the code mount (e.g. "main.py", "pkg/mod.py"), at most 253 characters';
  if (typeof value !== 'string' || value === '') fail(site, name, value, allowed);
  if (value.startsWith('/')) fail(site, name, value, `an absolute path is refused: ${allowed}`);
  const segments = value.split('/');
  for (const segment of segments) {
    if (segment === '') fail(site, name, value, `an empty segment ("//" or a trailing "/") is refused: ${allowed}`);
    if (segment === '.' || segment === '..') fail(site, name, value, `"${segment}" segments are refused, so no file lands outside its folder: ${allowed}`);
    if (segment.startsWith('..')) fail(site, name, value, 'no name may start with "..": the kubelet keeps its own ..data entries in a mounted ConfigMap and refuses such paths');
    if (!FILE_NAME.test(segment)) fail(site, name, value, allowed);
  }
  if (configMapKeyOf(value).length > 253) fail(site, name, value, allowed);
}

/** A short, stable hash of JSON values (keys sorted), as a DNS-label-safe suffix. */
function contentHash(values: unknown[]): string {
  return createHash('sha256').update(stableJson(values)).digest('hex').slice(0, HASH_LENGTH);
}

function stableJson(value: unknown): string {
  // Loops and one string rather than map/join: the same text as `[${value.map(stableJson).join(',')}]` etc.
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      if (i in value) out += stableJson(value[i]); // a hole is skipped by map and joined as ''
    }
    return `${out}]`;
  }
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    let out = '{';
    for (let i = 0; i < keys.length; i++) out += `${i > 0 ? ',' : ''}${JSON.stringify(keys[i])}:${stableJson((value as any)[keys[i]])}`;
    return `${out}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
