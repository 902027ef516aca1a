/**
 * The seam between the primitives and the backends.
 *
 * Every primitive (`Lock`, `Condition`, `Barrier`, ...) is written once over
 * this small kernel, in the manner of Rust's `parking_lot` and WebKit's
 * `WTF::ParkingLot`: a primitive keeps all of its state in a few int32
 * {@linkcode Cells}, and all queueing and sleeping is delegated to
 * {@linkcode Backend.park} / {@linkcode Backend.unpark}, keyed by a cell.
 * A backend supplies the cells (plain memory in one isolate, shared memory
 * across Workers), the parking lot, the clock and the way to run a thread.
 *
 * Adding a backend never touches a primitive.
 *
 * @module
 */
import type { ModuleTarget } from "../runtime/target.ts";
import type { Wait } from "../runtime/wait_options.ts";

export type { ModuleTarget, Target } from "../runtime/target.ts";

/** The names of the built-in backends. */
export type BackendName = "atomics" | "async" | "cooperative";

/**
 * What a backend can do, declared rather than guessed. The conformance suite
 * skips a case only when a capability it needs is declared absent.
 */
export interface Capabilities {
  /** Primitives live in shared memory and can be handed to Workers. */
  readonly sharedMemory: boolean;
  /** `...Sync` twins really block the calling thread until woken. */
  readonly blockingWait: boolean;
  /** The clock is virtual and jumps to the next deadline when all threads wait. */
  readonly virtualTime: boolean;
  /** Threads run in parallel (Workers) rather than as tasks of one isolate. */
  readonly parallelThreads: boolean;
  /** A `Thread` target may be a function (and a subclass may override `run`). */
  readonly functionTargets: boolean;
}

/**
 * A block of int32 cells holding one primitive's state. On an in-isolate
 * backend these are plain typed-array reads and writes; on a shared-memory
 * backend they are `Atomics` operations.
 */
export interface Cells {
  /** Reads cell `i`. */
  load(i: number): number;
  /** Writes `value` to cell `i`. */
  store(i: number, value: number): void;
  /** Sets cell `i` to `replacement` if it holds `expected`; says whether it did. */
  cas(i: number, expected: number, replacement: number): boolean;
  /** Adds `delta` to cell `i` and returns the value it held before. */
  add(i: number, delta: number): number;
  /** Writes `value` to cell `i` and returns the value it held before. */
  exchange(i: number, value: number): number;
  /**
   * Writes `value` to cell `i` without a fence (C++'s and Rust's relaxed
   * store; a plain write of shared memory): for a cell that only one thread
   * writes at a time, such as the fields a lock's owner keeps while it holds
   * the lock. The caller's next atomic operation (the lock's release) orders
   * it for whoever takes the lock next; a thread that reads it meanwhile
   * reads the old value or the new one, whole.
   */
  storeRelaxed(i: number, value: number): void;
  /**
   * Reads cell `i` without synchronizing (a relaxed load; a plain read of
   * shared memory): a value some write left there, whole, but no promise
   * that what another thread wrote before that write is visible. For a cell
   * only the calling thread writes; for "is it mine?" (the owner field of a
   * lock: only the owner can have written its own ident there); for a count
   * read under a lock that ordered the changes that matter (a `Condition`'s
   * waiters count themselves in under its lock); or for a guess that an
   * atomic operation then checks (a compare-and-swap's expected value). In
   * Deno 2.9 an `Atomics.load` adds about 7 ns to a 17 ns `compareExchange`
   * + `exchange` pair, and a plain read nothing measurable
   * (`deno run bench/lock_shape_floor.ts`).
   */
  loadRelaxed(i: number): number;
  /**
   * Robust locks, on a backend whose threads can die apart from the thread
   * that waits for them (Workers): the calling thread's holder tag, a
   * positive number a lock keeps in its state while this thread holds it;
   * 0 (or absent) where the holder cannot die alone (the main isolate, one
   * isolate's tasks), and the lock is never abandoned.
   */
  readonly holder?: number;
  /**
   * How the thread of a holder tag has ended: {@linkcode HOLDER_RUNNING},
   * {@linkcode HOLDER_RETURNED} or {@linkcode HOLDER_DIED}. Present where
   * `holder` can be non-zero.
   */
  holderEnded?(tag: number): number;
  /**
   * The backend the cells belong to, where the cells say it (those of
   * `atomics` do): a primitive made by the hundred thousand then keeps no
   * field of its own for its backend.
   */
  readonly backend?: Backend;
}

