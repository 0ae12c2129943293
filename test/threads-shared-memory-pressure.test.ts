/**
 * V8 does not count SharedArrayBuffer memory toward any thread's collection pressure, so shared
 * results used to pile up over reruns (src/threads/shared-memory-pressure.ts): each thread now
 * tells its collector of the shared memory it makes or receives, once per result. Checked in
 * this thread (what is told, and when), then over reruns on LocalWorkflow and on a
 * ThreadWorkflow whose shared result is read on both threads: the process's resident memory
 * stays within a few copies of the array, where it used to grow by one copy a run.
 */
import type { Node } from 'functionfuse';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  deferredBytesCap,
  feelDeferredSharedMemory,
  feelSharedInputs,
  feelSharedMemory,
  feelSharedMemoryLater,
  feltBytes,
  mostToldBytes,
  sharedResultToken,
  untoldSharedBytes,
} from '../src/threads/shared-memory-pressure.js';
import {
  counting,
  countingInOrdinaryMemory,
  countingWithHelper,
  sumOf,
} from './fixtures/share-result-tasks.js';
import { localBackend, threadBackend } from './support/backends.js';

/** The lengths of the ArrayBuffers `action` makes (synchronously). */
function buffersMadeBy(action: () => void): number[] {
  const lengths: number[] = [];
  vi.stubGlobal(
    'ArrayBuffer',
    new Proxy(ArrayBuffer, {
      construct(target, args: [number]) {
        lengths.push(args[0]);
        return Reflect.construct(target, args) as object;
      },
    }),
  );
  try {
    action();
  } finally {
    vi.unstubAllGlobals();
  }
  return lengths;
}

/** An amount well below feltBytes. */
const step = (): number => 16 * 2 ** 20;

describe('telling a thread of shared memory', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('adds small amounts up and tells V8 at once when they reach feltBytes', () => {
    const step = 16 * 2 ** 20;
    // Whatever an earlier test left untold is told by the first large amount.
    buffersMadeBy(() => feelSharedMemory(feltBytes));
    expect(buffersMadeBy(() => feelSharedMemory(step))).toEqual([]);
    expect(buffersMadeBy(() => feelSharedMemory(step))).toEqual([]);
    expect(buffersMadeBy(() => feelSharedMemory(step))).toEqual([]);
    expect(buffersMadeBy(() => feelSharedMemory(step + 1))).toEqual([4 * step + 1]);
    expect(buffersMadeBy(() => feelSharedMemory(step))).toEqual([]);
  });

  it('tells of at most mostToldBytes at once, however large the shared memory', () => {
    buffersMadeBy(() => feelSharedMemory(feltBytes));
    expect(buffersMadeBy(() => feelSharedMemory(2 ** 40))).toEqual([mostToldBytes]);
    expect(buffersMadeBy(() => feelSharedMemory(step()))).toEqual([]);
  });

  it('keeps what arrives for later until told to tell, or at once past the cap', () => {
    const bytes = 80 * 2 ** 20;
    buffersMadeBy(() => feelSharedMemory(feltBytes));
    expect(buffersMadeBy(() => feelSharedMemoryLater(bytes))).toEqual([]);
    expect(buffersMadeBy(() => feelSharedMemoryLater(bytes))).toEqual([]);
    expect(buffersMadeBy(() => feelDeferredSharedMemory())).toEqual([2 * bytes]);
    expect(buffersMadeBy(() => feelDeferredSharedMemory())).toEqual([]);
    const overCap = Math.floor(deferredBytesCap / bytes) + 1;
    const made = buffersMadeBy(() => {
      for (let step = 0; step < overCap; step++) feelSharedMemoryLater(bytes);
    });
    expect(made).toEqual([overCap * bytes]);
  });

  it('keeps a result that jobs bring to be told of, once however many bring it, and a new result again', () => {
    const bytes = 80 * 2 ** 20;
    buffersMadeBy(() => feelSharedMemory(feltBytes)); // nothing left untold
    buffersMadeBy(() => feelDeferredSharedMemory());
    const first = sharedResultToken();
    const second = sharedResultToken();
    expect(second).toBeGreaterThan(first);
    expect(buffersMadeBy(() => feelSharedInputs([first, bytes]))).toEqual([]);
    expect(buffersMadeBy(() => feelSharedInputs([first, bytes, first, bytes]))).toEqual([]);
    expect(untoldSharedBytes()).toBe(bytes);
    expect(buffersMadeBy(() => feelSharedInputs([first, bytes, second, bytes]))).toEqual([]);
    expect(untoldSharedBytes()).toBe(2 * bytes);
    expect(buffersMadeBy(() => feelDeferredSharedMemory())).toEqual([2 * bytes]);
    expect(untoldSharedBytes()).toBe(0);
  });
});

describe.each([
  { name: 'LocalWorkflow', backend: () => localBackend },
  { name: 'ThreadWorkflow', backend: () => threadBackend(2) },
])('reruns of a large shared result on $name', ({ backend }) => {
  const arrayMb = 80;
  const bytes = arrayMb * 2 ** 20;
  const runs = 16;

  /**
   * Resident memory above the start after each of `runs` runs, in MB, after one run that starts
   * the threads; each run's sums (of 1..`length`) checked.
   */
  async function residentAfterRuns(
    source: Node<ArrayLike<number>>,
    length: number,
    share: boolean,
  ): Promise<number[]> {
    // Every partial sum is an integer below 2^53: exact.
    const expected = (length * (length + 1)) / 2;
    const under = backend();
    const readers = Array.from({ length: 4 }, () => sumOf(source));
    const workflow = under.create(readers, 'pressure');
    if (share) workflow.query(source.name).setOptions({ shareResult: true });
    try {
      await workflow.run();
      const start = process.memoryUsage().rss;
      const above: number[] = [];
      for (let run = 0; run < runs; run++) {
        expect(await workflow.run()).toEqual([expected, expected, expected, expected]);
        above.push((process.memoryUsage().rss - start) / 2 ** 20);
      }
      return above;
    } finally {
      await under.close();
    }
  }

  // Without telling, every run left its 80 MB behind: 16 runs held about 16 copies.
  it.each([
    ['made shared as the task asks for it', counting],
    ['copied from ordinary memory', countingInOrdinaryMemory],
  ])(
    'stays within a few copies of the array with shareResult, %s',
    async (_, making) => {
      const above = await residentAfterRuns(making(bytes / 8), bytes / 8, true);
      expect(Math.max(...above.slice(4))).toBeLessThan(6 * arrayMb);
    },
    60_000,
  );

  it('stays within a few copies of the array when the task makes it with sharedArray()', async () => {
    const above = await residentAfterRuns(countingWithHelper(bytes / 4), bytes / 4, false);
    expect(Math.max(...above.slice(4))).toBeLessThan(6 * arrayMb);
  }, 60_000);
});
