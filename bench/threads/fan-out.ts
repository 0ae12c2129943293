/**
 * Fan-out of large data: one 80 MB Float64Array made by a node and read in full by 8 nodes on
 * 2 threads, with functionfuse's default (every consumer but the last gets a copy), with
 * `shareResult` on a task that makes its array with `new Float64Array(n)` (made in shared
 * memory from the start while the option's task runs, src/threads/shared-allocation.ts: no
 * copy), on reruns and on a new workflow's first runs; with `shareResult` on a task that makes
 * its array over an ArrayBuffer, which the option copies into shared memory once, in the
 * producing worker (on a rerun into memory the main thread faulted in while the producer ran;
 * on a first run into fresh memory); with a task that itself returns a SharedArrayBuffer-backed
 * array (`sharedArray()`), and by hand (raw Piscina with a SharedArrayBuffer: the floor; and the
 * floor again with each run's memory freed, as ours is: by hand, no run's array is ever freed,
 * since no thread's collector counts shared memory), and, for its peak only, the copying
 * `shareResult` with 100 ms between reruns. Times: every arm in one process, alternated round by round,
 * each round's ratio to the floor; peaks: each arm alone in a fresh process, over
 * {@link peakRuns} runs after its pool is up (see fan-out-child.mjs), since shared memory that
 * no thread's collector counts piles up over runs: V8 weighs none of it, and the floor's grows
 * by a copy a run (functionfuse tells each thread of what it holds,
 * src/threads/shared-memory-pressure.ts). The measuring process runs without tsx, whose loader,
 * in a worker thread that loads Piscina with it, slows every typed-array loop of that thread
 * (fan-out-child.mjs says how); the times under tsx are measured too, and reported: our workers
 * start without tsx's flags (src/threads/worker-tsx.ts), raw Piscina's inherit them. So are
 * the times with glibc's transparent huge pages for large allocations
 * (`GLIBC_TUNABLES=glibc.malloc.hugetlb=1`, glibc 2.35 and later; elsewhere the variable is
 * ignored): fresh memory then faults in 2 MiB at a time where the kernel allows it (`madvise`
 * mode). */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { summarize } from '../peers/rounds.js';
import { type FigureRow, round } from '../support.js';

/** The arms, as fan-out-child.mjs runs them. */
const arms = [
  'default',
  'shareResult',
  'shareResult-first',
  'shareResult-copied',
  'shareResult-copied-first',
  'sab-task',
  'by-hand',
  'by-hand-freeing',
] as const;
/**
 * Measured for its peak only: the copying `shareResult`'s reruns with 100 ms between them, in which the
 * collections the last run began have ended and its memory is freed (back to back, the next
 * run's arrays are made while the last run's may still be held).
 */
const pausedArm = 'shareResult-paused' as const;
/** The arms timed round by round. */
type TimedArm = (typeof arms)[number];
type FanOutArm = TimedArm | typeof pausedArm;
type FloorArm = 'by-hand' | 'by-hand-freeing';

const child = fileURLToPath(new URL('../fan-out-child.mjs', import.meta.url));
const arrayMb = 80;
const rounds = 11;
const peakRepeats = 2;
/** Runs in each peak's process, after the untimed first: enough for memory left behind to show. */
const peakRuns = 11;

interface ChildReport {
  readonly ms: Record<string, number[]>;
  readonly startRssMb: number;
  readonly peakRssMb: number;
}

