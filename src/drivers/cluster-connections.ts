import type { Queue, QueueEvents } from 'bullmq';
import type { Redis, RedisOptions } from 'ioredis';
import type { ClusterJobData, ClusterJobResult } from '../cluster/cluster-messages.js';

/** A workflow's connections to one queue, kept between runs. */
export interface ClusterConnections {
  readonly redis: Redis;
  readonly queue: Queue<ClusterJobData, ClusterJobResult>;
  readonly events: QueueEvents;
  readonly queueName: string;
  /** ioredis options of the server, for the connections a run opens of its own (actor queues' events). */
  readonly connectionOptions: RedisOptions;
}
