// Plain Kubernetes object shapes: just the fields the profile, builders and audit read or write.
// Everything is JSON as `kubectl` sees it, so the same values flow through cdk8s and the render path.

/** Any Kubernetes object as plain JSON. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: ObjectMeta;
  readonly [key: string]: any;
}

/** Object metadata. */
export interface ObjectMeta {
  readonly name?: string;
  readonly namespace?: string;
  readonly labels?: { [key: string]: string };
  readonly annotations?: { [key: string]: string };
  readonly [key: string]: any;
}

/** A pod spec as plain JSON (only the typed fields are the ones the profile reads). */
export interface PodSpecJson {
  readonly containers?: ContainerJson[];
  readonly initContainers?: ContainerJson[];
  readonly ephemeralContainers?: ContainerJson[];
  readonly volumes?: { [key: string]: any; name: string }[];
  readonly securityContext?: { [key: string]: any };
  readonly [key: string]: any;
}

/** A container as plain JSON. */
export interface ContainerJson {
  readonly name: string;
  readonly image?: string;
  readonly securityContext?: { [key: string]: any };
  readonly resources?: { limits?: { [key: string]: string }; requests?: { [key: string]: string } };
  readonly [key: string]: any;
}

/** A pod template found inside a workload, and where it sits in the object. */
export interface PodTemplateLocation {
  /** JSON path of the pod spec, e.g. `spec.template.spec`. */
  readonly specPath: string;
  /** The pod spec. */
  readonly spec: PodSpecJson;
  /** The pod template's metadata (the Pod's own metadata for a bare Pod). */
  readonly metadata: ObjectMeta;
}

/** Kinds that live outside namespaces (those a sandbox app or an audit may meet). */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'RuntimeClass', 'StorageClass', 'PriorityClass',
  'CustomResourceDefinition', 'APIService', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'IngressClass', 'CSIDriver', 'VolumeAttachment',
  // Cilium's cluster-wide policy, whose egress rules egress-peers reads.
  'CiliumClusterwideNetworkPolicy',
  // Kueue's (kueue.x-k8s.io), as SandboxQueue emits them; its LocalQueue is namespaced.
  'ResourceFlavor', 'ClusterQueue',
]);

/** The label the API server sets on every Namespace: its name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Workload kinds whose pod templates the profile checks. */
export const WORKLOAD_KINDS: readonly string[] = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob'];

/** The pod template of a workload object, or undefined for objects that carry no pod. */
export function podTemplateOf(obj: KubeObject): PodTemplateLocation | undefined {
  switch (obj.kind) {
    case 'Pod':
      return obj.spec ? { specPath: 'spec', spec: obj.spec, metadata: obj.metadata ?? {} } : undefined;
    case 'CronJob': {
      const template = obj.spec?.jobTemplate?.spec?.template;
      return template?.spec ? { specPath: 'spec.jobTemplate.spec.template.spec', spec: template.spec, metadata: template.metadata ?? {} } : undefined;
    }
    default: {
      if (!WORKLOAD_KINDS.includes(obj.kind)) return undefined;
      const template = obj.spec?.template;
      return template?.spec ? { specPath: 'spec.template.spec', spec: template.spec, metadata: template.metadata ?? {} } : undefined;
    }
  }
}

/** Built-in kinds that never carry pods, and whose contents (data, schemas) must not be mistaken for them. */
const PODLESS_KINDS: ReadonlySet<string> = new Set([
  'ConfigMap', 'Secret', 'CustomResourceDefinition', 'Namespace', 'Service', 'ServiceAccount', 'NetworkPolicy',
  'PodDisruptionBudget', 'ResourceQuota', 'LimitRange', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
]);

/** How deep the structural search goes into an object (JobSet's pod spec sits 7 levels down). */
const MAX_SEARCH_DEPTH = 24;

/** Where a kind the profile does not know carries pods, found by their shape. */
export interface EmbeddedPods {
  /** Pod templates: a `template` with a `spec` that has `containers` (Argo Rollout, Knative Service, JobSet, PodTemplate, ...). */
  readonly templates: PodTemplateLocation[];
  /**
   * JSON paths of containers outside any such template (Argo Workflow `container`, Tekton `steps`): the
   * profile cannot judge them, since no pod spec around them says how they run.
   */
  readonly loneContainers: string[];
}

