/**
 * The parking lot of the `atomics` backend, in shared memory, in the manner
 * of Rust's `parking_lot` and WebKit's `WTF::ParkingLot`: every thread of
 * the program (the main thread and each Worker) queues and wakes waiters
 * through the same buckets, so a lock released in one Worker wakes the
 * oldest waiter wherever it sleeps.
 *
 * A cell's key is its index in the heap; it hashes to one of the heap's
 * buckets. A bucket is a word lock and a FIFO wait list per key waited on
 * (`_wait_lists.ts`: keys may share a bucket, and none walks another's
 * waiters). The records, their states and the buckets' layout are in
 * `_lot_records.ts`; the sweeps over every bucket in `_lot_sweeps.ts`. A waiter record
 * lives in the heap and belongs to the isolate that allocated it, which
 * reuses it for its next wait (keeping a few idle ones, giving the rest
 * back to the heap); only that isolate sleeps on its state cell.
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
 * `interruptMain()`: the main thread's waits in the main isolate end with
 * `KeyboardInterrupt` like an abort (`AsyncWait.interrupt`), and a pending
 * interrupt is raised by its next park. A Worker sets the heap's
 * `H_INTERRUPT` word instead (`_main_interrupt.ts`); the main isolate's
 * parks of the main thread check it under the bucket lock (a plain load),
 * and {@linkcode wakeBlockedMain} moves a main thread blocked in `parkSync`
 * (its record's flags have `F_MAIN_SYNC`) to INTERRUPTED, which changes the
 * word it sleeps on: an `Atomics.notify` alone could come before it sleeps.
 *
 * Dying Workers. A record belongs to its isolate's tag: the index of its
 * thread's block (`_thread_block.ts`) in a Worker the library started, a
 * cell of its own elsewhere. A Worker that ends, however it ends, first
 * cleans up after itself ({@linkcode SharedParkingLot.endIsolate}): each of
 * its waits leaves its queue as a timeout would (and undoes what its caller
 * did before parking, `ParkRequest.diedWaiting`), a wake-up that was on its
 * way to it is given back (`ParkRequest.handBack`), so no release, permit,
 * notify or put is handed to the dead; then, its end published, the waiters
 * of each lock it held are told to look again (RECHECK: the lock is
 * abandoned, `ParkRequest.robust`). A Worker that ended without cleaning up
 * (a crash) is swept by its spawner ({@linkcode sweepDeadIsolate}), which
 * can drop its queued records but not know what was on its way to it.
 * `terminate` sets the thread's cancel word and marks its queued records
 * CANCELLED: its waits are cancellation points, and a park that starts
 * after the word is set (it is read under the bucket lock, as the interrupt
 * word is) ends the thread at once.
 *
 * @module
 */
import { KeyboardInterrupt } from "../../runtime/system_exit.ts";
import { currentIdentity, isolateIdentity } from "../../runtime/current_thread.ts";
import { INTERRUPT_MESSAGE, interruptTarget, isWorkerIsolate, takeInterrupt } from "../../runtime/interrupt.ts";
import { beginWait, endWait } from "../../runtime/pending.ts";
import { PARK_INVALID, type ParkRequest, type UnparkResult } from "../types.ts";
import { BlockTag, H_INTERRUPT, type SharedHeap } from "./_heap.ts";
import { T_CANCEL, T_END } from "./_thread_block.ts";
import { AsyncWait, hold, unhold } from "./_async_waits.ts";
import {
  B_FAIR_AT,
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
  RECORD_SIZE,
  WAITING,
  WOKEN,
} from "./_lot_records.ts";
import { sweep, wakeAllAt } from "./_lot_sweeps.ts";
import { claimList, listOf, oldest, push, releaseIfEmpty, releaseSpareLists, remove, waiting } from "./_wait_lists.ts";
import type { SharedCells } from "./_shared_cells.ts";
import { lockWord, unlockWord } from "./_word_lock.ts";
import { endWithoutBlocking, ONLY_THIS_ISOLATE } from "../_unblocked_wait.ts";

