// Schema checks for the custom resources the library emits, against the vendored CRD schemas of
// test/fixtures/crds/ (see its README): FQDN policies (Cilium, GKE) here, Kueue in kueue-crd.ts. And one
// check for a mixed set: built-in kinds through kubernetes-models, the custom ones through their CRDs.
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import * as jsyaml from 'js-yaml';
import { kueueProblems } from './kueue-crd';
import { KubeJson, kubernetesProblems } from './schema';

/** Every object schema that lists its properties refuses others (as `kubectl apply --validate=strict` does). */
function strict(schema: any): any {
  if (Array.isArray(schema)) return schema.map(strict);
  if (!schema || typeof schema !== 'object') return schema;
  const out: any = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, strict(s)])) : strict(v)]));
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/** A validator for one vendored schema file of test/fixtures/crds/. */
export function crdValidator(file: string): ValidateFunction {
  const text = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'crds', file), 'utf8');
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
  for (const keyword of ['x-kubernetes-list-type', 'x-kubernetes-map-type', 'x-kubernetes-int-or-string']) ajv.addKeyword(keyword);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  return ajv.compile(strict(file.endsWith('.json') ? JSON.parse(text) : jsyaml.load(text)));
}

/** What a validator says of an object, one line per error (none when it is valid). */
export function validatorProblems(validate: ValidateFunction, obj: unknown): string[] {
  return validate(obj) ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message}`);
}

let fqdnValidators: { readonly cilium: ValidateFunction; readonly gke: ValidateFunction } | undefined;

/** Problems of every object of a set: built-in kinds, Kueue's, and the FQDN policies, each against its own schema. */
export function manifestProblems(objects: readonly KubeJson[]): string[] {
  fqdnValidators ??= { cilium: crdValidator('cilium-ciliumnetworkpolicy-v2.schema.yaml'), gke: crdValidator('gke-fqdnnetworkpolicy-v1alpha1.schema.json') };
  const group = (o: KubeJson) => (o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.indexOf('/')) : '');
  const kueue = objects.filter((o) => group(o) === 'kueue.x-k8s.io');
  const cilium = objects.filter((o) => group(o) === 'cilium.io' && o.kind === 'CiliumNetworkPolicy');
  const gke = objects.filter((o) => group(o) === 'networking.gke.io' && o.kind === 'FQDNNetworkPolicy');
  const custom = new Set([...kueue, ...cilium, ...gke]);
  const named = (o: KubeJson, problems: string[]) => problems.map((p) => `${o.kind}/${o.metadata?.name}: ${p}`);
  return [
    ...kubernetesProblems(objects.filter((o) => !custom.has(o))),
    ...kueueProblems(kueue),
    ...cilium.flatMap((o) => named(o, validatorProblems(fqdnValidators!.cilium, o))),
    ...gke.flatMap((o) => named(o, validatorProblems(fqdnValidators!.gke, o))),
  ];
}
