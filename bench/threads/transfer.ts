/**
 * An 80 MB Float64Array through a chain of 6 nodes, per hop, vs one structuredClone of it; and
 * the cost of a second consumer (which receives a copy).
 */
import { type Node, ThreadWorkflow } from 'functionfuse';
import { makeArray, sumAll, touch } from '../fixtures/bench-tasks.mjs';
import { type FigureRow, medianMs, round } from '../support.js';
import { bench, threads } from './harness.js';

export async function transfer(): Promise<FigureRow[]> {
  const length = (80 * 2 ** 20) / 8;
  const hops = 6;
  // The array is made by a node, as in a real pipeline; the chain with no hops is the base.
  const source = makeArray(length);
  let chain: Node<Float64Array> = source;
  for (let hop = 0; hop < hops; hop++) chain = touch(chain);
  const workflows = {
    base: new ThreadWorkflow(sumAll(source), { workflowName: 'transfer-0', threads }),
    chain: new ThreadWorkflow(sumAll(chain), { workflowName: 'transfer-6', threads }),
    twoConsumers: new ThreadWorkflow([sumAll(chain), sumAll(chain)], { workflowName: 'transfer-2', threads }),
  };
  const input = new Float64Array(length).fill(1);
  const suite = bench(5).add('structuredClone', () => {
    structuredClone(input);
  });
  for (const [name, workflow] of Object.entries(workflows)) {
    await workflow.run();
    suite.add(name, () => workflow.run().then(() => undefined));
  }
  await suite.run();
  await Promise.all(Object.values(workflows).map((workflow) => workflow.close()));
  const cloneMs = medianMs(suite, 'structuredClone');
  const perHopMs = (medianMs(suite, 'chain') - medianMs(suite, 'base')) / hops;
  const secondConsumerMs = medianMs(suite, 'twoConsumers') - medianMs(suite, 'chain');
  return [
    {
      benchmark: '4. transfer, 80 MB through 6 nodes',
      ours: `${round(perHopMs)} ms/hop`,
      baseline: `${round(cloneMs)} ms per structuredClone`,
      ratio: round(perHopMs / cloneMs),
      budget: '< 0.3 clone per hop',
    },
    {
      benchmark: '4b. a second consumer of an 80 MB result',
      ours: `+${round(secondConsumerMs)} ms (it receives a copy)`,
      baseline: `${round(cloneMs)} ms per structuredClone`,
      ratio: round(secondConsumerMs / cloneMs),
      budget: '(reported)',
    },
  ];
}
