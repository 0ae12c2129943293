import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileStorage } from '../src/storage/file-storage.js';
import { StoredResultMissingError, UnstorableResultError } from '../src/storage/storage-errors.js';
import { RAW_PART_MIN_BYTES } from '../src/storage/value-codec.js';
import { bytesOf, filesMatching, useTempFolders } from './fixtures/storage-helpers.js';

/** What the tests need of a typed array constructor, whatever its element type. */
interface TypedArrayKind {
  new (buffer: ArrayBuffer, byteOffset?: number, length?: number): ArrayBufferView;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
}

const typedArrayKinds: readonly TypedArrayKind[] = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
];
const kindCases = typedArrayKinds.map((Kind) => [Kind.name, Kind] as const);

/** A typed array of `byteLength` bytes whose every byte differs from its neighbours. */
function patterned<T extends ArrayBufferView>(Kind: new (buffer: ArrayBuffer) => T, byteLength: number): T {
  const buffer = new ArrayBuffer(byteLength);
  const bytes = new Uint8Array(buffer);
  for (let index = 0; index < byteLength; index++) bytes[index] = (index * 31 + 7) % 251;
  return new Kind(buffer);
}

describe('FileStorage round-trips', () => {
  const makeFolder = useTempFolders();

  async function roundTrip(value: unknown, storage?: FileStorage): Promise<unknown> {
    const store = storage ?? new FileStorage(await makeFolder());
    await store.save('wf', 'node', value);
    return store.readTask('wf', 'node');
  }

  it('keeps primitives, including NaN, -0, infinities, BigInt, undefined and null', async () => {
    const value = [
      0,
      -0,
      Number.NaN,
      Infinity,
      -Infinity,
      1.5e-300,
      'text ✓',
      '',
      12345678901234567890n,
      -1n,
      true,
      false,
      undefined,
      null,
    ];
    const read = (await roundTrip(value)) as unknown[];
    expect(read).toStrictEqual(value);
    expect(Object.is(read[1], -0)).toBe(true);
    expect(read).toHaveLength(value.length);
  });

  it('keeps Date, RegExp, Map, Set, nested objects, sparse arrays and shared references', async () => {
    const shared = { id: 1 };
    const value = {
      date: new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 123)),
      regexp: /a+b?\//giu,
      map: new Map<unknown, unknown>([
        ['key', { nested: [1, 2] }],
        [3, new Set(['x'])],
      ]),
      set: new Set([1, 'two', 3n]),
      deep: { a: { b: { c: [[], {}, [undefined]] } } },
      // biome-ignore lint/suspicious/noSparseArray: holes must survive
      sparse: [1, , 3],
      left: shared,
      right: shared,
      error: new RangeError('out of range'),
    };
    const read = (await roundTrip(value)) as typeof value;
    expect(read.date).toStrictEqual(value.date);
    expect(read.regexp.source).toBe(value.regexp.source);
    expect(read.regexp.flags).toBe('giu');
    expect(read.map).toStrictEqual(value.map);
    expect(read.set).toStrictEqual(value.set);
    expect(read.deep).toStrictEqual(value.deep);
    expect(1 in read.sparse).toBe(false);
    expect(read.sparse).toHaveLength(3);
    expect(read.left).toBe(read.right);
    expect(read.error).toBeInstanceOf(RangeError);
    expect(read.error.message).toBe('out of range');
  });

  it.each(kindCases)('keeps a small %s inline with its exact type and an own buffer', async (_, Kind) => {
    const folder = await makeFolder();
    const storage = new FileStorage(folder);
    const original = patterned(Kind, 64);
    // A view into a larger buffer: only the view's bytes are stored.
    const view = new Kind(original.buffer as ArrayBuffer, 8, 56 / Kind.BYTES_PER_ELEMENT);
    const read = (await roundTrip(view, storage)) as ArrayBufferView;
    expect(read.constructor).toBe(Kind);
    expect(read).toStrictEqual(view);
    expect(read.byteOffset).toBe(0);
    expect(read.buffer.byteLength).toBe(56);
    expect(await filesMatching(folder, /\.raw$/)).toEqual([]);
  });

  it.each(kindCases)('writes a large %s as a raw part and reads it back with its type', async (_, Kind) => {
    const folder = await makeFolder();
    const storage = new FileStorage(folder);
    const large = patterned(Kind, RAW_PART_MIN_BYTES);
    const read = (await roundTrip({ large }, storage)) as { large: ArrayBufferView };
    expect(read.large.constructor).toBe(Kind);
    expect(bytesOf(read.large).equals(bytesOf(large))).toBe(true);
    // The part's ArrayBuffer becomes the array's own buffer: no copy, aligned, exact size.
    expect(read.large.byteOffset).toBe(0);
    expect(read.large.buffer.byteLength).toBe(RAW_PART_MIN_BYTES);
    const parts = await filesMatching(folder, /bigdata\/node\.[0-9a-f]{16}\.0\.raw$/);
    expect(parts).toHaveLength(1);
  });

  it('keeps a DataView, an ArrayBuffer and a Buffer, small and large', async () => {
    const folder = await makeFolder();
    const storage = new FileStorage(folder);
    const bytes = patterned(Uint8Array, RAW_PART_MIN_BYTES * 2);
    const value = {
      smallView: new DataView(bytes.buffer, 3, 100),
      largeView: new DataView(bytes.buffer, 0, RAW_PART_MIN_BYTES),
      smallBuffer: bytes.buffer.slice(0, 10),
      largeBuffer: bytes.buffer.slice(0, RAW_PART_MIN_BYTES + 1),
      smallNodeBuffer: Buffer.from('héllo'),
      largeNodeBuffer: Buffer.from(bytes.buffer, 0, RAW_PART_MIN_BYTES),
    };
    const read = (await roundTrip(value, storage)) as typeof value;
    expect(read.smallView).toBeInstanceOf(DataView);
    expect(Buffer.from(read.smallView.buffer, read.smallView.byteOffset, read.smallView.byteLength)).toEqual(
      Buffer.from(bytes.buffer, 3, 100),
    );
    expect(read.largeView).toBeInstanceOf(DataView);
    expect(read.largeView.getUint32(1000)).toBe(value.largeView.getUint32(1000));
    expect(read.smallBuffer).toBeInstanceOf(ArrayBuffer);
    expect(Buffer.from(read.smallBuffer)).toEqual(Buffer.from(value.smallBuffer));
    expect(read.largeBuffer).toBeInstanceOf(ArrayBuffer);
    expect(bytesOf(read.largeBuffer).equals(bytesOf(value.largeBuffer))).toBe(true);
    expect(Buffer.isBuffer(read.smallNodeBuffer)).toBe(true);
    expect(read.smallNodeBuffer.toString()).toBe('héllo');
    expect(Buffer.isBuffer(read.largeNodeBuffer)).toBe(true);
    expect(read.largeNodeBuffer.equals(value.largeNodeBuffer)).toBe(true);
    // largeView, largeBuffer and largeNodeBuffer; the small ones are inline.
    expect(await filesMatching(folder, /\.raw$/)).toHaveLength(3);
  });

  it('stores one raw part for a large array referenced twice, and keeps the identity', async () => {
    const folder = await makeFolder();
    const storage = new FileStorage(folder);
    const weights = patterned(Float64Array, RAW_PART_MIN_BYTES);
    const read = (await roundTrip({ a: weights, b: weights }, storage)) as {
      a: Float64Array;
      b: Float64Array;
    };
    expect(read.a).toBe(read.b);
    expect(await filesMatching(folder, /\.raw$/)).toHaveLength(1);
  });

  it('round-trips whatever fast-check generates as structured clone does', async () => {
    const storage = new FileStorage(await makeFolder(), { durable: false });
    await fc.assert(
      fc.asyncProperty(
        fc.anything({
          withBigInt: true,
          withBoxedValues: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withSparseArray: true,
          withTypedArray: true,
          maxDepth: 3,
        }),
        async (value) => {
          await storage.save('wf', 'property', value);
          expect(await storage.readTask('wf', 'property')).toStrictEqual(structuredClone(value));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('replaces a result, removing the old raw parts', async () => {
    const folder = await makeFolder();
    const storage = new FileStorage(folder);
    await storage.save('wf', 'node', patterned(Float32Array, RAW_PART_MIN_BYTES));
    const [firstPart] = await filesMatching(folder, /\.raw$/);
    await storage.save('wf', 'node', { replaced: patterned(Int32Array, RAW_PART_MIN_BYTES * 2) });
    const parts = await filesMatching(folder, /\.raw$/);
    expect(parts).toHaveLength(1);
    expect(parts).not.toContain(firstPart);
    const read = (await storage.readTask('wf', 'node')) as { replaced: Int32Array };
    expect(read.replaced).toBeInstanceOf(Int32Array);
    expect(bytesOf(read.replaced).equals(bytesOf(patterned(Int32Array, RAW_PART_MIN_BYTES * 2)))).toBe(true);
    await storage.save('wf', 'node', 'small now');
    expect(await storage.readTask('wf', 'node')).toBe('small now');
    expect(await filesMatching(folder, /\.raw$/)).toEqual([]);
  });

  it('tells a missing result from a stored one', async () => {
    const storage = new FileStorage(await makeFolder());
    expect(await storage.fileExists('wf', 'node')).toBe(false);
    const missing = storage.readTask('wf', 'node');
    await expect(missing).rejects.toBeInstanceOf(StoredResultMissingError);
    await expect(missing).rejects.toThrow(
      /^No stored result for node "node" of workflow "wf" \(looked for .+node\.ffr\)$/,
    );
    await expect(missing).rejects.toMatchObject({
      name: 'StoredResultMissingError',
      workflowName: 'wf',
      nodeName: 'node',
    });
    await storage.save('wf', 'node', undefined);
    expect(await storage.fileExists('wf', 'node')).toBe(true);
    expect(await storage.readTask('wf', 'node')).toBeUndefined();
  });

  it('refuses what structured clone cannot copy, naming the node', async () => {
    const folder = await makeFolder();
    const storage = new FileStorage(folder);
    const saving = storage.save('wf', 'fn', { callback: () => 1 });
    await expect(saving).rejects.toBeInstanceOf(UnstorableResultError);
    await expect(saving).rejects.toMatchObject({
      message:
        'Cannot store the result of node "fn" in workflow "wf": result.callback is a function (callback). ' +
        'Storage keeps plain data: what structuredClone() copies as it is (numbers, strings, arrays, plain ' +
        'objects, typed arrays, Map, Set, Date...).',
    });
    expect(await storage.fileExists('wf', 'fn')).toBe(false);
    expect(await filesMatching(folder, /./)).toEqual([]);
  });

  it('refuses a class instance, which would be read back without its methods, saying where it sits', async () => {
    class Model {
      constructor(readonly weight: number) {}
      predict(x: number): number {
        return this.weight * x;
      }
    }
    const folder = await makeFolder();
    const storage = new FileStorage(folder);
    const saving = storage.save('wf', 'fit', { fitted: [1, new Model(3)] });
    await expect(saving).rejects.toBeInstanceOf(UnstorableResultError);
    await expect(saving).rejects.toThrow(
      'Cannot store the result of node "fit" in workflow "wf": result.fitted[1] is an instance of Model, ' +
        'which would be read back as a plain object without its methods. Storage keeps plain data',
    );
    expect(await filesMatching(folder, /./)).toEqual([]);
    // Built-in classes structured cloning carries keep their type, and are stored.
    const dated = { at: new Date(0), tags: new Set(['a']), error: new RangeError('r') };
    await storage.save('wf', 'dated', dated);
    expect(await storage.readTask('wf', 'dated')).toEqual(dated);
  });

  it('checks names and options with messages naming them', async () => {
    const storage = new FileStorage(await makeFolder());
    await expect(storage.save(3 as unknown as string, 'n', 1)).rejects.toThrow(
      new TypeError('Expected `workflowName` to be a string, got 3 (number)'),
    );
    await expect(storage.readTask('wf', null as unknown as string)).rejects.toThrow(
      new TypeError('Expected `nodeName` to be a string, got null'),
    );
    await expect(storage.listTasks('wf', 5 as unknown as string)).rejects.toThrow(
      new TypeError('Expected `glob` to be a string, got 5 (number)'),
    );
    await expect(storage.removeTask('wf', { glob: '*' } as unknown as string)).rejects.toThrow(
      new TypeError('Expected `target` to be a node name or { pattern: string }, got an object'),
    );
  });
});
