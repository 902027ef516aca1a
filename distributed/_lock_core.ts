/**
 * The machinery of a distributed Lock or RLock in one process: the threads
 * of this process that want it wait in a local line (oldest first), and the
 * process keeps at most one ticket in the server's queue for them; a grant
 * to that ticket (pushed by the releasing client, or found when the
 * holder's lease expired) goes to the oldest local waiter.
 *
 * | state                      | meaning                                                   |
 * |----------------------------|-----------------------------------------------------------|
 * | `held`                     | this process owns the lock (for `held.owner`, in an RLock) |
 * | `queued`                   | the ticket this process has in the server's queue          |
 * | line has idle waiters      | local threads wait; `queued` is kept set for them          |
 *
 * @module
 */
import { currentThread, RuntimeError, type Thread } from "../mod.ts";
import type { Client } from "./_client.ts";
import { Holding } from "./_holding.ts";
import { LocalLine } from "./_line.ts";
import { checkReply } from "./_replies.ts";
import type { TimerHandle } from "./_timers.ts";
import type { Wait } from "./_library.ts";
import { ConnectionError, LockLostError } from "./errors.ts";

/** This process's ownership. */
export interface Held {
  readonly ticket: string;
  readonly token: bigint;
  readonly holding: Holding;
  /** The owning thread (RLock), or the thread that acquired (Lock). */
  owner: Thread;
  /** Recursion count (RLock). */
  count: number;
}

/** What a grant hands a local waiter. */
interface Grant {
  readonly ticket: string;
  readonly token: bigint;
  readonly sentAt: number;
}

/** The lock of one name, in one process. */
export class LockCore {
  readonly line: LocalLine<Grant>;
  held: Held | undefined;
  queued: string | undefined;
  lastToken = 0n;
  #lastLost: AbortSignal = new AbortController().signal;
  #repoll: TimerHandle | undefined;
  #queueing = false;
  readonly #watcher = { repoll: () => this.#poll() };
  readonly #abandoner = { abandon: () => this.#abandon() };

  /**
   * @param client The client.
   * @param kind `Lock` or `RLock` (the server refuses another kind under the name).
   * @param key The server key.
   * @param label For messages: `Lock "name"`.
   * @param leaseMs The lease of a grant.
   */
  constructor(
    readonly client: Client,
    readonly kind: "Lock" | "RLock",
    readonly key: string,
    readonly label: string,
    readonly leaseMs: number,
  ) {
    this.line = new LocalLine(client.backend);
    client.holdings.add(this.#abandoner);
  }

  /** The signal of the current (or last) ownership. */
  get lost(): AbortSignal {
    return this.held?.holding.lost ?? this.#lastLost;
  }

  /** Whether the calling thread owns it (RLock) or this process holds it (Lock). */
  ownedByCaller(): boolean {
    if (this.held === undefined) return false;
    return this.kind === "Lock" || this.held.owner === currentThread();
  }

  #check(reply: (number | string)[]): (number | string)[] {
    return checkReply(reply, this.kind, "", this.label);
  }

