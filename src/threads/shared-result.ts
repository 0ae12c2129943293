/**
 * The `shareResult` node option's one copy: a result's typed arrays, DataViews and ArrayBuffers
 * are placed in SharedArrayBuffer memory, so that posting the result to any number of threads
 * carries the same memory instead of a copy each (structured cloning shares a
 * SharedArrayBuffer, it never copies it).
 *
 * The value is rebuilt rather than changed in place: a task may keep the object it returned
 * (a memo), and the shared copy must not rewrite it behind its back. Containers are rebuilt
 * only when something in the value needs moving to shared memory; memory that is already
 * shared is kept as it is, with or without the option. Most large results are there already:
 * while a `shareResult` task runs, a large array it asks for by length is made in shared memory
 * (shared-allocation.ts), and a task can make one there itself (`sharedArray`,
 * shared-array.ts). What this copies is the rest: small arrays, and arrays made over a buffer,
 * from another array or by an array's own methods.
 *
 * The copied-from buffer is left to the garbage collector, not detached (transferred away) to
 * free it at once: the first ArrayBuffer an isolate detaches makes V8 check for detached
 * buffers in all of that thread's optimized typed-array code from then on, and a tight read
 * loop runs about 1.7 times slower (bench/fan-out-child.mjs). The copy's cost is the page
 * faults of the fresh shared memory more than the bytes; a large one has the main thread take
 * part of the faults (shared-copy.ts), or copies into memory the main thread faulted in while
 * the node ran, when it guessed the result's size (warm-target.ts).
 *
 * Not the default: without the option every consumer but the last gets its own copy, which it
 * may change freely; with it, a consumer that writes changes the result for all. No code can
 * prove that user functions do not write to their inputs, so sharing stays a node's choice
 * (README, "Sharing a large result").
 */
import { type BinaryPart, forEachBinaryPart, replaceBinaryParts } from '../util/binary-parts.js';
import { maxNestingDepth } from '../util/inspect-value.js';
import { copyClaimingChunks, copyToSharedMemory, helpedCopyBytes } from './shared-copy.js';
import { stopWarming, takeWarmTarget, type WarmTarget, wasTaken } from './warm-target.js';

const typedArrayPrototype = Object.getPrototypeOf(Int8Array.prototype) as object;

/** The part of an unshared ArrayBuffer the value views: the whole buffer if the value holds it. */
interface Span {
  start: number;
  end: number;
  /** Filled in once the bytes are copied. */
  shared: SharedArrayBuffer | undefined;
  /** The memory made ahead that this span took for its copy (warm-target.ts), if any. */
  into?: WarmTarget;
}

/**
 * `value` with every typed array, DataView and ArrayBuffer (at the top level and in arrays,
 * plain objects, Maps and Sets, at any depth) viewing SharedArrayBuffer memory; `value` itself
 * when nothing in it needs moving.
 *
 * Views that share an ArrayBuffer still share one SharedArrayBuffer afterwards (one copy of the
 * bytes they view, not of the whole buffer: a pooled Node Buffer's neighbours are not
 * copied). A Node Buffer arrives as a Uint8Array, as structured cloning would deliver it.
 * Parts this leaves as they are (functions, class instances, values nested more than
 * {@link maxNestingDepth} levels deep) are for the result check to refuse.
 *
 * `warm`, memory the main thread made ahead for this result, is copied into when one span has
 * its size; otherwise it is declined before anything is copied, which stops its faulting.
 * `copiedFrom` is given the byte length of each ordinary span copied.
 *
 * @example
 * const shared = shareResultMemory({ weights: new Float64Array(4) });
 * shared.weights.buffer instanceof SharedArrayBuffer; // true
 */
