// Shared by the constructs: turn built plain objects into cdk8s ApiObjects.
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { KubeObject } from '../profile';

/** Adds one ApiObject per plain object under `scope`, each with its kind as construct id. */
export function addApiObjects(scope: Construct, objects: readonly KubeObject[]): ApiObject[] {
  return objects.map((obj) => new ApiObject(scope, obj.kind, obj as any));
}
