/**
 * The shareResult node option, on every backend of test/support/backends.ts: values exact
 * everywhere; on ThreadWorkflow every consumer views one SharedArrayBuffer memory (the option's
 * contract: a consumer that writes changes it for all), on LocalWorkflow consumers get the
 * object itself either way, on BullMQWorkflow (where redis-server is found) the option is
 * accepted and ignored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStorage, LocalWorkflow, sharedArray } from 'functionfuse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shareResultMemory } from '../src/threads/shared-result.js';
import {
  aliasing,
  counting,
  countingInOrdinaryMemory,
  countingShared,
  countingWithHelper,
  firstAfter,
  firstIntAfter,
  largeArrayIsShared,
  makeArrayAndThrow,
  makeArrays,
  makeArraysLater,
  meet,
  meetingPoint,
  memoryOf,
  nestedArrays,
  sumAndLast,
  writeFirst,
  writeFirstInt,
} from './fixtures/share-result-tasks.js';
import { backendsUnderTest, type ClusterUnderTest } from './support/backends.js';
import {
  redisServer,
  startRedis,
  startWorkerProcess,
  type TestRedis,
  type TestWorker,
} from './support/cluster.js';

let redis: TestRedis | undefined;
const workers: TestWorker[] = [];
const cluster = (): ClusterUnderTest => ({ url: redis?.url as string, queue: 'share-result' });
if (redisServer.runs) {
  beforeAll(async () => {
    redis = await startRedis();
    const { url, queue } = cluster();
    workers.push(...(await Promise.all([1, 2].map(() => startWorkerProcess({ url, queue })))));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    await redis?.stop();
  }, 60_000);
}

/** Where consumers share the producer's memory with the option: worker threads only. */
const sharesMemory = (name: string): boolean => name.startsWith('ThreadWorkflow');
/** Where consumers view the very object the producer returned, with or without the option. */
const passesTheObject = (name: string): boolean => name === 'LocalWorkflow';

