/**
 * `Barrier`: a barrier shared by every client of a server, by name.
 *
 * @module
 */
import { BrokenBarrierError, ValueError, type WaitOptions } from "../mod.ts";
import type { Client } from "./_client.ts";
import { abortedSignal, checkTimeout, checkWait, describe } from "./_library.ts";
import { LocalLine } from "./_line.ts";
import { labelOf } from "./_options.ts";
import { checkReply } from "./_replies.ts";

const ARRIVE_WAIT = 0;
const ARRIVE_PASSED = 1;
const ARRIVE_RUN_ACTION = 2;
// 3: the previous cycle's action runs; wait for it to end, then arrive again.

/** What a barrier's waiter learns: its cycle passed (`P`) or the barrier broke (`X`). */
type Passage = "P" | "X";

/**
 * A barrier for `parties` threads, in any processes that connect to the
 * same server (Python's `Barrier` through a `SyncManager`). Each `wait()`
 * returns a distinct index from 0 to `parties - 1`; the last to arrive runs
 * the action given to *its* manager (if any) before any wait of the cycle
 * returns. A timed-out or aborted wait breaks the barrier for everyone, as
 * in Python.
 *
 * @example Two clients meet
 * ```ts
 * import { connect } from "@locksmith/threading/distributed";
 * import { assertEquals } from "@std/assert";
 *
 * await using a = await connect("memory://");
 * await using b = await connect("memory://");
 * const indices = await Promise.all([a.Barrier("meet", 2).wait(), b.Barrier("meet", 2).wait()]);
 * assertEquals(indices.toSorted(), [0, 1]);
 * ```
 */
export class Barrier {
  /** The name: the same name is the same barrier in every process. */
  readonly name: string;
  /** `Barrier "name"`, for messages. */
  readonly label: string;
  /** How many threads must arrive. */
  readonly parties: number;
  /** The default timeout of `wait()`, in ms (`null`: forever). */
  readonly timeout: number | null;
  readonly #action: (() => unknown) | null;
  readonly #client: Client;
  readonly #key: string;
  readonly #ticket: string;
  readonly #line: LocalLine<Passage>;
  // Passages seen by cycle: a wake-up may arrive before the reply that says to wait for it.
  readonly #seen = new Map<number, Passage>();

