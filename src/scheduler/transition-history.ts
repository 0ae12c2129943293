/**
 * The run's latest node transitions, kept for the story an InternalError tells about a node.
 * A ring of fixed size in typed arrays: recording a transition allocates nothing, so keeping
 * it costs next to nothing on the run's hot path.
 */
import { NODE_STATE_NAMES, type NodeState } from './node-state.js';

/** How many of the run's latest transitions are kept: a power of two, for a mask. */
const capacity = 4096;
/** How many transitions of one node a story tells at most. */
const storyLength = 8;

export class TransitionHistory {
  readonly #node = new Int32Array(capacity).fill(-1);
  readonly #from = new Uint8Array(capacity);
  readonly #to = new Uint8Array(capacity);
  readonly #why = new Array<string>(capacity);
  #next = 0;

  record(index: number, from: NodeState, to: NodeState, why: string): void {
    const slot = this.#next;
    this.#node[slot] = index;
    this.#from[slot] = from;
    this.#to[slot] = to;
    this.#why[slot] = why;
    this.#next = (slot + 1) & (capacity - 1);
  }

  /** Node `index`'s latest transitions still kept, oldest first: `ready -> running (take-ready)`. */
  storyOf(index: number): string[] {
    const story: string[] = [];
    for (let step = 0; step < capacity; step++) {
      const slot = (this.#next + step) % capacity;
      if (this.#node[slot] !== index) continue;
      const from = NODE_STATE_NAMES[this.#from[slot] as number];
      const to = NODE_STATE_NAMES[this.#to[slot] as number];
      story.push(`${from} -> ${to} (${this.#why[slot]})`);
    }
    return story.slice(-storyLength);
  }
}
