import { describeValue } from '../errors.js';
import {
  type WorkflowEventListener,
  type WorkflowEventName,
  WorkflowEvents,
} from '../events/workflow-events.js';
import { resolveRef } from '../graph/arguments.js';
import { currentGraphRevision, type Node, Ref } from '../graph/node.js';
import type { Leaves, RunResult } from '../graph/types.js';
import type { Plugin, PreparedPlugin } from '../plugins/plugin.js';
import { isStorage, type Storage } from '../storage/storage.js';
import {
  defaultNodeOptions,
  type NodeOptions,
  type ResolvedNodeOptions,
  resolveNodeOptions,
  validateNodeOptions,
} from './node-options.js';
import { compileNamePattern, type NamePattern } from './pattern.js';
import { ExecutionPlan } from './plan.js';
import { Query } from './query.js';
import { planStoredRun, type RunPlan } from './run-plan.js';
import {
  defaultStorageOptions,
  type ResolvedStorageOptions,
  resolveStorageOptions,
  type StorageOptions,
} from './storage-options.js';
import { warnUnmatchedPattern } from './unmatched-pattern.js';
import { validateLeaves, validatePlugin, validateWorkflowName } from './workflow-checks.js';

/** Options every backend takes. */
export interface WorkflowOptions {
  /** Names the workflow; it is the storage folder of its results. */
  readonly workflowName: string;
}

/** What a run takes from its workflow (see BaseWorkflow.runInputs). */
export interface WorkflowRunInputs {
  readonly workflowName: string;
  readonly plan: ExecutionPlan;
  /** Each node's plugin and payload, by plan index, prepared in canonical order. */
  readonly plugins: readonly (PreparedPlugin | undefined)[];
  readonly nodeOptions: readonly ResolvedNodeOptions[];
  /** Every node has the default options (no query set any): runs may skip reading them. */
  readonly optionsAreDefault?: boolean;
  readonly storage: Storage | undefined;
  /** How stored results are trusted (setStorage's options). */
  readonly storageOptions: ResolvedStorageOptions;
  /** Nodes given to logNodes: never stored. */
  readonly loggedNodes: ReadonlySet<Node>;
  readonly events: WorkflowEvents;
}

/** What a workflow knows about one node beyond the graph: set through queries. */
export interface NodeSettings {
  plugin?: Plugin;
  options: NodeOptions;
}

/**
 * What every backend shares: the leaves, the plan (node set and canonical order), node
 * queries, plugins, options and storage. A backend only decides where and when nodes run.
 *
 * The plan is computed from the graph as it is when it is needed (nodes created after the
 * workflow are included if they belong), and cached until the graph changes.
 *
 * A workflow holds every node that descends from a root of its leaves, not only the leaves'
 * ancestors: workflows built from one shared node (a source both read) each hold, and run,
 * the others' nodes too. Build each workflow from nodes of its own when they must stay apart;
 * `findNodes().length` tells what a workflow holds.
 */
export abstract class BaseWorkflow<const L extends Leaves = Leaves> {
  readonly workflowName: string;
  /** The leaves as given, normalised to an array. */
  readonly leaves: readonly Ref[];
  readonly #singleLeaf: boolean;
  readonly #settings = new Map<Node, NodeSettings>();
  readonly #events = new WorkflowEvents();
  readonly #loggedNodes = new Set<Node>();
  #storage: Storage | undefined;
  #storageOptions: ResolvedStorageOptions = defaultStorageOptions;
  #plan: ExecutionPlan | undefined;
  #planRevision = -1;

  /**
   * @param backendOptions The option names the backend adds to {@link WorkflowOptions}. Any
   *   other key is refused (a misspelt option would otherwise be accepted and do nothing),
   *   except ThreadWorkflow's, which every backend accepts and ignores if not its own: the same
   *   code runs on any backend by changing only the class.
   */
  constructor(leaves: L, options: WorkflowOptions, backendOptions: readonly string[] = []) {
    this.#singleLeaf = leaves instanceof Ref;
    this.leaves = validateLeaves(leaves);
    this.workflowName = validateWorkflowName(options, new.target.name, backendOptions);
  }

