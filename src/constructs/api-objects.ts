// Shared by the constructs: turn built plain objects into cdk8s ApiObjects, and serialize those as cdk8s does
// without resolving their props (which are plain JSON: there is nothing to resolve).
import { ApiObject, ApiObjectMetadataDefinition, Chart, JsonPatch } from 'cdk8s';
import { sanitizeValue } from 'cdk8s/lib/_util';
import { Construct } from 'constructs';
import { KubeObject } from '../profile';

/** On each ApiObject added here: the plain object it was made from (its props, which cdk8s keeps as given). */
const BUILT_FROM = Symbol('cdk8s-sandbox.built-from');
type Built = ApiObject & { [BUILT_FROM]?: KubeObject };

/** Adds an ApiObject made from a plain object the library built. */
export function addApiObject(scope: Construct, id: string, obj: KubeObject): ApiObject {
  const added = new ApiObject(scope, id, obj as any);
  (added as Built)[BUILT_FROM] = obj;
  return added;
}

/** Adds one ApiObject per plain object under `scope`, each with its kind as construct id. */
export function addApiObjects(scope: Construct, objects: readonly KubeObject[]): ApiObject[] {
  return objects.map((obj) => addApiObject(scope, obj.kind, obj));
}

/**
 * Adds an ApiObject of a cluster-scoped kind (a RuntimeClass, an admission policy, a Kueue ClusterQueue): the
 * chart's namespace, which cdk8s gives every object of a namespaced chart, does not apply to it.
 */
export function addClusterScopedApiObject(scope: Construct, id: string, obj: KubeObject): ApiObject {
  const added = addApiObject(scope, id, obj);
  if (Chart.of(scope).namespace !== undefined) added.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  return added;
}

/** The JSON patches of an ApiObject (-1 when cdk8s keeps them elsewhere, which counts as patched). */
export function patchCount(o: ApiObject): number {
  const patches = (o as unknown as { patches?: unknown }).patches;
  return Array.isArray(patches) ? patches.length : -1;
}

/**
 * What cdk8s's ApiObject.toJson returns for an ApiObject added here that has no JSON patch, when the app has
 * only cdk8s's own resolvers: the props with the metadata's JSON, each sanitized as ApiObject.toJson and
 * ApiObjectMetadataDefinition.toJson do (keys sorted unless CDK8S_DISABLE_SORT, empty values dropped), with
 * apiVersion, kind and metadata first, but not resolved: cdk8s's resolvers leave plain JSON as it is (they
 * replace Lazy values, objects with a `resolve` method and number-or-string classes), and resolving is most of
 * what ApiObject.toJson costs. Undefined for another object, or when sanitizing refuses a value (a class
 * instance, a Lazy label); the caller must check that the result is plain JSON (a `resolve` function in it means
 * that ApiObject.toJson would have called it) and otherwise use ApiObject.toJson.
 */
export function serializeBuiltWithoutResolving(o: ApiObject): any | undefined {
  const props = (o as Built)[BUILT_FROM];
  if (props === undefined || patchCount(o) !== 0) return undefined;
  let json: any;
  try {
    json = sanitizeValue({ ...props, metadata: metadataJsonWithoutResolving(o.metadata) }, { sortKeys: process.env.CDK8S_DISABLE_SORT ? false : true });
  } catch {
    return undefined;
  }
  const result: any = {};
  for (const k of ['apiVersion', 'kind', 'metadata', ...Object.keys(json)]) {
    if (k in json) result[k] = json[k];
  }
  return result;
}

/** The fields ApiObjectMetadataDefinition keeps its metadata in (private in cdk8s; read here as its toJson reads them). */
interface MetadataFields {
  readonly name?: string;
  readonly namespace?: string;
  readonly labels: object;
  readonly annotations: object;
  readonly finalizers: unknown[];
  readonly ownerReferences: unknown[];
  readonly _additionalAttributes: object;
}

/**
 * What ApiObjectMetadataDefinition.toJson returns, but not resolved (see serializeBuiltWithoutResolving); its own
 * toJson when the metadata does not keep its fields where cdk8s does, or has another toJson.
 */
function metadataJsonWithoutResolving(metadata: ApiObjectMetadataDefinition): any {
  const m = metadata as unknown as MetadataFields;
  if (metadata.toJson !== ApiObjectMetadataDefinition.prototype.toJson || typeof m._additionalAttributes !== 'object' || typeof m.labels !== 'object'
    || typeof m.annotations !== 'object' || !Array.isArray(m.finalizers) || !Array.isArray(m.ownerReferences)) return metadata.toJson();
  // As `{ ...additionalAttributes, name, namespace, annotations, finalizers, ownerReferences, labels }`, without
  // copying the attributes these replace (key order does not matter: sanitizing sorts the keys).
  const attributes = m._additionalAttributes as { [key: string]: unknown };
  const data: { [key: string]: unknown } = {};
  for (const key of Object.keys(attributes)) {
    if (key === '__proto__') return metadata.toJson();
    if (!METADATA_FIELDS.has(key)) data[key] = attributes[key];
  }
  data.name = m.name;
  data.namespace = m.namespace;
  data.annotations = m.annotations;
  data.finalizers = m.finalizers;
  data.ownerReferences = m.ownerReferences;
  data.labels = m.labels;
  return sanitizeValue(data, { filterEmptyArrays: true, filterEmptyObjects: true });
}

/** The metadata fields ApiObjectMetadataDefinition.toJson writes from its own fields, over its attributes. */
const METADATA_FIELDS: ReadonlySet<string> = new Set(['name', 'namespace', 'annotations', 'finalizers', 'ownerReferences', 'labels']);
