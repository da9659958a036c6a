// The render API for code-execution platforms: one submission -> plain objects and YAML, in-process.
// No cdk8s App, no files, no global state: safe to call concurrently, deterministic for the same input.
import * as jsYaml from 'js-yaml';
import { KubeObject, SANDBOX_DEFAULTS, crossResourceRuleById, resolveCrossResourceOptions, runtimeClassNameOr } from '../profile';
import type { CodeRunnerJobProps } from '../constructs/code-runner-job';
import { buildCodeRun, buildCodeRunIsolationPolicy } from './code-runner';
import { assertProfile, describeFinding } from './compliance';
import { SandboxProfileViolationError, SandboxValidationError } from './errors';
import { readAsNonString } from './yaml-text';

/** The cross-resource rules a lone run can be judged by: its pod is isolated by the shared policy, which selects it. */
const RUN_NETWORK_RULES = ['network-isolation', 'network-policy-selects-pods', 'egress-peers'];

/** Options of one render. */
export interface RenderOptions {
  /**
   * Names the render in error messages, like a construct path.
   * @default 'render'
   */
  readonly where?: string;
  /**
   * Name used for the objects when neither `runId` nor `name` is given (the hash is appended).
   * @default 'code-run'
   */
  readonly defaultName?: string;
  /**
   * Runtime classes a submission may name besides `gvisor`: gVisor RuntimeClasses (handler `runsc`) of a
   * self-managed cluster. Any other name is refused: it would not sandbox the code.
   * @default - only 'gvisor'
   */
  readonly allowedRuntimeClasses?: string[];
}

/** One rendered submission. */
export interface RenderedCodeRun {
  /** Name of the Job (and of its ConfigMap, when the code needs one). */
  readonly name: string;
  /**
   * The run's own objects as plain JSON, in the order to create them: the Job, preceded by a ConfigMap only when
   * the code is too big to travel in the pod (give that ConfigMap an owner with `CodeRun.ownedByJob`).
   */
  readonly objects: any[];
  /**
   * The objects every run of the namespace shares, the same for each: the `code-run-deny-all` NetworkPolicy.
   * Create them once per namespace (or apply them with each run: applying them again changes nothing).
   */
  readonly sharedObjects: any[];
  /** The shared objects, then the run's own, as one multi-document YAML stream for `kubectl apply` (keys sorted, like `cdk8s synth`). */
  readonly yaml: string;
}

/** Renders one submission to plain objects, checking them against the hardening profile (fail closed). */
export function renderCodeRunObjects(props: CodeRunnerJobProps, options: RenderOptions = {}): { name: string; objects: readonly KubeObject[]; sharedObjects: readonly KubeObject[] } {
  const where = options.where ?? 'render';
  checkRuntimeClassAllowed(where, props.runtimeClassName, options.allowedRuntimeClasses);
  const built = buildCodeRun(where, props, options.defaultName ?? 'code-run');
  const sharedObjects = [built.isolationPolicy];
  const all = [...sharedObjects, ...built.objects];
  assertProfile(where, all, { runtimeClassName: runtimeClassNameOr(props.runtimeClassName) });
  // The construct path checks network isolation app-wide at synth; a render has only its own objects to go by.
  const networkFindings = RUN_NETWORK_RULES.flatMap((id) => crossResourceRuleById(id)!.check(all, resolveCrossResourceOptions()));
  if (networkFindings.length > 0) throw new SandboxProfileViolationError(where, networkFindings.map(describeFinding));
  return { name: built.name, objects: built.objects, sharedObjects };
}

/** Refuses a runtime class that is neither gvisor nor in the render's allowlist. */
function checkRuntimeClassAllowed(where: string, runtimeClassName: string | undefined, allowed: readonly string[] = []): void {
  const name = runtimeClassNameOr(runtimeClassName);
  if (name === SANDBOX_DEFAULTS.runtimeClassName || allowed.includes(name)) return;
  throw new SandboxValidationError(where, 'runtimeClassName', JSON.stringify(name),
    `not known to be a sandboxed runtime; allowed: ${[SANDBOX_DEFAULTS.runtimeClassName, ...allowed].map((n) => JSON.stringify(n)).join(', ')}. A gVisor RuntimeClass of your own goes in RenderOptions.allowedRuntimeClasses`);
}

/** Renders one submission to plain objects and YAML, checking them against the hardening profile (fail closed). */
export function renderCodeRun(props: CodeRunnerJobProps, options: RenderOptions = {}): RenderedCodeRun {
  const { name, objects, sharedObjects } = renderCodeRunObjects(props, options);
  return { name, objects: [...objects], sharedObjects: [...sharedObjects], yaml: toYaml([...sharedObjects, ...objects]) };
}

