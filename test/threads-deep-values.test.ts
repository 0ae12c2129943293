import { NodeExecutionError, ThreadWorkflow, UncloneableValueError } from 'functionfuse';
import { describe, expect, it } from 'vitest';
import { echo, nestedResult, nestingDepth } from './fixtures/thread-tasks.js';
import { closeAfterEach } from './support/backends.js';

const threads = closeAfterEach();

function nested(depth: number, value: unknown): unknown {
  let current = value;
  for (let level = 0; level < depth; level++) current = [current];
  return current;
}

async function failure(workflow: ThreadWorkflow): Promise<NodeExecutionError> {
  const error = await workflow.run().catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(NodeExecutionError);
  return error as NodeExecutionError;
}

describe('values nested too deeply to cross threads', () => {
  it.each([
    [5_000, 'object'],
    [100_000, 'array'],
  ] as const)(
    'fail the node returning a result nested %i deep (%s), instead of hanging',
    async (depth, kind) => {
      const node = nestedResult(depth, kind).setName('deep');
      const error = await failure(threads(new ThreadWorkflow(node, { workflowName: 'deep', threads: 1 })));
      expect(error.nodeName).toBe('deep');
      expect(error.cause).toMatchObject({ name: 'UncloneableValueError' });
      expect((error.cause as Error).message).toBe(
        'The result of node "deep" is nested too deeply to be sent between threads: more than 1000 levels of ' +
          'arrays, objects, Maps or Sets inside one another, deeper than structured cloning can carry without ' +
          'overflowing the stack. Return flatter data (a typed array, or records that refer to each other by index).',
      );
    },
  );

  it('carry a result nested 1,000 deep', async () => {
    const node = nestedResult(1_000, 'object');
    const result = await threads(new ThreadWorkflow(node, { workflowName: 'deep', threads: 1 })).run();
    let depth = 0;
    for (
      let current = result as unknown;
      typeof current === 'object';
      current = (current as { inner: unknown }).inner
    ) {
      depth++;
    }
    expect(depth).toBe(1_000);
  });

  it('refuse an argument nested 100,000 deep, naming the node and the argument', async () => {
    const node = nestingDepth(nested(100_000, echo(1))).setName('deep argument');
    const error = await failure(threads(new ThreadWorkflow(node, { workflowName: 'deep', threads: 1 })));
    expect(error.cause).toBeInstanceOf(UncloneableValueError);
    expect((error.cause as Error).message).toBe(
      'Argument 1 of node "deep argument" cannot be sent to a worker thread: args[0] is nested more than 1000 ' +
        'levels deep (arrays, objects, Maps or Sets inside one another), deeper than structured cloning between ' +
        'threads can carry.',
    );
  });

  it('pass an argument nested 900 deep', async () => {
    const node = nestingDepth(nested(900, echo(1)));
    expect(await threads(new ThreadWorkflow(node, { workflowName: 'deep', threads: 1 })).run()).toBe(900);
  });
});
