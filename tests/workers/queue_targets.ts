/**
 * Thread bodies for `tests/atomics_queue_test.ts`: each runs in its own
 * Worker and uses a shared `Queue` it received as an argument, reporting
 * through an `Int32Array` over a `SharedArrayBuffer`.
 *
 * @module
 */
import { type Queue, ShutDown } from "../../queue.ts";

/** Puts the integers `from` to `to - 1`, blocking while the queue is full. */
export function produce(queue: Queue<number | null>, from: number, to: number): void {
  for (let i = from; i < to; i++) queue.putSync(i);
}

/**
 * Gets items until a `null`, counting each item in `seen[item]` and marking
 * every item (the `null` too) done.
 */
export function consume(queue: Queue<number | null>, seen: Int32Array): void {
  for (;;) {
    const item = queue.getSync();
    if (item === null) {
      queue.taskDone();
      return;
    }
    Atomics.add(seen, item, 1);
    queue.taskDone();
  }
}

/**
 * Gets `count` items, adding each to `report[0]` and counting them in
 * `report[1]`, after a short pause per item (so `join` has to wait).
 */
export function slowConsume(queue: Queue<number>, count: number, report: Int32Array): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < count; i++) {
    const item = queue.getSync();
    Atomics.wait(pause, 0, 0, 1);
    Atomics.add(report, 0, item);
    Atomics.add(report, 1, 1);
    queue.taskDone();
  }
}

/**
 * Blocks in `getSync` (or `putSync` of `item`, if given) until the queue is
 * shut down: `report[slot]` becomes 1 once it started, 2 on `ShutDown`, 3
 * on anything else.
 */
export function waitForShutdown(queue: Queue<number>, report: Int32Array, slot: number, item?: number): void {
  Atomics.store(report, slot, 1);
  try {
    if (item === undefined) {
      for (;;) queue.getSync();
    } else {
      for (;;) queue.putSync(item);
    }
  } catch (error) {
    Atomics.store(report, slot, error instanceof ShutDown ? 2 : 3);
  }
}
