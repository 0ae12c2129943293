import { availableParallelism } from 'node:os';
import { ThreadWorkflow, task } from 'functionfuse';
import { describe, expect, it, vi } from 'vitest';

const unit = task(function coreWarningUnit() {
  return 1;
});

describe('more threads than cores', () => {
  it('warns once per process, with a code, naming the count and the cores', () => {
    // Captured, not printed: emitWarning itself is replaced for the test.
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const cores = availableParallelism();
      new ThreadWorkflow(unit(), { workflowName: 'within', threads: cores });
      expect(emitWarning).not.toHaveBeenCalled();
      new ThreadWorkflow(unit(), { workflowName: 'above', threads: cores + 1 });
      new ThreadWorkflow(unit(), { workflowName: 'again', threads: cores + 2 });
      expect(emitWarning.mock.calls).toEqual([
        [
          `ThreadWorkflow was given \`threads: ${cores + 1}\`, more than the ${cores} cores of this machine ` +
            '(os.availableParallelism()). Threads beyond the cores only share them, and each costs memory and ' +
            `start-up time: for CPU-bound nodes, use at most ${cores}.`,
          { type: 'FunctionFuseWarning', code: 'FUNCTIONFUSE_THREADS_ABOVE_CORES' },
        ],
      ]);
    } finally {
      emitWarning.mockRestore();
    }
  });
});
