/**
 * `Thread`: Python's thread object, and the registry of live threads.
 *
 * @module
 */
import { type BackendChoice, getBackend } from "../backends/mod.ts";
import {
  currentIdentity,
  nextIdent,
  onRenumberIsolateThread,
  setIsolateThread,
  type ThreadIdentity,
} from "../runtime/current_thread.ts";
import { beginThread, endThread } from "../runtime/pending.ts";
import type { Backend, SpawnRequest, Target, ThreadHandle } from "../backends/types.ts";
import { callTarget, checkTarget, isModuleTarget, lazyModuleTarget, targetName } from "../runtime/target.ts";
import { forgetThread, nameThread } from "../runtime/thread_names.ts";
import { describe } from "../runtime/describe.ts";
import { checkOptions } from "../runtime/options.ts";
import { abortedSignal, checkWait, type WaitOptions } from "../runtime/wait_options.ts";
import { RuntimeError } from "../runtime/errors.ts";
import { Event } from "./event.ts";
import { reportThreadException } from "../runtime/thread_exceptions.ts";
import { SystemExit } from "../runtime/system_exit.ts";
import { stackSize } from "./thread_settings.ts";

/** The options of `new Thread()`. */
export interface ThreadOptions {
  /** What the thread runs: a function (in-isolate backends) or `{ module, export }`. */
  target?: Target;
  /** The thread's name; omitted or empty, `Thread-N (target)`. */
  name?: string;
  /** Arguments passed to the target. */
  args?: unknown[];
  /** A daemon thread does not keep the program alive; default: the creating thread's. */
  daemon?: boolean;
  /** The backend, by name or object; omitted, the default backend. */
  backend?: BackendChoice;
}

const THREAD_OPTIONS: readonly (keyof ThreadOptions)[] = ["target", "name", "args", "daemon", "backend"];

let nameCounter = 0;
const live = new Set<Thread>();

/** The native id of this isolate's OS thread: the process id on the main thread. */
function isolateNativeId(): number {
  return (globalThis as { Deno?: { pid: number } }).Deno?.pid ?? 0;
}

// Where a thread that runs in a Worker starts (see `SpawnRequest.call`).
const workerEntry = lazyModuleTarget("../workers/thread_main.ts", import.meta.url, "runWorkerThread");
// The handle of each started thread (for stopThread).
const handles = new WeakMap<Thread, ThreadHandle>();

/**
 * Asks a thread to stop at its next cancellation point (internal:
 * `Process.terminate()`, a Worker pool's `terminate()`), where its backend
 * can: see `ThreadHandle.terminate`. It is alive until it has stopped.
 *
 * @param thread The thread.
 * @returns Whether it can be stopped (and was told to stop).
 */
export function stopThread(thread: Thread): boolean {
  const handle = handles.get(thread);
  if (handle?.terminate === undefined) return false;
  handle.terminate();
  return true;
}

// Who wants to know when a thread ends (internal: a pool watching its Workers).
const endListeners = new WeakMap<Thread, (error: unknown) => void>();

/**
 * Calls `listener` once when `thread` ends, with what it raised (undefined
 * if it returned). Internal: a pool uses it to notice a Worker that died.
 *
 * @param thread The thread, not yet ended.
 * @param listener Called as the thread ends, after `join()` waiters are released.
 */
export function onThreadEnd(thread: Thread, listener: (error: unknown) => void): void {
  endListeners.set(thread, listener);
}

/**
 * A thread of control (Python's `threading.Thread`). Give it a `target`, or
 * subclass it and override `run()`; `start()` runs it, `join()` waits for it
 * to end.
 *
 * On the `async` backend a thread is an async task of this isolate: it runs
 * whenever other tasks await, and its identity (`currentThread()`, `RLock`
 * ownership, `Local` data) follows it across every `await`. An exception
 * that escapes a thread goes to the excepthook, never to an unhandled
 * rejection.
 *
 * @example A named thread running a loop
 * ```ts
 * import { currentThread, Thread } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * const seen: string[] = [];
 * const t = new Thread({
 *   name: "LoopThread",
 *   target: async (n: number) => {
 *     for (let i = 0; i < n; i++) seen.push(`${currentThread().name} ${i}`);
 *   },
 *   args: [2],
 * });
 * t.start();
 * await t.join();
 * assertEquals(seen, ["LoopThread 0", "LoopThread 1"]);
 * ```
 */
export class Thread {
  readonly #target: Target | undefined;
  readonly #args: unknown[];
  readonly #backend: Backend;
  #name: string;
  #daemon: boolean;
  #ident: number | null = null;
  #nativeId: number | null = null;
  #started = false;
  #alive = false;
  #done: Event | undefined;
  #handle: ThreadHandle | undefined = undefined;

