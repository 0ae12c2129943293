/**
 * Turns arbitrary workflow and node names into file names that stay inside their folder and
 * are valid on every common filesystem (ext4, APFS, NTFS, FAT), including case-insensitive ones.
 *
 * The encoding keeps `a-z`, `0-9`, `_` and `-` as they are and escapes every other UTF-16 code
 * unit: `%HH` below U+0100, `%uHHHH` above (hex digits upper case). So:
 * - no key contains `/`, `\`, `.` or `:`, hence no key is `.`, `..`, hidden, or a path;
 * - upper-case letters are escaped, so two names differing only in case never share a file on
 *   a case-insensitive filesystem (the only upper-case letters left are hex digits, which the
 *   encoder always writes in upper case, so folding case keeps keys distinct);
 * - code units are escaped rather than UTF-8 bytes, so even lone surrogates round-trip;
 * - Windows device names (`con`, `nul`, `com1`...) get their first letter escaped.
 * Keys longer than {@link MAX_READABLE_KEY_LENGTH} are cut and suffixed with `~` and a hash of
 * the whole name; those cannot be decoded, so the record stores the name it belongs to.
 */
import { createHash } from 'node:crypto';

/**
 * Longest key kept whole. File names may have 255 bytes on most filesystems; records and raw
 * parts add a write id and a suffix to the key, and a long path hurts on Windows, so we stop
 * well before.
 *
 * @example
 * encodeStorageKey('x'.repeat(MAX_READABLE_KEY_LENGTH + 1)); // 'xxx…~<32 hex digits>'
 */
export const MAX_READABLE_KEY_LENGTH = 128;

/** How much of the escaped name a hashed key keeps, so a listing stays readable. */
const HASHED_KEY_PREFIX_LENGTH = 80;

/** The key of the empty name: a lone `%` is never produced by escaping. */
const EMPTY_NAME_KEY = '%';

/** Marks a hashed key; `~` is always escaped in names, so it never occurs otherwise. */
const HASH_MARK = '~';

const keptCharacter = /^[a-z0-9_-]$/;
const windowsDeviceName = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;

/**
 * The file-name-safe key of a workflow or node name. Distinct names always give distinct keys
 * (up to a 128-bit hash collision for names whose key is too long to keep whole).
 *
 * @example
 * encodeStorageKey('sum_0000');          // 'sum_0000'
 * encodeStorageKey('../etc/passwd');     // '%2E%2E%2Fetc%2Fpasswd'
 * encodeStorageKey('Model');             // '%4Dodel'
 */
export function encodeStorageKey(name: string): string {
  if (name === '') return EMPTY_NAME_KEY;
  let key = '';
  for (let index = 0; index < name.length; index++) {
    const character = name[index] as string;
    key += keptCharacter.test(character) ? character : escapeCodeUnit(name.charCodeAt(index));
  }
  if (windowsDeviceName.test(key)) key = escapeCodeUnit(key.charCodeAt(0)) + key.slice(1);
  if (key.length <= MAX_READABLE_KEY_LENGTH) return key;
  return `${cutBeforeEscape(key, HASHED_KEY_PREFIX_LENGTH)}${HASH_MARK}${hashName(name)}`;
}

/**
 * The name a key was made from, or `undefined` when the key is hashed (the name then lives in
 * the record) or is not a key this encoder makes (a foreign file in the folder).
 *
 * @example
 * decodeStorageKey('%2E%2E%2Fetc%2Fpasswd'); // '../etc/passwd'
 */
export function decodeStorageKey(key: string): string | undefined {
  if (key === EMPTY_NAME_KEY) return '';
  if (key === '' || isHashedStorageKey(key)) return undefined;
  let name = '';
  let index = 0;
  while (index < key.length) {
    const character = key[index] as string;
    if (character !== '%') {
      if (!keptCharacter.test(character)) return undefined;
      name += character;
      index += 1;
      continue;
    }
    const wide = key[index + 1] === 'u';
    const hex = wide ? key.slice(index + 2, index + 6) : key.slice(index + 1, index + 3);
    if (!/^[0-9A-F]+$/.test(hex) || hex.length !== (wide ? 4 : 2)) return undefined;
    name += String.fromCharCode(Number.parseInt(hex, 16));
    index += wide ? 6 : 3;
  }
  // Only the canonical encoding is a key: this rejects foreign files such as `%41` for "A"
  // written in lower case, or `con`, which the encoder would have escaped.
  return encodeStorageKey(name) === key ? name : undefined;
}

/**
 * Whether a key was shortened with a hash, so the name must be read from the record.
 *
 * @example
 * isHashedStorageKey(encodeStorageKey('x'.repeat(500))); // true
 */
export function isHashedStorageKey(key: string): boolean {
  return key.includes(HASH_MARK);
}

function escapeCodeUnit(codeUnit: number): string {
  const hex = codeUnit.toString(16).toUpperCase();
  return codeUnit < 0x100 ? `%${hex.padStart(2, '0')}` : `%u${hex.padStart(4, '0')}`;
}

/** Cuts to at most `length` characters without splitting an escape sequence. */
function cutBeforeEscape(key: string, length: number): string {
  const lastEscape = key.lastIndexOf('%', length);
  // An escape is at most 6 characters (`%uHHHH`); one that starts within the last 6 may be cut.
  if (lastEscape !== -1 && lastEscape > length - 6) {
    const escapeLength = key[lastEscape + 1] === 'u' ? 6 : 3;
    if (lastEscape + escapeLength > length) return key.slice(0, lastEscape);
  }
  return key.slice(0, length);
}

/** 128 bits of SHA-256 over the UTF-16 code units, so lone surrogates hash distinctly too. */
function hashName(name: string): string {
  return createHash('sha256').update(Buffer.from(name, 'utf16le')).digest('hex').slice(0, 32);
}
