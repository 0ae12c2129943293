/**
 * Every node's cache key, computed once at the start of a run in the main thread, Merkle style:
 * a node's key is the XXH64 of its code (identity and source text), its `version`, its plain
 * arguments, its parents' keys and its plugin payload. A parent's result is never hashed, only
 * its key: a 100 MB intermediate result costs a key nothing. Nodes downstream of an actor are
 * keyed through its calls: each call's parents are the actor's init node and the call before it.
 *
 * The key alone is computed for every node (one hash of a small buffer); its parts, which tell
 * why a record is stale, only for nodes that are saved or found stale.
 */
import type { Callable } from '../graph/callable.js';
import type { Node, Ref } from '../graph/node.js';
import type { PreparedPlugin } from '../plugins/plugin.js';
import { CACHE_KEY_FORMAT, type CacheKey } from '../storage/cache-key.js';
import { CanonicalEncoder } from './canonical-encoder.js';
import { callableIdentity } from './definition-identity.js';
import { type KeyHasher, keyToHex, loadKeyHasher } from './key-hasher.js';

/** The hashes of a callable's code and version, the same for every node that calls it. */
interface CodeHashes {
  readonly code: bigint;
  readonly version: bigint;
}

/** Parents past which a node's references are looked up in a Map rather than scanned. */
const SCAN_LIMIT = 32;

/**
 * The cache keys of a workflow's nodes, by plan index.
 *
 * @example
 * const keys = await NodeKeys.compute(plan.nodes, plan.parentIndexes, plugins);
 * keys.hexOf(0); // '3f2a…' (16 hex digits)
 */
export class NodeKeys {
  readonly #nodes: readonly Node[];
  readonly #parentIndexes: readonly Int32Array[];
  readonly #plugins: readonly (PreparedPlugin | undefined)[];
  readonly #keys: BigUint64Array;
  /** The same memory as 32-bit words: a parent's key is copied into a child's input without a BigInt. */
  readonly #keyWords: Uint32Array;
  readonly #encoder: CanonicalEncoder;
  readonly #hasher: KeyHasher;
  readonly #codeHashes = new Map<Callable, CodeHashes>();

  private constructor(
    nodes: readonly Node[],
    parentIndexes: readonly Int32Array[],
    plugins: readonly (PreparedPlugin | undefined)[],
    hasher: KeyHasher,
  ) {
    this.#nodes = nodes;
    this.#parentIndexes = parentIndexes;
    this.#plugins = plugins;
    this.#hasher = hasher;
    this.#encoder = new CanonicalEncoder(hasher);
    this.#keys = new BigUint64Array(nodes.length);
    this.#keyWords = new Uint32Array(this.#keys.buffer);
  }

  /**
   * Keys every node. `nodes` in canonical order (parents before children), `parentIndexes[i]`
   * the indexes of node i's parents in `node.parents` order, `plugins[i]` its plugin payload.
   */
  static async compute(
    nodes: readonly Node[],
    parentIndexes: readonly Int32Array[],
    plugins: readonly (PreparedPlugin | undefined)[],
  ): Promise<NodeKeys> {
    const keys = new NodeKeys(nodes, parentIndexes, plugins, await loadKeyHasher());
    keys.#computeAll();
    return keys;
  }

  /** Node `index`'s key as 16 hex digits. */
  hexOf(index: number): string {
    return keyToHex(this.#keys[index] as bigint);
  }

  /** Node `index`'s key with its parts, as a record carries it. */
  cacheKeyOf(index: number): CacheKey {
    const encoder = this.#encoder;
    const hash = () => keyToHex(this.#hasher.hashBytes(encoder.bytes()));
    const { code, version } = this.#codeHashesOf((this.#nodes[index] as Node).callable);
    encoder.reset();
    this.#writeArguments(index);
    const argumentsHash = hash();
    encoder.reset();
    this.#writeParents(index);
    const inputsHash = hash();
    encoder.reset();
    this.#writePlugin(index);
    const pluginHash = hash();
    return {
      format: CACHE_KEY_FORMAT,
      key: this.hexOf(index),
      code: keyToHex(code),
      version: keyToHex(version),
      arguments: argumentsHash,
      inputs: inputsHash,
      plugin: pluginHash,
    };
  }

  #computeAll(): void {
    const encoder = this.#encoder;
    const { hashBytes } = this.#hasher;
    const keys = this.#keys;
    const nodes = this.#nodes;
    for (let index = 0; index < nodes.length; index++) {
      const { code, version } = this.#codeHashesOf((nodes[index] as Node).callable);
      encoder.reset();
      encoder.byte(CACHE_KEY_FORMAT);
      encoder.key(code);
      encoder.key(version);
      this.#writeArguments(index);
      this.#writeParents(index);
      this.#writePlugin(index);
      keys[index] = hashBytes(encoder.bytes());
    }
  }

  /** The parents of the node whose arguments are being written, and their positions when many. */
  #parents: readonly Node[] = [];
  #positions: Map<Node, number> | undefined;
  /** Made once: a closure per node would cost more than the rest of a trivial node's key. */
  readonly #refPosition = (ref: Ref): number => {
    const parents = this.#parents;
    if (parents.length <= SCAN_LIMIT) return parents.indexOf(ref.node);
    this.#positions ??= new Map(parents.map((parent, position) => [parent, position]));
    return this.#positions.get(ref.node) as number;
  };

  #writeArguments(index: number): void {
    const encoder = this.#encoder;
    const { args, parents } = this.#nodes[index] as Node;
    this.#parents = parents;
    this.#positions = undefined;
    encoder.uint32(args.length);
    for (let position = 0; position < args.length; position++)
      encoder.value(args[position], this.#refPosition);
  }

  #writeParents(index: number): void {
    const encoder = this.#encoder;
    const words = this.#keyWords;
    const parents = this.#parentIndexes[index] as Int32Array;
    encoder.uint32(parents.length);
    for (let position = 0; position < parents.length; position++) {
      const at = 2 * (parents[position] as number);
      encoder.uint32(words[at] as number);
      encoder.uint32(words[at + 1] as number);
    }
  }

  #writePlugin(index: number): void {
    const encoder = this.#encoder;
    const prepared = this.#plugins[index];
    if (prepared === undefined) {
      encoder.byte(0);
      return;
    }
    encoder.byte(1);
    encoder.string(prepared.plugin.constructor.name);
    encoder.value(prepared.payload, () => 0);
  }

  /** The last callable looked up: neighbours in canonical order often call the same task. */
  #lastCallable: Callable | undefined;
  #lastHashes: CodeHashes | undefined;

  #codeHashesOf(callable: Callable): CodeHashes {
    if (callable === this.#lastCallable) return this.#lastHashes as CodeHashes;
    let hashes = this.#codeHashes.get(callable);
    if (hashes === undefined) hashes = this.#hashCode(callable);
    this.#lastCallable = callable;
    this.#lastHashes = hashes;
    return hashes;
  }

  #hashCode(callable: Callable): CodeHashes {
    const encoder = this.#encoder;
    const { hashBytes } = this.#hasher;
    const { identity, source } = callableIdentity(callable);
    encoder.reset();
    encoder.string(identity);
    encoder.string(source);
    const code = hashBytes(encoder.bytes());
    encoder.reset();
    encoder.value(callable.kind === 'task' ? callable.version : callable.actor.version, () => 0);
    const hashes = { code, version: hashBytes(encoder.bytes()) };
    this.#codeHashes.set(callable, hashes);
    return hashes;
  }
}
