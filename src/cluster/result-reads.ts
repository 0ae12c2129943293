/**
 * Reads results from Redis, each its head and its raw parts (see wire-format.ts), in one round
 * trip for values of at most one part: each result's head and first part come in one MGET (a
 * key that is not there costs nothing), and only a value of several parts needs a second trip
 * for the rest, its head having said how many.
 */
import type { Redis } from 'ioredis';
import { aliveKey, resultKey, resultPartKey } from './run-keys.js';
import { partCount, type StoredValue } from './wire-format.js';

/** What {@link readResults} found. */
export interface ReadResults {
  /** Whether the run's alive key was there (true when it was not asked for). */
  readonly alive: boolean;
  /** By plan index; a result that is not in Redis whole (its head or a part missing) is absent. */
  readonly results: Map<number, StoredValue>;
}

/**
 * The results of nodes `indexes` of run `runId`, and with `checkAlive`, whether the run goes on,
 * read before them in the same round trip.
 *
 * @example
 * const { alive, results } = await readResults(redis, runId, [3, 4], true);
 */
export async function readResults(
  redis: Redis,
  runId: string,
  indexes: readonly number[],
  checkAlive: boolean,
): Promise<ReadResults> {
  const first = redis.pipeline();
  if (checkAlive) first.exists(aliveKey(runId));
  for (const index of indexes) first.mgetBuffer(resultKey(runId, index), resultPartKey(runId, index, 0));
  const replies = (await first.exec()) ?? [];
  const alive = !checkAlive || (replies[0]?.[0] === null && replies[0][1] === 1);
  const found = new Map<number, { head: Buffer; parts: (Buffer | null)[]; count: number }>();
  indexes.forEach((index, position) => {
    const [error, reply] = replies[position + (checkAlive ? 1 : 0)] ?? [null, null];
    const [head, part] = error === null ? (reply as (Buffer | null)[]) : [null, null];
    if (!Buffer.isBuffer(head)) return;
    let count: number;
    try {
      count = partCount(head);
    } catch {
      count = 0; // not a value of ours: unpackValue says so to the node that reads it
    }
    found.set(index, { head, parts: count === 0 ? [] : [part ?? null], count });
  });
  const more = [...found].filter(([, value]) => value.count > 1);
  if (more.length > 0) {
    const second = redis.pipeline();
    for (const [index, value] of more) {
      const keys = Array.from({ length: value.count - 1 }, (_, offset) =>
        resultPartKey(runId, index, offset + 1),
      );
      second.mgetBuffer(...keys);
    }
    const rest = (await second.exec()) ?? [];
    more.forEach(([, value], position) => {
      const [error, reply] = rest[position] ?? [null, null];
      value.parts.push(...(error === null ? (reply as (Buffer | null)[]) : [null]));
    });
  }
  const results = new Map<number, StoredValue>();
  for (const [index, { head, parts, count }] of found) {
    if (parts.length === count && parts.every((part) => part !== null)) {
      results.set(index, { head, parts: parts as Buffer[] });
    }
  }
  return { alive, results };
}
