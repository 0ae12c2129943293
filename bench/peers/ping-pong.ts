/**
 * The floor of a chain's hop: one bare worker_threads Worker echoing numbers, each sent when
 * the answer to the one before has arrived. No pool, no queue, no task wrapper.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const workerFile = fileURLToPath(new URL('../fixtures/ping-pong-worker.mjs', import.meta.url));

/** A started ping-pong worker: `roundTrips(n)` sends n messages one after another. */
export interface PingPong {
  roundTrips(count: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts the worker and waits for its first answer, so a measured loop pays for no start. */
export async function startPingPong(): Promise<PingPong> {
  const worker = new Worker(workerFile);
  let answer: ((value: number) => void) | undefined;
  worker.on('message', (value: number) => answer?.(value));
  const send = (value: number) =>
    new Promise<number>((resolve) => {
      answer = resolve;
      worker.postMessage(value);
    });
  await send(0);
  return {
    async roundTrips(count: number) {
      let value = 0;
      for (let trip = 0; trip < count; trip++) value = await send(value);
    },
    close: () => worker.terminate().then(() => undefined),
  };
}
