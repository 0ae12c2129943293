/**
 * 8 independent ~100 ms nodes: LocalWorkflow vs ThreadWorkflow, and the same spin work on each
 * peer pool (Promise.all over 8 tasks on Piscina, workerpool, tinypool), in alternating rounds.
 * The speedup of each is LocalWorkflow's time over its own.
 */
import { LocalWorkflow, ThreadWorkflow } from 'functionfuse';
import { spin } from '../fixtures/bench-tasks.mjs';
import type { PeerPool } from '../peers/peer-pool.js';
import { piscinaPeer } from '../peers/piscina.js';
import { alternateRounds, figure } from '../peers/rounds.js';
import { tinypoolPeer } from '../peers/tinypool.js';
import { workerpoolPeer } from '../peers/workerpool.js';
import { calibrateSpin, type FigureRow, round } from '../support.js';
import { threads } from './harness.js';

export async function speedup(): Promise<FigureRow[]> {
  const iterations = calibrateSpin(100);
  const count = 8;
  const nodes = Array.from({ length: count }, () => spin(iterations));
  const local = new LocalWorkflow(nodes, { workflowName: 'speedup' });
  const threaded = new ThreadWorkflow(nodes, { workflowName: 'speedup', threads });
  const peers: PeerPool[] = [piscinaPeer(threads), workerpoolPeer(threads), tinypoolPeer(threads)];
  const spinAll = (peer: PeerPool) =>
    Promise.all(Array.from({ length: count }, () => peer.run({ kind: 'spin', iterations })));
  const times = await alternateRounds(
    {
      local: () => local.run(),
      threads: () => threaded.run(),
      ...Object.fromEntries(peers.map((peer) => [peer.name, () => spinAll(peer)])),
    } as Record<string, () => Promise<unknown>>,
    7,
  );
  await Promise.all([threaded.close(), ...peers.map((peer) => peer.close())]);
  const localTimes = times['local'] as (typeof times)[string];
  const speedupOf = (name: string) => localTimes.medianMs / (times[name] as (typeof times)[string]).medianMs;
  const ours = speedupOf('threads');
  return [
    {
      benchmark: '1. speedup, 8 × 100 ms nodes',
      ours: `${figure(times['threads'] as (typeof times)[string], 1, 'ms')} on ${threads} threads`,
      baseline: `${figure(localTimes, 1, 'ms')} LocalWorkflow`,
      ratio: round(ours),
      budget: `≥ ${round(0.92 * threads)} (0.92 × cores)`,
    },
    ...peers.map((peer) => ({
      benchmark: '1. speedup, 8 × 100 ms nodes',
      ours: `${round(ours)} × speedup`,
      baseline: `${round(speedupOf(peer.name))} × ${peer.name}, Promise.all (${figure(
        times[peer.name] as (typeof times)[string],
        1,
        'ms',
      )})`,
      ratio: round(ours / speedupOf(peer.name)),
      budget: '(reported)',
    })),
  ];
}