/** A copy of `object` owned by the created Job, so the cluster deletes it with the Job (ownerReferences). */
export function ownedByJob(where: string, object: KubeObject, createdJob: KubeObject): KubeObject {
  const meta = createdJob?.metadata ?? {};
  const refuse = (field: string, given: unknown, allowed: string): never => { throw new SandboxValidationError(where, field, JSON.stringify(given) ?? String(given), allowed); };
  if (createdJob?.kind !== 'Job' || createdJob.apiVersion !== 'batch/v1') refuse('createdJob.kind', `${createdJob?.apiVersion} ${createdJob?.kind}`, 'the batch/v1 Job as the API server returned it on create');
  if (typeof meta.name !== 'string' || meta.name === '') refuse('createdJob.metadata.name', meta.name, 'the created Job\'s name');
  if (typeof meta.uid !== 'string' || meta.uid === '') refuse('createdJob.metadata.uid', meta.uid, 'the uid the API server gave the Job on create (the rendered Job has none yet)');
  if (object?.kind === 'Job' || object?.kind === 'NetworkPolicy') refuse('object.kind', object?.kind, 'a run\'s ConfigMap: the Job owns itself, and the shared policy outlives every run');
  if ((object?.metadata?.namespace ?? '') !== (meta.namespace ?? '')) refuse('object.metadata.namespace', object?.metadata?.namespace, `the Job's namespace (${JSON.stringify(meta.namespace)}): an owner must be in its dependent's namespace`);
  const owner = { apiVersion: 'batch/v1', kind: 'Job', name: meta.name, uid: meta.uid };
  const others = (object.metadata?.ownerReferences ?? []).filter((ref: any) => ref?.uid !== meta.uid);
  return { ...object, metadata: { ...object.metadata, ownerReferences: [...others, owner] } };
}

/**
 * The per-submission render entry point for code-execution platforms, in every jsii language: one
 * submission to plain Kubernetes objects and YAML, checked against the hardening profile, in-process
 * (no cdk8s App, no files, no global state; safe to call concurrently; deterministic for the same input).
 */
export class CodeRun {
  /**
   * Renders one submission: its Job (and its ConfigMap when the code is too big for the pod) and the
   * namespace's shared objects, as plain JSON and as one YAML stream.
   * Throws for props that would weaken the sandbox, naming the field, what was given and what is allowed.
   */
  public static render(props: CodeRunnerJobProps, options?: RenderOptions): RenderedCodeRun {
    return renderCodeRun(props, options ?? {});
  }

  /**
   * The objects every code run of `namespace` shares (the `code-run-deny-all` NetworkPolicy), to create once
   * when the namespace is set up.
   */
  public static sharedObjects(namespace?: string): any[] {
    return [buildCodeRunIsolationPolicy(namespace)];
  }

  /**
   * A copy of a rendered run's ConfigMap that the created Job owns, so that the cluster's garbage collector
   * deletes it with the Job. Create the ConfigMap first (the pod needs it to start), then the Job, then update
   * the ConfigMap with this (or create the Job first and this ConfigMap after it).
   */
  public static ownedByJob(object: any, createdJob: any): any {
    return ownedByJob('CodeRun.ownedByJob', object, createdJob);
  }

  /** Plain Kubernetes objects as one multi-document YAML stream, keys sorted, kubectl's non-strings quoted. */
  public static toYaml(objects: any[]): string {
    return toYaml(objects);
  }

  private constructor() {}
}

/**
 * Strings that kubectl's YAML 1.1 reader (yaml.v2) would take for a number, bool or null when unquoted (`1_000`,
 * `+.5`, `0o17`, `yes`): js-yaml quotes every string an implicit type of its schema resolves, so this type,
 * which only resolves and never represents a value, makes it quote those too.
 */
const KUBECTL_NON_STRING = new jsYaml.Type('tag:cdk8s-sandbox.io,2026:kubectl-non-string', {
  kind: 'scalar',
  resolve: (data: unknown) => typeof data === 'string' && readAsNonString(data),
  construct: (data: string) => data,
});

/** The render path's YAML options: keys sorted like `cdk8s synth`, no anchors, no folding, kubectl's non-strings quoted. */
const YAML_OPTIONS: jsYaml.DumpOptions = { sortKeys: true, noRefs: true, lineWidth: -1, schema: jsYaml.DEFAULT_SCHEMA.extend({ implicit: [KUBECTL_NON_STRING] }) };

/** Plain objects as a multi-document YAML stream, keys sorted. */
export function toYaml(objects: readonly KubeObject[]): string {
  return objects.map((o) => jsYaml.dump(o, YAML_OPTIONS)).join('---\n');
}
