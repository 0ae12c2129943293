/**
 * Drives a run in the main thread (LocalWorkflow): nodes run one at a time, in the order the
 * run core's ready queue gives (priority, then canonical order), async nodes awaited.
 *
 * The fast path matters here: a synchronous node without retries, timeout or signal is called
 * straight from the loop, with no promise, no timer and no allocation of its own beyond its
 * arguments. Only nodes that need it (async, stored, retried, timed) go through promises.
 * Which tasks take the fast path is main-thread-fast-path.ts's rule; an attempt on the full
 * path (plugin, timeout watched) is MainThreadAttempts' (main-thread-attempts.ts); what a node
 * that may be retried keeps, its inputs and its delay's timer, MainThreadRetries'
 * (main-thread-retries.ts); where results go, ResultFlow's (result-flow.ts, shared with the thread-pool driver).
 */
import { eventTime } from '../events/workflow-events.js';
import { withDeadline } from '../executor/deadline.js';
import type { Node } from '../graph/node.js';
import { idleRun } from '../scheduler/idle-run.js';
import type { NodePlace, RunEvent, RunInstruction } from '../scheduler/run-events.js';
import type { PreparedRun } from '../scheduler/run-setup.js';
import { keepShapes } from '../util/kept-shapes.js';
import { isThenable } from '../util/thenable.js';
import type { ResolvedNodeOptions } from '../workflow/node-options.js';
import { MainThreadAttempts, type NodeInputs } from './main-thread-attempts.js';
import { isPlainRun, isPlainTask } from './main-thread-fast-path.js';
import { MainThreadRetries } from './main-thread-retries.js';
import { ResultFlow } from './result-flow.js';
import { ResultStore } from './result-store.js';

/**
 * How long a run with a signal goes without turning the event loop, in ms: a signal aborted by
 * a timer or by I/O (a request, SIGINT) is seen only once the loop turns, and a graph of
 * synchronous nodes would otherwise hold the thread to its end.
 */
const turnEveryMs = 10;
/** Where every node of this driver runs. */
const mainThread: NodePlace = { threadId: 0 };

/** A run started in the main thread. */
export interface MainThreadRunHandle {
  /** The results by plan index (leaves kept, others released); rejects with the run's error. */
  readonly results: Promise<readonly unknown[]>;
  /**
   * Cancels the run as its signal would (LocalWorkflow.close() during run()), once the node
   * running now has returned: with no signal, nothing interrupts a node that is awaited.
   */
  cancel(reason: unknown): void;
}

/** Starts running every node. */
export function startInMainThread(run: PreparedRun): MainThreadRunHandle {
  const driver = new MainThreadRun(run);
  return { results: driver.execute(), cancel: (reason) => driver.cancel(reason) };
}

/** An instruction that asks for work (settling ends the loop instead). */
type WorkInstruction = Exclude<RunInstruction, { readonly kind: 'settle' }>;

class MainThreadRun {
  readonly #run: PreparedRun;
  readonly #store: ResultStore;
  readonly #results: ResultFlow;
  readonly #retries: MainThreadRetries;
  readonly #attempts = new MainThreadAttempts();
  /** Instructions not carried out yet, oldest first. */
  readonly #instructions: WorkInstruction[] = [];
  /** Resolves the wait for a retry's delay. */
  #wake: (() => void) | undefined;
  #settled = false;
  #cancelSent = false;
  /** When a run with a signal next turns the event loop (performance.now()). */
  #nextTurnAt = 0;
  /** A cancellation from outside the signal (close()), with its reason. */
  #cancelled: { readonly reason: unknown } | undefined;

  /** Every task node takes the fast path, decided once for the run rather than node by node. */
  readonly #plainRun: boolean;

  constructor(run: PreparedRun) {
    this.#run = run;
    this.#plainRun = isPlainRun(run);
    this.#store = new ResultStore(run.plan, false);
    this.#results = new ResultFlow(run, this.#store);
    this.#retries = new MainThreadRetries(run, this.#store, (index) => this.#retryDue(index));
  }

  async execute(): Promise<readonly unknown[]> {
    const { core, signal } = this.#run;
    const onAbort = (): void => this.#wake?.();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      this.#tell({ kind: 'start' });
      while (!this.#settled) {
        if (this.#cancelIfAborted()) continue;
        const instruction = this.#instructions.shift();
        if (instruction !== undefined) {
          await this.#carryOut(instruction);
          continue;
        }
        const index = core.takeReady();
        if (index !== undefined) {
          const pending = this.#call(index);
          if (pending !== undefined) await pending;
          if (signal !== undefined && performance.now() >= this.#nextTurnAt) await this.#turnEventLoop();
          continue;
        }
        // Nothing to do but wait for a retry's delay (or the signal).
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.#retries.stopTimers();
      await this.#attempts.close();
    }
    const failure = core.finalError();
    if (failure !== undefined) throw failure;
    return this.#store.results;
  }

  /**
   * Lets the event loop run its timers and I/O. Two immediates: the first runs in this turn's
   * check phase, after the timers; the second, queued from it, in the next turn's, after that
   * turn's timers. Microseconds, against the millisecond a timer would wait at least.
   */
  async #turnEventLoop(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));
    this.#nextTurnAt = performance.now() + turnEveryMs;
  }

  /** Cancels the run at the loop's next turn, as an aborted signal would. */
  cancel(reason: unknown): void {
    this.#cancelled ??= { reason };
    this.#wake?.();
  }

  /** Tells the core of a cancellation once, as soon as the signal or {@link cancel} is seen. */
  #cancelIfAborted(): boolean {
    if (this.#cancelSent) return false;
    const { signal } = this.#run;
    const cancelled = signal?.aborted === true ? { reason: signal.reason } : this.#cancelled;
    if (cancelled === undefined) return false;
    this.#cancelSent = true;
    this.#tell({ kind: 'cancel', reason: cancelled.reason });
    return true;
  }

  #tell(event: RunEvent): void {
    const instructions = this.#run.core.handle(event);
    for (const instruction of instructions) {
      if (instruction.kind === 'settle') this.#settled = true;
      else this.#instructions.push(instruction);
    }
  }