/** `Cells.holderEnded`: the holder's thread still runs. */
export const HOLDER_RUNNING = 0;
/** `Cells.holderEnded`: the holder's thread returned from its target (or ended quietly with `SystemExit`). */
export const HOLDER_RETURNED = 1;
/** `Cells.holderEnded`: the holder's thread died: it raised, exited, was terminated or crashed. */
export const HOLDER_DIED = 2;

/** Something a thread can wait on, named in traces and deadlock reports. */
export interface Subject {
  /** A short description such as `Lock#3`. */
  readonly label: string;
  /** Who holds it, when that is known (used by deadlock reports). */
  holder?(): string | undefined;
}

/** Returned by {@linkcode Backend.park} when `validate` declined to park. */
export const PARK_INVALID: unique symbol = Symbol("park-invalid");

/**
 * What a thread asks for when it parks on a cell. The callbacks run
 * atomically with the parking lot's own bookkeeping for that cell (on a
 * shared-memory backend, under the lot's lock for the cell), so a primitive
 * can change its state and enqueue a waiter as one step. A primitive may
 * pass one request to many parks at once (a lock reuses the request of a
 * plain `acquire()`), so a backend must keep per-waiter state elsewhere.
 */
export interface ParkRequest<T> {
  /** What is waited on (for traces and deadlock reports). */
  readonly subject: Subject;
  /** The operation, such as `acquire` or `wait` (for traces). */
  readonly op: string;
  /**
   * Runs before the waiter is queued. Returning `false` cancels the park and
   * makes it return {@linkcode PARK_INVALID} at once.
   */
  validate(): boolean;
  /** Runs after the waiter is queued, before it sleeps (Condition releases its lock here). */
  beforeSleep?(): void;
  /**
   * Runs when the waiter leaves the queue by timeout or abort; `wasLast` says
   * whether no other waiter remains on the cell.
   */
  timedOut?(wasLast: boolean): void;
  /**
   * Turns the unparker's token into the value the park resolves with. It
   * runs as the woken thread (a lock handed off here records the waiter as
   * its owner), even where a backend calls it on the unparker's stack. In an
   * awaiting park it may return a promise instead (a waiter woken to race for
   * a lock that it then has to wait for again): the park's promise adopts it.
   */
  wake(token: number): T;
  /**
   * The waiter was woken with `token` but its thread dies before it takes
   * it (a Worker that exits, fails or is terminated while its wait's wake-up
   * is on its way): give back what the token handed over (a lock, a permit,
   * a notify), so that no wake-up is lost with the dead. Called by a backend
   * whose threads can die apart, in the dying thread.
   */
  handBack?(token: number): void;
  /**
   * The waiter's thread dies in this wait, not woken: a Worker that is
   * terminated, exits or fails while the wait is queued (its record has left
   * the queue as a timeout's would, `timedOut` included), or that is asked
   * to stop as the park starts (it is refused before `validate`). The code
   * that would run after the park returns never will: undo what the caller
   * did before it parked (a barrier's party that will never leave breaks
   * the barrier). Called by a backend whose threads can die apart, in the
   * dying thread, with no queue's lock held.
   */
  diedWaiting?(): void;
  /**
   * A lock's wait: bits 2 and up of the cell it parks on hold the holder's
   * tag (`Cells.holder`). If that holder's thread ends while the waiter is
   * queued, and `Cells.holderEnded` then says at least `abandonedAt`, a
   * backend whose threads can die apart takes the oldest such waiter out of
   * its queue (as a timeout would, `timedOut` included) and wakes it with
   * `wake(recheck)`, so that it looks at the lock again and finds it
   * abandoned.
   */
  readonly robust?: { readonly recheck: number; readonly abandonedAt: number };
  /** The value the park resolves with when the timeout elapses. */
  readonly timeoutValue: T;
  /** Milliseconds to wait; `Infinity` waits forever. */
  readonly timeout: number;
  /** Aborting it rejects the park with `signal.reason` and dequeues the waiter. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Only threads of the parking isolate could end this wait: what it waits
   * for lives in this isolate's memory (a queue's items before the queue is
   * shared). A `parkSync` that blocks the isolate would never return, so a
   * backend ends it as one that cannot block does: a finite wait times out
   * at once, one forever throws `DeadlockError`.
   */
  readonly isolateBound?: boolean;
  /**
   * A service loop's wait (a shared Barrier's action server): it does not
   * keep the program alive and is not listed among pending waits.
   */
  readonly background?: boolean;
  /**
   * Whether a blocking wait (`parkSync`) may spin for a few microseconds
   * before it sleeps (default: it may). A wake-up that comes meanwhile finds
   * the waiter running: the waker has no sleeping thread to wake and the
   * waiter does not sleep, so a hand-off between two running threads takes a
   * few microseconds instead of the tens a sleeping thread's wake-up can take.
   * A lock's waiter says `false`: it is woken to race for the lock, and one
   * that spins and loses parks again at once, so every release of a holder
   * running in a loop would take the slow path.
   */
  readonly spin?: boolean;
}

