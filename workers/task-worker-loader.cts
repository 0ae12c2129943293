/**
 * The file Piscina's workers load: CommonJS, importing the ES module entry (task-worker.js).
 * Piscina loads its worker file with require(), and Node 20's require() of an ES module aborts
 * the whole process about once in 3,760 worker starts with `FATAL ERROR: v8::Module::IsGraphAsync
 * must be used on an instantiated module` (require(esm) racing the loader's own asynchronous
 * loading; nodejs/node#55782). require() of this file is the classic CommonJS load, and import()
 * loads the ES modules without require(esm).
 */
import type { WorkerRequest } from '../src/threads/messages.js';

type HandleRequest = (request: WorkerRequest) => Promise<unknown>;

// Started while Piscina finishes starting the worker; a failure is reported by the first batch.
const loading: Promise<{ default: HandleRequest }> = import('./task-worker.js');
loading.catch(() => {});

async function handleRequest(request: WorkerRequest): Promise<unknown> {
  return (await loading).default(request);
}

export = handleRequest;
