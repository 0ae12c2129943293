/** A chain of 1,000 trivial nodes vs a raw Piscina await-loop of 1,000 tasks. */
import { type Node, ThreadWorkflow } from 'functionfuse';
import { Piscina } from 'piscina';
import { noop } from '../fixtures/bench-tasks.mjs';
import { type FigureRow, medianMs, round } from '../support.js';
import { bench, rawPiscinaWorker, threads } from './harness.js';

export async function chainLatency(): Promise<FigureRow[]> {
  const hops = 1_000;
  let last: Node<number> = noop(0);
  for (let hop = 1; hop < hops; hop++) last = noop(last);
  const threaded = new ThreadWorkflow(last, { workflowName: 'latency', threads });
  const raw = new Piscina({ filename: rawPiscinaWorker, minThreads: threads, maxThreads: threads });
  await threaded.run();
  const suite = bench(5)
    .add('threads', () => threaded.run().then(() => undefined))
    .add('raw piscina', async () => {
      let value = 0;
      for (let hop = 0; hop < hops; hop++) value = await raw.run({ kind: 'noop', value });
    });
  await suite.run();
  await Promise.all([threaded.close(), raw.destroy()]);
  const ourMs = medianMs(suite, 'threads');
  const rawMs = medianMs(suite, 'raw piscina');
  return [
    {
      benchmark: '3. latency, chain of 1,000 trivial nodes',
      ours: `${round((ourMs * 1000) / hops)} µs/hop`,
      baseline: `${round((rawMs * 1000) / hops)} µs/hop raw Piscina await-loop`,
      ratio: round(ourMs / rawMs),
      budget: '(reported)',
    },
  ];
}