/** What {@linkcode Backend.unparkOne} tells its callback. */
export interface UnparkResult {
  /** A waiter was dequeued and will be woken. */
  readonly unparked: boolean;
  /** More waiters remain on the cell after this one. */
  readonly haveMore: boolean;
  /**
   * Whether to hand the resource straight to the woken waiter (parking_lot's
   * `be_fair`). Absent or `true`: hand off, so waiters are served strictly
   * first in, first out. `false`: the lot prefers throughput now; free the
   * resource and let the woken waiter race for it. The `atomics` lot says
   * `false` except about once a millisecond per bucket, and whenever the
   * waiter is in the unparker's own isolate (where it could not win a race
   * before the unparker yields), because across Workers every hand-off
   * costs a sleeping thread's wake-up.
   */
  readonly beFair?: boolean;
}

/** What a backend knows of a thread: the identity `currentThread()` returns while it runs. */
export interface ThreadBody {
  /** Distinct among live threads. */
  readonly ident: number;
  /** The thread's name, for diagnostics. */
  readonly name: string;
  /** Whether the thread keeps the program alive. */
  readonly daemon: boolean;
}

/** What a backend needs to start a thread ({@linkcode Backend.spawn}). */
export interface SpawnRequest {
  /** The thread: run the body as it (`runAsThread`), so that `currentThread()` is it. */
  readonly thread: ThreadBody;
  /** The thread's activity, run in this isolate. It may reject: that is the thread's uncaught exception. */
  readonly body: () => unknown;
  /**
   * Present when the thread does nothing but call a module export (its
   * `run()` is not overridden): a backend with parallel threads may run the
   * call in a new Worker instead of `body`. The Worker imports `entry` and
   * calls it with a {@linkcode WorkerThreadStart}.
   */
  readonly call?: {
    /** What the thread calls. */
    readonly target: ModuleTarget;
    /** The arguments, structured-cloned (shareable primitives arrive revived). */
    readonly args: readonly unknown[];
    /** The module export a Worker starts the thread with (it revives the arguments and calls the target). */
    readonly entry: ModuleTarget;
    /** The stack size in bytes set by `stackSize()`, or 0 for the default. */
    readonly stackSize: number;
  };
  /**
   * Called once, when the thread has ended: `failed` with the exception that
   * escaped it. A thread run here calls it as the thread itself, after its
   * body; one run in a Worker, on the spawning thread, with the exception
   * revived.
   */
  onEnd(failed: boolean, error: unknown): void;
}

