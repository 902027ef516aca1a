/**
 * `Semaphore` and `BoundedSemaphore` shared by every client of a server, by name.
 *
 * @module
 */
import { SEMAPHORE_VALUE_MAX, ValueError, type WaitOptions } from "../mod.ts";
import type { Client } from "./_client.ts";
import { acquireParsing, openGuard, runExclusiveOf } from "./_guard.ts";
import { describe, type Wait } from "./_library.ts";
import { checkLease, labelOf } from "./_options.ts";
import { SemaphoreCore } from "./_semaphore_core.ts";

function checkValue(kind: string, value: unknown): number {
  if (value === undefined) return 1;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`Cannot create ${kind} as 'value' must be an integer: received ${describe(value)}`);
  }
  if (value < 0) throw new ValueError(`Cannot create ${kind} as 'value' must be >= 0: received ${value}`);
  if (value > SEMAPHORE_VALUE_MAX) {
    throw new ValueError(`Cannot create ${kind} as 'value' must be <= ${SEMAPHORE_VALUE_MAX}: received ${value}`);
  }
  return value;
}

/**
 * A counting semaphore with the same name in every process that connects
 * to the same server (Python's `Semaphore` through a `SyncManager`). Made
 * by `manager.Semaphore(name, value)`; the first client to use the name
 * sets the value, and a client that gives another value gets a
 * `ValueError`.
 *
 * Each permit taken is a lease of its own, renewed while held: a process
 * that dies holding permits gives them back when their leases end. Waiters
 * across processes are served oldest first. `release(n)` gives back this
 * process's own permits first and adds the rest as new permits, as
 * Python's `release(n)` does.
 *
 * @example At most two at a time
 * ```ts
 * import { connect } from "@locksmith/threading/distributed";
 * import { assertEquals } from "@std/assert";
 *
 * await using manager = await connect("memory://");
 * const slots = manager.Semaphore("slots", 2);
 * await slots.acquire();
 * assertEquals(await slots.value, 1);
 * await slots.release();
 * ```
 */
export class Semaphore {
  /** The name: the same name is the same semaphore in every process. */
  readonly name: string;
  /** The lease of a permit, in ms. */
  readonly leaseMs: number;
  /** `Semaphore "name"`, for messages. */
  readonly label: string;
  /** The initial value this client gave. */
  readonly initialValue: number;
  readonly #core: SemaphoreCore;

  /**
   * Use `manager.Semaphore(name, value, options)`.
   *
   * @internal
   */
  constructor(client: Client, key: string, name: string, value: unknown, options: unknown) {
    const kind = new.target === BoundedSemaphore ? "BoundedSemaphore" : "Semaphore";
    this.name = name;
    this.label = labelOf(kind, name);
    this.initialValue = checkValue(kind, value);
    this.leaseMs = checkLease(this.label, options, client);
    this.#core = new SemaphoreCore(client, kind, key, this.label, this.initialValue, this.leaseMs);
  }

  /**
   * Takes a permit, waiting while there is none (or `timeout` ms), as
   * Python's `acquire(blocking, timeout)`.
   *
   * @param blocking Whether to wait (default `true`), or `{ blocking, timeout, signal }`.
   * @param timeout Milliseconds to wait; omitted, `null` or `-1`: forever.
   * @returns `true` once a permit is taken; `false` if not.
   * @throws {ValueError} If `timeout` is negative (other than -1), or given with `blocking` false.
   * @throws {OverflowError} If `timeout` is above `TIMEOUT_MAX`.
   *
   * @example A non-blocking try
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * const one = manager.Semaphore("one", 1);
   * assertEquals(await one.acquire(false), true);
   * assertEquals(await one.acquire(false), false);
   * await one.release();
   * ```
   */
  acquire(blocking?: boolean, timeout?: number | null): Promise<boolean>;
  /**
   * Takes a permit with options `{ blocking, timeout, signal }`.
   *
   * @param options How to wait.
   * @returns `true` once a permit is taken; `false` if not.
   */
  acquire(options: WaitOptions): Promise<boolean>;
  acquire(blocking?: boolean | WaitOptions, timeout?: number | null): Promise<boolean> {
    return acquireParsing(this, blocking, timeout);
  }

  /**
   * Takes a permit with a checked wait.
   *
   * @internal
   */
  acquireWith(wait: Wait): Promise<boolean> {
    return this.#core.acquire(wait);
  }

  /**
   * Gives back `n` permits (default 1); the oldest waiters (in any process) get them.
   *
   * @param n How many.
   * @throws {TypeError} If `n` is not an integer.
   * @throws {ValueError} If `n` < 1, or (BoundedSemaphore) the value would exceed the initial value.
   * @throws {LockLostError} If a permit given back had lost its lease.
   *
   * @example Releasing more than taken
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * const sem = manager.Semaphore("more", 0);
   * await sem.release(2);
   * assertEquals(await sem.value, 2);
   * ```
   */
  release(n: number = 1): Promise<void> {
    if (typeof n !== "number" || !Number.isInteger(n)) {
      return Promise.reject(
        new TypeError(`Cannot release ${this.label} as 'n' must be an integer: received ${describe(n)}`),
      );
    }
    if (n < 1) {
      return Promise.reject(new ValueError(`Cannot release ${this.label} as 'n' must be one or more: received ${n}`));
    }
    return this.#core.release(n);
  }

  /**
   * The number of free permits, from the server.
   *
   * @example Reading the value
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(await manager.Semaphore("three", 3).value, 3);
   * ```
   */
  get value(): Promise<number> {
    return this.#core.free();
  }

  /**
   * Takes a permit and returns an `AsyncDisposable` that gives it back exactly once.
   *
   * @param options How to wait.
   * @returns The guard.
   * @throws {TimeoutError} If no permit was taken.
   *
   * @example A guarded block
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   *
   * await using manager = await connect("memory://");
   * {
   *   await using _ = await manager.Semaphore("guarded", 2).guard();
   * }
   * ```
   */
  guard(options?: WaitOptions): Promise<AsyncDisposable> {
    return openGuard(this, this.label, options);
  }

  /**
   * Runs `fn` holding a permit, and gives it back however `fn` ends.
   *
   * @param fn The work.
   * @returns What `fn` returns.
   *
   * @example Running under a permit
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(await manager.Semaphore("run", 1).runExclusive(() => "done"), "done");
   * ```
   */
  runExclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    return runExclusiveOf(this, fn);
  }

  /**
   * `<Semaphore "name" held here=k>`.
   *
   * @returns The description.
   *
   * @example Describing
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(String(manager.Semaphore("s", 2)), '<Semaphore "s" held here=0>');
   * ```
   */
  toString(): string {
    return `<${this.label} held here=${this.#core.permits.length}>`;
  }
}

/**
 * A semaphore whose value may never exceed its initial value (Python's
 * `BoundedSemaphore` through a `SyncManager`): a release above it is a
 * `ValueError`, counted across every process.
 *
 * @example A release too many
 * ```ts
 * import { connect } from "@locksmith/threading/distributed";
 * import { ValueError } from "@locksmith/threading";
 * import { assertRejects } from "@std/assert";
 *
 * await using manager = await connect("memory://");
 * const sem = manager.BoundedSemaphore("bounded", 1);
 * await assertRejects(() => sem.release(), ValueError);
 * ```
 */
export class BoundedSemaphore extends Semaphore {}
