/**
 * BullMQ driver: what comes back of a run's task jobs, as events for the run core. A job that
 * completed carries one outcome per node of its batch (cluster-outcome-events.ts says what each
 * means); a job BullMQ failed itself lost its worker; a job stopped with its run will never
 * report. Only the nodes a job still carries hear of it (cluster-in-flight.ts): a node sent
 * again since has a newer job. A node whose batch lost its worker goes alone from now on, until
 * it succeeds.
 */
import type { ClusterJobResult, ClusterOutcome } from '../cluster/cluster-messages.js';
import { fromBase64 } from '../cluster/wire-format.js';
import type { Node } from '../graph/node.js';
import type { RunEvent } from '../scheduler/run-events.js';
import type { PreparedRun } from '../scheduler/run-setup.js';
import { leftByInReport, warnLeftBehind } from '../threads/left-behind-errors.js';
import { deserializeThrown } from '../threads/serialized-error.js';
import type { BatchSizer } from './batch-sizer.js';
import type { ClusterJobsInFlight, TakenJob } from './cluster-in-flight.js';
import { jobFailedEvent, outcomeEvent } from './cluster-outcome-events.js';
import type { ClusterResultFlow } from './cluster-result-flow.js';

export class ClusterJobOutcomes {
  readonly #run: PreparedRun;
  readonly #inFlight: ClusterJobsInFlight;
  readonly #sizer: BatchSizer;
  readonly #resultFlow: ClusterResultFlow;
  /** Hands an event to the core and carries out what it says (the driver's `tell`). */
  readonly #tell: (event: RunEvent) => void;
  /** Nodes whose batch lost its worker: each goes alone from now on. */
  readonly #alone = new Set<number>();

  constructor(
    run: PreparedRun,
    inFlight: ClusterJobsInFlight,
    sizer: BatchSizer,
    resultFlow: ClusterResultFlow,
    tell: (event: RunEvent) => void,
  ) {
    this.#run = run;
    this.#inFlight = inFlight;
    this.#sizer = sizer;
    this.#resultFlow = resultFlow;
    this.#tell = tell;
  }

  /**
   * Whether node `index` must go alone (its last batch lost its worker).
   *
   * @example
   * jobs.prepare(index, options, plugin, outcomes.goesAlone(index));
   */
  goesAlone(index: number): boolean {
    return this.#alone.has(index);
  }

  /**
   * Job `id` completed with `result`: each node it still carries hears its outcome; a success's
   * duration goes to the batch sizer, and its result where results go.
   *
   * @example
   * events.on('completed', ({ jobId, returnvalue }) => outcomes.completed(jobId, returnvalue));
   */
  completed(id: string, result: ClusterJobResult): void {
    const job = this.#inFlight.take(id);
    if (job === undefined) return;
    const outcomes = fromBase64<ClusterOutcome[]>(result.outcomes);
    for (const { prepared, position } of job.current) {
      const { index, nodeName } = prepared;
      const outcome = outcomes[position] as ClusterOutcome;
      const event = outcomeEvent(outcome, {
        index,
        nodeName,
        batchSize: job.batchSize,
        worker: result.worker,
        stopped: this.#run.core.stopped,
      });
      if (event.kind === 'attempt-succeeded' && outcome.kind === 'ok') {
        const { plan } = this.#run;
        this.#sizer.record((plan.nodes[index] as Node).callable, outcome.durationMs);
        this.#alone.delete(index);
        this.#resultFlow.taskSucceeded(index, nodeName);
      }
      this.#tellOutcome(event);
    }
    this.#sayWhatWasLeftBehind(outcomes, job.current);
  }

  /**
   * Names, once per job, the finished node whose leftover code (a timer that threw after it
   * returned) killed the thread that ran the job: its nodes went again, and nobody failed.
   */
  #sayWhatWasLeftBehind(outcomes: readonly ClusterOutcome[], current: TakenJob['current']): void {
    if (this.#run.core.stopped) return;
    const lost = outcomes.find((outcome) => outcome.kind === 'lost');
    if (lost?.kind !== 'lost') return;
    const culprit = leftByInReport(lost.error);
    if (culprit === undefined || current.some(({ prepared }) => prepared.nodeName === culprit)) return;
    const interrupted = current.map(({ prepared }) => prepared.nodeName);
    warnLeftBehind(culprit, deserializeThrown(lost.error), interrupted);
  }

  /**
   * BullMQ failed job `id` itself: its worker stalled more often than BullMQ allows (it died).
   *
   * @example
   * events.on('failed', ({ jobId, failedReason }) => outcomes.failed(jobId, failedReason));
   */
  failed(id: string, reason: string): void {
    const job = this.#inFlight.take(id);
    if (job === undefined) return;
    for (const { prepared } of job.current) {
      this.#tellOutcome(jobFailedEvent(prepared.index, prepared.nodeName, job.batchSize, reason));
    }
  }

  /**
   * Job `id` will not report: its nodes are stopped.
   *
   * @example
   * for (const id of inFlight.ids()) outcomes.stopped(id);
   */
  stopped(id: string): void {
    const job = this.#inFlight.take(id);
    if (job === undefined) return;
    for (const { prepared } of job.current) this.#tell({ kind: 'attempt-stopped', index: prepared.index });
  }

  /** A node whose batch lost its worker goes alone from now on. */
  #tellOutcome(event: RunEvent): void {
    if (event.kind === 'worker-lost') this.#alone.add(event.index);
    this.#tell(event);
  }
}
