// The published declarations use Node's types (Buffer, node:crypto, Symbol.asyncDispose): the
// directive makes them load in a user's project whatever its `types` and `lib` say. `preserve`
// keeps it in the emitted index.d.ts; @types/node is a dependency so the directive resolves.
/// <reference types="node" preserve="true" />
export type { BullMQWorkflowOptions } from './backends/bullmq-workflow.js';
export { BullMQWorkflow } from './backends/bullmq-workflow.js';
export type { GraphWorkflowFiles, GraphWorkflowOptions } from './backends/graph-workflow.js';
export { GraphWorkflow } from './backends/graph-workflow.js';
export { LocalWorkflow } from './backends/local-workflow.js';
export type { ThreadWorkflowOptions, WorkerResourceLimits } from './backends/thread-workflow.js';
export { ThreadWorkflow } from './backends/thread-workflow.js';
export type { BenchBackendName } from './benchmark/bench-backends.js';
export type { BenchComparison } from './benchmark/bench-comparison.js';
export { compareBenchReports } from './benchmark/bench-comparison.js';
export type { BenchWorkflowOptions } from './benchmark/bench-options.js';
export type { BenchProgress } from './benchmark/bench-progress.js';
export type { BenchMachine, BenchReport, BenchRow } from './benchmark/bench-report.js';
export type { BenchStatistics } from './benchmark/bench-statistics.js';
export type { BenchPipeline } from './benchmark/bench-workflow.js';
export { benchWorkflow } from './benchmark/bench-workflow.js';
export type { NodeTiming } from './benchmark/node-durations.js';
export type { LeafDifference } from './benchmark/same-results.js';
export { ResultsDifferError } from './benchmark/same-results.js';
export { parseResultJson } from './cli/complete-json.js';
export type { PipelineDefinition, PipelineGraph } from './cli/pipeline-module.js';
export type { ClusterWorker, ClusterWorkerOptions } from './cluster/cluster-worker.js';
export { startWorker } from './cluster/cluster-worker.js';
export type { RedisConnection } from './cluster/redis-connection.js';
export {
  AbortError,
  DuplicateNodeNameError,
  FunctionFuseError,
  InternalError,
  NodeExecutionError,
  NodeTimeoutError,
  RedisConnectionError,
  TaskNotFoundError,
  UncloneableValueError,
  UnsendablePluginError,
  WorkerCodeMismatchError,
  WorkerDiedError,
  WorkflowClosedError,
  WorkflowFailedError,
  WorkflowInWorkerError,
} from './errors.js';
export type {
  NodeEventBase,
  StartupStep,
  WorkflowEvent,
  WorkflowEventListener,
  WorkflowEventMap,
  WorkflowEventName,
} from './events/workflow-events.js';
export type { ActorFactory, ActorHandle, ActorHandleBase, AnyMethod, MethodKeys } from './graph/actor.js';
export { actor } from './graph/actor.js';
export type { AnyClass } from './graph/callable.js';
export type { DefinitionOptions, DefinitionVersion } from './graph/definition.js';
export { Node, NodeItem, Ref } from './graph/node.js';
export type { TaskFactory, TaskOptions } from './graph/task.js';
export { task, workflow } from './graph/task.js';
export type { DeepInput, Input, InputArgs, Leaves, Opaque, RefValue, RunResult } from './graph/types.js';
export { toDot } from './graph-drawing/dot.js';
export type { DrawingOptions, DrawingSource, NodeOutcome } from './graph-drawing/drawing-model.js';
export { GraphDrawingError } from './graph-drawing/graph-drawing-error.js';
export { toMermaid } from './graph-drawing/mermaid.js';
export { renderSvg } from './graph-drawing/render-svg.js';
export { InitializerPlugin } from './plugins/initializer-plugin.js';
export type { NodeContext } from './plugins/node-context.js';
export { nodeRandom } from './plugins/node-context.js';
export type { PluginCleanup, PluginNodeInfo, RemoteInitializeResult } from './plugins/plugin.js';
export { Plugin } from './plugins/plugin.js';
export { pluginClass } from './plugins/plugin-class.js';
export { PluginCollection } from './plugins/plugin-collection.js';
export type { RandomAlgorithm, RandomStateOptions } from './plugins/random-state-plugin.js';
export { RandomStatePlugin } from './plugins/random-state-plugin.js';
export type { RunReportOptions } from './report/run-report.js';
export { renderRunReport, writeRunReport } from './report/run-report.js';
export type { CacheKey, StaleReason } from './storage/cache-key.js';
export { staleReasonText } from './storage/cache-key.js';
export { FileStorage } from './storage/file-storage.js';
export type { FileStorageOptions } from './storage/file-storage-options.js';
export type { ReadOptions, SaveOptions, Storage, StoredKeyInfo } from './storage/storage.js';
export { isStorage } from './storage/storage.js';
export type { StorageOperation } from './storage/storage-access-error.js';
export { StorageAccessError } from './storage/storage-access-error.js';
export type { CorruptionReason } from './storage/storage-errors.js';
export {
  CorruptStoredResultError,
  ResultNotSavedError,
  StaleStoredResultError,
  StoredResultMissingError,
  UnstorableResultError,
} from './storage/storage-errors.js';
export type { StorageConfig } from './storage/storage-factory.js';
export { storageFactory } from './storage/storage-factory.js';
export type { TypedArrayConstructor } from './threads/shared-array.js';
export { sharedArray } from './threads/shared-array.js';
export type { ChromeTrace, TraceEvent } from './trace/chrome-trace.js';
export { toChromeTrace, writeChromeTrace } from './trace/chrome-trace.js';
export type { NodeRecord, RecordableWorkflow, RunRecording } from './trace/run-recorder.js';
export { RunRecorder } from './trace/run-recorder.js';
export type { WorkflowOptions } from './workflow/base-workflow.js';
export { BaseWorkflow } from './workflow/base-workflow.js';
export type { NodeOptions } from './workflow/node-options.js';
export type { NamePattern } from './workflow/pattern.js';
export { Query } from './workflow/query.js';
export type { RunOptions } from './workflow/run-options.js';
export type { PlannedNode, PlannedStatus, RunPlan } from './workflow/run-plan.js';
export type { StorageOptions, StoredResultTrust } from './workflow/storage-options.js';
