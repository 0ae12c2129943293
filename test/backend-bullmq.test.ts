/**
 * The behavioural suites of every backend, on BullMQWorkflow: a real Redis server on a free
 * loopback port and two real worker processes (test/support/cluster.ts), stopped by pid after.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { bullmqBackend } from './support/backends.js';
import { describeBackendBehaviour } from './support/behaviour-suite.js';
import {
  redisServer,
  startRedis,
  startWorkerProcess,
  type TestRedis,
  type TestWorker,
} from './support/cluster.js';
import { describeReliability } from './support/reliability-suite.js';
import { describeRunReporting } from './support/run-reporting-suite.js';
import { describeStorageUse } from './support/storage-suite.js';

const queue = 'backend-suites';
let redis: TestRedis | undefined;
const workers: TestWorker[] = [];

describe.runIf(redisServer.runs)('BullMQWorkflow', () => {
  beforeAll(async () => {
    redis = await startRedis();
    const url = redis.url;
    workers.push(...(await Promise.all([1, 2].map(() => startWorkerProcess({ url, queue })))));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    await redis?.stop();
  }, 60_000);

  const backend = bullmqBackend(() => ({ url: redis?.url as string, queue }));
  describeBackendBehaviour(backend);
  describeReliability(backend);
  describeRunReporting(backend);
  describeStorageUse(backend);
});
