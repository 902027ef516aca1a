/**
 * The machinery of a distributed Semaphore in one process. As for locks,
 * every thread that must wait has its own ticket in the server's queue, so
 * permits go to waiters in their order of arrival across all processes;
 * the process holds one remote wait for them (its wake channel, plus one
 * poll of its oldest ticket when the first lease held could end). Every
 * permit held is a lease of its own, renewed while held. A release gives
 * back this process's oldest permits first, and adds the rest as new
 * permits (Python's `release(n)`).
 *
 * @module
 */
import { SEMAPHORE_VALUE_MAX, ValueError } from "../mod.ts";
import type { Client } from "./_client.ts";
import { Holding } from "./_holding.ts";
import { Parker } from "./_line.ts";
import { checkReply } from "./_replies.ts";
import type { TimerHandle } from "./_timers.ts";
import type { Wait } from "./_library.ts";
import { ConnectionError, LockLostError } from "./errors.ts";

/** A permit held by this process. */
interface Permit {
  readonly ticket: string;
  readonly holding: Holding;
}

/** The semaphore of one name, in one process. */
export class SemaphoreCore {
  readonly permits: Permit[] = [];
  readonly #waiting = new Map<string, Parker<Permit>>();
  #poll: TimerHandle | undefined;
  #polling = false;
  readonly #cfg: string;