describe.each(backendsUnderTest(redisServer.runs ? { cluster } : {}))('$name: shareResult', (backend) => {
  afterAll(() => backend.close());
  const shared = sharesMemory(backend.name);

  it('gives every consumer the exact values, in shared memory on threads', async () => {
    const source = counting(1000).setName('source');
    const readers = [0, 1, 2].map((reader) => memoryOf(source).setName(`reader ${reader}`));
    const wf = backend.create([source, ...readers], 'share-values');
    wf.query('source').setOptions({ shareResult: true });
    const [values, ...memories] = await wf.run();
    expect([...values]).toEqual(Array.from({ length: 1000 }, (_, index) => index + 1));
    expect(values.buffer instanceof SharedArrayBuffer).toBe(shared);
    expect(memories).toEqual(Array(3).fill([['result', shared]]));
  });

  it('shares typed arrays and ArrayBuffers in arrays, objects, Maps and Sets, keeping their aliasing', async () => {
    const source = nestedArrays().setName('source');
    const wf = backend.create([source, memoryOf(source), aliasing(source)], 'share-nested');
    wf.query('source').setOptions({ shareResult: true });
    const [value, memory, aliased] = await wf.run();
    expect(memory).toEqual([
      ['result.data', shared],
      ['result.tail', shared],
      ['result.list[0]', shared],
      ['result.list[1]', shared],
      ['result.map.get(bytes)', shared],
      ['result.set.<set 0>', shared],
    ]);
    // BullMQWorkflow's wire format carries each view's bytes on its own (a known difference).
    expect(aliased).toBe(!backend.name.startsWith('BullMQ'));
    expect(value.label).toBe('nested');
    expect([...value.data]).toEqual([1, 2, 3, 4]);
    expect([...value.tail]).toEqual([3, 4]);
    expect([...(value.list[0] as Int32Array)]).toEqual([5, 6]);
    expect([...new Uint8Array(value.list[1] as ArrayBuffer)]).toEqual([7, 8, 9]);
    expect([...(value.map.get('bytes') as Uint8Array)]).toEqual([10, 11]);
    expect(value.map.get('plain')).toBe(12);
    expect([...value.set].map((entry) => [...entry])).toEqual([[13]]);
  });

  it('holds to the contract: a consumer that writes changes the result for the others', async () => {
    const source = counting(8).setName('source');
    const plain = counting(8).setName('plain');
    const wf = backend.create(
      [firstAfter(source, writeFirst(source)), firstAfter(plain, writeFirst(plain))],
      'share-writes',
    );
    wf.query('source').setOptions({ shareResult: true });
    const [afterSharedWrite, afterCopiedWrite] = await wf.run();
    expect(afterSharedWrite).toBe(shared || passesTheObject(backend.name) ? 42 : 1);
    // Without the option, threads give the writer a copy of its own.
    expect(afterCopiedWrite).toBe(passesTheObject(backend.name) ? 42 : 1);
  });

  it.each([false, true])(
    'never copies a result the task made in SharedArrayBuffer memory (shareResult: %s)',
    async (shareResult) => {
      const source = countingShared(16).setName('source');
      const writer = writeFirst(source).setName('writer');
      const wf = backend.create([source, memoryOf(source), firstAfter(source, writer)], 'already-shared');
      wf.query('source').setOptions({ shareResult });
      const [values, memory, afterWrite] = await wf.run();
      // BullMQWorkflow carries results between processes as bytes: each consumer decodes its own.
      const stillShared = !backend.name.startsWith('BullMQ');
      expect(memory).toEqual([['result', stillShared]]);
      expect(values.buffer instanceof SharedArrayBuffer).toBe(stillShared);
      expect(afterWrite).toBe(stillShared ? 42 : 1);
      expect(values[0]).toBe(stillShared ? 42 : 1);
    },
  );

  it.each([false, true])(
    'never copies a result made by sharedArray(): every consumer and the leaf view its memory (shareResult: %s)',
    async (shareResult) => {
      const source = countingWithHelper(4).setName('source');
      const writer = writeFirstInt(source).setName('writer');
      const wf = backend.create([source, memoryOf(source), firstIntAfter(source, writer)], 'helper-shared');
      wf.query('source').setOptions({ shareResult });
      const [values, memory, afterWrite] = await wf.run();
      const stillShared = !backend.name.startsWith('BullMQ');
      expect(Object.getPrototypeOf(values)).toBe(Int32Array.prototype);
      expect(memory).toEqual([['result', stillShared]]);
      expect(values.buffer instanceof SharedArrayBuffer).toBe(stillShared);
      // The writer's change reached the reader after it and the leaf: one memory, no copy.
      expect(afterWrite).toBe(stillShared ? 42 : 1);
      expect([...values]).toEqual(stillShared ? [42, 2, 3, 4] : [1, 2, 3, 4]);
    },
  );

  it('saves a shared result in FileStorage and reads it back: a cached rerun gives equal values', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'functionfuse-share-'));
    try {
      const build = () => {
        const source = nestedArrays().setName('source');
        const wf = backend.create([source, memoryOf(source).setName('reader')], 'share-stored');
        wf.setStorage(new FileStorage(folder)).query('source').setOptions({ shareResult: true });
        return wf;
      };
      const [first, firstMemory] = await build().run();
      const storage = new FileStorage(folder);
      expect((await storage.listTasks('share-stored')).sort()).toEqual(['reader', 'source']);
      // The reader runs again on the stored source: it is shared again, read back from storage.
      await storage.removeTask('share-stored', 'reader');
      const [second, secondMemory] = await build().run();
      expect(second).toEqual(first);
      expect([...second.data]).toEqual([1, 2, 3, 4]);
      expect([...second.tail]).toEqual([3, 4]);
      expect([...new Uint8Array(second.list[1] as ArrayBuffer)]).toEqual([7, 8, 9]);
      expect(secondMemory).toEqual(firstMemory);
      expect(secondMemory.every(([, isShared]) => isShared === shared)).toBe(true);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('shares the copy read back with alwaysRead, so the reader views shared memory where the option shares', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'functionfuse-share-'));
    try {
      const source = nestedArrays().setName('source');
      const wf = backend.create([memoryOf(source).setName('reader')], 'share-read-back');
      wf.setStorage(new FileStorage(folder, { alwaysRead: true }))
        .query('source')
        .setOptions({ shareResult: true });
      const [memory] = await wf.run();
      expect(memory.length).toBeGreaterThan(0);
      expect(memory.every(([, isShared]) => isShared === shared)).toBe(true);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('reruns a large shared result with exact values every run (reruns copy into memory faulted in ahead)', async () => {
    // 9 MiB and 24 bytes: above the size from which the main thread faults a copy's memory in.
    const length = 9 * 2 ** 17 + 3;
    // Made over an ArrayBuffer, so that it is made in ordinary memory and copied.
    const source = countingInOrdinaryMemory(length).setName('source');
    const readers = [0, 1, 2].map((reader) => sumAndLast(source).setName(`reader ${reader}`));
    const wf = backend.create([source, ...readers], 'share-rerun');
    wf.query('source').setOptions({ shareResult: true });
    const read = { total: (length * (length + 1)) / 2, last: length };
    for (let run = 0; run < 3; run++) {
      const [values, ...sums] = await wf.run();
      expect(values.length).toBe(length);
      expect(values.buffer instanceof SharedArrayBuffer).toBe(shared);
      expect(values[0]).toBe(1);
      expect(values[length - 1]).toBe(length);
      expect(sums).toEqual([read, read, read]);
    }
  });

  it('makes a large typed array the task asks for by length in shared memory from the start, on threads', async () => {
    const source = makeArrays().setName('source');
    const wf = backend.create([source, memoryOf(source).setName('reader')], 'share-made');
    wf.query('source').setOptions({ shareResult: true });
    const [{ result, ...made }, memory] = await wf.run();
    expect(made).toEqual({
      large: shared,
      largeOfEveryType: Array(11).fill(shared),
      justUnder: false,
      from: shared,
      overAnArrayBuffer: false,
      copiedFromAnArray: false,
      mapped: false,
      zeroed: true,
      realPrototype: true,
      isInstance: true,
      name: 'Float64Array',
      bytesPerElement: 8,
      subclass: [shared, true, true],
      calledWithoutNew: "TypeError: Constructor Float64Array requires 'new'",
    });
    expect(result.buffer instanceof SharedArrayBuffer).toBe(shared);
    expect(memory).toEqual([['result.result', shared]]);
  });

  it('makes them shared after an await too, and never in a node without the option, even after one that failed', async () => {
    const later = makeArraysLater().setName('later');
    const failing = makeArrayAndThrow().setName('failing');
    const afterwards = [0, 1, 2, 3].map((reader) =>
      largeArrayIsShared(later).setName(`afterwards ${reader}`),
    );
    const wf = backend.create([later, ...afterwards], 'share-made-later');
    wf.query('later').setOptions({ shareResult: true });
    const [made, ...shares] = await wf.run();
    expect([made.large, made.from, made.justUnder]).toEqual([shared, shared, false]);
    expect(shares).toEqual([false, false, false, false]);
    const failingWf = backend.create(
      [failing, ...[0, 1].map(() => largeArrayIsShared(1))],
      'share-made-failing',
    );
    failingWf.query('failing').setOptions({ shareResult: true });
    await expect(failingWf.run()).rejects.toThrow('made an array, then failed');
    const readers = [0, 1, 2, 3].map(() => largeArrayIsShared(2));
    expect(await backend.create(readers, 'share-made-after').run()).toEqual([false, false, false, false]);
  });

  it.runIf(shared)(
    'lets two consumers running at once on two threads see each other in one memory',
    async () => {
      const point = meetingPoint().setName('point');
      // A timeout sends each alone, so the two go to two threads at once.
      const sides = [meet(point, 0).setName('side 0'), meet(point, 1).setName('side 1')] as const;
      const wf = backend.create(sides, 'share-meet');
      wf.query('point').setOptions({ shareResult: true });
      wf.query('side.*').setOptions({ timeout: 30_000 });
      const [first, second] = await wf.run();
      expect(first.sawOther).toBe(true);
      expect(second.sawOther).toBe(true);
      expect(first.threadId).not.toBe(second.threadId);
    },
  );
});

