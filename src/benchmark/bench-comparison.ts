/**
 * Comparing a benchmark with an earlier one of the same pipeline, row by row, so a change
 * that made it slower fails a CI job. A row is slower only beyond both margins of error: the
 * two 95 % confidence intervals of the mean do not overlap.
 */
import type { BenchReport, BenchRow } from './bench-report.js';

/**
 * One row of a benchmark set against the same row (backend and thread count) of an earlier one.
 * `slower` and `faster` mean beyond the margins of error of both; `same` within them; `new`
 * when the earlier benchmark has no such row.
 *
 * @example
 * const slower = compareBenchReports(earlier, report).filter((row) => row.verdict === 'slower');
 */
export interface BenchComparison {
  readonly label: string;
  readonly verdict: 'slower' | 'faster' | 'same' | 'new';
  /** Mean now over mean then, minus 1, in percent (+12.5: an eighth slower); undefined for `new`. */
  readonly changePercent: number | undefined;
}

/**
 * Sets every row of `current` against the row of `earlier` with the same backend and thread
 * count, comparing means with their margins of error (`latency.moe`).
 *
 * @example
 * const earlier = JSON.parse(readFileSync('bench.json', 'utf8')) as BenchReport;
 * const rows = compareBenchReports(earlier, await benchWorkflow(pipeline));
 * if (rows.some((row) => row.verdict === 'slower')) process.exitCode = 1;
 */
export function compareBenchReports(earlier: BenchReport, current: BenchReport): BenchComparison[] {
  return current.rows.map((row) => {
    const before = earlier.rows.find((each) => each.backend === row.backend && each.threads === row.threads);
    if (before === undefined) return { label: row.label, verdict: 'new', changePercent: undefined };
    return {
      label: row.label,
      verdict: verdictOf(before, row),
      changePercent: (row.latency.mean / before.latency.mean - 1) * 100,
    };
  });
}

function verdictOf(before: BenchRow, now: BenchRow): BenchComparison['verdict'] {
  if (now.latency.mean - now.latency.moe > before.latency.mean + before.latency.moe) return 'slower';
  if (now.latency.mean + now.latency.moe < before.latency.mean - before.latency.moe) return 'faster';
  return 'same';
}
