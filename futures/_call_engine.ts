/**
 * What the two pool executors share: the engine each drives (CPython's
 * `thread.py` over threads of this isolate, `process.py` over Workers) and
 * the checks of their options and calls. An executor chooses its engine
 * once, in its constructor, by where its backend's threads run; none of its
 * methods asks again.
 *
 * @module
 */
import { type BackendChoice, getBackend } from "../backends/mod.ts";
import type { Backend, ModuleTarget, Target } from "../backends/types.ts";
import { BrokenExecutor, RuntimeError, ValueError } from "../runtime/errors.ts";
import { describe } from "../runtime/describe.ts";
import { checkKeys, checkOptions, isOptions } from "../runtime/options.ts";
import { isModuleTarget } from "../runtime/target.ts";
import type { Thread } from "../primitives/thread.ts";
import type { Future } from "./future.ts";
import type { ShutdownOptions } from "./executor.ts";
import { readMapCall } from "./_map.ts";

/** The options both pool executors take. */
export interface PoolExecutorOptions {
  /** The most threads (or Workers) the pool runs. */
  maxWorkers?: number;
  /** The threads (Workers too) are named `${threadNamePrefix}_${n}`. */
  threadNamePrefix?: string;
  /** Called in each new thread before it runs any call (may be async). */
  // deno-lint-ignore no-explicit-any
  initializer?: ((...args: any[]) => unknown) | ModuleTarget;
  /** The initializer's arguments (structured-cloneable for Workers). */
  initargs?: unknown[];
  /** The backend of the pool's threads. */
  backend?: BackendChoice;
}

/** The options, checked. */
export interface EngineSettings {
  /** The executor's class, for messages. */
  readonly kind: string;
  /** The backend of the threads. */
  readonly backend: Backend;
  /** The most threads. */
  readonly maxWorkers: number;
  /** Threads are named `${prefix}_${n}`. */
  readonly prefix: string;
  /** Run in each new thread first. */
  readonly initializer: Target | undefined;
  /** Its arguments. */
  readonly initargs: unknown[];
}

