// Validation of Kueue objects against Kueue's own CRD schemas (test/fixtures/crds/kueue, vendored), as the API
// server would on create: the served version and scope, structural defaults, the OpenAPI schema with ajv
// (unknown fields refused, as `kubectl apply` with strict field validation does), the list-type
// uniqueness rules, and the CRDs' CEL rules (x-kubernetes-validations) with @bufbuild/cel. Transition rules
// (those naming oldSelf) only run on update and are skipped.
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import { isCelError, run } from '@bufbuild/cel';
import * as yaml from 'js-yaml';

/** A Kueue object as synthesized. */
export interface KueueJson {
  readonly apiVersion: string;
  readonly kind: string;
  readonly [key: string]: any;
}

type Schema = { [key: string]: any };

/** One vendored CRD, reduced to what validation needs. */
interface CrdVersion {
  readonly group: string;
  readonly kind: string;
  readonly version: string;
  readonly namespaced: boolean;
  readonly schema: Schema;
  readonly validate: ValidateFunction;
}

export const KUEUE_CRD_DIR = path.join(__dirname, '..', 'fixtures', 'crds', 'kueue');

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Keywords of Kubernetes' structural schemas that ajv does not know; the walker below applies those that validate. */
const KUBERNETES_KEYWORDS = [
  'x-kubernetes-validations', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type',
  'x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource',
];

function newAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strictTypes: false, // `pattern` next to `anyOf: [integer, string]` (int-or-string) is how Kubernetes writes quantities
    formats: {
      'int32': { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
      'int64': { type: 'number', validate: (n: number) => Number.isSafeInteger(n) },
      'date-time': { type: 'string', validate: (s: string) => RFC3339.test(s) },
    },
  });
  ajv.addVocabulary(KUBERNETES_KEYWORDS);
  return ajv;
}

/**
 * The schema ajv compiles: every object schema with properties and no additionalProperties refuses other
 * fields (the API server prunes them, and strict field validation reports them as unknown fields).
 */
function closed(schema: Schema): Schema {
  const out: Schema = { ...schema };
  if (out.properties) {
    out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, closed(v as Schema)]));
    if (out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  }
  if (out.items) out.items = closed(out.items);
  if (out.additionalProperties && typeof out.additionalProperties === 'object') out.additionalProperties = closed(out.additionalProperties);
  for (const key of ['anyOf', 'allOf', 'oneOf']) if (Array.isArray(out[key])) out[key] = out[key].map(closed);
  return out;
}

let crdCache: Map<string, CrdVersion> | undefined;

/** The vendored CRDs' served versions, by `group/version kind`. */
export function kueueCrds(): Map<string, CrdVersion> {
  if (!crdCache) {
    crdCache = new Map();
    const ajv = newAjv();
    for (const file of fs.readdirSync(KUEUE_CRD_DIR).filter((f) => f.endsWith('.yaml')).sort()) {
      const crd = yaml.load(fs.readFileSync(path.join(KUEUE_CRD_DIR, file), 'utf8')) as Schema;
      for (const v of crd.spec.versions.filter((version: Schema) => version.served)) {
        const schema = v.schema.openAPIV3Schema;
        crdCache.set(`${crd.spec.group}/${v.name} ${crd.spec.names.kind}`, {
          group: crd.spec.group, kind: crd.spec.names.kind, version: v.name, namespaced: crd.spec.scope === 'Namespaced',
          schema, validate: ajv.compile(closed(schema)),
        });
      }
    }
  }
  return crdCache;
}

/** A JSON path segment: `.name`, `["kubernetes.io/metadata.name"]` or `[0]`. */
function segment(at: string, key: string | number): string {
  if (typeof key === 'number') return `${at}[${key}]`;
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) return at ? `${at}.${key}` : key;
  return `${at}[${JSON.stringify(key)}]`;
}

function jsonPathOf(instancePath: string): string {
  return instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<string>((acc, s) => segment(acc, /^[0-9]+$/.test(s) ? Number(s) : s), '');
}

const isObject = (v: unknown): v is { [key: string]: any } => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Applies the schema's defaults where a field is absent, top down, as the API server does before validating. */
function applyDefaults(schema: Schema, value: unknown): void {
  if (isObject(value) && schema.properties) {
    for (const [key, sub] of Object.entries<Schema>(schema.properties)) {
      if (value[key] === undefined && sub.default !== undefined) value[key] = JSON.parse(JSON.stringify(sub.default));
      if (value[key] !== undefined) applyDefaults(sub, value[key]);
    }
  }
  if (isObject(value) && isObject(schema.additionalProperties)) for (const v of Object.values(value)) applyDefaults(schema.additionalProperties, v);
  if (Array.isArray(value) && schema.items) for (const v of value) applyDefaults(schema.items, v);
}