  /** The parentless ancestors of the leaves, in canonical order. */
  get roots(): readonly Node[] {
    return this.plan().roots;
  }

  /**
   * Listens to the workflow's runs: nodes queued, started, finished, read from storage,
   * retried, failed and skipped, and the end of each run.
   *
   * @example
   * wf.on('node-finished', (event) => console.log(event.node, event.durationMs, event.threadId));
   */
  on<K extends WorkflowEventName>(name: K, listener: WorkflowEventListener<K>): this {
    this.#events.on(name, listener);
    return this;
  }

  /** Stops a listener added with {@link on}. */
  off<K extends WorkflowEventName>(name: K, listener: WorkflowEventListener<K>): this {
    this.#events.off(name, listener);
    return this;
  }

  /** The storage set with {@link setStorage}, if any. */
  get storage(): Storage | undefined {
    return this.#storage;
  }

  /**
   * Every node of the workflow as `[name, node]`, in canonical order: waves from the roots,
   * ties in creation order. The same order on every backend and every run.
   */
  *graphTraversal(): Generator<[string, Node]> {
    for (const node of this.plan().nodes) yield [node.name, node];
  }

  /**
   * The nodes whose whole name matches `pattern` (every node without one), in canonical order.
   * A string is a regular expression source (`'sum_.*'`), as in the original.
   *
   * @example
   * wf.findNodes('sum_.*');      // sum_0000, sum_0001, but not my_sum_0000
   * wf.findNodes(/.*-model/);
   */
  findNodes(pattern?: NamePattern): Node[] {
    const { nodes } = this.plan();
    if (pattern === undefined) return [...nodes];
    const matcher = compileNamePattern(pattern);
    return nodes.filter((node) => matcher.test(node.name));
  }

  /**
   * The nodes matching `pattern`, to set plugins and options on together.
   *
   * @example
   * wf.query(/sum_.*\/).setPlugin(new RandomStatePlugin({ seed: 42 }));
   */
  query(pattern?: NamePattern): Query {
    return new Query(this.findNodes(pattern), {
      setNodePlugin: (node, plugin) => {
        this.#settingsFor(node).plugin = plugin;
      },
      setNodeOptions: (node, options) => {
        const settings = this.#settingsFor(node);
        settings.options = { ...settings.options, ...options };
      },
      validatePlugin,
      validateOptions: validateNodeOptions,
      reportUnmatched: (setter) => {
        if (pattern === undefined) return; // every node: a workflow always has some
        this.#warnUnmatched(pattern, (shown) => `query(${shown}).${setter}()`);
      },
    });
  }

  /** Shorthand for `query(pattern).setPlugin(plugin)`; returns the workflow. */
  setPlugin(pattern: NamePattern, plugin: Plugin): this {
    this.query(pattern).setPlugin(plugin);
    return this;
  }

  /**
   * Marks the matching nodes as never read from nor saved to storage: they always run (for
   * nodes that log, plot or report, whose effect is the point).
   *
   * @example
   * wf.logNodes('report_.*');
   */
  logNodes(pattern: NamePattern): this {
    const nodes = this.findNodes(pattern);
    if (nodes.length === 0) this.#warnUnmatched(pattern, (shown) => `logNodes(${shown})`);
    for (const node of nodes) this.#loggedNodes.add(node);
    return this;
  }

