/**
 * The copy into shared memory behind `shareResult` (src/threads/shared-copy.ts): the copier and
 * the main thread's helper each claim chunks, the helper writes zeros only into chunks it
 * claimed before the copier copies into them, and the bytes arrive exact whoever took which
 * chunk. The protocol's steps are run in one thread in a fixed order (the helper with no time
 * slice, so that it claims all it can in one call), then for real between a worker thread and
 * this one.
 */
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CopyOffer,
  chunkBytes,
  chunkState,
  copyClaimingChunks,
  copyToSharedMemory,
  faultIn,
  helpSharedCopies,
} from '../dist/src/threads/shared-copy.js';

const { free, copier, ready } = chunkState;

function pattern(length: number, seed = 3): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let index = 0; index < length; index++) bytes[index] = (index * 7 + seed) & 255;
  return bytes;
}

function offerFor(length: number): CopyOffer {
  return {
    target: new SharedArrayBuffer(length),
    states: new Int32Array(new SharedArrayBuffer(Math.ceil(length / chunkBytes) * 4)),
  };
}

/** Index of the first byte where the two differ, or -1. */
function firstDifference(actual: Uint8Array, expected: Uint8Array): number {
  if (actual.length !== expected.length) return Math.min(actual.length, expected.length);
  for (let index = 0; index < actual.length; index++) if (actual[index] !== expected[index]) return index;
  return -1;
}

describe('the copy protocol, step by step in one thread', () => {
  // 10 whole chunks and 123 bytes: 11 chunks, the last one short and of odd length.
  const length = 10 * chunkBytes + 123;

  it('the helper stops at the copier’s first chunk, and the copier copies into the helper’s chunks', () => {
    const bytes = pattern(length);
    const offer = offerFor(length);
    offer.states[6] = copier;
    faultIn(offer, undefined, Number.POSITIVE_INFINITY);
    expect([...offer.states]).toEqual([
      free,
      free,
      free,
      free,
      free,
      free,
      copier,
      ready,
      ready,
      ready,
      ready,
    ]);
    offer.states[6] = free;
    copyClaimingChunks(bytes, offer);
    expect([...offer.states]).toEqual([...Array(7).fill(copier), ready, ready, ready, ready]);
    expect(firstDifference(new Uint8Array(offer.target), bytes)).toBe(-1);
  });

  it('the copier copies into chunks the helper has made ready before it claims free ones', () => {
    const copied: number[] = [];
    // Records which chunk each copy reads, in order (copyChunk takes one subarray per chunk).
    class RecordingBytes extends Uint8Array<ArrayBuffer> {
      override subarray(start?: number, end?: number): Uint8Array<ArrayBuffer> {
        copied.push(Math.floor((start ?? 0) / chunkBytes));
        return new Uint8Array(
          this.buffer,
          this.byteOffset + (start ?? 0),
          (end ?? this.length) - (start ?? 0),
        );
      }
    }
    const bytes = pattern(length);
    const offer = offerFor(length);
    // The helper's first slice made the top two chunks ready, then gave way to its event loop.
    offer.states[10] = ready;
    offer.states[9] = ready;
    copyClaimingChunks(new RecordingBytes(bytes.buffer as ArrayBuffer), offer);
    expect(copied).toEqual([10, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...offer.states]).toEqual([...Array(9).fill(copier), ready, ready]);
    expect(firstDifference(new Uint8Array(offer.target), bytes)).toBe(-1);
    // The helper's next slice finds the copier's chunk below its own and claims nothing.
    faultIn(offer, 8, Number.POSITIVE_INFINITY);
    expect(firstDifference(new Uint8Array(offer.target), bytes)).toBe(-1);
  });

  it('a helper that came first takes every chunk, and the copier still copies them all', () => {
    const bytes = pattern(length);
    const offer = offerFor(length);
    faultIn(offer, undefined, Number.POSITIVE_INFINITY);
    expect(offer.states.every((state) => state === ready)).toBe(true);
    copyClaimingChunks(bytes, offer);
    expect(firstDifference(new Uint8Array(offer.target), bytes)).toBe(-1);
  });

  it('a helper that comes after the copier writes nothing over the copied bytes', () => {
    const bytes = pattern(length);
    const offer = offerFor(length);
    copyClaimingChunks(bytes, offer);
    faultIn(offer, undefined, Number.POSITIVE_INFINITY);
    expect(offer.states.every((state) => state === copier)).toBe(true);
    expect(firstDifference(new Uint8Array(offer.target), bytes)).toBe(-1);
  });
});

describe('copyToSharedMemory', () => {
  let stopHelping: (() => void) | undefined;
  afterEach(() => stopHelping?.());

  it('in the main thread, copies alone into a SharedArrayBuffer of the same bytes', () => {
    stopHelping = helpSharedCopies();
    const bytes = pattern(9 * chunkBytes + 1);
    const shared = copyToSharedMemory(bytes);
    expect(shared).toBeInstanceOf(SharedArrayBuffer);
    expect(firstDifference(new Uint8Array(shared), bytes)).toBe(-1);
  });

  // Sizes around the helped threshold (8 MiB), odd lengths, and a view with an offset.
  const copiesInWorker = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.module).then(({ copyToSharedMemory }) => {
      const pattern = (length, seed) => {
        const bytes = new Uint8Array(length);
        for (let index = 0; index < length; index++) bytes[index] = (index * 7 + seed) & 255;
        return bytes;
      };
      const copies = workerData.sizes.map(([length, offset], seed) =>
        copyToSharedMemory(pattern(length + offset, seed).subarray(offset)));
      parentPort.postMessage(copies);
    });
  `;
  const sizes: [number, number][] = [
    [8 * chunkBytes - 1, 0],
    [8 * chunkBytes, 0],
    [24 * chunkBytes + 5, 0],
    [12 * chunkBytes, 17],
  ];

  async function copiesFromWorker(): Promise<SharedArrayBuffer[]> {
    const worker = new Worker(copiesInWorker, {
      eval: true,
      workerData: { module: new URL('../dist/src/threads/shared-copy.js', import.meta.url).href, sizes },
    });
    try {
      return await new Promise<SharedArrayBuffer[]>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`the copying worker exited with code ${code}`)));
      });
    } finally {
      await worker.terminate();
    }
  }

  it.each([
    ['while the main thread helps', true],
    ['with no helper in the process', false],
  ])(
    'in a worker thread, %s, every copy arrives exact',
    async (_, helps) => {
      if (helps) stopHelping = helpSharedCopies();
      const copies = await copiesFromWorker();
      expect(copies).toHaveLength(sizes.length);
      copies.forEach((shared, seed) => {
        const [length, offset] = sizes[seed] as [number, number];
        expect(shared).toBeInstanceOf(SharedArrayBuffer);
        expect(firstDifference(new Uint8Array(shared), pattern(length + offset, seed).subarray(offset))).toBe(
          -1,
        );
      });
    },
    30_000,
  );
});
