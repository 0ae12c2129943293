/**
 * A real cluster for the BullMQ tests (see cluster-processes.ts): run where redis-server is
 * found, required with CI=true, else skipped with one line saying how to enable them.
 */
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
