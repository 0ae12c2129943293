/**
 * Large typed arrays made in shared memory from the start, while a `shareResult` task runs in
 * a worker thread: the result it returns is then already shared, and nothing is copied.
 *
 * The option's copy (shared-result.ts) has a cost no tuning removes: the array and its copy are
 * both resident when it is made (2 × the array at the least), and the copy's fresh memory must
 * be faulted in after the node has returned, on the way to its consumers (80 MB: 1.3–1.45 × the
 * hand-written SharedArrayBuffer floor on a workflow's first run, against 1.1 for a task that
 * made its array with `sharedArray()`, bench/threads/fan-out.ts). So while such a task runs,
 * the worker's global typed array constructors (`Float64Array`, `Int32Array`, ...) are stand-ins
 * that make an array of {@link sharedFromBytes} or more, asked for by its length
 * (`new Float64Array(n)`, and so `Float64Array.from(...)` and `.of(...)`), over a
 * SharedArrayBuffer of its own: zeroed, of the same type, as `sharedArray()` makes it. Anything
 * else (a smaller array, one made over a buffer, from another array or an iterable, or by an
 * array's own methods such as `map` and `slice`) is made by the real constructor, as it would
 * be without the option; so `new Float64Array(new ArrayBuffer(bytes))` keeps a large array in
 * ordinary memory, and a result holding one is copied as before.
 *
 * The stand-ins are the constructors to the task's code: the arrays they make are ordinary
 * typed arrays (their prototype, `constructor` and `instanceof` are the real ones), static
 * methods and `BYTES_PER_ELEMENT` are inherited, and a class that extends one is made by the
 * real constructor for its own prototype. What differs is where the memory is: a large array's
 * `buffer` is a SharedArrayBuffer, which cannot be moved in a transfer list. That is the
 * option's contract anyway for what the task returns; for what it makes and drops, the memory
 * is told to the thread's collector (shared-memory-pressure.ts) as ordinary memory counts
 * itself, so it is collected as soon.
 *
 * Only in a worker thread, where a shared result goes to other threads, and only while the
 * task runs: from its call until it returns, or until the promise it returned settles (a
 * worker runs one batch at a time, and a node that times out has its worker stopped). Module
 * code that kept a constructor of its own before the task ran (`const F = Float64Array`) gets
 * the real one, and its arrays are copied as before.
 */
import { isMainThread } from 'node:worker_threads';
import { isThenable } from '../util/thenable.js';
import { type TypedArrayName, typedArrayNames } from '../util/typed-array-names.js';
import { alwaysMappedBytes, feelSharedMemory } from './shared-memory-pressure.js';

/**
 * The least byte length made in shared memory: from there on, ordinary memory is mapped fresh
 * too, so an array the task drops costs the same page faults either way (64 MiB arrays made
 * and dropped in a loop: 0.81–1.02 × the time in ordinary memory). Below, the allocator hands a
 * loop's ordinary arrays the memory of those it dropped, and shared memory made there
 * (`sharedArray()`), which V8 frees later, took 2.1–2.7 × at 8 MiB and 5.2–6.1 × at 32 MiB
 * (bench/shared-temporaries.mjs); a result that small is copied, as before, and its reruns
 * copy into memory faulted in ahead.
 */
export const sharedFromBytes = alwaysMappedBytes;

type AnyConstructor = new (...args: unknown[]) => object;
type Globals = Record<TypedArrayName, AnyConstructor>;

const globals = globalThis as unknown as Globals;
/** The real constructors, taken when this module loads, before any task could replace one. */
const realConstructors = Object.fromEntries(typedArrayNames.map((name) => [name, globals[name]])) as Globals;
let standIns: Globals | undefined;
/** How many calls are diverting now: a task's promise may still be pending when another's call begins. */
let diverting = 0;

/**
 * `call()`, with large typed arrays made in shared memory while it runs (see above); the
 * promise it returns, if any, settles as its own does. In the main thread, `call()` as it is.
 *
 * @example
 * const value = callAllocatingShared(() => callCallable(definition, args, undefined));
 */
export function callAllocatingShared<T>(call: () => T): T {
  if (isMainThread) return call();
  begin();
  let value: T;
  try {
    value = call();
  } catch (error) {
    end();
    throw error;
  }
  if (!isThenable(value)) {
    end();
    return value;
  }
  return Promise.resolve(value).finally(end) as T;
}

function begin(): void {
  if (diverting++ > 0) return;
  standIns ??= makeStandIns();
  for (const name of typedArrayNames) globals[name] = standIns[name];
}

function end(): void {
  if (--diverting > 0) return;
  for (const name of typedArrayNames) globals[name] = realConstructors[name];
}

function makeStandIns(): Globals {
  return Object.fromEntries(
    typedArrayNames.map((name) => [name, standIn(realConstructors[name])]),
  ) as Globals;
}

/**
 * A constructor that makes what `Real` makes, over shared memory when asked for a large length.
 * A plain function rather than a class: it returns the array `Real` made, so the object
 * `new` made for it is dropped, and its `prototype` can be the real one.
 */
function standIn(Real: AnyConstructor): AnyConstructor {
  const bytesPerElement = (Real as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  function Shared(this: unknown, source?: unknown, byteOffset?: unknown, length?: unknown): object {
    // Called without `new`: the real constructor throws its own TypeError.
    if (new.target === undefined) return (Real as unknown as (...args: unknown[]) => object)(source);
    const made = new.target === Shared ? Real : new.target;
    if (
      typeof source === 'number' &&
      Number.isSafeInteger(source) &&
      source * bytesPerElement >= sharedFromBytes
    ) {
      const memory = sharedMemory(source * bytesPerElement);
      if (memory !== undefined) {
        return made === Real ? new Real(memory) : Reflect.construct(Real, [memory], made);
      }
    }
    return made === Real
      ? new Real(source, byteOffset, length)
      : Reflect.construct(Real, [source, byteOffset, length], made);
  }
  Shared.prototype = Real.prototype;
  Object.setPrototypeOf(Shared, Real);
  Object.defineProperty(Shared, 'name', { value: Real.name });
  Object.defineProperty(Shared, 'length', { value: Real.length });
  return Shared as unknown as AnyConstructor;
}

/**
 * `bytes` of shared memory, told to the thread's collector; undefined when it cannot be had
 * (a length past any typed array's, or more than the system grants), so that the real
 * constructor makes the array or throws its own error.
 */
function sharedMemory(bytes: number): SharedArrayBuffer | undefined {
  let memory: SharedArrayBuffer;
  try {
    memory = new SharedArrayBuffer(bytes);
  } catch {
    return undefined;
  }
  feelSharedMemory(bytes);
  return memory;
}
