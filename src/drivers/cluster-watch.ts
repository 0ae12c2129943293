/**
 * Coordinator side: what a cluster run watches besides its jobs. Redis itself (gone longer than
 * `redisLostMs`, the run fails with a RedisConnectionError naming the URL) and the workers'
 * heartbeats (jobs out and no live worker on the queue for `workerWaitMs`, the run fails rather
 * than wait for ever). Either ends the run whatever its nodes do.
 */
import { watchConnection } from '../cluster/redis-connection.js';
import { hasWorkers } from '../cluster/worker-presence.js';
import { FunctionFuseError, RedisConnectionError } from '../errors.js';
import type { ClusterConnections } from './cluster-connections.js';

/** What {@link watchCluster} watches, and whom it tells. */
export interface ClusterWatch {
  readonly connections: ClusterConnections;
  /** How long Redis may be unreachable before the run fails, in ms. */
  readonly redisLostMs: number;
  /** How long jobs may wait with no live worker on the queue before the run fails, in ms. */
  readonly workerWaitMs: number;
  /** The server's URL, for messages. */
  readonly url: string;
  readonly workflowName: string;
  /** Whether jobs are out (with none, no worker is needed). */
  readonly jobsOut: () => boolean;
  /** Called every second, as the heartbeats are checked (actor calls check their holders). */
  readonly onTick: () => void;
  /** The run cannot go on: called once at most. */
  readonly fail: (error: Error) => void;
}

/** How often the workers' heartbeats are checked, in ms. */
const presenceCheckMs = 1000;

/**
 * Starts watching; resolves nothing, returns the function that stops it.
 *
 * @example
 * const stop = watchCluster({ connections, redisLostMs, workerWaitMs, url, workflowName,
 *   jobsOut: () => inFlight.size > 0, onTick: () => {}, fail: (error) => run.cancel(error) });
 */
export function watchCluster(watch: ClusterWatch): () => void {
  const { connections, redisLostMs, workerWaitMs, url, workflowName } = watch;
  let failed = false;
  const fail = (error: Error): void => {
    if (failed) return;
    failed = true;
    watch.fail(error);
  };
  const stopLossWatch = watchConnection(connections.redis, redisLostMs, (cause) =>
    fail(
      new RedisConnectionError(
        `Lost Redis at ${url} for more than ${redisLostMs} ms during a run of workflow "${workflowName}": ` +
          `${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      ),
    ),
  );
  const { redis, queueName } = connections;
  let alone: number | undefined;
  let checking = false;
  const timer = setInterval(() => {
    watch.onTick();
    if (!watch.jobsOut() || checking) {
      alone = undefined;
      return;
    }
    checking = true;
    hasWorkers(redis, queueName)
      .then((present) => {
        if (present) alone = undefined;
        else if (alone === undefined) alone = Date.now();
        else if (Date.now() - alone >= workerWaitMs) {
          fail(
            new FunctionFuseError(
              `No functionfuse worker took the jobs of workflow "${workflowName}" on queue "${queueName}" at ` +
                `${url} for ${workerWaitMs} ms: start one on each machine with \`npx functionfuse worker --connection ` +
                `${url} --queue ${queueName}\`.`,
            ),
          );
        }
      })
      .catch(() => undefined)
      .finally(() => {
        checking = false;
      });
  }, presenceCheckMs);
  timer.unref();
  return () => {
    stopLossWatch();
    clearInterval(timer);
  };
}
