// Shared by the constructs: turn built plain objects into cdk8s ApiObjects.
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { KubeObject } from '../profile';

/** Adds one ApiObject per plain object under `scope`, each with its kind as construct id. */
export function addApiObjects(scope: Construct, objects: readonly KubeObject[]): ApiObject[] {
  return objects.map((obj) => new ApiObject(scope, obj.kind, obj as any));
}

/**
 * Adds an ApiObject of a cluster-scoped kind (a RuntimeClass, an admission policy, a Kueue ClusterQueue): the
 * chart's namespace, which cdk8s gives every object of a namespaced chart, does not apply to it.
 */
export function addClusterScopedApiObject(scope: Construct, id: string, obj: KubeObject): ApiObject {
  const added = new ApiObject(scope, id, obj as any);
  if (Chart.of(scope).namespace !== undefined) added.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  return added;
}
