/** The complete form of results (files, pipes, --out) reads back into the same values. */
import { describe, expect, it } from 'vitest';
import { formatCompleteResultJson, parseResultJson } from '../src/cli/complete-json.js';
import { formatResultJson } from '../src/cli/result-json.js';

describe('results in full', () => {
  it('round-trips typed arrays, buffers, Maps, Sets, Dates, BigInts and non-finite numbers', () => {
    const buffer = Uint8Array.from([0, 1, 254, 255]).buffer;
    const value = {
      samples: Float64Array.from([0.1, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e-300]),
      singles: Float32Array.from([0.1, 3.5]),
      counts: Uint8ClampedArray.from([0, 255]),
      big: BigInt64Array.from([-(2n ** 63n), 42n]),
      buffer,
      shared: new SharedArrayBuffer(3),
      view: new DataView(Uint8Array.from([9, 8, 7]).buffer, 1, 2),
      lookup: new Map<unknown, unknown>([
        ['a', 1],
        [2, new Set(['x'])],
      ]),
      when: new Date('2024-05-01T12:00:00.000Z'),
      numbers: [Number.NaN, Number.NEGATIVE_INFINITY, -0, 12n, 3, undefined],
      missing: undefined,
      nested: { $type: 'not ours', values: [1, 2] },
      text: 'NaN',
      nothing: null,
    };
    const text = formatCompleteResultJson(value);
    const read = parseResultJson(text) as typeof value;
    expect(read).toEqual(value);
    expect(read.samples).toBeInstanceOf(Float64Array);
    expect(Object.is(read.samples[1], -0)).toBe(true);
    expect(Object.is(read.numbers[2], -0)).toBe(true);
    expect(read.big).toBeInstanceOf(BigInt64Array);
    expect(read.shared).toBeInstanceOf(SharedArrayBuffer);
    expect([...new Uint8Array(read.view.buffer, read.view.byteOffset, read.view.byteLength)]).toEqual([8, 7]);
    expect(read.text).toBe('NaN');
    expect(Object.hasOwn(read, 'missing')).toBe(true);
    expect(read.numbers).toHaveLength(6);
  });

  it('spells each tagged value as documented', () => {
    expect(
      formatCompleteResultJson([
        Float64Array.from([1, Number.NaN]),
        Uint8Array.from([0, 1]).buffer,
        new Map([['k', 1]]),
        new Set([1]),
        Number.POSITIVE_INFINITY,
        5n,
        undefined,
        new RangeError('bad'),
        { $type: 'x' },
      ]),
    ).toBe(`[
  { "$type": "Float64Array", "values": [1, "NaN"] },
  { "$type": "ArrayBuffer", "base64": "AAE=" },
  { "$type": "Map", "entries": [["k", 1]] },
  { "$type": "Set", "values": [1] },
  { "$type": "number", "value": "Infinity" },
  { "$type": "bigint", "value": "5" },
  { "$type": "undefined" },
  { "$type": "Error", "name": "RangeError", "message": "bad" },
  { "$type": "Object", "entries": [["$type", "x"]] }
]`);
  });

  it('keeps every value of a large typed array, on one line, where a terminal gets a summary', () => {
    const samples = Float64Array.from({ length: 200_000 }, (_, index) => index * 0.5);
    const text = formatCompleteResultJson({ samples });
    const lines = text.split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[3]?.startsWith('    "values": [0, 0.5, 1, 1.5, ')).toBe(true);
    expect(parseResultJson(text)).toEqual({ samples });
    expect(formatResultJson({ samples })).toBe(
      '{\n  "samples": { "type": "Float64Array", "length": 200000, "first": [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5] }\n}',
    );
  });
});
