/**
 * Thread-pool driver: the jobs it sends again, and the nodes that go alone. A node that may be
 * retried keeps its job (its arguments were copied, not moved, so the job can go again as it
 * is). A batch whose worker died costs its nodes nothing: which of them killed the worker is
 * unknown, so each goes again alone, its job kept, chained ones included once they are ready.
 */
import type { PreparedJob } from './prepared-job.js';

export class ThreadResends {
  /**
   * Nodes whose batch lost its worker: each goes alone from now on. The chaining rules read it
   * too (`threadChaining`): such a node is never chained into a batch.
   */
  readonly alone = new Set<number>();
  /** Jobs kept to be sent again: for a retry, or after their batch's worker was lost. */
  readonly #kept = new Map<number, PreparedJob>();

  /**
   * The kept job of node `index` to send again (alone if its batch lost its worker), or
   * undefined when none is kept.
   *
   * @example
   * resends.kept(4); // undefined: node 4 is prepared afresh
   */
  kept(index: number): PreparedJob | undefined {
    const kept = this.#kept.get(index);
    if (kept === undefined) return undefined;
    return this.alone.has(index) ? { ...kept, solo: true } : kept;
  }

  /**
   * A job just prepared, as it is to be sent: alone if its node's batch lost its worker (a
   * chained node of that batch, ready now), and kept if it may be retried.
   *
   * @example
   * const job = resends.prepared(prepareTaskJob(node, index, store, options, plugin, save));
   */
  prepared(job: PreparedJob): PreparedJob {
    const { index } = job;
    const sent = this.alone.has(index) ? { ...job, solo: true } : job;
    if (sent.retries > 0) this.#kept.set(index, sent);
    return sent;
  }

  /**
   * Node `index`'s batch lost its worker: it goes alone from now on (its job, if it has one,
   * is kept by {@link keep}).
   *
   * @example
   * for (const job of batch) resends.sendAlone(job.index);
   */
  sendAlone(index: number): void {
    this.alone.add(index);
  }

  /**
   * Keeps `prepared` to be sent again as it is: its batch lost its worker, and it goes again
   * not counted as a try.
   *
   * @example
   * resends.keep(job);
   */
  keep(prepared: PreparedJob): void {
    this.#kept.set(prepared.index, prepared);
  }

  /**
   * Node `index` will not go again (it succeeded, failed for good, or was stopped).
   *
   * @example
   * resends.forget(4);
   */
  forget(index: number): void {
    this.#kept.delete(index);
    this.alone.delete(index);
  }
}
