/**
 * Records one run of a workflow from its events: what became of each node, on which thread,
 * when and for how long. The Chrome trace and the HTML report are both drawn from this one
 * record, so they cannot disagree.
 */
import type { StartupStep, WorkflowEventListener, WorkflowEventName } from '../events/workflow-events.js';
import type { Node } from '../graph/node.js';
import type { NodeOutcome } from '../graph-drawing/drawing-model.js';
import { refuseUnknownKeys } from '../options/unknown-keys.js';
import type { StaleReason } from '../storage/cache-key.js';

/**
 * What the recorder needs of a workflow: its events and its nodes. Every backend has both.
 *
 * @example
 * const source: RecordableWorkflow = new LocalWorkflow(leaf, { workflowName: 'demo' });
 */
export interface RecordableWorkflow {
  readonly workflowName: string;
  on<K extends WorkflowEventName>(name: K, listener: WorkflowEventListener<K>): unknown;
  graphTraversal(): Iterable<[string, Node]>;
}

/**
 * One node of a recorded run. Times are epoch milliseconds, as in the events.
 *
 * @example
 * const slowest = recording.nodes.toSorted((a, b) => (b.durationMs ?? 0) - (a.durationMs ?? 0))[0];
 */
export interface NodeRecord {
  readonly name: string;
  /** Position in the workflow's canonical order. */
  readonly index: number;
  readonly node: Node;
  /**
   * `ran`, `cached` (read from storage), `failed`, `skipped`: not run, because a node it
   * depends on failed or the run stopped at the first failure before reaching it, or
   * `cancelled`: stopped or never started because the run was cancelled.
   */
  readonly outcome: NodeOutcome;
  /** 0 for the main thread, else the worker's threadId. Unknown for failed nodes on threads. */
  readonly threadId: number | undefined;
  /**
   * On BullMQWorkflow, the cluster worker that ran it (its `threadId` is that process's);
   * undefined for nodes of this process.
   */
  readonly worker: string | undefined;
  /** When its parents were all done. */
  readonly queuedAt: number | undefined;
  /** When its function started on its thread (for a cached node: when reading began). */
  readonly startedAt: number | undefined;
  readonly durationMs: number | undefined;
  /** From queued to started on its thread. */
  readonly waitMs: number | undefined;
  /** Bytes of typed arrays moved to the node's thread with its arguments. */
  readonly bytesMoved: number | undefined;
  /** The failure's message, for failed nodes. */
  readonly error: string | undefined;
  /** Attempts started: 1, or more when the node was retried (0 when it never ran). */
  readonly attempts: number;
  /** Why each retried attempt failed, in order (the last failure of a failed node is `error`). */
  readonly retryErrors: readonly string[];
  /**
   * When a result was stored for it under another cache key (so it ran again): what changed,
   * most telling first. Empty for every other node.
   */
  readonly stale: readonly StaleReason[];
  /**
   * What its thread did before the node could start (its own start, importing the task module),
   * on the same thread, not counted in `durationMs`. Empty for most nodes.
   */
  readonly startup: readonly StartupStep[];
}

/** The recorder fills records in as events arrive; readers get frozen-in-time copies. */
type MutableRecord = { -readonly [K in keyof NodeRecord]: NodeRecord[K] };

/**
 * A whole recorded run, nodes in canonical order.
 *
 * @example
 * const recording = recorder.recording();
 * console.log(recording.workflowName, recording.durationMs, recording.nodes.length);
 */
export interface RunRecording {
  readonly workflowName: string;
  readonly startedAt: number;
  /** Equal to `startedAt` until the run finished. */
  readonly finishedAt: number;
  readonly durationMs: number;
  readonly finished: boolean;
  /** How the run ended; undefined until it finished. */
  readonly status: 'completed' | 'failed' | 'cancelled' | undefined;
  readonly nodes: readonly NodeRecord[];
}

/**
 * Listens to a workflow and keeps a {@link RunRecording} of its latest run. Attach it before
 * `run()`; read it after (also after a failed run, when a picture of the run helps most).
 *
 * @example
 * const recorder = new RunRecorder(wf);
 * await wf.run().finally(() => writeFileSync('run.json', JSON.stringify(toChromeTrace(recorder.recording()))));
 */
export class RunRecorder {
  readonly #workflow: RecordableWorkflow;
  #nodes: MutableRecord[] = [];
  #startedAt = 0;
  #finishedAt: number | undefined;
  #status: RunRecording['status'];
  /** `node-started` times, kept apart: a node's function may start later on its thread. */
  #handedOverAt: (number | undefined)[] = [];

