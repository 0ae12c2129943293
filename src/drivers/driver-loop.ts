/**
 * What every driver whose nodes run elsewhere shares (threads, the cluster): start the run and
 * wire its signal, hand each event to the run core and carry out what it says, keep retry
 * timers, and turn a bug in a completion handler into the end of the run rather than a hang.
 * A driver adds where nodes go: how ready nodes are sent (`pump`), how stored results are read
 * and saved, how actors are called, how running attempts are stopped, and how the run ends.
 */
import { InternalError } from '../errors.js';
import type { RunEvent, RunInstruction } from '../scheduler/run-events.js';
import type { PreparedRun } from '../scheduler/run-setup.js';

/** How a run's promise is settled. */
export interface RunSettlement {
  resolve(results: readonly unknown[]): void;
  reject(error: Error): void;
}

export abstract class DriverLoop {
  protected readonly run: PreparedRun;
  /** Names the driver in the InternalError of a breakdown: `ThreadWorkflow's driver`. */
  readonly #name: string;
  #settlement: RunSettlement | undefined;
  readonly #retryTimers = new Map<number, NodeJS.Timeout>();
  /**
   * Above 0, events do not send ready nodes: while the run starts (nothing is sent before a
   * signal that already fired is heard), and while a batch's outcomes are applied (a node that
   * already ran inside the batch becomes ready on the way, and must not be sent again).
   */
  #pumpHeld = 0;
  /** Whether startRun() was called: a cancel before it is kept for it. */
  #started = false;
  /**
   * A cancel that came before startRun() (close() while the driver was still getting ready, as
   * the BullMQ driver does in Redis): the run starts stopped, as with a signal already fired.
   */
  #earlyCancel: { readonly reason: unknown } | undefined;

  constructor(run: PreparedRun, name: string) {
    this.run = run;
    this.#name = name;
  }

  /** Starts the run: resolves to the results by plan index, or rejects with the run's error. */
  protected startRun(): Promise<readonly unknown[]> {
    return new Promise((resolve, reject) => {
      this.#settlement = { resolve, reject };
      this.#started = true;
      const { signal } = this.run;
      this.guarded(() => {
        this.withPumpHeld(() => this.tell({ kind: 'start' }));
        if (this.#earlyCancel !== undefined) this.tell({ kind: 'cancel', reason: this.#earlyCancel.reason });
        else if (signal?.aborted) this.tell({ kind: 'cancel', reason: signal.reason });
        else {
          this.pump();
          signal?.addEventListener(
            'abort',
            () => this.guarded(() => this.tell({ kind: 'cancel', reason: signal.reason })),
            { once: true },
          );
        }
      });
    });
  }

  /** Cancels the run from outside its signal (close() during run()); a settled run is left as it is. */
  cancel(reason: unknown): void {
    if (!this.#started) {
      this.#earlyCancel ??= { reason };
      return;
    }
    if (this.#settlement === undefined || this.run.core.stopped) return;
    this.guarded(() => this.tell({ kind: 'cancel', reason }));
  }

  /** Whether the run has settled (or not yet started): what is idle now is not this run's. */
  protected get settled(): boolean {
    return this.#settlement === undefined;
  }

  /** Hands an event to the core, carries out its instructions, then sends what is ready. */
  protected tell(event: RunEvent): void {
    for (const instruction of this.run.core.handle(event)) this.#carryOut(instruction);
    if (this.#pumpHeld === 0) this.pump();
  }

  /** Runs `apply` with events sending nothing; the caller pumps after, once. */
  protected withPumpHeld(apply: () => void): void {
    this.#pumpHeld++;
    try {
      apply();
    } finally {
      this.#pumpHeld--;
    }
  }

  /** Sends ready task nodes while there is room. */
  protected abstract pump(): void;
  protected abstract readStored(index: number): void;
  protected abstract save(index: number): void;
  protected abstract callActor(index: number): void;
  /** The run stopped (cancelled, failFast): stop every running attempt, each reported as attempt-stopped. */
  protected abstract stopRunning(): void;
  /** No node is in flight: end what the driver started, then settle. */
  protected abstract finish(settlement: RunSettlement): void;

  #carryOut(instruction: RunInstruction): void {
    switch (instruction.kind) {
      case 'read-stored':
        this.readStored(instruction.index);
        return;
      case 'call-actor':
        this.callActor(instruction.index);
        return;
      case 'save':
        this.save(instruction.index);
        return;
      case 'retry-later': {
        const { index, delayMs } = instruction;
        const timer = setTimeout(() => {
          this.#retryTimers.delete(index);
          this.guarded(() => this.tell({ kind: 'retry-due', index }));
        }, delayMs);
        this.#retryTimers.set(index, timer);
        return;
      }
      case 'stop-running':
        for (const timer of this.#retryTimers.values()) clearTimeout(timer);
        this.#retryTimers.clear();
        this.stopRunning();
        return;
      case 'settle': {
        const settlement = this.#settlement;
        if (settlement === undefined) return;
        this.#settlement = undefined;
        this.finish(settlement);
        return;
      }
    }
  }

  /** Runs a completion handler (then `then`); a bug in either ends the run with it instead of hanging it. */
  protected guarded(handler: () => void, then?: () => void): void {
    try {
      handler();
    } catch (error) {
      this.breakDown(error);
    }
    if (then === undefined) return;
    try {
      then();
    } catch (error) {
      this.breakDown(error);
    }
  }

  protected breakDown(error: unknown): void {
    let bug: InternalError;
    if (error instanceof InternalError) bug = error;
    else {
      bug = new InternalError(`${this.#name} failed: ${String(error)}`);
      if (error instanceof Error) bug.cause = error;
    }
    try {
      this.tell({ kind: 'break-down', error: bug });
    } catch {
      // The core itself is broken: end the run here, with the first error.
      const settlement = this.#settlement;
      this.#settlement = undefined;
      settlement?.reject(bug);
    }
  }
}
