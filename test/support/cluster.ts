/**
 * A real cluster for the BullMQ tests (see cluster-processes.ts): run where redis-server is
 * found, required with CI=true, else skipped with one line saying how to enable them.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startRedis as startRedisProcess, type TestRedis } from './cluster-processes.js';
import { systemProgram } from './system-program.js';

export {
  repositoryRoot,
  scanKeys,
  startWorkerProcess,
  type TestRedis,
  type TestWorker,
  type TestWorkerOptions,
} from './cluster-processes.js';

/** redis-server for the test file that calls this at its top level. */
export const redisServer = systemProgram('redis-server', {
  install: 'apt-get install -y redis-server',
  env: 'FUNCTIONFUSE_REDIS_URL',
});

/** A Redis server on a free loopback port, or on `port` (or FUNCTIONFUSE_REDIS_URL's). */
export function startRedis(port?: number): Promise<TestRedis> {
  return startRedisProcess(redisServer.location, port);
}

/** The server and the client {@link useRedisClient} gives a describe block. */
export interface RedisForTests {
  readonly redis: TestRedis;
  readonly client: Redis;
}

/**
 * Starts a Redis server and one ioredis client of it before the tests of the describe block
 * that calls this, and stops both after them. Read the fields inside tests only.
 */
export function useRedisClient(): RedisForTests {
  const current: { redis?: TestRedis; client?: Redis } = {};
  beforeAll(async () => {
    current.redis = await startRedis();
    current.client = new Redis(current.redis.url, { maxRetriesPerRequest: 1 });
  }, 60_000);
  afterAll(async () => {
    current.client?.disconnect();
    await current.redis?.stop();
  }, 60_000);
  return {
    get redis() {
      return current.redis as TestRedis;
    },
    get client() {
      return current.client as Redis;
    },
  };
}
