/**
 * Glob matching for node names. Names are not paths: `*` must match across `/` (a node may be
 * called `a/b`) and leading dots, so path-oriented matchers do not fit (`path.matchesGlob` and
 * picomatch both stop `*` at `/` and skip dot-names; `path.matchesGlob` is also experimental on
 * Node 20 and prints a warning).
 */

/**
 * A RegExp testing a whole name against a glob: `*` matches any run of characters (none
 * included), `?` exactly one character (one code point); every other character matches itself.
 *
 * @example
 * globToRegExp('*model').test('iris, SVC-model'); // true
 * globToRegExp('sum_????').test('sum_0001');      // true
 * globToRegExp('*').test('a/b');                  // true
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const character of glob) {
    if (character === '*') source += '.*';
    else if (character === '?') source += '.';
    else source += character.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  // `s`: `.` matches line breaks too; `u`: `.` matches a whole code point.
  return new RegExp(`^${source}$`, 'su');
}
