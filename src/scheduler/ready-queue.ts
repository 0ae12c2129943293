/**
 * Nodes whose parents are all done, waiting for a place to run: highest priority first, then
 * canonical order, so dispatch order never depends on which parent happened to finish last.
 *
 * Two shapes, one order. With priorities, a binary heap of node indexes. Without (the usual
 * case), canonical order is index order, and a bitmap with a cursor gives the lowest ready index
 * at a fraction of a heap's cost: most pushes land after the cursor, so it only moves forward.
 */
export interface ReadyQueue {
  readonly size: number;
  push(nodeIndex: number): void;
  /** Removes and returns the first node; undefined when empty. */
  shift(): number | undefined;
  /** The first node without removing it. */
  peek(): number | undefined;
  /** Removes `nodeIndex` wherever it is; false when it was not queued. */
  delete(nodeIndex: number): boolean;
}

/**
 * The queue for nodes with `priorities[i]` (0 unless set with setOptions). `allZero`: the
 * caller knows no priority was set, and the priorities need not be read.
 */
export function createReadyQueue(priorities: Float64Array, allZero = false): ReadyQueue {
  for (let index = 0; !allZero && index < priorities.length; index++) {
    if (priorities[index] !== 0) return new PriorityQueue(priorities);
  }
  return new IndexOrderQueue(priorities.length);
}

/** Ready nodes in index order: one bit per node. */
class IndexOrderQueue implements ReadyQueue {
  readonly #words: Uint32Array;
  /** No word before this one has a bit set. */
  #cursor = 0;
  #size = 0;

  constructor(nodeCount: number) {
    this.#words = new Uint32Array(Math.ceil(nodeCount / 32) + 1);
  }

  get size(): number {
    return this.#size;
  }

  push(nodeIndex: number): void {
    const word = nodeIndex >>> 5;
    const bit = 1 << (nodeIndex & 31);
    const words = this.#words;
    if (((words[word] as number) & bit) !== 0) return;
    words[word] = (words[word] as number) | bit;
    this.#size++;
    if (word < this.#cursor) this.#cursor = word;
  }

  peek(): number | undefined {
    if (this.#size === 0) return undefined;
    const words = this.#words;
    let cursor = this.#cursor;
    while (words[cursor] === 0) cursor++;
    this.#cursor = cursor;
    const word = words[cursor] as number;
    // The lowest set bit: count the zeros below it.
    return (cursor << 5) + (31 - Math.clz32(word & -word));
  }

  shift(): number | undefined {
    const first = this.peek();
    if (first === undefined) return undefined;
    this.delete(first);
    return first;
  }

  delete(nodeIndex: number): boolean {
    const word = nodeIndex >>> 5;
    const bit = 1 << (nodeIndex & 31);
    const words = this.#words;
    if (((words[word] as number) & bit) === 0) return false;
    words[word] = (words[word] as number) & ~bit;
    this.#size--;
    return true;
  }
}

/** Ready nodes by priority, then index: a binary heap. */
class PriorityQueue implements ReadyQueue {
  readonly #heap: number[] = [];
  readonly #priorities: Float64Array;

  constructor(priorities: Float64Array) {
    this.#priorities = priorities;
  }

  get size(): number {
    return this.#heap.length;
  }

  push(nodeIndex: number): void {
    this.#heap.push(nodeIndex);
    this.#siftUp(this.#heap.length - 1);
  }

  shift(): number | undefined {
    const first = this.#heap[0];
    if (first !== undefined) this.#removeAt(0);
    return first;
  }

  delete(nodeIndex: number): boolean {
    // A linear search: only chained batches take nodes out of order, a few at a time.
    const at = this.#heap.indexOf(nodeIndex);
    if (at === -1) return false;
    this.#removeAt(at);
    return true;
  }

  /** Removes the entry at `at`: the last entry takes its place and moves up or down to where it belongs. */
  #removeAt(at: number): void {
    const heap = this.#heap;
    const last = heap.pop() as number;
    if (at === heap.length) return;
    heap[at] = last;
    this.#siftUp(at);
    this.#siftDown(at);
  }

  #siftUp(from: number): void {
    const heap = this.#heap;
    let child = from;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (!this.#before(heap[child] as number, heap[parent] as number)) break;
      this.#swap(child, parent);
      child = parent;
    }
  }

  #siftDown(from: number): void {
    const heap = this.#heap;
    let parent = from;
    for (;;) {
      const left = parent * 2 + 1;
      const right = left + 1;
      let best = parent;
      if (left < heap.length && this.#before(heap[left] as number, heap[best] as number)) best = left;
      if (right < heap.length && this.#before(heap[right] as number, heap[best] as number)) best = right;
      if (best === parent) return;
      this.#swap(parent, best);
      parent = best;
    }
  }

  peek(): number | undefined {
    return this.#heap[0];
  }

  #before(a: number, b: number): boolean {
    const priorityA = this.#priorities[a] as number;
    const priorityB = this.#priorities[b] as number;
    return priorityA !== priorityB ? priorityA > priorityB : a < b;
  }

  #swap(i: number, j: number): void {
    const heap = this.#heap;
    const held = heap[i] as number;
    heap[i] = heap[j] as number;
    heap[j] = held;
  }
}
