// Figures render_vs_floor and render_vs_cdk8s_plus: one CodeRunnerJob submission to YAML, three ways, interleaved.
import * as jsYaml from 'js-yaml';
import { renderCodeRun, renderCodeRunObjects } from '../src/builders/render';
import { checkObjects } from '../src/profile';
import { NAMESPACE, floorObjects, renderCdk8sPlus, renderFloor, submissionCode, submissionProps } from './fixtures/code-run';
import { jsonDiff } from './support/equal';
import { Timing, compare, round } from './support/harness';

export interface RenderFigures {
  readonly render_vs_floor: number;
  readonly render_vs_cdk8s_plus: number;
  readonly timings: readonly Timing[];
}

/** Before timing anything: the three contenders must produce the same objects (or, for cdk8s-plus, equally hardened ones). */
export function checkRenderContenders(): void {
  const rendered = renderCodeRunObjects(submissionProps(1));
  const floor = floorObjects(rendered.name, NAMESPACE, submissionCode(1));
  const diff = jsonDiff([...rendered.sharedObjects, ...rendered.objects], floor);
  if (diff.length > 0) throw new Error(`the floor's object literals no longer match renderCodeRun's objects; update bench/fixtures/code-run.ts:\n  ${diff.join('\n  ')}`);
  const yamlDiff = jsonDiff(jsYaml.loadAll(renderCodeRun(submissionProps(1)).yaml), jsYaml.loadAll(renderFloor(rendered.name, 1)));
  if (yamlDiff.length > 0) throw new Error(`the floor's YAML differs from renderCodeRun's:\n  ${yamlDiff.join('\n  ')}`);
  const plusObjects = jsYaml.loadAll(renderCdk8sPlus(rendered.name, 1)) as any[];
  const findings = checkObjects(plusObjects);
  if (findings.length > 0) throw new Error(`the cdk8s-plus-27 contender is not equally hardened: ${findings.map((f) => `${f.rule} ${f.path}`).join(', ')}`);
  if (plusObjects.map((o) => o.kind).join(',') !== [...rendered.sharedObjects, ...rendered.objects].map((o) => o.kind).join(',')) throw new Error('the cdk8s-plus-27 contender renders different kinds');
}

export function renderFigures(reps: number): RenderFigures {
  checkRenderContenders();
  const name = renderCodeRunObjects(submissionProps(0)).name;
  let n = 0;
  const timings = compare([
    { name: 'render API (renderCodeRun)', run: () => renderCodeRun(submissionProps(n++)).yaml },
    { name: 'floor (object literals + js-yaml)', run: () => renderFloor(name, n++) },
    { name: 'cdk8s-plus-27 + app.synthYaml()', run: () => renderCdk8sPlus(name, n++) },
  ], { reps, targetMs: 40, warmupMs: 1000 });
  const [lib, floor, plus] = timings;
  return { render_vs_floor: round(lib.medianMs / floor.medianMs), render_vs_cdk8s_plus: round(lib.medianMs / plus.medianMs), timings };
}
