/**
 * 4,000 trivial independent nodes against Promise.all over 4,000 tasks on each peer pool
 * (Piscina, workerpool, tinypool), and against Piscina batched by hand, one message per thread
 * (the floor), in alternating rounds.
 */
import { ThreadWorkflow } from 'functionfuse';
import { noop } from '../fixtures/bench-tasks.mjs';
import { flood, type PeerPool } from '../peers/peer-pool.js';
import { piscinaPeer } from '../peers/piscina.js';
import { alternateRounds, figure } from '../peers/rounds.js';
import { tinypoolPeer } from '../peers/tinypool.js';
import { workerpoolPeer } from '../peers/workerpool.js';
import { type FigureRow, round } from '../support.js';
import { threads } from './harness.js';

export async function perNodeOverhead(): Promise<FigureRow[]> {
  const count = 4_000;
  const nodes = Array.from({ length: count }, (_, index) => noop(index));
  const threaded = new ThreadWorkflow(nodes, { workflowName: 'overhead', threads });
  const piscina = piscinaPeer(threads);
  const peers: PeerPool[] = [piscina, workerpoolPeer(threads), tinypoolPeer(threads)];
  // The floor: what a user who knows the tasks are tiny would write, one message per thread.
  const values = Array.from({ length: count }, (_, index) => index);
  const share = Math.ceil(count / threads);
  const batchedByHand = () =>
    Promise.all(
      Array.from({ length: threads }, (_, thread) =>
        piscina.run({ kind: 'noop-batch', values: values.slice(thread * share, (thread + 1) * share) }),
      ),
    );
  // The warm-up rounds (untimed) start the pools, teach our sizer the nodes' durations and let
  // V8 compile every arm's per-node code (see alternateRounds).
  const times = await alternateRounds(
    {
      threads: () => threaded.run(),
      ...Object.fromEntries(peers.map((peer) => [peer.name, () => flood(peer, count)])),
      'batched by hand': batchedByHand,
    } as Record<string, () => Promise<unknown>>,
    15,
    10,
  );
  await Promise.all([threaded.close(), ...peers.map((peer) => peer.close())]);
  const perNode = 1000 / count;
  const ours = times['threads'] as (typeof times)[string];
  const row = (name: string, what: string, budget: string): FigureRow => {
    const theirs = times[name] as (typeof times)[string];
    return {
      benchmark: '2. per-node overhead, 4,000 trivial nodes',
      ours: figure(ours, perNode, 'µs/node'),
      baseline: `${figure(theirs, perNode, 'µs/task')} ${what}`,
      ratio: round(ours.medianMs / theirs.medianMs),
      budget,
    };
  };
  return [
    ...peers.map((peer) => row(peer.name, `${peer.name}, Promise.all`, '≤ 5 µs/node')),
    row('batched by hand', 'piscina batched by hand, one message per thread (the floor)', '(floor)'),
  ];
}