  /**
   * Creates a thread; it does not run until `start()`.
   *
   * @param options `target`, `name`, `args`, `daemon`, `backend`.
   * @throws {TypeError} If an option is unknown or has the wrong type, or the backend
   * cannot run a function target.
   */
  constructor(options: ThreadOptions = {}) {
    checkOptions("create Thread", options, THREAD_OPTIONS);
    const { target, name, args = [], daemon, backend } = options;
    this.#backend = getBackend(backend);
    if (target !== undefined && target !== null) {
      this.#target = checkTarget("create Thread", target);
      if (typeof target === "function" && !this.#backend.capabilities.functionTargets) {
        throw new TypeError(
          `Cannot create Thread with a function target on the '${this.#backend.name}' backend: its threads run in Workers, so pass a module reference { module: import.meta.url, export: "${
            target.name || "myFunction"
          }" } instead`,
        );
      }
    }
    if (!Array.isArray(args)) {
      throw new TypeError(`Cannot create Thread as 'args' must be an array: received ${describe(args)}`);
    }
    this.#args = args;
    if (name !== undefined && typeof name !== "string") {
      throw new TypeError(`Cannot create Thread as 'name' must be a string: received ${describe(name)}`);
    }
    if (daemon !== undefined && typeof daemon !== "boolean") {
      throw new TypeError(`Cannot create Thread as 'daemon' must be a boolean: received ${describe(daemon)}`);
    }
    // An empty name means the default, as in Python.
    if (name !== undefined && name !== "") this.#name = name;
    else {
      const n = this.#backend.nextSerial?.("Thread") ?? ++nameCounter;
      const suffix = this.#target && typeof this.#target === "function" && targetName(this.#target)
        ? ` (${targetName(this.#target)})`
        : "";
      this.#name = `Thread-${n}${suffix}`;
    }
    this.#daemon = daemon ?? currentIdentity().daemon;
  }

