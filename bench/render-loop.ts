// Figure render_100k_heap_growth_mb: rendering 100,000 submissions in a loop must not grow the heap.
import * as path from 'path';
import { round, runNodeChild } from './support/harness';

export interface RenderLoopFigures {
  /** Heap after the loop minus heap before it, both after full collections (MB). */
  readonly render_100k_heap_growth_mb: number;
  readonly renders: number;
  /** Heap after a full GC every 10% of the loop (MB). */
  readonly heapMB: readonly number[];
  /** Milliseconds per render inside the loop (the GC pauses at the samples excluded). */
  readonly msPerRender: number;
}

export function renderLoopFigures(renders = 100000): RenderLoopFigures {
  const out = runNodeChild(path.join(__dirname, 'render-loop-child.js'), [String(renders)], ['--expose-gc']);
  const points: { renders: number; heapBytes: number }[] = out.points;
  const mb = points.map((p) => round(p.heapBytes / 2 ** 20, 2));
  return {
    render_100k_heap_growth_mb: round((points[points.length - 1].heapBytes - points[0].heapBytes) / 2 ** 20, 2),
    renders,
    heapMB: mb,
    msPerRender: round(out.ms / renders, 4),
  };
}
