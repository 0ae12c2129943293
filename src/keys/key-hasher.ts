/**
 * The hash behind cache keys: XXH64 (xxhash-wasm), a fast non-cryptographic hash. Keys only
 * tell "computed from the same inputs" from "not": they guard no secret, so 64 bits are plenty
 * (two different inputs share a key with a chance of about 1 in 10^19).
 */
import xxhash from 'xxhash-wasm';

/** What xxhash-wasm gives once its WebAssembly module is compiled. */
type XXHashApi = Awaited<ReturnType<typeof xxhash>>;

/**
 * Bytes hashed per call to the streaming hasher: the WebAssembly memory grows to hold each
 * input, so a 1 GB typed array is hashed in slices rather than copied there whole.
 */
const SLICE_BYTES = 1 << 20;

/**
 * Synchronous hashing, once the WebAssembly module is ready ({@link loadKeyHasher}).
 *
 * @example
 * const hasher = await loadKeyHasher();
 * hasher.hashBytes(new Uint8Array([1, 2, 3])); // a bigint
 */
export interface KeyHasher {
  /** XXH64 of a small input, in one call. */
  hashBytes(bytes: Uint8Array): bigint;
  /** XXH64 of any input, in slices: the same value as {@link hashBytes} would give. */
  hashLarge(bytes: Uint8Array): bigint;
}

let loading: Promise<KeyHasher> | undefined;

/**
 * The hasher, compiled once per thread (a few milliseconds, the first time only).
 *
 * @example
 * const { hashBytes } = await loadKeyHasher();
 */
export function loadKeyHasher(): Promise<KeyHasher> {
  loading ??= xxhash().then(toKeyHasher);
  return loading;
}

function toKeyHasher(api: XXHashApi): KeyHasher {
  const { h64Raw, create64 } = api;
  return {
    hashBytes: (bytes) => h64Raw(bytes),
    hashLarge: (bytes) => {
      if (bytes.byteLength <= SLICE_BYTES) return h64Raw(bytes);
      const hasher = create64();
      for (let offset = 0; offset < bytes.byteLength; offset += SLICE_BYTES) {
        hasher.update(bytes.subarray(offset, offset + SLICE_BYTES));
      }
      return hasher.digest();
    },
  };
}

/**
 * A 64-bit key as 16 lowercase hex digits, the form records and plans show.
 *
 * @example
 * keyToHex(255n); // '00000000000000ff'
 */
export function keyToHex(key: bigint): string {
  return key.toString(16).padStart(16, '0');
}
