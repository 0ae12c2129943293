/**
 * FileStorage's worker save step: the worker that computed a result encodes it as a record and
 * computes its checksum (the CPU part of a save); the main thread then only writes the bytes.
 * Imported by worker threads through FileStorage.workerSaveStep, never by the main thread.
 */
import { composeRecord, type SealedRecord, sealRecord } from './sealed-record.js';
import type { PrepareSave } from './storage.js';

/** Seals the node's result as a record ready to write. */
export const sealForSave: PrepareSave = (workflowName, nodeName, value, options) => {
  const sealed = sealRecord(composeRecord(workflowName, nodeName, value, options?.cacheKey));
  return { prepared: sealed, transferList: movableBuffersOf(sealed) };
};

/**
 * Buffers of a sealed record that can be moved to the main thread rather than copied: the
 * payload, when it owns its whole ArrayBuffer (V8's serializer hands back such a buffer; a
 * view on a shared pool must be copied). Raw parts view the result's own buffers, which travel
 * with the result in the same message, so they arrive viewing the same memory.
 */
function movableBuffersOf(record: SealedRecord): ArrayBuffer[] {
  const { payload } = record;
  const owner = payload.buffer;
  const ownsBuffer =
    owner instanceof ArrayBuffer && payload.byteOffset === 0 && payload.byteLength === owner.byteLength;
  return ownsBuffer ? [owner] : [];
}
