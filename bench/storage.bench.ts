/**
 * FileStorage: save and read of one 100 MiB Float64Array, and of 10,000 small records.
 * Baselines, measured in the same run on the same disk: the same bytes written with
 * `fs.writeFile` (big array: its raw bytes; small records: `v8.serialize` of each) and read with
 * `fs.readFile` (+ `v8.deserialize`). FileStorage also flushes to disk (fdatasync) by default,
 * which `fs.writeFile` does not, so a second baseline adds that flush; `durable: false` rows
 * show the cost without it. FileStorage also computes a SHA-256 over every byte (about 60 ms per
 * 100 MiB here); it runs while the thread pool does the I/O, which hides it when a core is free
 * and adds it in full on a loaded machine, so the load average is printed with the figures.
 *
 * Budget (issue 5): saving the big array within 1.5 x the plain `fs.writeFile`.
 *
 * Run: npx tsx bench/storage.bench.ts   (writes bench/results/storage.json)
 */
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import { Bench } from 'tinybench';
import { FileStorage } from '../src/storage/file-storage.js';
import { type FigureRow, report, round } from './support.js';

const BIG_ARRAY_BYTES = 100 * 2 ** 20;
const SMALL_RECORD_COUNT = 10_000;
const BIG_SAVE_BUDGET = 1.5;

console.log(`load average before: ${loadavg().map(round).join(', ')}`);
const folder = await mkdtemp(join(tmpdir(), 'functionfuse-bench-storage-'));
const durable = new FileStorage(join(folder, 'durable'));
const fast = new FileStorage(join(folder, 'fast'), { durable: false });
await durable.newWorkflow('bench');
await fast.newWorkflow('bench');

const big = new Float64Array(BIG_ARRAY_BYTES / 8);
for (let index = 0; index < big.length; index++) big[index] = Math.sin(index);
const bigBytes = new Uint8Array(big.buffer);
const rawPath = join(folder, 'raw.bin');

function smallRecord(index: number) {
  return {
    index,
    name: `node_${index}`,
    scores: [index, index / 2, index / 3],
    done: true,
    at: new Date(index),
  };
}
const smallRecords = Array.from({ length: SMALL_RECORD_COUNT }, (_, index) => smallRecord(index));
const smallPath = (index: number) => join(folder, 'small', `${index}.bin`);

/** `fs.writeFile`, then the flush FileStorage does by default. */
async function writeFileAndFlush(path: string, bytes: Uint8Array): Promise<void> {
  const file = await open(path, 'w');
  try {
    await file.write(bytes, 0, bytes.byteLength, 0);
    await file.datasync();
  } finally {
    await file.close();
  }
}

let sink: unknown;
function addBigTasks(bench: Bench): void {
  bench
    .add('big: fs.writeFile', () => writeFile(rawPath, bigBytes))
    .add('big: fs.writeFile + fdatasync', () => writeFileAndFlush(rawPath, bigBytes))
    .add('big: save', () => durable.save('bench', 'big', big))
    .add('big: save (durable: false)', () => fast.save('bench', 'big', big))
    .add('big: fs.readFile', async () => {
      const bytes = await readFile(rawPath);
      sink = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
    })
    .add('big: readTask', async () => {
      sink = await durable.readTask('bench', 'big');
    });
}

function addSmallTasks(bench: Bench): void {
  bench
    .add('small: v8.serialize + fs.writeFile', async () => {
      for (const [index, record] of smallRecords.entries())
        await writeFile(smallPath(index), v8.serialize(record));
    })
    .add('small: v8.serialize + fs.writeFile + fdatasync', async () => {
      for (const [index, record] of smallRecords.entries()) {
        await writeFileAndFlush(smallPath(index), v8.serialize(record));
      }
    })
    .add('small: save', async () => {
      for (const [index, record] of smallRecords.entries())
        await durable.save('bench', `node_${index}`, record);
    })
    .add('small: save (durable: false)', async () => {
      for (const [index, record] of smallRecords.entries()) await fast.save('bench', `node_${index}`, record);
    })
    .add('small: fs.readFile + v8.deserialize', async () => {
      for (let index = 0; index < SMALL_RECORD_COUNT; index++)
        sink = v8.deserialize(await readFile(smallPath(index)));
    })
    .add('small: readTask', async () => {
      for (let index = 0; index < SMALL_RECORD_COUNT; index++) {
        sink = await durable.readTask('bench', `node_${index}`);
      }
    });
}

