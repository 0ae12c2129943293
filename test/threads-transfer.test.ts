import { ThreadWorkflow } from 'functionfuse';
import { describe, expect, it } from 'vitest';
import { bundle, filled, scale, sumThenScribble, sumValues } from './fixtures/thread-tasks.js';
import { closeAfterEach } from './support/backends.js';

const threads = closeAfterEach();

describe('ThreadWorkflow moves typed arrays', () => {
  it('returns typed arrays with their type and contents, through a chain of nodes', async () => {
    const chain = scale(scale(filled(1000, 2), 3), 0.5);
    const result = await threads(new ThreadWorkflow(chain, { workflowName: 'chain', threads: 2 })).run();
    expect(result).toBeInstanceOf(Float64Array);
    expect(result).toEqual(new Float64Array(1000).fill(3));
  });

  it('gives every consumer intact data even when the first one mutates its input', async () => {
    const data = filled(100, 1);
    // Many consumers at once: once their duration is known (after the first run), several are
    // sent to a worker in one batch, where they must still not share one copy.
    const consumers = Array.from({ length: 12 }, (_, index) =>
      index % 2 === 0 ? sumThenScribble(data) : sumValues(data),
    );
    const wf = threads(new ThreadWorkflow(consumers, { workflowName: 'shared', threads: 2 }));
    for (let run = 0; run < 4; run++) expect(await wf.run()).toEqual(Array(12).fill(100));
  });

  it('keeps a leaf intact even when a consumer mutates it', async () => {
    const data = filled(10, 1);
    const wf = threads(
      new ThreadWorkflow([sumThenScribble(data), data], { workflowName: 'leaf', threads: 1 }),
    );
    const [sum, leaf] = await wf.run();
    expect(sum).toBe(10);
    expect(leaf).toEqual(new Float64Array(10).fill(1));
  });

  it('carries typed arrays and ArrayBuffers nested in objects', async () => {
    const wf = threads(new ThreadWorkflow(bundle(4), { workflowName: 'nested', threads: 1 }));
    const result = await wf.run();
    expect(result.label).toBe('bundle');
    expect(result.data).toEqual(new Float64Array(4).fill(1));
    expect(new Uint8Array(result.bytes)).toEqual(new Uint8Array([1, 2, 3]));
  });
});
