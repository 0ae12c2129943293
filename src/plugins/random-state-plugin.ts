import seedrandom from 'seedrandom';
import { describeValue } from '../errors.js';
import { refuseUnknownKeys } from '../options/unknown-keys.js';
import type { NodeContext } from './node-context.js';
import { Plugin, type PluginCleanup, type RemoteInitializeResult } from './plugin.js';
import { pluginClass } from './plugin-class.js';
import { unwrapTask } from './unwrap-task.js';

/** Options of {@link RandomStatePlugin}. */
export interface RandomStateOptions {
  /** The seed before the first node: the first node gets `seed + 1`. */
  readonly seed: number;
  /** @default 0 */
  readonly min?: number;
  /** After `max` the sequence wraps to `min`. @default 4294967295 (2³² − 1) */
  readonly max?: number;
  /**
   * Called with the node's seed where the node runs, instead of installing a seedrandom
   * generator. May return a cleanup that runs after the node. On ThreadWorkflow it runs in
   * the worker, which finds it like a task: define it with `task()` and pass that task.
   */
  readonly seedFunc?:
    | ((seed: number, context: NodeContext) => RemoteInitializeResult)
    | { readonly definition: object };
  /**
   * Which seedrandom generator to seed. The default, Alea, seeds in about 1 µs; seedrandom's
   * own default, ARC4 (`'arc4'`), takes about 10 µs, which shows on graphs of small nodes.
   * @default 'alea'
   */
  readonly algorithm?: RandomAlgorithm;
  /**
   * Whether the default generator also replaces `Math.random` while the node runs (the
   * previous generator is restored after). With `false`, nodes draw from `nodeRandom()` only.
   * @default true
   */
  readonly mathRandom?: boolean;
}

/** The generators seedrandom offers. */
export type RandomAlgorithm = 'alea' | 'arc4' | 'tychei' | 'xor128' | 'xor4096' | 'xorshift7' | 'xorwow';

const generators: Record<RandomAlgorithm, (seed: string) => () => number> = {
  alea: seedrandom.alea,
  arc4: (seed) => seedrandom(seed),
  tychei: seedrandom.tychei,
  xor128: seedrandom.xor128,
  xor4096: seedrandom.xor4096,
  xorshift7: seedrandom.xorshift7,
  xorwow: seedrandom.xorwow,
};

const optionNames = ['seed', 'min', 'max', 'seedFunc', 'algorithm', 'mathRandom'];
const defaultMin = 0;
const defaultMax = 2 ** 32 - 1;

/**
 * Reproducible randomness: hands each node a seed in canonical order (the original's sequence:
 * `seed + 1` per node, wrapping from `max` to `min`) and, by default, seeds a seedrandom
 * generator (Alea, see `algorithm`) with `String(seed)` for the node's duration. The sequence restarts at every run, and never
 * depends on which thread ran a node or when it finished.
 *
 * @example
 * wf.query(/simulate_.*\/).setPlugin(new RandomStatePlugin({ seed: 42 }));
 * // inside a task: Math.random() or nodeRandom() draw from the node's own seeded stream
 */
export class RandomStatePlugin extends Plugin<number> {
  readonly seed: number;
  readonly min: number;
  readonly max: number;
  readonly seedFunc: ((seed: number, context: NodeContext) => RemoteInitializeResult) | undefined;
  readonly mathRandom: boolean;
  readonly algorithm: RandomAlgorithm;
  #current: number;

  constructor(options: RandomStateOptions) {
    super();
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`Expected \`options\` to be an object like { seed: 42 }, got ${typeof options}`);
    }
    refuseUnknownKeys(options, optionNames, 'RandomStatePlugin option');
    const {
      seed,
      min = defaultMin,
      max = defaultMax,
      seedFunc,
      mathRandom = true,
      algorithm = 'alea',
    } = options;
    for (const [option, value] of [
      ['seed', seed],
      ['min', min],
      ['max', max],
    ] as const) {
      if (!Number.isSafeInteger(value)) {
        throw new TypeError(`Expected \`${option}\` to be an integer, got ${describeValue(value)}`);
      }
    }
    if (min > max) throw new RangeError(`Expected \`min\` (${min}) to be at most \`max\` (${max})`);
    if (seed < min || seed > max) {
      throw new RangeError(`Expected \`seed\` to be from \`min\` (${min}) to \`max\` (${max}), got ${seed}`);
    }
    if (seedFunc !== undefined && typeof seedFunc !== 'function' && !('definition' in seedFunc)) {
      throw new TypeError(`Expected \`seedFunc\` to be a function, got ${typeof seedFunc}`);
    }
    if (typeof mathRandom !== 'boolean') {
      throw new TypeError(`Expected \`mathRandom\` to be a boolean, got ${typeof mathRandom}`);
    }
    if (!Object.hasOwn(generators, algorithm)) {
      throw new TypeError(
        `Expected \`algorithm\` to be one of ${Object.keys(generators).join(', ')}, got ${JSON.stringify(algorithm)}`,
      );
    }
    this.algorithm = algorithm;
    this.seed = seed;
    this.min = min;
    this.max = max;
    this.seedFunc = seedFunc === undefined ? undefined : unwrapTask(seedFunc);
    this.mathRandom = mathRandom;
    this.#current = seed;
  }

  override beginRun(): void {
    this.#current = this.seed;
  }

  override localInitialize(): number {
    this.#current = this.#current >= this.max ? this.min : this.#current + 1;
    return this.#current;
  }

  override remoteInitialize(seed: number, context: NodeContext): RemoteInitializeResult {
    if (this.seedFunc !== undefined) return this.seedFunc(seed, context);
    return installSeededRandom(generators[this.algorithm](String(seed)), context, this.mathRandom);
  }
}

pluginClass(RandomStatePlugin);

/** Gives one node its seeded generator; returns the cleanup that restores `Math.random`. */
function installSeededRandom(
  random: () => number,
  context: NodeContext,
  mathRandom: boolean,
): PluginCleanup | undefined {
  context.random = random;
  if (!mathRandom) return undefined;
  const previous = Math.random;
  Math.random = random;
  return () => {
    Math.random = previous;
  };
}
