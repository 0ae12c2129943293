/** workerpool (worker_threads mode) running peer-work.mjs. */
import { fileURLToPath } from 'node:url';
import workerpool from 'workerpool';
import type { PeerMessage, PeerPool } from './peer-pool.js';

const workerFile = fileURLToPath(new URL('../fixtures/raw-workerpool-worker.mjs', import.meta.url));

/** A workerpool of `threads` worker threads, all started at once. */
export function workerpoolPeer(threads: number): PeerPool {
  const pool = workerpool.pool(workerFile, {
    minWorkers: threads,
    maxWorkers: threads,
    workerType: 'thread',
  });
  return {
    name: 'workerpool',
    run: (message: PeerMessage, transferList?: ArrayBuffer[]) =>
      pool.exec('run', [message], transferList === undefined ? {} : { transfer: transferList }),
    close: () => pool.terminate().then(() => undefined),
  };
}
