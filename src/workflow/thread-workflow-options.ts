import { availableParallelism } from 'node:os';
import { describeValue } from '../errors.js';
import { refuseUnknownKeys } from '../options/unknown-keys.js';
import type { WorkflowOptions } from './base-workflow.js';

/** Heap and stack limits of a worker thread, in megabytes, as for `new Worker()`. */
export interface WorkerResourceLimits {
  readonly maxOldGenerationSizeMb?: number;
  readonly maxYoungGenerationSizeMb?: number;
  /** At least 1. @default 4 */
  readonly stackSizeMb?: number;
}

/** Options of `ThreadWorkflow`. */
export interface ThreadWorkflowOptions extends WorkflowOptions {
  /**
   * How many worker threads run nodes, at most 1,024. More threads than cores
   * only share the cores (each thread costs memory and start-up time): it warns once per
   * process (`FUNCTIONFUSE_THREADS_ABOVE_CORES`).
   * @default os.availableParallelism()
   */
  readonly threads?: number;
  /**
   * Most nodes sent to a worker in one message. Only nodes measured as quick are batched
   * (with their quick descendants that become ready in the batch), up to 2 ms of expected work.
   * @default 1024
   */
  readonly maxBatchSize?: number;
  /**
   * Heap and stack limits of each worker thread, in megabytes, as for `new Worker()`.
   * `stackSizeMb` is at least 1: a worker with much less cannot even start, and that takes the
   * whole process down (Node exits with code 6).
   */
  readonly resourceLimits?: WorkerResourceLimits;
}

/** {@link ThreadWorkflowOptions} checked, with the defaults filled in. */
export interface ResolvedThreadWorkflowOptions {
  readonly threads: number;
  readonly maxBatchSize: number;
  readonly resourceLimits: WorkerResourceLimits | undefined;
}

/**
 * The most threads a ThreadWorkflow may have. Each worker thread costs about 9 MB and its
 * start-up (256 threads took 2.3 GB and 12 s to run one node): a thousand is past any machine
 * this runs on, so a larger count is a mistake (`1e6`), refused before anything starts.
 */
export const maxThreads = 1024;

/** The smallest stack a worker thread starts with reliably (0.2 MB aborts the process). */
const minStackSizeMb = 1;

const backendOptionNames = ['threads', 'maxBatchSize', 'resourceLimits'];
/**
 * Measured on 2 cores, with batches packed as threads/batch-wire.ts packs them: a chain of
 * 1,000 trivial nodes took 5.0–5.7 µs a hop in batches of 1,024 and 5.7–6.3 in batches of 256
 * (a round trip per batch); 4,000 independent ones 2.8–3.8 µs a node against 3.1–6.0. Before
 * the batches were packed, larger ones cost more to clone than their round trips saved.
 */
const defaultMaxBatchSize = 1024;
const resourceLimitNames = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'stackSizeMb'];
let warnedAboveCores = false;

/** The option names ThreadWorkflow adds to {@link WorkflowOptions}. */
export const threadWorkflowOptionNames: readonly string[] = backendOptionNames;

/**
 * Checks ThreadWorkflow's own options once, naming the option and the value on a mistake, and
 * warns (once per process) when `threads` exceeds the machine's cores.
 *
 * @example
 * resolveThreadWorkflowOptions({ workflowName: 'x', threads: 0 });
 * // TypeError: Expected `threads` to be an integer from 1 to 1024, got 0 (number)
 */
export function resolveThreadWorkflowOptions(options: ThreadWorkflowOptions): ResolvedThreadWorkflowOptions {
  const cores = availableParallelism();
  const threads = validateCount(options.threads, 'threads', cores, maxThreads);
  if (threads > cores && !warnedAboveCores) {
    warnedAboveCores = true;
    process.emitWarning(
      `ThreadWorkflow was given \`threads: ${threads}\`, more than the ${cores} cores of this machine ` +
        '(os.availableParallelism()). Threads beyond the cores only share them, and each costs memory and ' +
        `start-up time: for CPU-bound nodes, use at most ${cores}.`,
      { type: 'FunctionFuseWarning', code: 'FUNCTIONFUSE_THREADS_ABOVE_CORES' },
    );
  }
  return {
    threads,
    maxBatchSize: validateCount(
      options.maxBatchSize,
      'maxBatchSize',
      defaultMaxBatchSize,
      Number.MAX_SAFE_INTEGER,
    ),
    resourceLimits: validateResourceLimits(options.resourceLimits),
  };
}

export function validateCount(value: unknown, option: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? 'from 1 and up' : `from 1 to ${max}`;
    throw new TypeError(`Expected \`${option}\` to be an integer ${range}, got ${describeValue(value)}`);
  }
  return value as number;
}

function validateResourceLimits(limits: unknown): WorkerResourceLimits | undefined {
  if (limits === undefined) return undefined;
  if (limits === null || typeof limits !== 'object' || Array.isArray(limits)) {
    throw new TypeError(`Expected \`resourceLimits\` to be an object, got ${describeValue(limits)}`);
  }
  refuseUnknownKeys(limits, resourceLimitNames, 'resourceLimits key', 'known keys');
  const given = limits as Record<string, unknown>;
  for (const name of resourceLimitNames) {
    const value = given[name];
    if (value === undefined) continue;
    const min = name === 'stackSizeMb' ? minStackSizeMb : 0;
    const valid =
      typeof value === 'number' && Number.isFinite(value) && (min === 0 ? value > 0 : value >= min);
    if (!valid) {
      const range = min === 0 ? 'above 0' : `from ${min} and up (a smaller stack cannot start a worker)`;
      throw new TypeError(
        `Expected \`resourceLimits.${name}\` to be a number of megabytes ${range}, got ${describeValue(value)}`,
      );
    }
  }
  return { ...given } as WorkerResourceLimits;
}
