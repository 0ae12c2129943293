/**
 * The run core: one run's scheduling logic, the same for every backend. Each node has one
 * explicit state (see node-state.ts); {@link RunCore.handle} takes what happened (a
 * {@link RunEvent}) and answers with what to do (a list of {@link RunInstruction}), moving
 * nodes along a fixed table of transitions. A driver only decides where and how a node runs.
 *
 * Modelled on dask's worker state machine: no counter of pending work to keep by hand, a run
 * is over when no node is in an in-flight state; a transition the table does not allow throws
 * an InternalError naming the node, its state, the event and the node's recent history.
 *
 * Imports nothing of threads, pools or files: it can be driven, and tested, by feeding events.
 */
import { InternalError } from '../errors.js';
import type { ExecutionPlan } from '../workflow/plan.js';
import { isFinal, NODE_STATE_NAMES, NodeState } from './node-state.js';
import { createReadyQueue, type ReadyQueue } from './ready-queue.js';
import type { NodePlace, RunEvent, RunInstruction } from './run-events.js';
import { nodeFailure, type RunOutcomes } from './run-outcomes.js';
import type { RunTimings } from './run-timings.js';
import { TransitionHistory } from './transition-history.js';

/** What the core needs to know of each node and of the run. */
export interface RunCoreOptions {
  readonly plan: ExecutionPlan;
  readonly outcomes: RunOutcomes;
  readonly timings: RunTimings;
  /** Retries allowed per node, by plan index (actor nodes are never retried). */
  readonly retries: ArrayLike<number>;
  /** Delay before each retry, in ms, by plan index. */
  readonly retryDelays: ArrayLike<number>;
  /** Ready-queue order: higher first, then canonical order. */
  readonly priorities: Float64Array;
  /** Known before the run: every priority is 0 (the ready queue need not look). */
  readonly noPriorities?: boolean;
  /**
   * Whether a stored result of node `index` may exist (look it up before running it). Left out
   * for a run without storage: no call per node.
   */
  readonly mayBeStored?: ((index: number) => boolean) | undefined;
  /** Whether node `index`'s computed result is saved before its children get it (as above). */
  readonly isSaved?: ((index: number) => boolean) | undefined;
}

const none: readonly RunInstruction[] = Object.freeze([]);

export class RunCore {
  readonly #plan: ExecutionPlan;
  readonly #options: RunCoreOptions;
  readonly #outcomes: RunOutcomes;
  readonly #timings: RunTimings;
  readonly #mayBeStored: ((index: number) => boolean) | undefined;
  readonly #isSaved: ((index: number) => boolean) | undefined;
  readonly #states: Uint8Array;
  readonly #attempts: Uint32Array;
  readonly #remainingParents: Int32Array;
  /** How many nodes are in each state: kept by the one function that changes states. */
  readonly #inState = new Int32Array(NODE_STATE_NAMES.length);
  readonly #ready: ReadyQueue;
  /** The last failure of nodes waiting to retry: a retry that never comes fails with it. */
  readonly #lastErrors = new Map<number, unknown>();
  readonly #history = new TransitionHistory();
  #settled = false;
  #started = false;
  #brokenDown = false;
  /** This event's instructions; a shared empty list until one is given, so most events allocate nothing. */
  #instructions: RunInstruction[] | readonly RunInstruction[] = none;

  constructor(options: RunCoreOptions) {
    const { plan } = options;
    this.#plan = plan;
    this.#options = options;
    this.#outcomes = options.outcomes;
    this.#timings = options.timings;
    this.#mayBeStored = options.mayBeStored;
    this.#isSaved = options.isSaved;
    const count = plan.nodes.length;
    this.#states = new Uint8Array(count);
    this.#attempts = new Uint32Array(count);
    this.#remainingParents = plan.parentCountsCopy();
    this.#inState[NodeState.waiting] = count;
    this.#ready = createReadyQueue(options.priorities, options.noPriorities === true);
  }

  /** Node `index`'s state now. */
  stateOf(index: number): NodeState {
    return this.#states[index] as NodeState;
  }

  /** Attempts started for node `index` (lost workers' do not count). */
  attemptsOf(index: number): number {
    return this.#attempts[index] as number;
  }

  /** How many nodes are in `state`. */
  countIn(state: NodeState): number {
    return this.#inState[state] as number;
  }

  /** True once nothing new may start: a failure under failFast, a cancellation or a breakdown. */
  get stopped(): boolean {
    return this.#outcomes.stopped;
  }

