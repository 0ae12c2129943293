import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFunctionfuse } from './fixtures/cli-process.js';

const folder = mkdtempSync(join(tmpdir(), 'functionfuse-trace-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  args?: Record<string, unknown>;
}

async function traceOf(pipeline: string, backend: string[], file: string) {
  const outcome = await runFunctionfuse(['run', pipeline, ...backend, '--no-progress', '--trace', file]);
  const trace = JSON.parse(readFileSync(file, 'utf8')) as {
    traceEvents: TraceEvent[];
    displayTimeUnit: string;
  };
  // Node slices; a worker's start-up has slices of its own (category `startup`).
  const slices = trace.traceEvents.filter((event) => event.ph === 'X' && event.cat !== 'startup');
  const startupSlices = trace.traceEvents.filter((event) => event.ph === 'X' && event.cat === 'startup');
  const threadNames = new Map(
    trace.traceEvents
      .filter((event) => event.ph === 'M' && event.name === 'thread_name')
      .map((event) => [event.tid, event.args?.['name']]),
  );
  return { outcome, trace, slices, startupSlices, threadNames };
}

describe('--trace (Chrome Trace Event format)', () => {
  it.each([
    ['local', ['--backend', 'local']],
    ['threads', ['--threads', '2']],
  ])('has one complete event per node, on named thread tracks (%s)', async (backend, args) => {
    const { outcome, trace, slices, startupSlices, threadNames } = await traceOf(
      'test/fixtures/cli-pipeline.ts',
      args,
      join(folder, `${backend}.json`),
    );
    expect(outcome.code).toBe(0);
    expect(trace.displayTimeUnit).toBe('ms');
    expect(slices.map((slice) => slice.name).sort()).toEqual(['first', 'ramp', 'second', 'summary']);
    expect(threadNames.get(0)).toBe('main thread');
    for (const slice of slices) {
      expect(slice.cat).toBe('ran');
      expect(slice.ts).toBeGreaterThanOrEqual(0);
      expect(slice.dur).toBeGreaterThanOrEqual(0);
      expect(slice.args).toEqual({
        outcome: 'ran',
        cached: false,
        waitMs: expect.any(Number),
        bytesMoved: expect.any(Number),
      });
      // Every slice sits on a track that has a name.
      expect(threadNames.get(slice.tid)).toBe(slice.tid === 0 ? 'main thread' : `worker thread ${slice.tid}`);
    }
    if (backend === 'local') {
      expect(new Set(slices.map((slice) => slice.tid))).toEqual(new Set([0]));
    } else {
      // Nodes ran in workers, never in the main thread.
      expect(slices.every((slice) => slice.tid !== 0)).toBe(true);
      // Each worker that ran a node started, then imported the pipeline's module, on its own track.
      const workerTracks = new Set(slices.map((slice) => slice.tid));
      expect(new Set(startupSlices.map((slice) => slice.tid))).toEqual(workerTracks);
      expect(new Set(startupSlices.map((slice) => slice.name))).toEqual(
        new Set(['start-up: thread start', 'start-up: import cli-pipeline.ts']),
      );
    }
  });

  it('is written for a failed run too, with the failed node marked', async () => {
    const { outcome, slices } = await traceOf(
      'test/fixtures/cli-failing.ts',
      ['--backend', 'local'],
      join(folder, 'failed.json'),
    );
    expect(outcome.code).toBe(1);
    expect(slices.map((slice) => [slice.name, slice.cat, slice.tid])).toEqual([
      ['start', 'ran', 0],
      ['explode', 'failed', 0],
    ]);
    expect(slices[1]?.args?.['error']).toBe(
      'Node "explode" failed: RangeError: cannot use 1\nsecond line of the message',
    );
  });
});
