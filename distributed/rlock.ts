/**
 * `RLock`: a reentrant lock shared by every client of a server, by name.
 *
 * @module
 */
import type { WaitOptions } from "../mod.ts";
import type { Client } from "./_client.ts";
import { acquireParsing, openGuard, runExclusiveOf } from "./_guard.ts";
import type { Wait } from "./_library.ts";
import { LockCore } from "./_lock_core.ts";
import { checkLease, labelOf } from "./_options.ts";

/**
 * A reentrant lock with the same name in every process that connects to
 * the same server (Python's `RLock` through a `SyncManager`, with a
 * lease). Made by `manager.RLock(name)`.
 *
 * It is owned by the thread that acquired it, which may acquire it again
 * at once (the recursion count is kept in the process); each acquire needs
 * its own release, by the same thread. Waiters across processes are served oldest first: a release hands
 * the lock to the oldest live waiter, with a fresh lease. The threads of
 * one process that wait for it wait locally, behind one entry of their
 * process in the server's queue.
 *
 * The holder's lease (`leaseMs`) is renewed while it is held. If the holder
 * dies, the lock goes to the next waiter when the lease ends; if the holder
 * cannot renew in time (paused, partitioned), `lost` aborts at its local
 * deadline and `release()` throws `LockLostError`. Each grant carries a
 * larger `fencingToken`, to pass to the resource the lock protects.
 *
 * @example Holding a lock by name
 * ```ts
 * import { connect } from "@locksmith/threading/distributed";
 * import { assertEquals } from "@std/assert";
 *
 * await using manager = await connect("memory://");
 * const lock = manager.RLock("orders");
 * {
 *   await using _ = await lock.guard();
 *   assertEquals(await lock.locked(), true);
 * }
 * assertEquals(await lock.locked(), false);
 * ```
 */
export class RLock {
  /** The name: the same name is the same lock in every process. */
  readonly name: string;
  /** The lease of an ownership, in ms. */
  readonly leaseMs: number;
  /** `RLock "name"`, for messages. */
  readonly label: string;
  readonly #core: LockCore;

  /**
   * Use `manager.RLock(name, options)`.
   *
   * @internal
   */
  constructor(client: Client, key: string, name: string, options: unknown) {
    this.name = name;
    this.label = labelOf("RLock", name);
    this.leaseMs = checkLease(this.label, options, client);
    this.#core = new LockCore(client, "RLock", key, this.label, this.leaseMs);
  }

  /** @internal */
  get core(): LockCore {
    return this.#core;
  }

  /**
   * Acquires the lock: waits until it is free (or `timeout` ms pass), as
   * Python's `acquire(blocking, timeout)`; or takes it only if free now
   * with `blocking` false. A wait that cannot reach the server keeps trying
   * until its timeout.
   *
   * @param blocking Whether to wait (default `true`), or `{ blocking, timeout, signal }`.
   * @param timeout Milliseconds to wait; omitted, `null` or `-1`: forever.
   * @returns `true` once acquired; `false` if not.
   * @throws {ValueError} If `timeout` is negative (other than -1), or given with `blocking` false.
   * @throws {OverflowError} If `timeout` is above `TIMEOUT_MAX`.
   * @throws {TypeError} If the name is another kind of primitive on the server.
   *
   * @example Waiting at most 50 ms
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using a = await connect("memory://");
   * await using b = await connect("memory://");
   * assertEquals(await a.RLock("job").acquire(), true);
   * assertEquals(await b.RLock("job").acquire({ timeout: 50 }), false);
   * await a.RLock("job").release();
   * ```
   */
  acquire(blocking?: boolean, timeout?: number | null): Promise<boolean>;
  /**
   * Acquires with options `{ blocking, timeout, signal }`.
   *
   * @param options How to wait.
   * @returns `true` once acquired; `false` if not.
   */
  acquire(options: WaitOptions): Promise<boolean>;
  acquire(blocking?: boolean | WaitOptions, timeout?: number | null): Promise<boolean> {
    return acquireParsing(this, blocking, timeout);
  }

  /**
   * Acquires with a checked wait (used by `guard` and `Condition`).
   *
   * @internal
   */
  acquireWith(wait: Wait): Promise<boolean> {
    return this.#core.acquire(wait);
  }

  /**
   * Releases one level; when the outermost is released the oldest waiter
   * (in any process) gets the lock.
   *
   * @throws {RuntimeError} If the calling thread does not own it.
   * @throws {LockLostError} If its lease ran out meanwhile (it may have been held by another client).
   * @throws {ConnectionError} If the server cannot be reached (the lock is freed when its lease ends).
   *
   * @example Releasing
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * const lock = manager.RLock("job");
   * await lock.acquire();
   * await lock.release();
   * assertEquals(await lock.locked(), false);
   * ```
   */
  release(): Promise<void> {
    return this.#core.release();
  }

  /**
   * Says whether any client holds the lock.
   *
   * @returns `true` if locked.
   *
   * @example A new lock is free
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(await manager.RLock("fresh").locked(), false);
   * ```
   */
  locked(): Promise<boolean> {
    return this.#core.locked();
  }

  /**
   * The fencing token of this process's current (or last) ownership: it
   * grows with every grant of the lock, in any process; `0n` before this
   * process first held it. Pass it to the resource the lock protects, which
   * refuses a token smaller than one it has seen.
   *
   * @example Tokens grow
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assert } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * const lock = manager.RLock("token");
   * await lock.acquire();
   * const first = lock.fencingToken;
   * await lock.release();
   * await lock.acquire();
   * assert(lock.fencingToken > first);
   * await lock.release();
   * ```
   */
  get fencingToken(): bigint {
    return this.#core.lastToken;
  }

  /**
   * Aborts (with a `LockLostError`) when this process's ownership is lost:
   * its lease ran out before a renewal reached the server. Pass it to the
   * work done under the lock.
   *
   * @example Work that stops when the lock is lost
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * const lock = manager.RLock("lease");
   * await lock.acquire();
   * assertEquals(lock.lost.aborted, false);
   * await lock.release();
   * ```
   */
  get lost(): AbortSignal {
    return this.#core.lost;
  }

  /**
   * Acquires and returns an `AsyncDisposable` that releases exactly once
   * (Python's `with lock:` as `await using _ = await lock.guard()`).
   *
   * @param options How to wait.
   * @returns The guard.
   * @throws {TimeoutError} If not acquired.
   *
   * @example A guarded block
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   *
   * await using manager = await connect("memory://");
   * {
   *   await using _ = await manager.RLock("block").guard();
   * }
   * ```
   */
  guard(options?: WaitOptions): Promise<AsyncDisposable> {
    return openGuard(this, this.label, options);
  }

  /**
   * Runs `fn` while holding the lock and releases it however `fn` ends.
   *
   * @param fn The critical section.
   * @returns What `fn` returns.
   *
   * @example Running under the lock
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(await manager.RLock("run").runExclusive(() => 42), 42);
   * ```
   */
  runExclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    return runExclusiveOf(this, fn);
  }

  /**
   * `<RLock "name">` with its owner and count in this process.
   *
   * @returns The description.
   *
   * @example Describing
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(String(manager.RLock("x")), '<RLock "x" not held here>');
   * ```
   */
  toString(): string {
    const held = this.#core.held;
    return `<${this.label} ${held ? `owned by ${held.owner.name}, count=${held.count}` : "not held here"}>`;
  }
}
