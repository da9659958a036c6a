// Shared by the constructs: turn built plain objects into cdk8s ApiObjects, and hand the synth guard what those
// serialize from, so it need not resolve their props (which are plain JSON: there is nothing to resolve).
import { ApiObject, ApiObjectMetadataDefinition, Chart, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { KubeObject } from '../profile';

/** Adds an ApiObject made from a plain object the library built (cdk8s keeps it, as given, as the object's props). */
export function addApiObject(scope: Construct, id: string, obj: KubeObject): ApiObject {
  return new ApiObject(scope, id, obj as any);
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

/** What a plain ApiObject serializes from, before cdk8s resolves and sanitizes it (see builtDataOf). */
export interface BuiltData {
  /** Its props, which cdk8s keeps as given (for the library's objects, the plain object it built). */
  readonly props: KubeObject;
  /** Its metadata's fields, as ApiObjectMetadataDefinition.toJson gathers them before resolving and sanitizing. */
  readonly metadata: { readonly [key: string]: unknown };
}

/**
 * What cdk8s's ApiObject.toJson serializes an ApiObject from, when it has no JSON patch: its props and its
 * metadata's fields, not resolved (both read as ApiObject.toJson reads them; cdk8s keeps them private). With only
 * cdk8s's own resolvers, resolving leaves plain JSON as it is (they replace Lazy values, objects with a `resolve`
 * method and number-or-string classes), and resolving is most of what ApiObject.toJson costs: sanitized as cdk8s
 * sanitizes them, they are its JSON. Undefined for a patched object, or one that does not keep its props where
 * cdk8s does. The caller must check that the object's toJson is ApiObject.toJson, and that the data is plain JSON
 * (a `resolve` function in it means that ApiObject.toJson would have called it), and otherwise use its toJson.
 */
export function builtDataOf(o: ApiObject): BuiltData | undefined {
  const props = (o as unknown as { props?: unknown }).props;
  if (typeof props !== 'object' || props === null || patchCount(o) !== 0) return undefined;
  return { props: props as KubeObject, metadata: metadataFieldsOf(o.metadata) };
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
 * The fields ApiObjectMetadataDefinition.toJson resolves and sanitizes, as it gathers them (see builtDataOf); its
 * own toJson, which sanitizing leaves as it is, when the metadata does not keep its fields where cdk8s does or has
 * another toJson.
 */
function metadataFieldsOf(metadata: ApiObjectMetadataDefinition): { [key: string]: unknown } {
  const m = metadata as unknown as MetadataFields;
  if (metadata.toJson !== ApiObjectMetadataDefinition.prototype.toJson || typeof m._additionalAttributes !== 'object' || typeof m.labels !== 'object'
    || typeof m.annotations !== 'object' || !Array.isArray(m.finalizers) || !Array.isArray(m.ownerReferences)) return metadata.toJson() ?? {};
  // As `{ ...additionalAttributes, name, namespace, annotations, finalizers, ownerReferences, labels }`, without
  // copying the attributes these replace (key order does not matter: cdk8s sorts the metadata's keys).
  const attributes = m._additionalAttributes as { [key: string]: unknown };
  const data: { [key: string]: unknown } = {};
  for (const key of Object.keys(attributes)) {
    if (key === '__proto__') return metadata.toJson() ?? {};
    if (!METADATA_FIELDS.has(key)) data[key] = attributes[key];
  }
  data.name = m.name;
  data.namespace = m.namespace;
  data.annotations = m.annotations;
  data.finalizers = m.finalizers;
  data.ownerReferences = m.ownerReferences;
  data.labels = m.labels;
  return data;
}

/** The metadata fields ApiObjectMetadataDefinition.toJson writes from its own fields, over its attributes. */
const METADATA_FIELDS: ReadonlySet<string> = new Set(['name', 'namespace', 'annotations', 'finalizers', 'ownerReferences', 'labels']);
