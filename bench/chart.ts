// Figures chart_vs_floor and chart_vs_cdk8s_plus: one chart of 1,000 SandboxedDeployments to YAML against the
// same final objects as bare ApiObjects (the floor) and against 1,000 equally hardened cdk8s-plus-27 Deployments,
// time (interleaved, in this process) and peak heap (each in a fresh child process).
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import * as jsYaml from 'js-yaml';
import { checkObjectSet, checkObjects } from '../src/profile';
import { cdk8sPlusChart } from './fixtures/cdk8s-plus-chart';
import { sandboxChart } from './fixtures/sandbox-chart';
import { jsonDiff } from './support/equal';
import { Timing, compare, median, round, runNodeChild } from './support/harness';

export interface HeapSample {
  readonly contender: string;
  /** Heap used after loading the contender's modules, after a full GC (MB). */
  readonly baselineMB: number;
  /** Highest heap use while building and synthesizing (MB): the larger of every pre-GC figure and the end. */
  readonly peakMB: number;
  /** peakMB - baselineMB. */
  readonly peakAboveBaselineMB: number;
  /** Largest heap left after a collection during the work (MB): the most that was live at once, as far as GCs saw. */
  readonly peakLiveMB: number;
  /** Cold time in the fresh process (ms). */
  readonly coldMs: number;
}

export interface ChartFigures {
  /** The headline: what the library adds to cdk8s, the same final objects as bare ApiObjects being the floor. */
  readonly chart_vs_floor: number;
  readonly chart_vs_cdk8s_plus: number;
  /** Informational: the same objects as plain ApiObjects (no construct logic, no checks) through app.synthYaml(). */
  readonly chart_floor_vs_cdk8s_plus: number;
  readonly chart_heap_vs_cdk8s_plus: number;
  readonly timings: readonly Timing[];
  readonly heap: readonly HeapSample[];
  readonly count: number;
}

/** Both charts must be equally hardened: no finding of the profile or of the cross-resource rules. */
export function checkChartContenders(count = 3): void {
  for (const [name, build] of [['sandbox', sandboxChart], ['cdk8s-plus', cdk8sPlusChart]] as const) {
    const objects = jsYaml.loadAll(build(count).synthYaml()) as any[];
    const findings = [...checkObjects(objects), ...checkObjectSet(objects)];
    if (findings.length > 0) throw new Error(`the ${name} chart is not hardened: ${findings.map((f) => `${f.rule} ${f.object.kind}/${f.object.name} ${f.path}`).join(', ')}`);
    const kinds = objects.map((o) => o.kind).sort().join(',');
    const expected = Array.from({ length: count }, () => ['Deployment', 'NetworkPolicy', 'PodDisruptionBudget', 'ServiceAccount']).flat().sort().join(',');
    if (kinds !== expected) throw new Error(`the ${name} chart renders ${kinds}, expected ${expected}`);
  }
}

/** Peak heap of one synthesis in a fresh process, from V8's GC trace (heap use only grows between collections). */
export function measureHeap(contender: string, count: number): HeapSample {
  const out = runNodeChild(path.join(__dirname, 'chart-child.js'), [contender, String(count)], ['--expose-gc', '--trace-gc']);
  const lines: string[] = out.traceLines;
  let peak = out.endHeapBytes / 2 ** 20;
  let live = out.endHeapBytes / 2 ** 20;
  for (const line of lines) {
    const m = /([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB/.exec(line);
    if (m) {
      peak = Math.max(peak, Number(m[1]));
      live = Math.max(live, Number(m[3]));
    }
  }
  const baseline = out.baselineBytes / 2 ** 20;
  return { contender, baselineMB: round(baseline, 1), peakMB: round(peak, 1), peakAboveBaselineMB: round(peak - baseline, 1), peakLiveMB: round(live, 1), coldMs: round(out.ms, 0) };
}

/**
 * The floor of any construct library that synthesizes through a cdk8s App: our chart's final objects added as
 * plain ApiObjects (no props, no builders, no synth-time checks), then app.synthYaml().
 */
export function floorChart(objects: readonly any[]): App {
  const app = new App();
  const chart = new Chart(app, 'apps', { disableResourceNameHashes: true });
  objects.forEach((o, i) => new ApiObject(chart, `o${i}`, o));
  return app;
}

/**
 * The floor's objects, checked: the sandbox chart's final objects, which the floor synthesizes to exactly the
 * sandbox chart's YAML (same objects, same order, same text), so the two contenders write the same thing.
 */
export function checkedFloorObjects(count: number): any[] {
  const sandboxYaml = sandboxChart(count).synthYaml();
  const floorObjects = sandboxChart(count).charts[0].toJson();
  const floorYaml = floorChart(floorObjects).synthYaml();
  const diff = jsonDiff(jsYaml.loadAll(sandboxYaml), jsYaml.loadAll(floorYaml));
  if (diff.length > 0) throw new Error(`the floor's objects differ from the sandbox chart's:\n  ${diff.join('\n  ')}`);
  if (floorYaml !== sandboxYaml) throw new Error('the floor\'s YAML differs from the sandbox chart\'s (same objects, other text or order)');
  return floorObjects;
}

export function chartFigures(reps: number, count = 1000, heapReps = 5): ChartFigures {
  checkChartContenders();
  const floorObjects = checkedFloorObjects(count);
  const timings = compare([
    { name: `${count} SandboxedDeployments + SandboxNetworkPolicies, app.synthYaml()`, run: () => sandboxChart(count).synthYaml() },
    { name: `${count} cdk8s-plus-27 Deployments (isolate, patches) + PDBs, app.synthYaml()`, run: () => cdk8sPlusChart(count).synthYaml() },
    { name: `floor: the same ${floorObjects.length} objects as plain ApiObjects, app.synthYaml()`, run: () => floorChart(floorObjects).synthYaml() },
  ], { reps, batch: 1, warmupMs: 1 });
  // Heap: alternate fresh child processes; the median of each contender's peaks.
  const samples: HeapSample[][] = [[], []];
  for (let r = 0; r < heapReps; r++) {
    samples[0].push(measureHeap('sandbox', count));
    samples[1].push(measureHeap('cdk8s-plus', count));
  }
  const heap = samples.map((s) => {
    const byPeak = [...s].sort((a, b) => a.peakAboveBaselineMB - b.peakAboveBaselineMB);
    return { ...byPeak[Math.floor(byPeak.length / 2)], peakAboveBaselineMB: round(median(s.map((x) => x.peakAboveBaselineMB)), 1), peakMB: round(median(s.map((x) => x.peakMB)), 1) };
  });
  return {
    chart_vs_floor: round(timings[0].medianMs / timings[2].medianMs),
    chart_vs_cdk8s_plus: round(timings[0].medianMs / timings[1].medianMs),
    chart_floor_vs_cdk8s_plus: round(timings[2].medianMs / timings[1].medianMs),
    chart_heap_vs_cdk8s_plus: round(heap[0].peakAboveBaselineMB / heap[1].peakAboveBaselineMB),
    timings,
    heap,
    count,
  };
}
