/**
 * benchWorkflow from code: one row per backend and thread count, tinybench's statistics, the
 * speedup against LocalWorkflow, per-node timings, results checked identical, and its options
 * refused with messages naming the option and the value.
 */
import { type BenchStatistics, benchWorkflow, FileStorage, ResultsDifferError } from 'functionfuse';
import type { Statistics } from 'tinybench';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { draw, series, square, summary } from './fixtures/bench-tasks.js';

function graph() {
  const four = square(2).setName('four');
  const values = series(8, 0.5).setName('series');
  return [four, summary(values, four).setName('summary'), values] as const;
}

const quick = { timeMs: 0, iterations: 3 };

describe('benchWorkflow', () => {
  it('measures a row per backend and thread count, each with its cold run apart and tinybench statistics', async () => {
    const progress: string[] = [];
    const report = await benchWorkflow(
      { leaves: graph(), workflowName: 'bench-demo' },
      { ...quick, threads: [1, 2], onProgress: (step) => progress.push(`${step.type} ${step.label}`) },
    );
    expect(report.pipeline).toBe('bench-demo');
    expect(report.interrupted).toBe(false);
    expect(report.machine).toEqual({
      cpu: expect.any(String),
      cores: expect.any(Number),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
    });
    expect(report.rows.map((row) => [row.backend, row.threads, row.label, row.state])).toEqual([
      ['local', undefined, 'local', 'completed'],
      ['threads', 1, 'threads ×1', 'completed'],
      ['threads', 2, 'threads ×2', 'completed'],
    ]);
    for (const row of report.rows) {
      expect(row.coldMs).toBeGreaterThan(0);
      expect(row.latency.samplesCount).toBeGreaterThanOrEqual(3);
      expect(row.latency.p50).toBeGreaterThan(0);
      expect(row.latency.min).toBeLessThanOrEqual(row.latency.p50);
      expect(row.speedup).toBeCloseTo((report.rows[0]?.latency.p50 ?? 0) / row.latency.p50, 10);
      expect(row.nodes).toBeUndefined();
      // Only the statistics, not the samples.
      expect(Object.keys(row.latency)).not.toContain('samples');
    }
    expect(report.rows[0]?.speedup).toBe(1);
    expect(progress.filter((line) => !line.startsWith('warm-run'))).toEqual([
      'row-started local',
      'cold-run local',
      'row-finished local',
      'row-started threads ×1',
      'cold-run threads ×1',
      'row-finished threads ×1',
      'row-started threads ×2',
      'cold-run threads ×2',
      'row-finished threads ×2',
    ]);
  });

  it('gives no speedup without a local row, and times every node over the warm runs with nodes: true', async () => {
    const report = await benchWorkflow(graph(), {
      ...quick,
      backends: ['threads'],
      threads: [1],
      nodes: true,
    });
    expect(report.pipeline).toBe('benchmark');
    const [row] = report.rows;
    expect(row?.speedup).toBeUndefined();
    expect(row?.nodes?.map((node) => node.name).sort()).toEqual(['four', 'series', 'summary']);
    for (const node of row?.nodes ?? []) expect(node.runs).toBe(row?.latency.samplesCount);
    const medians = row?.nodes?.map((node) => node.medianMs) ?? [];
    expect(medians).toEqual([...medians].sort((a, b) => b - a));
  });

  it('refuses a pipeline whose results change between runs, naming the runs, the leaf and where', async () => {
    const leaves = [square(3).setName('nine'), draw(4).setName('noise')];
    const error = await benchWorkflow(
      { leaves, workflowName: 'noisy' },
      { ...quick, backends: ['local'] },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ResultsDifferError);
    expect((error as ResultsDifferError).leaf).toBe('noise');
    expect((error as ResultsDifferError).path).toBe('[0]');
    expect((error as Error).message).toMatch(
      /^Benchmark of "noisy": local \(warm run 3\) gave another result than local \(cold first run\) for leaf "noise" at \[0\]: 0\.\d+ instead of 0\.\d+\. A benchmark of a wrong result is worthless: make the pipeline deterministic \(seed its random draws with --seed or RandomStatePlugin\) and run again\.$/,
    );
  });

  it('gives identical random draws on every backend with a seed', async () => {
    const report = await benchWorkflow([draw(4).setName('noise')], { ...quick, seed: 7, threads: [2] });
    expect(report.seed).toBe(7);
    expect(report.rows.map((row) => row.label)).toEqual(['local', 'threads ×2']);
  });

  it('stops after the run under way when its signal fires, and reports what was measured', async () => {
    const stop = new AbortController();
    const report = await benchWorkflow(graph(), {
      timeMs: 60_000,
      iterations: 1_000_000,
      signal: stop.signal,
      onProgress: (step) => {
        if (step.type === 'warm-run' && step.runs === 2) stop.abort();
      },
    });
    expect(report.interrupted).toBe(true);
    expect(report.rows.map((row) => [row.label, row.state, row.latency.samplesCount])).toEqual([
      ['local', 'interrupted', 2],
    ]);
  });

  it('refuses a setup that sets a storage: stored results would be read instead of computed', async () => {
    const setup = (workflow: { setStorage(storage: FileStorage): unknown }) => {
      workflow.setStorage(new FileStorage('never-created'));
    };
    await expect(
      benchWorkflow({ leaves: graph(), workflowName: 'stored', setup }, { ...quick, backends: ['local'] }),
    ).rejects.toThrow(
      new TypeError(
        'Expected the setup of pipeline "stored" to set no storage: a benchmark runs with storage off, since stored ' +
          'results would be read instead of computed. Set the storage where the pipeline is run instead.',
      ),
    );
  });

  it.each([
    [{ threads: [0] }, 'Expected `threads` to hold integers from 1 to 1024, got 0 (number) at index 0'],
    [{ threads: [2, 2] }, 'Expected `threads` to list each count once, got 2 twice'],
    [
      { threads: [] },
      'Expected `threads` to be a non-empty array of thread counts, got an array of length 0',
    ],
    [
      { backends: ['cluster'] },
      'Expected `backends` to hold backend names (local, threads, bullmq), got "cluster" (string) at index 0',
    ],
    [{ backends: ['bullmq'] }, 'Expected `connection` to be set: the bullmq backend needs it'],
    [
      { backends: ['local'], threads: [2] },
      'Expected `threads` only with a backend that uses threads (threads), got backends local',
    ],
    [{ timeMs: -1 }, 'Expected `timeMs` to be a number of milliseconds from 0 up, got -1 (number)'],
    [{ iterations: 0.5 }, 'Expected `iterations` to be an integer from 1 and up, got 0.5 (number)'],
    [{ seed: -1 }, 'Expected `seed` to be an integer from 0 to 4294967295, got -1 (number)'],
    [
      { thread: [1] },
      'Unknown benchWorkflow option `thread` (did you mean `threads`?); known options: backends, threads, timeMs, iterations, seed, nodes, signal, onProgress, connection, queueName',
    ],
  ])('refuses %o before running anything', async (options, message) => {
    let ran = false;
    const setup = () => {
      ran = true;
    };
    await expect(
      benchWorkflow({ leaves: graph(), setup }, options as Parameters<typeof benchWorkflow>[1]),
    ).rejects.toThrow(new TypeError(message));
    expect(ran).toBe(false);
  });

  it('copies every statistic tinybench computes except the samples', () => {
    expectTypeOf<BenchStatistics>().toEqualTypeOf<Readonly<Omit<Statistics, 'samples'>>>();
  });
});
