/**
 * Sends commands to Redis in one round trip, in their order, without copying large values.
 * A pipeline copies every argument into one buffer before it writes it, after each command has
 * already been copied into its own (ioredis builds a command's bytes before it writes them):
 * for a 10 MB part that is two copies. So a command with a large argument goes on its own, right
 * after the pipeline of the small commands before it, and writes its large argument to the
 * socket as it is (uncopied-command.ts): ioredis writes commands to the socket in the order they
 * are called (or queues them in that order while it reconnects), and Redis runs a connection's
 * commands in the order they arrive, so the order holds and nothing waits for a reply in between.
 * A large argument's memory must not change until its reply: the caller awaits it.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { uncopiedCommand } from './uncopied-command.js';

/** A command: its name, then its arguments. */
export type RedisCommand = readonly [name: string, ...args: (string | number | Buffer)[]];

/** The reply to one command: its error, or null and its result. */
export type RedisReply = readonly [error: Error | null, result: unknown];

/** Arguments of at least this many bytes go in a command of their own, not in a pipeline. */
const largeArgumentBytes = 64 * 1024;

/**
 * Sends `commands` in order in one round trip; resolves to one reply each, in order (never
 * rejects: a failed command, or a lost connection, is its reply's error). Strings come back as
 * buffers.
 *
 * @example
 * const [[, head], [, alive]] = await sendInOrder(redis, [['set', key, bytes], ['exists', aliveKey]]);
 */
export async function sendInOrder(redis: Redis, commands: readonly RedisCommand[]): Promise<RedisReply[]> {
  const pending: Promise<RedisReply[]>[] = [];
  let pipeline: ChainableCommander | undefined;
  let piped = 0;
  const flush = (): void => {
    if (pipeline === undefined) return;
    const count = piped;
    pending.push(
      pipeline.exec().then(
        (replies) => replies ?? failAll(count, new Error('the pipeline was discarded')),
        (error: Error) => failAll(count, error),
      ),
    );
    pipeline = undefined;
    piped = 0;
  };
  for (const [name, ...args] of commands) {
    if (args.some((arg) => Buffer.isBuffer(arg) && arg.byteLength >= largeArgumentBytes)) {
      flush();
      const command = uncopiedCommand(name, args, {
        replyEncoding: null,
        ...(redis.options.keyPrefix === undefined ? {} : { keyPrefix: redis.options.keyPrefix }),
      });
      pending.push(
        (redis.sendCommand(command) as Promise<unknown>).then(
          (result): RedisReply[] => [[null, result]],
          (error: Error): RedisReply[] => [[error, null]],
        ),
      );
    } else {
      pipeline ??= redis.pipeline();
      pipeline.callBuffer(name, args);
      piped++;
    }
  }
  flush();
  return (await Promise.all(pending)).flat();
}

function failAll(count: number, error: Error): RedisReply[] {
  return Array.from({ length: count }, (): RedisReply => [error, null]);
}