/** Asks glibc's malloc to back large allocations with transparent huge pages. */
const hugePages = { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' };

function measure(
  armsToRun: readonly FanOutArm[],
  roundsToRun: number,
  underTsx = false,
  env: Record<string, string> = {},
): ChildReport {
  // --expose-gc: the child collects its main thread's heap before each timed arm.
  const loader = underTsx ? ['--expose-gc', '--import', 'tsx'] : ['--expose-gc'];
  const output = execFileSync(
    process.execPath,
    [...loader, child, armsToRun.join(','), String(roundsToRun)],
    { encoding: 'utf8', env: { ...process.env, ...env } },
  );
  return JSON.parse(output) as ChildReport;
}

const median = (values: readonly number[]): number => summarize(values).medianMs;

const spread = (values: readonly number[]): string =>
  `${round(median(values))} (${round(Math.min(...values))}–${round(Math.max(...values))})`;

export function fanOut(): FigureRow[] {
  const { ms } = measure(arms, rounds);
  const floor = ms['by-hand'] as number[];
  const peaks = Object.fromEntries(
    [...arms, pausedArm].map((arm: FanOutArm) => [
      arm,
      Array.from({ length: peakRepeats }, () => {
        const { startRssMb, peakRssMb } = measure([arm], peakRuns);
        return peakRssMb - startRssMb;
      }),
    ]),
  ) as Record<FanOutArm, number[]>;
  const floorPeak = `${spread(peaks['by-hand'])} MB`;
  const labels: Record<Exclude<TimedArm, FloorArm>, string> = {
    default: '7a. fan-out 80 MB to 8 readers, default (copies)',
    shareResult:
      "7b. fan-out 80 MB to 8 readers, shareResult, reruns (the task's new Float64Array(n) is made in shared memory: no copy)",
    'shareResult-first':
      "7f. fan-out 80 MB to 8 readers, shareResult, a new workflow's first run each round (no copy)",
    'shareResult-copied':
      '7i. fan-out 80 MB to 8 readers, shareResult copying an array made over an ArrayBuffer, reruns (into memory faulted in ahead)',
    'shareResult-copied-first':
      "7j. fan-out 80 MB to 8 readers, shareResult copying, a new workflow's first run each round (into fresh memory)",
    'sab-task': '7c. fan-out 80 MB to 8 readers, task returns SAB memory',
  };
  const rows = (Object.keys(labels) as Exclude<TimedArm, FloorArm>[]).map((arm): FigureRow => {
    const times = ms[arm] as number[];
    const ratios = times.map((time, index) => time / (floor[index] as number));
    const peak = peaks[arm];
    return {
      benchmark: labels[arm],
      ours: `${spread(times)} ms, peak over ${peakRuns + 1} runs +${spread(peak)} MB`,
      baseline: `by hand ${spread(floor)} ms, peak over ${peakRuns + 1} runs +${floorPeak}`,
      ratio: spread(ratios),
      peakRatio: `${round(median(peak) / arrayMb)} × the array`,
      budget:
        arm === 'shareResult' || arm === 'shareResult-first'
          ? '≤ 1.3 × by hand, peak ≤ 2 × the array'
          : '(reported)',
    };
  });
  rows.push(freeingFloorRow(ms, peaks['by-hand-freeing']));
  rows.push({
    benchmark: '7h. fan-out 80 MB to 8 readers, shareResult copying, reruns 100 ms apart (peak only)',
    ours: `peak over ${peakRuns + 1} runs +${spread(peaks[pausedArm])} MB`,
    baseline: `by hand, back to back: +${floorPeak}`,
    peakRatio: `${round(median(peaks[pausedArm]) / arrayMb)} × the array`,
    budget: '(reported)',
  });
  rows.push(
    againstFloor(
      "7d. fan-out 80 MB to 8 readers, the process under tsx (raw Piscina's workers inherit its flags)",
      measure(['shareResult', 'sab-task', 'by-hand'], rounds, true).ms,
    ),
    againstFloor(
      `7e. fan-out 80 MB to 8 readers, huge pages (${hugePages.GLIBC_TUNABLES})`,
      measure(['shareResult', 'sab-task', 'by-hand'], rounds, false, hugePages).ms,
    ),
  );
  return rows;
}

/** A reported row of `shareResult` and a task's own SAB against the floor, from one child's times. */
function againstFloor(benchmark: string, ms: Record<string, number[]>): FigureRow {
  const floor = ms['by-hand'] as number[];
  const ratio = (arm: FanOutArm): string =>
    spread((ms[arm] as number[]).map((time, index) => time / (floor[index] as number)));
  return {
    benchmark,
    ours: `shareResult ${spread(ms['shareResult'] as number[])} ms, task's SAB ${spread(ms['sab-task'] as number[])} ms`,
    baseline: `by hand ${spread(floor)} ms`,
    ratio: `shareResult ${ratio('shareResult')}, task's SAB ${ratio('sab-task')}`,
    budget: '(reported)',
  };
}

/**
 * The floor whose threads free each run's memory (they tell V8 of the shared memory once a run,
 * as functionfuse's threads do): what freeing costs by hand, and `shareResult` against it.
 */
function freeingFloorRow(ms: Record<string, number[]>, peak: readonly number[]): FigureRow {
  const freeing = ms['by-hand-freeing'] as number[];
  const against = (arm: FanOutArm, floorArm: FloorArm): string => {
    const floor = ms[floorArm] as number[];
    return spread((ms[arm] as number[]).map((time, index) => time / (floor[index] as number)));
  };
  return {
    benchmark:
      "7g. fan-out 80 MB to 8 readers, by hand with each run's memory freed (its threads tell V8 of it)",
    ours: `${spread(freeing)} ms, peak over ${peakRuns + 1} runs +${spread(peak)} MB`,
    baseline: `by hand ${spread(ms['by-hand'] as number[])} ms`,
    ratio: `${against('by-hand-freeing', 'by-hand')}; shareResult against it ${against('shareResult', 'by-hand-freeing')}, task's SAB ${against('sab-task', 'by-hand-freeing')}`,
    peakRatio: `${round(median(peak) / arrayMb)} × the array`,
    budget: '(reported)',
  };
}
