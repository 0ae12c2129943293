/**
 * Does saving a large result hold up the main thread, which dispatches every node? A run whose
 * one node returns a 100 MB Float64Array is stored three ways, in the same process, and the
 * main thread's event-loop delay is recorded while it runs (perf_hooks.monitorEventLoopDelay):
 * the longest delay is the longest time a ready node could have waited to be dispatched.
 *
 * - without storage: the baseline;
 * - FileStorage as ThreadWorkflow uses it: the worker seals the record (encodes it, checksums
 *   100 MB), the main thread only issues the writes;
 * - the same storage without `saveSealed`, so the main thread does the whole save, checksum
 *   included: the split the storage issue warned against, for comparison.
 *
 * Run: npm run build && npx tsx bench/storage-dispatch.bench.ts   (env: ROUNDS=7)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { FileStorage, type Storage, ThreadWorkflow } from 'functionfuse';
import { makeArray } from './fixtures/bench-tasks.mjs';
import { report, round } from './support.js';

const rounds = Number(process.env.ROUNDS ?? 7);
const root = mkdtempSync(join(tmpdir(), 'functionfuse-storage-dispatch-'));

/** FileStorage without saveSealed: workflows then save from the main thread. */
function mainThreadOnly(storage: FileStorage): Storage {
  return {
    get alwaysRead() {
      return storage.alwaysRead;
    },
    newWorkflow: (workflowName) => storage.newWorkflow(workflowName),
    save: (workflowName, nodeName, value) => storage.save(workflowName, nodeName, value),
    readTask: (workflowName, nodeName) => storage.readTask(workflowName, nodeName),
    fileExists: (workflowName, nodeName) => storage.fileExists(workflowName, nodeName),
    listTasks: (workflowName, glob) => storage.listTasks(workflowName, glob),
    removeTask: (workflowName, target) => storage.removeTask(workflowName, target),
    removeWorkflow: (workflowName) => storage.removeWorkflow(workflowName),
  };
}

type Arm = 'none' | 'sealed' | 'mainThread';
const arms: readonly Arm[] = ['none', 'sealed', 'mainThread'];
const options = { workflowName: 'dispatch', threads: 2 };
const plain = new ThreadWorkflow(makeArray(100 * 2 ** 17), options);
const stored = new ThreadWorkflow(makeArray(100 * 2 ** 17), options);
let runs = 0;

/** The longest and the 99th-percentile event-loop delay of the main thread during one run, in ms. */
async function delays(arm: Arm): Promise<{ max: number; p99: number }> {
  const storage = new FileStorage(join(root, `${arm}-${runs++}`));
  if (arm === 'sealed') stored.setStorage(storage);
  if (arm === 'mainThread') stored.setStorage(mainThreadOnly(storage));
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  try {
    await (arm === 'none' ? plain : stored).run();
  } finally {
    histogram.disable();
  }
  return { max: histogram.max / 1e6, p99: histogram.percentile(99) / 1e6 };
}

const measured: Record<Arm, { max: number; p99: number }[]> = { none: [], sealed: [], mainThread: [] };
// Round -1 is the warm-up: threads started, modules loaded.
for (let index = -1; index < rounds; index++) {
  for (let step = 0; step < arms.length; step++) {
    const arm = arms[(index + arms.length + step) % arms.length] as Arm;
    const result = await delays(arm);
    if (index >= 0) measured[arm].push(result);
  }
}
await Promise.all([plain.close(), stored.close()]);
rmSync(root, { recursive: true, force: true });

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] as number;
const label = {
  none: 'without storage',
  sealed: 'sealed in the worker',
  mainThread: 'saved by the main thread',
};
report(
  'storage-dispatch',
  arms.map((arm) => ({
    case: 'one node returning 100 MB, 2 threads',
    storage: label[arm],
    'longest main-thread delay (ms)': round(median(measured[arm].map((delay) => delay.max))),
    'p99 delay (ms)': round(median(measured[arm].map((delay) => delay.p99))),
  })),
);
