// CodeRunnerJob's builder: one submission -> a Job whose pod carries the code (a ConfigMap when it is too big),
// isolated by the namespace's one shared code-run deny-all NetworkPolicy.
import { createHash } from 'crypto';
import type { CodeRunnerJobProps } from '../constructs/code-runner-job';
import { CODE_ANNOTATION_PREFIX, KubeObject, MANAGED_BY_LABEL, PodSpecJson, SANDBOX_DEFAULTS, SANDBOX_LABELS } from '../profile';
import { EnvValue } from './env';
import { checkGvisorSeccomp, gvisorPodAnnotations } from './gvisor-annotations';
import { Language } from './language';
import { buildDenyAllPolicy } from './network';
import { checkQueueName, queuedJobFields } from './queue';
import { RUN_RESULT_WRAPPER_SCRIPT, runResultWrapperCommand } from './run-wrapper';
import { buildPodSpec } from './pod';
import { checkPodAnnotations } from './pod-knobs';
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
  /** Name of the Job (and of its ConfigMap, when it has one). */
  readonly name: string;
  /** Labels that select exactly this run's pod. */
  readonly selectorLabels: { readonly [key: string]: string };
  /** Every label of the run's pod. */
  readonly podLabels: { readonly [key: string]: string };
  /** The ConfigMap holding the code, when it is too big for the pod (or holds what YAML cannot carry safely). */
  readonly configMap?: KubeObject;
  readonly job: KubeObject;
  /** The namespace's shared deny-all policy for code runs: not the run's own, the same for every run. */
  readonly isolationPolicy: KubeObject;
  /** The run's own objects (the ConfigMap, if any, then the Job), in emission order. */
  readonly objects: readonly KubeObject[];
}

/** The pods a code run's topology spread constraints count by default: every code run's (of the namespace). */
const CODE_RUN_SELECTOR = { [SANDBOX_LABELS.codeRun]: 'true' } as const;
/** Where the code is mounted, read-only. */
export const CODE_MOUNT_PATH = SANDBOX_DEFAULTS.run.codeMountPath;
/** Where the run's container writes its result (the kubelet's default path, given explicitly). */
export const TERMINATION_MESSAGE_PATH = '/dev/termination-log';
/** Seconds the soft timeout waits after SIGTERM before it sends SIGKILL (`timeout -k`). */
export const SOFT_TIMEOUT_KILL_GRACE_SECONDS = 5;
/**
 * Seconds the Job's activeDeadlineSeconds exceeds the pod's: the pod's deadline fires first and is reported on
 * the pod; the Job's counts from the Job's start and so also bounds scheduling and image pulls.
 */
export const JOB_DEADLINE_MARGIN_SECONDS = 30;
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
  const queued = props.queueName === undefined ? undefined : queuedJobFields(checkQueueName(site, 'queueName', props.queueName));
  // Under the soft timeout, the wrapper also writes the run's result as JSON into the termination message.
  const wrapped = softTimeout
    ? runResultWrapperCommand(command, { timeoutSeconds: timeout, killGraceSeconds: SOFT_TIMEOUT_KILL_GRACE_SECONDS, terminationMessagePath: TERMINATION_MESSAGE_PATH })
    : command;
  // The user's pod annotations, checked once: the Job spec is assembled twice (for the content hash, then as emitted).
  const podAnnotations = props.podAnnotations === undefined ? undefined : checkPodAnnotations(site, props.podAnnotations);
  const shape: RunShape = { props, site, files, image, command: wrapped, env, deadline, ttl, gvisorSeccomp, baseIdentity, queued, podAnnotations };

  // The code travels in the pod when it fits (nothing to clean up after the Job); a ConfigMap holds it otherwise.
  return assembleRun(shape, files === undefined ? 'source' : codeFitsInPod(files) ? 'pod' : 'configMap');
}

/** Where a run's code lives: in the pod's annotations, in a ConfigMap of its own, or in the user's `codeFrom`. */
export type CodeLocation = 'pod' | 'configMap' | 'source';

