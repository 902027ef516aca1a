/**
 * The producer `Thread` of `queue_workers_bench.ts` (a Worker of the
 * `atomics` backend): it waits for a request in shared memory, then puts
 * that many items into one of the shared queues it was given.
 *
 * @module
 */
import type { Queue } from "@locksmith/threading/queue";

/** Control cell: how many requests main has made (the producer waits while it has served them all). */
export const REQUEST = 0;
/** Control cell: how many items to put. */
export const COUNT = 1;
/** Control cell: which queue, and what items ({@linkcode Job}). */
export const JOB = 2;

/** What a request asks for. */
export const Job = {
  /** The numbers 0..n-1 into the unbounded queue. */
  Numbers: 0,
  /** The numbers 0..n-1 into the bounded queue. */
  BoundedNumbers: 1,
  /** Small objects `{ id, name }` into the unbounded queue. */
  Objects: 2,
  /** End the thread. */
  Quit: 3,
} as const;

/** The small object every object job carries, numbered `id`. */
export function smallObject(id: number): { id: number; name: string } {
  return { id, name: "item" };
}

/**
 * Serves requests until {@linkcode Job.Quit}: `unbounded` takes the
 * numbers and objects, `bounded` the bounded numbers.
 */
export function produceOnRequest(unbounded: Queue<unknown>, bounded: Queue<unknown>, control: Int32Array): void {
  for (let served = 0;; served++) {
    Atomics.wait(control, REQUEST, served);
    const count = Atomics.load(control, COUNT);
    switch (Atomics.load(control, JOB)) {
      case Job.Numbers:
        for (let i = 0; i < count; i++) unbounded.putSync(i);
        break;
      case Job.BoundedNumbers:
        for (let i = 0; i < count; i++) bounded.putSync(i);
        break;
      case Job.Objects:
        for (let i = 0; i < count; i++) unbounded.putSync(smallObject(i));
        break;
      default:
        return;
    }
  }
}
