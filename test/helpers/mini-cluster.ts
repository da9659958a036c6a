// A namespace store with the parts of the control plane that decide what code runs leave behind: ResourceQuota
// admission of object counts and pod compute, the Job controller (one pod per Job, owned by it), pods running to
// completion, the TTL-after-finished controller and the garbage collector (ownerReferences, background cascade).
// It models what Kubernetes documents for these (quota counts every ConfigMap and Job, but only non-terminal pods;
// the TTL controller deletes a finished Job; the garbage collector then deletes what the Job owned) and nothing else.
import { parseQuantity, quantityMilliValue } from '../../src/profile/quantity';

/** A quantity (`500m`, `512Mi`, `300`) as a number. */
const amountOf = (value: unknown): number => Number(quantityMilliValue(parseQuantity(String(value))!)) / 1000;

type Json = { [key: string]: any };

/** The API server's refusal of a create that would exceed a ResourceQuota. */
export class QuotaExceededError extends Error {}

interface Stored {
  readonly object: Json;
  readonly uid: string;
  /** Pods: when the pod's containers started (all its ConfigMap volumes existed), in seconds. */
  startedAt?: number;
  /** Pods: Succeeded once the program ran `runSeconds`. */
  phase?: 'Pending' | 'Running' | 'Succeeded';
  /** Jobs: when the Job finished. */
  finishedAt?: number;
}

const keyOf = (o: Json) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;

/** One simulated cluster; time is in seconds and moves only with `advance`. */
export class MiniCluster {
  public now = 0;
  private readonly store = new Map<string, Stored>();
  private uids = 0;
  /** The highest use seen of each quota resource, by namespace. */
  public readonly peakUse = new Map<string, Map<string, number>>();

  /** @param runSeconds how long each pod's program runs before it exits 0 */
  constructor(private readonly runSeconds: number) {}

  /** Creates an object (quota admission first); `namespace` fills in a missing one. Returns it with its uid. */
  public create(object: Json, namespace?: string): Json {
    const obj = structuredClone(object);
    if (obj.kind !== 'Namespace' && !obj.metadata.namespace) obj.metadata.namespace = namespace ?? 'default';
    if (this.store.has(keyOf(obj))) throw new Error(`${keyOf(obj)} already exists`);
    if (obj.kind !== 'Namespace') this.admitQuota(obj);
    obj.metadata.uid = `uid-${++this.uids}`;
    this.store.set(keyOf(obj), { object: obj, uid: obj.metadata.uid, ...(obj.kind === 'Pod' ? { phase: 'Pending' as const } : {}) });
    if (obj.kind === 'Job') this.syncJobs();
    return obj;
  }

  /** Creates the object, or leaves an existing one of that kind and name as it is (`kubectl apply` of the same object). */
  public apply(object: Json, namespace?: string): void {
    const ns = object.kind === 'Namespace' ? undefined : object.metadata.namespace ?? namespace ?? 'default';
    if (!this.store.has(keyOf({ ...object, metadata: { ...object.metadata, namespace: ns } }))) this.create(object, namespace);
  }

  /** Replaces the metadata of a stored object (an update, e.g. adding ownerReferences). */
  public updateMetadata(object: Json): void {
    const stored = this.store.get(keyOf(object));
    if (!stored) throw new Error(`${keyOf(object)} not found`);
    Object.assign(stored.object.metadata, { ...object.metadata, uid: stored.uid });
  }

  /** Moves time on to `seconds`, running pods to completion, then the TTL controller and the garbage collector. */
  public advance(seconds: number): void {
    this.now = seconds;
    this.syncJobs();
    for (const s of [...this.store.values()]) {
      if (s.object.kind !== 'Pod' || s.phase !== 'Running' || s.startedAt! + this.runSeconds > this.now) continue;
      s.phase = 'Succeeded';
      const job = this.ownerJob(s);
      if (job && job.finishedAt === undefined) job.finishedAt = s.startedAt! + this.runSeconds;
    }
    for (const s of [...this.store.values()]) {
      const ttl = s.object.spec?.ttlSecondsAfterFinished;
      if (s.object.kind === 'Job' && s.finishedAt !== undefined && typeof ttl === 'number' && s.finishedAt + ttl <= this.now) this.delete(s);
    }
  }

  /** Objects of the namespace, as `Kind/name` sorted. */
  public list(namespace: string): string[] {
    return [...this.store.values()].filter((s) => s.object.metadata.namespace === namespace).map((s) => `${s.object.kind}/${s.object.metadata.name}`).sort();
  }

  /** The stored object of that kind and name. */
  public get(kind: string, namespace: string, name: string): Json | undefined {
    return this.store.get(`${kind}/${namespace}/${name}`)?.object;
  }