  /** Acquires for the calling thread. */
  async acquire(wait: Wait): Promise<boolean> {
    const me = currentThread();
    if (this.kind === "RLock" && this.held !== undefined && this.held.owner === me) {
      if (this.held.holding.lost.aborted) throw this.held.holding.lost.reason;
      this.held.count++;
      return true;
    }
    if (!wait.blocking || wait.timeout === 0) return await this.#tryOnce(me);
    let front = false;
    let timeout = wait.timeout;
    if (this.held === undefined && this.line.length === 0 && this.queued === undefined) {
      // Nobody here holds or wants it: ask the server straight away (no local park unless it is busy).
      const started = this.client.timers.now();
      const fast = await this.#fast(me, started + timeout, wait.signal);
      if (fast === true) return true;
      if (fast === false) {
        if (wait.signal?.aborted) throw wait.signal.reason;
        return false;
      }
      front = true;
      timeout = Math.max(0, timeout - (this.client.timers.now() - started));
    }
    const parked = await this.line.park(timeout, wait.signal, me, () => this.#queue(), front);
    if (parked.outcome?.ok) {
      // #granted made this thread the owner.
      if (parked.aborted) {
        await this.release(true).catch(() => {});
        throw parked.reason;
      }
      return true;
    }
    this.#maybeCancel();
    if (parked.aborted) throw parked.reason;
    return false;
  }

  #fastTicket: string | undefined;
  #early: Grant | undefined;

  /**
   * The uncontended acquire: one operation that takes the lock or queues this process's ticket.
   * `true`: acquired; `false`: not reached in time; `undefined`: queued (the caller parks first in line).
   */
  async #fast(me: Thread, deadline: number, signal: AbortSignal | undefined): Promise<boolean | undefined> {
    const ticket = this.client.ticket();
    this.queued = ticket;
    this.#fastTicket = ticket;
    this.#early = undefined;
    this.client.route(ticket, (parts) => {
      if (parts[0] !== "L" || this.queued !== ticket) return;
      const grant = { ticket, token: BigInt(parts[1]), sentAt: this.client.timers.now() };
      // The reply saying "queued" may come after the wake-up (they use different connections).
      if (this.#fastTicket === ticket) this.#early = grant;
      else this.#granted(ticket, grant.token, grant.sentAt);
    });
    const sentAt = this.client.timers.now();
    let reply;
    try {
      reply = await this.client.runUntil(
        "lock.acquire",
        [this.key],
        [this.kind, ticket, this.leaseMs, 1],
        deadline,
        signal,
      );
      if (reply !== undefined) reply = this.#check(reply);
    } finally {
      this.#fastTicket = undefined;
    }
    if (this.queued !== ticket) return undefined;
    if (reply !== undefined && reply[0] === 1) {
      this.#unqueue();
      this.#own({ ticket, token: BigInt(reply[1]), sentAt }, me);
      if (signal?.aborted) {
        await this.release(true).catch(() => {});
        throw signal.reason;
      }
      this.#queue();
      return true;
    }
    const early = this.#early;
    this.#early = undefined;
    if (early !== undefined) {
      this.#unqueue();
      this.#own(early, me);
      this.#queue();
      return true;
    }
    if (reply === undefined) {
      // Not reached in time: the ticket may be queued; keep it for local waiters, or take it out.
      this.client.watch(this.#watcher, true);
      this.#maybeCancel();
      return false;
    }
    this.client.watch(this.#watcher, true);
    this.#schedulePoll((reply[1] as number) + 5);
    return undefined;
  }

  async #tryOnce(me: Thread): Promise<boolean> {
    if (this.held !== undefined || this.line.length > 0 || this.queued !== undefined) return false;
    const ticket = this.client.ticket();
    const sentAt = this.client.timers.now();
    const reply = await this.client.runUntil(
      "lock.acquire",
      [this.key],
      [this.kind, ticket, this.leaseMs, 0],
      sentAt,
    );
    if (reply === undefined) return false;
    const [granted, token] = this.#check(reply) as number[];
    if (granted !== 1) return false;
    if (this.held !== undefined) {
      // Cannot happen (the server grants one owner), but never hold twice.
      throw new RuntimeError(`Cannot acquire ${this.label}: this client holds it already`);
    }
    this.#own({ ticket, token: BigInt(token), sentAt }, me);
    return true;
  }

  /** Makes `grant` this process's ownership, for thread `owner`. */
  #own(grant: Grant, owner: Thread, count = 1): void {
    const holding = new Holding(
      this.client,
      this.label,
      this.leaseMs,
      grant.sentAt,
      async () => {
        const reply = await this.client.run("lock.renew", [this.key], [this.kind, grant.ticket, this.leaseMs]);
        return this.#check(reply)[0] === 1;
      },
    );
    this.held = { ticket: grant.ticket, token: grant.token, holding, owner, count };
    this.lastToken = grant.token;
    this.#lastLost = holding.lost;
  }

  /** Takes a grant to `ticket` (a condition waiter's own ticket) for `owner` with `count` levels. */
  adopt(ticket: string, token: bigint, sentAt: number, owner: Thread, count: number): void {
    this.#own({ ticket, token, sentAt }, owner, count);
  }

  /** Forgets the ownership without telling the server (a condition's wait released it there). */
  drop(): Held | undefined {
    const held = this.held;
    if (held === undefined) return undefined;
    held.holding.stop();
    this.held = undefined;
    return held;
  }

  /** Keeps one ticket queued while local threads wait. */
  #queue(): void {
    if (this.queued !== undefined || this.#queueing || !this.line.hasIdle || this.client.closed) return;
    const ticket = this.client.ticket();
    this.queued = ticket;
    this.client.route(ticket, (parts) => {
      if (parts[0] === "L" && this.queued === ticket) this.#granted(ticket, BigInt(parts[1]), this.client.timers.now());
    });
    this.client.watch(this.#watcher, true);
    this.#poll();
  }

  /** Asks the server about the queued ticket (queueing it again if the server forgot it). */
  #poll(): void {
    const ticket = this.queued;
    if (ticket === undefined || this.#queueing) return;
    this.#repoll?.cancel();
    this.#queueing = true;
    const sentAt = this.client.timers.now();
    this.client.run("lock.acquire", [this.key], [this.kind, ticket, this.leaseMs, 1]).then(
      (reply) => {
        this.#queueing = false;
        if (this.queued !== ticket) return;
        const [granted, value] = this.#check(reply) as number[];
        if (granted === 1) this.#granted(ticket, BigInt(value), sentAt);
        // Never poll blindly: the next look is when the holder's lease would end.
        else this.#schedulePoll(value + 5);
      },
      () => {
        this.#queueing = false;
        if (this.queued === ticket) this.#schedulePoll(50);
      },
    );
  }

  #schedulePoll(ms: number): void {
    this.#repoll?.cancel();
    this.#repoll = this.client.timers.after(ms, () => this.#poll());
  }

  /** A grant to this process's queued ticket. */
  #granted(ticket: string, token: bigint, sentAt: number): void {
    this.#unqueue();
    const waiter = this.line.oldestIdle();
    if (waiter === undefined) {
      // Nobody is left to take it: pass it on.
      void this.#releaseTicket(ticket);
    } else {
      this.#own({ ticket, token, sentAt }, waiter.payload as Thread);
      this.line.settle(waiter, { ok: true, value: { ticket, token, sentAt } });
    }
    this.#queue();
  }

