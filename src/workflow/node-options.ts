import { describeValue } from '../errors.js';

/**
 * Per-node execution options, set with `workflow.query(pattern).setOptions(options)`.
 * Options set by several calls merge; a later call wins per option.
 */
export interface NodeOptions {
  /**
   * Among nodes that are ready at the same moment, a higher priority is dispatched first
   * (on ThreadWorkflow; LocalWorkflow runs in canonical order). Ties keep canonical order.
   * @default 0
   */
  readonly priority?: number;
}

const knownOptions = new Set(['priority']);

/** Checks options given to `setOptions`; throws a TypeError naming the bad option and value. */
export function validateNodeOptions(options: NodeOptions): NodeOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`Expected node options to be an object, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!knownOptions.has(key)) {
      throw new TypeError(`Unknown node option \`${key}\`; known options: ${[...knownOptions].join(', ')}`);
    }
  }
  if (options.priority !== undefined && !Number.isFinite(options.priority)) {
    throw new TypeError(
      `Expected \`priority\` to be a finite number, got ${describeValue(options.priority)}`,
    );
  }
  return { ...options };
}
