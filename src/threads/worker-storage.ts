/**
 * Worker side of storage: the worker that computed a result seals it (encodes it and computes
 * its checksum, the CPU part of a save, done where the value is), and the main thread writes
 * the sealed record while this worker goes on with its next node.
 */
import { composeRecord, type SealedRecord, sealRecord } from '../storage/sealed-record.js';
import type { SealRequest } from './messages.js';

/**
 * The node's result as a record ready to write. Throws `UnstorableResultError` for what
 * storage cannot keep.
 */
export function sealInWorker(request: SealRequest, nodeName: string, value: unknown): SealedRecord {
  return sealRecord(composeRecord(request.workflowName, nodeName, value));
}

/**
 * Buffers of a sealed record that can be moved to the main thread rather than copied: the
 * payload, when it owns its whole ArrayBuffer (V8's serializer hands back such a buffer; a
 * view on a shared pool must be copied). Raw parts view the result's own buffers, which travel
 * with the result.
 */
export function movableBuffersOf(record: SealedRecord): ArrayBuffer[] {
  const { payload } = record;
  const owner = payload.buffer;
  const ownsBuffer =
    owner instanceof ArrayBuffer && payload.byteOffset === 0 && payload.byteLength === owner.byteLength;
  return ownsBuffer ? [owner] : [];
}
