/**
 * Thrown values as plain data, so they cross threads with everything a user looks at: class
 * name, message, stack, `cause` chain and own enumerable properties such as `code` or
 * `errno`. (Structured cloning keeps only the message and stack of most errors.)
 */
export type SerializedThrow =
  | {
      readonly kind: 'error';
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
    name: thrown.name,
    message: thrown.message,
    stack: thrown.stack,
    properties,
    ...(hasCause ? { cause: serializeThrown(thrown.cause, depth + 1) } : {}),
  };
}

/** Rebuilds the thrown value: an Error (class Error, original `name`) or the plain value. */
export function deserializeThrown(serialized: SerializedThrow): unknown {
  if (serialized.kind === 'value') return serialized.value;
  const error = new Error(serialized.message);
  Object.defineProperty(error, 'name', { value: serialized.name, writable: true, configurable: true });
  if (serialized.stack !== undefined) error.stack = serialized.stack;
  Object.assign(error, serialized.properties);
  if (serialized.cause !== undefined) error.cause = deserializeThrown(serialized.cause);
  return error;
}

function isPlainData(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean', 'bigint', 'undefined'].includes(typeof value);
}

function plainOrText(value: unknown): unknown {
  return isPlainData(value) ? value : String(value);
}
