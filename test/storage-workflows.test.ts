/**
 * FileStorage under real workflows, on both backends: reruns read instead of running, a run
 * killed with SIGKILL resumes after its last saved node, damaged records are recomputed with a
 * warning, and hostile names stay inside the storage folder.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AbortError,
  FileStorage,
  type Leaves,
  LocalWorkflow,
  NodeExecutionError,
  ThreadWorkflow,
  task,
  UnstorableResultError,
  WorkflowFailedError,
} from 'functionfuse';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sleep } from './fixtures/reliability-tasks.js';
import { failAfter, minus, record, sum } from './fixtures/tasks.js';
import { filled, scale } from './fixtures/thread-tasks.js';
import { ExecutionLog } from './support/backends.js';
import { MemoryStorage } from './support/memory-storage.js';
import { captureWarnings } from './support/warnings.js';

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'functionfuse-storage-workflows-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

const backends = [
  ['LocalWorkflow', (leaf: Leaves, name: string) => new LocalWorkflow(leaf, { workflowName: name })],
  [
    'ThreadWorkflow',
    (leaf: Leaves, name: string) => new ThreadWorkflow(leaf, { workflowName: name, threads: 2 }),
  ],
] as const;

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

async function runAndClose<T>(workflow: LocalWorkflow | ThreadWorkflow, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } finally {
    if (workflow instanceof ThreadWorkflow) await workflow.close();
  }
}

describe.each(backends)('FileStorage on %s', (_, create) => {
  function pipeline(log: ExecutionLog) {
    const s1 = record(log.path, 's1', sum(1, 1).setName('sum 1')).setName('s1');
    const s2 = record(log.path, 's2', sum(s1, 1).setName('sum 2')).setName('s2');
    return record(log.path, 'm', minus(s1, s2).setName('minus')).setName('m');
  }

  it('runs nothing the second time: every node is read from the folder', async () => {
    const log = new ExecutionLog();
    try {
      const storage = new FileStorage(join(folder, 'store'));
      const first = create(pipeline(log), 'twice').setStorage(storage);
      expect(await runAndClose(first, () => first.run())).toBe(-1);
      expect(log.entries()).toEqual(['s1', 's2', 'm']);
      expect(await storage.listTasks('twice')).toEqual(['m', 'minus', 's1', 's2', 'sum 1', 'sum 2']);
      const second = create(pipeline(log), 'twice').setStorage(storage);
      const cached: string[] = [];
      second.on('node-cached', (event) => cached.push(event.node));
      expect(await runAndClose(second, () => second.run())).toBe(-1);
      expect(log.entries()).toEqual(['s1', 's2', 'm']);
      expect(cached.sort()).toEqual(['m', 'minus', 's1', 's2', 'sum 1', 'sum 2']);
    } finally {
      log.remove();
    }
  });

  it.each([
    [
      'a flipped byte',
      (path: string) => {
        const bytes = readFileSync(path);
        bytes[bytes.length - 40] = (bytes[bytes.length - 40] as number) ^ 0xff;
        writeFileSync(path, bytes);
      },
    ],
    ['a truncated record', (path: string) => truncateSync(path, Math.floor(statSync(path).size / 2))],
  ])('recomputes a record damaged by %s, warns naming the node, and saves it again', async (_, damage) => {
    const log = new ExecutionLog();
    const captured = captureWarnings();
    try {
      const storage = new FileStorage(join(folder, 'store'));
      const first = create(pipeline(log), 'damaged').setStorage(storage);
      await runAndClose(first, () => first.run());
      const records = filesUnder(join(folder, 'store')).filter((path) => path.endsWith('s2.ffr'));
      expect(records).toHaveLength(1);
      damage(records[0] as string);
      const second = create(pipeline(log), 'damaged').setStorage(storage);
      expect(await runAndClose(second, () => second.run())).toBe(-1);
      expect(log.entries()).toEqual(['s1', 's2', 'm', 's2']);
      expect(captured.warnings).toEqual([
        {
          type: 'FunctionFuseWarning',
          code: 'FUNCTIONFUSE_CORRUPT_RESULT',
          message: expect.stringMatching(
            /^The stored result of node "s2" in workflow "damaged" failed its check \((bad-header|truncated|checksum-mismatch|length-mismatch), .*s2\.ffr\); the node runs again and its result is saved again\.$/,
          ),
        },
      ]);
      expect(await storage.readTask('damaged', 's2')).toBe(3);
    } finally {
      captured.restore();
      log.remove();
    }
  });

  it('stores what a node returned even when its consumer then changes that array in place', async () => {
    const storage = new FileStorage(join(folder, 'store'));
    // 128 KiB: written as a raw part, straight from the array's memory.
    const big = filled(16_384, 2).setName('big');
    const workflow = create(scale(big, 3).setName('scaled'), 'in place').setStorage(storage);
    expect(await runAndClose(workflow, () => workflow.run())).toEqual(new Float64Array(16_384).fill(6));
    expect(await storage.readTask('in place', 'big')).toEqual(new Float64Array(16_384).fill(2));
    expect(await storage.readTask('in place', 'scaled')).toEqual(new Float64Array(16_384).fill(6));
  });

  it('keeps every result saved before a failure stopped the run, so a rerun resumes from them', async () => {
    const storage = new FileStorage(join(folder, 'store'));
    const build = () => {
      const three = sum(1, 2).setName('three');
      return [failAfter(three, 'boom').setName('fails'), minus(three, 1).setName('two')] as const;
    };
    const first = create(build(), 'stopped').setStorage(storage);
    await expect(runAndClose(first, () => first.run())).rejects.toBeInstanceOf(NodeExecutionError);
    expect(await storage.listTasks('stopped')).toContain('three');
    const second = create(build(), 'stopped').setStorage(storage);
    const cached: string[] = [];
    second.on('node-cached', (event) => cached.push(event.node));
    await expect(runAndClose(second, () => second.run({ failFast: false }))).rejects.toBeInstanceOf(
      WorkflowFailedError,
    );
    expect(cached).toContain('three');
    expect(await storage.readTask('stopped', 'two')).toBe(2);
  });

  it('finishes saving what was computed when a run is cancelled, and stops the rest', async () => {
    const log = new ExecutionLog();
    try {
      const storage = new FileStorage(join(folder, 'store'));
      const big = filled(16_384, 5).setName('big');
      const slow = sleep(10_000, log.path, 'slow').setName('slow');
      const workflow = create([big, slow], 'cancelled').setStorage(storage);
      const controller = new AbortController();
      // Cancelled the moment "big" is computed: its save is still on its way to the disk.
      workflow.on('node-finished', (event) => {
        if (event.node === 'big') controller.abort();
      });
      await expect(
        runAndClose(workflow, () => workflow.run({ signal: controller.signal })),
      ).rejects.toBeInstanceOf(AbortError);
      expect(await storage.listTasks('cancelled')).toEqual(['big']);
      expect(await storage.readTask('cancelled', 'big')).toEqual(new Float64Array(16_384).fill(5));
      expect(log.entries()).not.toContain('slow finished');
    } finally {
      log.remove();
    }
  });

  it('keeps hostile node and workflow names inside the storage folder, and lists them as written', async () => {
    const log = new ExecutionLog();
    try {
      const root = join(folder, 'store');
      const storage = new FileStorage(root);
      const names = ['../../etc/passwd', 'a/b', 'con', 'with spaces', 'ünïcødé ✓'];
      const nodes = names.map((name, index) => sum(index, 1).setName(name));
      const workflow = create(nodes, '../escape').setStorage(storage);
      expect(await runAndClose(workflow, () => workflow.run())).toEqual([1, 2, 3, 4, 5]);
      for (const path of filesUnder(folder)) expect(relative(root, path).startsWith('..')).toBe(false);
      expect(await storage.listTasks('../escape')).toEqual([...names].sort());
    } finally {
      log.remove();
    }
  });
});

describe('how each backend hands results to a storage with a worker save step', () => {
  class RecordingStorage extends FileStorage {
    readonly calls: string[] = [];
    override save(workflowName: string, nodeName: string, value: unknown): Promise<void> {
      this.calls.push(`save ${nodeName}`);
      return super.save(workflowName, nodeName, value);
    }
    override savePrepared(workflowName: string, nodeName: string, prepared: unknown): Promise<void> {
      this.calls.push(`savePrepared ${nodeName}`);
      return super.savePrepared(workflowName, nodeName, prepared);
    }
  }
  const graph = () => [
    filled(16_384, 1).setName('ones'),
    minus(sum(1, 2).setName('three'), 1).setName('two'),
  ];

  it('ThreadWorkflow: each worker seals what it computed and the main thread writes it', async () => {
    const storage = new RecordingStorage(join(folder, 'store'));
    const workflow = new ThreadWorkflow(graph(), { workflowName: 'sealed', threads: 2 }).setStorage(storage);
    await runAndClose(workflow, () => workflow.run());
    expect(storage.calls.sort()).toEqual(['savePrepared ones', 'savePrepared three', 'savePrepared two']);
    expect(await storage.readTask('sealed', 'ones')).toEqual(new Float64Array(16_384).fill(1));
    expect(await storage.readTask('sealed', 'two')).toBe(2);
  });

  it('LocalWorkflow: saves each result as it is', async () => {
    const storage = new RecordingStorage(join(folder, 'store'));
    await new LocalWorkflow(graph(), { workflowName: 'plain' }).setStorage(storage).run();
    expect(storage.calls).toEqual(['save ones', 'save three', 'save two']);
  });

  it("ThreadWorkflow runs any storage's own save step in the worker, knowing nothing of its format", async () => {
    class JsonStorage extends MemoryStorage {
      readonly workerSaveStep = {
        moduleUrl: new URL('./fixtures/json-save-step.ts', import.meta.url).href,
        exportName: 'encodeAsJson',
      };
      readonly prepared: { text: string; threadId: number }[] = [];
      async savePrepared(workflowName: string, nodeName: string, prepared: unknown): Promise<void> {
        this.prepared.push(prepared as { text: string; threadId: number });
        this.calls.push(`savePrepared ${nodeName}`);
        this.records.set(
          `${workflowName}/${nodeName}`,
          JSON.parse((prepared as { text: string }).text).value,
        );
      }
    }
    const storage = new JsonStorage();
    const workflow = new ThreadWorkflow(minus(sum(1, 2).setName('three'), 1).setName('two'), {
      workflowName: 'json',
      threads: 2,
    }).setStorage(storage);
    expect(await runAndClose(workflow, () => workflow.run())).toBe(2);
    expect(storage.calls.filter((call) => call.startsWith('save')).sort()).toEqual([
      'savePrepared three',
      'savePrepared two',
    ]);
    expect(storage.prepared.map((each) => JSON.parse(each.text)).sort((a, b) => a.value - b.value)).toEqual([
      { workflowName: 'json', nodeName: 'two', value: 2 },
      { workflowName: 'json', nodeName: 'three', value: 3 },
    ]);
    // Made in a worker thread, not in the main thread (0).
    for (const each of storage.prepared) expect(each.threadId).toBeGreaterThan(0);
  });
});

describe('a result storage would change', () => {
  class Model {
    constructor(readonly weight: number) {}
    predict(x: number): number {
      return this.weight * x;
    }
  }
  const train = task(function train(weight: number) {
    return { model: new Model(weight) };
  });
  const predict = task(function predict(fitted: { model: Model }, x: number) {
    return fitted.model.predict(x);
  });

  it('LocalWorkflow refuses to store a class instance: its node fails saying where it sits, and nothing reads it', async () => {
    const log = new ExecutionLog();
    try {
      const fitted = train(3).setName('fit');
      const leaf = record(log.path, 'after', predict(fitted, 2)).setName('after');
      const workflow = new LocalWorkflow(leaf, { workflowName: 'model' }).setStorage(
        new FileStorage(join(folder, 'store')),
      );
      const error = (await workflow.run().catch((caught: unknown) => caught)) as NodeExecutionError;
      expect(error).toBeInstanceOf(NodeExecutionError);
      expect(error.nodeName).toBe('fit');
      expect(error.cause).toBeInstanceOf(UnstorableResultError);
      expect((error.cause as Error).message).toContain(
        'result.model is an instance of Model, which would be read back as a plain object without its methods',
      );
      expect(log.entries()).toEqual([]);
      // Without storage the instance passes from node to node in the main thread, as it is.
      expect(await new LocalWorkflow(predict(train(3), 2), { workflowName: 'model' }).run()).toBe(6);
    } finally {
      log.remove();
    }
  });
});

describe('a run killed with SIGKILL', () => {
  const script = fileURLToPath(new URL('./fixtures/resume-script.ts', import.meta.url));

  function start(backend: string, storagePath: string, logPath: string, delayMs: number): ChildProcess {
    return spawn(
      process.execPath,
      ['--import', 'tsx', script, backend, storagePath, logPath, String(delayMs)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
  }

  it.each(['local', 'threads'])(
    'resumes on %s after its last saved node, with the right result',
    async (backend) => {
      const log = new ExecutionLog();
      const storagePath = join(folder, 'store');
      try {
        const child = start(backend, storagePath, log.path, 300);
        const storage = new FileStorage(storagePath);
        // Kill it once three steps are saved (polling; the delay makes the window wide).
        for (;;) {
          if ((await storage.listTasks('resume')).length >= 3) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
        const savedBefore = await storage.listTasks('resume');
        const ranBefore = log.entries();
        expect(savedBefore.length).toBeGreaterThanOrEqual(3);
        expect(savedBefore.length).toBeLessThan(8);

        const resumed = start(backend, storagePath, log.path, 0);
        let output = '';
        resumed.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
        });
        const code = await new Promise((resolve) => resumed.once('exit', resolve));
        expect(code).toBe(0);
        expect(JSON.parse(output)).toEqual({ result: 56 });
        // Nothing saved before the kill ran again.
        const ranAfter = log.entries().slice(ranBefore.length);
        for (const name of savedBefore) expect(ranAfter).not.toContain(name);
        expect([...savedBefore, ...ranAfter].sort()).toEqual(
          Array.from({ length: 8 }, (_, index) => `step ${index}`).sort(),
        );
      } finally {
        log.remove();
      }
    },
  );
});