// Idle records an isolate keeps for its next waits; more go back to the heap.
const KEPT_RECORDS = 16;
// How long a blocking wait spins before its first sleep (see `ParkRequest.spin`), in ms. A wake-up of a
// thread asleep in `Atomics.wait` took tens of microseconds on a VM whose idle CPUs halt at once, an
// Event hand-off between running threads about 2.6 us (`bench/atomics_bench.ts`, hand-off groups).
const SPIN_MS = 0.01;
// `Atomics.pause` (ES2025), the CPU's spin-wait hint, where the runtime has it (looked up on each turn).
const atomics = Atomics as typeof Atomics & { pause?: () => void };

// What `#enqueue` returns when it did not queue.
const DECLINED = 0;
const INTERRUPTED_NOW = -1;
const CANCELLED_NOW = -2;

const NONE: UnparkResult = Object.freeze({ unparked: false, haveMore: false });
const LAST: UnparkResult = Object.freeze({ unparked: true, haveMore: false, beFair: false });
const MANY: UnparkResult = Object.freeze({ unparked: true, haveMore: true, beFair: false });
const LAST_FAIR: UnparkResult = Object.freeze({ unparked: true, haveMore: false, beFair: true });
const MANY_FAIR: UnparkResult = Object.freeze({ unparked: true, haveMore: true, beFair: true });

// What ends this Worker's thread when a wait finds it asked to stop (set by
// `_worker_body.ts`); unset while the thread ends, whose own waits (for the
// Workers it started) must not be cut short.
let stopThisThread: (() => never) | undefined;

/** Sets what ends this Worker's thread at a cancellation point (it never returns); `undefined`: none now. */
export function onCancellation(stop: (() => never) | undefined): void {
  stopThisThread = stop;
}

/** This isolate's parking lot over `heap`, made on first use. */
export function lotFor(heap: SharedHeap): SharedParkingLot {
  return (heap.lot ??= new SharedParkingLot(heap)) as SharedParkingLot;
}

export { cancelIsolate, sweepDeadIsolate, wakeBlockedMain } from "./_lot_sweeps.ts";
export { keepAliveForDaemons } from "./_async_waits.ts";

