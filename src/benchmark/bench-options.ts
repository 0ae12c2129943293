/**
 * The options of {@link benchWorkflow}: documented once, checked once, defaults filled in.
 */
import { availableParallelism } from 'node:os';
import { describeValue } from '../errors.js';
import { refuseUnknownKeys } from '../options/unknown-keys.js';
import { maxThreads } from '../workflow/thread-workflow-options.js';
import {
  type BenchBackendName,
  benchBackendNames,
  benchBackends,
  isBenchBackendName,
} from './bench-backends.js';
import type { BenchProgress } from './bench-progress.js';

/**
 * Options of {@link benchWorkflow}.
 *
 * @example
 * await benchWorkflow(pipeline, { backends: ['local', 'threads'], threads: [1, 2, 4], timeMs: 10_000 });
 */
export interface BenchWorkflowOptions {
  /**
   * The backends to measure, in this order; each gives one row, or one per thread count.
   * @default ['local', 'threads']
   */
  readonly backends?: readonly BenchBackendName[];
  /**
   * The thread counts of the backends that use threads, a row each, in this order.
   * @default 1, 2, 4, … below the machine's cores, then the cores (`[1, 2]` on 2 cores)
   */
  readonly threads?: readonly number[];
  /**
   * How long each row is measured, in milliseconds of warm runs (tinybench's `time`).
   * @default 5000
   */
  readonly timeMs?: number;
  /**
   * The fewest warm runs of each row, however long they take (tinybench's `iterations`).
   * @default 5
   */
  readonly iterations?: number;
  /**
   * Seeds every node with one `RandomStatePlugin({ seed })`, set before the pipeline's own
   * `setup`, so random pipelines give the same results on every backend (as `run --seed`).
   */
  readonly seed?: number;
  /**
   * Also times each node over the warm runs (from `node-finished` events): see `BenchRow.nodes`.
   * @default false
   */
  readonly nodes?: boolean;
  /**
   * Stops the benchmark: the run under way finishes (its time counts), nothing starts after
   * it, and the report holds what was measured, with `interrupted: true`.
   */
  readonly signal?: AbortSignal;
  /** Called as the benchmark goes, for progress lines (see {@link BenchProgress}). */
  readonly onProgress?: (progress: BenchProgress) => void;
  /** The Redis server of the `bullmq` backend (`redis://host:port`), whose workers run the nodes. */
  readonly connection?: string;
  /**
   * The queue of the `bullmq` backend's workers.
   * @default 'functionfuse'
   */
  readonly queueName?: string;
}

/** {@link BenchWorkflowOptions} checked, with the defaults filled in. */
export interface ResolvedBenchOptions {
  readonly backends: readonly BenchBackendName[];
  readonly threads: readonly number[];
  readonly timeMs: number;
  readonly iterations: number;
  readonly seed: number | undefined;
  readonly nodes: boolean;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: (progress: BenchProgress) => void;
  readonly connection: string | undefined;
  readonly queueName: string | undefined;
}

const optionNames = [
  'backends',
  'threads',
  'timeMs',
  'iterations',
  'seed',
  'nodes',
  'signal',
  'onProgress',
  'connection',
  'queueName',
];
const defaultBackends: readonly BenchBackendName[] = ['local', 'threads'];
const maxSeed = 2 ** 32 - 1;

/**
 * The thread counts measured when none are given: powers of two below the cores, then the
 * cores, so the curve shows where adding threads stops paying.
 *
 * @example
 * defaultThreadCounts(6); // [1, 2, 4, 6]
 */
export function defaultThreadCounts(cores = availableParallelism()): number[] {
  const counts: number[] = [];
  for (let count = 1; count < cores; count *= 2) counts.push(count);
  counts.push(cores);
  return counts;
}

/**
 * Checks the options once, naming the option and the value on a mistake.
 *
 * @example
 * resolveBenchOptions({ threads: [0] });
 * // TypeError: Expected `threads` to hold integers from 1 to 1024, got 0 (number) at index 0
 */