  #warnUnmatched(pattern: NamePattern, describeCall: (shownPattern: string) => string): void {
    const names = this.plan().nodes.map((node) => node.name);
    warnUnmatchedPattern(this.workflowName, pattern, describeCall, names);
  }

  /**
   * Reads stored results instead of running nodes, and saves results as they are computed, each
   * with its node's cache key. A stored result computed under another key is stale: its node
   * runs again (a `node-stale` event says why). `{ trust: 'name' }` uses any result stored
   * under the node's name instead, whatever changed.
   *
   * @example
   * wf.setStorage(new FileStorage('./store'));
   * wf.setStorage(new FileStorage('./store'), { trust: 'name' });
   */
  setStorage(storage: Storage, options?: StorageOptions): this {
    if (!isStorage(storage)) {
      throw new TypeError(
        `Expected \`storage\` to implement the Storage interface (newWorkflow, save, readTask, fileExists, ...), got ${describeValue(storage)}`,
      );
    }
    this.#storageOptions = resolveStorageOptions(options);
    this.#storage = storage;
    return this;
  }

  /**
   * What a run would do with the storage, without running anything: each node in canonical
   * order as `cached` (its stored result would be read), `stale` (stored under another key, with
   * the reasons), `missing`, `unreadable` or `not-stored` (actors and logged nodes always run),
   * and the names of the nodes that would run.
   *
   * @example
   * const plan = await wf.planRun();
   * for (const node of plan.nodes) console.log(node.name, node.status, node.reasons);
   * console.log(plan.toRun); // ['second', 'summary']
   */
  planRun(): Promise<RunPlan> {
    return planStoredRun(this.runInputs());
  }

  /**
   * Runs the workflow. Executing backends resolve to the leaves' values (one value for a single
   * leaf, a tuple for an array); GraphWorkflow draws the graph instead.
   */
  abstract run(): Promise<unknown>;

  /**
   * Ends what the workflow holds (worker threads, Redis connections), stopping a run under way,
   * which then rejects with a WorkflowClosedError. Every backend has it, so that code written
   * for one closes any; the workflow can run again afterwards.
   */
  abstract close(): Promise<void>;

  /** `await using wf = new ThreadWorkflow(...)` closes the workflow as the scope ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * The node set and order, rebuilt when nodes were created or renamed since last time.
   * @internal For the backends of this package.
   */
  protected plan(): ExecutionPlan {
    const revision = currentGraphRevision();
    if (this.#plan === undefined || this.#planRevision !== revision) {
      this.#plan = new ExecutionPlan(this.leaves);
      this.#planRevision = revision;
    }
    return this.#plan;
  }

  /**
   * Starts the plugins for a run: `beginRun()` once per distinct plugin, then
   * `localInitialize()` for every node that has one, in canonical order, including nodes that
   * will be read from storage or skipped. So what a node receives (its seed, say) depends only
   * on its place in the graph: not on the backend, on what finished first, or on what is stored.
   */
  #preparePlugins(plan: ExecutionPlan): (PreparedPlugin | undefined)[] {
    const pluginOfNode = plan.nodes.map((node) => this.#settings.get(node)?.plugin);
    for (const plugin of new Set(pluginOfNode)) plugin?.beginRun();
    return pluginOfNode.map((plugin, index) =>
      plugin === undefined
        ? undefined
        : { plugin, payload: plugin.localInitialize({ name: (plan.nodes[index] as Node).name, index }) },
    );
  }

  /**
   * Everything a run needs from the workflow, in the one order every backend uses: the plan,
   * the plugins started (payloads in canonical order, see #preparePlugins), each node's options,
   * and the storage. Backends hand it to `prepareRun` (scheduler/run-setup.ts).
   * @internal For the backends of this package.
   */
  protected runInputs(): WorkflowRunInputs {
    const plan = this.plan();
    // No query ever set anything (the usual case for big graphs): no lookup per node.
    const optionsAreDefault = this.#settings.size === 0;
    const nodeOptions = optionsAreDefault
      ? new Array<ResolvedNodeOptions>(plan.nodes.length).fill(defaultNodeOptions)
      : plan.nodes.map((node) => resolveNodeOptions(this.#settings.get(node)?.options));
    return {
      workflowName: this.workflowName,
      plan,
      optionsAreDefault,
      plugins: this.#settings.size === 0 ? [] : this.#preparePlugins(plan),
      nodeOptions,
      storage: this.#storage,
      storageOptions: this.#storageOptions,
      loggedNodes: this.#loggedNodes,
      events: this.#events,
    };
  }

  /**
   * Shapes the leaves' values as `run()` returns them.
   * @internal For the backends of this package.
   */
  protected collectResults(resultOf: (node: Node) => unknown): RunResult<L> {
    const values = this.leaves.map((leaf) => resolveRef(leaf, resultOf));
    return (this.#singleLeaf ? values[0] : values) as RunResult<L>;
  }

  #settingsFor(node: Node): NodeSettings {
    let settings = this.#settings.get(node);
    if (settings === undefined) {
      settings = { options: {} };
      this.#settings.set(node, settings);
    }
    return settings;
  }
}