describe('shareResultMemory', () => {
  it('copies each buffer once into shared memory, keeps identity and cycles, and leaves the value as it was', () => {
    const data = Float64Array.from([1, 2]);
    const value: Record<string, unknown> = { data, again: data, bytes: data.buffer, plain: [1, 'a'] };
    value['self'] = value;
    const shared = shareResultMemory(value);
    expect(shared).not.toBe(value);
    expect(shared['self']).toBe(shared);
    expect(shared['again']).toBe(shared['data']);
    expect((shared['data'] as Float64Array).buffer).toBe(shared['bytes']);
    expect(shared['bytes']).toBeInstanceOf(SharedArrayBuffer);
    expect(shared['plain']).toEqual([1, 'a']);
    expect(value['data']).toBe(data);
    expect(data.buffer).toBeInstanceOf(ArrayBuffer);
  });

  it("copies only the bytes a view sees, not a pooled Node Buffer's neighbours, and returns it as a Uint8Array", () => {
    const pooled = Buffer.from('abc');
    expect(pooled.buffer.byteLength).toBeGreaterThan(3);
    const shared = shareResultMemory({ pooled }).pooled;
    expect(Object.getPrototypeOf(shared)).toBe(Uint8Array.prototype);
    expect(shared.buffer.byteLength).toBe(3);
    expect([...shared]).toEqual([97, 98, 99]);
  });

  it('returns a value with nothing to share, or only shared memory, as it is', () => {
    const value = { list: [1, 2], view: new Int8Array(new SharedArrayBuffer(2)) };
    expect(shareResultMemory(value)).toBe(value);
    expect(shareResultMemory(7)).toBe(7);
  });
});

