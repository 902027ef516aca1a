/**
 * The machinery of a distributed Lock or RLock in one process. Every
 * thread that must wait has its own ticket in the server's queue (queued in
 * the same operation that found the lock busy), so the server's order is
 * the order of arrival across all processes, threads of this one included;
 * each parks on an `Event` of the local backend. The process holds one
 * remote wait for all of them: its wake channel, plus one poll of its
 * oldest ticket when the holder's lease would end (a dead holder frees the
 * lock only when someone looks).
 *
 * | state      | meaning                                                     |
 * |------------|-------------------------------------------------------------|
 * | `held`     | this process owns the lock (`held.owner`: the thread, RLock) |
 * | `#waiting` | tickets of this process's threads in the server's queue     |
 *
 * @module
 */
import { currentThread, RuntimeError, type Thread } from "../mod.ts";
import type { Client } from "./_client.ts";
import { Holding } from "./_holding.ts";
import { Parker } from "./_line.ts";
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
  held: Held | undefined;
  lastToken: bigint = 0n;
  #lastHolding: Holding | undefined;
  #neverLost: AbortSignal | undefined;
  // The server confirmed the name is this kind: later tries may skip the script (`lock.fast`).
  #verified = false;
  // The last try found it busy: queue at once rather than try first.
  #contended = false;
  readonly #waiting = new Map<string, Parker<Grant>>();
  #poll: TimerHandle | undefined;
  #polling = false;

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
    client.holdings.add({ abandon: () => this.#abandon() });
    client.watch({ repoll: () => this.#requeue() }, true);
  }

  /** The signal of the current (or last) ownership. */
  get lost(): AbortSignal {
    const holding = this.held?.holding ?? this.#lastHolding;
    return holding?.lost ?? (this.#neverLost ??= new AbortController().signal);
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
      if (this.held.holding.isLost) throw this.held.holding.lostReason;
      this.held.count++;
      return true;
    }
    const nonBlocking = !wait.blocking || wait.timeout === 0;
    // Never barge ahead of this process's own waiters.
    if (nonBlocking && (this.held !== undefined || this.#waiting.size > 0)) return false;
    if (this.#verified && (!this.#contended || nonBlocking) && this.held === undefined && this.#waiting.size === 0) {
      // The uncontended path: one try that is not a script (on Redis, SET NX PX pipelined with HINCRBY).
      const ticket = this.client.ticket();
      const sentAt = this.client.timers.now();
      const reply = await this.client.run("lock.fast", [this.key], [this.kind, ticket, this.leaseMs]).catch(
        () => undefined,
      );
      if (reply !== undefined && reply[0] === 1 && this.held === undefined) {
        this.#own({ ticket, token: BigInt(reply[1]), sentAt }, me);
        if (wait.signal?.aborted) {
          await this.release(true).catch(() => {});
          throw wait.signal.reason;
        }
        return true;
      }
      if (reply !== undefined) this.#contended = true;
      if (nonBlocking && reply !== undefined) return false;
    }
    const started = this.client.timers.now();
    const ticket = this.client.ticket();
    const parker = new Parker<Grant>(this.client.backend, me);
    if (!nonBlocking) {
      this.#waiting.set(ticket, parker);
      this.client.route(ticket, (parts) => {
        if (parts[0] === "L") this.#granted(ticket, BigInt(parts[1]), this.client.timers.now());
      });
    }
    let reply;
    try {
      reply = await this.client.runUntil(
        "lock.acquire",
        [this.key],
        [this.kind, ticket, this.leaseMs, nonBlocking ? 0 : 1],
        started + (nonBlocking ? 0 : wait.timeout),
        wait.signal,
      );
      if (reply !== undefined) reply = this.#check(reply);
    } catch (error) {
      this.#forget(ticket, true);
      throw error;
    }
    if (reply !== undefined) {
      this.#verified = true;
      this.#contended = reply[0] !== 1;
    }
    if (reply !== undefined && reply[0] === 1) {
      if (nonBlocking) {
        this.#own({ ticket, token: BigInt(reply[1]), sentAt: started }, me);
        return true;
      }
      this.#granted(ticket, BigInt(reply[1]), started);
    } else if (reply !== undefined && !nonBlocking) this.#look(reply[1] as number);
    let parked;
    if (parker.outcome !== undefined || nonBlocking) {
      parked = { outcome: parker.outcome, aborted: wait.signal?.aborted ?? false, reason: wait.signal?.reason };
    } else {
      const left = reply === undefined ? 0 : Math.max(0, wait.timeout - (this.client.timers.now() - started));
      parked = await parker.park(left, wait.signal);
    }
    if (parked.outcome?.ok) {
      // #granted made this thread the owner.
      if (parked.aborted) {
        await this.release(true).catch(() => {});
        throw parked.reason;
      }
      return true;
    }
    if (!nonBlocking) this.#forget(ticket, true);
    if (parked.aborted) throw parked.reason;
    return false;
  }

  /** Drops a local waiter's ticket; `cancel`: also take it out of the server's queue. */
  #forget(ticket: string, cancel: boolean): void {
    if (!this.#waiting.delete(ticket)) return;
    this.client.unroute(ticket);
    if (this.#waiting.size === 0) this.#poll?.cancel();
    if (!cancel) return;
    // Nothing to do if it fails: the connection broke (the entry lapses with this client's heartbeat), or the
    // name is another kind of primitive (nothing was queued; the acquire that queued has thrown that already).
    this.client.runNow("lock.cancel", [this.key], [this.kind, ticket, this.leaseMs]).then((reply) => {
      const [wasOwner, handedTo, token] = this.#check(reply);
      if (wasOwner === 1) this.handedTo(handedTo as string, token as number);
    }).catch(() => {});
  }

  /** A grant to `ticket`, one of this process's. */
  #granted(ticket: string, token: bigint, sentAt: number): void {
    const parker = this.#waiting.get(ticket);
    const grant = { ticket, token, sentAt };
    if (parker === undefined) return;
    this.#forget(ticket, false);
    if (parker.settle({ ok: true, value: grant })) this.#own(grant, parker.owner as Thread);
    // The waiter gave up just now: pass the lock on.
    else void this.#releaseTicket(ticket);
  }

  /** Makes `grant` this process's ownership, for thread `owner`. */
  #own(grant: Grant, owner: Thread, count = 1): void {
    const holding = new Holding(
      this.client.keeper,
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
    this.#lastHolding = holding;
  }

  /** Takes a grant to `ticket` (a condition waiter's own ticket) for `owner` with `count` levels. */
  adopt(ticket: string, token: bigint, sentAt: number, owner: Thread, count: number): void {
    this.#own({ ticket, token, sentAt }, owner, count);
  }

  /** Forgets the ownership without telling the server (a condition's wait releases it there). */
  drop(): Held | undefined {
    const held = this.held;
    if (held === undefined) return undefined;
    held.holding.stop();
    this.held = undefined;
    return held;
  }

  /** Looks at the oldest waiting ticket in `ms` (when the holder's lease would end). */
  #look(ms: number): void {
    if (this.#polling || this.#waiting.size === 0) return;
    this.#poll?.cancel();
    this.#poll = this.client.timers.after(ms + 5, () => this.#pollOldest());
  }

  #pollOldest(): void {
    const ticket = this.#waiting.keys().next().value;
    if (ticket === undefined || this.#polling) return;
    this.#polling = true;
    const sentAt = this.client.timers.now();
    this.client.run("lock.acquire", [this.key], [this.kind, ticket, this.leaseMs, 1]).then(
      (reply) => {
        this.#polling = false;
        const [granted, value] = this.#check(reply) as number[];
        if (granted === 1) {
          if (this.#waiting.has(ticket)) this.#granted(ticket, BigInt(value), sentAt);
          this.#look(this.leaseMs);
        } else this.#look(value);
      },
      () => {
        this.#polling = false;
        this.#look(50);
      },
    );
  }

  /** After a reconnection the server may have lost its queue: queue every waiting ticket again, in order. */
  #requeue(): void {
    for (const ticket of this.#waiting.keys()) {
      const sentAt = this.client.timers.now();
      this.client.run("lock.acquire", [this.key], [this.kind, ticket, this.leaseMs, 1]).then((reply) => {
        const [granted, value] = this.#check(reply) as number[];
        if (granted === 1 && this.#waiting.has(ticket)) this.#granted(ticket, BigInt(value), sentAt);
        else if (granted !== 1) this.#look(value);
      }, () => this.#look(50));
    }
  }

  async #releaseTicket(ticket: string): Promise<void> {
    const reply = await this.client.runNow("lock.release", [this.key], [this.kind, ticket]).catch(() => undefined);
    if (reply !== undefined && reply[0] === 1) this.handedTo(reply[1] as string, reply[2] as number);
  }

  /**
   * The server handed the lock to `ticket` in a script this client ran: if that ticket is this client's
   * (a thread waiting for the lock, or a condition's waiter re-acquiring it), deliver the hand-off now; the
   * server pushed no wake-up for it (see `handoff` in `_redis_lock_scripts.ts`).
   */
  handedTo(ticket: string, token: number): void {
    if (ticket !== "") this.client.wakeLocally(`${ticket}|L|${token}`);
  }

  /** Releases for the calling thread (`force`: give back a grant an aborted waiter received). */
  async release(force = false): Promise<void> {
    const held = this.held;
    if (held === undefined) throw this.notHeld();
    if (!force && this.kind === "RLock" && held.owner !== currentThread()) throw this.notHeld();
    if (!force && --held.count > 0) return;
    this.drop();
    const lost = held.holding.lostReason;
    let reply;
    try {
      // One try first (the common case); then retries for `retryMs` if the connection broke.
      const args = [this.kind, held.ticket];
      reply = this.#check(
        await this.client.run("lock.release", [this.key], args).catch(() =>
          this.client.runNow("lock.release", [this.key], args)
        ),
      );
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
      this.handedTo(reply[1] as string, reply[2] as number);
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
    for (const ticket of [...this.#waiting.keys()]) {
      this.#waiting.get(ticket)?.settle({ ok: false, error: new ConnectionError("The manager was closed") });
      this.#forget(ticket, false);
      await this.client.run("lock.cancel", [this.key], [this.kind, ticket, this.leaseMs]).catch(() => {});
    }
  }
}
