// The real-shaped inputs for hardening in place (issue 15): three manifests modelled on the published installs of
// ingress-nginx, kube-prometheus and argo-cd (test/fixtures/harden/README.md names the sources). Before any
// hardening exists, the audit must see in them exactly the weaknesses their README lists, workload by workload,
// so that a hardening pass has something real to fix and to refuse.
import * as path from 'path';
import { auditManifests } from '../src/audit';

const FIXTURES = path.join(__dirname, 'fixtures', 'harden');

/** Findings per rule, and per object, of one fixture. */
async function findingsOf(file: string): Promise<{ byRule: Record<string, number>; byObject: Record<string, number>; exitCode: number; problems: readonly unknown[] }> {
  const result = await auditManifests([path.join(FIXTURES, file)]);
  const byRule: Record<string, number> = {};
  const byObject: Record<string, number> = {};
  for (const f of result.findings) {
    byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
    byObject[`${f.object.kind}/${f.object.name}`] = (byObject[`${f.object.kind}/${f.object.name}`] ?? 0) + 1;
  }
  return { byRule, byObject, exitCode: result.exitCode, problems: result.problems };
}

test('ingress-nginx: the controller and its two certgen Jobs fall short of the profile in 48 places', async () => {
  const r = await findingsOf('ingress-nginx.yaml');
  expect([r.exitCode, r.problems]).toEqual([1, []]);
  expect(Object.values(r.byRule).reduce((a, b) => a + b, 0)).toBe(48);
  expect(r.byRule).toMatchObject({ 'job-limits': 8, 'run-as-high-uid': 3, 'no-privilege-escalation': 1, 'availability': 1 });
  expect(r.byRule['image-pinned']).toBeUndefined();
});

test('kube-prometheus: node-exporter is a host-level agent (host namespaces, hostPath, SYS_TIME, a host port)', async () => {
  const r = await findingsOf('kube-prometheus.yaml');
  expect([r.exitCode, r.problems]).toEqual([1, []]);
  expect(Object.values(r.byRule).reduce((a, b) => a + b, 0)).toBe(47);
  expect(r.byRule).toMatchObject({ 'no-host-namespaces': 2, 'allowed-volume-types': 2, 'drop-all-capabilities': 1, 'no-host-ports': 1 });
  expect(Object.entries(r.byObject).filter(([k]) => k.startsWith('DaemonSet/'))).toEqual([['DaemonSet/node-exporter', 16]]);
});

test('argo-cd: low UIDs, no resources, and Secrets read into env', async () => {
  const r = await findingsOf('argo-cd.yaml');
  expect([r.exitCode, r.problems]).toEqual([1, []]);
  expect(Object.values(r.byRule).reduce((a, b) => a + b, 0)).toBe(63);
  expect(r.byRule).toMatchObject({ 'run-as-high-uid': 8, 'resource-limits': 8, 'no-secret-env': 2 });
  expect(r.byObject['StatefulSet/argocd-application-controller']).toBe(10);
});
