/**
 * Vitest's global setup (vitest.config.ts): one folder per test run, shared by every test
 * file's worker, so a note such as "skipped the tests that need chromium" is printed once per
 * run rather than once per file (see system-program.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A temporary folder that lives as long as the test run. */
    testRunFolder: string | undefined;
  }
}

export default function setup(project: TestProject): () => void {
  const folder = mkdtempSync(join(tmpdir(), 'functionfuse-test-run-'));
  project.provide('testRunFolder', folder);
  return () => rmSync(folder, { recursive: true, force: true });
}
