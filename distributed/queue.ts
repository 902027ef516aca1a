/**
 * `Queue` and `LifoQueue` shared by every client of a server, by name.
 *
 * @module
 */
import { ValueError } from "../mod.ts";
import { Empty, Full, ShutDown } from "../queue/mod.ts";
import type { Client } from "./_client.ts";
import { decodeItem, encodeItem } from "./_codec.ts";
import { abortedSignal, checkQueueWait, checkWait, describe, type QueueWaitOptions } from "./_library.ts";
import { LocalLine, type Outcome, type Waiter } from "./_line.ts";
import { labelOf } from "./_options.ts";
import { checkReply } from "./_replies.ts";
import type { TimerHandle } from "./_timers.ts";
import type { WaitOptions } from "../mod.ts";

const INT32_MAX = 2 ** 31 - 1;

/** Options of a distributed queue. */
export interface QueueOptions {
  /**
   * Keep each item a consumer gets until its process calls `taskDone()`:
   * if the consumer's client dies first (its heartbeat stops), the item is
   * put back at the front and delivered again (at-least-once). Without it an
   * item is gone once got (at-most-once if a consumer dies). Default `false`.
   */
  acknowledge?: boolean;
}

/** What a waiting getter or putter is handed. */
type Served = { readonly item?: unknown };

/** One side of a queue (its getters or its putters) in this process, behind one ticket. */
class Side {
  readonly line: LocalLine<Served>;
  ticket: string | undefined;
  running = false;
  again = false;
  safety: TimerHandle | undefined;
  constructor(readonly queue: Queue<unknown>, readonly client: Client, readonly serve: () => Promise<void>) {
    this.line = new LocalLine(client.backend);
  }
}

/**
 * A FIFO queue with the same name in every process that connects to the
 * same server (Python's `queue.Queue` through a `SyncManager`). Made by
 * `manager.Queue(name, maxsize)`. Items travel as JSON (an item that
 * cannot is a `TypeError` at `put`). Nothing is lost and nothing is
 * duplicated under concurrent producers and consumers in many processes; a
 * waiting getter (or putter) is served oldest first across processes.
 *
 * With `{ acknowledge: true }`, an item stays pending until the process
 * that got it calls `taskDone()`, and is delivered again if that process
 * dies first.
 *
 * @example A job queue
 * ```ts
 * import { connect } from "@locksmith/threading/distributed";
 * import { assertEquals } from "@std/assert";
 *
 * await using producer = await connect("memory://");
 * await using consumer = await connect("memory://");
 * await producer.Queue("jobs", 10).put({ id: 1 });
 * assertEquals(await consumer.Queue("jobs", 10).get(), { id: 1 });
 * ```
 */
export class Queue<T = unknown> {
  /** The name: the same name is the same queue in every process. */
  readonly name: string;
  /** `Queue "name"`, for messages. */
  readonly label: string;
  /** The largest number of items (0: unbounded); the first client to use the name sets it. */
  readonly maxsize: number;
  /** Whether items wait for `taskDone()` before they are forgotten. */
  readonly acknowledge: boolean;
  readonly #client: Client;
  readonly #key: string;
  readonly #kind: string;
  readonly #getters: Side;
  readonly #putters: Side;
  readonly #joiners: LocalLine<true>;
  #joinTicket: string | undefined;

