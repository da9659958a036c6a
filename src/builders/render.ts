// The render API for code-execution platforms: one submission -> plain objects and YAML, in-process.
// No cdk8s App, no files, no global state: safe to call concurrently, deterministic for the same input.
import * as jsYaml from 'js-yaml';
import { KubeObject, SANDBOX_DEFAULTS, crossResourceRuleById, resolveCrossResourceOptions, runtimeClassNameOr } from '../profile';
import type { CodeRunnerJobProps } from '../constructs/code-runner-job';
import { buildCodeRun } from './code-runner';
import { assertProfile, describeFinding } from './compliance';
import { SandboxProfileViolationError, SandboxValidationError } from './errors';
import { readAsNonString } from './yaml-text';

/** The cross-resource rules a lone run can be judged by: its pod is isolated by its own policy, which selects it. */
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
  /** Name of the Job (and of its ConfigMap and NetworkPolicy). */
  readonly name: string;
  /** The objects as plain JSON, in the order `kubectl apply` should see them. */
  readonly objects: any[];
  /** The objects as one multi-document YAML stream (keys sorted, like `cdk8s synth`). */
  readonly yaml: string;
}

/** Renders one submission to plain objects, checking them against the hardening profile (fail closed). */
export function renderCodeRunObjects(props: CodeRunnerJobProps, options: RenderOptions = {}): { name: string; objects: readonly KubeObject[] } {
  const where = options.where ?? 'render';
  checkRuntimeClassAllowed(where, props.runtimeClassName, options.allowedRuntimeClasses);
  const built = buildCodeRun(where, props, options.defaultName ?? 'code-run');
  assertProfile(where, built.objects, { runtimeClassName: runtimeClassNameOr(props.runtimeClassName) });
  // The construct path checks network isolation app-wide at synth; a render has only its own objects to go by.
  const networkFindings = RUN_NETWORK_RULES.flatMap((id) => crossResourceRuleById(id)!.check(built.objects, resolveCrossResourceOptions()));
  if (networkFindings.length > 0) throw new SandboxProfileViolationError(where, networkFindings.map(describeFinding));
  return { name: built.name, objects: built.objects };
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
  const { name, objects } = renderCodeRunObjects(props, options);
  return { name, objects: [...objects], yaml: toYaml(objects) };
}

/**
 * The per-submission render entry point for code-execution platforms, in every jsii language: one
 * submission to plain Kubernetes objects and YAML, checked against the hardening profile, in-process
 * (no cdk8s App, no files, no global state; safe to call concurrently; deterministic for the same input).
 */
export class CodeRun {
  /**
   * Renders one submission: its ConfigMap, Job and NetworkPolicy as plain JSON and as one YAML stream.
   * Throws for props that would weaken the sandbox, naming the field, what was given and what is allowed.
   */
  public static render(props: CodeRunnerJobProps, options?: RenderOptions): RenderedCodeRun {
    return renderCodeRun(props, options ?? {});
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
