/**
 * Thrown values as plain data, so they cross threads with everything a user looks at: class
 * name, message, stack, `cause` chain and own enumerable properties such as `code` or
 * `errno`. (Structured cloning keeps only the message and stack of most errors.)
 *
 * An error comes back an instance of the nearest class in its prototype chain that every
 * thread has: the built-in error classes and functionfuse's own (a worker's
 * `TaskNotFoundError` is one in the main thread too, and a user's `class ParseError extends
 * RangeError` comes back a RangeError named ParseError), so `instanceof` works across threads
 * as far as it can. A user's own class is not rebuilt: the main thread may not have loaded it.
 */
import {
  AbortError,
  DuplicateNodeNameError,
  FunctionFuseError,
  InternalError,
  NodeExecutionError,
  NodeTimeoutError,
  RedisConnectionError,
  TaskNotFoundError,
  UncloneableValueError,
  UnsendablePluginError,
  WorkerCodeMismatchError,
  WorkerDiedError,
  WorkflowInWorkerError,
} from '../errors.js';
import { StorageAccessError } from '../storage/storage-access-error.js';
import {
  CorruptStoredResultError,
  ResultNotSavedError,
  StaleStoredResultError,
  StoredResultMissingError,
  UnstorableResultError,
} from '../storage/storage-errors.js';

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * The classes an error is rebuilt as, by the name their prototype answers to. Subclasses come
 * before the classes they extend only for readability: the lookup walks the thrown error's
 * own prototype chain.
 */
const sharedClasses = new Map<string, ErrorClass>(
  (
    [
      Error,
      TypeError,
      RangeError,
      SyntaxError,
      ReferenceError,
      EvalError,
      URIError,
      FunctionFuseError,
      NodeExecutionError,
      ResultNotSavedError,
      NodeTimeoutError,
      AbortError,
      DuplicateNodeNameError,
      TaskNotFoundError,
      WorkflowInWorkerError,
      InternalError,
      UncloneableValueError,
      UnsendablePluginError,
      WorkerDiedError,
      RedisConnectionError,
      WorkerCodeMismatchError,
      StorageAccessError,
      StoredResultMissingError,
      CorruptStoredResultError,
      StaleStoredResultError,
      UnstorableResultError,
    ] as const
  ).map((errorClass) => [errorClass.name, errorClass]),
);

export type SerializedThrow =
  | {
      readonly kind: 'error';
      /** The nearest class of {@link sharedClasses} the error is an instance of. */
      readonly sharedClass: string;
      readonly name: string;
      readonly message: string;
      readonly stack: string | undefined;
      readonly properties: Record<string, unknown>;
      readonly cause?: SerializedThrow;
    }
  /** A thrown value that is not an Error: kept as is when it is plain data, else as text. */
  | { readonly kind: 'value'; readonly value: unknown };

const maxCauseDepth = 8;

export function serializeThrown(thrown: unknown, depth = 0): SerializedThrow {
  if (!(thrown instanceof Error)) return { kind: 'value', value: plainOrText(thrown) };
  const properties: Record<string, unknown> = {};
  for (const key of Object.keys(thrown)) {
    if (key === 'cause' || key === 'name' || key === 'message' || key === 'stack') continue;
    const value = (thrown as unknown as Record<string, unknown>)[key];
    if (isPlainData(value)) properties[key] = value;
  }
  const hasCause = 'cause' in thrown && depth < maxCauseDepth;
  return {
    kind: 'error',
    sharedClass: nearestSharedClass(thrown),
    name: thrown.name,
    message: thrown.message,
    stack: thrown.stack,
    properties,
    ...(hasCause ? { cause: serializeThrown(thrown.cause, depth + 1) } : {}),
  };
}

/**
 * Rebuilds the thrown value: an error of its nearest shared class, with the original `name`,
 * message, stack, properties and cause; or the plain value.
 */
export function deserializeThrown(serialized: SerializedThrow): unknown {
  if (serialized.kind === 'value') return serialized.value;
  // A native error (stack, util.inspect) of that class, without running the class's own
  // constructor, whose parameters differ from class to class: the fields come after.
  const error = Reflect.construct(
    Error,
    [serialized.message],
    sharedClasses.get(serialized.sharedClass) ?? Error,
  ) as Error;
  Object.defineProperty(error, 'name', { value: serialized.name, writable: true, configurable: true });
  if (serialized.stack !== undefined) error.stack = serialized.stack;
  Object.assign(error, serialized.properties);
  if (serialized.cause !== undefined) error.cause = deserializeThrown(serialized.cause);
  return error;
}

function nearestSharedClass(error: Error): string {
  for (
    let prototype = Object.getPrototypeOf(error);
    prototype !== null;
    prototype = Object.getPrototypeOf(prototype)
  ) {
    const errorClass = (prototype as { constructor?: unknown }).constructor;
    const name = typeof errorClass === 'function' ? errorClass.name : undefined;
    if (name !== undefined && sharedClasses.get(name) === errorClass) return name;
  }
  return 'Error';
}

function isPlainData(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean', 'bigint', 'undefined'].includes(typeof value);
}

function plainOrText(value: unknown): unknown {
  return isPlainData(value) ? value : String(value);
}
