/**
 * Objects kept for the life of the process so that V8 keeps their hidden classes.
 *
 * V8 reaches the hidden class ("map") of an object from its class's first map through weak
 * transitions. When every object of a class has died (a full collection after a run, between
 * two runs), its maps go with them, and every function optimized for those maps is thrown
 * away (`--trace-deopt`: "weak objects"). The next run builds new maps and runs its hot loop
 * unoptimized until the compiler catches up, and a loop of a million nodes may never get there
 * again: on LocalWorkflow, a run of a big graph after an earlier run had been collected took 2
 * to 3 times the CPU time of the first. A small object of each class, kept here, keeps the
 * maps every later object of that class takes.
 */
const kept: object[] = [];

/** Keeps `objects` alive for good (small ones only: see above). */
export function keepShapes(...objects: readonly object[]): void {
  kept.push(...objects);
}
