import type { Storage } from 'functionfuse';

/** A Storage kept in a Map, recording every call, for tests of how workflows use storage. */
export class MemoryStorage implements Storage {
  alwaysRead = false;
  readonly records = new Map<string, unknown>();
  readonly calls: string[] = [];

  async newWorkflow(workflowName: string): Promise<void> {
    this.calls.push(`newWorkflow ${workflowName}`);
  }

  async save(workflowName: string, nodeName: string, value: unknown): Promise<void> {
    this.calls.push(`save ${nodeName}`);
    this.records.set(`${workflowName}/${nodeName}`, structuredClone(value));
  }

  async readTask(workflowName: string, nodeName: string): Promise<unknown> {
    this.calls.push(`read ${nodeName}`);
    return structuredClone(this.records.get(`${workflowName}/${nodeName}`));
  }

  async fileExists(workflowName: string, nodeName: string): Promise<boolean> {
    return this.records.has(`${workflowName}/${nodeName}`);
  }

  async listTasks(workflowName: string): Promise<string[]> {
    const prefix = `${workflowName}/`;
    return [...this.records.keys()]
      .filter((key) => key.startsWith(prefix))
      .map((key) => key.slice(prefix.length))
      .sort();
  }

  async removeTask(workflowName: string, target: string | { readonly pattern: string }): Promise<void> {
    if (typeof target === 'string') this.records.delete(`${workflowName}/${target}`);
  }

  async removeWorkflow(workflowName: string): Promise<void> {
    for (const key of [...this.records.keys()])
      if (key.startsWith(`${workflowName}/`)) this.records.delete(key);
  }
}
