/**
 * `Process`: Python's `multiprocessing.Process`, as a Worker thread.
 *
 * @module
 */
import { type BackendChoice, getBackend, parallelBackend } from "../backends/mod.ts";
import type { Backend, ModuleTarget } from "../backends/types.ts";
import { RuntimeError, ValueError } from "../runtime/errors.ts";
import { Semaphore } from "../primitives/semaphore.ts";
import { onThreadEnd, stopThread, Thread } from "../primitives/thread.ts";
import { SystemExit } from "../runtime/system_exit.ts";
import { isModuleTarget, lazyModuleTarget } from "../runtime/target.ts";
import { describe } from "../runtime/describe.ts";
import { checkOptions } from "../runtime/options.ts";
import type { WaitOptions } from "../runtime/wait_options.ts";

/** The options of `new Process()`. */
export interface ProcessOptions {
  /** What the process runs: a module reference `{ module, export }`. */
  target?: ModuleTarget;
  /** The target's arguments (structured-cloned; shareable primitives arrive as themselves). */
  args?: unknown[];
  /** The process's name (default `Process-N`). */
  name?: string;
  /** A daemon process does not keep the program alive (default: the creating thread's). */
  daemon?: boolean;
  /** The backend of its thread (default `atomics`: a Worker). */
  backend?: BackendChoice;
}

const PROCESS_OPTIONS: readonly (keyof ProcessOptions)[] = ["target", "args", "name", "daemon", "backend"];

const processMain = lazyModuleTarget("../workers/process_main.ts", import.meta.url, "runProcess");
let counter = 0;

/**
 * A process (Python's `multiprocessing.Process`): a target run in a Worker
 * thread of the `atomics` backend, in parallel with this one. The target is
 * a module reference `{ module, export }`, which the Worker imports, as
 * Python pickles functions by reference; arguments are structured-cloned,
 * and the library's shareable primitives arrive as themselves.
 *
 * `exitcode` is `null` until the process ends, then 0 if the target
 * returned, 1 if it raised (the exception goes to the excepthook), the
 * code of a `SystemExit` it threw or of a `Deno.exit()` / `process.exit()`
 * it called, or -15 (`terminate()`) or -9 (`kill()`) if it was stopped, as
 * Python reports a signal. `pid` is the thread's ident.
 *
 * `terminate()` and `kill()` ask the Worker to stop, and it stops at its
 * next cancellation point: any wait of the library (a lock, condition,
 * semaphore, event, queue, barrier, `sleep`, `join`; woken at once if it
 * waits) or its return to its event loop (an `await` of anything else).
 * There it stops as a signal stops a process: its `finally` blocks do not
 * run, and the locks it holds are abandoned (the next thread to take one
 * gets `AbandonedLockError`); a shared queue is never left mid-operation.
 * Until it has stopped, `isAlive()` is `true` and `join()` waits. A Worker
 * running code that never yields (a busy loop) cannot be stopped on Deno
 * 2.9.6, whose `worker.terminate()` takes effect only at the event loop
 * too (while reporting the Worker gone at once, so the library does not
 * use it): it lives on until it yields.
 *
 * With `{ backend: "async" }` the target runs as a thread of this isolate
 * (handy for tests).
 *
 * @example A process on a thread of this isolate
 * ```ts
 * import { Process } from "@locksmith/threading/multiprocessing";
 * import { assertEquals } from "@std/assert";
 *
 * const target = { module: "data:text/javascript,export function main() {}", export: "main" };
 * const p = new Process({ target, backend: "async" });
 * p.start();
 * await p.join();
 * assertEquals(p.exitcode, 0);
 * ```
 */
export class Process {
  readonly #thread: Thread;
  readonly #status: Semaphore;
  #closed = false;
  // The signal it was stopped with (15 or 9), if terminate() or kill() stopped it.
  #signal: number | undefined = undefined;
  // The code its Worker exited with, if it exited (`Deno.exit`, `process.exit`) rather than returned or raised.
  #exited: number | undefined = undefined;

