// Shared by the constructs: turn built objects into ApiObjects and re-check them against the profile at synth.
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { describeFinding } from '../builders/compliance';
import { CheckOptions, KubeObject, checkObjects } from '../profile';

/** Adds one ApiObject per plain object under `scope`, each with its kind as construct id. */
export function addApiObjects(scope: Construct, objects: readonly KubeObject[]): ApiObject[] {
  return objects.map((obj) => new ApiObject(scope, obj.kind, obj as any));
}

/**
 * Re-runs the hardening profile over the final JSON of `objects` when the app synthesizes, so that a
 * weakening added after construction (a JSON patch, an escape hatch) fails synth with the rule and fix.
 */
export function guardWithProfile(scope: Construct, objects: readonly ApiObject[], options: CheckOptions): void {
  scope.node.addValidation({
    validate: () => checkObjects(objects.map((o) => o.toJson()), options).map((f) => `${describeFinding(f)}`),
  });
}
