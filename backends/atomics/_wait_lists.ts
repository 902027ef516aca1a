/**
 * The wait lists of a parking-lot bucket: one FIFO of waiter records per
 * key (per cell waited on), so that parking, unparking or leaving on one
 * cell never walks the waiters of another cell that hashes to the same
 * bucket. (Rust's `parking_lot` keeps one list of all a bucket's waiters
 * and grows its table as threads come; with tens of thousands of waiters on
 * one cell, a wait on a cell of the same bucket would scan them all, here
 * under a word lock every thread of the program shares.)
 *
 * A bucket's `B_LISTS` cell heads a chain of lists; a list is a heap block:
 *
 * | cell      | holds                                              |
 * |-----------|----------------------------------------------------|
 * | `L_NEXT`  | the bucket's next list                             |
 * | `L_PREV`  | the bucket's previous list                         |
 * | `L_KEY`   | the key                                            |
 * | `L_HEAD`  | the oldest record                                  |
 * | `L_TAIL`  | the youngest record                                |
 * | `L_COUNT` | how many records are queued                        |
 *
 * A list in a bucket is never empty: the last record to leave unlinks it,
 * and the isolate keeps it for its next first waiter (up to `SPARES_KEPT`,
 * so a lock contended on and off does not allocate at every first waiter)
 * or gives it back to the heap. Everything here runs under the bucket's
 * word lock, but the spares, which are this isolate's own.
 *
 * @module
 */
import { BlockTag, type SharedHeap } from "./_heap.ts";
import { R_NEXT, R_PREV, RECORD_SIZE } from "./_lot_records.ts";

/** A bucket's cell (after its word lock): its first wait list, 0 if none. */
const B_LISTS = 1;

const L_NEXT = 0;
const L_PREV = 1;
const L_KEY = 2;
const L_HEAD = 3;
const L_TAIL = 4;
const L_COUNT = 5;
const LIST_SIZE = 6;
// Empty lists an isolate keeps (`SharedHeap.spareLists`) for its next first waiters: few, as the isolate
// that empties a list keeps it, whoever made it (a waker keeps the lists of the waiters it wakes).
const SPARES_KEPT = 2;

/** The wait list of `key` in `bucket`, or 0 if nobody waits on it. */
export function listOf(heap: SharedHeap, bucket: number, key: number): number {
  let view = heap.view;
  for (let list = view[bucket + B_LISTS]; list !== 0; list = view[list + L_NEXT]) {
    if (list + LIST_SIZE > view.length) view = heap.refresh();
    if (view[list + L_KEY] === key) return list;
  }
  return 0;
}

/**
 * The wait list of `key`, made (from this isolate's spares, or a new block)
 * if nobody waits on it: empty then, until `push` (or `releaseIfEmpty`, if
 * the park is declined). Throws `RangeError` if the heap has no room for a list.
 */
export function claimList(heap: SharedHeap, bucket: number, key: number): number {
  const found = listOf(heap, bucket, key);
  if (found !== 0) return found;
  const list = heap.spareLists.pop() ?? heap.allocateBlock(LIST_SIZE, BlockTag.List, true);
  const view = heap.viewFor(list + LIST_SIZE - 1);
  const first = view[bucket + B_LISTS];
  view[list + L_NEXT] = first;
  view[list + L_PREV] = 0;
  view[list + L_KEY] = key;
  view[list + L_HEAD] = view[list + L_TAIL] = view[list + L_COUNT] = 0;
  if (first !== 0) view[first + L_PREV] = list;
  view[bucket + B_LISTS] = list;
  return list;
}

/** Gives this isolate's spare lists back to the heap (a Worker that ends). */
export function releaseSpareLists(heap: SharedHeap): void {
  for (const list of heap.spareLists.splice(0)) heap.freeBlock(list, BlockTag.List);
}

/** Queues record `r` at the tail of `list`. */
export function push(heap: SharedHeap, list: number, r: number): void {
  const view = heap.viewFor(Math.max(list + LIST_SIZE, r + RECORD_SIZE) - 1);
  const tail = view[list + L_TAIL];
  view[r + R_NEXT] = 0;
  view[r + R_PREV] = tail;
  if (tail !== 0) view[tail + R_NEXT] = r;
  else view[list + L_HEAD] = r;
  view[list + L_TAIL] = r;
  view[list + L_COUNT]++;
}

/** The oldest record of `list` (0 if it is empty). */
export function oldest(heap: SharedHeap, list: number): number {
  return heap.viewFor(list + LIST_SIZE - 1)[list + L_HEAD];
}

/** How many records `list` holds. */
export function waiting(heap: SharedHeap, list: number): number {
  return heap.viewFor(list + LIST_SIZE - 1)[list + L_COUNT];
}

/**
 * Takes record `r` out of `list` (of `bucket`); says whether the list is
 * empty now (it is then a spare or given back: do not use it again).
 */
export function remove(heap: SharedHeap, bucket: number, list: number, r: number): boolean {
  const view = heap.viewFor(Math.max(list + LIST_SIZE, r + RECORD_SIZE) - 1);
  const next = view[r + R_NEXT];
  const prev = view[r + R_PREV];
  if (prev !== 0) view[prev + R_NEXT] = next;
  else view[list + L_HEAD] = next;
  if (next !== 0) view[next + R_PREV] = prev;
  else view[list + L_TAIL] = prev;
  const left = --view[list + L_COUNT];
  if (left === 0) retire(heap, bucket, list);
  return left === 0;
}

/** After a declined park: a list claimed for it and still empty is retired. */
export function releaseIfEmpty(heap: SharedHeap, bucket: number, list: number): void {
  if (waiting(heap, list) === 0) retire(heap, bucket, list);
}

/** Calls `fn` with every record of `bucket` (it may remove the record it is given), key by key, oldest first. */
export function forEachRecord(heap: SharedHeap, bucket: number, fn: (r: number, list: number) => void): void {
  let view = heap.view;
  for (let list = view[bucket + B_LISTS]; list !== 0;) {
    if (list + LIST_SIZE > view.length) view = heap.refresh();
    // Read before `fn` runs: removing a list's last record retires the list.
    const nextList = view[list + L_NEXT];
    for (let r = view[list + L_HEAD]; r !== 0;) {
      if (r + RECORD_SIZE > view.length) view = heap.refresh();
      const next = view[r + R_NEXT];
      fn(r, list);
      view = heap.view;
      r = next;
    }
    list = nextList;
  }
}

// An empty list leaves its bucket; this isolate keeps it for its next first waiter, or gives it back.
function retire(heap: SharedHeap, bucket: number, list: number): void {
  const view = heap.viewFor(list + LIST_SIZE - 1);
  const next = view[list + L_NEXT];
  const prev = view[list + L_PREV];
  if (prev !== 0) view[prev + L_NEXT] = next;
  else view[bucket + B_LISTS] = next;
  if (next !== 0) view[next + L_PREV] = prev;
  if (heap.spareLists.length < SPARES_KEPT) heap.spareLists.push(list);
  else heap.freeBlock(list, BlockTag.List);
}
