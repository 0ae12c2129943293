/**
 * What FileStorage costs a ThreadWorkflow run of CPU-heavy nodes: 8 nodes of ~100 ms each, each
 * returning a 1 MB Float64Array, with storage (every run in a fresh folder, so every node runs
 * and is saved, durably, by its worker) against the same run without storage, in one process.
 * Budget: under 5 % overhead.
 *
 * Run: npm run build && npx tsx bench/storage-overhead.bench.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStorage, ThreadWorkflow } from 'functionfuse';
import { Bench } from 'tinybench';
import { spinAndFill } from './fixtures/bench-tasks.mjs';
import { calibrateSpin, medianMs, report, round } from './support.js';

const threads = availableParallelism();
const iterations = calibrateSpin(100);
const nodes = Array.from({ length: 8 }, (_, index) => spinAndFill(iterations, index));
const plain = new ThreadWorkflow(nodes, { workflowName: 'overhead', threads });
const stored = new ThreadWorkflow(nodes, { workflowName: 'overhead', threads });
const root = mkdtempSync(join(tmpdir(), 'functionfuse-storage-overhead-'));
let run = 0;
await plain.run();
const suite = new Bench({ time: 1, iterations: 7, warmupIterations: 1, warmupTime: 1 })
  .add('without storage', () => plain.run().then(() => undefined))
  .add('with FileStorage', () => stored.run().then(() => undefined), {
    beforeEach() {
      stored.setStorage(new FileStorage(join(root, String(run++)), { durable: process.env.DURABLE !== '0' }));
    },
  });
await suite.run();
await Promise.all([plain.close(), stored.close()]);
rmSync(root, { recursive: true, force: true });
const withoutMs = medianMs(suite, 'without storage');
const withMs = medianMs(suite, 'with FileStorage');
report('storage-overhead', [
  {
    benchmark: `FileStorage on ThreadWorkflow, 8 × 100 ms nodes returning 1 MB, ${threads} threads`,
    'with storage (ms)': round(withMs),
    'without (ms)': round(withoutMs),
    overhead: `${round(((withMs - withoutMs) / withoutMs) * 100)} %`,
    budget: '< 5 %',
  },
]);