  /** Whether the Job has finished. */
  public finished(namespace: string, name: string): boolean {
    return this.store.get(`Job/${namespace}/${name}`)?.finishedAt !== undefined;
  }

  /** The Job controller: a pod for each unsuspended Job that has none; a pod starts once its ConfigMaps exist. */
  private syncJobs(): void {
    for (const s of [...this.store.values()]) {
      if (s.object.kind !== 'Job' || s.object.spec.suspend === true || s.finishedAt !== undefined) continue;
      if (this.dependents(s).some((d) => d.object.kind === 'Pod')) continue;
      const template = s.object.spec.template;
      this.create({
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: `${s.object.metadata.name}-pod`, namespace: s.object.metadata.namespace, labels: template.metadata?.labels, annotations: template.metadata?.annotations, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: s.object.metadata.name, uid: s.uid, controller: true }] },
        spec: template.spec,
      });
    }
    for (const s of this.store.values()) {
      if (s.object.kind !== 'Pod' || s.phase !== 'Pending') continue;
      const configMaps = (s.object.spec.volumes ?? []).filter((v: Json) => v.configMap).map((v: Json) => v.configMap.name);
      if (configMaps.every((name: string) => this.store.has(`ConfigMap/${s.object.metadata.namespace}/${name}`))) {
        s.phase = 'Running';
        s.startedAt = this.now;
      }
    }
  }

  private ownerJob(pod: Stored): Stored | undefined {
    const ref = (pod.object.metadata.ownerReferences ?? []).find((r: Json) => r.kind === 'Job');
    return ref ? [...this.store.values()].find((s) => s.uid === ref.uid) : undefined;
  }

  private dependents(owner: Stored): Stored[] {
    return [...this.store.values()].filter((s) => (s.object.metadata.ownerReferences ?? []).some((r: Json) => r.uid === owner.uid));
  }

  /** Deletes the object; the garbage collector deletes each dependent none of whose owners is left. */
  private delete(s: Stored): void {
    this.store.delete(keyOf(s.object));
    const uids = new Set([...this.store.values()].map((o) => o.uid));
    for (const d of this.dependents(s)) {
      if (!(d.object.metadata.ownerReferences as Json[]).some((r) => uids.has(r.uid))) this.delete(d);
    }
  }

  /** ResourceQuota admission: object counts (ConfigMaps, Jobs) and, for pods, the count and compute of non-terminal pods. */
  private admitQuota(obj: Json): void {
    const ns = obj.metadata.namespace;
    for (const quota of [...this.store.values()].filter((s) => s.object.kind === 'ResourceQuota' && s.object.metadata.namespace === ns)) {
      const hard: Json = quota.object.spec.hard ?? {};
      const wanted = usageOf(obj);
      const used = this.usage(ns);
      const peak = this.peakUse.get(ns) ?? new Map<string, number>();
      this.peakUse.set(ns, peak);
      for (const [resource, amount] of Object.entries(wanted)) {
        if (hard[resource] === undefined) continue;
        const after = (used[resource] ?? 0) + amount;
        if (after > amountOf(hard[resource])) {
          throw new QuotaExceededError(`exceeded quota: ${quota.object.metadata.name}, requested: ${resource}=${amount}, used: ${resource}=${used[resource] ?? 0}, limited: ${resource}=${hard[resource]}`);
        }
        peak.set(resource, Math.max(peak.get(resource) ?? 0, after));
      }
    }
  }

  private usage(namespace: string): { [resource: string]: number } {
    const total: { [resource: string]: number } = {};
    for (const s of this.store.values()) {
      if (s.object.metadata.namespace !== namespace || s.phase === 'Succeeded') continue;
      for (const [resource, amount] of Object.entries(usageOf(s.object))) total[resource] = (total[resource] ?? 0) + amount;
    }
    return total;
  }
}

/** What one object counts against a ResourceQuota. */
function usageOf(obj: Json): { [resource: string]: number } {
  if (obj.kind === 'ConfigMap') return { 'configmaps': 1 };
  if (obj.kind === 'Job') return { 'count/jobs.batch': 1 };
  if (obj.kind !== 'Pod') return {};
  const out: { [resource: string]: number } = { pods: 1 };
  for (const c of obj.spec.containers ?? []) {
    for (const kind of ['requests', 'limits'] as const) {
      for (const [resource, value] of Object.entries(c.resources?.[kind] ?? {})) {
        const key = `${kind}.${resource}`;
        out[key] = (out[key] ?? 0) + amountOf(value);
      }
    }
  }
  return out;
}
