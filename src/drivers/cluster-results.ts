/**
 * Coordinator side: the run's keys in Redis. The run's `alive` key is set at the start and
 * refreshed while it runs (a killed coordinator's run lapses by itself); results are read for
 * leaves and saves, written for stored values that remote children need, deleted once their
 * last consumer is done, and everything of the run is deleted at its end.
 */
import type { Redis } from 'ioredis';
import { sendInOrder } from '../cluster/redis-sends.js';
import { deleteResults } from '../cluster/result-deletes.js';
import { readResults } from '../cluster/result-reads.js';
import { resultWrites } from '../cluster/result-writes.js';
import { aliveKey } from '../cluster/run-keys.js';
import { packValue, unpackValue } from '../cluster/wire-format.js';
import { InternalError } from '../errors.js';

/** How long the `alive` key lasts without a refresh, in ms: a killed coordinator's workers stop keeping results after this. */
const aliveTtlMs = 60_000;

export class ClusterResults {
  readonly #redis: Redis;
  readonly #runId: string;
  readonly #resultTtlMs: number;
  /** Every index whose key may exist: deleted at the end whatever happened. */
  readonly #keyed = new Set<number>();
  #refresh: NodeJS.Timeout | undefined;

  constructor(redis: Redis, runId: string, resultTtlMs: number) {
    this.#redis = redis;
    this.#runId = runId;
    this.#resultTtlMs = resultTtlMs;
  }

  /** Marks the run alive, and keeps it so until {@link end}. */
  async begin(): Promise<void> {
    await this.#redis.set(aliveKey(this.#runId), '1', 'PX', aliveTtlMs);
    this.#refresh = setInterval(
      () => void this.#redis.pexpire(aliveKey(this.#runId), aliveTtlMs).catch(() => 0),
      aliveTtlMs / 3,
    );
    this.#refresh.unref();
  }

  /**
   * The run is over for its workers (it was stopped): jobs not yet begun are skipped and results
   * still to come are not kept. Results already written stay readable until {@link end}.
   */
  over(): void {
    clearInterval(this.#refresh);
    void this.#redis.del(aliveKey(this.#runId)).catch(() => 0);
  }

  /** Node `index` may get a result key (a job that computes it was sent). */
  expect(index: number): void {
    this.#keyed.add(index);
  }

  /** Puts a value the coordinator holds (a stored result) where remote children read it. */
  async upload(index: number, value: unknown): Promise<void> {
    this.#keyed.add(index);
    // What the key held goes first (its parts may outnumber the new value's), in the same
    // round trip: both are sent now, in this order, on one connection.
    const cleared = deleteResults(this.#redis, this.#runId, [index]);
    const written = sendInOrder(
      this.#redis,
      resultWrites(this.#runId, index, packValue(value), this.#resultTtlMs),
    );
    await cleared;
    const refused = (await written).find(([error]) => error !== null);
    if (refused !== undefined) throw refused[0];
  }

  /** The result a worker wrote for node `index`. */
  async fetch(index: number, nodeName: string): Promise<unknown> {
    const { results } = await readResults(this.#redis, this.#runId, [index], false);
    const stored = results.get(index);
    if (stored === undefined) {
      throw new InternalError(`the result of node "${nodeName}" was reported but is not in Redis`);
    }
    return unpackValue(stored);
  }

  /** Deletes results nothing reads any more; a failure only leaves them to {@link end}. */
  release(indexes: readonly number[]): void {
    if (indexes.length === 0) return;
    void deleteResults(this.#redis, this.#runId, indexes).catch(() => 0);
  }

  /**
   * Deletes every key of the run, waiting at most `waitMs` (a Redis that is gone must not hold
   * up the run's end; the keys' TTLs remain the backstop).
   */
  async end(waitMs: number): Promise<void> {
    clearInterval(this.#refresh);
    // The alive key goes first: a worker's write that comes after finds the run over and
    // deletes itself; one that came before is among the keys deleted next (result-writes.ts).
    const deletions = [
      this.#redis.del(aliveKey(this.#runId)),
      deleteResults(this.#redis, this.#runId, [...this.#keyed]),
    ];
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(deletions).catch(() => undefined),
      new Promise((resolve) => {
        timer = setTimeout(resolve, waitMs);
      }),
    ]);
    clearTimeout(timer);
  }
}
