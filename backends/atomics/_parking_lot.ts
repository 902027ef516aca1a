/**
 * The parking lot of the `atomics` backend, in shared memory, in the manner
 * of Rust's `parking_lot` and WebKit's `WTF::ParkingLot`: every thread of
 * the program (the main thread and each Worker) queues and wakes waiters
 * through the same buckets, so a lock released in one Worker wakes the
 * oldest waiter wherever it sleeps.
 *
 * A cell's key is its index in the heap; it hashes to one of the heap's
 * buckets. A bucket is a word lock and a FIFO list of waiter records (keys
 * may share a bucket; the list is scanned for the key). A waiter record
 * lives in the heap and belongs to the isolate that allocated it, which
 * reuses it for its next wait; only that isolate sleeps on its state cell.
 *
 * park: lock bucket -> `validate()` -> enqueue -> unlock -> `beforeSleep()`
 * -> sleep on the record's state with `Atomics.waitAsync` (or `Atomics.wait`
 * for the blocking twin) until it leaves WAITING. On timeout or abort: lock
 * bucket; if still queued, dequeue and call `timedOut(wasLast)`, else an
 * unpark won the race and the waiter takes its token.
 *
 * unpark: lock bucket -> dequeue the oldest record with the key -> run the
 * callback -> write the token, then WOKEN -> unlock -> `Atomics.notify`.
 *
 * Fairness: `unparkOne` tells the callback `beFair` (a lock then hands
 * itself to the woken waiter instead of letting it race) when the bucket's
 * fair time has passed (parking_lot's fair timeout: then it is set 0.5-1.5
 * ms ahead), and when the waiter sleeps in this same isolate, which cannot
 * run before the unparker yields and so would always lose the race.
 *
 * | record state | meaning                                          |
 * |--------------|--------------------------------------------------|
 * | WAITING      | queued in its bucket                             |
 * | WOKEN        | dequeued by an unpark; the token is written      |
 * | LEFT         | dequeued by its own waiter (timeout or abort)    |
 *
 * @module
 */
import { currentIdentity, type ThreadIdentity } from "../_current_thread.ts";
import { beginWait, endWait, type RegisteredWait } from "../_pending.ts";
import { PARK_INVALID, type ParkRequest, type UnparkResult } from "../types.ts";
import { BUCKET_SIZE, BUCKETS, FIRST_BUCKET, H_IDENT, type SharedHeap } from "./_heap.ts";

// The top bits of a multiplicative hash pick the bucket.
const BUCKET_SHIFT = 32 - Math.log2(BUCKETS);
import type { SharedCells } from "./_shared_cells.ts";
import { lockWord, unlockWord } from "./_word_lock.ts";

// Waiter record layout.
const R_NEXT = 0;
const R_PREV = 1;
const R_KEY = 2;
const R_STATE = 3;
const R_TOKEN = 4;
const R_ISOLATE = 5;
const RECORD_SIZE = 6;
// Bucket layout (after the word lock at +0).
const B_HEAD = 1;
const B_TAIL = 2;
const B_FAIR_AT = 3;

const WAITING = 1;
const WOKEN = 2;
const LEFT = 3;

const NONE: UnparkResult = Object.freeze({ unparked: false, haveMore: false });
const LAST: UnparkResult = Object.freeze({ unparked: true, haveMore: false, beFair: false });
const MANY: UnparkResult = Object.freeze({ unparked: true, haveMore: true, beFair: false });
const LAST_FAIR: UnparkResult = Object.freeze({ unparked: true, haveMore: false, beFair: true });
const MANY_FAIR: UnparkResult = Object.freeze({ unparked: true, haveMore: true, beFair: true });

/** A pending asynchronous wait, as the registry of pending waits sees it. */
class AsyncWait implements RegisteredWait {
  readonly backend = "atomics";
  pendingPrev: RegisteredWait | undefined = undefined;
  pendingNext: RegisteredWait | undefined = undefined;
  constructor(readonly request: ParkRequest<unknown>, readonly thread: ThreadIdentity) {}
}

/** The bucket (index of its word lock) that `key` hashes to. */
function bucketOf(key: number): number {
  return FIRST_BUCKET + (Math.imul(key, 0x9e3779b1) >>> BUCKET_SHIFT) * BUCKET_SIZE;
}

// A pending `Atomics.waitAsync` does not keep the event loop alive: hold a
// ref'd timer while any waits, so a program whose threads all wait does not
// exit under them (a daemon thread's waits do not count, except in a Worker,
// whose own liveness its spawner decides).
let holds = 0;
let keepAlive: ReturnType<typeof setInterval> | undefined;
let countDaemons = false;

function hold(thread: ThreadIdentity): boolean {
  if (thread.daemon && !countDaemons) return false;
  if (holds++ === 0) keepAlive = setInterval(noop, 0x7fffffff);
  return true;
}

function unhold(): void {
  if (--holds === 0) {
    clearInterval(keepAlive);
    keepAlive = undefined;
  }
}

function noop(): void {}

/** Counts daemon threads' waits as keeping the isolate alive (in a Worker). */
export function keepAliveForDaemons(): void {
  countDaemons = true;
}