/** Whether an apiVersion is Kubernetes' own (the core group, `apps`, `policy`, `*.k8s.io`), not a CRD's (Knative's Service is not v1's). */
function isBuiltinApi(apiVersion: unknown): boolean {
  const group = apiGroupOf(apiVersion);
  return !group.includes('.') || group.endsWith('.k8s.io');
}

/** The API group of an apiVersion (`apps` of `apps/v1`; '' for the core group `v1`). */
export function apiGroupOf(apiVersion: unknown): string {
  if (typeof apiVersion !== 'string' || !apiVersion.includes('/')) return '';
  return apiVersion.slice(0, apiVersion.indexOf('/'));
}

/** Whether a value is a YAML/JSON mapping (an object that is not a list). */
export function isMapping(value: unknown): value is { [key: string]: any } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A mapping that looks like a container: an `image` string with a `name`, a `command` or `args`. */
function looksLikeContainer(value: { [key: string]: any }): boolean {
  return typeof value.image === 'string' && (typeof value.name === 'string' || Array.isArray(value.command) || Array.isArray(value.args));
}

/**
 * The pod templates and lone containers of an object of a kind outside WORKLOAD_KINDS, found structurally:
 * any `template: {metadata?, spec: {containers: [...]}}` at any depth is a pod template; any other mapping
 * with an `image` and a `name`, `command` or `args` is a container the profile cannot place.
 */
export function embeddedPodsOf(obj: KubeObject): EmbeddedPods {
  const templates: PodTemplateLocation[] = [];
  const loneContainers: string[] = [];
  if (WORKLOAD_KINDS.includes(obj.kind) || (isBuiltinApi(obj.apiVersion) && PODLESS_KINDS.has(obj.kind))) return { templates, loneContainers };
  const visit = (value: unknown, path: string, depth: number): void => {
    if (depth > MAX_SEARCH_DEPTH) return;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) visit(value[i], `${path}[${i}]`, depth + 1);
      return;
    }
    if (!isMapping(value)) return;
    const template = value.template;
    if (isMapping(template) && isMapping(template.spec) && Array.isArray(template.spec.containers)) {
      const templatePath = path ? `${path}.template` : 'template';
      templates.push({ specPath: `${templatePath}.spec`, spec: template.spec, metadata: isMapping(template.metadata) ? template.metadata : {} });
      for (const key of Object.keys(value)) if (key !== 'template') visit(value[key], path ? `${path}.${key}` : key, depth + 1);
      return;
    }
    if (path !== '' && looksLikeContainer(value)) { loneContainers.push(path); return; }
    for (const key of Object.keys(value)) {
      if (path === '' && (key === 'metadata' || key === 'status')) continue;
      visit(value[key], path ? `${path}.${key}` : key, depth + 1);
    }
  };
  visit(obj, '', 0);
  return { templates, loneContainers };
}

/** The Job spec of a Job or of a CronJob's job template, with its JSON path. */
export function jobSpecOf(obj: KubeObject): { path: string; spec: { [key: string]: any } } | undefined {
  if (obj.kind === 'Job' && obj.spec) return { path: 'spec', spec: obj.spec };
  if (obj.kind === 'CronJob' && obj.spec?.jobTemplate?.spec) return { path: 'spec.jobTemplate.spec', spec: obj.spec.jobTemplate.spec };
  return undefined;
}

/** Every container of a pod spec with its JSON path and whether it is an init or ephemeral container. */
export function containersOf(spec: PodSpecJson, specPath: string): { container: ContainerJson; path: string; group: 'containers' | 'initContainers' | 'ephemeralContainers' }[] {
  const out: { container: ContainerJson; path: string; group: 'containers' | 'initContainers' | 'ephemeralContainers' }[] = [];
  for (const group of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    (spec[group] ?? []).forEach((container, i) => out.push({ container, path: `${specPath}.${group}[${i}]`, group }));
  }
  return out;
}

/** The JSON path of a pod template's labels, from the path of its pod spec. */
export function labelsPathOf(specPath: string): string {
  switch (specPath) {
    case 'spec': return 'metadata.labels';
    case 'spec.template.spec': return 'spec.template.metadata.labels';
    case 'spec.jobTemplate.spec.template.spec': return 'spec.jobTemplate.spec.template.metadata.labels';
    default: return `${specPath.replace(/spec$/, 'metadata')}.labels`;
  }
}
