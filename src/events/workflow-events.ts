import type { StaleReason } from '../storage/cache-key.js';

/**
 * What a workflow reports while it runs. Times are epoch milliseconds with sub-millisecond
 * precision (`performance.timeOrigin + performance.now()`), comparable across threads.
 */
export interface NodeEventBase {
  readonly node: string;
  /** The node's position in the workflow's canonical order. */
  readonly index: number;
  readonly time: number;
}

/**
 * Something a worker thread did before it could run a node, timed apart from the node: its own
 * start, or importing the node's task module (with tsx first, for TypeScript).
 *
 * @example
 * wf.on('node-finished', (event) => event.startup?.forEach((step) => console.log(step.label, step.durationMs)));
 */
export interface StartupStep {
  /** `thread start`, or `import <file name>`. */
  readonly label: string;
  /** Epoch ms, as every event time. */
  readonly startedAt: number;
  readonly durationMs: number;
}

export interface WorkflowEventMap {
  'run-started': { readonly workflow: string; readonly nodes: number; readonly time: number };
  /** All its parents are done: the node waits for a thread. */
  'node-queued': NodeEventBase;
  /** The node was handed to the thread that runs it (the main thread for LocalWorkflow). */
  'node-started': NodeEventBase;
  'node-finished': NodeEventBase & {
    /** The thread that ran it: 0 for the main thread, else the worker's threadId. */
    readonly threadId: number;
    /** On BullMQWorkflow: the cluster worker that ran it (`host-pid-n`, as `functionfuse worker` prints it). */
    readonly worker?: string;
    /** When its function started, on that thread. */
    readonly startedAt: number;
    readonly durationMs: number;
    /** From queued to started on its thread. */
    readonly waitMs: number;
    /** Bytes of typed arrays moved (not copied) to the node with its arguments. */
    readonly bytesMoved: number;
    /**
     * What its thread did first, before the node's function started: present on the first node a
     * thread runs (`thread start`) and on the first node of each task module (`import …`). Not
     * part of `durationMs`; part of `waitMs`.
     */
    readonly startup?: readonly StartupStep[];
  };
  /** Its stored result was read instead of running it. */
  'node-cached': NodeEventBase;
  /**
   * A result is stored for it, but was computed under another cache key: the node runs again
   * and its result is saved over the stale one. `reason` is what changed, most telling first
   * (`reasons` has them all): its code, its version, its arguments, its seed, or an input node.
   */
  'node-stale': NodeEventBase & {
    readonly reason: StaleReason;
    readonly reasons: readonly StaleReason[];
    /** The node's key now, 16 hex digits. */
    readonly key: string;
    /** The key the stored result was computed under; undefined when it was written before keys. */
    readonly storedKey: string | undefined;
  };
  /**
   * An attempt failed and the node goes again (its `retries` allow it): `attempt` is the number
   * of the attempt about to start (2 for the first retry), `error` why the previous one failed.
   */
  'node-retried': NodeEventBase & {
    readonly attempt: number;
    readonly error: unknown;
    /** The wait before the next attempt, in ms (the node's `retryDelay`). */
    readonly delayMs: number;
  };
  'node-failed': NodeEventBase & {
    readonly error: Error;
    /**
     * The thread its last attempt ran on (0: the main thread), when known: not for a node that
     * never ran, nor one whose worker died or was stopped running it.
     */
    readonly threadId?: number;
    /** On BullMQWorkflow: the cluster worker that ran its last attempt. */
    readonly worker?: string;
  };
  /**
   * Not run because a node it depends on failed, or because the run stopped at a failure
   * (`failFast`) before reaching it.
   */
  'node-skipped': NodeEventBase;
  /** Stopped or never started because the run was cancelled (its `signal` was aborted). */
  'node-cancelled': NodeEventBase;
  /**
   * Every node has settled. The counts add up to the run's node count: `completed` (computed),
   * `cached`, `failed`, `skipped` and `cancelled`.
   */
  'run-finished': {
    readonly workflow: string;
    readonly time: number;
    readonly durationMs: number;
    readonly ok: boolean;
    /** `completed`: every node completed; `failed`: a node failed; `cancelled`: the signal was aborted. */
    readonly status: 'completed' | 'failed' | 'cancelled';
    readonly completed: number;
    readonly cached: number;
    readonly failed: number;
    readonly skipped: number;
    readonly cancelled: number;
    /** Attempts that failed and were tried again, over every node. */
    readonly retries: number;
  };
}

export type WorkflowEventName = keyof WorkflowEventMap;
export type WorkflowEvent = {
  [K in WorkflowEventName]: { readonly type: K } & WorkflowEventMap[K];
}[WorkflowEventName];
export type WorkflowEventListener<K extends WorkflowEventName> = (event: WorkflowEventMap[K]) => void;

const eventNames: ReadonlySet<string> = new Set<WorkflowEventName>([
  'run-started',
  'node-queued',
  'node-started',
  'node-finished',
  'node-cached',
  'node-stale',
  'node-retried',
  'node-failed',
  'node-skipped',
  'node-cancelled',
  'run-finished',
]);

/** Now, in the clock every event uses. */
export function eventTime(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * A small typed emitter. Backends ask `has(name)` before building an event, so a run nobody
 * listens to pays nothing. A listener that throws is reported as a warning; it never breaks
 * the run.
 */
export class WorkflowEvents {
  readonly #listeners = new Map<WorkflowEventName, Set<(event: never) => void>>();

  on<K extends WorkflowEventName>(name: K, listener: WorkflowEventListener<K>): void {
    if (!eventNames.has(name)) {
      throw new TypeError(
        `Expected an event name (${[...eventNames].join(', ')}), got ${JSON.stringify(name)} (${typeof name})`,
      );
    }
    if (typeof listener !== 'function') {
      throw new TypeError(`Expected \`listener\` to be a function, got ${typeof listener}`);
    }
    let listeners = this.#listeners.get(name);
    if (listeners === undefined) {
      listeners = new Set();
      this.#listeners.set(name, listeners);
    }
    listeners.add(listener as (event: never) => void);
  }

  off<K extends WorkflowEventName>(name: K, listener: WorkflowEventListener<K>): void {
    this.#listeners.get(name)?.delete(listener as (event: never) => void);
  }

  has(name: WorkflowEventName): boolean {
    return (this.#listeners.get(name)?.size ?? 0) > 0;
  }

  emit<K extends WorkflowEventName>(name: K, event: WorkflowEventMap[K]): void {
    const listeners = this.#listeners.get(name);
    if (listeners === undefined) return;
    for (const listener of listeners) {
      try {
        (listener as WorkflowEventListener<K>)(event);
      } catch (error) {
        process.emitWarning(`functionfuse: a "${name}" event listener threw: ${String(error)}`);
      }
    }
  }
}
