import {
  NodeExecutionError,
  TaskNotFoundError,
  ThreadWorkflow,
  task,
  UncloneableValueError,
  WorkflowInWorkerError,
} from 'functionfuse';
import { describe, expect, it } from 'vitest';
import { selfStarting } from './fixtures/starts-workflow.js';
import { caughtStarting, defineInnerTask } from './fixtures/starts-workflow-caught.js';
import { defineHiddenTask, echo, returnsFunction, returnsModel } from './fixtures/thread-tasks.js';
import { closeAfterEach } from './support/backends.js';

const threads = closeAfterEach();

async function failure(workflow: ThreadWorkflow): Promise<NodeExecutionError> {
  const error = await workflow.run().catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(NodeExecutionError);
  return error as NodeExecutionError;
}

describe('ThreadWorkflow errors', () => {
  it('says where in a result a class instance sits', async () => {
    const node = returnsModel().setName('fit');
    const error = await failure(threads(new ThreadWorkflow(node, { workflowName: 'model', threads: 1 })));
    expect(error.nodeName).toBe('fit');
    expect(error.cause).toBeInstanceOf(UncloneableValueError);
    expect(error.cause).toMatchObject({ name: 'UncloneableValueError' });
    expect((error.cause as Error).message).toBe(
      'The result of node "fit" cannot be sent between threads: result.nested[1].model is an instance of Model, ' +
        'which would arrive as a plain object without its methods. Return plain data (numbers, strings, arrays, ' +
        'plain objects, typed arrays, Map, Set, Date...).',
    );
  });

  it('says where in a result a function sits', async () => {
    const node = returnsFunction().setName('callbacks');
    const error = await failure(threads(new ThreadWorkflow(node, { workflowName: 'fn', threads: 1 })));
    expect((error.cause as Error).message).toContain('result.callback is a function (callback)');
  });

  it('refuses an argument that cannot reach a worker, naming the node and the argument', async () => {
    const node = echo({ settings: { onDone: () => 1 } }).setName('configured');
    const error = await failure(threads(new ThreadWorkflow(node, { workflowName: 'arg', threads: 1 })));
    expect(error.cause).toBeInstanceOf(UncloneableValueError);
    expect((error.cause as Error).message).toBe(
      'Argument 1 of node "configured" cannot be sent to a worker thread: args[0].settings.onDone is a function (onDone).',
    );
  });

  it('names the task, its module and the fix when a worker cannot find the task', async () => {
    const hiddenTask = defineHiddenTask();
    const node = hiddenTask().setName('hidden');
    const error = await failure(threads(new ThreadWorkflow(node, { workflowName: 'hidden', threads: 1 })));
    expect(error.cause).toMatchObject({ name: 'TaskNotFoundError' });
    expect(error.cause).toBeInstanceOf(TaskNotFoundError);
    const message = (error.cause as Error).message;
    expect(message).toContain('Task "hiddenTask" was not found in file://');
    expect(message).toContain('test/fixtures/thread-tasks.ts by a worker thread');
    expect(message).toContain('define it with task() at the top level of that module');
    expect(message).toContain('pass { module: import.meta.url, name } to task()');
  });

  it('names the task and its module when the module a task names does not exist', async () => {
    const missing = new URL('./fixtures/no-such-module.mjs', import.meta.url).href;
    const ghost = task(() => 1, { name: 'ghost', module: missing });
    const error = await failure(
      threads(new ThreadWorkflow(ghost().setName('g'), { workflowName: 'ghost', threads: 1 })),
    );
    expect(error.nodeName).toBe('g');
    expect(error.cause).toBeInstanceOf(TaskNotFoundError);
    expect((error.cause as Error).message).toBe(
      `Task "ghost" could not be loaded by a worker thread: its module ${missing} does not exist. Workers ` +
        "import the module that defined a task: the file task() was called in, or the task's `module` option, " +
        'which must name that file (pass { module: import.meta.url }), and the file must still be there when the ' +
        'workflow runs.',
    );
  });

  it('refuses to start a workflow again when a worker imports a module that starts one', async () => {
    const node = selfStarting().setName('self');
    const error = await failure(threads(new ThreadWorkflow(node, { workflowName: 'self', threads: 1 })));
    expect(error.cause).toMatchObject({ name: 'WorkflowInWorkerError' });
    expect(error.cause).toBeInstanceOf(WorkflowInWorkerError);
    expect((error.cause as Error).message).toContain(
      'starts-workflow.ts to find a task. That module both defines tasks and runs a workflow',
    );
    expect((error.cause as Error).message).toContain('Move the tasks to a module of their own');
  });

  it('refuses the task of a module that starts a workflow even when the module catches the refusal', async () => {
    const node = caughtStarting().setName('caught');
    const error = await failure(threads(new ThreadWorkflow(node, { workflowName: 'caught', threads: 1 })));
    expect(error.cause).toBeInstanceOf(WorkflowInWorkerError);
    expect((error.cause as Error).message).toContain(
      'starts-workflow-caught.ts to find a task. That module both defines tasks and runs a workflow',
    );
  });

  it('says too that the task is not at the top level when a script defines it inside a function', async () => {
    const node = defineInnerTask()().setName('inner');
    const error = await failure(threads(new ThreadWorkflow(node, { workflowName: 'inner', threads: 1 })));
    expect(error.cause).toBeInstanceOf(WorkflowInWorkerError);
    expect((error.cause as Error).message).toMatch(
      /runs a workflow when imported.* Task "innerTask" is not defined at the top level of that module either: define it with task\(\) at the top level of the tasks module\.$/,
    );
  });

  it('refuses bad options, naming the option and the value', () => {
    const node = echo(1);
    expect(() => new ThreadWorkflow(node, { workflowName: 'x', threads: 0 })).toThrow(
      new TypeError('Expected `threads` to be an integer from 1 to 1024, got 0 (number)'),
    );
    expect(() => new ThreadWorkflow(node, { workflowName: 'x', maxBatchSize: 1.5 })).toThrow(
      new TypeError('Expected `maxBatchSize` to be an integer from 1 and up, got 1.5 (number)'),
    );
  });
});
