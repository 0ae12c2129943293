/**
 * What FileStorage costs a ThreadWorkflow run of CPU-heavy nodes: 8 nodes of ~100 ms each on
 * every core, each returning a Float64Array (64 KiB, then 1 MB). Three arms per size, in the
 * same process:
 *
 * - without storage: the baseline;
 * - FileStorage: every run in a fresh folder, so every node runs and is saved (durably,
 *   unless DURABLE=0);
 * - hand-written: no storage, but each node writes its own result's bytes to a new file
 *   (flushed when durable): what keeping the results costs at the least on this machine.
 *
 * And two ways to give every run something new to write:
 *
 * - fresh folders: every stored run gets a new storage folder, and nothing written is deleted
 *   until the end. On this virtual machine every new page of the file cache is then memory the
 *   guest has never touched, which costs about 3.6 ms per MB to write (0.25 ms once touched):
 *   the worst case, as on a freshly booted machine;
 * - steady state: the same folders every run, with what the previous round wrote removed
 *   before the next (not timed), so writes reuse the file cache as on a machine that has been
 *   up for a while, and a workflow's folders exist already, as from its second run on.
 *
 * The arms run in rounds, in rotating order, and a figure is the median over rounds of each
 * round's ratio: on a shared machine the speed drifts over seconds, and a ratio taken within a
 * round cancels the drift that separate blocks of runs (tinybench's way) would bake in.
 * Budget: under 5 % overhead.
 *
 * Run: npm run build && npx tsx bench/storage-overhead.bench.ts   (env: ROUNDS=15, DURABLE=0)
 * It takes about a minute and a half.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStorage, ThreadWorkflow } from 'functionfuse';
import { spinAndFill, spinFillAndWrite } from './fixtures/bench-tasks.mjs';
import { calibrateSpin, type FigureRow, report, round } from './support.js';

const threads = availableParallelism();
const durable = process.env.DURABLE !== '0';
const rounds = Number(process.env.ROUNDS ?? 15);
const iterations = calibrateSpin(100);
const root = mkdtempSync(join(tmpdir(), 'functionfuse-storage-overhead-'));

type Arm = 'plain' | 'stored' | 'byHand';
const arms: readonly Arm[] = ['plain', 'stored', 'byHand'];

/** Median of the values (the mean of the middle two for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

type Folders = 'fresh' | 'steady';

async function measure(length: number, folders: Folders): Promise<FigureRow> {
  const folder = join(root, `${length}-${folders}`);
  mkdirSync(join(folder, 'by-hand'), { recursive: true });
  const nodes = (make: (index: number) => ReturnType<typeof spinAndFill>) =>
    Array.from({ length: 8 }, (_, index) => make(index));
  const options = { workflowName: 'overhead', threads };
  const workflows: Record<Arm, ThreadWorkflow> = {
    plain: new ThreadWorkflow(
      nodes((index) => spinAndFill(iterations, index, length)),
      options,
    ),
    stored: new ThreadWorkflow(
      nodes((index) => spinAndFill(iterations, index, length)),
      options,
    ),
    byHand: new ThreadWorkflow(
      nodes((index) =>
        spinFillAndWrite(iterations, index, length, join(folder, 'by-hand', String(index)), durable),
      ),
      options,
    ),
  };
  let runs = 0;
  const steadyStorage = new FileStorage(join(folder, 'steady'), { durable });
  const timed = async (arm: Arm) => {
    if (arm === 'stored' && folders === 'fresh') {
      workflows.stored.setStorage(new FileStorage(join(folder, String(runs++)), { durable }));
    }
    if (arm === 'stored' && folders === 'steady') {
      await steadyStorage.removeTask(options.workflowName, { pattern: '*' });
      workflows.stored.setStorage(steadyStorage);
    }
    if (arm === 'byHand' && folders === 'steady') {
      const byHandFolder = join(folder, 'by-hand');
      for (const name of readdirSync(byHandFolder)) rmSync(join(byHandFolder, name));
    }
    const started = performance.now();
    await workflows[arm].run();
    return performance.now() - started;
  };
  try {
    // Warm-up: threads started, modules loaded, batch sizer settled.
    for (const arm of arms) await timed(arm);
    const times: Record<Arm, number[]> = { plain: [], stored: [], byHand: [] };
    for (let index = 0; index < rounds; index++) {
      for (let step = 0; step < arms.length; step++) {
        const arm = arms[(index + step) % arms.length] as Arm;
        times[arm].push(await timed(arm));
      }
    }
    const overhead = (arm: Arm) =>
      `${round(median(times[arm].map((ms, index) => ms / (times.plain[index] as number) - 1)) * 100)} %`;
    return {
      folders: folders === 'fresh' ? 'fresh (worst case)' : 'steady state',
      'result per node':
        length * 8 >= 2 ** 20 ? `${(length * 8) / 2 ** 20} MB` : `${(length * 8) / 1024} KiB`,
      'without storage (ms)': round(median(times.plain)),
      'FileStorage (ms)': round(median(times.stored)),
      'FileStorage overhead': overhead('stored'),
      'hand-written writes overhead': overhead('byHand'),
      budget: '< 5 %',
    };
  } finally {
    await Promise.all(Object.values(workflows).map((workflow) => workflow.close()));
  }
}

const rows: FigureRow[] = [];
for (const folders of ['fresh', 'steady'] as const) {
  for (const length of [8_192, 131_072]) rows.push(await measure(length, folders));
}
rmSync(root, { recursive: true, force: true });
console.log(
  `\n8 × ~100 ms nodes on ${threads} threads, ${durable ? 'durable' : 'not flushed'}, median of ${rounds} rounds`,
);
report('storage-overhead', rows);
