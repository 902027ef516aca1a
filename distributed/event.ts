/**
 * `Event`: a flag shared by every client of a server, by name.
 *
 * @module
 */
import type { WaitOptions } from "../mod.ts";
import type { Client } from "./_client.ts";
import { abortedSignal, checkWait } from "./_library.ts";
import { LocalLine, type Waiter } from "./_line.ts";
import { labelOf } from "./_options.ts";
import { checkReply } from "./_replies.ts";
import type { TimerHandle } from "./_timers.ts";

/**
 * An event with the same name in every process that connects to the same
 * server (Python's `Event` through a `SyncManager`). `set()` wakes every
 * waiter, in every process; a waiter woken by `set()` returns `true` even
 * if `clear()` follows at once. The threads of one process that wait share
 * one registration on the server.
 *
 * @example Waiting for a signal from another client
 * ```ts
 * import { connect } from "@locksmith/threading/distributed";
 * import { assertEquals } from "@std/assert";
 *
 * await using a = await connect("memory://");
 * await using b = await connect("memory://");
 * const waiting = a.Event("ready").wait(5000);
 * await b.Event("ready").set();
 * assertEquals(await waiting, true);
 * ```
 */
export class Event {
  /** The name: the same name is the same event in every process. */
  readonly name: string;
  /** `Event "name"`, for messages. */
  readonly label: string;
  readonly #client: Client;
  readonly #key: string;
  readonly #line: LocalLine<true>;
  #ticket: string | undefined;
  #registering = false;
  #safety: TimerHandle | undefined;
  readonly #watcher = { repoll: () => this.#register() };

  /**
   * Use `manager.Event(name)`.
   *
   * @internal
   */
  constructor(client: Client, key: string, name: string) {
    this.name = name;
    this.label = labelOf("Event", name);
    this.#client = client;
    this.#key = key;
    this.#line = new LocalLine(client.backend);
    client.holdings.add({
      abandon: async () => {
        const ticket = this.#ticket;
        this.#forget();
        if (ticket !== undefined) await client.run("event.cancel", [key], [ticket]).catch(() => {});
      },
    });
  }

  #check(reply: (number | string)[]): (number | string)[] {
    return checkReply(reply, "Event", "", this.label);
  }

  /**
   * Says whether the flag is set, on the server.
   *
   * @returns `true` if set.
   *
   * @example A new event is not set
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(await manager.Event("new").isSet(), false);
   * ```
   */
  async isSet(): Promise<boolean> {
    return this.#check(await this.#client.runNow("event.isSet", [this.#key], []))[0] === 1;
  }

  /**
   * Sets the flag and wakes every waiter, in every process.
   *
   * @example Setting
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * const event = manager.Event("set");
   * await event.set();
   * assertEquals(await event.isSet(), true);
   * ```
   */
  async set(): Promise<void> {
    this.#check(await this.#client.runNow("event.set", [this.#key], []));
  }

  /**
   * Clears the flag: later waits wait again.
   *
   * @example Clearing
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * const event = manager.Event("cleared");
   * await event.set();
   * await event.clear();
   * assertEquals(await event.isSet(), false);
   * ```
   */
  async clear(): Promise<void> {
    this.#check(await this.#client.runNow("event.clear", [this.#key], []));
  }

  /**
   * Waits until the flag is set, or `timeout` ms pass. A wait that cannot
   * reach the server keeps trying until its timeout.
   *
   * @param timeout Milliseconds, or `{ timeout, signal }`; omitted, `null` or `-1`: forever.
   * @returns `true` if the flag was set; `false` on timeout.
   * @throws {ValueError} If `timeout` is negative (other than -1).
   * @throws {OverflowError} If `timeout` is above `TIMEOUT_MAX`.
   *
   * @example A timed wait
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(await manager.Event("never").wait(20), false);
   * ```
   */
  async wait(timeout?: number | null | WaitOptions): Promise<boolean> {
    const aborted = abortedSignal(timeout);
    if (aborted) throw aborted.reason;
    const wait = checkWait(`wait on ${this.label}`, timeout);
    if (wait.timeout === 0) {
      const reply = await this.#client.runUntil("event.isSet", [this.#key], [], this.#client.timers.now());
      return reply !== undefined && this.#check(reply)[0] === 1;
    }
    const parked = await this.#line.park(wait.timeout, wait.signal, undefined, (waiter) => this.#register(waiter));
    if (parked.outcome?.ok) return true;
    if (this.#line.length === 0 && this.#ticket !== undefined) {
      const ticket = this.#ticket;
      this.#forget();
      void this.#client.runNow("event.cancel", [this.#key], [ticket]).catch(() => {});
    }
    if (parked.aborted) throw parked.reason;
    return false;
  }

  #forget(): void {
    if (this.#ticket !== undefined) this.#client.unroute(this.#ticket);
    this.#client.watch(this.#watcher, false);
    this.#safety?.cancel();
    this.#ticket = undefined;
  }

  /**
   * Registers this process (once) for the waiters of its line. The waiter that asks is claimed until
   * the server answers: an event found set counts even if the answer comes after its timeout.
   */
  #register(waiter?: Waiter<true>): void {
    if (this.#registering || !this.#line.hasIdle || this.#client.closed) return;
    let ticket = this.#ticket;
    if (ticket === undefined) {
      ticket = this.#ticket = this.#client.ticket();
      const mine = ticket;
      this.#client.route(ticket, () => this.#fired(mine));
      this.#client.watch(this.#watcher, true);
    }
    this.#registering = true;
    waiter?.claim();
    const mine = ticket;
    this.#client.run("event.wait", [this.#key], [ticket]).then(
      (reply) => {
        this.#registering = false;
        if (this.#ticket === mine) {
          if (this.#check(reply)[0] === 1) this.#fired(mine);
          else this.#scheduleSafety();
        }
        waiter?.unclaim();
      },
      () => {
        this.#registering = false;
        waiter?.unclaim();
        if (this.#ticket !== mine) return;
        this.#safety?.cancel();
        this.#safety = this.#client.timers.after(50, () => this.#register());
      },
    );
  }

  // A wake-up lost with a connection is found again on reconnection; this slow look is a last resort.
  #scheduleSafety(): void {
    this.#safety?.cancel();
    this.#safety = this.#client.timers.after(this.#client.leaseMs, () => this.#register());
  }

  #fired(ticket: string): void {
    if (this.#ticket !== ticket) return;
    this.#forget();
    for (const waiter of this.#line.pending()) this.#line.settle(waiter, { ok: true, value: true });
  }

  /**
   * `<Event "name">`.
   *
   * @returns The description.
   *
   * @example Describing
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(String(manager.Event("e")), '<Event "e">');
   * ```
   */
  toString(): string {
    return `<${this.label}>`;
  }
}
