/**
 * What a driver tells the run core (events), and what the core answers (instructions). One
 * file, two unions: every driver speaks exactly these.
 */
import type { StartupStep } from '../events/workflow-events.js';

/** Something that happened to a run or one of its nodes. */
export type RunEvent =
  /** The run begins: nodes without parents become ready (or are looked up in storage). */
  | { readonly kind: 'start' }
  /** Storage lookups. */
  | { readonly kind: 'stored-found'; readonly index: number }
  | { readonly kind: 'stored-missing'; readonly index: number }
  | { readonly kind: 'stored-failed'; readonly index: number; readonly error: unknown }
  /** The attempt ended with a result (already kept by the driver, unless it must be saved first). */
  | { readonly kind: 'attempt-succeeded'; readonly index: number; readonly timing?: NodeTiming }
  /**
   * The attempt failed: it threw, timed out, or its worker died running it. `place` is the
   * thread it ran on, when the driver knows it (a worker's reply says).
   */
  | {
      readonly kind: 'attempt-failed';
      readonly index: number;
      readonly error: unknown;
      readonly place?: NodePlace;
    }
  /**
   * Its worker was lost while running another node of the same batch: the attempt does not
   * count, and the node is ready again.
   */
  | { readonly kind: 'worker-lost'; readonly index: number }
  /** Its attempt was stopped by a cancellation. */
  | { readonly kind: 'attempt-stopped'; readonly index: number }
  /** The node could not even be sent (its arguments cannot reach a worker, say): it fails, untried. */
  | { readonly kind: 'refused'; readonly index: number; readonly error: unknown }
  /** A retry's delay has passed. */
  | { readonly kind: 'retry-due'; readonly index: number }
  | { readonly kind: 'saved'; readonly index: number }
  | { readonly kind: 'save-failed'; readonly index: number; readonly error: unknown }
  /** The run's signal fired. */
  | { readonly kind: 'cancel'; readonly reason: unknown }
  /** A bug in a driver: the run must end with it. */
  | { readonly kind: 'break-down'; readonly error: Error };

/** Where an attempt ran: the thread, and on BullMQWorkflow the cluster worker that holds it. */
export interface NodePlace {
  /** 0 for the main thread, else the worker's threadId. */
  readonly threadId: number;
  readonly worker?: string;
}

/** Where and when an attempt ran, for the run's events. */
export interface NodeTiming {
  /** 0 for the main thread, else the worker's threadId. */
  readonly threadId: number;
  /** The cluster worker that ran it (BullMQWorkflow). */
  readonly worker?: string;
  /** Epoch ms when the node's function started. */
  readonly startedAt: number;
  readonly durationMs: number;
  /** What its thread did before it (see the node-finished event). */
  readonly startup?: readonly StartupStep[];
  /** Bytes of typed arrays moved to it with its arguments. */
  readonly bytesMoved?: number;
}

/**
 * What the driver must do next. Ready task nodes are not instructions: the driver takes them
 * from the core's ready queue when it has room (RunCore.takeReady, which starts their attempt).
 */
export type RunInstruction =
  /** Read node `index`'s stored result, then report stored-found / stored-missing / stored-failed. */
  | { readonly kind: 'read-stored'; readonly index: number }
  /** Actor node `index` is ready: call it now (an actor runs its calls in order, one at a time). */
  | { readonly kind: 'call-actor'; readonly index: number }
  /** Save node `index`'s result, then report saved / save-failed. */
  | { readonly kind: 'save'; readonly index: number }
  /** Report retry-due for node `index` after `delayMs`. */
  | { readonly kind: 'retry-later'; readonly index: number; readonly delayMs: number }
  /** The run was cancelled: stop every running attempt (report each as attempt-stopped) and drop retry timers. */
  | { readonly kind: 'stop-running' }
  /** No node is in flight any more: end the run (resolve or reject with {@link RunCore.finalError}). */
  | { readonly kind: 'settle' };
