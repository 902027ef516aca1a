/**
 * Thread bodies for `queue_worker_cases.ts`: each runs in its own Worker on
 * a shared `Queue` it received as an argument, and reports through an
 * `Int32Array` over a `SharedArrayBuffer` (a slot holds an {@linkcode Outcome},
 * the slot after it a value). Relative imports only, so a Worker can load it
 * without the import map.
 *
 * @module
 */
import { Empty, Full, type Queue, ShutDown } from "@locksmith/threading/queue";

/** This module, for `{ module: QUEUE_TARGETS, export }`. */
export const QUEUE_TARGETS: string = import.meta.url;

/** What a Worker writes to its report slot. */
export const Outcome = {
  /** The call is about to start (it may wait). */
  Started: 1,
  /** The call returned. */
  Done: 2,
  /** It raised `Empty`. */
  Empty: 3,
  /** It raised `Full`. */
  Full: 4,
  /** It raised `ShutDown`. */
  ShutDown: 5,
  /** It raised something else. */
  Other: 6,
} as const;

/** A zeroed report of `slots` int32 slots that Workers can write to. */
export function reportArray(slots: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(slots * 4));
}

function outcomeOf(error: unknown): number {
  if (error instanceof Empty) return Outcome.Empty;
  if (error instanceof Full) return Outcome.Full;
  if (error instanceof ShutDown) return Outcome.ShutDown;
  return Outcome.Other;
}

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
    if (item !== null) Atomics.add(seen, item, 1);
    queue.taskDone();
    if (item === null) return;
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
 * shut down: `report[slot]` becomes `Started`, then the outcome (`ShutDown`
 * expected).
 */
export function waitForShutdown(queue: Queue<number>, report: Int32Array, slot: number, item?: number): void {
  Atomics.store(report, slot, Outcome.Started);
  try {
    if (item === undefined) {
      for (;;) queue.getSync();
    } else {
      for (;;) queue.putSync(item);
    }
  } catch (error) {
    Atomics.store(report, slot, outcomeOf(error));
  }
}

/**
 * One `getSync(true, timeout)` (forever when `timeout` is omitted): the item
 * goes to `report[slot + 1]`, then `report[slot]` says how the call ended.
 */
export function getOne(queue: Queue<number>, report: Int32Array, slot: number, timeout?: number): void {
  Atomics.store(report, slot, Outcome.Started);
  try {
    Atomics.store(report, slot + 1, queue.getSync(true, timeout));
    Atomics.store(report, slot, Outcome.Done);
  } catch (error) {
    Atomics.store(report, slot, outcomeOf(error));
  }
}

/** One `putSync(item, true, timeout)`: `report[slot]` says how it ended. */
export function putOne(queue: Queue<number>, item: number, report: Int32Array, slot: number, timeout?: number): void {
  Atomics.store(report, slot, Outcome.Started);
  try {
    queue.putSync(item, true, timeout);
    Atomics.store(report, slot, Outcome.Done);
  } catch (error) {
    Atomics.store(report, slot, outcomeOf(error));
  }
}

/**
 * One `joinSync(timeout)`: `report[slot + 1]` is 1 if it returned `true`,
 * then `report[slot]` says how it ended.
 */
export function joinOne(queue: Queue<number>, report: Int32Array, slot: number, timeout?: number): void {
  Atomics.store(report, slot, Outcome.Started);
  try {
    Atomics.store(report, slot + 1, queue.joinSync(timeout) ? 1 : 0);
    Atomics.store(report, slot, Outcome.Done);
  } catch (error) {
    Atomics.store(report, slot, outcomeOf(error));
  }
}

/**
 * Calls that cannot succeed, on an `empty` and a `full` queue: a
 * non-blocking get and put, timed ones of `timeout` ms, and ones with a
 * timeout of 0. `report[0..5]` get their outcomes (`Empty` and `Full`
 * expected).
 */
export function timeOut(empty: Queue<number>, full: Queue<number>, report: Int32Array, timeout: number): void {
  const calls = [
    () => empty.getSync(false),
    () => empty.getSync(true, timeout),
    () => empty.getSync(true, 0),
    () => full.putSync(-1, false),
    () => full.putSync(-1, true, timeout),
    () => full.putSync(-1, true, 0),
  ];
  calls.forEach((call, slot) => {
    try {
      call();
      Atomics.store(report, slot, Outcome.Done);
    } catch (error) {
      Atomics.store(report, slot, outcomeOf(error));
    }
  });
}