/** The parking lot of one heap, as this isolate uses it. */
export class SharedParkingLot {
  readonly #heap: SharedHeap;
  // This isolate's idle waiter records.
  readonly #free: number[] = [];
  // Tells this isolate's waiters from other threads': a number from the
  // heap's own counter, unique among the isolates that use the heap (even
  // Workers the library did not start, whose idents are their own).
  readonly #isolate: number;

  /** @param heap The heap whose buckets it uses. */
  constructor(heap: SharedHeap) {
    this.#heap = heap;
    this.#isolate = Atomics.add(heap.view, H_IDENT, 1) + 1;
  }

  /** See `Backend.park`. */
  park<T>(cells: SharedCells, index: number, request: ParkRequest<T>): Promise<T> | typeof PARK_INVALID {
    const key = cells.base + index;
    const bucket = bucketOf(key);
    const r = this.#enqueue(key, bucket, request);
    if (r === 0) return PARK_INVALID;
    const thread = currentIdentity();
    const entry = new AsyncWait(request, thread);
    const background = request.background === true;
    if (!background) beginWait(entry);
    const held = !background && hold(thread);
    try {
      request.beforeSleep?.();
    } catch (error) {
      this.#leave(r, key, bucket, request);
      this.#done(r, entry, held);
      return Promise.reject(error);
    }
    return this.#sleep(r, key, bucket, request, entry, held);
  }

  /** See `Backend.parkSync`: blocks the calling thread in `Atomics.wait`. */
  parkSync<T>(cells: SharedCells, index: number, request: ParkRequest<T>): T | typeof PARK_INVALID {
    const key = cells.base + index;
    const bucket = bucketOf(key);
    const r = this.#enqueue(key, bucket, request);
    if (r === 0) return PARK_INVALID;
    const heap = this.#heap;
    try {
      request.beforeSleep?.();
    } catch (error) {
      this.#leave(r, key, bucket, request);
      this.#free.push(r);
      throw error;
    }
    const deadline = request.timeout === Infinity ? Infinity : heap.now() + request.timeout;
    try {
      for (;;) {
        const view = heap.view;
        const state = Atomics.load(view, r + R_STATE);
        if (state === WOKEN) return request.wake(Atomics.load(view, r + R_TOKEN));
        if (state === LEFT) return request.timeoutValue;
        const remaining = deadline - heap.now();
        if (remaining <= 0) {
          this.#leave(r, key, bucket, request);
          continue;
        }
        Atomics.wait(view, r + R_STATE, WAITING, remaining);
      }
    } finally {
      this.#free.push(r);
    }
  }

  /** See `Backend.unparkOne`. */
  unparkOne(cells: SharedCells, index: number, callback: (result: UnparkResult) => number): boolean {
    const heap = this.#heap;
    const key = cells.base + index;
    const bucket = bucketOf(key);
    let view = heap.view;
    lockWord(view, bucket);
    let r = 0;
    try {
      for (r = view[bucket + B_HEAD]; r !== 0; r = view[r + R_NEXT]) {
        if (r + RECORD_SIZE > view.length) view = heap.refresh();
        if (view[r + R_KEY] === key) break;
      }
      if (r === 0) {
        callback(NONE);
        return false;
      }
      let more = view[r + R_NEXT];
      for (; more !== 0; more = view[more + R_NEXT]) {
        if (more + RECORD_SIZE > view.length) view = heap.refresh();
        if (view[more + R_KEY] === key) break;
      }
      this.#unlink(view, bucket, r);
      // A waiter of this isolate cannot run before we yield, so racing would
      // only let us win again: hand off to it, as in-isolate backends do.
      const fair = view[r + R_ISOLATE] === this.#isolate || this.#fairNow(view, bucket);
      let token = 0;
      try {
        token = callback(more !== 0 ? (fair ? MANY_FAIR : MANY) : (fair ? LAST_FAIR : LAST));
      } finally {
        // Wake it even if the callback threw: a dequeued waiter must never be lost.
        Atomics.store(view, r + R_TOKEN, token);
        Atomics.store(view, r + R_STATE, WOKEN);
      }
    } finally {
      unlockWord(view, bucket);
    }
    Atomics.notify(view, r + R_STATE, 1);
    return true;
  }

  /** See `Backend.unparkMany`. */
  unparkMany(cells: SharedCells, index: number, count: number, token: number): number {
    if (!(count > 0)) return 0;
    const heap = this.#heap;
    const key = cells.base + index;
    const bucket = bucketOf(key);
    let view = heap.view;
    const woken: number[] = [];
    lockWord(view, bucket);
    try {
      let r = view[bucket + B_HEAD];
      while (r !== 0 && woken.length < count) {
        if (r + RECORD_SIZE > view.length) view = heap.refresh();
        const next = view[r + R_NEXT];
        if (view[r + R_KEY] === key) {
          this.#unlink(view, bucket, r);
          Atomics.store(view, r + R_TOKEN, token);
          Atomics.store(view, r + R_STATE, WOKEN);
          woken.push(r);
        }
        r = next;
      }
    } finally {
      unlockWord(view, bucket);
    }
    for (const r of woken) Atomics.notify(view, r + R_STATE, 1);
    return woken.length;
  }

