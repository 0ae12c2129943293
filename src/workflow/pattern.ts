import { describeValue } from '../errors.js';

/** A node-name pattern: a string or RegExp, always matched against the whole name. */
export type NamePattern = string | RegExp;

/**
 * Compiles a pattern to a RegExp anchored to the whole name. A string is a regular expression
 * source, as in the original (`'sum_.*'`); a plain name matches itself unless it holds regular
 * expression characters. A RegExp keeps its flags (minus the stateful `g` and `y`).
 */
export function compileNamePattern(pattern: NamePattern, option = 'pattern'): RegExp {
  if (typeof pattern === 'string') {
    try {
      return new RegExp(`^(?:${pattern})$`, 'u');
    } catch (error) {
      throw new TypeError(
        `Expected \`${option}\` to be a regular expression source matched against whole node names, got ` +
          `${describeValue(pattern)}: ${(error as Error).message}. Escape characters such as ( [ { * + ? . with a backslash to match them as they are.`,
        { cause: error },
      );
    }
  }
  if (pattern instanceof RegExp) {
    return new RegExp(`^(?:${pattern.source})$`, pattern.flags.replace(/[gy]/g, ''));
  }
  throw new TypeError(`Expected \`${option}\` to be a string or a RegExp, got ${describeValue(pattern)}`);
}
