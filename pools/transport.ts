/**
 * How a pool's tasks reach its threads and their outcomes come back: the one
 * seam between a pool (its API, its jobs and their state) and where its
 * threads run. Two implementations: `_local_transport.ts` (threads of this
 * isolate, a `SimpleQueue` and a direct hand-back) and
 * `worker_transport.ts` (Workers, shared queues and the flat wire).
 *
 * @module
 */
import type { Backend, Target } from "../backends/types.ts";
import type { Thread } from "../primitives/thread.ts";
import type { TaskStatus } from "./wire.ts";
import { Empty } from "../runtime/errors.ts";

/** Takes an outcome: the job, the task's index, its status, and its values or exception. */
export type Deliver = (job: number, index: number, status: TaskStatus, value: unknown) => void;

/** What a transport is made with. */
export interface TransportOptions {
  /** The backend the threads run on. */
  readonly backend: Backend;
  /** How many threads. */
  readonly threads: number;
  /** The name of thread `i`. */
  readonly threadName: (i: number) => string;
  /** Called once in each thread before its first task. */
  readonly initializer: Target | null;
  /** The initializer's arguments. */
  readonly initargs: readonly unknown[];
  /** Takes every outcome, in this isolate. */
  readonly deliver: Deliver;
  /** Whether no outcome is expected any more (the result handler, if any, may end). */
  readonly finished: () => boolean;
  /** A thread ended: `error` is what it raised, if anything (a Worker that died). */
  readonly threadEnded: (thread: Thread, error: unknown) => void;
}

/** Where a pool's tasks go and its outcomes come from. */
export interface PoolTransport {
  /** The pool's threads. */
  readonly threads: readonly Thread[];
  /** Every thread to join when the pool is done (the threads, and a result handler if any). */
  readonly joinable: readonly Thread[];
  /** How many tasks are queued and not yet taken by a thread. */
  readonly queued: number;
  /** Queues one task: the calls of `job`'s task `index`. */
  send(job: number, index: number, target: Target, argsList: unknown[][]): void;
  /** Queues a map's tasks: chunk `i` holds the calls from `i * size`. */
  sendChunks(job: number, target: Target, argsList: unknown[][], size: number): void;
  /** Drops the tasks no thread has taken yet. */
  dropQueued(): void;
  /** Tells the threads to end once the tasks before the message are done, and wakes the result handler. */
  close(): void;
  /**
   * Stops the threads where they are, running calls included (`terminate()`),
   * where threads can be stopped (Workers, at their next cancellation point).
   * Absent where they cannot: a running call then finishes.
   */
  stop?(): void;
}

/**
 * Takes every task a queue holds now, without waiting (what `dropQueued`
 * does on either transport): a task no thread has taken is not run.
 *
 * @param tasks The task queue (a `Queue` or a `SimpleQueue`).
 */
export function dropQueuedTasks(tasks: { getNowait(): unknown }): void {
  for (;;) {
    try {
      tasks.getNowait();
    } catch (error) {
      if (error instanceof Empty) return;
      throw error;
    }
  }
}