  async #carryOut(instruction: WorkInstruction): Promise<void> {
    switch (instruction.kind) {
      case 'read-stored':
        this.#tell(await this.#results.readStored(instruction.index));
        return;
      case 'call-actor': {
        const pending = this.#call(instruction.index);
        if (pending !== undefined) await pending;
        return;
      }
      case 'save':
        this.#tell(await this.#results.save(instruction.index));
        return;
      case 'retry-later':
        this.#retries.later(instruction.index, instruction.delayMs);
        return;
      case 'stop-running':
        // The node running now (if any) is awaited with the signal, which already rejected it.
        this.#retries.stopTimers();
        return;
    }
  }

  /** A retry's delay is over (while the loop awaits a node, or its wake): the node is ready again. */
  #retryDue(index: number): void {
    this.#tell({ kind: 'retry-due', index });
    this.#wake?.();
  }

  /**
   * Calls node `index` and reports the outcome. Returns a promise only when the node is async
   * or needs one (timeout, signal): the synchronous fast path returns undefined.
   */
  #call(index: number): Promise<void> | undefined {
    const run = this.#run;
    const node = this.#node(index);
    const { callable } = node;
    if (this.#plainRun && callable.kind === 'task') return this.#callPlainTask(index, node, callable.fn);
    if (callable.kind === 'task' && isPlainTask(run, index))
      return this.#callPlainTask(index, node, callable.fn);
    const { timeout } = run.nodeOptions[index] as ResolvedNodeOptions;
    let inputs: NodeInputs;
    try {
      inputs = this.#retries.inputsOf(index);
    } catch (error) {
      this.#tell({ kind: 'refused', index, error });
      return undefined;
    }
    const startedAt = run.timings.enabled ? eventTime() : 0;
    let value: unknown;
    try {
      value = this.#attempts.call(node, inputs, run.plugins[index], timeout);
    } catch (error) {
      this.#failed(index, error);
      return undefined;
    }
    if (!isThenable(value) && run.signal === undefined) {
      this.#succeeded(index, value, startedAt);
      return undefined;
    }
    return withDeadline(Promise.resolve(value), node.name, timeout, run.signal).then(
      (result) => this.#succeeded(index, result, startedAt),
      (error: unknown) => {
        if (run.signal?.aborted) {
          this.#retries.forget(index);
          this.#cancelIfAborted();
          this.#tell({ kind: 'attempt-stopped', index });
        } else {
          this.#failed(index, error);
        }
      },
    );
  }

  /**
   * The fast path: a task with no plugin, retries, timeout, signal or timing listener. No
   * closure, no promise unless the task is async, and one reused event object per outcome.
   */
  #callPlainTask(index: number, node: Node, fn: (...args: unknown[]) => unknown): Promise<void> | undefined {
    let value: unknown;
    try {
      value = this.#store.callWithArguments(index, fn);
    } catch (error) {
      this.#failed(index, error);
      return undefined;
    }
    if (isThenable(value)) {
      return Promise.resolve(value).then(
        (result) => this.#succeeded(index, result, 0),
        (error: unknown) => this.#failed(index, error),
      );
    }
    if (this.#run.stored?.isCached(node)) {
      this.#succeeded(index, value, 0);
      return undefined;
    }
    this.#store.store(index, value);
    const event = this.#succeededEvent;
    event.index = index;
    this.#tell(event);
    return undefined;
  }

  /** Reused for every plain success: the core reads an event and keeps nothing of it. */
  readonly #succeededEvent: { kind: 'attempt-succeeded'; index: number } = {
    kind: 'attempt-succeeded',
    index: -1,
  };

  #failed(index: number, error: unknown): void {
    this.#tell({ kind: 'attempt-failed', index, error, place: mainThread });
    this.#retries.failed(index);
  }

  #succeeded(index: number, value: unknown, startedAt: number): void {
    const { timings } = this.#run;
    this.#retries.forget(index);
    this.#results.computed(index, this.#node(index), value);
    this.#tell(
      timings.enabled
        ? {
            kind: 'attempt-succeeded',
            index,
            // The main thread is thread 0; a node starts the moment it is taken from the queue.
            timing: { threadId: 0, startedAt, durationMs: eventTime() - startedAt },
          }
        : { kind: 'attempt-succeeded', index },
    );
  }

  #node(index: number): Node {
    return this.#run.plan.nodes[index] as Node;
  }
}

// One driver object over the kept idle run, so its class, the result store's and its parts'
// (held in its fields) keep their hidden classes between runs (see util/kept-shapes.ts).
keepShapes(new MainThreadRun(idleRun()));
