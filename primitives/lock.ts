/**
 * `Lock`: Python's primitive lock.
 *
 * @module
 */
import { type CoreOptions, exposeHandle, type PrimitiveOptions, REVIVE_AT } from "./core.ts";
import { openGuard, runExclusiveOf } from "./_guard.ts";
import { RawLock } from "./_raw_lock.ts";
import { abortedSignal, checkAcquire, FOREVER, type Wait, type WaitOptions } from "../runtime/wait_options.ts";
import { RuntimeError } from "../runtime/errors.ts";
import { currentIdentity, type ThreadIdentity } from "../runtime/current_thread.ts";
import { threadName } from "../runtime/thread_names.ts";
import type { Backend } from "../backends/types.ts";
import { registerShareable } from "./revive.ts";

// One cell, the lock state (see _raw_lock.ts), in a slot of its slab's cells on atomics: a Lock is one
// small object, its cells and its slot (`tests/lock_footprint_test.ts` holds it to that).
const CELLS = 1;

// The holder's ident, for the deadlock reports of a backend that keeps a trace: beside the lock (no
// such backend shares it), and recorded only there (it costs a lookup per acquire).
const holders = new WeakMap<LockCore, number>();

function recordHolder(this: LockCore, thread: ThreadIdentity | undefined): void {
  holders.set(this, (thread ?? currentIdentity()).ident);
}

class LockCore extends RawLock {
  constructor(options: PrimitiveOptions | undefined) {
    super("Lock", CELLS, options, true);
    // An own `acquired` only where the backend keeps a trace: elsewhere the inherited one does nothing.
    if (this.traced) Object.defineProperty(this, "acquired", { value: recordHolder });
  }

  // Unknown where nothing records the holder: a report must not name a thread then.
  override holder(): string | undefined {
    const ident = holders.get(this);
    return this.mutex.isLocked() && ident !== undefined ? threadName(ident) : undefined;
  }
}
// On the prototype: no `kind` field per lock.
Object.defineProperty(LockCore.prototype, "kind", { value: "Lock" });

// A Lock is its own core: one object, whose prototype chain runs through LockCore's (see the end of
// this module), so that an uncontended acquire reaches its cells in one hop. Its declared type does
// not say so, which keeps the lock algorithm's members out of the public API (and JSR takes no
// computed superclass); this is the one cast between the two views.
function core(lock: Lock): LockCore {
  return lock as unknown as LockCore;
}

/**
 * A primitive lock (Python's `threading.Lock`): locked or unlocked, and not
 * owned by any thread, so any thread may release it.
 *
 * `acquire()` takes the lock, waiting while another holds it; `release()`
 * frees it. A lock released while others wait goes straight to the one that
 * has waited longest (FIFO hand-off), so no waiter starves. Waits accept a
 * timeout in ms and an `AbortSignal`; a waiter that times out or is aborted
 * leaves no trace behind.
 *
 * On `atomics`, a lock whose holder's Worker dies holding it (it raises,
 * exits or is terminated) is abandoned: the thread that takes it next gets
 * {@linkcode AbandonedLockError}, holding it. A holder that returns leaves
 * it held, as in Python (another thread may release it).
 *
 * A subclass may override Python's methods (`acquire`, `release`,
 * `locked`, ...), `label` and `toString`. The lock's algorithm lives on the
 * same object (one object per lock keeps it small and fast), so a subclass
 * may not define a member under a name the algorithm uses (`lock`,
 * `unlock`, `tryLock`, `lockSync`, `isLocked`, `mutex`, `cells`, `at`,
 * `backend`, `kind`, `holder`, `handle`, `enter`, `record`, ...): its
 * constructor throws `TypeError` naming it. A field is not checked (it is
 * set after the constructor returns): give fields other names too.
 *
 * @example Python's `with lock:` as `using`
 * ```ts
 * import { Lock } from "@locksmith/threading";
 * import { assert } from "@std/assert";
 *
 * const lock = new Lock();
 * {
 *   using _ = await lock.guard();
 *   assert(lock.locked());
 * }
 * assert(!lock.locked());
 * ```
 */
