// WorkloadSelector: a workload this library did not build (a cdk8s-plus-27 workload, an L1 KubeDeployment, an
// object of Include or Helm), referenced by a SandboxNetworkPolicy (`selects`, NetworkPeer.workload) and selected
// by the labels its object really carries: its selector's matchLabels, or for a Job, CronJob or Pod its pod's.
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ISandboxWorkload, WorkloadRole, WorkloadSelection, describeGiven, isConstructLike } from '../builders/network';
import { Site, fail } from '../builders/validate';
import { KubeObject, WORKLOAD_KINDS, labelsText } from '../profile';

/** The label cdk8s-plus puts on every pod template and selects its workloads by: one per construct address. */
const CDK8S_PLUS_ADDRESS_LABEL = 'cdk8s.io/metadata.addr';

/** Kinds whose API requires a selector (apps/v1): they are selected by it, never by their template's labels. */
const SELECTOR_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

const ALLOWED = 'a construct holding one workload: a cdk8s-plus-27 Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod; an L1 '
  + 'KubeDeployment, KubeStatefulSet, KubeDaemonSet, KubeReplicaSet, KubeJob, KubeCronJob or KubePod; an ApiObject of Include or Helm; '
  + 'a SandboxedDeployment or CodeRunnerJob; or a construct that holds exactly one of them';

/**
 * A workload referenced by the labels its object really carries, for `SandboxNetworkPolicy.selects` and
 * `NetworkPeer.workload`: `selects: [WorkloadSelector.of(deployment)]` with a cdk8s-plus-27 Deployment,
 * StatefulSet, DaemonSet, Job, CronJob or Pod, an L1 `KubeDeployment` (`KubeStatefulSet`, `KubeDaemonSet`,
 * `KubeReplicaSet`, `KubeJob`, `KubeCronJob`, `KubePod`), an ApiObject of `Include` or `Helm`, or a construct
 * holding exactly one of them.
 *
 * The pods are those of its `spec.selector.matchLabels`; a Job, CronJob or Pod has no selector of its own
 * and is selected by its pod template's labels (by cdk8s-plus's `cdk8s.io/metadata.addr` label alone when the
 * template carries it). The namespace is the object's `metadata.namespace` (its chart's). The workload is read
 * where a policy uses it, and the policy refuses, naming itself and the field, a construct that holds no
 * workload or several, an empty selector (it would select every pod), a selector with matchExpressions, and
 * selector labels the pod template does not carry (it would select nothing). At synth the policy reads the
 * workload again and fails if its labels or namespace changed since.
 */
export class WorkloadSelector implements ISandboxWorkload {
  /** A reference to the one workload `workload` is or holds. */
  public static of(workload: IConstruct): WorkloadSelector {
    return new WorkloadSelector(workload);
  }

  /** The construct given. */
  public readonly workload: IConstruct;

  private constructor(workload: IConstruct) {
    this.workload = workload;
  }

  /** Name of the workload object. */
  public get name(): string {
    return this.outside().name;
  }

  /** Namespace of its pods (its object's `metadata.namespace`, which its chart's namespace fills in). */
  public get namespace(): string | undefined {
    return this.outside().namespace;
  }

  /** The labels it selects its pods by, read from its object. */
  public get selectorLabels(): { [key: string]: string } {
    return { ...this.outside().labels };
  }

  /**
   * The workload as the policy at `site` uses it in field `name`, read now; refusals name both.
   * @internal
   */
  public _selectionFor(site: Site, name: string, role: WorkloadRole): WorkloadSelection {
    return resolve(site, name, role, this.workload, false);
  }

  /**
   * The workload read again from its final JSON, at synth: a message when it differs from `before` (what a
   * policy was built with) or cannot be selected any more, else undefined.
   * @internal
   */
  public _changedSince(before: WorkloadSelection, field: string, role: WorkloadRole): string | undefined {
    let now: WorkloadSelection;
    try {
      now = resolve({ where: '', prefix: '' }, field, role, this.workload, true);
    } catch (e) {
      return `${(e as Error).message.replace(/^: /, '')} (read again when synthesized: the workload changed after the policy was created)`;
    }
    const same = now.namespace === before.namespace && labelsText(sorted(now.labels)) === labelsText(sorted(before.labels));
    if (same) return undefined;
    return `${field} is ${before.what}, whose pods the policy ${role === 'selects' ? 'selects' : 'names as a peer'} by ${labelsText(before.labels)} in namespace `
      + `${JSON.stringify(before.namespace ?? '(chart namespace)')}, but when synthesized the workload carries ${labelsText(now.labels)} in namespace `
      + `${JSON.stringify(now.namespace ?? '(chart namespace)')} (its labels, selector or namespace changed after the policy was created); `
      + 'create the SandboxNetworkPolicy after the workload\'s labels and selector are final';
  }

