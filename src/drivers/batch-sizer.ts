/**
 * Decides how many ready nodes go to a worker in one message. A round trip to a worker costs
 * tens of microseconds; for nodes that take microseconds, sending them one by one would make
 * the pool slower than the main thread. Nodes whose function is known to be quick are sent
 * together, up to a time budget; slow or not yet measured ones go alone, so heavy work still
 * spreads over every thread.
 */
export class BatchSizer {
  /** Average duration of each function, in ms (exponentially weighted). */
  readonly #averageMs = new Map<unknown, number>();
  readonly #budgetMs: number;
  readonly #maxBatchSize: number;

  constructor(budgetMs: number, maxBatchSize: number) {
    this.#budgetMs = budgetMs;
    this.#maxBatchSize = maxBatchSize;
  }

  get maxBatchSize(): number {
    return this.#maxBatchSize;
  }

  /** Records how long one call of `definition` took in a worker. */
  record(definition: unknown, durationMs: number): void {
    const previous = this.#averageMs.get(definition);
    this.#averageMs.set(definition, previous === undefined ? durationMs : previous * 0.8 + durationMs * 0.2);
  }

  /** The expected duration of a call, or undefined when it was never measured. */
  estimate(definition: unknown): number | undefined {
    return this.#averageMs.get(definition);
  }

  get budgetMs(): number {
    return this.#budgetMs;
  }
}