/** What every way of assembling one run shares: the checked props. */
interface RunShape {
  readonly props: CodeRunnerJobProps;
  readonly site: Site;
  readonly files?: { readonly [path: string]: string };
  readonly image: string;
  readonly command: string[];
  readonly env: { [name: string]: EnvValue };
  readonly deadline: number;
  readonly ttl: number;
  readonly gvisorSeccomp: boolean;
  readonly baseIdentity: WorkloadIdentity;
  readonly queued?: ReturnType<typeof queuedJobFields>;
  /** The user's pod annotations, checked. */
  readonly podAnnotations?: { readonly [key: string]: string };
}

/** Builds the run's objects with its code in `location`. */
function assembleRun(shape: RunShape, location: CodeLocation): CodeRunObjects {
  const { props, site, files, baseIdentity, queued } = shape;
  // In the pod, the i-th file in path order is the annotation `code.cdk8s-sandbox.io/<i>`, projected to its path
  // by a downwardAPI volume (path order, so that the same files give the same pod in whatever order they came).
  const paths = location === 'pod' ? Object.keys(files!).sort() : [];
  const codeAnnotations: { [key: string]: string } = {};
  paths.forEach((path, i) => { codeAnnotations[`${CODE_ANNOTATION_PREFIX}${i}`] = files![path]; });
  // Files in folders are stored under flat ConfigMap keys and mapped back to their paths by the volume's items.
  const items = location === 'configMap' && Object.keys(files!).some((f) => f.includes('/'))
    ? Object.fromEntries(Object.keys(files!).map((f) => [configMapKeyOf(f), f])) : undefined;
  const codeVolume = (runName: string): SandboxVolume => {
    if (location === 'source') return props.codeFrom!.kind === 'secret' ? SandboxVolume.fromSecret('code', props.codeFrom!.name) : SandboxVolume.fromConfigMap('code', props.codeFrom!.name);
    if (location === 'configMap') return SandboxVolume.fromConfigMap('code', runName, items ? { items } : {});
    return SandboxVolume.fromRaw('code', {
      downwardAPI: {
        defaultMode: 0o444,
        items: paths.map((path, i) => ({ path, fieldRef: { apiVersion: 'v1', fieldPath: `metadata.annotations['${CODE_ANNOTATION_PREFIX}${i}']` } })),
      },
    });
  };

  // The pod is built once. Its spec names the run only in a ConfigMap code volume, so the content hash is taken
  // over the Job spec as it reads with the base name, and only that volume is re-made for the final name. The
  // hash, and so every name, is the same as building the pod twice would give.
  const mounts: SandboxVolumeMount[] = [{ volume: 'code', path: CODE_MOUNT_PATH, readOnly: true }];
  const built = buildPodSpec(site, {
    ...props,
    image: shape.image,
    command: shape.command,
    workingDir: CODE_MOUNT_PATH,
    env: shape.env,
    // The user's volumes come first, so that errors about them name the index the user gave.
    volumes: [...(props.volumes ?? []), codeVolume(baseIdentity.name)],
    volumeMounts: mounts,
    containerName: props.containerName ?? SANDBOX_DEFAULTS.run.containerName,
  }, { restartPolicy: 'Never', selectorLabels: CODE_RUN_SELECTOR });
  // The run's outcome in one GET of its pod: the wrapper's result JSON in the termination message, or, when the
  // run was killed before it could write one, the tail of its log (the last 2 KiB or 80 lines) if it failed,
  // beside the exit code and reason (README, "Reading a run's result").
  const runContainer = props.containerName ?? SANDBOX_DEFAULTS.run.containerName;
  // The hard deadline is the pod's own, so the kubelet stops the pod and keeps it (status.reason DeadlineExceeded,
  // readable until the TTL). The Job's deadline, a little later, also covers the time before the pod starts.
  const podSpec: PodSpecJson = {
    ...built,
    activeDeadlineSeconds: shape.deadline,
    containers: built.containers!.map((c) => (c.name === runContainer ? { ...c, terminationMessagePath: TERMINATION_MESSAGE_PATH, terminationMessagePolicy: 'FallbackToLogsOnError' } : c)),
  };
  const jobSpec = (identity: WorkloadIdentity, spec: PodSpecJson) => ({
    activeDeadlineSeconds: shape.deadline + JOB_DEADLINE_MARGIN_SECONDS,
    backoffLimit: 0,
    completions: 1,
    parallelism: 1,
    ttlSecondsAfterFinished: shape.ttl,
    template: {
      metadata: { labels: { ...identity.podLabels, [SANDBOX_LABELS.codeRun]: 'true' }, annotations: { ...gvisorPodAnnotations(spec, shape.gvisorSeccomp), ...codeAnnotations, ...shape.podAnnotations } },
      spec,
    },
  });

  let name = baseIdentity.name;
  let identity = baseIdentity;
  let finalPodSpec = podSpec;
  if (props.runId === undefined) {
    // In the pod, the Job spec holds the files (annotations and item paths); in a ConfigMap, they are hashed apart.
    name = `${baseIdentity.name}-${contentHash([location === 'configMap' ? files! : null, jobSpec(baseIdentity, podSpec), props.codeFrom?.name ?? null, ...(props.queueName !== undefined ? [props.queueName] : [])])}`;
    identity = resolveIdentity(site, { ...props, name }, undefined);
    if (location === 'configMap') finalPodSpec = { ...podSpec, volumes: podSpec.volumes!.map((v) => v.name === 'code' ? codeVolume(name)._toKube() : v) };
  }
  // metadataOf gives each object its own metadata, so that labelling one returned object does not label the others.
  const configMap: KubeObject | undefined = location === 'configMap' ? { apiVersion: 'v1', kind: 'ConfigMap', metadata: codeConfigMapMetadata(identity), immutable: true, ...configMapFiles(files!) } : undefined;
  // A queued run is created suspended and labelled with its LocalQueue; Kueue unsuspends it when quota allows.
  const jobMetadata = workloadMetadataOf(identity);
  const job: KubeObject = {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: queued ? { ...jobMetadata, labels: { ...jobMetadata.labels, ...queued.labels } } : jobMetadata,
    spec: { ...(queued ? { suspend: queued.suspend } : {}), ...jobSpec(identity, finalPodSpec) },
  };
  if (configMap) {
    const size = Buffer.byteLength(JSON.stringify(configMap), 'utf8');
    if (size > CONFIGMAP_MAX_BYTES) {
      fail(site, props.code !== undefined ? 'code' : 'files', `${(size / CONFIGMAP_MAX_BYTES).toFixed(2)} MiB (${size} bytes) as a ConfigMap`, `a ConfigMap holds at most 1 MiB (${CONFIGMAP_MAX_BYTES} bytes), metadata included; ship larger code in the image or a volume`);
    }
  }
  const isolationPolicy = buildCodeRunIsolationPolicy(identity.namespace);
  const objects = [...(configMap ? [configMap] : []), job];
  return { name, selectorLabels: identity.selectorLabels, podLabels: job.spec.template.metadata.labels, ...(configMap ? { configMap } : {}), job, isolationPolicy, objects };
}

