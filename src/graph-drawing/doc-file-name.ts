/**
 * Turns a workflow name into the stem of the drawing files (`<stem>.dot`, `.svg`, `.mmd`) so
 * that no name can write outside the documentation folder or produce a file name some
 * filesystem refuses.
 */
import { createHash } from 'node:crypto';

/** Longest stem kept whole: leaves room for the extension within 255 bytes, and short paths on Windows. */
const MAX_STEM_LENGTH = 120;
/** How much of the escaped name a shortened stem keeps, before `~` and a hash. */
const SHORTENED_PREFIX_LENGTH = 80;

const keptCharacter = /^[A-Za-z0-9_.-]$/;
/** Windows reserves these names whatever the extension (`con.svg` is the console). */
const windowsDeviceName = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;

/**
 * The file name stem for a workflow's drawings. Letters, digits, `_`, `-` and `.` are kept so
 * usual names stay readable; every other UTF-16 code unit is escaped (`%HH` below U+0100,
 * `%uHHHH` above), so the stem has no `/`, `\` or `:`. A leading `.` is escaped (no hidden file,
 * no `..`), as is the first letter of a Windows device name. Distinct names give distinct stems,
 * except on case-insensitive filesystems, where `Demo` and `demo` share their drawings. Names
 * whose stem would pass 120 characters are cut and suffixed with `~` and a hash of the name.
 *
 * @example
 * docFileStem('demo');              // 'demo'
 * docFileStem('../../etc/passwd');  // '%2E.%2F..%2Fetc%2Fpasswd'
 * docFileStem('con');               // '%63on'
 */
export function docFileStem(workflowName: string): string {
  let stem = '';
  for (let index = 0; index < workflowName.length; index++) {
    const character = workflowName[index] as string;
    const kept = keptCharacter.test(character) && !(index === 0 && character === '.');
    stem += kept ? character : escapeCodeUnit(workflowName.charCodeAt(index));
  }
  if (windowsDeviceName.test(stem)) stem = escapeCodeUnit(stem.charCodeAt(0)) + stem.slice(1);
  if (stem.length <= MAX_STEM_LENGTH) return stem;
  // `~` is always escaped in names, so a shortened stem never equals a whole one.
  const hash = createHash('sha256').update(Buffer.from(workflowName, 'utf16le')).digest('hex').slice(0, 32);
  return `${cutBeforeEscape(stem, SHORTENED_PREFIX_LENGTH)}~${hash}`;
}

function escapeCodeUnit(codeUnit: number): string {
  const hex = codeUnit.toString(16).toUpperCase();
  return codeUnit < 0x100 ? `%${hex.padStart(2, '0')}` : `%u${hex.padStart(4, '0')}`;
}

/** Cuts to at most `length` characters without splitting an escape (`%HH` or `%uHHHH`). */
function cutBeforeEscape(stem: string, length: number): string {
  const lastEscape = stem.lastIndexOf('%', length - 1);
  if (lastEscape !== -1) {
    const escapeLength = stem[lastEscape + 1] === 'u' ? 6 : 3;
    if (lastEscape + escapeLength > length) return stem.slice(0, lastEscape);
  }
  return stem.slice(0, length);
}
