/**
 * A worker's thread pool, renewed when task code changes on disk. Threads import a task module
 * once and keep it: ES modules cannot be reloaded. So when a job names a module whose content
 * differs from what this pool's threads may have imported (the project was redeployed, a test
 * edited it), new jobs go to a fresh pool, and the old one ends once its running jobs are done.
 */
import { TaskPool } from '../threads/task-pool.js';

export class FreshThreads {
  readonly #threads: number;
  #pool: TaskPool;
  /** Jobs running on each pool; a replaced pool ends when its count falls to 0. */
  readonly #running = new Map<TaskPool, number>();
  /** The hash of every project module handed to the current pool, by path. */
  #hashes = new Map<string, string>();

  constructor(threads: number) {
    this.#threads = threads;
    this.#pool = new TaskPool({ threads });
  }

  /**
   * The pool for a job whose modules have `hashes` (path → content hash), renewed first when
   * one of them differs from what the current pool may have loaded. Call {@link release} after.
   */
  acquire(hashes: ReadonlyMap<string, string>): TaskPool {
    for (const [path, hash] of hashes) {
      const known = this.#hashes.get(path);
      if (known !== undefined && known !== hash) {
        this.#renew();
        break;
      }
    }
    for (const [path, hash] of hashes) this.#hashes.set(path, hash);
    const pool = this.#pool;
    this.#running.set(pool, (this.#running.get(pool) ?? 0) + 1);
    return pool;
  }

  release(pool: TaskPool): void {
    const left = (this.#running.get(pool) ?? 1) - 1;
    if (left > 0 || pool === this.#pool) {
      this.#running.set(pool, left);
      return;
    }
    this.#running.delete(pool);
    void pool.close();
  }

  async close(): Promise<void> {
    const pools = new Set([this.#pool, ...this.#running.keys()]);
    await Promise.all([...pools].map((pool) => pool.close()));
  }

  #renew(): void {
    const old = this.#pool;
    this.#pool = new TaskPool({ threads: this.#threads });
    this.#hashes = new Map();
    if ((this.#running.get(old) ?? 0) === 0) {
      this.#running.delete(old);
      void old.close();
    }
  }
}