/**
 * The NetworkPolicy a namespace needs once for all its code runs: it selects every code-run pod by the label
 * `cdk8s-sandbox.io/code-run: "true"` and allows nothing, so no run leaves a policy of its own behind.
 */
export function buildCodeRunIsolationPolicy(namespace?: string): KubeObject {
  const metadata = { name: SANDBOX_DEFAULTS.run.isolationPolicyName, ...(namespace ? { namespace } : {}), labels: { ...MANAGED_BY_LABEL } };
  return buildDenyAllPolicy(metadata, { matchLabels: { [SANDBOX_LABELS.codeRun]: 'true' } });
}

/** A run's own ConfigMap carries the code-run label too, for `kubectl delete configmap -l cdk8s-sandbox.io/code-run=true`. */
function codeConfigMapMetadata(identity: WorkloadIdentity): { name: string; namespace?: string; labels: { [key: string]: string } } {
  const metadata = metadataOf(identity);
  return { ...metadata, labels: { ...metadata.labels, [SANDBOX_LABELS.codeRun]: 'true' } };
}

/**
 * The most the files may add to the Job, in bytes of JSON as kubectl's client-side apply stores the Job in its
 * last-applied annotation, for them to travel in the pod: 192 KiB, which leaves 64 KiB of the API server's
 * 256 KiB annotation limit for the rest of the Job there, and for other annotations on the pod.
 */
