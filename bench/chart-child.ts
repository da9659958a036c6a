// Child process of the chart figure: one contender, one chart of N workloads synthesized once, in a fresh process,
// so that peak heap is the contender's alone. Run with --expose-gc --trace-gc; the parent reads the GC trace
// between the markers. Prints one JSON line last.
import { App } from 'cdk8s';

const [contender, countText] = process.argv.slice(2);
const count = Number(countText);

function load(): (n: number) => App {
  // Only the contender's own libraries are loaded.
  if (contender === 'sandbox') return require('./fixtures/sandbox-chart').sandboxChart;
  if (contender === 'cdk8s-plus') return require('./fixtures/cdk8s-plus-chart').cdk8sPlusChart;
  throw new Error(`unknown contender ${contender}`);
}

const build = load();
const gc = (global as any).gc as () => void;
gc();
gc();
const baseline = process.memoryUsage().heapUsed;
console.log('BENCH-START');
const start = process.hrtime.bigint();
const yaml = build(count).synthYaml();
const ms = Number(process.hrtime.bigint() - start) / 1e6;
const endHeap = process.memoryUsage().heapUsed;
console.log('BENCH-END');
console.log(JSON.stringify({ contender, count, ms, baselineBytes: baseline, endHeapBytes: endHeap, yamlBytes: yaml.length }));
