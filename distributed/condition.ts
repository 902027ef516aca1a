/**
 * `Condition`: a condition variable shared by every client of a server, by name.
 *
 * @module
 */
import { currentThread, RuntimeError, ValueError, type WaitOptions } from "../mod.ts";
import type { Client } from "./_client.ts";
import { acquireParsing, openGuard, runExclusiveOf } from "./_guard.ts";
import { abortedSignal, checkWait, describe, type Wait } from "./_library.ts";
import { LocalLine } from "./_line.ts";
import type { LockCore } from "./_lock_core.ts";
import { labelOf } from "./_options.ts";
import { checkReply } from "./_replies.ts";
import type { TimerHandle } from "./_timers.ts";
import { LockLostError } from "./errors.ts";
import type { Lock } from "./lock.ts";
import type { RLock } from "./rlock.ts";

const NOTIFY_ALL = 2 ** 31 - 1;

/**
 * A condition variable with the same name in every process that connects
 * to the same server (Python's `Condition` through a `SyncManager`), over a
 * distributed `Lock` or `RLock` of the same manager (by default an `RLock`
 * named `<name>.lock`).
 *
 * `wait()` releases the lock and queues the caller on the server in one
 * atomic step, so a `notify()` issued as soon as the lock is free is never
 * lost. `notify(n)` moves the `n` oldest waiters (in any process) to the
 * lock's queue: they get the lock back, oldest first, behind the clients
 * already waiting for it. Each waiting thread has its own entry on the
 * server (its wait is an atomic step of its own); all of a process's
 * wake-ups arrive through one connection.
 *
 * @example Waiting for a state another client sets
 * ```ts
 * import { connect } from "@locksmith/threading/distributed";
 * import { assertEquals } from "@std/assert";
 *
 * await using a = await connect("memory://");
 * await using b = await connect("memory://");
 * const ready = a.Event("state");
 * const cond = a.Condition("changed");
 * await cond.acquire();
 * const waiting = cond.wait(5000);
 * const other = b.Condition("changed");
 * await other.acquire();
 * await ready.set();
 * await other.notify();
 * await other.release();
 * assertEquals(await waiting, true);
 * await cond.release();
 * ```
 */
export class Condition {
  /** The name: the same name is the same condition in every process. */
  readonly name: string;
  /** `Condition "name"`, for messages. */
  readonly label: string;
  /** The lock it uses. */
  readonly lock: Lock | RLock;
  readonly #client: Client;
  readonly #key: string;
  readonly #lockCore: LockCore;

  /**
   * Use `manager.Condition(name, lock)`.
   *
   * @internal
   */
  constructor(client: Client, key: string, name: string, lock: Lock | RLock) {
    this.name = name;
    this.label = labelOf("Condition", name);
    this.lock = lock;
    this.#client = client;
    this.#key = key;
    this.#lockCore = (lock as Lock).core;
  }

  // The threads of this process that wait share one look at the lock (see `#watchLock`).
  #lockWatchers = 0;
  #lockLook: TimerHandle | undefined;

  /**
   * One more thread of this process waits. A holder that dies keeps the lock until its lease ends:
   * while any thread waits, the process looks at the lock every half lease, so that a waiter moved to
   * the lock's queue by notify() gets it when that lease ends. One look for all of them (it hands the
   * lock to the oldest live entry, whoever's it is), not one per thread.
   */
  #watchLock(): void {
    if (this.#lockWatchers++ === 0 && this.#lockLook === undefined) this.#lookLater();
  }

  /** One thread fewer waits; the looks stop with the last. */
  #unwatchLock(): void {
    if (--this.#lockWatchers > 0) return;
    this.#lockLook?.cancel();
    this.#lockLook = undefined;
  }

