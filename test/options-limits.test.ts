import { LocalWorkflow, ThreadWorkflow, task } from 'functionfuse';
import { describe, expect, it } from 'vitest';

const unit = task(function limitsUnit() {
  return 1;
});

const timerLimit = "2147483647 (2^31 − 1, the longest delay Node's timers can wait)";

describe('node options within what the runtime can honour', () => {
  const query = () => new LocalWorkflow(unit(), { workflowName: 'limits' }).query();

  it('refuses `retries` above 10,000, which a 16-bit attempt count would wrap', () => {
    for (const retries of [65_535, 10_001]) {
      expect(() => query().setOptions({ retries })).toThrow(
        new TypeError(`Expected \`retries\` to be an integer from 0 to 10000, got ${retries} (number)`),
      );
    }
    expect(() => query().setOptions({ retries: 10_000 })).not.toThrow();
  });

  it('refuses a `timeout` or `retryDelay` longer than a Node timer can wait', () => {
    expect(() => query().setOptions({ timeout: 2 ** 31 })).toThrow(
      new TypeError(
        `Expected \`timeout\` to be a number of milliseconds above 0, at most ${timerLimit}, got 2147483648 (number)`,
      ),
    );
    expect(() => query().setOptions({ retryDelay: 2 ** 31 })).toThrow(
      new TypeError(
        `Expected \`retryDelay\` to be a number of milliseconds from 0 to ${timerLimit}, got 2147483648 (number)`,
      ),
    );
    expect(() => query().setOptions({ retryDelay: '5' as never })).toThrow(
      new TypeError(
        `Expected \`retryDelay\` to be a number of milliseconds from 0 to ${timerLimit}, got "5" (string)`,
      ),
    );
    expect(() => query().setOptions({ timeout: 2 ** 31 - 1, retryDelay: 2 ** 31 - 1 })).not.toThrow();
  });
});

describe('ThreadWorkflow options', () => {
  const build = (options: object) => () => new ThreadWorkflow(unit(), { workflowName: 'limits', ...options });

  it('refuses an absurd thread count', () => {
    for (const threads of [1e6, 1025, 0]) {
      expect(build({ threads })).toThrow(
        new TypeError(`Expected \`threads\` to be an integer from 1 to 1024, got ${threads} (number)`),
      );
    }
    expect(build({ maxBatchSize: 0 })).toThrow(
      new TypeError('Expected `maxBatchSize` to be an integer from 1 and up, got 0 (number)'),
    );
  });

  it('refuses resource limits that would take the process down or make no sense', () => {
    expect(build({ resourceLimits: { stackSizeMb: 0.1 } })).toThrow(
      new TypeError(
        'Expected `resourceLimits.stackSizeMb` to be a number of megabytes from 1 and up (a smaller stack cannot start a worker), got 0.1 (number)',
      ),
    );
    expect(build({ resourceLimits: { maxOldGenerationSizeMb: -1 } })).toThrow(
      new TypeError(
        'Expected `resourceLimits.maxOldGenerationSizeMb` to be a number of megabytes above 0, got -1 (number)',
      ),
    );
    expect(build({ resourceLimits: { maxYoungGenerationSizeMb: '8' } })).toThrow(
      new TypeError(
        'Expected `resourceLimits.maxYoungGenerationSizeMb` to be a number of megabytes above 0, got "8" (string)',
      ),
    );
    expect(build({ resourceLimits: 64 })).toThrow(
      new TypeError('Expected `resourceLimits` to be an object, got 64 (number)'),
    );
    expect(
      build({ threads: 1, resourceLimits: { stackSizeMb: 1, maxOldGenerationSizeMb: 64 } }),
    ).not.toThrow();
  });
});
