/**
 * A pool's transport when its threads are Workers: tasks and outcomes
 * cross two shared queues (`Queue` on a backend with shared memory) on the
 * flat wire of `wire.ts`, each task naming its function by its number in a
 * shared `TargetTable`; a handler thread of this isolate takes the outcomes
 * and hands them to the pool. Waking a sleeping Worker costs the waker
 * microseconds, so a map's tasks wake Workers once per group of tasks, and a
 * burst of single tasks (`applyAsync` or `submit` in a loop) wakes one at
 * once and the rest together (`batched_puts.ts`).
 *
 * The Workers run `workers/pool_main.ts`, which blocks in `getSync`: it has
 * nothing else to do, and a blocked Worker wakes sooner than one whose event
 * loop must first resume a `waitAsync`.
 *
 * @module
 */
import { hostBackendFor } from "../backends/mod.ts";
import type { ModuleTarget, Target } from "../backends/types.ts";
import { lazyModuleTarget } from "../runtime/target.ts";
import { onThreadEnd, stopThread, Thread } from "../primitives/thread.ts";
import { CoalescedPuts, putAll } from "../queue/batched_puts.ts";
import { Queue } from "../queue/queue.ts";
import { TargetTable } from "./target_table.ts";
import { dropQueuedTasks, type PoolTransport, type TransportOptions } from "./transport.ts";
import { deliverFromWire, taskToWire, type Wire } from "./wire.ts";

/** How many tasks a transport can have sent ahead at once, when it keeps claim slots (a 256 KiB table). */
export const CLAIM_SLOTS = 65536;

const workerMain = lazyModuleTarget("../workers/pool_main.ts", import.meta.url, "referencePoolWorker");
// The first bytes of each shared queue's ring (touched only as far as used; it grows past them if needed).
const SHARED_QUEUE_BYTES = 16 * 1024 * 1024;
let handlerCounter = 0;

/** Workers taking tasks from a shared queue and putting outcomes on another. */
export class WorkerTransport implements PoolTransport {
  readonly #tasks: Queue<Wire | null>;
  readonly #results: Queue<Wire | null>;
  readonly #table = new TargetTable();
  readonly #burst: CoalescedPuts<Wire | null>;
  readonly #handler: Thread;
  readonly #options: TransportOptions;
  readonly threads: readonly Thread[];
  /** The claim slots of tasks sent ahead (see `wire.ts`), if the transport keeps them. */
  readonly claims: Int32Array | undefined;

  /**
   * @param options What to start (the initializer must be a module reference).
   * @param withClaims Keep claim slots, so that tasks can be sent ahead and still be cancelled.
   */
  constructor(options: TransportOptions, withClaims = false) {
    const { backend } = options;
    this.#options = options;
    const claimTable = withClaims ? new SharedArrayBuffer(CLAIM_SLOTS * 4) : null;
    this.claims = claimTable === null ? undefined : new Int32Array(claimTable);
    this.#tasks = new Queue<Wire | null>(0, { backend, shared: true, sharedBytes: SHARED_QUEUE_BYTES });
    this.#results = new Queue<Wire | null>(0, { backend, shared: true, sharedBytes: SHARED_QUEUE_BYTES });
    this.#burst = new CoalescedPuts(this.#tasks);
    // Outcomes are waited for by a thread of this isolate, on its own backend.
    this.#handler = new Thread({
      name: `PoolResultHandler-${++handlerCounter}`,
      backend: hostBackendFor(backend),
      target: () => this.#handleResults(),
    });
    this.#handler.start();
    const threads: Thread[] = [];
    for (let i = 0; i < options.threads; i++) {
      const thread = new Thread({
        name: options.threadName(i),
        backend,
        target: workerMain(),
        args: [this.#tasks, this.#results, this.#table.buffer, options.initializer, options.initargs, claimTable],
      });
      threads.push(thread);
      thread.start();
      onThreadEnd(thread, (error) => options.threadEnded(thread, error));
    }
    this.threads = threads;
  }

  /** The Workers and the result handler. */
  get joinable(): readonly Thread[] {
    return [...this.threads, this.#handler];
  }

  /** Tasks no Worker has taken yet. */
  get queued(): number {
    return this.#tasks.qsize();
  }

  /** Queues one task; a burst of them wakes the Workers together. */
  send(job: number, index: number, target: Target, argsList: unknown[][]): void {
    this.#burst.put(taskToWire(job, index, this.#table.intern(target as ModuleTarget), argsList));
  }

  /**
   * Queues one task if the task queue has room now; never blocks (a caller
   * on this isolate's event loop must not wait for Workers that may be
   * waiting for it to take their outcomes).
   *
   * @param claim The task's claim slot, or -1.
   * @returns Whether it was queued.
   */
  trySend(job: number, index: number, target: Target, argsList: unknown[][], claim: number): boolean {
    return this.#burst.tryPut(taskToWire(job, index, this.#table.intern(target as ModuleTarget), argsList, claim));
  }

  /** Queues a map's tasks, all at once, with a wake-up per group of tasks rather than per task. */
  sendChunks(job: number, target: Target, argsList: unknown[][], size: number): void {
    const number = this.#table.intern(target as ModuleTarget);
    const wires: Wire[] = [];
    for (let i = 0, chunk = 0; i < argsList.length; i += size, chunk++) {
      wires.push(taskToWire(job, chunk, number, size === 1 ? [argsList[i]] : argsList.slice(i, i + size)));
    }
    putAll(this.#tasks, wires);
  }

  /** Drops the tasks no Worker has taken. */
  dropQueued(): void {
    dropQueuedTasks(this.#tasks);
  }

  /** Stops every Worker at its next cancellation point, in the middle of a call or not (Python's `terminate()`). */
  stop(): void {
    for (const thread of this.threads) stopThread(thread);
  }

  /** One `null` per Worker, and a wake-up for the handler (it ends once no outcome is expected). */
  close(): void {
    for (let i = 0; i < this.threads.length; i++) this.#tasks.putSync(null);
    this.#results.putSync(null);
  }

  async #handleResults(): Promise<void> {
    const results = this.#results;
    const { deliver, finished } = this.#options;
    for (;;) {
      // Drain what is there without a wait per outcome, then wait for the next one.
      const outcome = results.qsize() > 0 ? results.getSync(false) : await results.get();
      if (outcome !== null) deliverFromWire(outcome, deliver);
      if (finished()) return;
    }
  }
}
