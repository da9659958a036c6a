// The synth guard serializes the library's own objects without resolving them, in one walk that also scans them.
// What it judges and writes must be exactly what cdk8s's ApiObject.toJson returns (same values, same key order),
// and anything that is not plain JSON must fall back to ApiObject.toJson.
import { ApiObject, App, Chart, JsonPatch, Lazy } from 'cdk8s';
import * as jsYaml from 'js-yaml';
import { ExampleChart } from '../app/main';
import { KubeConfigMap } from '../imports/k8s';
import { addApiObject } from '../src/constructs/api-objects';
import { SandboxSynthGuard, unresolvedJsonOf } from '../src/constructs/synth-guard';

/** What cdk8s itself writes for the object, whatever the guard did to its toJson. */
const cdk8sJsonOf = (o: ApiObject) => ApiObject.prototype.toJson.call(o);

function chartWith(namespace?: string): Chart {
  return new Chart(new App(), 'c', { disableResourceNameHashes: true, ...(namespace ? { namespace } : {}) });
}

describe('the unresolved JSON of the library\'s objects is ApiObject.toJson\'s', () => {
  test('every object of the example app the library built: same values, same key order', () => {
    const app = new App();
    new ExampleChart(app, 'sandbox-example');
    const built = app.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => [o, unresolvedJsonOf(o)] as const)
      .filter(([, json]) => json !== undefined);
    expect(built.length).toBeGreaterThan(10);
    for (const [o, json] of built) expect(JSON.stringify(json)).toBe(JSON.stringify(cdk8sJsonOf(o)));
    expect([...new Set(built.map(([o]) => o.kind))].sort()).toEqual(expect.arrayContaining(['Deployment', 'Job', 'NetworkPolicy', 'Namespace', 'ServiceAccount']));
  });

  test('metadata changed through its API, empty values, nulls and a chart\'s namespace and labels', () => {
    const chart = new Chart(new App(), 'c', { disableResourceNameHashes: true, namespace: 'apps', labels: { team: 'a' } });
    const o = addApiObject(chart, 'o', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'm', annotations: {}, labels: { z: '1', a: '2' } },
      data: { b: 'x', a: 'y', empty: '' },
      nothing: null,
      unset: undefined,
      list: [],
      nested: { zero: 0, no: false, inner: {}, deep: [{ b: 1, a: [] }] },
    } as any);
    o.metadata.addLabel('added', 'yes');
    o.metadata.addAnnotation('note', 'n');
    o.metadata.add('generateName', 'g-');
    o.metadata.add('emptyList', []);
    o.metadata.addFinalizers('f');
    const json = unresolvedJsonOf(o);
    expect(json).toBeDefined();
    expect(JSON.stringify(json)).toBe(JSON.stringify(cdk8sJsonOf(o)));
    expect(Object.keys(json!).slice(0, 3)).toEqual(['apiVersion', 'kind', 'metadata']);
    expect(json!.metadata).toEqual({ name: 'm', namespace: 'apps', generateName: 'g-', finalizers: ['f'], labels: { team: 'a', z: '1', a: '2', added: 'yes' }, annotations: { note: 'n' } });
    expect((json as any).nested).toEqual({ zero: 0, no: false, inner: {}, deep: [{ b: 1, a: [] }] });
    expect('nothing' in json!).toBe(false);
  });

  test('unsorted output with CDK8S_DISABLE_SORT, as cdk8s writes it', () => {
    const previous = process.env.CDK8S_DISABLE_SORT;
    process.env.CDK8S_DISABLE_SORT = '1';
    try {
      const o = addApiObject(chartWith(), 'o', { kind: 'ConfigMap', data: { b: 'x', a: 'y' }, apiVersion: 'v1', metadata: { name: 'm', labels: { z: '1', a: '2' } } } as any);
      const json = unresolvedJsonOf(o);
      expect(JSON.stringify(json)).toBe(JSON.stringify(cdk8sJsonOf(o)));
      expect(Object.keys((json as any).data)).toEqual(['b', 'a']);
    } finally {
      if (previous === undefined) delete process.env.CDK8S_DISABLE_SORT;
      else process.env.CDK8S_DISABLE_SORT = previous;
    }
  });

  test.each([
    ['a Lazy value', { data: { lazy: Lazy.any({ produce: () => 'resolved' }) } }],
    ['a negative zero', { spec: { replicas: -0 } }],
    ['NaN', { spec: { replicas: NaN } }],
    ['a function', { spec: { f: () => 1 } }],
    ['a class instance', { spec: { when: new Date(0) } }],
    ['an object without a prototype', { spec: Object.assign(Object.create(null), { a: 1 }) }],
    ['an undefined array item', { spec: { list: ['a', undefined] } }],
    ['a key "__proto__"', { spec: JSON.parse('{"__proto__": {"privileged": true}}') }],
  ])('%s is not plain JSON: no unresolved JSON, the guard uses ApiObject.toJson', (_what, extra) => {
    const o = addApiObject(chartWith(), 'o', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm' }, ...extra } as any);
    expect(unresolvedJsonOf(o)).toBeUndefined();
  });

  test('a library object with a Lazy value, a -0 or an undefined array item is written as cdk8s and JSON write it', () => {
    const app = new App();
    const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
    const o = addApiObject(chart, 'o', {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm' }, data: { lazy: Lazy.any({ produce: () => 'resolved' }) }, list: [-0, undefined, 'a'],
    } as any);
    SandboxSynthGuard.of(chart).register(chart, { objects: [o] });
    const docs = jsYaml.loadAll(app.synthYaml()) as any[];
    expect(docs).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm' }, data: { lazy: 'resolved' }, list: [0, null, 'a'] }]);
  });

  test('an object with a JSON patch, or an L1 object (its own toJson turns its props into JSON), has none', () => {
    const chart = chartWith();
    const patched = addApiObject(chart, 'p', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p' } });
    patched.addJsonPatch(JsonPatch.add('/data', { a: 'b' }));
    expect(unresolvedJsonOf(patched)).toBeUndefined();
    expect(unresolvedJsonOf(new KubeConfigMap(chart, 'l1', { metadata: { name: 'l1' }, data: { a: 'b' } }))).toBeUndefined();
    const raw = new ApiObject(chart, 'raw', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'raw' }, data: { a: 'b' } });
    expect(JSON.stringify(unresolvedJsonOf(raw))).toBe(JSON.stringify(cdk8sJsonOf(raw)));
  });
});