  /**
   * Use `manager.Queue(name, maxsize, options)`.
   *
   * @internal
   */
  constructor(client: Client, key: string, name: string, maxsize: unknown, options: unknown, kind = "Queue") {
    this.name = name;
    this.#kind = kind;
    this.label = labelOf(kind, name);
    if (maxsize === undefined) maxsize = 0;
    if (typeof maxsize !== "number") {
      throw new TypeError(`Cannot create ${this.label} as 'maxsize' must be a number: received ${describe(maxsize)}`);
    }
    if (maxsize !== Infinity && (!Number.isInteger(maxsize) || maxsize > INT32_MAX || maxsize < -INT32_MAX)) {
      throw new ValueError(
        `Cannot create ${this.label} as 'maxsize' must be an integer up to ${INT32_MAX}, or Infinity: received ${maxsize}`,
      );
    }
    if (options !== undefined && (options === null || typeof options !== "object")) {
      throw new TypeError(`Cannot create ${this.label} as 'options' must be an object: received ${describe(options)}`);
    }
    const acknowledge = (options as QueueOptions | undefined)?.acknowledge ?? false;
    if (typeof acknowledge !== "boolean") {
      throw new TypeError(
        `Cannot create ${this.label} as 'acknowledge' must be a boolean: received ${describe(acknowledge)}`,
      );
    }
    this.maxsize = maxsize === Infinity || maxsize < 0 ? 0 : maxsize;
    this.acknowledge = acknowledge;
    this.#client = client;
    this.#key = key;
    this.#getters = new Side(this as Queue<unknown>, client, () => this.#serveGetters());
    this.#putters = new Side(this as Queue<unknown>, client, () => this.#servePutters());
    this.#joiners = new LocalLine(client.backend);
    client.watch({ repoll: () => this.#repoll() }, true);
    client.holdings.add({ abandon: () => this.#abandon() });
  }

  #args(...rest: (string | number)[]): (string | number)[] {
    return [this.#kind, this.maxsize, ...rest];
  }

  #check(reply: (number | string)[]): (number | string)[] {
    return checkReply(reply, this.#kind, String(this.maxsize), this.label);
  }

  #run(op: string, ...rest: (string | number)[]): Promise<(number | string)[]> {
    return this.#client.run(op, [this.#key], this.#args(...rest)).then((r) => this.#check(r));
  }

  #runNow(op: string, ...rest: (string | number)[]): Promise<(number | string)[]> {
    return this.#client.runNow(op, [this.#key], this.#args(...rest)).then((r) => this.#check(r));
  }

  #full(): Full {
    return new Full(`Cannot put to ${this.label}: it is full (maxsize ${this.maxsize})`);
  }

  #putShutDown(): ShutDown {
    return new ShutDown(`Cannot put to ${this.label}: it is shut down`);
  }