/** How an executor runs calls: on threads of this isolate, or on Workers. */
export interface CallEngine {
  /** The threads (Workers) started so far. */
  readonly threads: Thread[];
  /** Why the pool broke, if it did: every later call fails with it. */
  readonly broken: BrokenExecutor | undefined;
  /** For `toString`: how many threads of how many. */
  readonly census: string;
  /** Queues one call; its future settles with its result. */
  submit(target: Target, args: unknown[]): Future<unknown>;
  /**
   * Queues `map`'s calls (`chunksize` per task where tasks cross to Workers)
   * and yields their results in order, each waited for until `deadline`.
   */
  map(
    target: Target,
    argsList: unknown[][],
    chunksize: number,
    deadline: number,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<unknown, void, undefined>;
  /** Stops new work; with `cancelFutures`, cancels what has not started. */
  shutdown(cancelFutures: boolean): void;
  /** Waits for the queued calls and the threads. */
  join(): Promise<void>;
  /** Blocks until the queued calls and the threads are done (where it can). */
  joinSync(): void;
}

/** The rules of one executor class. */
export interface ExecutorRules {
  /** The class, for messages. */
  readonly kind: string;
  /** Functions may be called (threads of this isolate) or only module references. */
  readonly functions: boolean;
  /** The default number of threads. */
  readonly defaultWorkers: number;
  /** The default thread name prefix. */
  readonly defaultPrefix: string;
}

/**
 * Checks an executor's options.
 *
 * @param options As received.
 * @param backend The backend of the threads, resolved.
 * @param rules What the executor accepts (`functions`: whether calls may be functions).
 * @returns The checked settings.
 */
export function checkExecutorOptions(
  options: PoolExecutorOptions,
  backend: Backend,
  rules: ExecutorRules,
): EngineSettings {
  const { kind } = rules;
  const { maxWorkers = rules.defaultWorkers, threadNamePrefix, initializer, initargs = [] } = options;
  if (typeof maxWorkers !== "number") {
    throw new TypeError(`Cannot create ${kind} as 'maxWorkers' must be a number: received ${describe(maxWorkers)}`);
  }
  if (!Number.isInteger(maxWorkers) || maxWorkers <= 0) {
    throw new ValueError(
      `Cannot create ${kind} as 'maxWorkers' must be an integer greater than 0: received ${describe(maxWorkers)}`,
    );
  }
  if (threadNamePrefix !== undefined && typeof threadNamePrefix !== "string") {
    throw new TypeError(
      `Cannot create ${kind} as 'threadNamePrefix' must be a string: received ${describe(threadNamePrefix)}`,
    );
  }
  let init: Target | undefined;
  if (initializer !== undefined && initializer !== null) {
    if (!rules.functions && typeof initializer === "function") {
      throw new TypeError(
        `Cannot create ${kind} as 'initializer' must be a module reference, not a function (${
          whyModules(backend)
        }; pass a module reference { module: import.meta.url, export: "${
          initializer.name || "myInitializer"
        }" } instead): received ${describe(initializer)}`,
      );
    }
    if (typeof initializer !== "function" && !isModuleTarget(initializer)) {
      throw new TypeError(
        `Cannot create ${kind} as 'initializer' must be a function or { module, export }: received ${
          describe(initializer)
        }`,
      );
    }
    init = normalize(initializer as Target);
  }
  if (!Array.isArray(initargs)) {
    throw new TypeError(`Cannot create ${kind} as 'initargs' must be an array: received ${describe(initargs)}`);
  }
  if (!backend.capabilities.functionTargets) {
    try {
      structuredClone(initargs);
    } catch (error) {
      throw new TypeError(
        `Cannot create ${kind} as 'initargs' must be structured-cloneable to reach its Workers: ${
          error instanceof Error ? error.message : String(error)
        }`,
        { cause: error },
      );
    }
  }
  return {
    kind,
    backend,
    maxWorkers,
    prefix: threadNamePrefix || rules.defaultPrefix,
    initializer: init,
    initargs,
  };
}

/**
 * Checks an executor's `options` argument (an options object with only the
 * keys it reads) and resolves its backend.
 *
 * @param kind The class, for messages.
 * @param options As received.
 * @param keys The option keys the executor reads.
 * @param fallback The backend when `options.backend` is omitted.
 */
export function executorBackend(
  kind: string,
  options: unknown,
  keys: readonly string[],
  fallback: () => Backend,
): Backend {
  checkOptions(`create ${kind}`, options, keys);
  const choice = (options as PoolExecutorOptions | undefined)?.backend;
  return choice === undefined ? fallback() : getBackend(choice);
}

/**
 * What a pool executor's public methods do, over its engine: `ThreadPoolExecutor`
 * and `ProcessPoolExecutor` are their API and docs over one of these, as a
 * primitive is over its core.
 */
export class ExecutorCore {
  #shutdown = false;

  /**
   * @param settings The checked options.
   * @param engine Where the calls run, chosen by the executor.
   * @param functions Whether calls may be functions (else only module references).
   */
  constructor(readonly settings: EngineSettings, readonly engine: CallEngine, readonly functions: boolean) {}

