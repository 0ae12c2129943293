/**
 * Every message between the main thread and a task worker. One file, one union per direction,
 * so both sides agree on the shapes.
 */
import type { StartupStep } from '../events/workflow-events.js';
import type { WorkerSaveRequest } from '../storage/storage.js';
import type { WireBatch } from './batch-wire.js';
import type { RemotePluginSpec } from './remote-plugin.js';
import type { SerializedThrow } from './serialized-error.js';

/** One node to run in a worker. */
export interface NodeJob {
  readonly nodeName: string;
  /** The module that defines the task, and the task's key in it. */
  readonly moduleUrl: string;
  readonly key: string;
  /** Resolved arguments: every reference already replaced by its value. */
  readonly args: readonly unknown[];
  /** The node's plugin, if it has one. */
  readonly plugin?: BatchedPluginCall;
  /**
   * The job shares input objects with an earlier job of its batch (one message carries one
   * copy): the worker copies its arguments before the call.
   */
  readonly isolate?: boolean;
  /** Set when the node is saved and its storage has a worker save step: the worker runs it. */
  readonly save?: WorkerSaveRequest;
  /**
   * The node's `shareResult` option: the worker places the result's buffers in shared memory
   * before posting it back (threads/shared-result.ts), so it is never copied again.
   */
  readonly shareResult?: true;
  /**
   * The shared results among the job's arguments, as pairs: the result's token, its shared
   * byte length. The worker tells its collector of each result once (shared-memory-pressure.ts).
   */
  readonly sharedInputs?: readonly number[];
}

export type { WorkerSaveRequest };

/** A job's plugin within a batch: which of the batch's plugin specs, and the node's payload. */
export interface BatchedPluginCall {
  /** Index into {@link JobBatch.plugins}. */
  readonly spec: number;
  readonly payload: unknown;
}

/** A plugin to run before a node: how the worker rebuilds it, and its per-node payload. */
export interface RemotePluginCall {
  readonly spec: RemotePluginSpec;
  /** What the plugin's `localInitialize` returned for this node. */
  readonly payload: unknown;
}

/** Several ready nodes sent in one message: tiny nodes would otherwise cost a round trip each. */
export interface JobBatch {
  readonly kind: 'batch';
  readonly jobs: readonly NodeJob[];
  /** The plugins of the batch's jobs, each sent (and rebuilt in the worker) once per batch. */
  readonly plugins: readonly RemotePluginSpec[];
}

/** When and where a job ran: for batching decisions and for the run's events. */
export interface JobTiming {
  /** Epoch ms (performance.timeOrigin + performance.now()) when the function started. */
  readonly startedAt: number;
  readonly durationMs: number;
  readonly threadId: number;
}

export type { StartupStep };

/** Start-up a job waited for on its thread, not counted in its own duration. */
export interface JobStartup {
  readonly startup?: readonly StartupStep[];
}

/** What became of one job. */
export type JobOutcome =
  | ({
      readonly ok: true;
      readonly value: unknown;
      readonly preparedSave?: { readonly prepared: unknown };
    } & JobTiming &
      JobStartup)
  | ({ readonly ok: false; readonly error: SerializedThrow } & JobTiming & JobStartup);

/**
 * Prepares one worker before any run (ThreadWorkflow.warm): it imports the task modules and
 * waits at a barrier until every worker of the pool has arrived, so that each request of a
 * warm-up lands on a worker of its own.
 */
export interface WarmUpRequest {
  readonly kind: 'warm-up';
  readonly moduleUrls: readonly string[];
  /** An Int32Array's memory: [0] counts the workers that arrived. */
  readonly barrier: SharedArrayBuffer;
  readonly workers: number;
  /** How long a worker waits for the others, in ms, before it gives up waiting. */
  readonly waitMs: number;
}

/**
 * Asks an idle worker to collect the memory its jobs left (idle-collection.ts); answered with a
 * {@link Collected} once it has.
 */
export interface CollectRequest {
  readonly kind: 'collect';
}

/** A worker's answer to a {@link CollectRequest}: which thread collected. */
export interface Collected {
  readonly threadId: number;
}

/** What a task worker receives: a batch packed as batch-wire.ts says, a warm-up, or a request to collect. */
export type WorkerRequest = WireBatch | WarmUpRequest | CollectRequest;

/** What a worker did to warm up. */
export interface WarmUpResult {
  readonly threadId: number;
  readonly steps: readonly StartupStep[];
  /** Whether every worker reached the barrier in time (else a worker may have been warmed twice). */
  readonly allArrived: boolean;
}

/** A job of a chain that did not run: an earlier job of the batch it needed did not succeed. */
export interface JobNotRun {
  readonly ok: false;
  readonly notRun: true;
}

export interface BatchResult {
  /** In the order of the batch's jobs. */
  readonly outcomes: readonly (JobOutcome | JobNotRun)[];
}

/**
 * What an actor's dedicated worker exposes through Comlink. Every method reports failure as an
 * outcome rather than by throwing, so errors keep their class name, code and cause.
 */
export interface ActorHostApi {
  /** Builds the object: imports the class's module, then `new Class(...args)`. */
  construct(call: ActorConstruct): Promise<JobOutcome>;
  /** Calls one method on the object. */
  call(call: ActorMethodCall): Promise<JobOutcome>;
  /** A copy of the object's own fields, for an init node that is a leaf of the workflow. */
  snapshot(nodeName: string): Promise<JobOutcome>;
  /** Drops the object, so that the thread can hold the next actor (of any class). */
  forget(): Promise<void>;
}

export interface ActorConstruct {
  readonly nodeName: string;
  readonly moduleUrl: string;
  readonly key: string;
  readonly args: readonly unknown[];
  readonly plugin?: RemotePluginCall;
}

export interface ActorMethodCall {
  readonly nodeName: string;
  readonly method: string;
  readonly args: readonly unknown[];
  readonly plugin?: RemotePluginCall;
}
