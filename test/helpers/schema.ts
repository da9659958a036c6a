// Schema checks for synthesized Kubernetes objects, shared by the test files.
// - schemaErrors: kubernetes-models' validators check types, required fields, enums and formats.
// - unknownFields: kubernetes-models accepts unknown fields (a typo such as `runtimeClasName` passes),
//   so a walker over @kubernetes/client-node's model metadata (`getAttributeTypeMap()` of each V1...
//   class) reports every field the Kubernetes API does not know, as a JSON path.
// client-node 1.x is ESM only and jest runs tests as CommonJS, so its metadata is read once per test
// file by a short node child process.
import { execFileSync } from 'child_process';
import * as path from 'path';
import { pathToFileURL } from 'url';

/** A plain Kubernetes object as synthesized. */
export interface KubeJson {
  readonly apiVersion: string;
  readonly kind: string;
  readonly [key: string]: any;
}

/** client-node model class name -> (JSON field name -> type name, e.g. `Array<V1Container>`). */
type ModelMetadata = { [className: string]: { [field: string]: string } };

let metadataCache: ModelMetadata | undefined;

function modelMetadata(): ModelMetadata {
  if (!metadataCache) {
    const models = pathToFileURL(require.resolve('@kubernetes/client-node/dist/gen/models/all.js')).href;
    const script = [
      `import * as m from ${JSON.stringify(models)};`,
      'const out = {};',
      'for (const [name, cls] of Object.entries(m)) {',
      '  if (typeof cls?.getAttributeTypeMap !== "function") continue;',
      '  out[name] = Object.fromEntries(cls.getAttributeTypeMap().map((a) => [a.baseName, a.type]));',
      '}',
      'process.stdout.write(JSON.stringify(out));',
    ].join('\n');
    const json = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
    });
    metadataCache = JSON.parse(json) as ModelMetadata;
  }
  return metadataCache;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The client-node model class of an apiVersion/kind (`apps/v1` Deployment -> V1Deployment; core v1 Event -> CoreV1Event). */
function modelClassOf(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const groupPrefix = capitalize(group === '' ? 'core' : group.split('.')[0]);
  const models = modelMetadata();
  const candidates = [`${groupPrefix}${capitalize(version)}${kind}`, `${capitalize(version)}${kind}`];
  const found = candidates.find((c) => models[c]?.kind === 'string');
  if (!found) throw new Error(`no Kubernetes model for ${apiVersion} ${kind} (tried ${candidates.join(', ')})`);
  return found;
}

/** A JSON path segment for an object key: `.name` or `["app.kubernetes.io/name"]`. */
function keySegment(parent: string, key: string): string {
  if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

function isPlainObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function walk(value: unknown, type: string, at: string, out: string[]): void {
  if (value === undefined || value === null) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, array[1], `${at}[${i}]`, out));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (isPlainObject(value)) for (const [key, item] of Object.entries(value)) walk(item, map[1], keySegment(at, key), out);
    return;
  }
  const fields = modelMetadata()[type];
  if (!fields || !isPlainObject(value)) return; // a scalar (string, number, IntOrString, Date, any): nothing to walk
  for (const [key, item] of Object.entries(value)) {
    const fieldPath = keySegment(at, key);
    const fieldType = fields[key];
    if (fieldType === undefined) out.push(fieldPath);
    else walk(item, fieldType, fieldPath, out);
  }
}

/**
 * JSON paths of the fields of `obj` that the Kubernetes API does not know, e.g.
 * `spec.template.spec.runtimeClasName`. Throws for an apiVersion/kind without a built-in model.
 */
export function unknownFields(obj: KubeJson): string[] {
  const out: string[] = [];
  walk(obj, modelClassOf(obj.apiVersion, obj.kind), '', out);
  return out;
}

/** An ajv instance path (`/spec/template/spec/containers/0/name`) as a JSON path (`spec.template.spec.containers[0].name`). */
function jsonPathOf(instancePath: string): string {
  return instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, segment) => (/^[0-9]+$/.test(segment) ? `${acc}[${segment}]` : keySegment(acc, segment)), '');
}

/**
 * Schema violations of `obj` (wrong types, missing required fields, bad enums or formats), each as
 * `<json path>: <message>` (`(root)` for the object itself). Throws for an unknown apiVersion/kind.
 */
export function schemaErrors(obj: KubeJson): string[] {
  let model: (new (data: unknown) => { validate(): void }) | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    model = require(`kubernetes-models/${obj.apiVersion}/${obj.kind}`)[obj.kind];
  } catch {
    model = undefined;
  }
  if (typeof model !== 'function') throw new Error(`no kubernetes-models schema for ${obj.apiVersion} ${obj.kind}`);
  try {
    new model(obj).validate();
    return [];
  } catch (err: any) {
    if (!Array.isArray(err?.errors)) throw err;
    return err.errors.map((e: { instancePath: string; message?: string; params?: unknown }) =>
      `${jsonPathOf(e.instancePath) || '(root)'}: ${e.message ?? 'invalid'}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
  }
}

/**
 * Every schema error and unknown field of many objects, each prefixed with `Kind/name`:
 * `expect(kubernetesProblems(objects)).toEqual([])` states that all of them are valid.
 */
export function kubernetesProblems(objects: readonly KubeJson[]): string[] {
  return objects.flatMap((obj) => {
    const id = `${obj.kind}/${obj.metadata?.name ?? '(unnamed)'}`;
    return [...schemaErrors(obj).map((e) => `${id} ${e}`), ...unknownFields(obj).map((p) => `${id} ${p}: unknown field`)];
  });
}