/** What a Worker thread's `entry` receives (see {@linkcode SpawnRequest.call}). */
export interface WorkerThreadStart {
  /** The name of the backend that started it (the Worker's default backend). */
  readonly backend: string;
  /** The thread's ident, allocated by the spawner. */
  readonly ident: number;
  /** The thread's name. */
  readonly name: string;
  /** Whether it is a daemon thread. */
  readonly daemon: boolean;
  /** The Worker's thread id. */
  readonly nativeId: number;
  /** What to call. */
  readonly target: ModuleTarget;
  /** The arguments as they arrived (primitives among them still handles). */
  readonly args: readonly unknown[];
}

/** A started thread, as its spawner holds it. */
export interface ThreadHandle {
  /** The id of the OS thread it runs on, or `undefined` for this isolate's own. */
  readonly nativeId?: number;
  /**
   * Blocks the calling thread until the thread has ended (then `onEnd` has
   * run) or `timeout` ms pass (`Infinity`: forever); says whether it ended.
   * Where the caller is the only thread that can run, it acts as
   * {@linkcode Backend.parkSync} does: a finite wait returns `false` at
   * once, an infinite one throws `DeadlockError`.
   */
  joinSync(timeout: number): boolean;
  /**
   * Asks the thread to stop, and returns at once. It stops at its next
   * cancellation point: any wait of the library (woken now if it waits) or
   * its return to its event loop. No `finally` runs; the locks it holds are
   * abandoned (see `Cells.holder`). Running code that never yields cannot be
   * stopped: the thread lives on until it yields. Only once it has stopped
   * does `joinSync` return and `onEnd` run. Absent where a thread cannot be
   * stopped from outside.
   */
  terminate?(): void;
}

/** @deprecated Use {@linkcode ThreadHandle}. */
export type WorkerThread = ThreadHandle;

/** @deprecated Use {@linkcode SpawnRequest}. */
export type WorkerThreadRequest = SpawnRequest;

/**
 * A backend: the kernel every primitive is written over.
 *
 * Implement it to add a backend; register it with `registerBackend`.
 */