  /** Ready task nodes waiting for a place to run (none once the run stopped). */
  get readyCount(): number {
    return this.stopped ? 0 : this.#ready.size;
  }

  /** The ready task node to run next (priority, then canonical order), without taking it. */
  peekReady(): number | undefined {
    return this.stopped ? undefined : this.#ready.peek();
  }

  /**
   * Takes the next ready task node and starts its attempt: the one way a node leaves the ready
   * queue, so the queue never holds a node in another state.
   */
  takeReady(): number | undefined {
    if (this.stopped) return undefined;
    const index = this.#ready.shift();
    if (index !== undefined) this.#startAttempt(index, 'take-ready');
    return index;
  }

  /**
   * Starts the attempt of ready task node `index`, out of queue order: a node that ran in a
   * worker inside its parent's batch (a chain), now that its parents are done. False, and
   * nothing changes, when the node is not ready (the run stopped, a parent did not succeed).
   */
  claimReady(index: number): boolean {
    if (this.stopped || this.#states[index] !== NodeState.ready || !this.#ready.delete(index)) return false;
    this.#startAttempt(index, 'chained');
    return true;
  }

  /** The run's error (undefined when every node completed): what run() rejects with. */
  finalError(): Error | undefined {
    return this.#outcomes.finalError();
  }

  /**
   * Applies one event and answers with what the driver must do now. The answer is only valid
   * until the next call: read it at once.
   */
  handle(event: RunEvent): readonly RunInstruction[] {
    this.#instructions = none;
    if (this.#settled) {
      // After a breakdown the run ended at once; what was still under way may report late.
      if (this.#brokenDown) return none;
      throw new InternalError(`the run core got "${event.kind}" after the run had ended`);
    }
    // The event of nearly every node comes first.
    switch (event.kind) {
      case 'attempt-succeeded':
        this.#attemptSucceeded(event.index, event);
        break;
      case 'start':
        this.#start();
        break;
      case 'stored-found':
        this.#expect(event.index, NodeState.lookingUp, event.kind);
        this.#done(event.index, true);
        break;
      case 'stored-missing':
        this.#expect(event.index, NodeState.lookingUp, event.kind);
        this.#toReady(event.index, event.kind);
        break;
      case 'stored-failed':
        this.#expect(event.index, NodeState.lookingUp, event.kind);
        this.#fail(event.index, event.error, event.kind);
        break;
      case 'attempt-failed':
        this.#expect(event.index, NodeState.running, event.kind);
        this.#attemptFailed(event.index, event.error, event.place);
        break;
      case 'worker-lost':
        this.#expect(event.index, NodeState.running, event.kind);
        this.#attempts[event.index] = (this.#attempts[event.index] as number) - 1;
        this.#toReady(event.index, event.kind);
        break;
      case 'attempt-stopped':
        this.#expect(event.index, NodeState.running, event.kind);
        this.#stop(event.index, event.kind);
        break;
      case 'refused':
        this.#expect(event.index, NodeState.running, event.kind);
        this.#fail(event.index, event.error, event.kind);
        break;
      case 'retry-due':
        this.#retryDue(event.index);
        break;
      case 'saved':
        this.#expect(event.index, NodeState.saving, event.kind);
        this.#done(event.index, false);
        break;
      case 'save-failed':
        this.#expect(event.index, NodeState.saving, event.kind);
        this.#fail(event.index, event.error, event.kind);
        break;
      case 'cancel':
        this.#cancel(event.reason);
        break;
      case 'break-down':
        this.#breakDown(event.error);
        break;
    }
    this.#settleIfOver();
    return this.#instructions;
  }

  #instruct(instruction: RunInstruction): void {
    if (this.#instructions === none) this.#instructions = [instruction];
    else (this.#instructions as RunInstruction[]).push(instruction);
  }

  #start(): void {
    if (this.#started) throw new InternalError('the run core was started twice');
    this.#started = true;
    // Parentless nodes are the first wave, first in canonical order: no need to look further.
    const parentless = this.#plan.parentlessCount;
    for (let index = 0; index < parentless; index++) this.#parentsDone(index);
  }

  /** Every parent of `index` is done: look it up, or make it ready. */
  #parentsDone(index: number): void {
    if (this.stopped) return; // stays waiting; finish() reports it skipped or cancelled
    if (this.#mayBeStored?.(index) === true) {
      this.#move(index, NodeState.lookingUp, 'parents-done');
      this.#instruct({ kind: 'read-stored', index });
      return;
    }
    this.#toReady(index, 'parents-done');
  }

  #toReady(index: number, why: string): void {
    if (this.stopped) {
      // A lookup that found nothing, or a lost worker's node, after the run stopped: it never runs.
      this.#stop(index, why);
      return;
    }
    this.#move(index, NodeState.ready, why);
    // Names are spelt only for listeners: most nodes of a big graph never need theirs.
    if (this.#timings.enabled) this.#timings.queued(index, this.#nameOf(index));
    // The plan's flags, not the node: reading a million node objects again costs cache misses.
    if (this.#plan.isTask[index] === 1) {
      this.#ready.push(index);
    } else {
      // An actor's calls arrive in call order (each depends on the one before): no queue.
      this.#startAttempt(index, why);
      this.#instruct({ kind: 'call-actor', index });
    }
  }

  #startAttempt(index: number, why: string): void {
    this.#move(index, NodeState.running, why);
    this.#attempts[index] = (this.#attempts[index] as number) + 1;
    if (this.#timings.enabled) this.#timings.started(index, this.#nameOf(index));
  }

  #attemptSucceeded(index: number, event: Extract<RunEvent, { kind: 'attempt-succeeded' }>): void {
    this.#expect(index, NodeState.running, event.kind);
    if (event.timing !== undefined) {
      this.#timings.finished(index, this.#nameOf(index), event.timing, event.timing.bytesMoved ?? 0);
    }
    if (this.#lastErrors.size > 0) this.#lastErrors.delete(index);
    if (this.#isSaved?.(index) === true) {
      this.#move(index, NodeState.saving, event.kind);
      this.#instruct({ kind: 'save', index });
      return;
    }
    this.#done(index, false);
  }

  #attemptFailed(index: number, error: unknown, place: NodePlace | undefined): void {
    const attempts = this.#attempts[index] as number;
    const isActor = this.#plan.isTask[index] !== 1;
    const retries = isActor ? 0 : (this.#options.retries[index] as number);
    if (attempts > retries || this.stopped) {
      this.#fail(index, error, 'attempt-failed', attempts, place);
      return;
    }
    const delayMs = this.#options.retryDelays[index] as number;
    this.#move(index, NodeState.retryWait, 'attempt-failed');
    this.#lastErrors.set(index, error);
    this.#outcomes.retried(index, attempts + 1, error, delayMs);
    this.#instruct({ kind: 'retry-later', index, delayMs });
  }

  #retryDue(index: number): void {
    const state = this.#states[index] as NodeState;
    // A cancellation ended the wait already; its timer may still have fired.
    if (state === NodeState.cancelled) return;
    this.#expect(index, NodeState.retryWait, 'retry-due');
    if (this.stopped) {
      // The run stopped at another node's failure: this one failed too, and will not go again.
      this.#fail(index, this.#lastErrors.get(index), 'retry-due', this.#attempts[index] as number);
      return;
    }
    this.#lastErrors.delete(index);
    this.#toReady(index, 'retry-due');
  }

  #done(index: number, cached: boolean): void {
    this.#move(index, NodeState.done, cached ? 'stored-found' : 'completed');
    this.#outcomes.complete(index, cached);
    const parents = this.#remainingParents;
    const { childStart, childList } = this.#plan;
    const end = childStart[index + 1] as number;
    for (let edge = childStart[index] as number; edge < end; edge++) {
      const child = childList[edge] as number;
      if (--(parents[child] as number) === 0) this.#parentsDone(child);
    }
  }

