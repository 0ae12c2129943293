/**
 * The backends a benchmark can measure, as a table: how to build a row's workflow and what it
 * needs. Adding a backend is one entry here (plus, for an option only it needs, that option in
 * {@link BenchWorkflowOptions} and on the command line).
 */
import { BullMQWorkflow } from '../backends/bullmq-workflow.js';
import { LocalWorkflow } from '../backends/local-workflow.js';
import { ThreadWorkflow } from '../backends/thread-workflow.js';
import type { Leaves } from '../graph/types.js';
import type { BaseWorkflow } from '../workflow/base-workflow.js';
import type { BenchWorkflowOptions, ResolvedBenchOptions } from './bench-options.js';

/** A row's workflow, with the two things a benchmark does with it. */
export interface BenchedWorkflow {
  readonly workflow: BaseWorkflow;
  /** One run, storage off: resolves to the leaves' values as `run()` gives them. */
  run(): Promise<unknown>;
  /** Ends what the workflow started (worker threads); the row is over. */
  close(): Promise<void>;
}

/** What a row's workflow is built from. */
export interface BenchedWorkflowSpec {
  readonly leaves: Leaves;
  readonly workflowName: string;
  /** The row's thread count; undefined for a backend that does not use {@link BenchWorkflowOptions.threads}. */
  readonly threads: number | undefined;
  readonly options: ResolvedBenchOptions;
}

/** One backend of the table. */
export interface BenchBackend {
  /** Whether it is measured once per count of `threads` (a row each), or once. */
  readonly usesThreads: boolean;
  /** Options it cannot run without; refused up front when missing. */
  readonly requires: readonly (keyof BenchWorkflowOptions)[];
  create(spec: BenchedWorkflowSpec): BenchedWorkflow;
}

/**
 * A backend {@link benchWorkflow} can measure (each an entry of the table below).
 *
 * @example
 * const backends: BenchBackendName[] = ['local', 'threads'];
 */
export type BenchBackendName = 'local' | 'threads' | 'bullmq';

/**
 * The table. Its order is the order of the names in messages; a row's order follows the
 * `backends` option instead.
 */
export const benchBackends: Readonly<Record<BenchBackendName, BenchBackend>> = {
  local: {
    usesThreads: false,
    requires: [],
    create({ leaves, workflowName }) {
      const workflow = new LocalWorkflow(leaves, { workflowName });
      return { workflow, run: () => workflow.run(), close: async () => {} };
    },
  },
  threads: {
    usesThreads: true,
    requires: [],
    create({ leaves, workflowName, threads }) {
      const workflow = new ThreadWorkflow(leaves, {
        workflowName,
        ...(threads === undefined ? {} : { threads }),
      });
      return { workflow, run: () => workflow.run(), close: () => workflow.close() };
    },
  },
  bullmq: {
    // Its threads are those of the worker processes on the queue, started apart.
    usesThreads: false,
    requires: ['connection'],
    create({ leaves, workflowName, options }) {
      const workflow = new BullMQWorkflow(leaves, {
        workflowName,
        connection: options.connection as string,
        ...(options.queueName === undefined ? {} : { queueName: options.queueName }),
      });
      return { workflow, run: () => workflow.run(), close: () => workflow.close() };
    },
  },
};

/** The names of the table, in its order. */
export const benchBackendNames = Object.keys(benchBackends) as readonly BenchBackendName[];

/** Whether `name` is a backend of the table. */
export function isBenchBackendName(name: string): name is BenchBackendName {
  return Object.hasOwn(benchBackends, name);
}

/** How a row is named in progress and messages: `local`, `threads ×2`. */
export function rowLabel(backend: BenchBackendName, threads: number | undefined): string {
  return threads === undefined ? backend : `${backend} ×${threads}`;
}
