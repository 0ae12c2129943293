import { LocalWorkflow, type Node, task } from 'functionfuse';
import { describe, expect, it } from 'vitest';

const step = task(function sharedNodesStep(value: number) {
  return value + 1;
});

/** The names of the nodes a run of `workflow` finished, in the order they finished. */
async function ranNodes(workflow: LocalWorkflow): Promise<string[]> {
  const finished: string[] = [];
  workflow.on('node-finished', (event) => finished.push(event.node));
  await workflow.run();
  return finished;
}

describe('workflows built from a shared node (the trap README warns of)', () => {
  it('each holds and runs every node that descends from the shared root, not only its own leaves', async () => {
    const source = step(0).setName('source');
    const short = new LocalWorkflow(step(source).setName('short-leaf'), { workflowName: 'short' });
    let chain: Node<number> = source;
    for (let hop = 0; hop < 3; hop++) chain = step(chain).setName(`hop-${hop}`);
    const long = new LocalWorkflow(step(chain).setName('long-leaf'), { workflowName: 'long' });
    const everyNode = ['source', 'short-leaf', 'hop-0', 'hop-1', 'hop-2', 'long-leaf'];
    // The short workflow was built first, yet it holds the chain built after it.
    expect(short.findNodes().map((node) => node.name)).toEqual(everyNode);
    expect(long.findNodes().map((node) => node.name)).toEqual(everyNode);
    expect(await ranNodes(short)).toEqual(everyNode);
    // Its result is still only its own leaf.
    expect(await short.run()).toBe(2);
  });

  it('holds only its own nodes when each workflow is built from a graph of its own', async () => {
    const shortSource = step(0).setName('short-source');
    const short = new LocalWorkflow(step(shortSource).setName('short-leaf'), { workflowName: 'short' });
    let chain: Node<number> = step(0).setName('long-source');
    for (let hop = 0; hop < 3; hop++) chain = step(chain).setName(`long-hop-${hop}`);
    const long = new LocalWorkflow(step(chain).setName('long-leaf'), { workflowName: 'long' });
    expect(await ranNodes(short)).toEqual(['short-source', 'short-leaf']);
    expect(long.findNodes()).toHaveLength(5);
    expect(await long.run()).toBe(5);
  });
});