/** The parking lot of one heap, as this isolate uses it. */
export class SharedParkingLot {
  readonly #heap: SharedHeap;
  // This isolate's idle waiter records (a few; the rest go back to the heap).
  readonly #free: number[] = [];
  // Tells this isolate's waiters from other threads': its thread's block in
  // a Worker the library started (the holder tag), else a cell of its own;
  // unique among the isolates that use the heap.
  readonly #isolate: number;
  // The cancel word of this isolate's thread (a Worker the library started), else 0.
  readonly #cancelWord: number;
  // Only the main isolate's main thread is interrupted by a Worker's `interruptMain()`.
  readonly #inMainIsolate = !isWorkerIsolate();
  // This isolate's asynchronous waits in progress (a circular list; the lot is its sentinel's holder).
  readonly #waits: { lotPrev: AsyncWait | undefined; lotNext: AsyncWait | undefined } = {
    lotPrev: undefined,
    lotNext: undefined,
  };

  /** @param heap The heap whose buckets it uses. */
  constructor(heap: SharedHeap) {
    this.#heap = heap;
    // Its records' owner: the thread's block in a Worker the library started, else a block of its own (kept).
    this.#isolate = heap.holderTag !== 0 ? heap.holderTag : heap.allocateBlock(1, BlockTag.Thread, true);
    this.#cancelWord = heap.holderTag !== 0 ? heap.holderTag + T_CANCEL : 0;
  }

  /** Gives this isolate's idle waiter records and spare wait lists back to the heap (a Worker that ends). */
  releaseRecords(): void {
    for (const r of this.#free.splice(0)) this.#heap.freeBlock(r, BlockTag.Record);
    releaseSpareLists(this.#heap);
  }

  // A record whose wait is done: kept for this isolate's next wait, or given back.
  #recycle(r: number): void {
    if (this.#free.length < KEPT_RECORDS) this.#free.push(r);
    else this.#heap.freeBlock(r, BlockTag.Record);
  }

  /** See `Backend.park`. */
  park<T>(cells: SharedCells, index: number, request: ParkRequest<T>): Promise<T> | typeof PARK_INVALID {
    // `interruptMain()` pending for this thread: its next wait raises instead.
    if (interruptTarget !== undefined) {
      const interrupt = takeInterrupt(currentIdentity());
      if (interrupt !== undefined) return Promise.reject(interrupt);
    }
    const key = cells.base + index;
    const bucket = bucketOf(key);
    const r = this.#enqueue(key, bucket, request, false);
    if (r === DECLINED) return PARK_INVALID;
    if (r === INTERRUPTED_NOW) return Promise.reject(new KeyboardInterrupt(INTERRUPT_MESSAGE));
    if (r === CANCELLED_NOW) this.#stopUnwoken(request);
    const thread = currentIdentity();
    const entry = new AsyncWait(request, thread, this, r, key, bucket);
    this.#track(entry);
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
    const thread = currentIdentity();
    if (interruptTarget !== undefined) {
      const interrupt = takeInterrupt(thread);
      if (interrupt !== undefined) throw interrupt;
    }
    if (request.isolateBound) {
      // Nobody outside this isolate could wake it, and this isolate is about to block.
      if (!request.validate()) return PARK_INVALID;
      return endWithoutBlocking(request, this.parked(cells, index) === 0, ONLY_THIS_ISOLATE);
    }
    const key = cells.base + index;
    const bucket = bucketOf(key);
    const mainSync = this.#inMainIsolate && thread === isolateIdentity();
    const r = this.#enqueue(key, bucket, request, mainSync);
    if (r === DECLINED) return PARK_INVALID;
    if (r === INTERRUPTED_NOW) throw new KeyboardInterrupt(INTERRUPT_MESSAGE);
    if (r === CANCELLED_NOW) this.#stopUnwoken(request);
    const heap = this.#heap;
    try {
      request.beforeSleep?.();
    } catch (error) {
      this.#leave(r, key, bucket, request);
      this.#recycle(r);
      throw error;
    }
    const deadline = request.timeout === Infinity ? Infinity : heap.now() + request.timeout;
    let spin = request.spin !== false;
    try {
      for (;;) {
        const view = heap.view;
        let state = Atomics.load(view, r + R_STATE);
        if (state === WAITING && spin) {
          spin = false;
          state = this.#spin(view, r, Math.min(deadline, heap.now() + SPIN_MS));
        }
        if (state === WOKEN) {
          const token = Atomics.load(view, r + R_TOKEN);
          // Asked to stop meanwhile: this wait is a cancellation point; what it was given goes back.
          if (this.#cancelRequested()) this.#stopWith(request, token);
          return request.wake(token);
        }
        if (state === LEFT) return request.timeoutValue;
        if (state === CANCELLED) {
          // Not now (the thread is ending, and waits for what it started): wait on.
          if (stopThisThread === undefined) Atomics.compareExchange(view, r + R_STATE, CANCELLED, WAITING);
          else if (this.#leave(r, key, bucket, request)) this.#stopUnwoken(request);
          continue;
        }
        if (state === RECHECK) {
          if (this.#leave(r, key, bucket, request)) return request.wake(request.robust!.recheck);
          continue;
        }
        if (state === INTERRUPTED) {
          if (this.#leaveInterrupted(view, r, key, bucket, request)) throw new KeyboardInterrupt(INTERRUPT_MESSAGE);
          continue;
        }
        const remaining = deadline - heap.now();
        if (remaining <= 0) {
          this.#leave(r, key, bucket, request);
          continue;
        }
        Atomics.wait(view, r + R_STATE, WAITING, remaining);
      }
    } finally {
      this.#recycle(r);
    }
  }

  // Spins until record `r` leaves WAITING or `until` (ms) has passed; returns its state. The clock is
  // read once per 32 turns: a read costs about as much as four turns.
  #spin(view: Int32Array, r: number, until: number): number {
    const heap = this.#heap;
    for (let turn = 1;; turn++) {
      const state = Atomics.load(view, r + R_STATE);
      if (state !== WAITING || ((turn & 31) === 0 && heap.now() >= until)) return state;
      atomics.pause?.();
    }
  }

  /** See `Backend.unparkOne`. */
  unparkOne(cells: SharedCells, index: number, callback: (result: UnparkResult) => number): boolean {
    const heap = this.#heap;
    const key = cells.base + index;
    const bucket = bucketOf(key);
    lockWord(heap.view, bucket);
    let r = 0;
    try {
      const list = listOf(heap, bucket, key);
      if (list === 0) {
        callback(NONE);
        return false;
      }
      r = oldest(heap, list);
      const more = waiting(heap, list) > 1;
      remove(heap, bucket, list, r);
      const view = heap.viewFor(r + RECORD_SIZE - 1);
      // A waiter of this isolate cannot run before we yield, so racing would
      // only let us win again: hand off to it, as in-isolate backends do.
      const fair = view[r + R_ISOLATE] === this.#isolate || this.#fairNow(view, bucket);
      let token = 0;
      try {
        token = callback(more ? (fair ? MANY_FAIR : MANY) : (fair ? LAST_FAIR : LAST));
      } finally {
        // Wake it even if the callback threw: a dequeued waiter must never be lost.
        Atomics.store(view, r + R_TOKEN, token);
        Atomics.store(view, r + R_STATE, WOKEN);
      }
    } finally {
      unlockWord(heap.view, bucket);
    }
    Atomics.notify(heap.viewFor(r + R_STATE), r + R_STATE, 1);
    return true;
  }

  /** See `Backend.unparkMany`. */
  unparkMany(cells: SharedCells, index: number, count: number, token: number): number {
    if (!(count > 0)) return 0;
    const heap = this.#heap;
    const key = cells.base + index;
    const bucket = bucketOf(key);
    const woken: number[] = [];
    lockWord(heap.view, bucket);
    try {
      const list = listOf(heap, bucket, key);
      let last = list === 0;
      while (!last && woken.length < count) {
        const r = oldest(heap, list);
        last = remove(heap, bucket, list, r);
        const view = heap.viewFor(r + RECORD_SIZE - 1);
        Atomics.store(view, r + R_TOKEN, token);
        Atomics.store(view, r + R_STATE, WOKEN);
        woken.push(r);
      }
    } finally {
      unlockWord(heap.view, bucket);
    }
    for (const r of woken) Atomics.notify(heap.viewFor(r + R_STATE), r + R_STATE, 1);
    return woken.length;
  }

  /** See `Backend.parked`. */
  parked(cells: SharedCells, index: number): number {
    const heap = this.#heap;
    const key = cells.base + index;
    const bucket = bucketOf(key);
    lockWord(heap.view, bucket);
    try {
      const list = listOf(heap, bucket, key);
      return list === 0 ? 0 : waiting(heap, list);
    } finally {
      unlockWord(heap.view, bucket);
    }
  }

  /**
   * This isolate's thread is ending (`end`: `HOLDER_RETURNED` or
   * `HOLDER_DIED`), and no code of it will run again: each of its waits in
   * progress leaves its queue as a timeout would (then `diedWaiting`), and
   * a wake-up that reached one but was not taken yet is given back
   * (`handBack`); then its end is
   * published (`T_END`, if this isolate has a thread block), what is left of
   * its records is dropped, the oldest waiter of each lock it held looks
   * again (RECHECK), and its joiners wake. Called once, by the dying Worker.
   */
  endIsolate(end: number): void {
    const heap = this.#heap;
    for (let w = this.#waits.lotNext; w !== undefined && w !== (this.#waits as unknown);) {
      const next: AsyncWait | undefined = w.lotNext;
      const state = Atomics.load(heap.viewFor(w.record + R_STATE), w.record + R_STATE);
      if (state === WOKEN) w.request.handBack?.(Atomics.load(heap.view, w.record + R_TOKEN));
      else if (this.#leave(w.record, w.key, w.bucket, w.request)) w.request.diedWaiting?.();
      w = next;
    }
    const tag = this.#isolate;
    if (this.#cancelWord !== 0) Atomics.store(heap.viewFor(tag + T_END), tag + T_END, end);
    sweep(heap, tag, end);
    if (this.#cancelWord !== 0) wakeAllAt(heap, tag + T_END);
  }

  // Queues a record for `key` if `validate()` agrees: DECLINED if it did
  // not, INTERRUPTED_NOW if it took a Worker's pending `interruptMain()`,
  // CANCELLED_NOW if this thread is asked to stop.
  #enqueue(key: number, bucket: number, request: ParkRequest<unknown>, mainSync: boolean): number {
    const heap = this.#heap;
    const r = this.#free.pop() ?? heap.allocateBlock(RECORD_SIZE, BlockTag.Record, true);
    let view = heap.view;
    let list = 0;
    lockWord(view, bucket);
    try {
      // Under the bucket lock: a Worker sets the word before it looks for a blocked main thread here.
      if (view[H_INTERRUPT] !== 0 && this.#takesSharedInterrupt(view)) {
        this.#recycle(r);
        return INTERRUPTED_NOW;
      }
      // Likewise the cancel word, set before `cancelIsolate` looks for this thread's records.
      if (this.#cancelRequested()) {
        this.#recycle(r);
        return CANCELLED_NOW;
      }
      // The key's wait list before `validate` (which may mark the cell): a heap too full for one throws here.
      list = claimList(heap, bucket, key);
      if (!request.validate()) {
        releaseIfEmpty(heap, bucket, list);
        this.#recycle(r);
        return DECLINED;
      }
      view = heap.viewFor(r + RECORD_SIZE - 1);
      view[r + R_KEY] = key;
      view[r + R_TOKEN] = 0;
      view[r + R_ISOLATE] = this.#isolate;
      view[r + R_FLAGS] = (mainSync ? F_MAIN_SYNC : 0) |
        ((request.robust?.abandonedAt ?? 0) << F_ABANDONED_SHIFT);
      Atomics.store(view, r + R_STATE, WAITING);
      push(heap, list, r);
      return r;
    } catch (error) {
      // A list claimed for this wait and left empty (`validate` threw) must not keep its key.
      if (list !== 0) releaseIfEmpty(heap, bucket, list);
      this.#recycle(r);
      throw error;
    } finally {
      unlockWord(view, bucket);
    }
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

  // A Worker's interrupt is pending: the main thread of the main isolate takes it (once).
  #takesSharedInterrupt(view: Int32Array): boolean {
    return this.#inMainIsolate && currentIdentity() === isolateIdentity() &&
      Atomics.compareExchange(view, H_INTERRUPT, 1, 0) === 1;
  }

  // Whether this isolate's thread is asked to stop, and can be stopped now.
  #cancelRequested(): boolean {
    return this.#cancelWord !== 0 && stopThisThread !== undefined &&
      Atomics.load(this.#heap.view, this.#cancelWord) !== 0;
  }

  // A blocking wait found its thread asked to stop, its record already out
  // of its queue: give back the wake-up it was handed (if `request`), then
  // end the thread. The thread's other waits are cleaned up there.
  #stopWith(request: ParkRequest<unknown>, token: number): never {
    request.handBack?.(token);
    return stopThisThread!();
  }

  // Ends this thread at a cancellation point whose wait was not woken: it left its queue, or never joined it.
  #stopUnwoken(request: ParkRequest<unknown>): never {
    request.diedWaiting?.();
    return stopThisThread!();
  }

  // The blocked main thread saw INTERRUPTED: take the interrupt and leave
  // as a timeout would; false if it must wait on (or take a wake that won).
  #leaveInterrupted(view: Int32Array, r: number, key: number, bucket: number, request: ParkRequest<unknown>): boolean {
    if (Atomics.compareExchange(view, H_INTERRUPT, 1, 0) !== 1) {
      // Already taken: wait on, unless an unpark has just woken it.
      Atomics.compareExchange(view, r + R_STATE, INTERRUPTED, WAITING);
      return false;
    }
    if (this.#leave(r, key, bucket, request)) return true;
    // An unpark won the race: this wait takes its token, and the interrupt stays pending for the next one.
    Atomics.store(view, H_INTERRUPT, 1);
    Atomics.notify(view, H_INTERRUPT);
    return false;
  }

  /** Ends an asynchronous wait with `reason` if it is still queued (see `AsyncWait.interrupt`). */
  interruptWait(entry: AsyncWait, reason: unknown): boolean {
    if (!this.#leave(entry.record, entry.key, entry.bucket, entry.request)) return false;
    entry.interruption = { reason };
    Atomics.notify(this.#heap.view, entry.record + R_STATE, 1);
    return true;
  }

  // Timeout, abort, interrupt, cancellation or a recheck: dequeue `r` if it
  // is still queued (then `timedOut` runs under the bucket lock) and say
  // whether it was.
  #leave(r: number, key: number, bucket: number, request: ParkRequest<unknown>): boolean {
    const heap = this.#heap;
    lockWord(heap.view, bucket);
    try {
      const view = heap.viewFor(r + RECORD_SIZE - 1);
      const state = Atomics.load(view, r + R_STATE);
      if (state === WOKEN || state === LEFT) return false;
      const wasLast = remove(heap, bucket, listOf(heap, bucket, key), r);
      Atomics.store(view, r + R_STATE, LEFT);
      request.timedOut?.(wasLast);
      return true;
    } finally {
      unlockWord(heap.view, bucket);
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
        // Asked to stop: a cancellation point, whatever the wait's state (the thread's end cleans it up).
        if (state === CANCELLED || (state === WOKEN && this.#cancelRequested())) {
          if (stopThisThread !== undefined) stopThisThread();
          // Not now (the thread is ending): wait on.
          Atomics.compareExchange(view, r + R_STATE, CANCELLED, WAITING);
          continue;
        }
        if (state === WOKEN) return request.wake(Atomics.load(view, r + R_TOKEN));
        if (state === LEFT) {
          if (aborted) throw signal!.reason;
          if (entry.interruption !== undefined) throw entry.interruption.reason;
          return request.timeoutValue;
        }
        if (state === RECHECK) {
          if (this.#leave(r, key, bucket, request)) return request.wake(request.robust!.recheck);
          continue;
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

  #track(entry: AsyncWait): void {
    const head = this.#waits as unknown as AsyncWait;
    const last = head.lotPrev ?? head;
    entry.lotPrev = last;
    entry.lotNext = head;
    last.lotNext = entry;
    head.lotPrev = entry;
  }

  #done(r: number, entry: AsyncWait, held: boolean): void {
    endWait(entry);
    if (held) unhold();
    const prev = entry.lotPrev;
    if (prev !== undefined) {
      prev.lotNext = entry.lotNext;
      entry.lotNext!.lotPrev = prev;
      entry.lotPrev = entry.lotNext = undefined;
    }
    this.#recycle(r);
  }
}
