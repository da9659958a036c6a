// A container's environment as Kubernetes computes it: env, envFrom, valueFrom and $(VAR) expansion.
import { RunnerError } from './errors';
import { SelectedWorkload, dataOf, findObject, namesOf } from './manifests';
import { resourceFieldValue } from './quantity';
import { KubeObject } from '../profile/kube';

/** PATH when neither the manifest nor an image sets one (the usual image default). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** What env resolution needs besides the container. */
export interface EnvContext {
  /** All objects from the manifest files. */
  readonly docs: readonly KubeObject[];
  /** The workload being run. */
  readonly workload: SelectedWorkload;
  /** The pod name the downward API reports (`metadata.name`). */
  readonly podName: string;
}

/**
 * Expands `$(NAME)` references to variables in `vars`, as Kubernetes does in env values, command and
 * args: `$$(NAME)` is an escaped literal `$(NAME)`, unknown names stay as written.
 */
export function expandVars(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => {
    if (whole === '$$') return '$';
    return vars.has(name!) ? vars.get(name!)! : whole;
  });
}

/** The environment as `NAME=value` strings, in Kubernetes' order (defaults, envFrom, env). */
export function resolveEnv(ctx: EnvContext): string[] {
  const { workload } = ctx;
  const container = workload.container;
  const vars = new Map<string, string>([['PATH', DEFAULT_PATH], ['HOSTNAME', ctx.podName]]);
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef;
    const kind = source.configMapRef ? 'ConfigMap' : source.secretRef ? 'Secret' : undefined;
    if (!kind || !ref?.name) throw new RunnerError(`container ${container.name}: envFrom entry ${JSON.stringify(source)} is neither a configMapRef nor a secretRef`);
    const obj = findObject(ctx.docs, kind, ref.name, workload.namespace);
    if (!obj) {
      if (ref.optional) continue;
      throw new RunnerError(`container ${container.name}: envFrom names ${kind} "${ref.name}", which is not in the files (${kind}s found: ${namesOf(ctx.docs, kind)})`);
    }
    for (const [key, value] of dataOf(obj)) vars.set(`${source.prefix ?? ''}${key}`, value.toString('utf8'));
  }
  for (const entry of container.env ?? []) {
    if (!entry?.name) throw new RunnerError(`container ${container.name}: an env entry has no name`);
    if (entry.valueFrom) {
      const value = valueFrom(ctx, entry.name, entry.valueFrom);
      if (value !== undefined) vars.set(entry.name, value);
    } else {
      vars.set(entry.name, expandVars(String(entry.value ?? ''), vars));
    }
  }
  return [...vars].map(([name, value]) => `${name}=${value}`);
}

function valueFrom(ctx: EnvContext, name: string, from: { [key: string]: any }): string | undefined {
  const where = `container ${ctx.workload.container.name}: env ${name}`;
  const keyRef = from.configMapKeyRef ?? from.secretKeyRef;
  if (keyRef) {
    const kind = from.configMapKeyRef ? 'ConfigMap' : 'Secret';
    const obj = findObject(ctx.docs, kind, keyRef.name, ctx.workload.namespace);
    const value = obj ? dataOf(obj).get(keyRef.key) : undefined;
    if (value === undefined) {
      if (keyRef.optional) return undefined;
      throw new RunnerError(obj
        ? `${where}: ${kind} "${keyRef.name}" has no key "${keyRef.key}" (keys: ${[...dataOf(obj).keys()].join(', ') || 'none'})`
        : `${where}: ${kind} "${keyRef.name}" is not in the files (${kind}s found: ${namesOf(ctx.docs, kind)})`);
    }
    return value.toString('utf8');
  }
  if (from.fieldRef) return fieldValue(ctx, where, String(from.fieldRef.fieldPath ?? ''));
  if (from.resourceFieldRef) return resourceValue(ctx, where, from.resourceFieldRef);
  throw new RunnerError(`${where}: valueFrom ${JSON.stringify(from)} is not supported (supported: configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef)`);
}

/** The value of a downward API `fieldRef` (env or downwardAPI volume item), as the kubelet reports it. */
export function fieldValue(ctx: EnvContext, where: string, path: string): string {
  const meta = ctx.workload.object.metadata ?? {};
  const keyed = /^metadata\.(labels|annotations)\['([^']+)'\]$/.exec(path);
  if (keyed) return (keyed[1] === 'labels' ? ctx.workload.podLabels : ctx.workload.podAnnotations)[keyed[2]] ?? '';
  switch (path) {
    case 'metadata.name': return ctx.podName;
    case 'metadata.namespace': return meta.namespace ?? 'default';
    case 'spec.serviceAccountName': return ctx.workload.podSpec.serviceAccountName ?? 'default';
    default:
      throw new RunnerError(`${where}: fieldRef "${path}" cannot be resolved locally (supported: metadata.name, metadata.namespace, metadata.labels['KEY'], metadata.annotations['KEY'], spec.serviceAccountName)`);
  }
}

function resourceValue(ctx: EnvContext, where: string, ref: { [key: string]: any }): string {
  const match = /^(limits|requests)\.(cpu|memory|ephemeral-storage)$/.exec(String(ref.resource ?? ''));
  if (!match) throw new RunnerError(`${where}: resourceFieldRef "${ref.resource}" is not supported (supported: limits.cpu, limits.memory, requests.cpu, ...)`);
  const quantity = ctx.workload.container.resources?.[match[1] as 'limits' | 'requests']?.[match[2]];
  if (quantity === undefined) throw new RunnerError(`${where}: resourceFieldRef ${ref.resource} is not set on the container, so there is nothing to report`);
  return resourceFieldValue(ref.resource, quantity, ref.divisor ?? '1', where);
}
