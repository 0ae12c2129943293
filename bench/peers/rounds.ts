/**
 * Timing arms of a case in alternating rounds: each round runs every arm once, in turn, so a
 * shared machine that gets busier or quieter meanwhile weighs on each alike (tinybench would
 * time all runs of one arm before the next). Figures are medians with their range.
 */
import { collectGarbage, round } from '../support.js';

/** The samples of one arm, in ms. */
export interface ArmTimes {
  readonly samples: readonly number[];
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

/**
 * Runs `warmUpRounds` untimed rounds of all arms in turn (one by default), then `rounds` timed
 * ones. Each timed arm starts from a collected heap (with --expose-gc): V8 runs a collection it
 * has pending when the main thread next idles, so an arm that leaves the main thread waiting on
 * a worker (a chain run inside one) paid for the garbage of the arm before it. Seen on the
 * chain case: a 7-12 ms scavenge of the await-loops' promises in 8 of 15 of our 4 ms runs. Code that runs once per node in each of several threads needs thousands of nodes
 * before V8 has compiled it all (a chain of 1,000 quick nodes settles after about 8 runs): a
 * case that means to compare settled speeds warms every arm alike for longer.
 */
export async function alternateRounds<Name extends string>(
  arms: Readonly<Record<Name, () => PromiseLike<unknown> | unknown>>,
  rounds: number,
  warmUpRounds = 1,
): Promise<Record<Name, ArmTimes>> {
  const names = Object.keys(arms) as Name[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
  for (let index = 0; index < warmUpRounds; index++) for (const name of names) await arms[name]();
  for (let index = 0; index < rounds; index++) {
    for (const name of names) {
      collectGarbage();
      const started = performance.now();
      await arms[name]();
      samples[name].push(performance.now() - started);
    }
  }
  return Object.fromEntries(names.map((name) => [name, summarize(samples[name])])) as Record<Name, ArmTimes>;
}

/** Median, minimum and maximum of some samples. */
export function summarize(samples: readonly number[]): ArmTimes {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const medianMs =
    sorted.length % 2 === 1
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { samples, medianMs, minMs: sorted[0] as number, maxMs: sorted.at(-1) as number };
}

/** `times` scaled by `factor` (e.g. µs per hop), as "median (min–max) unit". */
export function figure(times: ArmTimes, factor: number, unit: string): string {
  return `${round(times.medianMs * factor)} ${unit} (${round(times.minMs * factor)}–${round(times.maxMs * factor)})`;
}