export function resolveBenchOptions(options: BenchWorkflowOptions = {}): ResolvedBenchOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`Expected benchWorkflow options to be an object, got ${describeValue(options)}`);
  }
  refuseUnknownKeys(options, optionNames, 'benchWorkflow option');
  const backends = resolveBackends(options.backends);
  const usesThreads = backends.some((name) => benchBackends[name].usesThreads);
  if (options.threads !== undefined && !usesThreads) {
    const threaded = benchBackendNames.filter((name) => benchBackends[name].usesThreads).join(', ');
    throw new TypeError(
      `Expected \`threads\` only with a backend that uses threads (${threaded}), got backends ${backends.join(', ')}`,
    );
  }
  const { timeMs = 5000, iterations = 5, seed, nodes = false, signal, onProgress = () => {} } = options;
  if (typeof timeMs !== 'number' || !Number.isFinite(timeMs) || timeMs < 0) {
    throw new TypeError(
      `Expected \`timeMs\` to be a number of milliseconds from 0 up, got ${describeValue(timeMs)}`,
    );
  }
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new TypeError(
      `Expected \`iterations\` to be an integer from 1 and up, got ${describeValue(iterations)}`,
    );
  }
  if (seed !== undefined && (!Number.isSafeInteger(seed) || seed < 0 || seed > maxSeed)) {
    throw new TypeError(
      `Expected \`seed\` to be an integer from 0 to ${maxSeed}, got ${describeValue(seed)}`,
    );
  }
  if (typeof nodes !== 'boolean') {
    throw new TypeError(`Expected \`nodes\` to be a boolean, got ${describeValue(nodes)}`);
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`Expected \`signal\` to be an AbortSignal, got ${describeValue(signal)}`);
  }
  if (typeof onProgress !== 'function') {
    throw new TypeError(`Expected \`onProgress\` to be a function, got ${describeValue(onProgress)}`);
  }
  const resolved: ResolvedBenchOptions = {
    backends,
    threads: resolveThreads(options.threads),
    timeMs,
    iterations,
    seed,
    nodes,
    signal,
    onProgress,
    connection: resolveText(options.connection, 'connection'),
    queueName: resolveText(options.queueName, 'queueName'),
  };
  for (const name of backends) {
    const missing = benchBackends[name].requires.find((option) => options[option] === undefined);
    if (missing !== undefined) {
      throw new TypeError(`Expected \`${missing}\` to be set: the ${name} backend needs it`);
    }
  }
  return resolved;
}

function resolveBackends(backends: unknown): readonly BenchBackendName[] {
  if (backends === undefined) return defaultBackends;
  const known = benchBackendNames.join(', ');
  if (!Array.isArray(backends) || backends.length === 0) {
    throw new TypeError(
      `Expected \`backends\` to be a non-empty array of ${known}, got ${describeValue(backends)}`,
    );
  }
  backends.forEach((name: unknown, index) => {
    if (typeof name !== 'string' || !isBenchBackendName(name)) {
      throw new TypeError(
        `Expected \`backends\` to hold backend names (${known}), got ${describeValue(name)} at index ${index}`,
      );
    }
    if (backends.indexOf(name) !== index) {
      throw new TypeError(`Expected \`backends\` to name each backend once, got "${name}" twice`);
    }
  });
  return [...backends] as BenchBackendName[];
}

function resolveThreads(threads: unknown): readonly number[] {
  if (threads === undefined) return defaultThreadCounts();
  if (!Array.isArray(threads) || threads.length === 0) {
    throw new TypeError(
      `Expected \`threads\` to be a non-empty array of thread counts, got ${describeValue(threads)}`,
    );
  }
  threads.forEach((count: unknown, index) => {
    if (!Number.isSafeInteger(count) || (count as number) < 1 || (count as number) > maxThreads) {
      throw new TypeError(
        `Expected \`threads\` to hold integers from 1 to ${maxThreads}, got ${describeValue(count)} at index ${index}`,
      );
    }
    if (threads.indexOf(count) !== index) {
      throw new TypeError(`Expected \`threads\` to list each count once, got ${String(count)} twice`);
    }
  });
  return [...threads] as number[];
}

function resolveText(value: unknown, option: string): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
    throw new TypeError(`Expected \`${option}\` to be a non-empty string, got ${describeValue(value)}`);
  }
  return value;
}
