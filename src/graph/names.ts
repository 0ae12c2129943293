/**
 * Default node names: `<base name>_<4-digit counter>`, e.g. `sum_0000`, `Counter.add_0003`.
 *
 * The counter is per base name and lives for the process, as in the original: a script that
 * builds the same graph gets the same names on every run, which is what storage keys need.
 * Unlike the original, a collision (a `setName` that reuses a default name, or two task
 * functions with one name in different modules) is caught when a workflow is built.
 */
const countersByBaseName = new Map<string, number>();

export function nextDefaultName(baseName: string): string {
  const counter = countersByBaseName.get(baseName) ?? 0;
  countersByBaseName.set(baseName, counter + 1);
  return `${baseName}_${String(counter).padStart(4, '0')}`;
}
