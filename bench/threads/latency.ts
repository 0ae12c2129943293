/**
 * A chain of 1,000 trivial nodes against the await-loops a user would write on each peer pool
 * (1,000 tasks, each sent when the one before answered: Piscina, workerpool, tinypool) and a
 * bare postMessage ping-pong with one worker_threads Worker (the floor), in alternating rounds,
 * settled (every arm warmed for 10 rounds) and cold (the first round after our measuring run).
 */
import { type Node, ThreadWorkflow } from 'functionfuse';
import { noop } from '../fixtures/bench-tasks.mjs';
import { awaitLoop, type PeerPool } from '../peers/peer-pool.js';
import { startPingPong } from '../peers/ping-pong.js';
import { piscinaPeer } from '../peers/piscina.js';
import { alternateRounds, figure } from '../peers/rounds.js';
import { tinypoolPeer } from '../peers/tinypool.js';
import { workerpoolPeer } from '../peers/workerpool.js';
import { type FigureRow, round } from '../support.js';
import { threads } from './harness.js';

export async function chainLatency(): Promise<FigureRow[]> {
  const hops = 1_000;
  let last: Node<number> = noop(0);
  for (let hop = 1; hop < hops; hop++) last = noop(last);
  const threaded = new ThreadWorkflow(last, { workflowName: 'latency', threads });
  const peers: PeerPool[] = [piscinaPeer(threads), workerpoolPeer(threads), tinypoolPeer(threads)];
  const pingPong = await startPingPong();
  const arms = {
    threads: () => threaded.run(),
    ...Object.fromEntries(peers.map((peer) => [peer.name, () => awaitLoop(peer, hops)])),
    'ping-pong': () => pingPong.roundTrips(hops),
  } as Record<string, () => Promise<unknown>>;
  // One untimed round (our first run measures the tasks; the pools start), one timed cold, then
  // the settled figures after every arm has been warmed alike.
  const cold = await alternateRounds(arms, 1, 1);
  const times = await alternateRounds(arms, 15, 10);
  await Promise.all([threaded.close(), pingPong.close(), ...peers.map((peer) => peer.close())]);
  const perHop = 1000 / hops;
  const ours = times['threads'] as (typeof times)[string];
  const coldBestLoop = Math.min(...peers.map((peer) => (cold[peer.name] as (typeof cold)[string]).medianMs));
  const bestLoop = Math.min(...peers.map((peer) => (times[peer.name] as (typeof times)[string]).medianMs));
  const row = (name: string, what: string, budget: string): FigureRow => {
    const theirs = times[name] as (typeof times)[string];
    return {
      benchmark: '3. latency, chain of 1,000 trivial nodes',
      ours: figure(ours, perHop, 'µs/hop'),
      baseline: `${figure(theirs, perHop, 'µs/hop')} ${what}`,
      ratio: round(ours.medianMs / theirs.medianMs),
      budget,
    };
  };
  return [
    ...peers.map((peer) =>
      row(peer.name, `${peer.name} await-loop`, '≤ 10 µs/hop and ≤ 0.25 × best await-loop'),
    ),
    row('ping-pong', 'bare postMessage ping-pong, one Worker (the floor)', '(floor)'),
    {
      benchmark: '3. latency, first chained run (cold), against the best await-loop cold',
      ours: figure(cold['threads'] as (typeof cold)[string], perHop, 'µs/hop'),
      baseline: `${round(coldBestLoop * perHop)} µs/hop best await-loop, cold`,
      ratio: round((cold['threads'] as (typeof cold)[string]).medianMs / coldBestLoop),
      budget: "(settled figures above are the budget's)",
    },
    {
      benchmark: '3. latency, against the best await-loop',
      ours: figure(ours, perHop, 'µs/hop'),
      baseline: `${round(bestLoop * perHop)} µs/hop best await-loop`,
      ratio: round(ours.medianMs / bestLoop),
      budget: '≤ 0.25, and ≤ 10 µs/hop',
    },
  ];
}
