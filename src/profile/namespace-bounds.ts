// Requests and limits against the LimitRange and ResourceQuota of the pods' namespace: a pod above the
// LimitRange's max, below its min, or larger than the whole quota is refused at admission, and replicas
// beyond the quota never start. Judged over a set of objects, at synth and wherever the set is known.
import { ContainerJson, KubeObject, containersOf, podTemplateOf } from './kube';
import { formatNanos, parseQuantity } from './quantity';
import { Finding, refOf } from './rule';

/** The rule id of these findings. */
export const NAMESPACE_BOUNDS_RULE = 'namespace-bounds';

/** Resources a LimitRange and a quota bound per container, as they are named there. */
const RESOURCES = ['cpu', 'memory', 'ephemeral-storage'] as const;
type Resource = typeof RESOURCES[number];

interface ContainerBounds {
  readonly source: string;
  readonly max: { [resource: string]: string };
  readonly min: { [resource: string]: string };
  readonly defaultLimit: { [resource: string]: string };
  readonly defaultRequest: { [resource: string]: string };
}

function namespaceOf(obj: KubeObject): string {
  return obj.metadata?.namespace ?? 'default';
}

/** A quantity in nano-units, exact, for comparisons and sums; undefined when absent or malformed (other checks refuse those). */
function amount(value: unknown): bigint | undefined {
  return parseQuantity(value)?.nanos;
}

/** The Container limits of a namespace's LimitRanges. */
function containerBoundsOf(limitRanges: readonly KubeObject[]): ContainerBounds[] {
  const out: ContainerBounds[] = [];
  for (const lr of limitRanges) {
    for (const item of Array.isArray(lr.spec?.limits) ? lr.spec.limits : []) {
      if (item?.type !== 'Container') continue;
      out.push({ source: `LimitRange "${lr.metadata?.name}"`, max: item.max ?? {}, min: item.min ?? {}, defaultLimit: item.default ?? {}, defaultRequest: item.defaultRequest ?? item.default ?? {} });
    }
  }
  return out;
}

/** A container's effective request and limit of a resource, with the LimitRange defaults the API server would apply. */
function effective(container: ContainerJson, resource: Resource, bounds: readonly ContainerBounds[]): { request?: string; limit?: string } {
  const limit = container.resources?.limits?.[resource] ?? bounds.find((b) => b.defaultLimit[resource] !== undefined)?.defaultLimit[resource];
  const request = container.resources?.requests?.[resource] ?? (container.resources?.limits?.[resource] !== undefined ? container.resources.limits[resource] : undefined)
    ?? bounds.find((b) => b.defaultRequest[resource] !== undefined)?.defaultRequest[resource];
  return { request, limit };
}

/** How many pods of a workload run at once. */
function podsAtOnce(obj: KubeObject): number {
  if (obj.kind === 'Job') return Number(obj.spec?.parallelism ?? 1);
  if (obj.kind === 'CronJob') return Number(obj.spec?.jobTemplate?.spec?.parallelism ?? 1);
  if (obj.kind === 'Pod') return 1;
  return Number(obj.spec?.replicas ?? 1);
}

