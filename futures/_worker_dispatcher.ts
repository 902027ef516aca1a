/**
 * How a `ThreadPoolExecutor` whose threads are Workers runs its calls
 * (Python's `ProcessPoolExecutor` is the model): submitted calls wait here,
 * in this isolate, where their futures can still be cancelled; at most
 * `workers + 1` are handed to a Worker pool at a time, and a future becomes
 * running when its call is handed over. Cancelled ones are skipped.
 *
 * @module
 */
import type { Backend, ModuleTarget } from "../backends/types.ts";
import { lazyModuleTarget } from "../runtime/target.ts";
import { unpackError } from "../runtime/error_transfer.ts";
import { BrokenExecutor, DeadlockError } from "../runtime/errors.ts";
import { BY_REFERENCE, Pool, poolThreads, type ReferencePoolOptions, THREAD_NAME_PREFIX } from "../pools/pool.ts";
import type { Thread } from "../primitives/thread.ts";
import type { Future } from "./future.ts";
import type { ChunkOutcome } from "../pools/wire.ts";

const runChunk = lazyModuleTarget("../workers/executor_main.ts", import.meta.url, "runExecutorChunk");
const initialize = lazyModuleTarget("../workers/executor_main.ts", import.meta.url, "initializeExecutorWorker");
// Python's EXTRA_QUEUED_CALLS: one call more than Workers is handed over, so a Worker that finishes finds the next.
const EXTRA_HANDED_OVER = 1;

/** One submitted call (or chunk of calls, for `map`) and its future. */
export interface WorkerCall {
  /** Settled with the result (with the list of results, for a chunk). */
  readonly future: Future<unknown>;
  /** What to call. */
  readonly target: ModuleTarget;
  /** The arguments of each call; one entry unless `chunk`. */
  readonly argsList: unknown[][];
  /** Whether the future takes the list of results rather than the only one. */
  readonly chunk: boolean;
}

/** The options of a dispatcher. */
export interface WorkerDispatcherOptions {
  /** The backend whose threads are Workers. */
  readonly backend: Backend;
  /** How many Workers. */
  readonly workers: number;
  /** Each Worker's initializer, or `undefined`. */
  readonly initializer: ModuleTarget | undefined;
  /** Its arguments. */
  readonly initargs: unknown[];
  /** The executor, for messages. */
  readonly label: string;
  /** The Workers are named `${threadNamePrefix}_${n}`. */
  readonly threadNamePrefix: string;
}

/** Runs an executor's calls on a Worker pool, started at the first call. */
export class WorkerDispatcher {
  readonly #options: WorkerDispatcherOptions;
  #pool: Pool | undefined = undefined;
  // A queue of calls not handed over yet: `#pending[#head]` is the oldest.
  #pending: (WorkerCall | undefined)[] = [];
  #head = 0;
  #handedOver = 0;
  #closing = false;
  #finished = false;
  #broken: BrokenExecutor | undefined = undefined;
  readonly #drained = Promise.withResolvers<void>();

  /** The Workers, once started (they start at the first call). */
  get threads(): Thread[] {
    return this.#pool === undefined ? [] : poolThreads(this.#pool);
  }

  /** @param options The pool's size, initializer and backend. */
  constructor(options: WorkerDispatcherOptions) {
    this.#options = options;
  }

  /** Set once a Worker's initializer failed: every later call fails. */
  get broken(): BrokenExecutor | undefined {
    return this.#broken;
  }

  /** Whether Workers were started (at the first call). */
  get started(): boolean {
    return this.#pool !== undefined;
  }

  /**
   * Queues a call; it is handed to a Worker as soon as one can take it.
   *
   * @param call The call and its future.
   */
  submit(call: WorkerCall): void {
    this.#pending.push(call);
    this.#dispatch();
  }