  #fail(index: number, error: unknown, why: string, attempts = 1, place?: NodePlace): void {
    this.#move(index, NodeState.failed, why);
    this.#lastErrors.delete(index);
    this.#outcomes.fail(index, nodeFailure(this.#nameOf(index), error, attempts), place);
    // Every node downstream waits for this one: none of them can run.
    const downstream: number[] = [];
    this.#pushChildren(downstream, index);
    while (downstream.length > 0) {
      const child = downstream.pop() as number;
      if (this.#states[child] !== NodeState.waiting) continue;
      this.#end(child, NodeState.skipped, 'ancestor-failed');
      this.#pushChildren(downstream, child);
    }
    if (this.stopped) this.#afterStop();
  }

  #pushChildren(stack: number[], index: number): void {
    const { childStart, childList } = this.#plan;
    const end = childStart[index + 1] as number;
    for (let edge = childStart[index] as number; edge < end; edge++) stack.push(childList[edge] as number);
  }

  /** A stopped attempt: cancelled when the run was, else (a failFast stop) skipped. */
  #stop(index: number, why: string): void {
    this.#end(index, this.#outcomes.cancelled ? NodeState.cancelled : NodeState.skipped, why);
  }

  /** Moves a node to skipped or cancelled, and reports it. */
  #end(index: number, state: typeof NodeState.skipped | typeof NodeState.cancelled, why: string): void {
    this.#move(index, state, why);
    if (state === NodeState.skipped) this.#outcomes.skip(index);
    else this.#outcomes.cancel(index);
  }

  #cancel(reason: unknown): void {
    this.#outcomes.abort(reason);
    this.#afterStop();
    if (this.countIn(NodeState.running) > 0 || this.countIn(NodeState.retryWait) > 0) {
      this.#instruct({ kind: 'stop-running' });
    }
    for (let index = 0; index < this.#states.length; index++) {
      if (this.#states[index] === NodeState.retryWait) this.#end(index, NodeState.cancelled, 'cancel');
    }
  }

  /**
   * A bug stopped the run: it ends now, with that error. Nodes under way are let go (skipped):
   * their work is stopped, and whatever they report later is ignored.
   */
  #breakDown(error: Error): void {
    this.#outcomes.breakDown(error);
    this.#brokenDown = true;
    this.#afterStop();
    if (this.countIn(NodeState.running) > 0 || this.countIn(NodeState.retryWait) > 0) {
      this.#instruct({ kind: 'stop-running' });
    }
    for (let index = 0; index < this.#states.length; index++) {
      const state = this.#states[index] as NodeState;
      if (
        state === NodeState.lookingUp ||
        state === NodeState.running ||
        state === NodeState.retryWait ||
        state === NodeState.saving
      ) {
        this.#end(index, NodeState.skipped, 'break-down');
      }
    }
  }

  /** Nothing new starts: ready nodes leave the queue, never to run. */
  #afterStop(): void {
    while (this.#ready.size > 0) this.#stop(this.#ready.shift() as number, 'stopped');
  }

  /**
   * The run is over when no node is in flight and either it stopped or no node is left to run.
   * A run with nothing in flight, nothing ready and nodes still waiting would never end: that
   * is a bug, and it is reported as one rather than left to hang.
   */
  #settleIfOver(): void {
    if (this.#settled || !this.#started) return;
    const inState = this.#inState;
    const inFlight =
      (inState[NodeState.lookingUp] as number) +
      (inState[NodeState.running] as number) +
      (inState[NodeState.retryWait] as number) +
      (inState[NodeState.saving] as number);
    if (inFlight > 0) return;
    const waiting = inState[NodeState.waiting] as number;
    if (!this.stopped) {
      if ((inState[NodeState.ready] as number) > 0) return;
      if (waiting > 0) {
        const stuck = this.#firstIn(NodeState.waiting);
        this.#outcomes.breakDown(
          new InternalError(
            `the run cannot go on: ${waiting} nodes wait for parents that will never finish, ` +
              `among them ${this.#describe(stuck)}`,
          ),
        );
      }
    }
    // Nodes the run never reached: cancelled with it, or skipped after the stop.
    if (waiting > 0) {
      for (let index = 0; index < this.#states.length; index++) {
        if (this.#states[index] === NodeState.waiting) this.#stop(index, 'run-ended');
      }
    }
    this.#settled = true;
    this.#outcomes.finish();
    this.#instruct({ kind: 'settle' });
  }

  #move(index: number, to: NodeState, why: string): void {
    const from = this.#states[index] as NodeState;
    if (isFinal(from)) this.#illegal(index, why);
    this.#states[index] = to;
    (this.#inState[from] as number)--;
    (this.#inState[to] as number)++;
    this.#history.record(index, from, to, why);
  }

  #expect(index: number, state: NodeState, event: string): void {
    if (this.#states[index] !== state) this.#illegal(index, event);
  }

  #illegal(index: number, event: string): never {
    throw new InternalError(`the run core got "${event}" for ${this.#describe(index)}`);
  }

  #describe(index: number | undefined): string {
    if (index === undefined || index < 0 || index >= this.#states.length) return `an unknown node (${index})`;
    const story = this.#history.storyOf(index);
    return (
      `node "${this.#nameOf(index)}" in state ${NODE_STATE_NAMES[this.#states[index] as number]}` +
      ` (history: ${story.length === 0 ? 'none' : story.join(', ')})`
    );
  }

  #firstIn(state: NodeState): number | undefined {
    for (let index = 0; index < this.#states.length; index++) {
      if (this.#states[index] === state) return index;
    }
    return undefined;
  }

  #nameOf(index: number): string {
    return this.#plan.nodes[index]?.name ?? `#${index}`;
  }
}