/** Findings for every pod whose requests or limits its namespace's LimitRange or quota would refuse. */
export function checkNamespaceBounds(objects: readonly KubeObject[]): Finding[] {
  const limitRanges = new Map<string, KubeObject[]>();
  const quotas = new Map<string, KubeObject[]>();
  for (const o of objects) {
    const into = o.kind === 'LimitRange' ? limitRanges : o.kind === 'ResourceQuota' ? quotas : undefined;
    if (!into) continue;
    const ns = namespaceOf(o);
    into.set(ns, [...(into.get(ns) ?? []), o]);
  }
  if (limitRanges.size === 0 && quotas.size === 0) return [];
  const findings: Finding[] = [];
  for (const obj of objects) {
    const pod = podTemplateOf(obj);
    if (!pod) continue;
    const ns = namespaceOf(obj);
    const bounds = containerBoundsOf(limitRanges.get(ns) ?? []);
    const report = (path: string, message: string, fix: string) => findings.push({ rule: NAMESPACE_BOUNDS_RULE, object: refOf(obj), path, message, fix });
    const podTotals: { [key: string]: bigint } = {};
    const initPeaks: { [key: string]: bigint } = {};
    for (const { container, path, group } of containersOf(pod.spec, pod.specPath)) {
      if (group === 'ephemeralContainers') continue;
      for (const resource of RESOURCES) {
        const { request, limit } = effective(container, resource, bounds);
        for (const b of bounds) {
          const max = amount(b.max[resource]);
          for (const [what, value] of [['limits', limit], ['requests', request]] as const) {
            if (max !== undefined && amount(value) !== undefined && amount(value)! > max) {
              report(`${path}.resources.${what}.${resource}`, `container "${container.name}" ${what === 'limits' ? 'limits' : 'requests'} ${resource} ${value}, above the max ${b.max[resource]} of ${b.source} in namespace "${ns}": the API server refuses its pods`,
                `Lower it to at most ${b.max[resource]}, or raise the namespace's LimitRange max (SandboxNamespace limits).`);
              break;
            }
          }
          const min = amount(b.min[resource]);
          if (min !== undefined && amount(request) !== undefined && amount(request)! < min) {
            report(`${path}.resources.requests.${resource}`, `container "${container.name}" requests ${resource} ${request}, below the min ${b.min[resource]} of ${b.source} in namespace "${ns}": the API server refuses its pods`,
              `Raise it to at least ${b.min[resource]}.`);
          }
        }
        for (const [what, value] of [['limits', limit], ['requests', request]] as const) {
          const key = `${what}.${resource}`;
          const v = amount(value) ?? 0n;
          if (group === 'initContainers') initPeaks[key] = larger(initPeaks[key] ?? 0n, v);
          else podTotals[key] = (podTotals[key] ?? 0n) + v;
        }
      }
    }
    const replicas = podsAtOnce(obj);
    // A replica count the API server would refuse (not a whole number) is judged by other checks.
    const replicaCount = Number.isSafeInteger(replicas) ? BigInt(replicas) : undefined;
    for (const quota of quotas.get(ns) ?? []) {
      const hard: { [key: string]: unknown } = quota.spec?.hard ?? {};
      for (const [key, used] of Object.entries(podTotals)) {
        // `cpu` and `memory` in a quota are the requests.
        const cap = amount(hard[key] ?? (key.startsWith('requests.') ? hard[key.slice('requests.'.length)] : undefined));
        if (cap === undefined) continue;
        const perPod = larger(used, initPeaks[key] ?? 0n);
        const labels = key.split('.');
        if (perPod > cap) {
          report(`${pod.specPath}.containers`, `one pod ${labels[0] === 'limits' ? 'limits' : 'requests'} ${labels[1]} ${round(perPod)} in all, more than ResourceQuota "${quota.metadata?.name}" of namespace "${ns}" allows for the whole namespace (${hard[key] ?? hard[labels[1]]}): no pod can ever be admitted`,
            'Lower the containers\' requests and limits, or raise the namespace quota (SandboxNamespace quota).');
        } else if (replicaCount !== undefined && perPod * replicaCount > cap) {
          report(obj.kind === 'Job' || obj.kind === 'CronJob' ? 'spec.parallelism' : 'spec.replicas', `${replicas} pods ${labels[0] === 'limits' ? 'limit' : 'request'} ${labels[1]} ${round(perPod * replicaCount)} in all, more than ResourceQuota "${quota.metadata?.name}" of namespace "${ns}" allows (${hard[key] ?? hard[labels[1]]}): some of them are never admitted`,
            'Run fewer replicas, lower the requests and limits, or raise the namespace quota.');
        }
      }
      const podCap = amount(hard.pods);
      if (podCap !== undefined && replicaCount !== undefined && replicaCount * 1_000_000_000n > podCap) {
        report('spec.replicas', `${replicas} pods at once, more than ResourceQuota "${quota.metadata?.name}" of namespace "${ns}" allows (pods: ${hard.pods})`, 'Run fewer replicas, or raise the quota\'s pods.');
      }
    }
  }
  return findings;
}

/** A sum of nano-units for messages: at most three decimals. */
function round(nanos: bigint): string {
  return formatNanos(nanos, 3);
}

function larger(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
