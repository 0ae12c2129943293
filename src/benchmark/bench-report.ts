/**
 * What a benchmark resolves to: plain data, the same in code (benchWorkflow) and in the file
 * `functionfuse bench --json` writes.
 */
import { arch, availableParallelism, cpus, platform } from 'node:os';
import type { BenchBackendName } from './bench-backends.js';
import type { BenchStatistics } from './bench-statistics.js';
import type { NodeTiming } from './node-durations.js';

/**
 * One backend and thread count, measured. Times are milliseconds.
 *
 * @example
 * const { label, latency, speedup } = report.rows[1]; // 'threads ×2', { p50: 212, ... }, 1.9
 */
export interface BenchRow {
  readonly backend: BenchBackendName;
  /** Worker threads; undefined for a backend without threads (local: the main thread). */
  readonly threads: number | undefined;
  /** `local`, `threads ×2`. */
  readonly label: string;
  /** The first run, cold (thread start-up, module imports, JIT): not in the statistics. */
  readonly coldMs: number;
  /** `interrupted` when the signal stopped this row before its time was up. */
  readonly state: 'completed' | 'interrupted';
  /** tinybench's statistics of the warm runs' durations, in ms. */
  readonly latency: BenchStatistics;
  /** The same runs as runs per second. */
  readonly throughput: BenchStatistics;
  /** The local row's median over this row's median; undefined without a local row. */
  readonly speedup: number | undefined;
  /** With `nodes: true`: every node's median duration over the warm runs, slowest first. */
  readonly nodes: readonly NodeTiming[] | undefined;
}

/**
 * The machine a benchmark ran on, so a comparison across machines can be spotted.
 *
 * @example
 * const { cpu, cores, node } = report.machine; // 'AMD EPYC 7B13', 2, 'v20.20.2'
 */
export interface BenchMachine {
  readonly cpu: string;
  /** `os.availableParallelism()`. */
  readonly cores: number;
  readonly node: string;
  /** `linux x64`. */
  readonly platform: string;
}

/**
 * What {@link benchWorkflow} resolves to; plain data, written as is by `functionfuse bench --json`.
 *
 * @example
 * const report = await benchWorkflow(pipeline);
 * for (const row of report.rows) console.log(row.label, row.latency.p50, row.speedup);
 */
export interface BenchReport {
  /** The workflow's name. */
  readonly pipeline: string;
  readonly machine: BenchMachine;
  /** When the benchmark started, ISO 8601. */
  readonly date: string;
  readonly timeMs: number;
  readonly iterations: number;
  readonly seed: number | undefined;
  /** In the order measured: backends as given, each backend's thread counts as given. */
  readonly rows: readonly BenchRow[];
  /** The signal stopped the benchmark: rows not reached, or without a warm run, are missing. */
  readonly interrupted: boolean;
}

/** This machine, as a report names it. */
export function machine(): BenchMachine {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    node: process.version,
    platform: `${platform()} ${arch()}`,
  };
}
