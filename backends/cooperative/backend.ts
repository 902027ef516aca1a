/**
 * The `cooperative` backend: a deterministic scheduler for testing
 * concurrent code. Threads are tasks of one isolate; exactly one runs at a
 * time and switches happen only at the library's own scheduling points
 * (every acquire, wait, sleep and join, and `yieldNow()`), where a seeded
 * choice picks the next thread. Time is virtual, and a deadlock is a
 * `DeadlockError` naming who waits on what, instead of a hang.
 *
 * @module
 */
import type { ThreadIdentity } from "../../runtime/current_thread.ts";
import { spawnHere } from "../_local_thread.ts";
import type {
  Backend,
  Capabilities,
  Cells,
  ParkRequest,
  SpawnRequest,
  Subject,
  ThreadHandle,
  UnparkResult,
} from "../types.ts";
import type { PARK_INVALID } from "../types.ts";
import { Scheduler } from "./_scheduler.ts";
import { FifoStrategy, RandomStrategy } from "./strategies.ts";
import { describe } from "../../runtime/describe.ts";
import { checkOptions } from "../../runtime/options.ts";

/** The options of `new CooperativeBackend()`. */
export interface CooperativeBackendOptions {
  /**
   * Seeds a random choice of the next thread at each scheduling point.
   * Omitted, the oldest runnable thread runs next (round robin: the order the
   * `async` backend runs its tasks in).
   */
  seed?: number;
}

const schedulers = new WeakMap<CooperativeBackend, Scheduler>();

/**
 * The `cooperative` backend. `{ backend: "cooperative" }` names a shared
 * round-robin instance; `new CooperativeBackend({ seed })` makes a scheduler
 * of its own, and `explore()` makes a fresh one for every schedule it runs.
 *
 * - **One thread at a time.** A thread runs until it reaches a scheduling
 *   point of the library (every acquire, wait, sleep and join, `yieldNow()`),
 *   then the next runnable thread is picked: by a random choice seeded with
 *   `seed`, or, without a seed, the oldest one (round robin). Releases,
 *   notifies and sets never switch. The same seed gives the same
 *   interleaving, the same output and the same virtual times; labels such
 *   as `Lock#1` and default names `Thread-1` are numbered per scheduler.
 * - **Virtual time.** `now()` starts at 0 and stands still while threads
 *   compute between scheduling points (so runs are reproducible); when
 *   every thread waits inside the library it jumps to the next deadline, so
 *   a 10-minute timeout takes no real time. A thread that awaits something
 *   outside the library (I/O, a real timer) counts as runnable: the others
 *   go on meanwhile, and the clock follows real time until it is back (such
 *   a run is only as reproducible as the outside world).
 * - **Deadlocks.** When no thread can run and no timer is pending, every
 *   waiting call rejects with `DeadlockError`, whose message lists each
 *   thread, what it waits on, where that was created, who holds it, and the
 *   cycle when there is one. `...Sync` calls cannot be woken by another
 *   thread here: a finite one times out at once (the clock moves on by its
 *   timeout) and one that would wait forever throws `DeadlockError`.
 *
 * @example Waiting ten minutes in no time
 * ```ts
 * import { CooperativeBackend, Event, monotonic, Thread } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * const backend = new CooperativeBackend();
 * const never = new Event({ backend });
 * const t = new Thread({ backend, target: () => never.wait(10 * 60_000) });
 * t.start();
 * await t.join();
 * assertEquals(monotonic({ backend }), 600_000);
 * ```
 *
 * @example A deadlock is reported, not a hang
 * ```ts
 * import { CooperativeBackend, DeadlockError, Event } from "@locksmith/threading";
 * import { assertRejects } from "@std/assert";
 *
 * const backend = new CooperativeBackend();
 * const never = new Event({ backend });
 * const error = await assertRejects(() => never.wait(), DeadlockError);
 * console.log(error.message);
 * ```
 */
export class CooperativeBackend implements Backend {
  /** The backend's name. */
  readonly name: string = "cooperative";
  /** One isolate, virtual time, function targets; `...Sync` twins cannot block. */
  readonly capabilities: Capabilities = Object.freeze({
    sharedMemory: false,
    blockingWait: false,
    virtualTime: true,
    parallelThreads: false,
    functionTargets: true,
  });
  readonly #scheduler: Scheduler;

  /**
   * Creates a scheduler with its own threads, primitives and clock.
   *
   * @param options `seed`: seeds a random choice of the next thread; omitted, round robin.
   * @throws {TypeError} If `seed` is not a safe integer, or `options` is not an options object with only `seed`.
   */
  constructor(options: CooperativeBackendOptions = {}) {
    checkOptions("create CooperativeBackend", options, ["seed"]);
    const seed = options.seed;
    if (seed !== undefined && !Number.isSafeInteger(seed)) {
      throw new TypeError(
        `Cannot create CooperativeBackend as 'seed' must be a safe integer: received ${describe(seed)}`,
      );
    }
    this.#scheduler = new Scheduler(this.name, seed === undefined ? new FifoStrategy() : new RandomStrategy(seed));
    schedulers.set(this, this.#scheduler);
  }

  /** Allocates plain cells (and remembers where, for deadlock reports). */
  allocate(count: number): Cells {
    return this.#scheduler.allocate(count);
  }

  /** Parks the calling thread; another thread runs meanwhile. */
  park<T>(cells: Cells, index: number, request: ParkRequest<T>): Promise<T> | typeof PARK_INVALID {
    return this.#scheduler.park(cells, index, request);
  }

  /** Cannot block: a finite wait times out at once, an infinite one is a deadlock. */
  parkSync<T>(cells: Cells, index: number, request: ParkRequest<T>): T | typeof PARK_INVALID {
    return this.#scheduler.parkSync(cells, index, request);
  }

  /** Wakes the oldest waiter; it runs when the scheduler picks it. */
  unparkOne(cells: Cells, index: number, callback: (result: UnparkResult) => number): boolean {
    return this.#scheduler.unparkOne(cells, index, callback);
  }

  /** Wakes up to `count` waiters, oldest first. */
  unparkMany(cells: Cells, index: number, count: number, token: number): number {
    return this.#scheduler.unparkMany(cells, index, count, token);
  }

  /** How many wait on a cell. */
  parked(cells: Cells, index: number): number {
    return this.#scheduler.parked(cells, index);
  }

  /** The virtual clock, in ms since the scheduler was made. */
  now(): number {
    return this.#scheduler.clock.now();
  }

  /** Makes the thread runnable; it starts when the scheduler picks it. */
  spawn(request: SpawnRequest): ThreadHandle {
    return spawnHere(this, request, (start) => this.#scheduler.spawn(request.thread as ThreadIdentity, start));
  }

  /** The calling thread gives way; the scheduler picks who runs next. */
  schedulingPoint(op: string, subject: Subject): Promise<void> {
    return this.#scheduler.schedulingPoint(op, subject);
  }

  /** Records a release, notify, set, clear, reset or abort in the trace. */
  record(op: string, subject: Subject): void {
    this.#scheduler.record(op, subject);
  }

  /** Numbers primitives and default thread names from 1 for this scheduler. */
  nextSerial(kind: string): number {
    return this.#scheduler.nextSerial(kind);
  }
}

/** The scheduler behind a cooperative backend (for the explorer). */
export function schedulerOf(backend: CooperativeBackend): Scheduler {
  return schedulers.get(backend)!;
}