describe('sharedArray', () => {
  it('makes a zeroed typed array of the given type and length over a SharedArrayBuffer of its own', () => {
    const values = sharedArray(Float64Array, 3);
    expect(Object.getPrototypeOf(values)).toBe(Float64Array.prototype);
    expect([...values]).toEqual([0, 0, 0]);
    expect(values.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect([values.byteOffset, values.buffer.byteLength]).toEqual([0, 24]);
    const big = sharedArray(BigInt64Array, 2);
    expect([...big]).toEqual([0n, 0n]);
    expect(big.buffer.byteLength).toBe(16);
    expect(sharedArray(Uint8Array, 0).buffer.byteLength).toBe(0);
  });

  it('is never copied by shareResultMemory', () => {
    const values = sharedArray(Float32Array, 2);
    const value = { values, list: [values] };
    expect(shareResultMemory(value)).toBe(value);
  });

  it('refuses a type that is not a typed array constructor, and a length that is not an integer from 0, naming them', () => {
    for (const [type, shown] of [
      [Array, 'a function Array'],
      [DataView, 'a function DataView'],
      ['Float64Array', '"Float64Array" (string)'],
    ] as const) {
      expect(() => sharedArray(type as never, 1)).toThrow(
        new TypeError(`Expected \`type\` to be a typed array constructor, got ${shown}`),
      );
    }
    for (const [length, shown] of [
      [-1, '-1 (number)'],
      [1.5, '1.5 (number)'],
      [Number.NaN, 'NaN (number)'],
      ['3', '"3" (string)'],
    ] as const) {
      expect(() => sharedArray(Float64Array, length as never)).toThrow(
        new TypeError(`Expected \`length\` to be an integer from 0 and up, got ${shown}`),
      );
    }
  });
});

describe('the shareResult option', () => {
  const query = () => new LocalWorkflow(counting(1), { workflowName: 'share-option' }).query();

  it('refuses a value that is not a boolean, naming it', () => {
    for (const [value, shown] of [
      ['yes', '"yes" (string)'],
      [1, '1 (number)'],
      [null, 'null'],
    ] as const) {
      expect(() => query().setOptions({ shareResult: value as never })).toThrow(
        new TypeError(`Expected \`shareResult\` to be a boolean, got ${shown}`),
      );
    }
    expect(() => query().setOptions({ shareResult: false }).setOptions({ shareResult: true })).not.toThrow();
  });
});