  #lookLater(): void {
    const core = this.#lockCore;
    const handle = this.#lockLook = this.#client.timers.after(core.leaseMs / 2, () => {
      this.#client.run("lock.locked", [core.key], [core.kind]).catch(() => {}).finally(() => {
        // Stopped meanwhile (and maybe started again by a new waiter): that loop goes on, not this one.
        if (this.#lockLook !== handle) return;
        this.#lockLook = undefined;
        if (this.#lockWatchers > 0) this.#lookLater();
      });
    });
  }

  /**
   * Acquires the lock (see `Lock.acquire`).
   *
   * @param blocking Whether to wait (default `true`), or `{ blocking, timeout, signal }`.
   * @param timeout Milliseconds to wait; omitted, `null` or `-1`: forever.
   * @returns `true` once acquired; `false` if not.
   *
   * @example Taking the lock
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   *
   * await using manager = await connect("memory://");
   * const cond = manager.Condition("c");
   * await cond.acquire();
   * await cond.release();
   * ```
   */
  acquire(blocking?: boolean, timeout?: number | null): Promise<boolean>;
  /**
   * Acquires the lock with options `{ blocking, timeout, signal }`.
   *
   * @param options How to wait.
   * @returns `true` once acquired; `false` if not.
   */
  acquire(options: WaitOptions): Promise<boolean>;
  acquire(blocking?: boolean | WaitOptions, timeout?: number | null): Promise<boolean> {
    return acquireParsing(this.lock, blocking, timeout);
  }

  /**
   * Acquires with a checked wait.
   *
   * @internal
   */
  acquireWith(wait: Wait): Promise<boolean> {
    return this.lock.acquireWith(wait);
  }

  /**
   * Releases the lock (see `Lock.release`).
   *
   * @example Releasing
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   *
   * await using manager = await connect("memory://");
   * const cond = manager.Condition("r");
   * await cond.acquire();
   * await cond.release();
   * ```
   */
  release(): Promise<void> {
    return this.lock.release();
  }

  /**
   * Whether the lock is held by any client.
   *
   * @returns `true` if locked.
   *
   * @example A new condition's lock is free
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(await manager.Condition("free").locked(), false);
   * ```
   */
  locked(): Promise<boolean> {
    return this.lock.locked();
  }

  /**
   * Acquires the lock and returns an `AsyncDisposable` that releases it exactly once.
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
   *   await using _ = await manager.Condition("g").guard();
   * }
   * ```
   */
  guard(options?: WaitOptions): Promise<AsyncDisposable> {
    return openGuard(this.lock, this.lock.label, options);
  }

  /**
   * Runs `fn` holding the lock, and releases it however `fn` ends.
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
   * assertEquals(await manager.Condition("x").runExclusive(() => 1), 1);
   * ```
   */
  runExclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    return runExclusiveOf(this.lock, fn);
  }

  #notOwned(what: string): RuntimeError {
    return new RuntimeError(`Cannot ${what} un-acquired lock: ${this.label} requires its lock to be held`);
  }

  /**
   * Releases the lock, waits until notified (or `timeout` ms), and takes
   * the lock back before returning, however the wait ends.
   *
   * @param timeout Milliseconds, or `{ timeout, signal }`; omitted, `null` or `-1`: forever.
   * @returns `true` if notified; `false` on timeout.
   * @throws {RuntimeError} If the caller does not hold the lock.
   * @throws {LockLostError} If the lock's lease had run out.
   *
   * @example A timed wait
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * const cond = manager.Condition("w");
   * await cond.acquire();
   * assertEquals(await cond.wait(10), false);
   * await cond.release();
   * ```
   */
  async wait(timeout?: number | null | WaitOptions): Promise<boolean> {
    const aborted = abortedSignal(timeout);
    if (aborted) throw aborted.reason;
    const core = this.#lockCore;
    if (!core.ownedByCaller()) throw this.#notOwned("wait on");
    const wait = checkWait(`wait on ${this.label}`, timeout);
    return await this.#waitChecked(wait);
  }

  async #waitChecked(wait: Wait): Promise<boolean> {
    const core = this.#lockCore;
    const client = this.#client;
    const held = core.held!;
    const me = currentThread();
    const ticket = client.ticket();
    const line = new LocalLine<{ token: bigint; at: number }>(client.backend);
    const lockKey = core.key;
    // A grant may arrive before this thread parks (wake-ups and replies come on different connections).
    let early: { token: bigint; at: number } | undefined;
    const grant = (value: { token: bigint; at: number }) => {
      if (line.grant(value) === undefined) early ??= value;
    };
    const park = async (timeout: number, signal: AbortSignal | undefined) => {
      if (early !== undefined) {
        return { outcome: { ok: true as const, value: early }, aborted: false, reason: undefined };
      }
      return await line.park(timeout, signal);
    };
    client.route(ticket, (parts) => {
      if (parts[0] === "L") grant({ token: BigInt(parts[1]), at: client.timers.now() });
    });
    // Forget the ownership before the server hands the lock on: a grant to this process's queued
    // ticket may arrive (by a wake-up) before the reply.
    const saved = core.drop()!;
    let watching = false;
    try {
      const reply = checkReply(
        await client.runNow("cond.wait", [this.#key, lockKey], [
          core.kind,
          this.lock.name,
          held.ticket,
          ticket,
          core.leaseMs,
        ]),
        "Condition",
        this.lock.name,
        this.label,
      );
      if (reply[0] !== 1) {
        throw saved.holding.lostReason ?? new LockLostError(`Cannot wait on ${this.label}: its lock's lease ran out`);
      }
      core.handedTo(reply[1] as string, reply[2] as number);
      watching = true;
      this.#watchLock();
      let parked = await park(wait.timeout, wait.signal);
      let notified = true;
      if (!parked.outcome?.ok) {
        // Timed out or aborted: leave the condition's queue and queue for the lock (Python takes it back).
        const cancel = checkReply(
          await client.runNow("cond.cancel", [this.#key, lockKey], [core.kind, this.lock.name, ticket, core.leaseMs]),
          "Condition",
          this.lock.name,
          this.label,
        );
        notified = cancel[0] === 1;
        if (cancel[1] === 1) grant({ token: BigInt(cancel[2]), at: client.timers.now() });
        const again = await park(Infinity, undefined);
        parked = { outcome: again.outcome, aborted: parked.aborted, reason: parked.reason };
      }
      const granted = parked.outcome as { ok: true; value: { token: bigint; at: number } };
      core.adopt(ticket, granted.value.token, granted.value.at, me, saved.count);
      if (parked.aborted) throw parked.reason;
      return notified;
    } finally {
      if (watching) this.#unwatchLock();
      client.unroute(ticket);
    }
  }

  /**
   * Waits until `predicate()` is true (checked at first and after each
   * wake-up), or `timeout` ms pass; returns its last value.
   *
   * @param predicate What is waited for.
   * @param timeout Milliseconds, or `{ timeout, signal }`; omitted, `null` or `-1`: forever.
   * @returns The predicate's last value.
   * @throws {RuntimeError} If the caller does not hold the lock.
   *
   * @example A predicate that holds at once
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * const cond = manager.Condition("p");
   * await cond.acquire();
   * assertEquals(await cond.waitFor(() => true), true);
   * await cond.release();
   * ```
   */
  async waitFor(predicate: () => boolean, timeout?: number | null | WaitOptions): Promise<boolean> {
    const aborted = abortedSignal(timeout);
    if (aborted) throw aborted.reason;
    if (typeof predicate !== "function") {
      throw new TypeError(`Cannot wait for predicate on ${this.label}: received ${describe(predicate)}`);
    }
    const wait = checkWait(`wait on ${this.label}`, timeout);
    if (!this.#lockCore.ownedByCaller()) throw this.#notOwned("wait on");
    const end = this.#client.timers.now() + wait.timeout;
    let result = predicate();
    while (!result) {
      const left = end - this.#client.timers.now();
      if (left <= 0) break;
      const notified = await this.#waitChecked({ ...wait, timeout: left });
      result = predicate();
      // A wait that timed out ends it (a timer may fire a hair before the clock reaches the end).
      if (!notified) break;
    }
    return result;
  }

  /**
   * Wakes the `n` oldest waiters (default 1), in any process: they take
   * the lock back once the caller releases it.
   *
   * @param n How many.
   * @throws {RuntimeError} If the caller does not hold the lock.
   * @throws {ValueError} If `n` is negative.
   *
   * @example Notifying nobody
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   *
   * await using manager = await connect("memory://");
   * const cond = manager.Condition("n");
   * await cond.acquire();
   * await cond.notify();
   * await cond.release();
   * ```
   */
  async notify(n: number = 1): Promise<void> {
    if (!this.#lockCore.ownedByCaller()) throw this.#notOwned("notify on");
    if (typeof n !== "number" || !Number.isInteger(n)) {
      throw new TypeError(`Cannot notify ${this.label} as 'n' must be an integer: received ${describe(n)}`);
    }
    if (n < 0) throw new ValueError(`Cannot notify ${this.label} as 'n' must be >= 0: received ${n}`);
    if (n === 0) return;
    checkReply(
      await this.#client.runNow("cond.notify", [this.#key, this.#lockCore.key], [
        this.lock.name,
        Math.min(n, NOTIFY_ALL),
      ]),
      "Condition",
      this.lock.name,
      this.label,
    );
  }

  /**
   * Wakes every waiter, in every process.
   *
   * @throws {RuntimeError} If the caller does not hold the lock.
   *
   * @example Notifying all
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   *
   * await using manager = await connect("memory://");
   * const cond = manager.Condition("all");
   * await cond.acquire();
   * await cond.notifyAll();
   * await cond.release();
   * ```
   */
  notifyAll(): Promise<void> {
    return this.notify(NOTIFY_ALL);
  }

  /**
   * `<Condition "name" over RLock "name.lock">`.
   *
   * @returns The description.
   *
   * @example Describing
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(String(manager.Condition("c")), '<Condition "c" over RLock "c.lock">');
   * ```
   */
  toString(): string {
    return `<${this.label} over ${this.lock.label}>`;
  }
}
