/**
 * The key a stored result was computed under, as records carry it, and why a stored key no
 * longer matches a node's. A node's key covers its task's identity and source text, its
 * `version`, its plain arguments, its parents' keys and its plugin payload (its seed); each of
 * these is kept beside the key as a hash of its own, so a stale record can say what changed.
 */

/**
 * Bumped when what goes into a key changes: every record written under another format is stale.
 *
 * @example
 * cacheKey.format === CACHE_KEY_FORMAT;
 */
export const CACHE_KEY_FORMAT = 1;

/**
 * A node's cache key and its parts, each 16 hex digits of an XXH64.
 *
 * @example
 * const key: CacheKey = { format: 1, key: '9f0c…', code: '…', version: '…', arguments: '…', inputs: '…', plugin: '…' };
 */
export interface CacheKey {
  /** The key format it was computed under (bumped when what goes into a key changes). */
  readonly format: number;
  /** The key itself: it changes when any part does. */
  readonly key: string;
  /** The task's (or actor method's) identity (module path, key in the module) and source text. */
  readonly code: string;
  /** The `version` option of `task()` / `actor()`. */
  readonly version: string;
  /** The plain argument values, canonically encoded. */
  readonly arguments: string;
  /** The keys of its parent nodes, in order (not their results). */
  readonly inputs: string;
  /** Its plugin payload: the seed, for RandomStatePlugin. */
  readonly plugin: string;
}

/**
 * Why a stored result is stale, most telling first. `input-changed`: a node it depends on is
 * keyed differently (that node, or one further up, changed).
 *
 * @example
 * wf.on('node-stale', (event) => console.log(event.node, event.reason)); // 'sum_0001', 'code-changed'
 */
export type StaleReason =
  | 'written-before-keys'
  | 'key-format-changed'
  | 'code-changed'
  | 'version-changed'
  | 'arguments-changed'
  | 'seed-changed'
  | 'input-changed';

/**
 * How a reason reads in messages, plans and reports.
 *
 * @example
 * staleReasonText['input-changed']; // 'an input node changed'
 */
export const staleReasonText: Readonly<Record<StaleReason, string>> = {
  'written-before-keys': 'written before keys',
  'key-format-changed': 'written under another key format',
  'code-changed': 'code changed',
  'version-changed': 'version changed',
  'arguments-changed': 'arguments changed',
  'seed-changed': 'seed changed',
  'input-changed': 'an input node changed',
};

const hexKey = /^[0-9a-f]{16}$/;
const partNames = ['key', 'code', 'version', 'arguments', 'inputs', 'plugin'] as const;
const partReasons: readonly [keyof CacheKey, StaleReason][] = [
  ['code', 'code-changed'],
  ['version', 'version-changed'],
  ['arguments', 'arguments-changed'],
  ['plugin', 'seed-changed'],
  ['inputs', 'input-changed'],
];

/**
 * Whether `value` is a well-formed cache key (as read back from a record).
 *
 * @example
 * if (!isCacheKey(meta.cacheKey)) return ['written-before-keys'];
 */
export function isCacheKey(value: unknown): value is CacheKey {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Record<string, unknown>;
  return (
    Number.isSafeInteger(candidate.format) &&
    partNames.every((name) => typeof candidate[name] === 'string' && hexKey.test(candidate[name] as string))
  );
}

/**
 * Why a record stored under `stored` is stale for a node now keyed `current`, most telling
 * first; empty when it is not stale. A record with no (readable) key was written before keys.
 *
 * @example
 * staleReasons(record.cacheKey, nodeKey); // ['arguments-changed']
 */
export function staleReasons(stored: unknown, current: CacheKey): StaleReason[] {
  if (!isCacheKey(stored)) return ['written-before-keys'];
  if (stored.format !== current.format) return ['key-format-changed'];
  if (stored.key === current.key) return [];
  const reasons = partReasons.filter(([part]) => stored[part] !== current[part]).map(([, reason]) => reason);
  // Every part the same but not the key: it was computed some other way; say so rather than guess.
  return reasons.length === 0 ? ['key-format-changed'] : reasons;
}