export class Lock {
  // The getter behind the handle a structured clone carries (one for all instances).
  static readonly #shared: PropertyDescriptor = {
    enumerable: true,
    get(this: Lock) {
      return core(this).handle();
    },
  };

  /**
   * Creates an unlocked lock.
   *
   * @param options `backend`: the backend by name or object (default: the default backend).
   * @throws {TypeError} If the backend is unknown, or `options` is not an options object with only `backend`; or
   *   if the class is a subclass that defines a member under a name the lock's algorithm uses (see the class doc).
   */
  constructor(options?: PrimitiveOptions) {
    if (new.target !== Lock && !checkedSubclasses.has(new.target)) checkSubclass(new.target);
    // Made by LockCore's constructor as an instance of `new.target` (this class or a subclass of it).
    const lock = Reflect.construct(LockCore, [options], new.target) as unknown as Lock;
    exposeHandle(lock, Lock.#shared);
    return lock;
  }

  /**
   * Acquires the lock.
   *
   * With `blocking` true (the default), waits until the lock is free, or until
   * `timeout` ms have passed, and takes it. With `blocking` false, takes it
   * only if it is free now. Either form may be given as an options object,
   * which also takes an `AbortSignal`.
   *
   * @param blocking Whether to wait (default `true`), or the options object.
   * @param timeout Milliseconds to wait; omitted, `null` or `-1`: forever.
   * @returns `true` once acquired; `false` if not acquired (non-blocking or timed out).
   * @throws {ValueError} If `timeout` is negative (other than -1), or given with `blocking` false.
   * @throws {OverflowError} If `timeout` is above `TIMEOUT_MAX`.
   * @throws {AbandonedLockError} If it took the lock from a holder that died (the caller holds it).
   *
   * @example Waiting at most 50 ms
   * ```ts
   * import { Lock } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * const lock = new Lock();
   * assertEquals(await lock.acquire(), true);
   * assertEquals(await lock.acquire({ timeout: 50 }), false);
   * lock.release();
   * ```
   */
  acquire(blocking?: boolean, timeout?: number | null): Promise<boolean>;
  /**
   * Acquires the lock with options `{ blocking, timeout, signal }`.
   *
   * @param options How to wait.
   * @returns `true` once acquired; `false` if not acquired.
   */
  acquire(options: WaitOptions): Promise<boolean>;
  acquire(blocking?: boolean | WaitOptions, timeout?: number | null): Promise<boolean> {
    // A plain `acquire()` first, kept small so that V8 inlines the whole hot path into the caller.
    if (blocking === undefined && timeout === undefined) return this.acquireChecked(FOREVER);
    return this.acquireParsing(blocking, timeout);
  }

  /** Parses `acquire`'s arguments, then acquires (out of line: the plain call stays small). */
  private acquireParsing(
    blocking: boolean | WaitOptions | undefined,
    timeout: number | null | undefined,
  ): Promise<boolean> {
    const aborted = abortedSignal(blocking);
    if (aborted) return Promise.reject(aborted.reason);
    let wait: Wait;
    if (blocking === undefined && timeout === undefined) wait = FOREVER;
    else {
      try {
        wait = checkAcquire(`acquire ${this.label}`, blocking, timeout);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.acquireChecked(wait);
  }

  /**
   * Acquires with arguments already checked (used by `guard`, `Condition`).
   *
   * @internal
   * @param wait A checked wait.
   * @returns Whether the lock was acquired.
   */
  acquireChecked(wait: Wait): Promise<boolean> {
    const raw = core(this);
    const entered = raw.enter("acquire");
    return entered === undefined ? raw.mutex.lock(wait) : entered.then(() => raw.mutex.lock(wait));
  }

  /**
   * Acquires the lock, blocking the calling thread. On a backend without
   * blocking waits (one isolate), a call that would have to wait returns
   * `false` at once if it has a finite timeout and throws `DeadlockError` if
   * it would wait forever: nothing else could release the lock meanwhile.
   *
   * @param blocking Whether to wait (default `true`).
   * @param timeout Milliseconds to wait; omitted, `null` or `-1`: forever.
   * @returns `true` once acquired; `false` if not acquired.
   * @throws {ValueError} If `timeout` is negative (other than -1), or given with `blocking` false.
   * @throws {OverflowError} If `timeout` is above `TIMEOUT_MAX`.
   * @throws {AbandonedLockError} If it took the lock from a holder that died (the caller holds it).
   * @throws {DeadlockError} If it would wait forever where nothing can wake it.
   *
   * @example Non-blocking try
   * ```ts
   * import { Lock } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * const lock = new Lock();
   * assertEquals(lock.acquireSync(), true);
   * assertEquals(lock.acquireSync(false), false);
   * lock.release();
   * ```
   */
  acquireSync(blocking?: boolean, timeout?: number | null): boolean {
    const wait = blocking === undefined && timeout === undefined
      ? FOREVER
      : checkAcquire(`acquire ${this.label}`, blocking, timeout);
    return core(this).mutex.lockSync(wait);
  }

  /**
   * Releases the lock. Any thread may release it, not only the one that
   * acquired it. If threads wait, the oldest one gets the lock.
   *
   * @throws {RuntimeError} If the lock is not locked.
   *
   * @example Releasing
   * ```ts
   * import { Lock } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * const lock = new Lock();
   * await lock.acquire();
   * lock.release();
   * assertEquals(lock.locked(), false);
   * ```
   */
  release(): void {
    const raw = core(this);
    if (!raw.mutex.unlock()) this.notLocked();
    raw.record("release");
  }

  /** Throws the error of a release of an unlocked lock. */
  private notLocked(): never {
    throw new RuntimeError(`Cannot release un-acquired lock: ${this.label} is not locked`);
  }

  /**
   * Says whether the lock is held.
   *
   * @returns `true` if locked.
   *
   * @example A new lock is unlocked
   * ```ts
   * import { Lock } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new Lock().locked(), false);
   * ```
   */
  locked(): boolean {
    return core(this).mutex.isLocked();
  }

  /**
   * Acquires the lock and returns a `Disposable` that releases it exactly
   * once: Python's `with lock:` is `using _ = await lock.guard()`.
   *
   * @param options How to wait; a guard that could not acquire rejects.
   * @returns A disposable that releases the lock.
   * @throws {TimeoutError} If not acquired (timed out, or `blocking` false and held).
   *
   * @example A critical section
   * ```ts
   * import { Lock } from "@locksmith/threading";
   *
   * const lock = new Lock();
   * let counter = 0;
   * {
   *   using _ = await lock.guard();
   *   counter++;
   * }
   * ```
   */
  guard(options?: WaitOptions): Promise<Disposable> {
    return openGuard(this, this.label, options);
  }

  /**
   * Runs `fn` while holding the lock and releases it however `fn` ends.
   *
   * @param fn The critical section, sync or async.
   * @returns What `fn` returns.
   *
   * @example Incrementing under the lock
   * ```ts
   * import { Lock } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * const lock = new Lock();
   * assertEquals(await lock.runExclusive(() => 42), 42);
   * ```
   */
  runExclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    return runExclusiveOf(this, FOREVER, fn);
  }

  /**
   * Whether the lock is held; a plain lock has no owner (Python's `_is_owned`).
   *
   * @internal
   * @returns `true` if locked.
   */
  isOwned(): boolean {
    // Asked by a Condition of a caller that should hold the lock (its own write then): no fence needed.
    const mutex = core(this).mutex;
    return mutex.isLockedRelaxed !== undefined ? mutex.isLockedRelaxed() : mutex.isLocked();
  }

  /**
   * Releases for `Condition.wait` (Python's `_release_save`).
   *
   * @internal
   * @returns What `acquireRestore` takes.
   */
  releaseSave(): readonly [number, number] {
    this.release();
    return [1, 0];
  }

  /**
   * Re-acquires after `Condition.wait` (Python's `_acquire_restore`).
   *
   * @internal
   * @param _saved What `releaseSave` returned.
   * @param sync Block the thread instead of awaiting.
   * @returns Resolves once re-acquired.
   */
  acquireRestore(_saved: readonly [number, number], sync: boolean): Promise<void> | void {
    if (sync) {
      // The notifier holds the lock and is about to let go: the first sleep may spin.
      core(this).mutex.lockSync(FOREVER, true);
      return;
    }
    // The waiting Condition only awaits it: no `then` (and no extra microtask) to turn it into a void.
    return core(this).mutex.lock(FOREVER) as Promise<unknown> as Promise<void>;
  }

  /** `Lock#N`, for messages and traces (LockCore's getter). */
  declare readonly label: string;

  /**
   * The lock's backend (LockCore's getter, or an own property).
   *
   * @internal
   */
  declare readonly backend: Backend;

  /**
   * Describes the lock, as Python's repr does.
   *
   * @returns `<unlocked Lock#1>` or `<locked Lock#1>`.
   */
  toString(): string {
    return `<${this.locked() ? "locked" : "unlocked"} ${this.label}>`;
  }
}
// Below Lock's own methods, LockCore's and RawLock's: the algorithm's names (`lock`, `unlock`, ...) do not
// clash with Lock's (`acquire`, `release`, ...), and its `label` and `backend` getters are Lock's.
Object.setPrototypeOf(Lock.prototype, LockCore.prototype);

// The names the lock algorithm looks up on a Lock at run time (LockCore's, RawLock's and CoreBase's, and its
// fields): a subclass that defined one would be called by the algorithm in place of its own (a `lock()` of
// the subclass's, say). Python's names (`acquire`, `release`, `locked`, ...) are Lock's own and may be
// overridden; so may `label` and `toString`, which only describe the lock.
const ALGORITHM_NAMES: ReadonlySet<string> = new Set(
  [LockCore.prototype, RawLock.prototype, Object.getPrototypeOf(RawLock.prototype)]
    .flatMap((prototype) => Object.getOwnPropertyNames(prototype))
    .concat(["cells", "at", "facts"])
    .filter((name) => name !== "constructor" && name !== "label"),
);
const checkedSubclasses = new WeakSet<object>();

// Once per subclass: a member of its own (or of a class between it and Lock) may not take one of those names.
function checkSubclass(subclass: abstract new (...args: never[]) => unknown): void {
  for (let prototype = subclass.prototype; prototype !== Lock.prototype; prototype = Object.getPrototypeOf(prototype)) {
    if (prototype === null) break;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      if (!ALGORITHM_NAMES.has(name)) continue;
      throw new TypeError(
        `Cannot create ${
          subclass.name || "a subclass of Lock"
        }: it defines '${name}', a name the Lock's algorithm uses on the same object; rename it`,
      );
    }
  }
  checkedSubclasses.add(subclass);
}

registerShareable("Lock", Lock, (backend, _facts, at) => new Lock({ backend, [REVIVE_AT]: at } as CoreOptions));
