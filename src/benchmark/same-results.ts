/**
 * The check that every backend computed the same thing: a benchmark of a wrong result is
 * worthless, and a pipeline whose results change from run to run (unseeded randomness, the
 * clock) cannot be compared across backends either.
 */
import { inspect, isDeepStrictEqual } from 'node:util';
import { FunctionFuseError } from '../errors.js';
import type { Ref } from '../graph/node.js';

/**
 * A benchmarked run gave other leaf values than the reference run (the first row's cold run).
 * `message` names both runs, the leaf and where inside its value the two first differ.
 *
 * @example
 * catch (error) { if (error instanceof ResultsDifferError) console.log(error.leaf, error.path); }
 */
export class ResultsDifferError extends FunctionFuseError {
  override name = 'ResultsDifferError';
  /** The leaf whose values differ: its node's name, with an item's keys (`pair[0]`). */
  readonly leaf: string;
  /** Where inside the leaf's value they first differ (`.price`, `[3]`); empty for the whole value. */
  readonly path: string;

  constructor(workflowName: string, run: string, reference: string, difference: LeafDifference) {
    super(
      `Benchmark of "${workflowName}": ${run} gave another result than ${reference} for leaf ` +
        `"${difference.leaf}"${difference.path === '' ? '' : ` at ${difference.path}`}: ` +
        `${show(difference.actual)} instead of ${show(difference.expected)}. A benchmark of a wrong ` +
        'result is worthless: make the pipeline deterministic (seed its random draws with --seed or ' +
        'RandomStatePlugin) and run again.',
    );
    this.leaf = difference.leaf;
    this.path = difference.path;
  }
}

/**
 * Where two runs' leaf values first differ, as {@link ResultsDifferError} reports it.
 *
 * @example
 * const difference: LeafDifference = { leaf: 'summary', path: '.total', expected: 46, actual: 47 };
 */
export interface LeafDifference {
  readonly leaf: string;
  readonly path: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

/**
 * The first leaf whose values differ between two runs (in the leaves' order), or undefined when
 * they are all equal. Equality is Node's `isDeepStrictEqual`: typed arrays element by element,
 * Maps, Sets, Dates, prototypes and NaN (equal to itself) included, `0` and `-0` apart.
 *
 * @example
 * firstLeafDifference(workflow.leaves, [13, { total: 46 }], [13, { total: 47 }]);
 * // { leaf: 'summary', path: '.total', expected: 46, actual: 47 }
 */
export function firstLeafDifference(
  leaves: readonly Ref[],
  expected: readonly unknown[],
  actual: readonly unknown[],
): LeafDifference | undefined {
  for (let index = 0; index < leaves.length; index++) {
    const [left, right] = [expected[index], actual[index]];
    if (isDeepStrictEqual(left, right)) continue;
    const leaf = leaves[index] as Ref;
    const name = `${leaf.node.name}${leaf.path.map((key) => `[${String(key)}]`).join('')}`;
    return { leaf: name, ...locate(left, right, '') };
  }
  return undefined;
}

/** Descends arrays, typed arrays and plain objects to the first place the two values differ. */
function locate(
  expected: unknown,
  actual: unknown,
  path: string,
): { path: string; expected: unknown; actual: unknown } {
  const here = { path, expected, actual };
  if (typeof expected !== 'object' || typeof actual !== 'object' || expected === null || actual === null) {
    return here;
  }
  if (Object.getPrototypeOf(expected) !== Object.getPrototypeOf(actual)) return here;
  const indexed = Array.isArray(expected) || ArrayBuffer.isView(expected);
  if (!indexed && Object.getPrototypeOf(expected) !== Object.prototype) return here;
  const left = expected as Record<string, unknown>;
  const right = actual as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const key of keys) {
    if (isDeepStrictEqual(left[key], right[key]) && key in left === key in right) continue;
    const step = indexed
      ? `[${key}]`
      : /^[A-Za-z_$][\w$]*$/.test(key)
        ? `.${key}`
        : `[${JSON.stringify(key)}]`;
    return locate(left[key], right[key], `${path}${step}`);
  }
  return here;
}

/** A value short enough for a one-line message. */
function show(value: unknown): string {
  return inspect(value, {
    depth: 1,
    maxArrayLength: 4,
    maxStringLength: 40,
    breakLength: Number.POSITIVE_INFINITY,
  });
}