export interface Backend {
  /** The backend's name, as given to `{ backend }` options. */
  readonly name: string;
  /** What the backend can do. */
  readonly capabilities: Capabilities;
  /**
   * Allocates `count` zeroed cells for one primitive's state. `kind` (the
   * primitive's class name) is recorded where cells can be shared, so a
   * handle is checked against what the memory really holds. `count` must be
   * an integer from 1 to 65535: anything else is refused (`TypeError` for a
   * non-integer, `RangeError` out of range) before any memory is touched,
   * and a refused or failed allocation leaves the backend's memory as it was.
   */
  allocate(count: number, kind?: string): Cells;
  /**
   * Optional: allocates as {@linkcode Backend.allocate} does, but as a slot
   * of a cells object that other primitives' slots share, so a primitive
   * costs no cells object of its own (`atomics`: the cells of a slab, which
   * keep it from being given back). The primitive's cell `i` is cell
   * `at + i` of `cells`. Absent, a primitive allocates.
   */
  allocateSlot?(count: number, kind?: string): { readonly cells: Cells; readonly at: number };
  /**
   * Where `cells` live, from cell `at` on (0: their first), as a
   * structured-cloneable value a handle carries to another thread (backends
   * with `sharedMemory` only). The cells {@linkcode Backend.adopt} makes of
   * it start at that cell.
   */
  locate?(cells: Cells, at?: number): unknown;
  /**
   * The cells at a location made by {@linkcode Backend.locate}, possibly in
   * another thread. Throws `TypeError` if the location is not one, or does
   * not hold `count` cells of a `kind`.
   */
  adopt?(location: unknown, kind: string, count: number): Cells;
  /**
   * Parks the calling thread on cell `index` of `cells` until an unpark
   * wakes it, the timeout elapses or the signal aborts. Waiters on one cell
   * are woken oldest first.
   */
  park<T>(cells: Cells, index: number, request: ParkRequest<T>): Promise<T> | typeof PARK_INVALID;
  /**
   * The blocking twin of {@linkcode Backend.park}. A backend without
   * `blockingWait` cannot be woken while it blocks: it resolves a finite
   * timeout at once with `timeoutValue` and throws `DeadlockError` for an
   * infinite one.
   */
  parkSync<T>(cells: Cells, index: number, request: ParkRequest<T>): T | typeof PARK_INVALID;
  /**
   * Wakes the oldest waiter on the cell, if any. `callback` runs atomically
   * with the dequeue and returns the token the waiter is woken with.
   */
  unparkOne(cells: Cells, index: number, callback: (result: UnparkResult) => number): boolean;
  /** Wakes up to `count` waiters, oldest first, with `token`; returns how many. */
  unparkMany(cells: Cells, index: number, count: number, token: number): number;
  /** How many waiters are parked on the cell. */
  parked(cells: Cells, index: number): number;
  /** The backend's clock in milliseconds (monotonic). */
  now(): number;
  /**
   * Starts a thread: its body as a new thread of control of this isolate
   * (see `spawnHere` in `backends/_local_thread.ts`), or, for a plain call of
   * a module export on a backend with parallel threads, in a new Worker.
   * Either way `request.onEnd` is called once when it ends.
   */
  spawn(request: SpawnRequest): ThreadHandle;
  /** A scheduling point before an operation that may wait (cooperative backends switch here). */
  schedulingPoint?(op: string, subject: Subject): Promise<void>;
  /** Records an operation that never waits (release, notify, set) in the backend's trace. */
  record?(op: string, subject: Subject): void;
  /**
   * Numbers the objects of one kind made on this backend (the `N` of labels
   * such as `Lock#N` and of default thread names `Thread-N`). A fresh
   * cooperative scheduler counts from 1, so a replayed schedule names
   * everything as the original did. Without it, numbers are unique in the
   * isolate.
   */
  nextSerial?(kind: string): number;
  /**
   * A mutex of the backend's own, for `Lock` and `RLock` (as Rust's
   * `lock_api` lets a platform supply its raw mutex). Absent, the locks run
   * the generic algorithm over their cells and this seam's park and unpark.
   * Only a backend whose primitives stay in one isolate may supply one: its
   * state is not in the cells, so a handle could not carry it.
   */
  mutex?(owner: MutexOwner): RawMutex;
}

/**
 * A raw mutual-exclusion lock: the contract `Lock` and `RLock` are written
 * over. Waiters are served oldest first; a waiter that times out, is aborted
 * or interrupted leaves no trace behind. Ownership is the owner's business
 * ({@linkcode MutexOwner.acquired}).
 */
export interface RawMutex {
  /** Takes the mutex if it is free; says whether it did. */
  tryLock(): boolean;
  /** Takes the mutex, waiting as `wait` allows; resolves with whether it did. */
  lock(wait: Wait): Promise<boolean>;
  /**
   * The blocking twin of `lock` (see {@linkcode Backend.parkSync}). With
   * `soon`, the caller expects the holder to let go within microseconds (a
   * `Condition` waiter re-taking the lock from the thread that notified it),
   * so its first sleep may be preceded by a spin ({@linkcode ParkRequest.spin}).
   */
  lockSync(wait: Wait, soon?: boolean): boolean;
  /** Frees the mutex, or hands it to the oldest waiter; `false` if it was not held. */
  unlock(): boolean;
  /** Whether the mutex is held. */
  isLocked(): boolean;
  /**
   * Whether the mutex is held, read without a fence (`Cells.loadRelaxed`):
   * for a check a thread makes on a mutex it expects to hold (it wrote the
   * state itself), never in a loop that waits for another thread. Optional:
   * without it, `isLocked` is asked.
   */
  isLockedRelaxed?(): boolean;
}

/** The primitive a {@linkcode RawMutex} belongs to. */
export interface MutexOwner extends Subject {
  /** The owner's cells (named in reports; the mutex keeps its own state). */
  readonly cells: Cells;
  /**
   * Runs whenever a thread takes the mutex, before that thread runs on:
   * `thread` is the one that took it, or `undefined` for the calling thread.
   */
  acquired(thread: ThreadBody | undefined): void;
}
