import { RandomStatePlugin } from 'functionfuse';
import { afterAll, describe, expect, it } from 'vitest';
import { draw, IncrementalSum, minus, record, sum } from '../fixtures/tasks.js';
import { type BackendUnderTest, ExecutionLog } from './backends.js';
import { MemoryStorage } from './memory-storage.js';

/** How every backend uses a storage (an in-memory one here; FileStorage has its own tests). */
export function describeStorageUse(backend: BackendUnderTest): void {
  describe(`${backend.name}: storage`, () => {
    afterAll(() => backend.close());

    it("runs the original's storage test twice: the second run reads every node and runs none", async () => {
      const log = new ExecutionLog();
      try {
        const storage = new MemoryStorage();
        const build = () => {
          const s1 = record(log.path, 's1', sum(1, 1).setName('sum 1')).setName('s1');
          const s2 = record(log.path, 's2', sum(s1, 1).setName('sum 2')).setName('s2');
          return record(log.path, 'm', minus(s1, s2).setName('minus')).setName('m');
        };
        const first = backend.create(build(), 'storage_test').setStorage(storage);
        expect(await first.run()).toBe(-1);
        expect(log.entries()).toEqual(['s1', 's2', 'm']);
        expect(await storage.listTasks('storage_test')).toHaveLength(6);

        storage.calls.length = 0;
        const second = backend.create(build(), 'storage_test').setStorage(storage);
        expect(await second.run()).toBe(-1);
        expect(log.entries()).toEqual(['s1', 's2', 'm']);
        expect(storage.calls.filter((call) => call.startsWith('save'))).toEqual([]);
      } finally {
        log.remove();
      }
    });

    it('never reads nor saves nodes marked by logNodes', async () => {
      const log = new ExecutionLog();
      try {
        const storage = new MemoryStorage();
        const value = sum(1, 2).setName('value');
        const report = record(log.path, 'report', value).setName('report');
        const wf = backend.create(report, 'logged').setStorage(storage).logNodes('report');
        await wf.run();
        await wf.run();
        expect(log.entries()).toEqual(['report', 'report']);
        expect(await storage.listTasks('logged')).toEqual(['value']);
      } finally {
        log.remove();
      }
    });

    it('hands children the stored copy with alwaysRead', async () => {
      const storage = new MemoryStorage();
      storage.alwaysRead = true;
      const s = sum(2, 2).setName('four');
      await backend.create(minus(s, 1).setName('three'), 'always').setStorage(storage).run();
      expect(storage.calls).toEqual([
        'newWorkflow always',
        'save four',
        'read four',
        'save three',
        'read three',
      ]);
    });

    it('does not cache stateful nodes: their state cannot be rebuilt from one stored result', async () => {
      const storage = new MemoryStorage();
      const acc = IncrementalSum(1).setName('acc');
      const added = acc.add(2).setName('added');
      const wf = backend.create(sum(added, 0).setName('total'), 'actors').setStorage(storage);
      expect(await wf.run()).toBe(3);
      expect(await storage.listTasks('actors')).toEqual(['total']);
    });

    it('hands out the same seeds whatever is read from storage', async () => {
      const storage = new MemoryStorage();
      const build = () => [draw(1).setName('first draw'), draw(1).setName('second draw')] as const;
      const seeded = (wf: ReturnType<typeof backend.create>) => {
        wf.query('.* draw').setPlugin(new RandomStatePlugin({ seed: 10 }));
        return wf;
      };
      const all = await seeded(backend.create(build(), 'seeds').setStorage(storage)).run();
      await storage.removeTask('seeds', 'second draw');
      // "first draw" is read from storage, "second draw" runs again: with the same seed (12).
      const again = await seeded(backend.create(build(), 'seeds').setStorage(storage)).run();
      expect(again).toEqual(all);
    });
  });
}