  #getShutDown(): ShutDown {
    return new ShutDown(`Cannot get from ${this.label}: it is shut down and empty`);
  }

  /**
   * Puts `item` at the back, waiting while the queue is full (Python's
   * `put(item, block, timeout)`).
   *
   * @param item The item (JSON-serializable).
   * @param block Whether to wait (default `true`), or `{ block, timeout, signal }`.
   * @param timeout Milliseconds to wait; omitted, `null` or `-1`: forever; ignored when not blocking.
   * @throws {Full} If the queue stays full (not blocking, or timed out).
   * @throws {ShutDown} If the queue is shut down.
   * @throws {TypeError} If the item cannot be serialized.
   *
   * @example Putting and getting
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * const q = manager.Queue<number>("numbers");
   * await q.put(1);
   * assertEquals(await q.get(), 1);
   * ```
   */
  async put(item: T, block?: boolean | QueueWaitOptions, timeout?: number | null): Promise<void> {
    const aborted = abortedSignal(block);
    if (aborted) throw aborted.reason;
    const wait = checkQueueWait("put to", this, block, timeout);
    const encoded = encodeItem(this.label, item);
    if (!wait.blocking || wait.timeout === 0) {
      if (this.#putters.line.length > 0) throw this.#full();
      const reply = await this.#runNow("queue.put", this.#client.ticket(), encoded, 0);
      if (reply[0] === 1) return;
      throw reply[0] === -2 ? this.#putShutDown() : this.#full();
    }
    const parked = await this.#putters.line.park(wait.timeout, wait.signal, encoded, () => this.#kick(this.#putters));
    this.#maybeCancel(this.#putters);
    if (parked.outcome !== undefined) {
      this.#outcome(parked.outcome);
      return;
    }
    if (parked.aborted) throw parked.reason;
    throw this.#full();
  }

  /**
   * Removes and returns the oldest item, waiting while the queue is empty
   * (Python's `get(block, timeout)`).
   *
   * @param block Whether to wait (default `true`), or `{ block, timeout, signal }`.
   * @param timeout Milliseconds to wait; omitted, `null` or `-1`: forever; ignored when not blocking.
   * @returns The item.
   * @throws {Empty} If the queue stays empty (not blocking, or timed out).
   * @throws {ShutDown} If the queue is shut down and empty.
   *
   * @example A non-blocking get
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { Empty } from "@locksmith/threading/queue";
   * import { assertRejects } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * await assertRejects(() => manager.Queue("none").get(false), Empty);
   * ```
   */
  async get(block?: boolean | QueueWaitOptions, timeout?: number | null): Promise<T> {
    const aborted = abortedSignal(block);
    if (aborted) throw aborted.reason;
    const wait = checkQueueWait("get from", this, block, timeout);
    if (!wait.blocking || wait.timeout === 0) {
      if (this.#getters.line.length > 0) throw new Empty(`Cannot get from ${this.label}: it is empty`);
      const reply = await this.#runNow("queue.get", this.#client.ticket(), 0, this.#ack());
      if (reply[0] === 1) return decodeItem(reply[1] as string) as T;
      throw reply[0] === -2 ? this.#getShutDown() : new Empty(`Cannot get from ${this.label}: it is empty`);
    }
    const parked = await this.#getters.line.park(wait.timeout, wait.signal, undefined, () => this.#kick(this.#getters));
    this.#maybeCancel(this.#getters);
    if (parked.outcome !== undefined) return this.#outcome(parked.outcome) as T;
    if (parked.aborted) throw parked.reason;
    throw new Empty(`Cannot get from ${this.label}: it is empty`);
  }

  // An operation that ran for a waiter counts even if its wait was aborted meanwhile: the item moved.
  #outcome(outcome: Outcome<Served>): unknown {
    if (!outcome.ok) throw outcome.error;
    return outcome.value.item;
  }

  #ack(): string {
    return this.acknowledge ? this.#client.id : "";
  }

  /** Makes sure `side` has a ticket and an operation working for its waiters. */
  #kick(side: Side): void {
    if (side.ticket === undefined) {
      const ticket = side.ticket = this.#client.ticket();
      this.#client.route(ticket, () => {
        if (side.ticket === ticket) this.#kick(side);
      });
    }
    if (side.running) {
      side.again = true;
      return;
    }
    side.running = true;
    side.again = false;
    side.serve().finally(() => {
      side.running = false;
      if (side.again && side.line.hasIdle) this.#kick(side);
    });
  }

  /** Serves local getters, oldest first, while the server has items for this process's ticket. */
  async #serveGetters(): Promise<void> {
    const side = this.#getters;
    for (let waiter = side.line.oldestIdle(); waiter !== undefined; waiter = side.line.oldestIdle()) {
      const ticket = side.ticket;
      if (ticket === undefined) return;
      waiter.claim();
      let reply;
      try {
        reply = await this.#run("queue.get", ticket, 1, this.#ack());
      } catch (error) {
        waiter.unclaim();
        this.#retryLater(side, error);
        return;
      }
      if (reply[0] === 1) side.line.settle(waiter, { ok: true, value: { item: decodeItem(reply[1] as string) } });
      else if (reply[0] === -2) {
        for (const w of side.line.pending()) side.line.settle(w, { ok: false, error: this.#getShutDown() });
        return;
      } else {
        waiter.unclaim();
        this.#safety(side);
        return;
      }
    }
  }

  /** Serves local putters, oldest first, while the server has room for this process's ticket. */
  async #servePutters(): Promise<void> {
    const side = this.#putters;
    for (let waiter = side.line.oldestIdle(); waiter !== undefined; waiter = side.line.oldestIdle()) {
      const ticket = side.ticket;
      if (ticket === undefined) return;
      waiter.claim();
      let reply;
      try {
        reply = await this.#run("queue.put", ticket, waiter.payload as string, 1);
      } catch (error) {
        waiter.unclaim();
        this.#retryLater(side, error);
        return;
      }
      if (reply[0] === 1) side.line.settle(waiter, { ok: true, value: {} });
      else if (reply[0] === -2) {
        for (const w of side.line.pending()) side.line.settle(w, { ok: false, error: this.#putShutDown() });
        return;
      } else {
        waiter.unclaim();
        this.#safety(side);
        return;
      }
    }
  }

  #retryLater(side: Side, error: unknown): void {
    if (!(error instanceof Error) || error.name !== "ConnectionBroken") {
      for (const w of side.line.pending()) side.line.settle(w, { ok: false, error });
      return;
    }
    side.safety?.cancel();
    side.safety = this.#client.timers.after(50, () => this.#kick(side));
  }

  // A wake-up lost with a connection is found again on reconnection; this slow look is a last resort.
  #safety(side: Side): void {
    side.safety?.cancel();
    side.safety = this.#client.timers.after(this.#client.leaseMs, () => {
      if (side.line.hasIdle) this.#kick(side);
    });
  }

  /** The last waiter of `side` left without being served: take the ticket out of the server's lists. */
  #maybeCancel(side: Side): void {
    if (side.line.length > 0 || side.ticket === undefined) return;
    const ticket = side.ticket;
    side.ticket = undefined;
    side.safety?.cancel();
    this.#client.unroute(ticket);
    void this.#runNow("queue.cancel", ticket).catch(() => {});
  }

  #repoll(): void {
    if (this.#getters.line.hasIdle) this.#kick(this.#getters);
    if (this.#putters.line.hasIdle) this.#kick(this.#putters);
    if (this.#joinTicket !== undefined) this.#registerJoin();
  }

  /**
   * `put(item, false)`: puts only if there is room now.
   *
   * @param item The item.
   * @throws {Full} If the queue is full.
   * @throws {ShutDown} If it is shut down.
   *
   * @example Filling a queue of one
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { Full } from "@locksmith/threading/queue";
   * import { assertRejects } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * const q = manager.Queue("one", 1);
   * await q.putNowait("a");
   * await assertRejects(() => q.putNowait("b"), Full);
   * ```
   */
  putNowait(item: T): Promise<void> {
    return this.put(item, false);
  }

  /**
   * `get(false)`: gets only if an item is there now.
   *
   * @returns The item.
   * @throws {Empty} If the queue is empty.
   * @throws {ShutDown} If it is shut down and empty.
   *
   * @example Getting at once
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * const q = manager.Queue("ready");
   * await q.put("x");
   * assertEquals(await q.getNowait(), "x");
   * ```
   */
  getNowait(): Promise<T> {
    return this.get(false);
  }

  async #stats(): Promise<[number, number, number]> {
    return await this.#runNow("queue.stats") as [number, number, number];
  }

  /**
   * The number of items in the queue, on the server.
   *
   * @returns The size.
   *
   * @example An empty queue
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(await manager.Queue("size").qsize(), 0);
   * ```
   */
  async qsize(): Promise<number> {
    return (await this.#stats())[0];
  }

  /**
   * Whether the queue has no items.
   *
   * @returns `true` if empty.
   *
   * @example A new queue is empty
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(await manager.Queue("e").empty(), true);
   * ```
   */
  async empty(): Promise<boolean> {
    return (await this.qsize()) === 0;
  }

  /**
   * Whether the queue has `maxsize` items (never, when unbounded).
   *
   * @returns `true` if full.
   *
   * @example An unbounded queue is never full
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(await manager.Queue("f").full(), false);
   * ```
   */
  async full(): Promise<boolean> {
    return this.maxsize > 0 && (await this.qsize()) >= this.maxsize;
  }

  /**
   * How many items were put and not yet marked done.
   *
   * @example None yet
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(await manager.Queue("u").unfinishedTasks, 0);
   * ```
   */
  get unfinishedTasks(): Promise<number> {
    return this.#stats().then((s) => s[1]);
  }

  /**
   * Whether the queue was shut down.
   *
   * @example A new queue is open
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(await manager.Queue("s").isShutdown, false);
   * ```
   */
  get isShutdown(): Promise<boolean> {
    return this.#stats().then((s) => s[2] === 1);
  }

  /**
   * Marks one item as done (Python's `task_done()`); with `acknowledge`,
   * the oldest item this process got and has not acknowledged.
   *
   * @throws {ValueError} If called more times than items were put.
   *
   * @example Marking done
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * const q = manager.Queue("tasks");
   * await q.put(1);
   * await q.get();
   * await q.taskDone();
   * assertEquals(await q.join(0), true);
   * ```
   */
  async taskDone(): Promise<void> {
    const reply = await this.#runNow("queue.taskDone", this.#ack());
    if (reply[0] === -1) {
      throw new ValueError(`Cannot mark a task done on ${this.label}: taskDone() called more times than put()`);
    }
  }

  /**
   * Waits until every item put has been marked done.
   *
   * @param timeout Milliseconds, or `{ timeout, signal }`; omitted, `null` or `-1`: forever.
   * @returns `true` once nothing is unfinished; `false` on timeout.
   *
   * @example Nothing to wait for
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(await manager.Queue("j").join(), true);
   * ```
   */
  async join(timeout?: number | null | WaitOptions): Promise<boolean> {
    const aborted = abortedSignal(timeout);
    if (aborted) throw aborted.reason;
    const wait = checkWait(`join ${this.label}`, timeout);
    if (wait.timeout === 0) return (await this.#stats())[1] <= 0;
    const parked = await this.#joiners.park(wait.timeout, wait.signal, undefined, (w) => this.#registerJoin(w));
    if (parked.outcome?.ok) return true;
    if (this.#joiners.length === 0 && this.#joinTicket !== undefined) {
      const ticket = this.#joinTicket;
      this.#client.unroute(ticket);
      this.#joinTicket = undefined;
      void this.#runNow("queue.cancel", ticket).catch(() => {});
    }
    if (parked.aborted) throw parked.reason;
    return false;
  }

  // The joiner that asks is claimed until the server answers: "nothing unfinished" counts even if the
  // answer comes after its timeout.
  #registerJoin(waiter?: Waiter<true>): void {
    let ticket = this.#joinTicket;
    if (ticket === undefined) {
      const mine = ticket = this.#joinTicket = this.#client.ticket();
      this.#client.route(ticket, () => this.#joined(mine));
    }
    const mine = ticket;
    waiter?.claim();
    this.#run("queue.join", ticket).then(
      (reply) => {
        if (reply[0] === 1) this.#joined(mine);
        waiter?.unclaim();
      },
      () => {
        waiter?.unclaim();
        this.#client.timers.after(50, () => {
          if (this.#joinTicket === mine) this.#registerJoin();
        });
      },
    );
  }

  #joined(ticket: string): void {
    if (this.#joinTicket !== ticket) return;
    this.#client.unroute(ticket);
    this.#joinTicket = undefined;
    for (const waiter of this.#joiners.pending()) this.#joiners.settle(waiter, { ok: true, value: true });
  }

  /**
   * Shuts the queue down (Python 3.13): later puts raise `ShutDown`, and
   * gets too once it is empty; with `immediate`, the items are dropped
   * (counted as done) and waiting gets end at once.
   *
   * @param immediate Drop the items too.
   * @throws {TypeError} If `immediate` is not a boolean.
   *
   * @example Shutting down
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { ShutDown } from "@locksmith/threading/queue";
   * import { assertRejects } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * const q = manager.Queue("closing");
   * await q.shutdown();
   * await assertRejects(() => q.put(1), ShutDown);
   * ```
   */
  async shutdown(immediate: boolean = false): Promise<void> {
    if (typeof immediate !== "boolean") {
      throw new TypeError(
        `Cannot shut down ${this.label} as 'immediate' must be a boolean: received ${describe(immediate)}`,
      );
    }
    await this.#runNow("queue.shutdown", immediate ? 1 : 0);
  }

  async #abandon(): Promise<void> {
    for (const ticket of [this.#getters.ticket, this.#putters.ticket, this.#joinTicket]) {
      if (ticket !== undefined) await this.#run("queue.cancel", ticket).catch(() => {});
    }
    this.#getters.safety?.cancel();
    this.#putters.safety?.cancel();
  }

  /**
   * `<Queue "name" maxsize=n>`.
   *
   * @returns The description.
   *
   * @example Describing
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(String(manager.Queue("q", 5)), '<Queue "q" maxsize=5>');
   * ```
   */
  toString(): string {
    return `<${this.label} maxsize=${this.maxsize}>`;
  }
}

/**
 * A last-in, first-out queue with the same name in every process that
 * connects to the same server (Python's `queue.LifoQueue` through a
 * `SyncManager`): `get` returns the newest item.
 *
 * @example Newest first
 * ```ts
 * import { connect } from "@locksmith/threading/distributed";
 * import { assertEquals } from "@std/assert";
 *
 * await using manager = await connect("memory://");
 * const stack = manager.LifoQueue<number>("stack");
 * await stack.put(1);
 * await stack.put(2);
 * assertEquals(await stack.get(), 2);
 * ```
 */
export class LifoQueue<T = unknown> extends Queue<T> {
  /**
   * Use `manager.LifoQueue(name, maxsize, options)`.
   *
   * @internal
   */
  constructor(client: Client, key: string, name: string, maxsize: unknown, options: unknown) {
    super(client, key, name, maxsize, options, "LifoQueue");
  }
}