  #unqueue(): void {
    if (this.queued === undefined) return;
    this.client.unroute(this.queued);
    this.client.watch(this.#watcher, false);
    this.#repoll?.cancel();
    this.queued = undefined;
  }

  /** The last local waiter gave up: take the ticket out of the server's queue. */
  #maybeCancel(): void {
    if (this.line.hasIdle || this.queued === undefined) return;
    const ticket = this.queued;
    this.#unqueue();
    this.client.runNow("lock.cancel", [this.key], [this.kind, ticket]).then((reply) => {
      const [wasOwner, handedTo] = this.#check(reply);
      if (wasOwner === 1) this.#handedLocally(handedTo as string);
    }, () => {});
  }

  async #releaseTicket(ticket: string): Promise<void> {
    const reply = await this.client.runNow("lock.release", [this.key], [this.kind, ticket]).catch(() => undefined);
    if (reply !== undefined && reply[0] === 1) this.#handedLocally(reply[1] as string, reply[2] as number);
  }

  /** The server handed the lock to `ticket`: if that is ours, deliver it now rather than by the wake-up. */
  handedTo(ticket: string, token?: number): void {
    this.#handedLocally(ticket, token);
  }

  #handedLocally(ticket: string, token?: number): void {
    if (ticket !== "" && ticket === this.queued && token !== undefined) {
      this.#granted(ticket, BigInt(token), this.client.timers.now());
    }
  }

  /** Releases for the calling thread (`force`: give back a grant an aborted waiter received). */
  async release(force = false): Promise<void> {
    const held = this.held;
    if (held === undefined) throw this.notHeld();
    if (!force && this.kind === "RLock" && held.owner !== currentThread()) throw this.notHeld();
    if (!force && --held.count > 0) return;
    this.drop();
    const lost = held.holding.lost.aborted ? held.holding.lost.reason : undefined;
    let reply;
    try {
      reply = this.#check(await this.client.runNow("lock.release", [this.key], [this.kind, held.ticket]));
    } catch (error) {
      if (lost) throw lost;
      if (error instanceof ConnectionError) {
        throw new ConnectionError(
          `Cannot release ${this.label}: ${error.message}; it is freed when its lease ends`,
          { cause: error },
        );
      }
      throw error;
    }
    if (reply[0] === 1) {
      this.#handedLocally(reply[1] as string, reply[2] as number);
      if (lost) throw lost;
      if (reply[3] === 1) {
        throw new LockLostError(`Cannot release ${this.label} cleanly: its lease had run out before the release`);
      }
      return;
    }
    throw lost ?? new LockLostError(
      `Cannot release ${this.label}: its lease ran out and it is ${
        reply[1] === "" ? "free" : "held by another client"
      } (fencing token ${held.token} is stale)`,
    );
  }

  /** The error of a release by a thread (or process) that does not hold the lock. */
  notHeld(): RuntimeError {
    if (this.kind === "RLock") {
      const owner = this.held?.owner;
      return new RuntimeError(
        `Cannot release un-acquired lock: ${this.label} is not owned by thread '${currentThread().name}'${
          owner !== undefined ? ` (owner: ${owner.name})` : ""
        }`,
      );
    }
    return new RuntimeError(`Cannot release un-acquired lock: ${this.label} is not held by this client`);
  }

  /** Whether the server says it is held by anyone. */
  async locked(): Promise<boolean> {
    const reply = this.#check(await this.client.runNow("lock.locked", [this.key], [this.kind]));
    return reply[0] === 1;
  }

  async #abandon(): Promise<void> {
    const held = this.drop();
    if (held !== undefined) {
      await this.client.run("lock.release", [this.key], [this.kind, held.ticket]).catch(() => {});
    }
    const queued = this.queued;
    this.#unqueue();
    if (queued !== undefined) await this.client.run("lock.cancel", [this.key], [this.kind, queued]).catch(() => {});
  }
}
