/**
 * A command with a large argument written to the socket as it is (UncopiedCommand, through
 * sendInOrder): Redis gets the same bytes, in order with the commands around it, also when the
 * command waits in ioredis's offline queue for the connection.
 */
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { sendInOrder } from '../src/cluster/redis-sends.js';
import { redisServer, useRedisClient } from './support/cluster.js';

/** `bytes` bytes that differ from their neighbours, so a shifted or torn copy shows. */
function pattern(bytes: number, seed: number): Buffer {
  const buffer = Buffer.allocUnsafe(bytes);
  for (let index = 0; index < bytes; index++) buffer[index] = (index * 31 + seed) & 0xff;
  return buffer;
}

describe.runIf(redisServer.runs)('large Redis arguments written uncopied', () => {
  const cluster = useRedisClient();

  it('stores a 3 MB argument bit-exactly, in order with the small commands before and after it', async () => {
    const large = pattern(3 * 1024 * 1024 + 5, 7);
    const small = pattern(100, 3);
    const replies = await sendInOrder(cluster.client, [
      ['set', 'uncopied:a', 'before'],
      ['set', 'uncopied:a', large, 'PX', 60_000],
      ['append', 'uncopied:a', small],
      ['strlen', 'uncopied:a'],
      ['pttl', 'uncopied:a'],
    ]);
    expect(replies.map(([error]) => error)).toEqual([null, null, null, null, null]);
    expect(replies[3]?.[1]).toBe(large.byteLength + small.byteLength);
    expect(replies[4]?.[1]).toBeGreaterThan(0);
    const stored = await cluster.client.getBuffer('uncopied:a');
    expect(stored?.equals(Buffer.concat([large, small]))).toBe(true);
    await cluster.client.del('uncopied:a');
  });

  it('writes two large arguments of one command, and one sent before the connection is up', async () => {
    const late = new Redis(cluster.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      const first = pattern(200_000, 1);
      const second = pattern(300_001, 2);
      // Queued offline (the first command starts a lazy client's connection): ioredis writes it once connected.
      expect(late.status).toBe('wait');
      const sent = sendInOrder(late, [
        ['mset', 'uncopied:b', first, 'uncopied:c', second],
        ['mget', 'uncopied:b', 'uncopied:c'],
      ]);
      const [[setError, setReply], [getError, values]] = (await sent) as [
        [Error | null, unknown],
        [Error | null, Buffer[]],
      ];
      expect([setError, getError]).toEqual([null, null]);
      expect(String(setReply)).toBe('OK');
      expect(values[0]?.equals(first)).toBe(true);
      expect(values[1]?.equals(second)).toBe(true);
      await late.del('uncopied:b', 'uncopied:c');
    } finally {
      late.disconnect();
    }
  });
});