  /**
   * Use `manager.Barrier(name, parties, action, timeout)`.
   *
   * @internal
   */
  constructor(client: Client, key: string, name: string, parties: unknown, action: unknown, timeout: unknown) {
    this.name = name;
    this.label = labelOf("Barrier", name);
    if (typeof parties !== "number" || !Number.isInteger(parties)) {
      throw new TypeError(`Cannot create Barrier as 'parties' must be an integer: received ${describe(parties)}`);
    }
    if (parties < 1) throw new ValueError(`Cannot create Barrier as 'parties' must be >= 1: received ${parties}`);
    if (action !== undefined && action !== null && typeof action !== "function") {
      throw new TypeError(`Cannot create Barrier as 'action' must be a function: received ${describe(action)}`);
    }
    const ms = checkTimeout(`create ${this.label}`, timeout);
    this.parties = parties;
    this.timeout = ms === Infinity ? null : ms;
    this.#action = (action ?? null) as (() => unknown) | null;
    this.#client = client;
    this.#key = key;
    this.#line = new LocalLine(client.backend);
    this.#ticket = client.ticket();
    client.route(this.#ticket, (parts) => this.#passage(Number(parts[1]), parts[2] as Passage));
    client.watch({ repoll: () => this.#lostState() }, true);
  }

  #check(reply: (number | string)[]): (number | string)[] {
    return checkReply(reply, "Barrier", String(this.parties), this.label);
  }

  #broken(): BrokenBarrierError {
    return new BrokenBarrierError(`Cannot pass ${this.label}: the barrier is broken or was reset`);
  }

  /**
   * Waits until `parties` threads (in any processes) have called `wait()`.
   *
   * @param timeout Milliseconds, or `{ timeout, signal }`; omitted or `null`: the barrier's
   *   default timeout; `-1`: forever.
   * @returns This thread's index in its cycle, from 0 to `parties - 1`.
   * @throws {BrokenBarrierError} If the barrier is or becomes broken, is reset, or the wait times out.
   *
   * @example A single party passes at once
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(await manager.Barrier("alone", 1).wait(), 0);
   * ```
   */
  async wait(timeout?: number | null | WaitOptions): Promise<number> {
    const aborted = abortedSignal(timeout);
    if (aborted) throw aborted.reason;
    let wait = checkWait(`wait on ${this.label}`, timeout);
    const given = timeout !== null && typeof timeout === "object" ? timeout.timeout : timeout;
    if ((given === undefined || given === null) && this.timeout !== null) {
      wait = { ...wait, timeout: this.timeout };
    }
    const deadline = this.#client.timers.now() + wait.timeout;
    for (;;) {
      const reply = await this.#client.runUntil(
        "barrier.arrive",
        [this.#key],
        [this.parties, this.#ticket, this.#action ? 1 : 0, this.#client.leaseMs],
        deadline,
        wait.signal,
      );
      if (reply === undefined) throw new BrokenBarrierError(`Cannot pass ${this.label}: the server cannot be reached`);
      const [status, index, gen] = this.#check(reply) as number[];
      if (status < 0) throw this.#broken();
      if (status === ARRIVE_PASSED) return index;
      if (status === ARRIVE_RUN_ACTION) {
        try {
          await this.#action!();
        } catch (error) {
          await this.#client.runNow("barrier.abort", [this.#key], [this.parties]).catch(() => {});
          throw error;
        }
        const passed = this.#check(await this.#client.runNow("barrier.pass", [this.#key], [this.parties, gen]));
        if (passed[0] !== 1) throw this.#broken();
        return index;
      }
      const left = Math.max(0, deadline - this.#client.timers.now());
      const seen = this.#seen.get(gen);
      const parked = seen === undefined ? await this.#line.park(left, wait.signal, gen) : undefined;
      const passage = seen ?? (parked?.outcome?.ok ? parked.outcome.value : undefined);
      if (passage === undefined) {
        // A timeout or an abort breaks the barrier for everyone, as in Python.
        await this.#client.runNow("barrier.abort", [this.#key], [this.parties]).catch(() => {});
        if (parked?.aborted) throw parked.reason;
        throw new BrokenBarrierError(`Cannot pass ${this.label}: timed out after ${wait.timeout} ms`);
      }
      if (passage === "X") throw this.#broken();
      if (status === ARRIVE_WAIT) return index;
      // ARRIVE_LATE: the previous cycle is over; arrive again.
    }
  }

  #passage(gen: number, passage: Passage): void {
    this.#seen.set(gen, passage);
    if (this.#seen.size > 16) this.#seen.delete(this.#seen.keys().next().value!);
    for (const waiter of this.#line.pending()) {
      if ((waiter.payload as number) <= gen) this.#line.settle(waiter, { ok: true, value: passage });
    }
  }

  // After a reconnection the server may have lost the barrier: its waiters cannot pass.
  #lostState(): void {
    for (const waiter of this.#line.pending()) this.#line.settle(waiter, { ok: true, value: "X" });
  }

  /**
   * Resets the barrier: threads waiting now get `BrokenBarrierError`, and it can be used again.
   *
   * @example Resetting a broken barrier
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * const barrier = manager.Barrier("again", 1);
   * await barrier.abort();
   * await barrier.reset();
   * assertEquals(await barrier.broken, false);
   * ```
   */
  async reset(): Promise<void> {
    this.#check(await this.#client.runNow("barrier.reset", [this.#key], [this.parties]));
  }

  /**
   * Breaks the barrier: waiting and later threads get `BrokenBarrierError` until `reset()`.
   *
   * @example Aborting
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * const barrier = manager.Barrier("stop", 2);
   * await barrier.abort();
   * assertEquals(await barrier.broken, true);
   * ```
   */
  async abort(): Promise<void> {
    this.#check(await this.#client.runNow("barrier.abort", [this.#key], [this.parties]));
  }

  /**
   * How many threads wait in the current cycle, in every process.
   *
   * @example Nobody waits yet
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(await manager.Barrier("count", 3).nWaiting, 0);
   * ```
   */
  get nWaiting(): Promise<number> {
    return this.#client.runNow("barrier.state", [this.#key], [this.parties]).then((r) => this.#check(r)[0] as number);
  }

  /**
   * Whether the barrier is broken.
   *
   * @example A new barrier is not broken
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(await manager.Barrier("whole", 2).broken, false);
   * ```
   */
  get broken(): Promise<boolean> {
    return this.#client.runNow("barrier.state", [this.#key], [this.parties]).then((r) => this.#check(r)[1] === 1);
  }

  /**
   * `<Barrier "name" parties=n>`.
   *
   * @returns The description.
   *
   * @example Describing
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(String(manager.Barrier("b", 3)), '<Barrier "b" parties=3>');
   * ```
   */
  toString(): string {
    return `<${this.label} parties=${this.parties}>`;
  }
}
