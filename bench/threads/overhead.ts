/** 4,000 trivial independent nodes vs raw Piscina running 4,000 tasks. */
import { ThreadWorkflow } from 'functionfuse';
import { Piscina } from 'piscina';
import { noop } from '../fixtures/bench-tasks.mjs';
import { type FigureRow, medianMs, round } from '../support.js';
import { bench, rawPiscinaWorker, threads } from './harness.js';

export async function perNodeOverhead(): Promise<FigureRow[]> {
  const count = 4_000;
  const nodes = Array.from({ length: count }, (_, index) => noop(index));
  const threaded = new ThreadWorkflow(nodes, { workflowName: 'overhead', threads });
  const raw = new Piscina({ filename: rawPiscinaWorker, minThreads: threads, maxThreads: threads });
  await threaded.run(); // start the pool and learn the nodes' durations
  const suite = bench(10)
    .add('threads', () => threaded.run().then(() => undefined))
    .add('raw piscina', () =>
      Promise.all(Array.from({ length: count }, (_, index) => raw.run({ kind: 'noop', value: index }))).then(
        () => undefined,
      ),
    );
  await suite.run();
  await Promise.all([threaded.close(), raw.destroy()]);
  const ourMs = medianMs(suite, 'threads');
  const rawMs = medianMs(suite, 'raw piscina');
  return [
    {
      benchmark: '2. per-node overhead, 4,000 trivial nodes',
      ours: `${round((ourMs * 1000) / count)} µs/node`,
      baseline: `${round((rawMs * 1000) / count)} µs/task raw Piscina`,
      ratio: round(ourMs / rawMs),
      budget: '≤ 1.5 (goal ≤ 1.0)',
    },
  ];
}
