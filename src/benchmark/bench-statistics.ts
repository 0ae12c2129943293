/**
 * The statistics of one benchmark row, copied out of tinybench's result into a type of our
 * own: the published API and the `--json` file do not change shape when tinybench does, and
 * the samples themselves (tinybench keeps them only on request) are left out.
 */
import type { Statistics } from 'tinybench';

/**
 * tinybench's statistics of a set of samples (latencies in milliseconds, or throughputs in runs
 * per second), without the samples. `moe` is the half-width of the 95 % confidence interval of
 * the mean, `rme` the same in percent of the mean.
 *
 * @example
 * const { p50, p99, rme, samplesCount } = row.latency;
 */
export interface BenchStatistics {
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  /** The median. */
  readonly p50: number;
  readonly p75: number;
  readonly p99: number;
  readonly p995: number;
  readonly p999: number;
  readonly variance: number;
  /** Standard deviation of the samples. */
  readonly sd: number;
  /** Standard error of the mean. */
  readonly sem: number;
  /** Margin of error: half-width of the 95 % confidence interval of the mean (`sem × critical`). */
  readonly moe: number;
  /** Relative margin of error, in percent of the mean (Infinity for a mean of 0). */
  readonly rme: number;
  /** Mean absolute deviation from the mean. */
  readonly aad: number;
  /** Median absolute deviation. */
  readonly mad: number;
  /** Degrees of freedom: samples − 1. */
  readonly df: number;
  /** Student's t critical value for `df` at 95 %. */
  readonly critical: number;
  readonly samplesCount: number;
}

/** The fields copied, listed once so a field tinybench adds or drops shows up in tests. */
const statisticNames = [
  'mean',
  'min',
  'max',
  'p50',
  'p75',
  'p99',
  'p995',
  'p999',
  'variance',
  'sd',
  'sem',
  'moe',
  'rme',
  'aad',
  'mad',
  'df',
  'critical',
  'samplesCount',
] as const satisfies readonly (keyof BenchStatistics & keyof Statistics)[];

/**
 * A plain copy of tinybench's statistics, without the samples.
 *
 * @example
 * const latency = copyStatistics(task.result.latency);
 */
export function copyStatistics(statistics: Statistics): BenchStatistics {
  const copy: Record<string, number> = {};
  for (const name of statisticNames) copy[name] = statistics[name];
  return copy as unknown as BenchStatistics;
}
