/**
 * Coordinator side: deletes results, each its head and the parts its head counts, in one step
 * on the server. The coordinator does not always know a result's part count (a job still out when
 * the run ends, an actor's snapshot), and reading heads first would be a round trip more, with
 * a window for a write in between. The script reads only the four bytes of each head's count
 * (GETRANGE), never a value, so it costs what the deletions cost. Every key it touches carries
 * the run's hash tag, so on a Redis Cluster they share a shard.
 */
import type { Redis } from 'ioredis';
import { resultKey } from './run-keys.js';

/** KEYS: result heads; a head's parts are its key, `:` and 0, 1… (run-keys.ts, resultPartKey). */
const deleteScript = `
local deleted = 0
for _, key in ipairs(KEYS) do
  local count = redis.call('GETRANGE', key, 4, 7)
  if #count == 4 then
    for part = 0, struct.unpack('<I4', count) - 1 do
      deleted = deleted + redis.call('DEL', key .. ':' .. part)
    end
  end
  deleted = deleted + redis.call('DEL', key)
end
return deleted
`;

/** How many results one script call deletes: a long script would hold up Redis for everyone. */
const resultsPerCall = 1000;

/**
 * Deletes the results of nodes `indexes` of run `runId` with their parts; resolves to how many
 * keys went.
 *
 * @example
 * await deleteResults(redis, runId, [3, 4]);
 */
export async function deleteResults(
  redis: Redis,
  runId: string,
  indexes: readonly number[],
): Promise<number> {
  const calls: Promise<unknown>[] = [];
  for (let start = 0; start < indexes.length; start += resultsPerCall) {
    const keys = indexes.slice(start, start + resultsPerCall).map((index) => resultKey(runId, index));
    calls.push(redis.eval(deleteScript, keys.length, ...keys));
  }
  const counts = await Promise.all(calls);
  return counts.reduce((total: number, count) => total + Number(count), 0);
}
