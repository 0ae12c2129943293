/**
 * Shared by the benchmarks: run a tinybench suite, read medians, print a table of figures
 * with ratios against the baseline measured in the same run, and write JSON beside it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Bench } from 'tinybench';
import { spinFor } from './fixtures/bench-tasks.mjs';

/** The machine a figure was measured on, printed with every table. */
export function machine(): Record<string, string | number> {
  return {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  };
}

/** Median latency of a tinybench task in milliseconds. */
export function medianMs(bench: Bench, taskName: string): number {
  const task = bench.getTask(taskName);
  const result = task?.result as { latency?: { p50: number } } | undefined;
  if (result?.latency === undefined) throw new Error(`Benchmark task "${taskName}" has no result`);
  return result.latency.p50;
}

/** One row of a figures table. */
export type FigureRow = Record<string, string | number>;

/** Prints the rows and writes `{ machine, rows }` to bench/results/<name>.json. */
export function report(name: string, rows: readonly FigureRow[]): void {
  console.log(`\n${name} on ${JSON.stringify(machine())}`);
  console.table(rows);
  const folder = join(import.meta.dirname, 'results');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, `${name}.json`), `${JSON.stringify({ machine: machine(), rows }, null, 2)}\n`);
}

/** Rounds for display: 3 significant digits. */
export function round(value: number): number {
  return Number(value.toPrecision(3));
}

/** Runs the garbage collector when node was started with --expose-gc (for heap figures). */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Iterations of spin() that take about `targetMs` in this thread. */
export function calibrateSpin(targetMs: number): number {
  let iterations = 1_000_000;
  for (;;) {
    const started = performance.now();
    spinFor(iterations);
    const elapsed = performance.now() - started;
    if (elapsed > 20) return Math.round((iterations * targetMs) / elapsed);
    iterations *= 4;
  }
}
