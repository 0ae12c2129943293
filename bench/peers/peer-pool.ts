/**
 * The peers ThreadWorkflow is measured against: worker pools a user would otherwise write
 * `Promise.all` or an await-loop over. Each runs the same work (bench/fixtures/peer-work.mjs)
 * behind one small interface, so a case's loops are written once for all of them.
 */
import type { PeerMessage } from '../fixtures/peer-work.mjs';

export type { PeerMessage } from '../fixtures/peer-work.mjs';

/** A worker pool running peer-work.mjs. */
export interface PeerPool {
  /** How the pool is named in a figures table. */
  readonly name: string;
  /** Runs one message in a worker, moving the buffers of `transferList` rather than copying. */
  run(message: PeerMessage, transferList?: ArrayBuffer[]): PromiseLike<unknown>;
  /** Ends the pool's workers. */
  close(): Promise<void>;
}

/** Sends `hops` noops one after another, each waiting for the one before (a chain's floor). */
export async function awaitLoop(pool: PeerPool, hops: number): Promise<void> {
  let value = 0;
  for (let hop = 0; hop < hops; hop++) value = (await pool.run({ kind: 'noop', value })) as number;
  if (value !== 0) throw new Error(`${pool.name}'s await-loop returned ${value}, expected 0`);
}

/** Sends `count` noops at once and waits for all of them (a flood of independent tasks). */
export async function flood(pool: PeerPool, count: number): Promise<void> {
  await Promise.all(Array.from({ length: count }, (_, index) => pool.run({ kind: 'noop', value: index })));
}

/**
 * Makes an array of `length` doubles in a worker, moves it through `hops` workers that each
 * touch it (there and back, as a chain of nodes moves it through the main thread) and sums it
 * in one more: the peer's version of the transfer benchmark's chain.
 */
export async function arrayChain(pool: PeerPool, length: number, hops: number): Promise<number> {
  let values = (await pool.run({ kind: 'make-array', length })) as Float64Array;
  for (let hop = 0; hop < hops; hop++) {
    values = (await pool.run({ kind: 'touch', values }, [values.buffer as ArrayBuffer])) as Float64Array;
  }
  return (await pool.run({ kind: 'sum-all', values }, [values.buffer as ArrayBuffer])) as number;
}