export const CODE_IN_POD_MAX_BYTES = 192 * 1024;
/** What one file adds to the Job besides its content and path: its annotation key and its downwardAPI item. */
export const CODE_IN_POD_FILE_OVERHEAD_BYTES = 160;

/**
 * Whether the files travel as pod annotations: none holds a character cdk8s cannot write safely into YAML
 * (those go in a ConfigMap's binaryData), and together they add at most CODE_IN_POD_MAX_BYTES to the Job.
 */
function codeFitsInPod(files: { readonly [path: string]: string }): boolean {
  let bound = 0;
  for (const [path, content] of Object.entries(files)) {
    if (findUnsafeCharacter(content) !== undefined) return false;
    // No character takes more than six bytes in Go's JSON (`\u003c`, `\u0001`), so small code needs no count.
    bound += 6 * content.length + 2 + path.length + CODE_IN_POD_FILE_OVERHEAD_BYTES;
  }
  return bound <= CODE_IN_POD_MAX_BYTES || codeBytesInJob(files) <= CODE_IN_POD_MAX_BYTES;
}

/** Bytes the files add to the Job as kubectl stores it: each content as a Go JSON string, its path, the overhead. */
export function codeBytesInJob(files: { readonly [path: string]: string }): number {
  let bytes = 0;
  for (const [path, content] of Object.entries(files)) bytes += goJsonStringBytes(content) + path.length + CODE_IN_POD_FILE_OVERHEAD_BYTES;
  return bytes;
}

/**
 * Bytes of a string as JSON the way Go writes it: JSON.stringify's UTF-8, plus five bytes for each `<`, `>` and
 * `&`, which Go escapes as `\u003c` and the like.
 */
export function goJsonStringBytes(text: string): number {
  let escaped = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3c || c === 0x3e || c === 0x26) escaped++;
  }
  return Buffer.byteLength(JSON.stringify(text), 'utf8') + 5 * escaped;
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
    if (segment.startsWith('..')) fail(site, name, value, 'no name may start with "..": the kubelet keeps its own ..data entries in a mounted volume and refuses such paths');
    if (!FILE_NAME.test(segment)) fail(site, name, value, allowed);
  }
  if (configMapKeyOf(value).length > 253) fail(site, name, value, allowed);
}

/** A short, stable hash of JSON values (keys sorted), as a DNS-label-safe suffix. */
function contentHash(values: unknown[]): string {
  return createHash('sha256').update(stableJson(values)).digest('hex').slice(0, HASH_LENGTH);
}

/**
 * The result wrapper's script stands in the hash as its digest: every run carries the same 3.5 KB, and a
 * changed script still changes every name (so `kubectl apply` never meets an immutable Job template).
 */
const WRAPPER_SCRIPT_IN_HASH = JSON.stringify(`sha256:${createHash('sha256').update(RUN_RESULT_WRAPPER_SCRIPT).digest('hex')}`);

function stableJson(value: unknown): string {
  // Loops and one string rather than map/join: the same text as `[${value.map(stableJson).join(',')}]` etc.
  if (typeof value === 'string') return value === RUN_RESULT_WRAPPER_SCRIPT ? WRAPPER_SCRIPT_IN_HASH : JSON.stringify(value);
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
