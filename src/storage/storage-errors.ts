/**
 * Errors of the storage layer. A workflow tells "nothing stored" ({@link StoredResultMissingError})
 * from "stored but unreadable" ({@link CorruptStoredResultError}) with `instanceof`: both mean
 * "run the node again", but only the second deserves a warning.
 */
import { FunctionFuseError, NodeExecutionError } from '../errors.js';
import { type StaleReason, staleReasonText } from './cache-key.js';

/**
 * No result is stored for the node: it was never saved, or it was removed.
 *
 * @example
 * try {
 *   value = await storage.readTask('demo', 'sum_0000');
 * } catch (error) {
 *   if (!(error instanceof StoredResultMissingError)) throw error;
 *   value = compute();
 * }
 */
export class StoredResultMissingError extends FunctionFuseError {
  override name = 'StoredResultMissingError';
  readonly workflowName: string;
  readonly nodeName: string;

  constructor(workflowName: string, nodeName: string, filePath: string) {
    super(
      `No stored result for node ${JSON.stringify(nodeName)} of workflow ${JSON.stringify(workflowName)} ` +
        `(looked for ${filePath})`,
    );
    this.workflowName = workflowName;
    this.nodeName = nodeName;
  }
}

/**
 * What failed when a stored record was checked:
 * - `bad-header`: not a functionfuse record (wrong magic bytes) or an unreadable metadata block.
 * - `unsupported-version`: written by a functionfuse whose record format this one cannot read.
 * - `truncated`: the record or one of its raw parts is shorter than its header says.
 * - `length-mismatch`: the record or a raw part is longer than its header says.
 * - `missing-raw-part`: a raw part the record references is not on disk.
 * - `checksum-mismatch`: every length is right but the bytes are not the ones written.
 * - `name-mismatch`: the record holds another node's or workflow's result (a hashed long name
 *   collided, or a file was copied by hand).
 * - `undecodable`: the checksum holds but the payload cannot be deserialized (for example it
 *   was written by a newer Node whose serialization format this one does not know).
 * - `not-a-file`: a directory, named pipe (FIFO), socket, device or symbolic link stands where
 *   the record or a raw part belongs; FileStorage never opens such a thing as a result.
 * - `unreadable`: the file system refuses to read the record or a raw part (`EACCES`, `EIO`...).
 * - `too-large`: the record or a raw part is larger than this Node can hold in one buffer.
 *
 * @example
 * if (error instanceof CorruptStoredResultError && error.reason === 'missing-raw-part') ...
 */
export type CorruptionReason =
  | 'bad-header'
  | 'unsupported-version'
  | 'truncated'
  | 'length-mismatch'
  | 'missing-raw-part'
  | 'checksum-mismatch'
  | 'name-mismatch'
  | 'undecodable'
  | 'not-a-file'
  | 'unreadable'
  | 'too-large';

/**
 * A stored record exists but fails its checks, so it is never returned. Workflows treat it as
 * missing: they run the node again, save the new result over it and warn, naming the node.
 *
 * @example
 * try {
 *   value = await storage.readTask('demo', 'train');
 * } catch (error) {
 *   if (!(error instanceof CorruptStoredResultError)) throw error;
 *   console.warn(error.message); // ... is corrupt (checksum-mismatch): ...
 *   value = compute();
 * }
 */
export class CorruptStoredResultError extends FunctionFuseError {
  override name = 'CorruptStoredResultError';
  readonly workflowName: string;
  readonly nodeName: string;
  readonly reason: CorruptionReason;
  /** The file that failed the check: the main record or one of its raw parts. */
  readonly filePath: string;

  constructor(
    workflowName: string,
    nodeName: string,
    reason: CorruptionReason,
    detail: string,
    filePath: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Stored result of node ${JSON.stringify(nodeName)} in workflow ${JSON.stringify(workflowName)} ` +
        `is corrupt (${reason}): ${detail} (${filePath})`,
      options,
    );
    this.workflowName = workflowName;
    this.nodeName = nodeName;
    this.reason = reason;
    this.filePath = filePath;
  }
}

/**
 * A stored result was computed under another cache key than the node has now (or before keys):
 * its code, version, arguments, inputs or seed changed since. Workflows run the node again,
 * save the new result over it, and report a `node-stale` event; no warning.
 *
 * @example
 * try {
 *   value = await storage.readTask('demo', 'train', { cacheKey });
 * } catch (error) {
 *   if (!(error instanceof StaleStoredResultError)) throw error;
 *   console.log(error.reasons); // ['arguments-changed']
 * }
 */
export class StaleStoredResultError extends FunctionFuseError {
  override name = 'StaleStoredResultError';
  readonly workflowName: string;
  readonly nodeName: string;
  /** What changed, most telling first (never empty). */
  readonly reasons: readonly StaleReason[];
  /** The key stored with the result, as stored; undefined for a record written before keys. */
  readonly storedKey: unknown;

  constructor(workflowName: string, nodeName: string, reasons: readonly StaleReason[], storedKey: unknown) {
    super(
      `Stored result of node ${JSON.stringify(nodeName)} in workflow ${JSON.stringify(workflowName)} ` +
        `is stale: ${reasons.map((reason) => staleReasonText[reason]).join(', ')}`,
    );
    this.workflowName = workflowName;
    this.nodeName = nodeName;
    this.reasons = reasons;
    this.storedKey = storedKey;
  }
}

/**
 * A result cannot be stored because the structured-clone algorithm does not carry it (a
 * function, a class instance's methods, a symbol, a SharedArrayBuffer...). `cause` is the
 * serializer's own error, which names the offending value.
 *
 * @example
 * await storage.save('demo', 'f', () => 1); // rejects: UnstorableResultError ... could not be cloned
 */
export class UnstorableResultError extends FunctionFuseError {
  override name = 'UnstorableResultError';
  readonly workflowName: string;
  readonly nodeName: string;

  constructor(workflowName: string, nodeName: string, cause: unknown) {
    const detail = (cause instanceof Error ? cause.message : String(cause)).replace(/\.$/, '');
    super(
      `Cannot store the result of node ${JSON.stringify(nodeName)} in workflow ` +
        `${JSON.stringify(workflowName)}: ${detail}. Storage keeps plain data: what structuredClone() copies ` +
        'as it is (numbers, strings, arrays, plain objects, typed arrays, Map, Set, Date...).',
      { cause },
    );
    this.workflowName = workflowName;
    this.nodeName = nodeName;
  }
}

/**
 * A node computed its result, but the storage could not save it (a read-only folder, a full
 * disk...): the node's own code is not at fault. A {@link NodeExecutionError}, so `run()`
 * rejects with it as with any failed node; `cause` is the storage's error, for FileStorage a
 * `StorageAccessError` naming the operation, the path and the system code.
 *
 * @example
 * catch (error) {
 *   if (error instanceof ResultNotSavedError) console.log(error.nodeName, error.cause);
 * }
 * // Node "sum" of workflow "demo" computed its result, but the result could not be saved:
 * // FileStorage could not write /store/demo/.sum.ffr.0123456789abcdef.tmp (EROFS: ...). ...
 */
export class ResultNotSavedError extends NodeExecutionError {
  override name = 'ResultNotSavedError';
  readonly workflowName: string;

  constructor(workflowName: string, nodeName: string, cause: unknown) {
    super(nodeName, cause);
    const detail = cause instanceof Error ? cause.message : String(cause);
    this.message =
      `Node ${JSON.stringify(nodeName)} of workflow ${JSON.stringify(workflowName)} computed its result, ` +
      `but the result could not be saved: ${detail}`;
    this.workflowName = workflowName;
  }
}
