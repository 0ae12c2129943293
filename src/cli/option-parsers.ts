/**
 * Parsers for option values, shared by the commands. Commander calls them while it reads the
 * command line, so a bad value is reported as a usage error naming the option before any
 * pipeline module is imported.
 */
import { extname } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { maxThreads } from '../workflow/thread-workflow-options.js';
import { UsageError } from './cli-errors.js';

/**
 * A count from 1 up (`--threads 4`).
 *
 * @example
 * parseCount('4');  // 4
 * parseCount('0');  // throws InvalidArgumentError
 */
export function parseCount(text: string): number {
  return countUpTo(text, Number.MAX_SAFE_INTEGER, 'Expected an integer from 1 and up.');
}

/**
 * A number of worker threads (`--threads 4`): a count up to what a pool takes, so that a
 * value the pool would refuse is a usage error naming the option, before anything starts.
 *
 * @example
 * parseThreadCount('4');     // 4
 * parseThreadCount('5000');  // throws InvalidArgumentError
 */
export function parseThreadCount(text: string): number {
  return countUpTo(text, maxThreads, `Expected an integer from 1 to ${maxThreads}.`);
}

/** `text` as an integer from 1 to `max`, or a usage error saying `expected`. */
function countUpTo(text: string, max: number, expected: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new InvalidArgumentError(expected);
  }
  return value;
}

/** Largest seed RandomStatePlugin accepts with its default range (2³² − 1). */
const maxSeed = 2 ** 32 - 1;

/**
 * A seed for `RandomStatePlugin` (`--seed 42`): an integer from 0 to 4294967295, the plugin's
 * default range, so the plugin never refuses it later.
 *
 * @example
 * parseSeed('42');   // 42
 * parseSeed('-1');   // throws InvalidArgumentError
 */
export function parseSeed(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value > maxSeed) {
    throw new InvalidArgumentError(`Expected an integer from 0 to ${maxSeed}.`);
  }
  return value;
}

/**
 * The drawing formats, named by the file extensions that select them.
 *
 * @example
 * const format: DrawingFormat = 'svg';
 */
export type DrawingFormat = 'svg' | 'dot' | 'mmd';

const drawingFormats: readonly DrawingFormat[] = ['svg', 'dot', 'mmd'];

/**
 * The drawing format a file name asks for, by its extension (case-insensitive).
 *
 * @throws {UsageError} for any other extension, naming the option and the file.
 *
 * @example
 * drawingFormatOf('docs/graph.svg', '--out');  // 'svg'
 * drawingFormatOf('graph.png', '--out');       // throws UsageError
 */
export function drawingFormatOf(file: string, option: string): DrawingFormat {
  const extension = extname(file).slice(1).toLowerCase();
  const format = drawingFormats.find((each) => each === extension);
  if (format === undefined) {
    throw new UsageError(
      `Expected ${option} to end in .svg, .dot or .mmd, got ${JSON.stringify(file)}: name the file with one of these extensions.`,
    );
  }
  return format;
}
