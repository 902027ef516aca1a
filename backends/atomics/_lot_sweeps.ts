/**
 * The parking lot's operations on every bucket at once, for threads that
 * are interrupted, asked to stop, or gone: each runs under one bucket's lock
 * at a time, so a park that starts after its bucket was searched sees the
 * word the sweep set first (the interrupt word, a cancel word, a thread's
 * end), and then goes its own way.
 *
 * @module
 */
import { BlockTag, type SharedHeap } from "./_heap.ts";
import {
  allBuckets,
  bucketOf,
  CANCELLED,
  F_ABANDONED_SHIFT,
  F_MAIN_SYNC,
  INTERRUPTED,
  LEFT,
  R_FLAGS,
  R_ISOLATE,
  R_KEY,
  R_STATE,
  R_TOKEN,
  RECHECK,
  WAITING,
  WOKEN,
} from "./_lot_records.ts";
import { T_CANCEL, T_END } from "./_thread_block.ts";
import { forEachRecord, listOf, oldest, remove } from "./_wait_lists.ts";
import { lockWord, unlockWord } from "./_word_lock.ts";

/** Runs `fn` under the lock of every bucket in turn, then wakes the records it returned. */
function underEachBucket(heap: SharedHeap, fn: (bucket: number, marked: number[]) => void): void {
  const marked: number[] = [];
  for (const bucket of allBuckets()) {
    lockWord(heap.view, bucket);
    try {
      fn(bucket, marked);
    } finally {
      unlockWord(heap.view, bucket);
    }
  }
  for (const r of marked) Atomics.notify(heap.viewFor(r + R_STATE), r + R_STATE, 1);
}

/**
 * A Worker's `interruptMain()` (it has set the heap's `H_INTERRUPT` word):
 * moves the main thread's record, if it blocks in `parkSync`, to
 * INTERRUPTED and wakes it. Under each bucket's lock, so a record queued
 * after its bucket was searched was queued by a park that saw the word.
 */
export function wakeBlockedMain(heap: SharedHeap): void {
  underEachBucket(heap, (bucket, marked) =>
    forEachRecord(heap, bucket, (r) => {
      const view = heap.view;
      if ((view[r + R_FLAGS] & F_MAIN_SYNC) === 0) return;
      if (Atomics.compareExchange(view, r + R_STATE, WAITING, INTERRUPTED) === WAITING) marked.push(r);
    }));
}

/**
 * Asks the Worker thread whose block is at `tag` to stop: sets its cancel
 * word, then wakes each of its queued waits (CANCELLED), under each
 * bucket's lock, so that a park that starts after its bucket was searched
 * sees the word.
 */
export function cancelIsolate(heap: SharedHeap, tag: number): void {
  Atomics.store(heap.viewFor(tag + T_CANCEL), tag + T_CANCEL, 1);
  underEachBucket(heap, (bucket, marked) =>
    forEachRecord(heap, bucket, (r) => {
      const view = heap.view;
      if (view[r + R_ISOLATE] !== tag) return;
      const state = Atomics.load(view, r + R_STATE);
      if (state !== WAITING && state !== RECHECK) return;
      Atomics.store(view, r + R_STATE, CANCELLED);
      marked.push(r);
    }));
}

/**
 * After a Worker thread ended without cleaning up (a crash, an exit the
 * library did not see): publishes its end if nobody did, drops its queued
 * records and tells the waiters of the locks it held (see
 * `SharedParkingLot.endIsolate`). What was on its way to it is lost.
 */
export function sweepDeadIsolate(heap: SharedHeap, tag: number, end: number): void {
  const view = heap.viewFor(tag + T_END);
  Atomics.compareExchange(view, tag + T_END, 0, end);
  sweep(heap, tag, Atomics.load(view, tag + T_END));
  wakeAllAt(heap, tag + T_END);
}

/**
 * Under each bucket's lock: drops the queued records of the isolate `tag`
 * (as leaving, but without their `timedOut`, which lived there), and marks
 * every waiter of each lock held under `tag` RECHECK, if the way the holder
 * ended (`end`) abandons it. Every one, not the oldest alone: one that then
 * gives up (its timeout passed, its signal aborted) must not leave the rest
 * waiting for a release that will never come. They queue again behind the
 * one that takes the lock. The dropped records go back to the heap: no
 * thread of that isolate will touch them again.
 */
export function sweep(heap: SharedHeap, tag: number, end: number): void {
  const dead: number[] = [];
  underEachBucket(heap, (bucket, marked) =>
    forEachRecord(heap, bucket, (r, list) => {
      let view = heap.view;
      if (view[r + R_ISOLATE] === tag) {
        remove(heap, bucket, list, r);
        Atomics.store(view, r + R_STATE, LEFT);
        dead.push(r);
        return;
      }
      const abandonedAt = view[r + R_FLAGS] >> F_ABANDONED_SHIFT;
      if (abandonedAt === 0 || end < abandonedAt) return;
      const key = view[r + R_KEY];
      view = heap.viewFor(key);
      if (Atomics.load(view, key) >>> 2 !== tag) return;
      const state = Atomics.load(view, r + R_STATE);
      if (state !== WAITING && state !== INTERRUPTED) return;
      Atomics.store(view, r + R_STATE, RECHECK);
      marked.push(r);
    }));
  for (const r of dead) heap.freeBlock(r, BlockTag.Record);
}

/** Wakes every waiter parked on the cell at `key` (joiners of a thread). */
export function wakeAllAt(heap: SharedHeap, key: number): void {
  const bucket = bucketOf(key);
  const woken: number[] = [];
  lockWord(heap.view, bucket);
  try {
    const list = listOf(heap, bucket, key);
    if (list !== 0) {
      let last = false;
      while (!last) {
        const r = oldest(heap, list);
        last = remove(heap, bucket, list, r);
        const view = heap.viewFor(r + R_TOKEN);
        Atomics.store(view, r + R_TOKEN, 1);
        Atomics.store(view, r + R_STATE, WOKEN);
        woken.push(r);
      }
    }
  } finally {
    unlockWord(heap.view, bucket);
  }
  for (const r of woken) Atomics.notify(heap.viewFor(r + R_STATE), r + R_STATE, 1);
}
