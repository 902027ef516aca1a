/**
 * A pool's transport when its threads are tasks of this isolate: a
 * `SimpleQueue` of tasks, and each thread hands its outcome straight back
 * (multiprocessing.dummy's way; Python's thread pool uses a result queue
 * and a handler thread only because its threads run in parallel). On a
 * backend whose own threads are Workers (`atomics`), the pool's threads and
 * queue are this isolate's `async` ones: a function cannot reach a Worker,
 * and the calls may still use the backend's primitives.
 *
 * @module
 */
import { hostBackendFor } from "../backends/mod.ts";
import type { Target } from "../backends/types.ts";
import { onThreadEnd, Thread } from "../primitives/thread.ts";
import { SimpleQueue } from "../queue/simple_queue.ts";
import { type PoolTask, poolWorker } from "./pool_worker.ts";
import { dropQueuedTasks, type PoolTransport, type TransportOptions } from "./transport.ts";
import { DONE, RAISED } from "./wire.ts";

/** Threads of this isolate taking tasks from one queue. */
export class LocalTransport implements PoolTransport {
  readonly #tasks: SimpleQueue<PoolTask | null>;
  readonly threads: readonly Thread[];

  /** @param options What to start. */
  constructor(options: TransportOptions) {
    const { deliver } = options;
    const backend = hostBackendFor(options.backend);
    const tasks = this.#tasks = new SimpleQueue<PoolTask | null>({ backend });
    const sink = {
      put: ([job, index, ok, value]: readonly [number, number, boolean, unknown]) =>
        deliver(job, index, ok ? DONE : RAISED, value),
    };
    const threads: Thread[] = [];
    for (let i = 0; i < options.threads; i++) {
      // Not daemons: a daemon's timers keep nothing alive, and a caller awaiting a
      // result would then be left with nothing pending. Idle pool threads wait on
      // a queue, which keeps nothing alive either.
      const thread = new Thread({
        name: options.threadName(i),
        backend,
        target: poolWorker,
        args: [tasks, sink, options.initializer, options.initargs],
      });
      threads.push(thread);
      thread.start();
      onThreadEnd(thread, (error) => options.threadEnded(thread, error));
    }
    this.threads = threads;
  }

  /** The threads (there is no result handler). */
  get joinable(): readonly Thread[] {
    return this.threads;
  }

  /** Tasks not yet taken. */
  get queued(): number {
    return this.#tasks.qsize();
  }

  /** Queues one task. */
  send(job: number, index: number, target: Target, argsList: unknown[][]): void {
    this.#tasks.putSync([job, index, target, argsList]);
  }

  /** Queues a map's tasks. */
  sendChunks(job: number, target: Target, argsList: unknown[][], size: number): void {
    for (let i = 0, chunk = 0; i < argsList.length; i += size, chunk++) {
      this.#tasks.putSync([job, chunk, target, argsList.slice(i, i + size)]);
    }
  }

  /** Drops the queued tasks. */
  dropQueued(): void {
    dropQueuedTasks(this.#tasks);
  }

  /** One `null` per thread: each ends when it takes one. */
  close(): void {
    for (let i = 0; i < this.threads.length; i++) this.#tasks.putSync(null);
  }
}
