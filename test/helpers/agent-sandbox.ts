// Wraps the pod template of one of our workload objects into an agent-sandbox `Sandbox`
// (agents.x-k8s.io/v1alpha1), so that policies written for Sandboxes can judge what we synthesize.

/** Workload kinds whose pod template sits at `spec.template`. */
const TEMPLATE_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job']);

function isMapping(value: unknown): value is { [key: string]: any } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The pod template of a workload object (a Pod's own metadata and spec), or undefined when it has none. */
function podTemplateOf(obj: any): { [key: string]: any } | undefined {
  if (!isMapping(obj)) return undefined;
  let template: unknown;
  if (obj.kind === 'Pod') template = isMapping(obj.spec) ? { ...(isMapping(obj.metadata) ? { metadata: obj.metadata } : {}), spec: obj.spec } : undefined;
  else if (obj.kind === 'CronJob') template = obj.spec?.jobTemplate?.spec?.template;
  else if (TEMPLATE_KINDS.has(obj.kind)) template = obj.spec?.template;
  return isMapping(template) && isMapping(template.spec) ? template : undefined;
}

/**
 * `{apiVersion: agents.x-k8s.io/v1alpha1, kind: Sandbox, metadata: {name, namespace, annotations}, spec: {podTemplate}}`
 * around the pod template of a Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job
 * or CronJob (the metadata is the object's own); undefined for objects without a pod template.
 */
export function asSandbox(obj: any): any | undefined {
  const template = podTemplateOf(obj);
  if (!template) return undefined;
  const meta = isMapping(obj.metadata) ? obj.metadata : {};
  const metadata: { [key: string]: any } = {};
  for (const field of ['name', 'namespace', 'annotations']) if (meta[field] !== undefined) metadata[field] = meta[field];
  return { apiVersion: 'agents.x-k8s.io/v1alpha1', kind: 'Sandbox', metadata, spec: { podTemplate: template } };
}
