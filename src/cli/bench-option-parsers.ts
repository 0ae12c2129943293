/**
 * Parsers of `functionfuse bench`'s list and time options. Commander calls them while it reads
 * the command line, so a bad value is a one-line usage error naming the option and the value
 * before the pipeline module is imported.
 */
import { InvalidArgumentError } from 'commander';
import { type BenchBackendName, benchBackendNames, isBenchBackendName } from '../benchmark/bench-backends.js';
import { maxThreads } from '../workflow/thread-workflow-options.js';

/**
 * A comma-separated list of backends (`--backend local,threads`), each named once.
 *
 * @example
 * parseBackendList('local,threads');  // ['local', 'threads']
 * parseBackendList('local,cluster');  // throws InvalidArgumentError naming "cluster" and the known names
 */
export function parseBackendList(text: string): BenchBackendName[] {
  const known = benchBackendNames.join(', ');
  return parseList(text, (name) => {
    if (!isBenchBackendName(name)) {
      throw new InvalidArgumentError(
        `Unknown backend ${JSON.stringify(name)}: expected a comma-separated list of ${known}.`,
      );
    }
    return name;
  });
}

/**
 * A comma-separated list of thread counts (`--threads 1,2,4`), each from 1 to 1024 and given once.
 *
 * @example
 * parseCountList('1,2,4');  // [1, 2, 4]
 * parseCountList('1,0');    // throws InvalidArgumentError
 */
export function parseCountList(text: string): number[] {
  return parseList(text, (item) => {
    const count = Number(item);
    if (!/^\d+$/.test(item) || count < 1 || count > maxThreads) {
      throw new InvalidArgumentError(
        `Expected a comma-separated list of integers from 1 to ${maxThreads}, got ${JSON.stringify(item)}.`,
      );
    }
    return count;
  });
}

/**
 * A number of seconds from 0 up, decimals allowed (`--time 2.5`); resolves to milliseconds.
 *
 * @example
 * parseSeconds('2.5');  // 2500
 * parseSeconds('-1');   // throws InvalidArgumentError
 */
export function parseSeconds(text: string): number {
  const seconds = Number(text);
  if (!/^\d+(?:\.\d+)?$/.test(text) || !Number.isFinite(seconds)) {
    throw new InvalidArgumentError('Expected a number of seconds from 0 up, such as 10 or 2.5.');
  }
  return seconds * 1000;
}

function parseList<T>(text: string, parseItem: (item: string) => T): T[] {
  const items = text.split(',').map((item) => item.trim());
  const values: T[] = [];
  for (const item of items) {
    if (item === '') throw new InvalidArgumentError('Expected a comma-separated list with no empty item.');
    const value = parseItem(item);
    if (values.includes(value)) throw new InvalidArgumentError(`${JSON.stringify(item)} is listed twice.`);
    values.push(value);
  }
  return values;
}
