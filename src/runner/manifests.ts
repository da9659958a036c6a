// Reading manifests for `run`: parse YAML (with the audit's loader, so the runner reads what the
// audit and kubectl read), pick the workload and container, find mounted ConfigMaps/Secrets.
import * as path from 'path';
import { InputProblem, readJsonText, readYamlText } from '../audit/load';
import { RunnerError } from './errors';
import { ContainerJson, KubeObject, PodSpecJson, WORKLOAD_KINDS, jobSpecOf, podTemplateOf } from '../profile/kube';

/** The workload chosen to run, with what the runner needs from it. */
export interface SelectedWorkload {
  /** The workload object itself. */
  readonly object: KubeObject;
  /** `Kind/name`, for messages. */
  readonly ref: string;
  /** Its namespace, if the manifest names one. */
  readonly namespace?: string;
  /** The pod spec of its template (the Pod's own spec for a Pod). */
  readonly podSpec: PodSpecJson;
  /** The pod template's metadata (labels and annotations for the downward API). */
  readonly podLabels: { [key: string]: string };
  /** The pod template's annotations. */
  readonly podAnnotations: { [key: string]: string };
  /** The container to run. */
  readonly container: ContainerJson;
  /** The Job spec (a Job's, or a CronJob's job template's), when the workload is a Job or CronJob. */
  readonly jobSpec?: { [key: string]: any };
  /** Containers of the pod that are not run (other app containers, init containers). */
  readonly skippedContainers: string[];
}

/** A loader problem as the runner's error, naming the file and line. */
function problemError(source: string, problem: InputProblem): RunnerError {
  const where = problem.line === undefined ? source : `${source}:${problem.line}`;
  if (problem.message.startsWith('invalid YAML: ')) {
    return new RunnerError(`${source}: not valid YAML (line ${problem.line}): ${problem.message.slice('invalid YAML: '.length)}`);
  }
  return new RunnerError(`${where}: ${problem.message.replace(/^skipped: /, '')}`);
}

/**
 * Parses one or more YAML documents as kubectl decodes them (kube-yaml.ts; Lists flattened, nested
 * ones too); `source` names the file in errors. Any problem the audit's loader reports, a document
 * that is not a Kubernetes object included, is an error here: the runner does not run half a file.
 * A `.json` file is read as JSON first, as the audit does.
 */
export function parseManifests(text: string, source: string): KubeObject[] {
  const objects: KubeObject[] = [];
  const problems: InputProblem[] = [];
  const sink = { object: (o: { object: KubeObject }) => objects.push(o.object), problem: (p: InputProblem) => problems.push(p) };
  const content = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (path.extname(source).toLowerCase() === '.json') readJsonText(content, source, sink);
  else readYamlText(content, source, sink);
  const problem = problems.find((p) => !/^skipped: holds no (YAML )?document$/.test(p.message));
  if (problem) throw problemError(source, problem);
  return objects;
}

/** `Kind/name` of an object. */
export function refOfObject(obj: KubeObject): string {
  return `${obj.kind}/${obj.metadata?.name ?? '(unnamed)'}`;
}

