/**
 * What travels between the coordinator (the process that calls `run()`) and cluster workers,
 * through BullMQ jobs and Redis keys. One file, so both sides agree on the shapes.
 *
 * Values never ride in a job: a job names the Redis keys of its inputs (see run-keys.ts), and
 * a worker writes each result under its own key, in the project's binary encoding.
 */

import type { JobStartup, JobTiming } from '../threads/messages.js';
import type { RemotePluginSpec } from '../threads/remote-plugin.js';
import type { SerializedThrow } from '../threads/serialized-error.js';
import type { ModuleRef } from './module-refs.js';

/** Where a parent's result goes in a node's arguments. */
export interface ArgumentSlot {
  /** Keys from the argument list down to the spot: `[0]` is the first argument itself. */
  readonly at: readonly (string | number)[];
  /** The parent's plan index: its result is under the run's key for that index. */
  readonly parent: number;
  /** The parent's name, for messages. */
  readonly parentName: string;
  /** The item of the parent's result it takes (`pair.item(0)` is `[0]`); empty for all of it. */
  readonly path: readonly PropertyKey[];
}

/** One node of a batch job. */
export interface ClusterNodeJob {
  readonly index: number;
  readonly nodeName: string;
  /** Index into {@link ClusterBatch.modules}. */
  readonly module: number;
  readonly key: string;
  /** The arguments, with every spot a parent fills left empty (see `slots`). */
  readonly args: readonly unknown[];
  readonly slots: readonly ArgumentSlot[];
  readonly plugin?: { readonly spec: number; readonly payload: unknown };
}

/**
 * The payload of one BullMQ job: ready nodes that run one after another on one thread of a
 * worker. In `plugins`, every `moduleUrl` holds its ModuleRef as JSON text.
 */
export interface ClusterBatch {
  readonly runId: string;
  readonly jobs: readonly ClusterNodeJob[];
  readonly modules: readonly ModuleRef[];
  readonly plugins: readonly RemotePluginSpec[];
  /** A lone node's timeout: the worker stops its thread when it passes. */
  readonly timeoutMs?: number;
}

/**
 * One actor node: its init (on the shared queue; the worker that takes it keeps the object for
 * the run) or a method call (on the queue of that worker). Never batched, never retried.
 */
export interface ClusterActorJob {
  readonly runId: string;
  readonly kind: 'init' | 'call';
  /** The plan index of the actor's init node: the actor's name in its worker. */
  readonly actor: number;
  readonly index: number;
  readonly nodeName: string;
  /** The class's module and key (init), or the method (call). */
  readonly module?: ModuleRef;
  readonly key?: string;
  readonly method?: string;
  readonly args: readonly unknown[];
  readonly slots: readonly ArgumentSlot[];
  /** The plugin spec has module references as JSON text, as in {@link ClusterBatch.plugins}. */
  readonly plugin?: { readonly spec: RemotePluginSpec; readonly payload: unknown };
  readonly timeoutMs?: number;
  /** The actor's last node in the workflow: end it after, first writing a snapshot of its fields as the init's result when asked. */
  readonly end?: { readonly snapshot: boolean; readonly initName: string };
}

/** The BullMQ job data: the batch or actor job, as base64 of its V8 serialization (see wire-format.ts). */
export interface ClusterJobData {
  readonly runId: string;
  readonly batch?: string;
  readonly actor?: string;
}

/** What became of one node of a batch. */
export type ClusterOutcome =
  | ({ readonly kind: 'ok'; readonly bytes: number } & JobTiming & JobStartup)
  | ({ readonly kind: 'failed'; readonly error: SerializedThrow } & JobTiming & JobStartup)
  /** It ran past its timeout and its thread was stopped. */
  | { readonly kind: 'timed-out'; readonly timeoutMs: number }
  /** Its thread died (process.exit, out of memory): with others in its batch, which one did is unknown. */
  | { readonly kind: 'lost'; readonly error: SerializedThrow }
  /** The run ended or was cancelled before the node finished: nothing was kept. */
  | { readonly kind: 'stopped' };

/** The BullMQ job's return value: the outcomes in the batch's order, as base64, and who ran them. */
export interface ClusterJobResult {
  readonly worker: string;
  readonly outcomes: string;
  /** For an actor's init: the queue of the worker that holds the object now, where its calls go. */
  readonly actorQueue?: string;
}