  /** `submit`: checks the call and that the executor takes work, then queues it. */
  submit(fn: unknown, args: unknown[]): Future<unknown> {
    const target = checkCall(this, "submit to", fn);
    checkOpen(this.engine, this.#shutdown, this);
    return this.engine.submit(target, args);
  }

  /** `map`: checks the call and its arguments, then queues every call. */
  map(fn: unknown, rest: unknown[]): AsyncGenerator<unknown, void, undefined> {
    const target = checkCall(this, "map on", fn);
    const { argsList, chunksize, deadline, signal } = readMapCall(this.settings.backend, fn, rest);
    checkOpen(this.engine, this.#shutdown, this);
    return this.engine.map(target, argsList, chunksize, deadline, signal);
  }

  /** `shutdown`: a bad argument rejects; waits (or not) as asked. */
  shutdown(wait: unknown, cancelFutures: unknown): Promise<void> {
    let options: { wait: boolean; cancelFutures: boolean };
    try {
      options = checkShutdown(wait, cancelFutures);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#shutdown = true;
    this.engine.shutdown(options.cancelFutures);
    return options.wait ? this.engine.join() : Promise.resolve();
  }

  /** `shutdownSync`: as `shutdown`, blocking where the engine can. */
  shutdownSync(wait: unknown, cancelFutures: unknown): void {
    const options = checkShutdown(wait, cancelFutures);
    this.#shutdown = true;
    this.engine.shutdown(options.cancelFutures);
    if (options.wait) this.engine.joinSync();
  }

  /** The executor's `toString`: `<Kind prefix census[ state]>`. */
  toString(): string {
    const state = this.engine.broken ? " broken" : this.#shutdown ? " shut down" : "";
    return `<${this.settings.kind} ${this.settings.prefix} ${this.engine.census}${state}>`;
  }
}

// Checks a call given to an executor, as its rules allow; returns the target
// (a module reference with its URL as a string). Messages are built only when
// thrown: `submit` is a hot path.
function checkCall(executor: ExecutorCore, what: string, fn: unknown): Target {
  const backend = executor.settings.backend;
  if (!executor.functions && typeof fn === "function") {
    throw new TypeError(
      `Cannot ${what} ${executor} as 'fn' must be a module reference, not a function (${
        whyModules(backend)
      }; pass a module reference { module: import.meta.url, export: "${fn.name || "myFunction"}" } instead): received ${
        describe(fn)
      }`,
    );
  }
  if (typeof fn !== "function" && !isModuleTarget(fn)) {
    throw new TypeError(
      `Cannot ${what} ${executor} as 'fn' must be a function or { module, export }: received ${describe(fn)}`,
    );
  }
  return normalize(fn as Target);
}

// Why calls must be module references.
function whyModules(backend: Backend): string {
  return backend.capabilities.functionTargets
    ? "a process pool runs calls as a Worker would, by module reference"
    : `on the '${backend.name}' backend its threads are Workers, which import what they run`;
}

// Refuses new work after a break or a shutdown.
function checkOpen(engine: CallEngine, shutDown: boolean, executor: ExecutorCore): void {
  const broken = engine.broken;
  if (broken) throw new BrokenExecutor(broken.message, { cause: broken.cause });
  if (shutDown) throw new RuntimeError(`Cannot schedule new futures after shutdown of ${executor}`);
}

// The last module reference normalized, and what it became: a caller usually submits one target many times.
let lastGiven: Target | undefined;
let lastNormalized: Target | undefined;

// A module reference with its URL as a string (what a Worker is sent).
function normalize(target: Target): Target {
  if (typeof target === "function") return target;
  if (target === lastGiven) return lastNormalized!;
  lastGiven = target;
  return lastNormalized = { module: String(target.module), export: target.export };
}

const SHUTDOWN_OPTIONS: readonly (keyof ShutdownOptions)[] = ["wait", "cancelFutures"];

// Checks `shutdown`'s arguments: `(wait?, cancelFutures?)` or `({ wait, cancelFutures })`.
function checkShutdown(wait: unknown, cancelFutures: unknown): { wait: boolean; cancelFutures: boolean } {
  // An array is no options object: it is refused below as a 'wait' that is not a boolean.
  if (isOptions(wait)) {
    if (cancelFutures !== undefined) {
      throw new TypeError(
        `Cannot shut down with both an options object and 'cancelFutures': received ${describe(cancelFutures)}`,
      );
    }
    checkKeys("shut down", wait, SHUTDOWN_OPTIONS);
    ({ wait, cancelFutures } = wait as ShutdownOptions);
  }
  wait ??= true;
  cancelFutures ??= false;
  if (typeof wait !== "boolean") {
    throw new TypeError(`Cannot shut down as 'wait' must be a boolean: received ${describe(wait)}`);
  }
  if (typeof cancelFutures !== "boolean") {
    throw new TypeError(`Cannot shut down as 'cancelFutures' must be a boolean: received ${describe(cancelFutures)}`);
  }
  return { wait, cancelFutures };
}
