// Child process of the render memory figure: renders N submissions in a loop and reports the heap after full
// collections along the way. Run with --expose-gc. Prints one JSON line last.
import { renderCodeRun } from '../src/builders/render';
import { submissionProps } from './fixtures/code-run';

const total = Number(process.argv[2] ?? 100000);
const samples = 10;
const gc = (global as any).gc as () => void;
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

let bytes = 0;
for (let i = 0; i < 5000; i++) bytes += renderCodeRun(submissionProps(i)).yaml.length; // warm-up
const start = heap();
const points: { renders: number; heapBytes: number }[] = [{ renders: 0, heapBytes: start }];
const startTime = process.hrtime.bigint();
for (let s = 1; s <= samples; s++) {
  for (let i = 0; i < total / samples; i++) bytes += renderCodeRun(submissionProps(i)).yaml.length;
  points.push({ renders: (s * total) / samples, heapBytes: heap() });
}
const ms = Number(process.hrtime.bigint() - startTime) / 1e6;
console.log(JSON.stringify({ total, points, ms, bytes }));
