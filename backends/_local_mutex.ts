/**
 * The raw mutex of the `async` backend (see `Backend.mutex`): a flag and a
 * FIFO queue of waiters, nothing between them. In one isolate nothing runs
 * between a check and the step after it, so the lock needs no state word, no
 * compare-and-swap and no unpark callback: a release with waiters hands the
 * lock to the oldest one (it stays held and that waiter wakes owning it),
 * else clears the flag.
 *
 * Everything but the plain hand-off is the parking lot's: a waiter parks
 * through `parkIn`, so a pending `interruptMain()`, the registry of pending
 * waits, timeouts and aborts behave exactly as for any other park (a waiter
 * that leaves runs no callback here: the flag does not count waiters).
 *
 * The generic lock over cells costs about 1.3x a bare promise-queue mutex on
 * a contended hand-off; this one about 1.05x (`deno run -A bench/ratios.ts 25`).
 *
 * @module
 */
import { FOREVER, type Wait } from "../runtime/wait_options.ts";
import { endWaitGroup } from "../runtime/pending.ts";
import type { LocalParkingLot } from "./_local_parking_lot.ts";
import { type MutexOwner, PARK_INVALID, type ParkRequest, type RawMutex } from "./types.ts";
import { WaitQueue } from "./_wait_queue.ts";

const RESOLVED_TRUE: Promise<boolean> = Promise.resolve(true);
const RESOLVED_FALSE: Promise<boolean> = Promise.resolve(false);

/** A FIFO hand-off mutex of one isolate, over a parking lot without hooks. */
export class LocalMutex implements RawMutex {
  #held = false;
  readonly #queue: WaitQueue;
  // The request of a plain `lock(FOREVER)`, made on first contention and kept.
  #forever: ParkRequest<boolean> | undefined = undefined;

  /**
   * @param owner The primitive the mutex belongs to.
   * @param lot The lot its waiters park in (one that schedules nothing itself).
   */
  constructor(readonly owner: MutexOwner, readonly lot: LocalParkingLot) {
    this.#queue = new WaitQueue(owner.cells);
  }

  /** Takes the mutex if it is free. */
  tryLock(): boolean {
    if (this.#held) return false;
    this.#held = true;
    this.owner.acquired(undefined);
    return true;
  }

  /** Takes the mutex, waiting in line as `wait` allows. */
  lock(wait: Wait): Promise<boolean> {
    if (!this.#held) {
      this.#held = true;
      this.owner.acquired(undefined);
      return RESOLVED_TRUE;
    }
    if (!wait.blocking) return RESOLVED_FALSE;
    const request = wait === FOREVER ? this.#forever ??= this.#request(wait) : this.#request(wait);
    const parked = this.lot.parkIn(this.#queue, request);
    // Not parked only if free (validate said so): a park that declines leaves nothing queued.
    return parked === PARK_INVALID ? this.lock(wait) : parked;
  }

  /** Blocks for the mutex: in one isolate that can only time out at once or be a deadlock. */
  lockSync(wait: Wait): boolean {
    if (this.tryLock()) return true;
    if (!wait.blocking) return false;
    const parked = this.lot.parkSyncIn(this.#queue, this.#request(wait));
    return parked === PARK_INVALID ? this.lockSync(wait) : parked;
  }

  /** Whether the mutex is held. */
  isLocked(): boolean {
    return this.#held;
  }

  /** Whether the mutex is held (one isolate: the same as `isLocked`). */
  isLockedRelaxed(): boolean {
    return this.#held;
  }

  /** Hands the mutex to the oldest waiter, or frees it. */
  unlock(): boolean {
    if (!this.#held) return false;
    const queue = this.#queue;
    const w = queue.shift();
    if (w === undefined) {
      this.#held = false;
      return true;
    }
    if (queue.size === 0) endWaitGroup(queue);
    if (w.timer !== undefined || w.onAbort !== undefined) this.lot.disarm(w);
    // The waiter owns the mutex before anything else runs; its promise resumes it later.
    this.owner.acquired(w.thread);
    w.resolve(true);
    return true;
  }

  #request(wait: Wait): ParkRequest<boolean> {
    const owner = this.owner;
    return {
      subject: owner,
      op: "acquire",
      timeout: wait.timeout,
      signal: wait.signal,
      timeoutValue: false,
      validate: () => this.#held,
      // Only `release` above wakes these waiters; a wake through the lot would mean the same.
      wake() {
        owner.acquired(undefined);
        return true;
      },
    };
  }
}
