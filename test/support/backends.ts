import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BaseWorkflow,
  BullMQWorkflow,
  type Leaves,
  LocalWorkflow,
  type RunOptions,
  type RunResult,
  ThreadWorkflow,
} from 'functionfuse';
import { afterEach } from 'vitest';

/** A backend the behavioural suite runs against. */
export interface BackendUnderTest {
  readonly name: string;
  create<const L extends Leaves>(
    leaves: L,
    workflowName: string,
  ): Omit<BaseWorkflow<L>, 'run'> & { run(options?: RunOptions): Promise<RunResult<L>> };
  /** Whether actors and plugins run on this backend yet. */
  readonly supportsActors: boolean;
  readonly supportsPlugins: boolean;
  /** Whether a synchronous node can be stopped at its timeout (not in the main thread). */
  readonly stopsSynchronousCode: boolean;
  /**
   * Whether nodes run in worker threads, where an exception that code a node left behind throws
   * ends that thread only (in the main thread, Node ends the user's process).
   */
  readonly runsNodesInWorkers: boolean;
  /** Ends whatever the backend keeps between runs (thread pools). */
  close(): Promise<void>;
}

export const localBackend: BackendUnderTest = {
  name: 'LocalWorkflow',
  create: (leaves, workflowName) => new LocalWorkflow(leaves, { workflowName }),
  supportsActors: true,
  supportsPlugins: true,
  stopsSynchronousCode: false,
  runsNodesInWorkers: false,
  close: async () => {},
};

/** A temporary file that tasks append labels to, to see what ran, from any thread. */
export class ExecutionLog {
  readonly #folder = mkdtempSync(join(tmpdir(), 'functionfuse-log-'));
  readonly path = join(this.#folder, 'executions.log');

  /** Labels appended so far, in order. */
  entries(): string[] {
    try {
      return readFileSync(this.path, 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  }

  remove(): void {
    rmSync(this.#folder, { recursive: true, force: true });
  }
}

/** A temporary file that flaky tasks count their attempts in, from any thread. */
export function counterFile(): { path: string; remove: () => void } {
  const folder = mkdtempSync(join(tmpdir(), 'functionfuse-counter-'));
  return { path: join(folder, 'count'), remove: () => rmSync(folder, { recursive: true, force: true }) };
}

/** ThreadWorkflow on two threads; one pool per workflow, closed by the suite's afterAll. */
export function threadBackend(threads: number): BackendUnderTest {
  const open = new Set<ThreadWorkflow>();
  return {
    name: `ThreadWorkflow (${threads} threads)`,
    create: (leaves, workflowName) => {
      const workflow = new ThreadWorkflow(leaves, { workflowName, threads });
      open.add(workflow as ThreadWorkflow);
      return workflow;
    },
    supportsActors: true,
    supportsPlugins: true,
    stopsSynchronousCode: true,
    runsNodesInWorkers: true,
    close: async () => {
      await Promise.all([...open].map((workflow) => workflow.close()));
      open.clear();
    },
  };
}

/**
 * Every backend the cross-backend suites run on, fresh (each with its own pools). A suite that
 * runs its workflows in child processes finds a backend there by its `name`.
 */
export function backendsUnderTest(options: { cluster?: () => ClusterUnderTest } = {}): BackendUnderTest[] {
  const { cluster } = options;
  return [localBackend, threadBackend(2), ...(cluster === undefined ? [] : [bullmqBackend(cluster)])];
}

/** Where a test's cluster is: its Redis server, its workers' queue, and their root. */
export interface ClusterUnderTest {
  readonly url: string;
  readonly queue: string;
  /** The root the workers were started with (default: the repository). */
  readonly root?: string;
}

/** Runs `body` with `workflow`, then closes the workflow's threads whatever happened. */
export async function withWorkflow<W extends ThreadWorkflow, T>(
  workflow: W,
  body: (workflow: W) => Promise<T>,
): Promise<T> {
  try {
    return await body(workflow);
  } finally {
    await workflow.close();
  }
}

/**
 * Registers ThreadWorkflows created by a test file and closes them after each test:
 * `const threads = closeAfterEach();` then `threads(new ThreadWorkflow(...))`.
 */
export function closeAfterEach(): <W extends ThreadWorkflow>(workflow: W) => W {
  const open: ThreadWorkflow[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((workflow) => workflow.close()));
  });
  return (workflow) => {
    open.push(workflow);
    return workflow;
  };
}

/**
 * BullMQWorkflow on the Redis server and worker processes a test file started (test/support/
 * cluster.ts): `where()` gives the server's URL and queue once they are up.
 */
export function bullmqBackend(where: () => ClusterUnderTest): BackendUnderTest {
  const open = new Set<BullMQWorkflow>();
  return {
    name: 'BullMQWorkflow (2 worker processes)',
    create: (leaves, workflowName) => {
      const { url, queue, root } = where();
      const workflow = new BullMQWorkflow(leaves, {
        workflowName,
        connection: url,
        queueName: queue,
        ...(root === undefined ? {} : { root }),
      });
      open.add(workflow as BullMQWorkflow);
      return workflow;
    },
    supportsActors: true,
    supportsPlugins: true,
    stopsSynchronousCode: true,
    runsNodesInWorkers: true,
    close: async () => {
      await Promise.all([...open].map((workflow) => workflow.close()));
      open.clear();
    },
  };
}
