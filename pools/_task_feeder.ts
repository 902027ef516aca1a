/**
 * Sends a job's tasks to a pool's threads as they take them, as Python's
 * task handler thread does. A job keeps at most {@linkcode IN_FLIGHT} tasks sent and
 * not yet answered; the rest wait in the feeder's thread until answers come
 * back. So the isolate that owns the pool never blocks putting tasks while
 * the results that would make room wait for it to take them, the queues
 * hold a bounded number of tasks however long the job is, and an iterable
 * is read lazily (`imap`): an error it raises fails the task it would have
 * filled, in the feeder, not in the caller.
 *
 * @module
 */
import type { Backend } from "../backends/types.ts";
import { Event } from "../primitives/event.ts";
import { Thread } from "../primitives/thread.ts";

/** The most tasks of one job sent and not yet answered. */
export const IN_FLIGHT = 4096;

/** Answers that bring a job's tasks in flight down to this send more. */
export const REFILL_AT: number = IN_FLIGHT / 2;

/** What a feeder works with: the job's side of the pool. */
export interface FeedOptions {
  /** The backend of the pool's own isolate: the feeder's thread runs there. */
  readonly host: Backend;
  /** The feeder thread's name. */
  readonly name: string;
  /** The job's tasks from `first` on, each the arguments of its calls; reading may throw (the iterable's error). */
  readonly chunks: Iterator<unknown[][]>;
  /** The index of the first task `chunks` yields. */
  readonly first: number;
  /** Sends task `index`; it may throw (an argument a Worker cannot receive). */
  readonly send: (index: number, argsList: unknown[][]) => void;
  /** Task `index` could not be sent: its outcome is `error`. */
  readonly fail: (index: number, error: unknown) => void;
  /** Every task was read: `count` of them; if reading raised, the last one is that `error`. */
  readonly end: (count: number, error?: { readonly error: unknown }) => void;
  /** Whether to send no more (the pool was terminated, or nobody reads the results any more). */
  readonly stopped: () => boolean;
  /** The feeder's thread is done. */
  readonly finished: () => void;
}

/**
 * Feeds one job's tasks. Its thread sends the first ones (so that reading
 * an iterable happens there, not in the caller), then waits until the job
 * has no task left to send; each answer that brings the tasks in flight
 * down to {@linkcode REFILL_AT} sends more at once, in the thread that
 * delivered it (the pool's result handler, or one of its threads), so the
 * queues are refilled while the pool's threads still have work.
 */
export class TaskFeeder {
  readonly #options: FeedOptions;
  // Set once the job has no task left to send (or the feeder must look at `stopped()` again).
  readonly #changed: Event;
  readonly thread: Thread;
  #inFlight: number;
  #index: number;
  #ended = false;
  #filling = false;

  /**
   * Starts the feeder's thread.
   *
   * @param options The job's side.
   * @param inFlight How many of the job's tasks were sent before (and are not answered yet).
   */
  constructor(options: FeedOptions, inFlight: number) {
    this.#options = options;
    this.#inFlight = inFlight;
    this.#index = options.first;
    this.#changed = new Event({ backend: options.host });
    this.thread = new Thread({ name: options.name, backend: options.host, target: () => this.#run() });
    this.thread.start();
  }

  /** One of the job's tasks was answered: sends more if few are left in flight. */
  answered(): void {
    if (--this.#inFlight <= REFILL_AT && !this.#ended) this.#fill();
  }

  /** Makes the feeder look at `stopped()` again (the pool was terminated). */
  wake(): void {
    this.#changed.set();
  }

  async #run(): Promise<void> {
    try {
      this.#fill();
      while (!this.#ended) {
        await this.#changed.wait();
        this.#changed.clear();
        // Woken by wake(): a stop with no answer to come would otherwise never be seen.
        if (!this.#ended && this.#options.stopped()) this.#fill();
      }
    } finally {
      this.#options.finished();
    }
  }

  // Sends tasks until IN_FLIGHT are in flight, the tasks run out, or the job is stopped.
  #fill(): void {
    if (this.#filling) return; // a task failed to send and its delivery answered: the loop goes on
    this.#filling = true;
    const { chunks, send, fail, stopped } = this.#options;
    try {
      while (this.#inFlight < IN_FLIGHT) {
        if (stopped()) {
          chunks.return?.();
          return this.#end(this.#index);
        }
        let next: IteratorResult<unknown[][]>;
        try {
          next = chunks.next();
        } catch (error) {
          return this.#end(this.#index + 1, { error });
        }
        if (next.done) return this.#end(this.#index);
        const index = this.#index++;
        try {
          send(index, next.value);
          this.#inFlight++;
        } catch (error) {
          fail(index, error);
        }
      }
    } finally {
      this.#filling = false;
    }
  }

  #end(count: number, failure?: { readonly error: unknown }): void {
    this.#ended = true;
    this.#options.end(count, failure);
    this.#changed.set();
  }
}

/**
 * The tasks of a map from task `first` on, each the arguments of `size` calls.
 *
 * @param argsList Every call's arguments.
 * @param size The calls per task.
 * @param first The first task.
 * @returns The tasks, in order.
 */
export function* chunksOf(argsList: unknown[][], size: number, first: number): Generator<unknown[][]> {
  for (let i = first * size; i < argsList.length; i += size) yield argsList.slice(i, i + size);
}

/**
 * The tasks of an `imap`, read from the iterable as they are needed, each
 * the arguments of `size` calls; an error the iterable raises loses the
 * task it cut short, as in Python.
 *
 * @param iterable The items.
 * @param size The items per task.
 * @returns The tasks, in order.
 */
export function* chunksOfIterable(iterable: Iterable<unknown>, size: number): Generator<unknown[][]> {
  let chunk: unknown[][] = [];
  for (const item of iterable) {
    chunk.push([item]);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