  /**
   * Creates a process; it does not run until `start()`.
   *
   * @param options `target`, `args`, `name`, `daemon`, `backend`.
   * @throws {TypeError} If the target is a function (Workers import their target), or an option is unknown or has
   * the wrong type.
   */
  constructor(options: ProcessOptions = {}) {
    checkOptions("create Process", options, PROCESS_OPTIONS);
    const { target, args = [], name, daemon } = options;
    if (target !== undefined && target !== null && !isModuleTarget(target)) {
      throw new TypeError(
        `Cannot create Process as 'target' must be a module reference (a process runs in a Worker, which imports its target; pass { module: import.meta.url, export: "${
          (target as { name?: string }).name || "main"
        }" }): received ${describe(target)}`,
      );
    }
    if (!Array.isArray(args)) {
      throw new TypeError(`Cannot create Process as 'args' must be an array: received ${describe(args)}`);
    }
    const backend = options.backend === undefined ? parallelBackend("Process") : getBackend(options.backend);
    this.#status = new Semaphore(0, { backend });
    const reference = target ? { module: String(target.module), export: target.export } : null;
    this.#thread = new Thread({
      name: name ?? `Process-${++counter}`,
      daemon,
      backend,
      target: processMain(),
      args: [reference, args, this.#status],
    });
    onThreadEnd(this.#thread, (error) => {
      if (error instanceof SystemExit) this.#exited = error.code;
    });
  }

  /**
   * Starts the process.
   *
   * @throws {RuntimeError} If it was started before.
   * @throws {ValueError} If it was closed.
   *
   * @example Start and join
   * ```ts
   * import { Process } from "@locksmith/threading/multiprocessing";
   *
   * const p = new Process({ backend: "async" });
   * p.start();
   * await p.join();
   * ```
   */
  start(): void {
    this.#checkOpen("start");
    this.#thread.start();
  }

  /**
   * Waits until the process ends, or until the timeout; check `exitcode` or
   * `isAlive()` afterwards to tell which.
   *
   * @param timeout Milliseconds, or `{ timeout, signal }`; omitted: forever.
   * @returns Resolves when it ended or the timeout elapsed.
   * @throws {RuntimeError} If it was not started.
   *
   * @example Joining
   * ```ts
   * import { Process } from "@locksmith/threading/multiprocessing";
   * import { assertEquals } from "@std/assert";
   *
   * const p = new Process({ backend: "async" });
   * p.start();
   * await p.join(1000);
   * assertEquals(p.isAlive(), false);
   * ```
   */
  join(timeout?: number | WaitOptions | null): Promise<void> {
    try {
      this.#checkOpen("join");
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#thread.join(timeout);
  }

  /**
   * Waits until the process ends, blocking the calling thread (a Worker
   * really blocks; a process of an in-isolate backend cannot end meanwhile,
   * see `Thread.joinSync`).
   *
   * @param timeout Milliseconds; omitted: forever.
   * @throws {RuntimeError} If it was not started.
   *
   * @example After it ended
   * ```ts
   * import { Process } from "@locksmith/threading/multiprocessing";
   *
   * const p = new Process({ backend: "async" });
   * p.start();
   * await p.join();
   * p.joinSync();
   * ```
   */
  joinSync(timeout?: number | null): void {
    this.#checkOpen("join");
    this.#thread.joinSync(timeout);
  }

  /**
   * Whether the process has started and not yet ended.
   *
   * @returns `true` while it runs.
   *
   * @example Before start
   * ```ts
   * import { Process } from "@locksmith/threading/multiprocessing";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new Process({ backend: "async" }).isAlive(), false);
   * ```
   */
  isAlive(): boolean {
    return this.#thread.isAlive();
  }

  /**
   * The exit status: `null` until the process has ended; then 0 (returned),
   * 1 (raised), the code of a `SystemExit` or of `Deno.exit()` /
   * `process.exit()`, or -15 / -9 if `terminate()` / `kill()` stopped it.
   *
   * @example Before and after
   * ```ts
   * import { Process } from "@locksmith/threading/multiprocessing";
   * import { assertEquals } from "@std/assert";
   *
   * const p = new Process({ target: { module: "data:text/javascript,export function main() {}", export: "main" }, backend: "async" });
   * assertEquals(p.exitcode, null);
   * p.start();
   * await p.join();
   * assertEquals(p.exitcode, 0);
   * ```
   */
  get exitcode(): number | null {
    if (this.#thread.ident === null || this.#thread.isAlive()) return null;
    const status = this.#status.value;
    if (status > 0) return status - 1;
    // Ended without recording a status: stopped by terminate() or kill(), or its Worker exited.
    if (this.#signal !== undefined) return -this.#signal;
    return this.#exited ?? 1;
  }

  /**
   * The process's id: its thread's ident (`null` before `start()`).
   *
   * @example Assigned at start
   * ```ts
   * import { Process } from "@locksmith/threading/multiprocessing";
   * import { assertEquals } from "@std/assert";
   *
   * const p = new Process({ backend: "async" });
   * assertEquals(p.pid, null);
   * p.start();
   * assertEquals(typeof p.pid, "number");
   * await p.join();
   * ```
   */
  get pid(): number | null {
    return this.#thread.ident;
  }

  /**
   * The process's name.
   *
   * @example Default names
   * ```ts
   * import { Process } from "@locksmith/threading/multiprocessing";
   * import { assertMatch } from "@std/assert";
   *
   * assertMatch(new Process({ backend: "async" }).name, /^Process-\d+$/);
   * ```
   */
  get name(): string {
    return this.#thread.name;
  }

  set name(value: string) {
    this.#thread.name = value;
  }

  /**
   * Whether the process is a daemon; set it before `start()`.
   *
   * @example Setting it
   * ```ts
   * import { Process } from "@locksmith/threading/multiprocessing";
   * import { assertEquals } from "@std/assert";
   *
   * const p = new Process({ backend: "async" });
   * p.daemon = true;
   * assertEquals(p.daemon, true);
   * ```
   */
  get daemon(): boolean {
    return this.#thread.daemon;
  }

  set daemon(value: boolean) {
    this.#thread.daemon = value;
  }

  /**
   * The backend of the process's thread.
   *
   * @example Chosen at construction
   * ```ts
   * import { Process } from "@locksmith/threading/multiprocessing";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new Process({ backend: "async" }).backend.name, "async");
   * ```
   */
  get backend(): Backend {
    return this.#thread.backend;
  }

  /**
   * Python's SIGTERM: asks the running Worker to stop, and returns at once;
   * it stops at its next cancellation point (see the class doc for where,
   * for what it cannot stop, and for what is left behind). `exitcode`
   * becomes -15 once it is gone (await `join()`), unless it ended by itself
   * first. A process that is not running is left as it is.
   *
   * @throws {RuntimeError} If it runs on a backend whose threads cannot be stopped (not a Worker).
   *
   * @example On a finished process
   * ```ts
   * import { Process } from "@locksmith/threading/multiprocessing";
   *
   * const p = new Process({ backend: "async" });
   * p.start();
   * await p.join();
   * p.terminate();
   * ```
   */
  terminate(): void {
    this.#stop("terminate", 15);
  }

  /**
   * Python's SIGKILL: as `terminate()` (a Worker can catch neither, and
   * neither can stop a loop that never yields), but `exitcode` becomes -9.
   *
   * @throws {RuntimeError} If it runs on a backend whose threads cannot be stopped (not a Worker).
   *
   * @example On a process never started
   * ```ts
   * import { Process } from "@locksmith/threading/multiprocessing";
   *
   * new Process({ backend: "async" }).kill();
   * ```
   */
  kill(): void {
    this.#stop("kill", 9);
  }

  /**
   * Releases the process object; using it afterwards is a `ValueError`.
   *
   * @throws {ValueError} If the process is still running.
   *
   * @example Closing after join
   * ```ts
   * import { Process } from "@locksmith/threading/multiprocessing";
   * import { assertThrows } from "@std/assert";
   *
   * const p = new Process({ backend: "async" });
   * p.start();
   * await p.join();
   * p.close();
   * assertThrows(() => p.start(), RangeError);
   * ```
   */
  close(): void {
    if (this.#thread.isAlive()) {
      throw new ValueError(`Cannot close ${this}: it is still running (join it first)`);
    }
    this.#closed = true;
  }

  /**
   * Describes the process, as Python's repr does.
   *
   * @returns Such as `<Process name='Process-1' pid=3 parent=1 started>`.
   */
  toString(): string {
    const t = this.#thread;
    const state = this.#closed
      ? "closed"
      : t.ident === null
      ? "initial"
      : t.isAlive()
      ? "started"
      : `stopped exitcode=${this.exitcode}`;
    return `<Process name='${t.name}'${t.ident === null ? "" : ` pid=${t.ident}`} ${state}${
      t.daemon ? " daemon" : ""
    }>`;
  }

  #checkOpen(what: string): void {
    if (this.#closed) throw new ValueError(`Cannot ${what} ${this}: the process object is closed`);
  }

  #stop(what: string, signal: number): void {
    this.#checkOpen(what);
    if (!this.#thread.isAlive()) return;
    if (!stopThread(this.#thread)) {
      throw new RuntimeError(
        `Cannot ${what} ${this}: it runs as a thread of this isolate on the '${this.#thread.backend.name}' backend, which cannot be stopped mid-call (only a Worker can)`,
      );
    }
    this.#signal ??= signal;
  }
}
