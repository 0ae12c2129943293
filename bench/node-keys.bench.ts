/**
 * Cache keys, against baselines measured in the same run:
 * - keys for 100,000 trivial nodes with small literal arguments (layers of width 100, each node
 *   `step(parent, index)`), per node, beside the LocalWorkflow run of the same graph;
 * - hashing a 128 MB Float64Array argument, in GB/s, beside copying it (Uint8Array.set) and
 *   beside SHA-256 (node:crypto, what FileStorage checksums records with);
 * - a fully cached rerun of 10,000 stored nodes (FileStorage, durable: false) trusted by key,
 *   beside the same rerun trusted by name less the time its keys took: what a cached rerun cost
 *   before keys (same reads, no key computed, none compared).
 *
 * Run: npm run build && node --expose-gc --import tsx bench/node-keys.bench.ts
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStorage, LocalWorkflow, type Node, task } from 'functionfuse';
import { Bench } from 'tinybench';
// The built copy, as 'functionfuse' is: the keys must recognise that copy's nodes.
import { CanonicalEncoder } from '../dist/src/keys/canonical-encoder.js';
import { loadKeyHasher } from '../dist/src/keys/key-hasher.js';
import { NodeKeys } from '../dist/src/keys/node-keys.js';
import { ExecutionPlan } from '../dist/src/workflow/plan.js';
import { type FigureRow, medianMs, report, round } from './support.js';

const step = task(function step(previous: number, index: number) {
  return previous + index;
});
const start = task(function start(index: number) {
  return index;
});

const width = 100;
function buildLayers(nodeCount: number): Node<number>[] {
  let layer: Node<number>[] = Array.from({ length: width }, (_, index) => start(index));
  for (let built = width; built < nodeCount; built += width) {
    const previous = layer;
    layer = previous.map((parent, index) => step(parent, built + index));
  }
  return layer;
}

const rows: FigureRow[] = [];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

// 1. Keys for 100,000 nodes, beside running them.
{
  const nodeCount = 100_000;
  const leaves = buildLayers(nodeCount);
  const plan = new ExecutionPlan(leaves);
  const workflow = new LocalWorkflow(leaves, { workflowName: 'bench' });
  workflow.findNodes();
  const bench = new Bench({ time: 2_000, iterations: 10, warmupIterations: 3 });
  bench
    .add('keys', async () => {
      await NodeKeys.compute(plan.nodes, plan.parentIndexes, []);
    })
    .add('run', async () => {
      await workflow.run();
    });
  await bench.run();
  const keysMs = medianMs(bench, 'keys');
  const runMs = medianMs(bench, 'run');
  rows.push({
    case: `keys of ${nodeCount} trivial nodes`,
    'µs/node': round((keysMs * 1000) / nodeCount),
    'baseline: LocalWorkflow run µs/node': round((runMs * 1000) / nodeCount),
    ratio: round(keysMs / runMs),
  });
}

// 2. A typed-array argument, beside copying and SHA-256.
{
  const values = Float64Array.from({ length: 16 * 1024 * 1024 }, (_, index) => index);
  const bytes = new Uint8Array(values.buffer);
  const copy = new Uint8Array(bytes.byteLength);
  const encoder = new CanonicalEncoder(await loadKeyHasher());
  const bench = new Bench({ time: 2_000, iterations: 5, warmupIterations: 2 });
  bench
    .add('key', () => {
      encoder.reset();
      encoder.value(values, () => 0);
    })
    .add('copy', () => {
      copy.set(bytes);
    })
    .add('sha256', () => {
      createHash('sha256').update(bytes).digest();
    });
  await bench.run();
  const gigabytesPerSecond = (name: string) => bytes.byteLength / 1e9 / (medianMs(bench, name) / 1000);
  rows.push({
    case: `key of a ${bytes.byteLength / 2 ** 20} MiB Float64Array`,
    'GB/s': round(gigabytesPerSecond('key')),
    'baseline: copy GB/s': round(gigabytesPerSecond('copy')),
    'SHA-256 GB/s': round(gigabytesPerSecond('sha256')),
  });
}

// 3. A fully cached rerun of 10,000 stored nodes.
{
  const nodeCount = 10_000;
  const folder = mkdtempSync(join(tmpdir(), 'functionfuse-bench-keys-'));
  try {
    const storage = new FileStorage(folder, { durable: false });
    const leaves = buildLayers(nodeCount);
    const byKey = new LocalWorkflow(leaves, { workflowName: 'cached' }).setStorage(storage);
    const byName = new LocalWorkflow(leaves, { workflowName: 'cached' }).setStorage(storage, {
      trust: 'name',
    });
    await byKey.run();
    const plan = new ExecutionPlan(leaves);
    // Rounds alternate the three, so a machine that gets busier or quieter meanwhile weighs on
    // each alike (tinybench would time all of one before the next).
    const timings = { byKey: [] as number[], byName: [] as number[], keys: [] as number[] };
    const timed = async (into: number[], body: () => Promise<unknown>) => {
      const started = performance.now();
      await body();
      into.push(performance.now() - started);
    };
    for (let round = 0; round < 12; round++) {
      await timed(timings.byKey, () => byKey.run());
      await timed(timings.byName, () => byName.run());
      await timed(timings.keys, () => NodeKeys.compute(plan.nodes, plan.parentIndexes, []));
    }
    const keyedMs = median(timings.byKey);
    const beforeKeysMs = median(timings.byName) - median(timings.keys);
    rows.push({
      case: `cached rerun of ${nodeCount} stored nodes`,
      ms: round(keyedMs),
      'baseline: before keys ms': round(beforeKeysMs),
      ratio: round(keyedMs / beforeKeysMs),
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

report('node-keys', rows);