export function shareResultMemory<T>(value: T, warm?: WarmTarget, copiedFrom?: (bytes: number) => void): T {
  const spans = new Map<ArrayBuffer, Span>();
  if (value !== null && typeof value === 'object') {
    forEachBinaryPart(value, maxNestingDepth, (part) => {
      if (ArrayBuffer.isView(part))
        use(spans, part.buffer, part.byteOffset, part.byteOffset + part.byteLength);
      else use(spans, part, 0, part.byteLength);
    });
  }
  if (warm !== undefined) {
    for (const span of spans.values()) {
      if (takeWarmTarget(warm, span.end - span.start)) {
        span.into = warm;
        break;
      }
    }
    if (!wasTaken(warm)) stopWarming(warm);
  }
  if (spans.size === 0) return value;
  for (const span of spans.values()) {
    if (span.end - span.start >= helpedCopyBytes) {
      collectBeforeCopying();
      break;
    }
  }
  const shared = replaceBinaryParts(value, maxNestingDepth, (part) => sharedPart(part, spans)) as T;
  if (copiedFrom !== undefined) for (const span of spans.values()) copiedFrom(span.end - span.start);
  return shared;
}

/**
 * Lets V8 end the collection that a large result in ordinary memory has brought on, before the
 * copy rather than after it. Such a result took its thread's ArrayBuffer memory over V8's
 * limit, so V8 has been marking since; once marking is done it ends the collection at the
 * thread's next allocation of ArrayBuffer memory (shared memory does not count) or check for
 * interrupts, which in the benchmark was the reply's serialisation, once the copy was made
 * (V8's --trace-gc and perf showed it there). There the collection also waited for the freeing of the last run's
 * array (80 MB: about 10 ms of munmap on the benchmark machine), all on the way to the
 * consumers. A few bytes allocated here end it now: the freeing it starts runs on V8's helper
 * threads while this thread copies, and the reply leaves without a collection (alternated in
 * bench/fan-out-child.mjs: 1.47 → 1.43 × the floor on reruns, 1.62 → 1.53 on first runs).
 * When no collection is pending, this costs an allocation of 8 bytes.
 */
function collectBeforeCopying(): void {
  new ArrayBuffer(8);
}

/** Widens the span of `buffer` the value uses; memory that is already shared is left out. */
function use(spans: Map<ArrayBuffer, Span>, buffer: ArrayBufferLike, start: number, end: number): void {
  if (!(buffer instanceof ArrayBuffer)) return;
  const span = spans.get(buffer);
  if (span === undefined) spans.set(buffer, { start, end, shared: undefined });
  else {
    span.start = Math.min(span.start, start);
    span.end = Math.max(span.end, end);
  }
}

function sharedPart(part: BinaryPart, spans: Map<ArrayBuffer, Span>): BinaryPart {
  if (ArrayBuffer.isView(part)) {
    const span = part.buffer instanceof ArrayBuffer ? spans.get(part.buffer) : undefined;
    return span === undefined ? part : sharedView(part, span);
  }
  const span = part instanceof ArrayBuffer ? spans.get(part) : undefined;
  return span === undefined ? part : sharedBytes(part as ArrayBuffer, span);
}

/**
 * The span's bytes in shared memory, copied once however many views use them: into the memory
 * made ahead if the span took it, else into fresh memory.
 */
function sharedBytes(buffer: ArrayBuffer, span: Span): SharedArrayBuffer {
  if (span.shared === undefined) {
    const bytes = new Uint8Array(buffer, span.start, span.end - span.start);
    if (span.into === undefined) span.shared = copyToSharedMemory(bytes);
    else {
      copyClaimingChunks(bytes, span.into);
      span.shared = span.into.target;
    }
  }
  return span.shared;
}

type ViewConstructor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => ArrayBufferView;

/** A view of the same type, offset and length over the span's shared copy. */
function sharedView(view: ArrayBufferView, span: Span): ArrayBufferView {
  const shared = sharedBytes(view.buffer as ArrayBuffer, span);
  const offset = view.byteOffset - span.start;
  if (view instanceof DataView) return new DataView(shared, offset, view.byteLength);
  // By its tag, not its constructor: a Node Buffer's constructor is deprecated as `new Buffer`.
  const tag = (view as unknown as { [Symbol.toStringTag]: string })[Symbol.toStringTag];
  const TypedArray = (globalThis as unknown as Record<string, ViewConstructor | undefined>)[tag];
  if (TypedArray === undefined || Object.getPrototypeOf(TypedArray.prototype) !== typedArrayPrototype) {
    return view;
  }
  return new TypedArray(shared, offset, (view as unknown as { length: number }).length);
}
