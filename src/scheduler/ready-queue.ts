/**
 * Nodes whose parents are all done, waiting for a free slot: highest priority first, then
 * canonical order, so dispatch order never depends on which parent happened to finish last.
 * A binary heap of node indexes.
 */
export class ReadyQueue {
  readonly #heap: number[] = [];
  readonly #priorities: Float64Array;

  /** `priorities[i]` is node i's priority (0 unless set with setOptions). */
  constructor(priorities: Float64Array) {
    this.#priorities = priorities;
  }

  get size(): number {
    return this.#heap.length;
  }

  push(nodeIndex: number): void {
    const heap = this.#heap;
    heap.push(nodeIndex);
    let child = heap.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (!this.#before(heap[child] as number, heap[parent] as number)) break;
      this.#swap(child, parent);
      child = parent;
    }
  }

  /** Removes and returns the first node; undefined when empty. */
  shift(): number | undefined {
    const heap = this.#heap;
    if (heap.length === 0) return undefined;
    const first = heap[0] as number;
    const last = heap.pop() as number;
    if (heap.length > 0) {
      heap[0] = last;
      let parent = 0;
      for (;;) {
        const left = parent * 2 + 1;
        const right = left + 1;
        let best = parent;
        if (left < heap.length && this.#before(heap[left] as number, heap[best] as number)) best = left;
        if (right < heap.length && this.#before(heap[right] as number, heap[best] as number)) best = right;
        if (best === parent) break;
        this.#swap(parent, best);
        parent = best;
      }
    }
    return first;
  }

  /** The first node without removing it. */
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
