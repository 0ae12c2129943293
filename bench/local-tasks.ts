import { task } from 'functionfuse';

/** A trivial node: the benchmark measures the workflow's overhead, not the work. */
export const combine = task(function combine(a: number, b: number) {
  return a + b;
});

export const seed = task(function seed(index: number) {
  return index;
});