  /**
   * @param kind `Semaphore` or `BoundedSemaphore`.
   * @param value The initial value (and the bound of a BoundedSemaphore).
   */
  constructor(
    readonly client: Client,
    readonly kind: "Semaphore" | "BoundedSemaphore",
    readonly key: string,
    readonly label: string,
    readonly value: number,
    readonly leaseMs: number,
  ) {
    this.#cfg = String(value);
    client.holdings.add({ abandon: () => this.#abandon() });
    client.watch({ repoll: () => this.#requeue() }, true);
  }

  #check(reply: (number | string)[]): (number | string)[] {
    return checkReply(reply, this.kind, this.#cfg, this.label);
  }

  #acquireArgs(ticket: string, mode: number): (string | number)[] {
    return [this.kind, this.#cfg, ticket, this.leaseMs, mode];
  }

  /** Takes a permit for the calling thread. */
  async acquire(wait: Wait): Promise<boolean> {
    const nonBlocking = !wait.blocking || wait.timeout === 0;
    if (nonBlocking && this.#waiting.size > 0) return false;
    const started = this.client.timers.now();
    const ticket = this.client.ticket();
    const parker = new Parker<Permit>(this.client.backend, undefined);
    if (!nonBlocking) {
      this.#waiting.set(ticket, parker);
      this.client.route(ticket, (parts) => {
        if (parts[0] === "S") this.#granted(ticket, this.client.timers.now());
      });
    }
    let reply;
    try {
      reply = await this.client.runUntil(
        "sem.acquire",
        [this.key],
        this.#acquireArgs(ticket, nonBlocking ? 0 : 1),
        started + (nonBlocking ? 0 : wait.timeout),
        wait.signal,
      );
      if (reply !== undefined) reply = this.#check(reply);
    } catch (error) {
      this.#forget(ticket, true);
      throw error;
    }
    if (reply !== undefined && reply[0] === 1) {
      if (nonBlocking) {
        this.permits.push(this.#permit(ticket, started));
        return true;
      }
      this.#granted(ticket, started);
    } else if (reply !== undefined && !nonBlocking) this.#look(reply[1] as number);
    if (nonBlocking) return false;
    const parked = parker.outcome !== undefined
      ? { outcome: parker.outcome, aborted: wait.signal?.aborted ?? false, reason: wait.signal?.reason }
      : await parker.park(
        reply === undefined ? 0 : Math.max(0, wait.timeout - (this.client.timers.now() - started)),
        wait.signal,
      );
    if (parked.outcome?.ok) {
      this.permits.push(parked.outcome.value);
      if (parked.aborted) {
        await this.release(1).catch(() => {});
        throw parked.reason;
      }
      return true;
    }
    this.#forget(ticket, true);
    if (parked.aborted) throw parked.reason;
    return false;
  }

  #permit(ticket: string, sentAt: number): Permit {
    const holding = new Holding(this.client.keeper, `a permit of ${this.label}`, this.leaseMs, sentAt, async () => {
      const reply = this.#check(
        await this.client.run("sem.renew", [this.key], [this.kind, this.#cfg, this.leaseMs, ticket]),
      );
      return reply.length === 0;
    });
    return { ticket, holding };
  }

  #forget(ticket: string, cancel: boolean): void {
    if (!this.#waiting.delete(ticket)) return;
    this.client.unroute(ticket);
    if (this.#waiting.size === 0) this.#poll?.cancel();
    if (cancel) {
      void this.client.runNow("sem.cancel", [this.key], [this.kind, this.#cfg, ticket, this.leaseMs]).catch(() => {});
    }
  }

  #granted(ticket: string, sentAt: number): void {
    const parker = this.#waiting.get(ticket);
    if (parker === undefined) return;
    this.#forget(ticket, false);
    const permit = this.#permit(ticket, sentAt);
    if (!parker.settle({ ok: true, value: permit })) {
      // The waiter gave up just now: give the permit back.
      permit.holding.stop();
      void this.client.runNow("sem.release", [this.key], [this.kind, this.#cfg, 0, SEMAPHORE_VALUE_MAX, 0, ticket])
        .catch(() => {});
    }
  }

  #look(ms: number): void {
    if (this.#polling || this.#waiting.size === 0) return;
    this.#poll?.cancel();
    // With no lease held to run out, a release wakes the waiters; look now and then all the same.
    this.#poll = this.client.timers.after(ms < 0 ? this.client.leaseMs : ms + 5, () => this.#pollOldest());
  }

  #pollOldest(): void {
    const ticket = this.#waiting.keys().next().value;
    if (ticket === undefined || this.#polling) return;
    this.#polling = true;
    const sentAt = this.client.timers.now();
    this.client.run("sem.acquire", [this.key], this.#acquireArgs(ticket, 1)).then(
      (reply) => {
        this.#polling = false;
        const [granted, next] = this.#check(reply) as number[];
        if (granted === 1) {
          this.#granted(ticket, sentAt);
          this.#look(this.leaseMs);
        } else this.#look(next);
      },
      () => {
        this.#polling = false;
        this.#look(50);
      },
    );
  }

  #requeue(): void {
    for (const ticket of this.#waiting.keys()) {
      const sentAt = this.client.timers.now();
      this.client.run("sem.acquire", [this.key], this.#acquireArgs(ticket, 1)).then((reply) => {
        const [granted, next] = this.#check(reply) as number[];
        if (granted === 1) this.#granted(ticket, sentAt);
        else this.#look(next);
      }, () => this.#look(50));
    }
  }

  /** Gives back `n` permits: this process's oldest held ones first, then new ones. */
  async release(n: number): Promise<void> {
    const taken = this.permits.splice(0, Math.min(n, this.permits.length));
    const bound = this.kind === "BoundedSemaphore" ? this.value : 0;
    const extra = n - taken.length;
    let reply;
    try {
      reply = this.#check(
        await this.client.runNow("sem.release", [this.key], [
          this.kind,
          this.#cfg,
          bound,
          SEMAPHORE_VALUE_MAX,
          extra,
          ...taken.map((p) => p.ticket),
        ]),
      );
    } catch (error) {
      this.permits.unshift(...taken);
      throw error;
    }
    if (reply[0] === -3 || reply[0] === -4) {
      this.permits.unshift(...taken);
      throw new ValueError(
        reply[0] === -3
          ? `Cannot release ${this.label}: released too many times (its bound is ${this.value})`
          : `Cannot release ${this.label}: its value would exceed ${SEMAPHORE_VALUE_MAX}`,
      );
    }
    for (const permit of taken) permit.holding.stop();
    const lost = taken.find((p) => p.holding.isLost);
    if (lost !== undefined) throw lost.holding.lostReason;
    if ((reply[1] as number) > 0) {
      throw new LockLostError(`Cannot release a permit of ${this.label}: its lease had run out`);
    }
  }

  /** The number of free permits on the server. */
  async free(): Promise<number> {
    return this.#check(await this.client.runNow("sem.value", [this.key], [this.kind, this.#cfg]))[0] as number;
  }

  async #abandon(): Promise<void> {
    const taken = this.permits.splice(0);
    for (const permit of taken) permit.holding.stop();
    if (taken.length > 0) {
      await this.client.run("sem.release", [this.key], [
        this.kind,
        this.#cfg,
        0,
        SEMAPHORE_VALUE_MAX,
        0,
        ...taken.map((p) => p.ticket),
      ]).catch(() => {});
    }
    for (const ticket of [...this.#waiting.keys()]) {
      this.#waiting.get(ticket)?.settle({ ok: false, error: new ConnectionError("The manager was closed") });
      this.#forget(ticket, false);
      await this.client.run("sem.cancel", [this.key], [this.kind, this.#cfg, ticket, this.leaseMs]).catch(() => {});
    }
  }
}
