import { WorkflowClosedError } from '../errors.js';

/** A run that can be stopped from outside (close() during run()). */
export interface StoppableRun {
  cancel(reason: unknown): void;
}

/** A run under way, so that `close()` can stop it and the run can say why it ended. */
interface ActiveRun {
  closed: boolean;
  handle: StoppableRun | undefined;
  /** Settles when the run has (either way). */
  ended: Promise<unknown>;
}

/**
 * The runs under way on a workflow whose close() ends what they run on (threads, connections):
 * close() stops each, and each rejects with a WorkflowClosedError saying so.
 */
export class ActiveRuns {
  readonly #runs = new Set<ActiveRun>();
  readonly #workflowName: string;
  /** What close() ends, for the message: `worker threads`, `Redis connections` (none: undefined). */
  readonly #resources: string | undefined;

  constructor(workflowName: string, resources: string | undefined) {
    this.#workflowName = workflowName;
    this.#resources = resources;
  }

  /**
   * Runs `body`; `started(handle)` registers its stoppable part once it has one. A run stopped by
   * close() rejects with a WorkflowClosedError whose cause is how it ended.
   */
  async track<T>(body: (started: (handle: StoppableRun) => void) => Promise<T>): Promise<T> {
    const active: ActiveRun = { closed: false, handle: undefined, ended: Promise.resolve() };
    this.#runs.add(active);
    const running = body((handle) => {
      active.handle = handle;
      if (active.closed) handle.cancel(this.#closedReason());
    });
    active.ended = running.catch(() => undefined);
    try {
      return await running;
    } catch (error) {
      if (!active.closed) throw error;
      throw new WorkflowClosedError(
        `Workflow "${this.#workflowName}" was closed while running: close() stopped its nodes` +
          `${this.#resources === undefined ? '' : ` and ended its ${this.#resources}`} before run() settled. ` +
          'Await run() before calling close().',
        { cause: error },
      );
    } finally {
      this.#runs.delete(active);
    }
  }

  /** Stops every run under way (close() was called); resolves once each has ended. */
  stopAll(): Promise<void> {
    const ending: Promise<unknown>[] = [];
    for (const active of this.#runs) {
      active.closed = true;
      active.handle?.cancel(this.#closedReason());
      ending.push(active.ended);
    }
    return Promise.all(ending).then(() => undefined);
  }

  #closedReason(): Error {
    return new Error(`Workflow "${this.#workflowName}" was closed`);
  }
}