/** `Kind/namespace/name` of an object, or `Kind/name` when it names no namespace. */
export function namespacedRefOf(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${obj.kind}/${ns}/${obj.metadata?.name ?? '(unnamed)'}` : refOfObject(obj);
}

/** The objects that carry a pod template and can be run. */
export function workloadsIn(docs: readonly KubeObject[]): KubeObject[] {
  return docs.filter((doc) => WORKLOAD_KINDS.includes(doc.kind) && podTemplateOf(doc) !== undefined);
}

/**
 * Picks the workload named `name` (`name` or `Kind/name`), or the only workload when no name is
 * given, and the container named `container` (default: the first app container).
 */
export function selectWorkload(docs: readonly KubeObject[], name?: string, container?: string, namespace?: string): SelectedWorkload {
  // As `kubectl apply -n NAMESPACE` places them: objects that name no namespace live in the given one.
  const inNamespace = (o: KubeObject) => namespace === undefined || o.metadata?.namespace === undefined || o.metadata.namespace === namespace;
  const workloads = workloadsIn(docs).filter(inNamespace);
  const available = workloads.map(namespacedRefOf);
  if (workloads.length === 0) {
    const where = namespace === undefined ? '' : ` in namespace "${namespace}"`;
    throw new RunnerError(`the files hold no workload to run${where} (looked for ${WORKLOAD_KINDS.join(', ')}); found: ${docs.map(namespacedRefOf).join(', ') || 'nothing'}`);
  }
  let chosen: KubeObject;
  if (name === undefined) {
    if (workloads.length > 1) throw new RunnerError(`the files hold ${workloads.length} workloads; choose one with --workload (name, Kind/name or Kind/namespace/name): ${available.join(', ')}`);
    chosen = workloads[0];
  } else {
    const matches = workloads.filter((w) => w.metadata?.name === name || refOfObject(w) === name || namespacedRefOf(w) === name);
    if (matches.length === 0) throw new RunnerError(`workload "${name}" is not in the files${namespace === undefined ? '' : ` in namespace "${namespace}"`}; workloads found: ${available.join(', ')}`);
    if (matches.length > 1) throw new RunnerError(`workload "${name}" is ambiguous; use Kind/namespace/name or --namespace: ${matches.map(namespacedRefOf).join(', ')}`);
    chosen = matches[0];
  }
  if (namespace !== undefined && chosen.metadata?.namespace === undefined) chosen = { ...chosen, metadata: { ...chosen.metadata, namespace } };
  const template = podTemplateOf(chosen)!;
  const spec = template.spec;
  const containers = spec.containers ?? [];
  if (containers.length === 0) throw new RunnerError(`${refOfObject(chosen)} has no containers`);
  let picked: ContainerJson | undefined;
  if (container === undefined) {
    picked = containers[0];
  } else {
    picked = containers.find((c) => c.name === container);
    if (!picked) throw new RunnerError(`container "${container}" is not in ${refOfObject(chosen)}; containers: ${containers.map((c) => c.name).join(', ')}`);
  }
  const skipped = [...(spec.initContainers ?? []).map((c) => `init container ${c.name}`), ...containers.filter((c) => c !== picked).map((c) => `container ${c.name}`)];
  return {
    object: chosen,
    ref: refOfObject(chosen),
    ...(chosen.metadata?.namespace ? { namespace: chosen.metadata.namespace } : {}),
    podSpec: spec,
    podLabels: { ...(template.metadata.labels ?? {}) },
    podAnnotations: { ...(template.metadata.annotations ?? {}) },
    container: picked,
    ...(jobSpecOf(chosen) ? { jobSpec: jobSpecOf(chosen)!.spec } : {}),
    skippedContainers: skipped,
  };
}

/** The ConfigMap or Secret `name` in the workload's namespace (objects without a namespace match any). */
export function findObject(docs: readonly KubeObject[], kind: 'ConfigMap' | 'Secret', name: string, namespace?: string): KubeObject | undefined {
  return docs.find((doc) => doc.kind === kind && doc.metadata?.name === name
    && (namespace === undefined || doc.metadata?.namespace === undefined || doc.metadata.namespace === namespace));
}

/** The keys and bytes of a ConfigMap (`data` and `binaryData`) or a Secret (`data` base64-decoded, `stringData`). */
export function dataOf(obj: KubeObject): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (obj.kind === 'ConfigMap') {
    for (const [key, value] of Object.entries(obj.data ?? {})) out.set(key, Buffer.from(String(value), 'utf8'));
    for (const [key, value] of Object.entries(obj.binaryData ?? {})) out.set(key, Buffer.from(String(value), 'base64'));
  } else {
    for (const [key, value] of Object.entries(obj.data ?? {})) out.set(key, Buffer.from(String(value), 'base64'));
    for (const [key, value] of Object.entries(obj.stringData ?? {})) out.set(key, Buffer.from(String(value), 'utf8'));
  }
  return out;
}

/** Names of the objects of one kind in the files, for "not found" messages. */
export function namesOf(docs: readonly KubeObject[], kind: string): string {
  const names = docs.filter((d) => d.kind === kind).map((d) => d.metadata?.name ?? '(unnamed)');
  return names.length ? names.join(', ') : 'none';
}
