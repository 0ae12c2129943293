/**
 * A Redis command whose large arguments go to the socket as they are. ioredis builds a command
 * with a Buffer argument into one new buffer before it writes it (Command.toWritable), which for
 * a 10 MB result part is 10 MB more to allocate and copy on every write, and more external
 * memory for V8 to collect. This command writes its protocol text and each large argument to
 * the socket itself, in order, as ioredis asks for its bytes, and hands back only the last
 * piece for ioredis to write: the socket then sends the same bytes in the same order, and ioredis
 * still queues the command for its reply (or in its offline queue, writing it on reconnection).
 *
 * Only for commands sent on their own (`redis.sendCommand`): inside a pipeline, ioredis gathers
 * every command's bytes before it writes them, and these would overtake the commands before
 * (redis-sends.ts never pipelines a large argument). An argument's memory must stay unchanged
 * until the reply arrives: the socket may still be sending it until then.
 *
 * The class extends ioredis's Command, so it is made when first needed, from the ioredis the
 * client already loaded (CommonJS, so `require` gives it at once, and the command is written
 * before the caller's next one). The package does not import ioredis: every worker thread of a
 * ThreadWorkflow imports the package's index (a task module imports `task` from it), and ioredis
 * with its dependencies would add about 1 MB to each thread's heap, which every full collection
 * there marks again, and tens of milliseconds to each thread's start, in processes that never
 * talk to Redis. Clients and BullMQ are imported on first use for the same reason
 * (redis-connection.ts, bullmq-workflow.ts, cluster-worker.ts).
 */
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import type * as Ioredis from 'ioredis';

type Command = Ioredis.Command;
type CommandOptions = ConstructorParameters<typeof Ioredis.Command>[2];
type CommandArgs = ConstructorParameters<typeof Ioredis.Command>[1];

let UncopiedCommand: ReturnType<typeof uncopiedCommandClass> | undefined;

/**
 * A command `name` with `args` whose Buffer arguments are written to the socket as they are.
 *
 * @example
 * await redis.sendCommand(uncopiedCommand('set', [key, bytes], { replyEncoding: null }));
 */
export function uncopiedCommand(name: string, args: CommandArgs, options: CommandOptions): Command {
  UncopiedCommand ??= uncopiedCommandClass(
    (createRequire(import.meta.url)('ioredis') as typeof Ioredis).Command,
  );
  return new UncopiedCommand(name, args, options);
}

function uncopiedCommandClass(Base: typeof Ioredis.Command) {
  return class UncopiedCommand extends Base {
    /**
     * Writes the command up to its last Buffer argument straight to `socket`, and returns the rest.
     *
     * @param socket The connection's stream, as ioredis passes it.
     */
    override toWritable(socket: object): string | Buffer {
      const stream = socket as Writable;
      let text = `*${this.args.length + 1}\r\n$${Buffer.byteLength(this.name)}\r\n${this.name}\r\n`;
      let corked = false;
      for (const arg of this.args) {
        if (!Buffer.isBuffer(arg)) {
          const value = String(arg);
          text += `$${Buffer.byteLength(value)}\r\n${value}\r\n`;
          continue;
        }
        if (!corked) {
          // The pieces leave in one write of the socket, once this turn ends.
          stream.cork();
          process.nextTick(() => stream.uncork());
          corked = true;
        }
        stream.write(`${text}$${arg.byteLength}\r\n`);
        stream.write(arg);
        text = '\r\n';
      }
      return text;
    }
  };
}
