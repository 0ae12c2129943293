/** 8 independent ~100 ms nodes: LocalWorkflow vs ThreadWorkflow. */
import { LocalWorkflow, ThreadWorkflow } from 'functionfuse';
import { spin } from '../fixtures/bench-tasks.mjs';
import { calibrateSpin, type FigureRow, medianMs, round } from '../support.js';
import { bench, threads } from './harness.js';

export async function speedup(): Promise<FigureRow[]> {
  const iterations = calibrateSpin(100);
  const nodes = Array.from({ length: 8 }, () => spin(iterations));
  const local = new LocalWorkflow(nodes, { workflowName: 'speedup' });
  const threaded = new ThreadWorkflow(nodes, { workflowName: 'speedup', threads });
  const suite = bench(5)
    .add('local', () => local.run().then(() => undefined))
    .add('threads', () => threaded.run().then(() => undefined));
  await suite.run();
  await threaded.close();
  const localMs = medianMs(suite, 'local');
  const threadMs = medianMs(suite, 'threads');
  return [
    {
      benchmark: '1. speedup, 8 × 100 ms nodes',
      ours: `${round(threadMs)} ms on ${threads} threads`,
      baseline: `${round(localMs)} ms LocalWorkflow`,
      ratio: round(localMs / threadMs),
      budget: `≥ ${round(0.92 * threads)} (0.92 × cores)`,
    },
  ];
}
