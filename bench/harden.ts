// Figure harden_chart_vs_floor: a Helm-style chart of 1,000 Deployments (the YAML `helm template` writes, taken
// in with cdk8s `Include`) hardened in place by SandboxHardening, through app.synthYaml(), against the floor:
// an `Include` of the hardened YAML itself, so the figure is what hardening adds. Also informational: the
// same stream through `hardenObjects` alone.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Include } from 'cdk8s';
import * as jsYaml from 'js-yaml';
import { SandboxHardening } from '../src/constructs/sandbox-hardening';
import { checkObjectSet, checkObjects, hardenObjects } from '../src/profile';
import { jsonDiff } from './support/equal';
import { Timing, compare, round } from './support/harness';

export interface HardenFigures {
  readonly harden_chart_vs_floor: number;
  /** Informational: hardenObjects over the parsed stream, ms per Deployment. */
  readonly harden_objects_ms_per_deployment: number;
  readonly timings: readonly Timing[];
  readonly count: number;
}

/** The YAML a Helm chart of `count` Deployments renders: plain workloads, as charts write them, nothing of the profile set. */
export function helmStyleChart(count: number): string {
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    docs.push(`---
# Source: apps/templates/deployment-${i}.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  namespace: apps
  labels:
    app.kubernetes.io/name: app-${i}
    app.kubernetes.io/instance: apps
    helm.sh/chart: apps-1.4.2
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: app-${i}
      app.kubernetes.io/instance: apps
  template:
    metadata:
      labels:
        app.kubernetes.io/name: app-${i}
        app.kubernetes.io/instance: apps
    spec:
      containers:
        - name: app
          image: "registry.example.com/team/app-${i}:1.4.2"
          imagePullPolicy: IfNotPresent
          ports:
            - name: http
              containerPort: 8080
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
`);
  }
  docs.push(`---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-all
  namespace: apps
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
`);
  return docs.join('');
}

function hardenedChart(file: string): App {
  const app = new App();
  const chart = new Chart(app, 'apps', { disableResourceNameHashes: true });
  new Include(chart, 'chart', { url: file });
  SandboxHardening.harden(chart);
  return app;
}

function floorChart(hardenedFile: string): App {
  const app = new App();
  const chart = new Chart(app, 'apps', { disableResourceNameHashes: true });
  new Include(chart, 'chart', { url: hardenedFile });
  return app;
}

export function hardenFigures(reps: number, count = 1000): HardenFigures {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-sandbox-bench-'));
  try {
    const file = path.join(dir, 'chart.yaml');
    const text = helmStyleChart(count);
    fs.writeFileSync(file, text);
    const final = jsYaml.loadAll(hardenedChart(file).synthYaml()) as any[];
    // The hardened chart must be hardened: 1,000 Deployments, 1,000 budgets, the policy, and no finding.
    const findings = [...checkObjects(final), ...checkObjectSet(final)];
    if (findings.length > 0) throw new Error(`the hardened chart is not hardened: ${findings.slice(0, 5).map((f) => `${f.rule} ${f.object.kind}/${f.object.name} ${f.path}`).join(', ')}`);
    if (final.length !== 2 * count + 1) throw new Error(`the hardened chart has ${final.length} objects, expected ${2 * count + 1}`);
    const hardenedFile = path.join(dir, 'hardened.yaml');
    fs.writeFileSync(hardenedFile, hardenedChart(file).synthYaml());
    // The same objects (cdk8s sorts an included object's keys, so the text may differ in key order only).
    const diff = jsonDiff(jsYaml.loadAll(floorChart(hardenedFile).synthYaml()), jsYaml.loadAll(fs.readFileSync(hardenedFile, 'utf8')));
    if (diff.length > 0) throw new Error(`the floor does not write the hardened chart's objects:\n  ${diff.join('\n  ')}`);
    const parsed = jsYaml.loadAll(text) as any[];
    const timings = compare([
      { name: `Include of a ${count}-Deployment Helm-style chart + SandboxHardening.harden, app.synthYaml()`, run: () => hardenedChart(file).synthYaml() },
      { name: `floor: Include of the same ${final.length} objects, hardened already, app.synthYaml()`, run: () => floorChart(hardenedFile).synthYaml() },
      { name: `hardenObjects over the ${parsed.length} parsed objects`, run: () => hardenObjects(parsed) },
    ], { reps, batch: 1, warmupMs: 1 });
    return {
      harden_chart_vs_floor: round(timings[0].medianMs / timings[1].medianMs),
      harden_objects_ms_per_deployment: round(timings[2].medianMs / count, 4),
      timings,
      count,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
