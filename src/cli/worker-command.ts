/**
 * `functionfuse worker`: one cluster worker in this process, until Ctrl-C or SIGTERM. The first
 * signal stops taking jobs and lets the running ones finish (another worker takes nothing
 * twice); a second ends the process at once, and BullMQ hands its jobs to another worker once
 * their locks lapse.
 */
import { startWorker } from '../cluster/cluster-worker.js';
import { ExitCode } from './cli-errors.js';
import type { CliStreams } from './cli-streams.js';
import type { InterruptSignal, InterruptSource } from './interrupts.js';

export interface WorkerCommandOptions {
  readonly connection: string;
  readonly threads?: number;
  readonly queue?: string;
  readonly root?: string;
  readonly lockDuration?: number;
}

export async function workerCommand(
  options: WorkerCommandOptions,
  streams: CliStreams,
  interrupts: InterruptSource,
): Promise<number> {
  const worker = await startWorker({
    connection: options.connection,
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.queue === undefined ? {} : { queueName: options.queue }),
    ...(options.root === undefined ? {} : { root: options.root }),
    ...(options.lockDuration === undefined ? {} : { lockDurationMs: options.lockDuration }),
  });
  streams.stderr.write(
    `functionfuse worker ${worker.id}: ${worker.threads} thread${worker.threads === 1 ? '' : 's'} on queue ` +
      `"${worker.queueName}" at ${options.connection}, root ${options.root ?? process.cwd()}. Ready; Ctrl-C stops it.\n`,
  );
  const signal = await new Promise<InterruptSignal>((resolve) => {
    interrupts.listen(resolve);
  });
  streams.stderr.write(`functionfuse worker ${worker.id}: ${signal}, finishing the jobs it holds\n`);
  await worker.close();
  // Stopping a worker is how it ends: not a failure.
  return ExitCode.ok;
}