  /**
   * @param options.failedThreadId the thread failed nodes are drawn on when their failure
   *   event says none (a node whose worker died or was stopped running it, or that never
   *   ran). Left out, such nodes get a track of their own.
   */
  constructor(workflow: RecordableWorkflow, options: { readonly failedThreadId?: number } = {}) {
    refuseUnknownKeys(options, ['failedThreadId'], 'RunRecorder option');
    this.#workflow = workflow;
    const { failedThreadId } = options;
    workflow.on('run-started', (event) => {
      // The node set is taken when the run starts: nodes created after the recorder was
      // attached belong to the run if the workflow includes them.
      this.#nodes = [...workflow.graphTraversal()].map(([name, node], index) =>
        emptyRecord(name, index, node),
      );
      this.#handedOverAt = [];
      this.#startedAt = event.time;
      this.#finishedAt = undefined;
      this.#status = undefined;
    });
    workflow.on('node-queued', (event) => {
      this.#update(event.index, { queuedAt: event.time });
    });
    workflow.on('node-started', (event) => {
      this.#handedOverAt[event.index] = event.time;
    });
    workflow.on('node-finished', (event) => {
      this.#update(event.index, {
        outcome: 'ran',
        attempts: Math.max(1, this.#nodes[event.index]?.attempts ?? 1),
        threadId: event.threadId,
        worker: event.worker,
        startedAt: event.startedAt,
        durationMs: event.durationMs,
        waitMs: event.waitMs,
        bytesMoved: event.bytesMoved,
        startup: event.startup ?? [],
      });
    });
    workflow.on('node-stale', (event) => {
      this.#update(event.index, { stale: event.reasons });
    });
    workflow.on('node-cached', (event) => {
      const started = this.#handedOverAt[event.index] ?? event.time;
      // Stored results are read by the main thread, whichever backend runs the others.
      this.#update(event.index, {
        outcome: 'cached',
        threadId: 0,
        startedAt: started,
        durationMs: event.time - started,
        waitMs: 0,
        bytesMoved: 0,
      });
    });
    workflow.on('node-failed', (event) => {
      const started = this.#handedOverAt[event.index];
      this.#update(event.index, {
        outcome: 'failed',
        error: event.error.message,
        threadId: event.threadId ?? failedThreadId,
        worker: event.worker,
        attempts: Math.max(1, this.#nodes[event.index]?.attempts ?? 1),
      });
      if (started !== undefined)
        this.#update(event.index, { startedAt: started, durationMs: event.time - started });
    });
    workflow.on('node-skipped', (event) => {
      this.#update(event.index, { outcome: 'skipped' });
    });
    workflow.on('node-cancelled', (event) => {
      // A node that was running when the run was cancelled is drawn up to the moment it stopped.
      const started = this.#handedOverAt[event.index];
      this.#update(event.index, { outcome: 'cancelled' });
      if (started !== undefined)
        this.#update(event.index, { startedAt: started, durationMs: event.time - started });
    });
    workflow.on('node-retried', (event) => {
      const record = this.#nodes[event.index];
      if (record === undefined) return;
      record.attempts = event.attempt;
      record.retryErrors = [...record.retryErrors, errorText(event.error)];
    });
    workflow.on('run-finished', (event) => {
      this.#finishedAt = event.time;
      this.#status = event.status;
    });
  }

  /** The workflow this recorder listens to. */
  get workflowName(): string {
    return this.#workflow.workflowName;
  }

  /** The latest run as recorded so far (complete once the run finished). */
  recording(): RunRecording {
    const finishedAt = this.#finishedAt ?? this.#startedAt;
    return {
      workflowName: this.#workflow.workflowName,
      startedAt: this.#startedAt,
      finishedAt,
      durationMs: finishedAt - this.#startedAt,
      finished: this.#finishedAt !== undefined,
      status: this.#status,
      nodes: this.#nodes.map((record) => ({ ...record, retryErrors: [...record.retryErrors] })),
    };
  }

  /**
   * Events of a run always follow its run-started, so a record is always there; if a backend
   * ever broke that, a picture of the run must not crash the run: the event is dropped.
   */
  #update(index: number, changes: Partial<MutableRecord>): void {
    const record = this.#nodes[index];
    if (record !== undefined) Object.assign(record, changes);
  }
}

function emptyRecord(name: string, index: number, node: Node): MutableRecord {
  return {
    name,
    index,
    node,
    outcome: 'skipped',
    threadId: undefined,
    worker: undefined,
    queuedAt: undefined,
    startedAt: undefined,
    durationMs: undefined,
    waitMs: undefined,
    bytesMoved: undefined,
    error: undefined,
    attempts: 0,
    retryErrors: [],
    stale: [],
    startup: [],
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