/** JSON as CEL sees it: integers are CEL ints, objects maps. */
function toCel(value: unknown): any {
  if (Array.isArray(value)) return value.map(toCel);
  if (isObject(value)) return new Map(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  return value;
}

/** The list-type uniqueness rules and the CEL rules, over the (defaulted) object. */
function structuralProblems(schema: Schema, value: unknown, at: string, out: string[]): void {
  if (value === undefined || value === null) return;
  const where = at || '(root)';
  if (Array.isArray(value)) {
    const listType = schema['x-kubernetes-list-type'];
    if (listType === 'set' || listType === 'map') {
      const keys: string[] = schema['x-kubernetes-list-map-keys'] ?? [];
      const identity = (item: any) => JSON.stringify(listType === 'set' ? item : keys.map((k) => item?.[k]));
      const seen = new Set<string>();
      value.forEach((item, i) => {
        const id = identity(item);
        if (seen.has(id)) out.push(`${segment(at, i)}: Duplicate value: ${listType === 'map' ? `{${keys.map((k) => `"${k}":${JSON.stringify(item?.[k])}`).join(',')}}` : id}`);
        seen.add(id);
      });
    }
  }
  for (const { rule, message } of schema['x-kubernetes-validations'] ?? []) {
    if (/\boldSelf\b/.test(rule)) continue; // a transition rule: evaluated on update only
    const result = run(rule, { self: toCel(value) });
    if (isCelError(result)) out.push(`${where}: Invalid value: rule ${JSON.stringify(rule)} could not be evaluated: ${result.message}`);
    else if (result !== true) out.push(`${where}: Invalid value: ${message}`);
  }
  if (isObject(value)) {
    for (const [key, v] of Object.entries(value)) {
      const sub = schema.properties?.[key] ?? (isObject(schema.additionalProperties) ? schema.additionalProperties : undefined);
      if (sub) structuralProblems(sub, v, segment(at, key), out);
    }
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => structuralProblems(schema.items, v, segment(at, i), out));
}

/**
 * Everything the API server (with the vendored Kueue CRDs installed) would refuse in `obj` on create, each as
 * `<json path>: <problem>`; `[]` when it would be admitted. Throws for a kind the vendored CRDs do not define.
 */
export function kueueSchemaErrors(obj: KueueJson): string[] {
  const crds = kueueCrds();
  const kind = [...crds.values()].find((c) => c.kind === obj.kind);
  if (!kind) throw new Error(`no vendored Kueue CRD defines kind ${obj.kind}`);
  const crd = crds.get(`${obj.apiVersion} ${obj.kind}`);
  if (!crd) return [`apiVersion: ${JSON.stringify(obj.apiVersion)} is not served by the vendored CRD of ${obj.kind} (served: ${[...crds.values()].filter((c) => c.kind === obj.kind).map((c) => `${c.group}/${c.version}`).join(', ')})`];
  const out: string[] = [];
  const name = obj.metadata?.name;
  if (typeof name !== 'string' || name.length > 253 || !DNS_SUBDOMAIN.test(name)) out.push(`metadata.name: Invalid value: ${JSON.stringify(name)}: must be a DNS subdomain`);
  const namespace = obj.metadata?.namespace;
  if (crd.namespaced && (typeof namespace !== 'string' || !DNS_LABEL.test(namespace))) out.push(`metadata.namespace: Required value: a ${obj.kind} is namespaced`);
  if (!crd.namespaced && namespace !== undefined) out.push(`metadata.namespace: Forbidden: a ${obj.kind} is cluster-scoped`);
  const defaulted = JSON.parse(JSON.stringify(obj));
  applyDefaults(crd.schema, defaulted);
  if (!crd.validate(defaulted)) {
    for (const e of crd.validate.errors ?? []) {
      const extra = e.keyword === 'additionalProperties' ? ` ${JSON.stringify((e.params as any).additionalProperty)}` : e.keyword === 'enum' ? ` ${JSON.stringify((e.params as any).allowedValues)}` : '';
      out.push(`${jsonPathOf(e.instancePath) || '(root)'}: ${e.message}${extra}`);
    }
  }
  structuralProblems(crd.schema, defaulted, '', out);
  return out;
}

/** Every problem of many objects, each prefixed with `Kind/name`: `expect(kueueProblems(objects)).toEqual([])`. */
export function kueueProblems(objects: readonly KueueJson[]): string[] {
  return objects.flatMap((obj) => kueueSchemaErrors(obj).map((e) => `${obj.kind}/${obj.metadata?.name ?? '(unnamed)'} ${e}`));
}