  /**
   * No more calls come: the pool ends once the queued ones have run.
   *
   * @param cancelFutures Cancel the calls not handed over yet.
   */
  shutdown(cancelFutures: boolean): void {
    this.#closing = true;
    if (cancelFutures) {
      for (let call = this.#take(); call !== undefined; call = this.#take()) call.future.cancel();
    }
    this.#dispatch();
  }

  /** Resolves once every call has ended and the Workers are gone (after `shutdown`). */
  async join(): Promise<void> {
    await this.#drained.promise;
    await this.#pool?.join();
  }

  /**
   * Blocks until the Workers are gone: only possible when no call is left,
   * as results reach this isolate only while it does not block.
   *
   * @throws {DeadlockError} If calls are still queued or running, or the pool's result thread has not ended.
   */
  joinSync(): void {
    if (!this.#finished) {
      throw new DeadlockError(
        `Cannot shut down ${this.#options.label} synchronously: ${
          this.#handedOver + this.#pending.length - this.#head
        } call(s) still queued or running on its Workers, whose results reach this isolate only while it does not block; use 'await shutdown()'`,
      );
    }
    this.#pool?.joinSync();
  }

  // Hands queued calls over while Workers can take them; ends the pool once closed and drained.
  #dispatch(): void {
    while (this.#broken === undefined && this.#handedOver < this.#options.workers + EXTRA_HANDED_OVER) {
      const call = this.#take();
      if (call === undefined) break;
      // A call cancelled while queued is skipped (and `wait`/`asCompleted` told so).
      if (call.future.setRunningOrNotifyCancel()) this.#handOver(call);
    }
    if (this.#closing && !this.#finished && this.#handedOver === 0 && this.#head === this.#pending.length) {
      this.#finished = true;
      // Nothing is running: terminate only drops what the pool may still hold of a call it failed to send.
      this.#pool?.terminate();
      this.#drained.resolve();
    }
  }

  #take(): WorkerCall | undefined {
    if (this.#head === this.#pending.length) return undefined;
    const call = this.#pending[this.#head];
    this.#pending[this.#head++] = undefined;
    if (this.#head === this.#pending.length) {
      this.#pending = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#pending.length) {
      this.#pending = this.#pending.slice(this.#head);
      this.#head = 0;
    }
    return call;
  }

  #handOver(call: WorkerCall): void {
    this.#handedOver++;
    // Once per call: a call the pool failed to send may still be dropped by its `terminate` later.
    let ended = false;
    const end = (outcome: ChunkOutcome | undefined, lost: unknown) => {
      if (ended) return;
      ended = true;
      this.#settle(call, outcome, lost);
    };
    let pool = this.#pool;
    if (pool === undefined) {
      const { workers, initializer, initargs, backend } = this.#options;
      try {
        pool = this.#pool = new Pool(
          workers,
          initializer === undefined ? null : initialize(),
          initializer === undefined ? [] : [initializer, initargs],
          {
            backend,
            [BY_REFERENCE]: true,
            [THREAD_NAME_PREFIX]: this.#options.threadNamePrefix,
          } as ReferencePoolOptions,
        );
      } catch (error) {
        this.#break(error, "its Workers could not be started");
        end(undefined, error);
        return;
      }
    }
    try {
      pool.applyAsync(
        runChunk(),
        [call.target, call.argsList],
        (outcome) => end(outcome as ChunkOutcome, undefined),
        (error) => end(undefined, error),
      );
    } catch (error) {
      // Arguments that cannot be sent to a Worker: the call fails, as a pickling error does in Python.
      end(undefined, error);
    }
  }

  // A call ended: with its chunk's outcome, or an error of the pool itself (`lost`).
  #settle(call: WorkerCall, outcome: ChunkOutcome | undefined, lost: unknown): void {
    this.#handedOver--;
    const { future } = call;
    if (outcome === undefined) {
      // A Worker died (the pool broke itself): so does the executor, as Python's process pools do.
      if (lost instanceof BrokenExecutor && this.#broken === undefined) this.#break(lost, "one of its Workers died");
      // After a break, the pool's own errors (calls dropped by `terminate`) mean the pool broke.
      future.setException(this.#broken ? this.#brokenError() : lost);
    } else if ("values" in outcome) {
      future.setResult(call.chunk ? outcome.values : outcome.values[0]);
    } else if ("error" in outcome) {
      future.setException(unpackError(outcome.error));
    } else {
      const cause = unpackError(outcome.broken);
      if (this.#broken === undefined) {
        console.error(`Exception in initializer of a Worker of ${this.#options.label}:`, cause);
      }
      this.#break(cause, "a Worker's initializer failed");
      future.setException(this.#brokenError());
    }
    this.#dispatch();
  }

  // Python's `_terminate_broken`: the queued calls fail, the pool stops, and later submits throw.
  #break(cause: unknown, why: string): void {
    if (this.#broken !== undefined) return;
    this.#broken = new BrokenExecutor(`Cannot use ${this.#options.label}: ${why}, the pool is not usable anymore`, {
      cause,
    });
    for (let call = this.#take(); call !== undefined; call = this.#take()) {
      if (!call.future.done()) call.future.setException(this.#brokenError());
    }
    // The calls still running fail too (the pool drops them, and `#settle` makes that a BrokenExecutor).
    this.#pool?.terminate();
  }

  #brokenError(): BrokenExecutor {
    const broken = this.#broken!;
    return new BrokenExecutor(broken.message, { cause: broken.cause });
  }
}