// Rounds interleave our tasks with their baselines: tinybench runs a task's iterations back to
// back, so on a shared machine a burst of load would otherwise land on one side only. Medians
// are taken over the samples of every round.
const ROUNDS = 3;
const samples = new Map<string, number[]>();
await mkdir(join(folder, 'small'), { recursive: true });
for (let round = 0; round < ROUNDS; round++) {
  const bigBench = new Bench({ iterations: 5, time: 0, warmupIterations: 1, retainSamples: true });
  addBigTasks(bigBench);
  const smallBench = new Bench({
    iterations: 2,
    time: 0,
    warmupIterations: round === 0 ? 1 : 0,
    retainSamples: true,
  });
  addSmallTasks(smallBench);
  for (const bench of [bigBench, smallBench]) {
    await bench.run();
    for (const task of bench.tasks) {
      const latency = (task.result as { latency?: { samples?: readonly number[] } }).latency;
      if (latency?.samples === undefined) throw new Error(`Benchmark task "${task.name}" kept no samples`);
      samples.set(task.name, [...(samples.get(task.name) ?? []), ...latency.samples]);
    }
  }
}
if (sink === undefined) throw new Error('unreachable: every read task assigns sink');

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function medianOf(taskName: string): number {
  const taskSamples = samples.get(taskName);
  if (taskSamples === undefined) throw new Error(`Benchmark task "${taskName}" has no result`);
  return median(taskSamples);
}

function row(label: string, ours: string, baseline: string, budget?: number): FigureRow {
  const oursMs = medianOf(ours);
  const baselineMs = medianOf(baseline);
  const ratio = oursMs / baselineMs;
  return {
    case: label,
    'functionfuse ms': round(oursMs),
    baseline: baseline.replace(/^\w+: /, ''),
    'baseline ms': round(baselineMs),
    'ratio (ours / baseline)': round(ratio),
    budget: budget === undefined ? '' : `≤ ${budget}: ${ratio <= budget ? 'met' : 'MISSED'}`,
  };
}

const bigLabel = `${BIG_ARRAY_BYTES / 2 ** 20} MiB Float64Array`;
const smallLabel = `${SMALL_RECORD_COUNT.toLocaleString('en')} small records`;
report('storage', [
  row(`save ${bigLabel}`, 'big: save', 'big: fs.writeFile', BIG_SAVE_BUDGET),
  row(`save ${bigLabel}`, 'big: save', 'big: fs.writeFile + fdatasync'),
  row(`save ${bigLabel}, durable: false`, 'big: save (durable: false)', 'big: fs.writeFile'),
  row(`readTask ${bigLabel}`, 'big: readTask', 'big: fs.readFile'),
  row(`save ${smallLabel}`, 'small: save', 'small: v8.serialize + fs.writeFile'),
  row(`save ${smallLabel}`, 'small: save', 'small: v8.serialize + fs.writeFile + fdatasync'),
  row(
    `save ${smallLabel}, durable: false`,
    'small: save (durable: false)',
    'small: v8.serialize + fs.writeFile',
  ),
  row(`readTask ${smallLabel}`, 'small: readTask', 'small: fs.readFile + v8.deserialize'),
]);
await rm(folder, { recursive: true, force: true });
console.log(`load average after: ${loadavg().map(round).join(', ')}`);
