/**
 * Every example runs, small, as a user would start it (a child process under tsx), and prints
 * what it should.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { redisServer } from './support/cluster.js';

const run = promisify(execFile);
const example = (path: string) => fileURLToPath(new URL(`../examples/${path}`, import.meta.url));

async function runExample(path: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', example(path), ...args], {
    timeout: 60_000,
  });
  return stdout;
}

describe('examples', () => {
  it('main job: Monte Carlo pricing gives identical results on both backends', async () => {
    const output = await runExample('main.ts', [
      '--batches',
      '4',
      '--paths',
      '2000',
      '--steps',
      '10',
      '--runs',
      '2',
    ]);
    expect(output).toContain('exact (Black-Scholes)  9.121804');
    // Warm runs are summarised with their spread; the cold first run has a line of its own.
    expect(output).toMatch(
      /^LocalWorkflow {10}median \d+ ms \(\d+ ms–\d+ ms, 2 warm runs\); cold first run \d+ ms$/m,
    );
    expect(output).toMatch(/^speedup \d+\.\d\d × on \d+ threads \(medians of warm runs; /m);
    expect(output).toContain('identical results on both backends, in all 6 runs: yes');
  });

  it('training with FileStorage: the second run reads every node and runs none', async () => {
    const store = mkdtempSync(join(tmpdir(), 'functionfuse-example-train-'));
    try {
      const args = ['--store', store, '--rows', '2000', '--epochs', '2'];
      expect(await runExample('train/main.ts', args)).toMatch(
        /^logistic model: test accuracy \d+\.\d\d % \(4 nodes ran, 0 read from /,
      );
      expect(await runExample('train/main.ts', args)).toMatch(
        /^logistic model: test accuracy \d+\.\d\d % \(0 nodes ran, 4 read from /,
      );
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  });

  it("model comparison: gathers the 12 stored models afterwards with listTasks('*model')", async () => {
    const store = mkdtempSync(join(tmpdir(), 'functionfuse-example-compare-'));
    try {
      const output = await runExample('compare/main.ts', ['--store', store, '--rows', '400']);
      const lines = output.trim().split('\n');
      expect(lines[0]).toBe('12 models stored:');
      expect(lines.slice(1).map((line) => line.trim().split(/\s{2,}/)[0])).toEqual([
        'blobs, knn-model',
        'blobs, logistic-model',
        'blobs, nearest-centroid-model',
        'blobs, perceptron-model',
        'circles, knn-model',
        'circles, logistic-model',
        'circles, nearest-centroid-model',
        'circles, perceptron-model',
        'moons, knn-model',
        'moons, logistic-model',
        'moons, nearest-centroid-model',
        'moons, perceptron-model',
      ]);
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  });

  it('accumulator: an actor fed by parallel branches merges every histogram', async () => {
    const output = await runExample('accumulator/main.ts', ['--branches', '5', '--samples', '1000']);
    expect(output).toMatch(/^5 histograms, 5000 samples, mean 0\.\d{4} /);
  });

  it.runIf(redisServer.runs && process.env.FUNCTIONFUSE_REDIS_URL === undefined)(
    'cluster: two worker processes share the Monte Carlo pipeline, with the results of LocalWorkflow',
    async () => {
      const output = await runExample('cluster/main.ts', [
        '--batches',
        '4',
        '--paths',
        '2000',
        '--steps',
        '10',
      ]);
      expect(output).toMatch(/^Started redis-server at redis:\/\/127\.0\.0\.1:\d+$/m);
      expect(output).toMatch(/^Started 2 worker processes \(1 thread each\) on queue "example-\d+"$/m);
      expect(output).toContain('identical results on both backends: yes');
      const counts = [...output.matchAll(/^worker \S+ ran (\d+) nodes of the second run$/gm)].map((match) =>
        Number(match[1]),
      );
      // 4 batches of 2 nodes, the estimate and the exact price.
      expect(counts.reduce((sum, count) => sum + count, 0)).toBe(10);
    },
  );
});
