/**
 * Default node names: `<base name>_<4-digit counter>`, e.g. `sum_0000`, `Counter.add_0003`.
 *
 * The counter is per base name and lives for the process, as in the original: a script that
 * builds the same graph gets the same names on every run, which is what storage keys need.
 * Unlike the original, a collision (a `setName` that reuses a default name, or two task
 * functions with one name in different modules) is caught when a workflow is built.
 *
 * A node keeps only its counter and spells its name when asked: a million nodes would
 * otherwise hold a million strings that most runs never read.
 */
const countersByBaseName = new Map<string, { next: number }>();
// The counter of the base name asked last: a big graph asks for one base name many times in a
// row, and a Map lookup by string per node is a good part of building one.
let lastBaseName: string | undefined;
let lastCounter: { next: number } = { next: 0 };

/** Takes the next counter of `baseName`: the number in the next default name. */
export function nextNameCounter(baseName: string): number {
  if (baseName !== lastBaseName) {
    let counter = countersByBaseName.get(baseName);
    if (counter === undefined) {
      counter = { next: 0 };
      countersByBaseName.set(baseName, counter);
    }
    lastBaseName = baseName;
    lastCounter = counter;
  }
  return lastCounter.next++;
}

/** The default name of the node that took `counter` for `baseName`. */
export function defaultName(baseName: string, counter: number): string {
  return `${baseName}_${String(counter).padStart(4, '0')}`;
}

/**
 * Whether some default name could be spelt like `name` (it ends in `_` and 4 or more digits).
 * A name that is not spelt so never collides with a default name: a workflow checks only its
 * renamed nodes for duplicates, without spelling every default name, unless one of them is.
 */
export function mayBeDefaultName(name: string): boolean {
  return /_\d{4,}$/.test(name);
}
