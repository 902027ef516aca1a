/**
 * What the parking lot of `atomics` keeps in the heap: the buckets a key
 * hashes to and the waiter records queued in them, with the states a
 * record goes through (see `_parking_lot.ts` for the protocol).
 *
 * | record state | meaning                                          |
 * |--------------|--------------------------------------------------|
 * | WAITING      | queued in its key's wait list                    |
 * | WOKEN        | dequeued by an unpark; the token is written      |
 * | LEFT         | dequeued by its own waiter (timeout or abort)    |
 * | INTERRUPTED  | still queued; a Worker's `interruptMain()` asks  |
 * |              | the blocked main thread to look                  |
 * | CANCELLED    | still queued; its thread is asked to stop: it    |
 * |              | leaves and ends its Worker (a cancellation point)|
 * | RECHECK      | still queued; the holder of the lock it waits    |
 * |              | for died: it leaves and looks at the lock again  |
 *
 * @module
 */
import { BUCKET_SIZE, BUCKETS, FIRST_BUCKET } from "./_heap.ts";

/** Waiter record: the next (younger) record of its wait list. */
export const R_NEXT = 0;
/** Waiter record: the previous (older) record of its wait list. */
export const R_PREV = 1;
/** Waiter record: the cell waited on (its index in the heap). */
export const R_KEY = 2;
/** Waiter record: its state (the word its waiter sleeps on). */
export const R_STATE = 3;
/** Waiter record: the token an unpark gave it. */
export const R_TOKEN = 4;
/** Waiter record: the tag of the isolate that waits. */
export const R_ISOLATE = 5;
/** Waiter record: `F_MAIN_SYNC | abandonedAt << F_ABANDONED_SHIFT`. */
export const R_FLAGS = 6;
/** The cells of a waiter record. */
export const RECORD_SIZE = 7;
/** `R_FLAGS`: the main thread of the main isolate blocks on it in `parkSync`. */
export const F_MAIN_SYNC = 1;
/** `R_FLAGS`: a lock's wait (`ParkRequest.robust`): how its holder must have ended for the lock to be abandoned. */
export const F_ABANDONED_SHIFT = 1;

/** Record state: queued. */
export const WAITING = 1;
/** Record state: woken by an unpark, its token written. */
export const WOKEN = 2;
/** Record state: left its queue by itself. */
export const LEFT = 3;
/** Record state: queued; the blocked main thread is asked to take a Worker's interrupt. */
export const INTERRUPTED = 4;
/** Record state: queued; its thread is asked to stop. */
export const CANCELLED = 5;
/** Record state: queued; the holder of its lock died. */
export const RECHECK = 6;

/** A bucket's cell (after its word lock at +0): when the lot is next asked to be fair (tenths of ms). */
export const B_FAIR_AT = 3;

// The top bits of a multiplicative hash pick the bucket.
const BUCKET_SHIFT = 32 - Math.log2(BUCKETS);

/** The bucket (the index of its word lock) that `key` hashes to. */
export function bucketOf(key: number): number {
  return FIRST_BUCKET + (Math.imul(key, 0x9e3779b1) >>> BUCKET_SHIFT) * BUCKET_SIZE;
}

/** Every bucket, for the sweeps that look at all of them. */
export function* allBuckets(): Generator<number> {
  for (let bucket = FIRST_BUCKET; bucket < FIRST_BUCKET + BUCKETS * BUCKET_SIZE; bucket += BUCKET_SIZE) yield bucket;
}