  /**
   * Starts the thread: `run()` begins in a new thread of control.
   *
   * @throws {RuntimeError} If the thread was started before.
   *
   * @example Starting twice is an error
   * ```ts
   * import { RuntimeError, Thread } from "@locksmith/threading";
   * import { assertThrows } from "@std/assert";
   *
   * const t = new Thread({ target: () => {} });
   * t.start();
   * assertThrows(() => t.start(), RuntimeError);
   * await t.join();
   * ```
   */
  start(): void {
    if (this.#started) throw new RuntimeError(`Cannot start thread '${this.#name}': threads can only be started once`);
    this.#started = true;
    this.#done = new Event({ backend: this.#backend });
    this.#ident = nextIdent();
    this.#nativeId = isolateNativeId();
    this.#alive = true;
    live.add(this);
    nameThread(this.#ident, this.#name);
    beginThread(this);
    const target = this.#target;
    const request: SpawnRequest = {
      thread: this as unknown as ThreadIdentity,
      body: () => this.run(),
      // A plain call of a module export may run in a Worker; an overridden run() exists only here.
      call: isModuleTarget(target) && this.run === Thread.prototype.run
        ? { target, args: this.#args, entry: workerEntry(), stackSize: stackSize() }
        : undefined,
      onEnd: (failed, error) => this.#ended(failed, error),
    };
    try {
      this.#handle = this.#backend.spawn(request);
    } catch (error) {
      // The thread never ran (an argument that cannot be shared, say): leave no trace of it.
      this.#finish();
      throw error;
    }
    handles.set(this, this.#handle);
    if (this.#handle.nativeId !== undefined) this.#nativeId = this.#handle.nativeId;
  }

  // The exception reaches the hook in the failing thread (a Worker's, in its spawner), before join() resolves.
  #ended(failed: boolean, error: unknown): void {
    if (failed && !(error instanceof SystemExit)) reportThreadException(this, error);
    this.#finish(failed ? error : undefined);
  }

  #finish(error?: unknown): void {
    this.#alive = false;
    live.delete(this);
    forgetThread(this.#ident!);
    endThread(this);
    this.#done!.set();
    const listener = endListeners.get(this);
    if (listener !== undefined) {
      endListeners.delete(this);
      listener(error);
    }
  }

  /**
   * The thread's activity: calls the target with the args. Override it in a
   * subclass (on backends with function targets).
   *
   * @returns What the target returns (awaited by the thread).
   *
   * @example A subclass
   * ```ts
   * import { Thread } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * class Counter extends Thread {
   *   count = 0;
   *   override run() {
   *     this.count = 3;
   *   }
   * }
   * const t = new Counter();
   * t.start();
   * await t.join();
   * assertEquals(t.count, 3);
   * ```
   */
  run(): unknown {
    if (this.#target === undefined) return undefined;
    return callTarget(this.#target, this.#args);
  }

  /**
   * Waits until the thread ends, or until `timeout` ms have passed; check
   * `isAlive()` afterwards to tell which.
   *
   * @param timeout Milliseconds, or `{ timeout, signal }`; omitted: forever.
   * @returns Resolves when the thread has ended or the timeout elapsed.
   * @throws {RuntimeError} If the thread was not started, or is the calling thread.
   *
   * @example Joining with a timeout
   * ```ts
   * import { sleep, Thread } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * const t = new Thread({ target: () => sleep(50) });
   * t.start();
   * await t.join(1);
   * assertEquals(t.isAlive(), true);
   * await t.join();
   * assertEquals(t.isAlive(), false);
   * ```
   */
  join(timeout?: number | WaitOptions | null): Promise<void> {
    const aborted = abortedSignal(timeout);
    if (aborted) return Promise.reject(aborted.reason);
    try {
      this.#checkJoin();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#done!.wait(timeout).then(() => undefined);
  }

  /**
   * Waits until the thread ends, blocking the calling thread. On a backend
   * without blocking waits nothing else runs meanwhile: a finite timeout
   * returns at once and a wait forever on a live thread throws
   * `DeadlockError`.
   *
   * @param timeout Milliseconds; omitted: forever.
   * @throws {RuntimeError} If the thread was not started, or is the calling thread.
   * @throws {DeadlockError} If it would wait forever where nothing can wake it.
   *
   * @example Joining a finished thread
   * ```ts
   * import { Thread } from "@locksmith/threading";
   *
   * const t = new Thread({ target: () => {} });
   * t.start();
   * await t.join();
   * t.joinSync();
   * ```
   */
  joinSync(timeout?: number | null): void {
    this.#checkJoin();
    const ms = checkWait(`join thread '${this.#name}'`, timeout).timeout;
    // No handle: its start failed, and it never ran.
    this.#handle?.joinSync(ms);
  }

  #checkJoin(): void {
    if (!this.#started) throw new RuntimeError(`Cannot join thread '${this.#name}' before it is started`);
    if (currentIdentity() === (this as unknown)) {
      throw new RuntimeError(`Cannot join current thread '${this.#name}': it would wait for itself`);
    }
  }

  /**
   * Whether the thread has started and not yet ended.
   *
   * @returns `true` while it runs.
   *
   * @example Before start
   * ```ts
   * import { Thread } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new Thread().isAlive(), false);
   * ```
   */
  isAlive(): boolean {
    return this.#alive;
  }

  /**
   * The thread's name; not necessarily unique.
   *
   * @example Default names
   * ```ts
   * import { Thread } from "@locksmith/threading";
   * import { assertMatch } from "@std/assert";
   *
   * function work() {}
   * assertMatch(new Thread({ target: work }).name, /^Thread-\d+ \(work\)$/);
   * ```
   */
  get name(): string {
    return this.#name;
  }

  set name(value: string) {
    if (typeof value !== "string") {
      throw new TypeError(`Cannot set thread name as 'name' must be a string: received ${describe(value)}`);
    }
    this.#name = value;
    if (this.#alive) nameThread(this.#ident!, value);
  }

  /**
   * The thread's identifier, distinct among live threads; `null` before `start()`.
   *
   * @example Assigned at start
   * ```ts
   * import { Thread } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new Thread().ident, null);
   * ```
   */
  get ident(): number | null {
    return this.#ident;
  }

  /**
   * The id of the OS thread running this thread, `null` before `start()`.
   * Threads of an in-isolate backend all run on the isolate's OS thread and
   * report its id (the process id on the main thread).
   *
   * @example Assigned at start
   * ```ts
   * import { Thread } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new Thread().nativeId, null);
   * ```
   */
  get nativeId(): number | null {
    return this.#nativeId;
  }

  /**
   * Whether this is a daemon thread. It must be set before `start()`.
   *
   * @example Setting it
   * ```ts
   * import { Thread } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * const t = new Thread();
   * t.daemon = true;
   * assertEquals(t.daemon, true);
   * ```
   */
  get daemon(): boolean {
    return this.#daemon;
  }

  set daemon(value: boolean) {
    if (typeof value !== "boolean") {
      throw new TypeError(`Cannot set daemon as 'daemon' must be a boolean: received ${describe(value)}`);
    }
    if (this.#started) throw new RuntimeError(`Cannot set daemon status of active thread '${this.#name}'`);
    this.#daemon = value;
  }

  /**
   * The thread's backend.
   *
   * @example The default backend
   * ```ts
   * import { Thread } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new Thread().backend.name, "async");
   * ```
   */
  get backend(): Backend {
    return this.#backend;
  }

  /**
   * Python 2's name getter.
   *
   * @deprecated Use the `name` property.
   * @returns The name.
   *
   * @example Reading the name
   * ```ts
   * import { Thread } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new Thread({ name: "x" }).getName(), "x");
   * ```
   */
  getName(): string {
    return this.name;
  }

  /**
   * Python 2's name setter.
   *
   * @deprecated Set the `name` property.
   * @param name The new name.
   *
   * @example Renaming
   * ```ts
   * import { Thread } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * const t = new Thread();
   * t.setName("worker");
   * assertEquals(t.name, "worker");
   * ```
   */
  setName(name: string): void {
    this.name = name;
  }

  /**
   * Python 2's daemon getter.
   *
   * @deprecated Use the `daemon` property.
   * @returns Whether it is a daemon thread.
   *
   * @example Reading it
   * ```ts
   * import { Thread } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new Thread({ daemon: true }).isDaemon(), true);
   * ```
   */
  isDaemon(): boolean {
    return this.daemon;
  }

  /**
   * Python 2's daemon setter.
   *
   * @deprecated Set the `daemon` property.
   * @param daemonic Whether it is a daemon thread.
   *
   * @example Setting it
   * ```ts
   * import { Thread } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * const t = new Thread();
   * t.setDaemon(true);
   * assertEquals(t.daemon, true);
   * ```
   */
  setDaemon(daemonic: boolean): void {
    this.daemon = daemonic;
  }

  /**
   * Describes the thread, as Python's repr does.
   *
   * @returns Such as `<Thread(worker, started 3)>`.
   */
  toString(): string {
    const status = !this.#started ? "initial" : this.#alive ? `started ${this.#ident}` : "stopped";
    return `<${this.constructor.name}(${this.#name}, ${status}${this.#daemon ? " daemon" : ""})>`;
  }

  /** Marks this object as the isolate's main thread (internal). */
  static adoptAsMain(thread: Thread): void {
    Thread.adoptAsIsolateThread(thread, 1, isolateNativeId());
  }

  /** Marks this object as the thread this isolate runs (the main thread, or a Worker's thread; internal). */
  static adoptAsIsolateThread(thread: Thread, ident: number, nativeId: number): void {
    thread.#started = true;
    thread.#alive = true;
    thread.#ident = ident;
    thread.#nativeId = nativeId;
    nameThread(ident, thread.#name);
  }
}

const mainThreadObject = new Thread({ name: "MainThread", daemon: false });
Thread.adoptAsMain(mainThreadObject);
setIsolateThread(mainThreadObject as unknown as ThreadIdentity);
// In a Worker the library did not start, the isolate's thread takes an ident of the program's.
onRenumberIsolateThread((ident) => Thread.adoptAsIsolateThread(mainThreadObject, ident, isolateNativeId()));

/**
 * The main thread: the thread the program started in.
 *
 * @returns The main thread's `Thread` object.
 *
 * @example Its name
 * ```ts
 * import { mainThread } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(mainThread().name, "MainThread");
 * ```
 */
export function mainThread(): Thread {
  return mainThreadObject;
}

/**
 * The thread running the caller (Python's `threading.current_thread()`).
 * Code that is not inside a started thread runs as the main thread.
 *
 * @returns The current `Thread`.
 *
 * @example Outside any thread
 * ```ts
 * import { currentThread, mainThread } from "@locksmith/threading";
 * import { assertStrictEquals } from "@std/assert";
 *
 * assertStrictEquals(currentThread(), mainThread());
 * ```
 */
export function currentThread(): Thread {
  return currentIdentity() as Thread;
}

/**
 * Every live thread: the main thread and each started thread not yet ended,
 * in the order they started.
 *
 * @returns The live threads.
 *
 * @example Only the main thread
 * ```ts
 * import { enumerate, mainThread } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(enumerate(), [mainThread()]);
 * ```
 */
export function enumerate(): Thread[] {
  return [mainThreadObject, ...live];
}

/**
 * How many threads are alive: `enumerate().length`.
 *
 * @returns The count, the main thread included.
 *
 * @example Only the main thread
 * ```ts
 * import { activeCount } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(activeCount(), 1);
 * ```
 */
export function activeCount(): number {
  return live.size + 1;
}

/**
 * The current thread's identifier (Python's `threading.get_ident()`).
 *
 * @returns The ident, distinct among live threads.
 *
 * @example The main thread's ident
 * ```ts
 * import { getIdent, mainThread } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(getIdent(), mainThread().ident);
 * ```
 */
export function getIdent(): number {
  return currentIdentity().ident;
}

/**
 * The id of the OS thread running the caller (Python's
 * `threading.get_native_id()`).
 *
 * @returns The native id (the process id on the main thread).
 *
 * @example On the main thread
 * ```ts
 * import { getNativeId, mainThread } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(getNativeId(), mainThread().nativeId);
 * ```
 */
export function getNativeId(): number {
  return (currentIdentity() as Thread).nativeId ?? isolateNativeId();
}
