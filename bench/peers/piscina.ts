/** Raw Piscina running peer-work.mjs: what a hand-written pool on the library under ours costs. */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { PeerMessage, PeerPool } from './peer-pool.js';

const workerFile = fileURLToPath(new URL('../fixtures/raw-piscina-worker.mjs', import.meta.url));

/** A Piscina pool of `threads` threads, all started at once. */
export function piscinaPeer(threads: number): PeerPool & { readonly piscina: Piscina } {
  const piscina = new Piscina({ filename: workerFile, minThreads: threads, maxThreads: threads });
  return {
    name: 'piscina',
    piscina,
    run: (message: PeerMessage, transferList?: ArrayBuffer[]) =>
      piscina.run(message, transferList === undefined ? {} : { transferList }),
    close: () => piscina.destroy(),
  };
}
