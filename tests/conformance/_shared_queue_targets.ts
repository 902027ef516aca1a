/**
 * Thread bodies for `queue_growth_cases.ts` and `shared_order_cases.ts`:
 * each runs in its own Worker on a shared queue it received as an
 * argument, and reports through an `Int32Array` over a `SharedArrayBuffer`.
 * Relative imports only, so a Worker can load it without the import map.
 *
 * @module
 */
import type { LifoQueue, PriorityQueue, Queue, SimpleQueue } from "@locksmith/threading/queue";

/** This module, for `{ module: SHARED_QUEUE_TARGETS, export }`. */
export const SHARED_QUEUE_TARGETS: string = import.meta.url;

/** A zeroed report of `slots` int32 slots that Workers can write to. */
export function sharedReport(slots: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(slots * 4));
}

/**
 * Puts the numbers `0` to `count - 1` with `putNowait`, counting each in
 * `report[0]`; `report[1]` becomes 1 once every put returned (2 if one raised).
 */
export function putNumbers(queue: Queue<number> | SimpleQueue<number>, count: number, report: Int32Array): void {
  try {
    for (let i = 0; i < count; i++) {
      queue.putNowait(i);
      Atomics.add(report, 0, 1);
    }
    Atomics.store(report, 1, 1);
  } catch {
    Atomics.store(report, 1, 2);
  }
}

/**
 * Gets `count` items with `getSync`, checking that item `i` is `label(i)`:
 * `report[0]` counts the items taken, `report[1]` the ones out of order.
 */
export function takeInOrder(queue: Queue<string>, count: number, report: Int32Array): void {
  for (let i = 0; i < count; i++) {
    if (queue.getSync() !== itemLabel(i)) Atomics.add(report, 1, 1);
    Atomics.add(report, 0, 1);
  }
}

/** The item a producer of `takeInOrder`'s queue puts `i`-th: of varied lengths, so records wrap unevenly. */
export function itemLabel(i: number): string {
  return `item ${i} ${"=".repeat(i % 23)}`;
}

/**
 * Puts each of `items` with `putSync`, then sets `report[0]` to 1: a Worker
 * filling a LIFO or priority queue that another thread drains.
 */
export function putEach(
  queue: LifoQueue<unknown> | PriorityQueue<unknown>,
  items: unknown[],
  report: Int32Array,
): void {
  for (const item of items) queue.putSync(item);
  Atomics.store(report, 0, 1);
}

/**
 * Gets `count` items with `getSync` and puts them, in the order taken, into
 * `out` (a shared FIFO `Queue`), so the main thread sees the order.
 */
export function drainInto(
  queue: LifoQueue<unknown> | PriorityQueue<unknown>,
  count: number,
  out: Queue<unknown>,
): void {
  for (let i = 0; i < count; i++) out.putSync(queue.getSync());
}

/**
 * Puts `[priority, worker]` pairs for `priorities` into a shared priority
 * queue, with `getSync` and `putSync` interleaved: takes one item after every
 * put and puts it back, so both ends run in every Worker at once.
 */
export function churnPriorities(queue: PriorityQueue<[number, number]>, priorities: number[], worker: number): void {
  for (const priority of priorities) {
    queue.putSync([priority, worker]);
    queue.putSync(queue.getSync());
  }
}
