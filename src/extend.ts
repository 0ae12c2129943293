/**
 * `functionfuse/extend`: what only the author of a storage or of a backend needs. Users of the
 * library import from `functionfuse`; this entry point names the pieces those types are made of.
 *
 * @example
 * import type { PrepareSave, WorkerSaveStep } from 'functionfuse/extend';
 *
 * @module
 */
export type {
  ActorDefinition,
  Callable,
  DefinitionLocation,
  PluginClassDefinition,
  TaskDefinition,
} from './graph/callable.js';
export type { RecordMeta } from './storage/record-format.js';
export type { RecordContent, SealedRecord } from './storage/sealed-record.js';
export type { PreparedSave, PrepareSave, WorkerSaveRequest, WorkerSaveStep } from './storage/storage.js';
