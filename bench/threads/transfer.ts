/**
 * An 80 MB Float64Array through a chain of 6 nodes, per hop, vs one structuredClone of it and
 * vs the same chain on each peer pool moving the buffer with a transfer list; and the cost of a
 * second consumer (which receives a copy).
 *
 * Each workflow is built from a graph of its own: a workflow holds every node that descends
 * from its roots, so workflows sharing a source node would each run all of them (the figures
 * once compared three runs of one 11-node graph). The node counts are checked before timing.
 *
 * Two ways through the chain: as it runs from the second run on (the quick touches are chained
 * after the node that makes the array, so the array never leaves its worker), and moved
 * through the main thread at every hop, as on a first run (each touch given a timeout, which
 * makes a node travel alone: that is the cost of one hop moved).
 */
import { type Node, ThreadWorkflow } from 'functionfuse';
import { makeArray, sumAll, touch } from '../fixtures/bench-tasks.mjs';
import { arrayChain, type PeerPool } from '../peers/peer-pool.js';
import { piscinaPeer } from '../peers/piscina.js';
import { alternateRounds, figure } from '../peers/rounds.js';
import { tinypoolPeer } from '../peers/tinypool.js';
import { workerpoolPeer } from '../peers/workerpool.js';
import { type FigureRow, round } from '../support.js';
import { threads } from './harness.js';

const length = (80 * 2 ** 20) / 8;
const hops = 6;

/** makeArray, `chainHops` touches, then `consumers` sumAll nodes of the last: a graph of its own. */
function arrayWorkflow(name: string, chainHops: number, consumers: number, alone = false): ThreadWorkflow {
  let chain: Node<Float64Array> = makeArray(length);
  for (let hop = 0; hop < chainHops; hop++) chain = touch(chain);
  const leaves = Array.from({ length: consumers }, () => sumAll(chain));
  const workflow = new ThreadWorkflow(leaves, { workflowName: name, threads });
  if (alone) workflow.query('.*').setOptions({ timeout: 600_000 });
  const expected = 1 + chainHops + consumers;
  const actual = workflow.findNodes().length;
  if (actual !== expected) throw new Error(`Workflow ${name} holds ${actual} nodes, expected ${expected}`);
  return workflow;
}

export async function transfer(): Promise<FigureRow[]> {
  const workflows = {
    base: arrayWorkflow('transfer-0', 0, 1),
    chain: arrayWorkflow('transfer-6', hops, 1),
    twoConsumers: arrayWorkflow('transfer-2', hops, 2),
    'base, alone': arrayWorkflow('transfer-0-alone', 0, 1, true),
    'chain, alone': arrayWorkflow('transfer-6-alone', hops, 1, true),
  };
  const peers: PeerPool[] = [piscinaPeer(threads), workerpoolPeer(threads), tinypoolPeer(threads)];
  const input = new Float64Array(length).fill(1);
  const arms: Record<string, () => unknown> = {
    structuredClone: () => structuredClone(input),
    ...Object.fromEntries(Object.entries(workflows).map(([name, workflow]) => [name, () => workflow.run()])),
  };
  for (const peer of peers) {
    arms[`${peer.name} base`] = () => arrayChain(peer, length, 0);
    arms[`${peer.name} chain`] = () => arrayChain(peer, length, hops);
  }
  const times = await alternateRounds(arms, 9);
  await Promise.all([...Object.values(workflows), ...peers].map((each) => each.close()));
  const medianOf = (name: string) => (times[name] as (typeof times)[string]).medianMs;
  const cloneMs = medianOf('structuredClone');
  const perHop = (chain: string, base: string) => (medianOf(chain) - medianOf(base)) / hops;
  const oursPerHop = perHop('chain', 'base');
  const movedPerHop = perHop('chain, alone', 'base, alone');
  const secondConsumerMs = medianOf('twoConsumers') - medianOf('chain');
  const clone = `${figure(times['structuredClone'] as (typeof times)[string], 1, 'ms')} per structuredClone`;
  return [
    {
      benchmark: '4. transfer, 80 MB through 6 nodes',
      ours: `${round(oursPerHop)} ms/hop chained (the array stays in its worker)`,
      baseline: clone,
      ratio: round(oursPerHop / cloneMs),
      budget: '< 0.3 clone per hop',
    },
    {
      benchmark: '4. transfer, 80 MB through 6 nodes',
      ours: `${round(movedPerHop)} ms/hop moved through the main thread`,
      baseline: clone,
      ratio: round(movedPerHop / cloneMs),
      budget: '< 0.3 clone per hop',
    },
    ...peers.flatMap((peer) => {
      const theirs = perHop(`${peer.name} chain`, `${peer.name} base`);
      return [
        { ours: oursPerHop, how: 'chained' },
        { ours: movedPerHop, how: 'moved' },
      ].map(({ ours, how }) => ({
        benchmark: '4. transfer, 80 MB through 6 nodes',
        ours: `${round(ours)} ms/hop ${how}`,
        baseline: `${round(theirs)} ms/hop ${peer.name}, transfer lists both ways`,
        ratio: round(ours / theirs),
        budget: '(reported)',
      }));
    }),
    {
      benchmark: '4b. a second consumer of an 80 MB result',
      ours: `+${round(secondConsumerMs)} ms (it receives a copy)`,
      baseline: clone,
      ratio: round(secondConsumerMs / cloneMs),
      budget: '(reported)',
    },
    {
      benchmark: '4c. the runs behind 4 and 4b',
      ours: ['base', 'chain', 'twoConsumers', 'base, alone', 'chain, alone']
        .map((name) => `${name} ${figure(times[name] as (typeof times)[string], 1, 'ms')}`)
        .join('; '),
      baseline: peers
        .map(
          (peer) =>
            `${peer.name} ${round(medianOf(`${peer.name} base`))} / ${round(medianOf(`${peer.name} chain`))} ms`,
        )
        .join('; '),
      ratio: '',
      budget: '',
    },
  ];
}
