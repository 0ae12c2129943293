/** tinypool (vitest's fork of Piscina) running peer-work.mjs. */
import { fileURLToPath } from 'node:url';
import Tinypool from 'tinypool';
import type { PeerMessage, PeerPool } from './peer-pool.js';

const workerFile = fileURLToPath(new URL('../fixtures/raw-tinypool-worker.mjs', import.meta.url));

/** A tinypool of `threads` threads, all started at once. */
export function tinypoolPeer(threads: number): PeerPool {
  const pool = new Tinypool({ filename: workerFile, minThreads: threads, maxThreads: threads });
  return {
    name: 'tinypool',
    run: (message: PeerMessage, transferList?: ArrayBuffer[]) =>
      pool.run(message, transferList === undefined ? {} : { transferList }),
    close: () => pool.destroy(),
  };
}