  /** See `Backend.parked`. */
  parked(cells: SharedCells, index: number): number {
    const heap = this.#heap;
    const key = cells.base + index;
    const bucket = bucketOf(key);
    let view = heap.view;
    let n = 0;
    lockWord(view, bucket);
    try {
      for (let r = view[bucket + B_HEAD]; r !== 0; r = view[r + R_NEXT]) {
        if (r + RECORD_SIZE > view.length) view = heap.refresh();
        if (view[r + R_KEY] === key) n++;
      }
    } finally {
      unlockWord(view, bucket);
    }
    return n;
  }

  // Queues a record for `key` if `validate()` agrees; 0 if it did not.
  #enqueue(key: number, bucket: number, request: ParkRequest<unknown>): number {
    const heap = this.#heap;
    const r = this.#free.pop() ?? heap.allocateRaw(RECORD_SIZE);
    let view = heap.view;
    lockWord(view, bucket);
    try {
      if (!request.validate()) {
        this.#free.push(r);
        return 0;
      }
      const tail = view[bucket + B_TAIL];
      if (tail + RECORD_SIZE > view.length) view = heap.refresh();
      view[r + R_NEXT] = 0;
      view[r + R_PREV] = tail;
      view[r + R_KEY] = key;
      view[r + R_TOKEN] = 0;
      view[r + R_ISOLATE] = this.#isolate;
      Atomics.store(view, r + R_STATE, WAITING);
      if (tail !== 0) view[tail + R_NEXT] = r;
      else view[bucket + B_HEAD] = r;
      view[bucket + B_TAIL] = r;
      return r;
    } finally {
      unlockWord(view, bucket);
    }
  }

  // Under the bucket lock: takes record `r` out of the bucket's list.
  #unlink(view: Int32Array, bucket: number, r: number): void {
    const next = view[r + R_NEXT];
    const prev = view[r + R_PREV];
    if (prev !== 0) view[prev + R_NEXT] = next;
    else view[bucket + B_HEAD] = next;
    if (next !== 0) view[next + R_PREV] = prev;
    else view[bucket + B_TAIL] = prev;
  }

  // Under the bucket lock: parking_lot's fair timeout. Once the bucket's
  // next fair time has passed, this unpark is asked to hand off, and the
  // next one is set 0.5-1.5 ms ahead (randomised so threads cannot beat it
  // in lock step).
  #fairNow(view: Int32Array, bucket: number): boolean {
    const now = (this.#heap.now() * 10) | 0; // tenths of ms; differences wrap safely
    if (((now - view[bucket + B_FAIR_AT]) | 0) < 0) return false;
    view[bucket + B_FAIR_AT] = (now + 5 + Math.random() * 10) | 0;
    return true;
  }

  // Timeout or abort: dequeue `r` if it is still queued (then `timedOut`
  // runs under the bucket lock) and say whether it was.
  #leave(r: number, key: number, bucket: number, request: ParkRequest<unknown>): boolean {
    const heap = this.#heap;
    let view = heap.view;
    lockWord(view, bucket);
    try {
      if (Atomics.load(view, r + R_STATE) !== WAITING) return false;
      this.#unlink(view, bucket, r);
      Atomics.store(view, r + R_STATE, LEFT);
      let wasLast = true;
      for (let o = view[bucket + B_HEAD]; o !== 0; o = view[o + R_NEXT]) {
        if (o + RECORD_SIZE > view.length) view = heap.refresh();
        if (view[o + R_KEY] === key) {
          wasLast = false;
          break;
        }
      }
      request.timedOut?.(wasLast);
      return true;
    } finally {
      unlockWord(view, bucket);
    }
  }

  async #sleep<T>(
    r: number,
    key: number,
    bucket: number,
    request: ParkRequest<T>,
    entry: AsyncWait,
    held: boolean,
  ): Promise<T> {
    const heap = this.#heap;
    const signal = request.signal;
    let aborted = false;
    const onAbort = () => {
      if (!this.#leave(r, key, bucket, request)) return;
      aborted = true;
      Atomics.notify(heap.view, r + R_STATE, 1);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const deadline = request.timeout === Infinity ? Infinity : heap.now() + request.timeout;
    try {
      for (;;) {
        const view = heap.view;
        const state = Atomics.load(view, r + R_STATE);
        if (state === WOKEN) return request.wake(Atomics.load(view, r + R_TOKEN));
        if (state === LEFT) {
          if (aborted) throw signal!.reason;
          return request.timeoutValue;
        }
        const remaining = deadline - heap.now();
        if (remaining <= 0) {
          this.#leave(r, key, bucket, request);
          continue;
        }
        const result = Atomics.waitAsync(view, r + R_STATE, WAITING, remaining === Infinity ? undefined : remaining);
        if (result.async) await result.value;
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.#done(r, entry, held);
    }
  }

  #done(r: number, entry: AsyncWait, held: boolean): void {
    endWait(entry);
    if (held) unhold();
    this.#free.push(r);
  }
}
