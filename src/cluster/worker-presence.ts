import type { Redis } from 'ioredis';
import { workerKeyPattern } from './run-keys.js';

/** Whether some worker of `queueName` has refreshed its key lately (see cluster-worker.ts). */
export async function hasWorkers(redis: Redis, queueName: string): Promise<boolean> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', workerKeyPattern(queueName), 'COUNT', 1000);
    if (keys.length > 0) return true;
    cursor = next;
  } while (cursor !== '0');
  return false;
}