  /** The selection outside any policy, for the ISandboxWorkload properties. */
  private outside(): WorkloadSelection {
    const path = (this.workload as IConstruct | undefined)?.node?.path;
    return resolve({ where: typeof path === 'string' && path !== '' ? path : 'WorkloadSelector.of', prefix: '' }, 'workload', 'selects', this.workload, false);
  }
}

function sorted(labels: { readonly [key: string]: string }): { [key: string]: string } {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** One of the library's own workloads (SandboxedDeployment, CodeRunnerJob): it knows its selector labels. */
function isSandboxWorkloadConstruct(value: IConstruct): value is IConstruct & ISandboxWorkload {
  const labels = (value as Partial<ISandboxWorkload>).selectorLabels;
  return typeof (value as Partial<ISandboxWorkload>).name === 'string' && !!labels && typeof labels === 'object' && !ApiObject.isApiObject(value);
}

function isWorkloadObject(value: IConstruct): value is ApiObject {
  return ApiObject.isApiObject(value) && WORKLOAD_KINDS.includes((value as ApiObject).kind);
}

/** The cdk8s-plus workload (or Pod) whose own object `o` is: a class of a `cdk8s-plus-*` package whose `apiObject` it is. */
function cdk8sPlusOwner(o: ApiObject): any {
  const scope: any = o.node.scope;
  const fqn: unknown = scope?.constructor?.[Symbol.for('jsii.rtti')]?.fqn;
  return typeof fqn === 'string' && fqn.startsWith('cdk8s-plus-') && scope.apiObject === o ? scope : undefined;
}

/**
 * The parts of a workload's JSON its selection reads. A cdk8s-plus workload renders its spec lazily (and fails
 * to before it has a container), so at construction its selector and pod labels come from its own API, exactly
 * as its `_toKube` emits them; at synth (`final`), and for every other object, from `toJson()`.
 */
function jsonOf(o: ApiObject, final: boolean): KubeObject {
  const plus = final ? undefined : cdk8sPlusOwner(o);
  if (!plus) return o.toJson();
  const metadata = o.metadata.toJson();
  if (o.kind === 'Pod' || typeof plus.podMetadata?.toJson !== 'function') return { apiVersion: o.apiVersion, kind: o.kind, metadata };
  const template = { metadata: plus.podMetadata.toJson() };
  switch (o.kind) {
    case 'Job': return { apiVersion: o.apiVersion, kind: o.kind, metadata, spec: { template } };
    case 'CronJob': return { apiVersion: o.apiVersion, kind: o.kind, metadata, spec: { jobTemplate: { spec: { template } } } };
    default: {
      const matchLabels = plus.matchLabels ?? {};
      const matchExpressions = plus.matchExpressions ?? [];
      const selector = {
        ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
        ...(matchExpressions.length > 0 ? { matchExpressions } : {}),
      };
      return { apiVersion: o.apiVersion, kind: o.kind, metadata, spec: { selector, template } };
    }
  }
}

/** Where a kind keeps its pod template's labels, and the labels there. */
function templateLabelsOf(json: KubeObject): { path: string; labels: unknown } {
  switch (json.kind) {
    case 'Pod': return { path: 'metadata.labels', labels: json.metadata?.labels };
    case 'CronJob': return { path: 'spec.jobTemplate.spec.template.metadata.labels', labels: json.spec?.jobTemplate?.spec?.template?.metadata?.labels };
    default: return { path: 'spec.template.metadata.labels', labels: json.spec?.template?.metadata?.labels };
  }
}

/** Where a kind keeps its own selector (a Pod has none), and the selector there as a LabelSelector. */
function selectorOf(json: KubeObject): { path: string; selector: any } | undefined {
  switch (json.kind) {
    case 'Pod': return undefined;
    case 'CronJob': return { path: 'spec.jobTemplate.spec.selector', selector: json.spec?.jobTemplate?.spec?.selector };
    // A ReplicationController's selector is a plain map of labels.
    case 'ReplicationController': return { path: 'spec.selector', selector: json.spec?.selector ? { matchLabels: json.spec.selector } : undefined };
    default: return { path: 'spec.selector', selector: json.spec?.selector };
  }
}

function isMapping(value: unknown): value is { [key: string]: unknown } {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/** Resolves what a policy selects of `given` (a construct that is or holds one workload), refusing what it cannot select. */
function resolve(site: Site, field: string, role: WorkloadRole, given: unknown, final: boolean): WorkloadSelection {
  const wouldSelect = role === 'selects' ? 'the policy would select' : 'the peer would match';
  if (!isConstructLike(given)) fail(site, field, describeGiven(given), `allowed: ${ALLOWED}`);
  if (isSandboxWorkloadConstruct(given)) {
    const what = `${describeGiven(given)}`;
    const labels = given.selectorLabels;
    if (Object.keys(labels).length === 0) fail(site, field, what, `its selectorLabels are empty ({}), so ${wouldSelect} every pod of its namespace; allowed: ${ALLOWED}`);
    return { name: given.name, ...(given.namespace !== undefined ? { namespace: given.namespace } : {}), labels: { ...labels }, what };
  }
  const workloads = isWorkloadObject(given) ? [given] : given.node.findAll().filter(isWorkloadObject);
  if (workloads.length === 0) {
    const objects = given.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c));
    const holds = objects.length === 0 ? 'no ApiObject at all' : `only ${objects.slice(0, 5).map((o) => `${o.kind} "${o.name}"`).join(', ')}${objects.length > 5 ? ', ...' : ''}`;
    fail(site, field, describeGiven(given), `it holds no workload (${holds}), so there are no pods to select; allowed: ${ALLOWED}`);
  }
  if (workloads.length > 1) {
    fail(site, field, describeGiven(given), `it holds ${workloads.length} workloads (${workloads.slice(0, 5).map((o) => describeGiven(o)).join(', ')}${workloads.length > 5 ? ', ...' : ''}), `
      + 'and a reference names one: pass the one meant (for Include or Helm: WorkloadSelector.of(chart.apiObjects.find((o) => o.kind === \'Deployment\' && o.name === \'web\'))), '
      + 'and list several in selects to select them together');
  }
  const o = workloads[0];
  const what = `${o.kind} "${o.name}" at ${o.node.path}`;
  let json: KubeObject;
  try {
    json = jsonOf(o, final);
  } catch (e) {
    return fail(site, field, what, `its JSON could not be read (${(e as Error).message}); allowed: ${ALLOWED}`);
  }
  const name = typeof json.metadata?.name === 'string' ? json.metadata.name : o.name;
  const namespace = typeof json.metadata?.namespace === 'string' && json.metadata.namespace !== '' ? json.metadata.namespace : undefined;
  const template = templateLabelsOf(json);
  const templateLabels = isMapping(template.labels) ? template.labels : {};
  const strings = (path: string, labels: { [key: string]: unknown }): { [key: string]: string } => {
    for (const [key, value] of Object.entries(labels)) {
      if (typeof value !== 'string') fail(site, field, what, `its ${path} label ${JSON.stringify(key)} is ${JSON.stringify(value)}, not a string: Kubernetes label values are strings; quote it`);
    }
    return labels as { [key: string]: string };
  };
  const own = selectorOf(json);
  const selector = own?.selector;
  if (own && (selector !== undefined && selector !== null || SELECTOR_KINDS.has(json.kind))) {
    const expressions = isMapping(selector) && Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
    if (expressions.length > 0) {
      fail(site, field, what, `its ${own.path} has matchExpressions (${JSON.stringify(expressions)}); selecting its pods by its matchLabels alone would also take pods those exclude, `
        + 'so it is not carried over. Allowed: a selector of matchLabels only (the labels its pod template carries), or an ISandboxWorkload '
        + '({ name, namespace, selectorLabels }) naming labels only its pods carry');
    }
    const matchLabels = isMapping(selector) && isMapping(selector.matchLabels) ? strings(`${own.path}.matchLabels`, selector.matchLabels) : {};
    if (Object.keys(matchLabels).length === 0) {
      fail(site, field, what, `its ${own.path} is empty (${JSON.stringify(selector ?? null)}), so ${wouldSelect} every pod of its namespace; allowed: a workload whose selector has matchLabels`);
    }
    const missing = Object.entries(matchLabels).filter(([k, v]) => templateLabels[k] !== v);
    if (missing.length > 0) {
      fail(site, field, what, `its ${own.path}.matchLabels (${labelsText(matchLabels)}) are not all on its pod template (${template.path}: ${labelsText(templateLabels)}; `
        + `missing ${labelsText(Object.fromEntries(missing))}), so ${wouldSelect} none of its pods; allowed: a workload whose pod template carries every label of its selector`);
    }
    return { name, ...(namespace ? { namespace } : {}), labels: { ...matchLabels }, what };
  }
  // No selector of its own (a Job, CronJob or Pod): its pods are those with its template's labels, by cdk8s-plus's
  // per-construct label alone when it is there (it stays put when other labels are added later).
  const labels = strings(template.path, templateLabels);
  if (Object.keys(labels).length === 0) {
    fail(site, field, what, `its pod template has no labels (${template.path}), so ${wouldSelect} every pod of its namespace; allowed: a workload whose pod template carries labels`);
  }
  const address = labels[CDK8S_PLUS_ADDRESS_LABEL];
  return { name, ...(namespace ? { namespace } : {}), labels: address !== undefined ? { [CDK8S_PLUS_ADDRESS_LABEL]: address } : { ...labels }, what };
}
