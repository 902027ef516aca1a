/**
 * The machinery of a distributed Semaphore in one process: local threads
 * wait in a local line behind one ticket of the process in the server's
 * queue; every permit this process holds is a lease of its own, renewed
 * while held. A release gives back this process's oldest permits first,
 * and adds the rest as new permits (Python's `release(n)`).
 *
 * @module
 */
import { SEMAPHORE_VALUE_MAX, ValueError } from "../mod.ts";
import type { Client } from "./_client.ts";
import { Holding } from "./_holding.ts";
import { LocalLine } from "./_line.ts";
import { checkReply } from "./_replies.ts";
import type { TimerHandle } from "./_timers.ts";
import type { Wait } from "./_library.ts";
import { LockLostError } from "./errors.ts";

/** A permit held by this process. */
interface Permit {
  readonly ticket: string;
  readonly holding: Holding;
}

/** The semaphore of one name, in one process. */
export class SemaphoreCore {
  readonly line: LocalLine<Permit>;
  readonly permits: Permit[] = [];
  #queued: string | undefined;
  #repoll: TimerHandle | undefined;
  #polling = false;
  readonly #cfg: string;
  readonly #watcher = { repoll: () => this.#poll() };

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
    this.line = new LocalLine(client.backend);
    client.holdings.add({ abandon: () => this.#abandon() });
  }

  #check(reply: (number | string)[]): (number | string)[] {
    return checkReply(reply, this.kind, this.#cfg, this.label);
  }

  /** Takes a permit for the calling thread. */
  async acquire(wait: Wait): Promise<boolean> {
    if (!wait.blocking || wait.timeout === 0) return await this.#tryOnce();
    const parked = await this.line.park(wait.timeout, wait.signal, undefined, () => this.#queue());
    if (parked.outcome?.ok) {
      this.permits.push(parked.outcome.value);
      if (parked.aborted) {
        await this.release(1).catch(() => {});
        throw parked.reason;
      }
      return true;
    }
    this.#maybeCancel();
    if (parked.aborted) throw parked.reason;
    return false;
  }

  async #tryOnce(): Promise<boolean> {
    if (this.line.length > 0 || this.#queued !== undefined) return false;
    const ticket = this.client.ticket();
    const sentAt = this.client.timers.now();
    const reply = await this.client.runUntil(
      "sem.acquire",
      [this.key],
      [this.kind, this.#cfg, ticket, this.leaseMs, 0],
      sentAt,
    );
    if (reply === undefined || this.#check(reply)[0] !== 1) return false;
    this.permits.push(this.#permit(ticket, sentAt));
    return true;
  }

  #permit(ticket: string, sentAt: number): Permit {
    const holding = new Holding(this.client, `a permit of ${this.label}`, this.leaseMs, sentAt, async () => {
      const reply = this.#check(
        await this.client.run("sem.renew", [this.key], [this.kind, this.#cfg, this.leaseMs, ticket]),
      );
      return reply.length === 0;
    });
    return { ticket, holding };
  }

  #queue(): void {
    if (this.#queued !== undefined || !this.line.hasIdle || this.client.closed) return;
    const ticket = this.client.ticket();
    this.#queued = ticket;
    this.client.route(ticket, (parts) => {
      if (parts[0] === "S" && this.#queued === ticket) this.#granted(ticket, this.client.timers.now());
    });
    this.client.watch(this.#watcher, true);
    this.#poll();
  }

  #poll(): void {
    const ticket = this.#queued;
    if (ticket === undefined || this.#polling) return;
    this.#repoll?.cancel();
    this.#polling = true;
    const sentAt = this.client.timers.now();
    this.client.run("sem.acquire", [this.key], [this.kind, this.#cfg, ticket, this.leaseMs, 1]).then(
      (reply) => {
        this.#polling = false;
        if (this.#queued !== ticket) return;
        const [granted, next] = this.#check(reply) as number[];
        if (granted === 1) this.#granted(ticket, sentAt);
        // The next look: when the first lease held could end (or, with none, a lease from now).
        else this.#schedule(next < 0 ? this.client.leaseMs : next + 5);
      },
      () => {
        this.#polling = false;
        if (this.#queued === ticket) this.#schedule(50);
      },
    );
  }

  #schedule(ms: number): void {
    this.#repoll?.cancel();
    this.#repoll = this.client.timers.after(ms, () => this.#poll());
  }

  #granted(ticket: string, sentAt: number): void {
    this.#unqueue();
    const permit = this.#permit(ticket, sentAt);
    if (this.line.grant(permit) === undefined) {
      permit.holding.stop();
      void this.client.runNow("sem.release", [this.key], [this.kind, this.#cfg, 0, SEMAPHORE_VALUE_MAX, 0, ticket])
        .catch(() => {});
    }
    this.#queue();
  }

  #unqueue(): void {
    if (this.#queued === undefined) return;
    this.client.unroute(this.#queued);
    this.client.watch(this.#watcher, false);
    this.#repoll?.cancel();
    this.#queued = undefined;
  }

  #maybeCancel(): void {
    if (this.line.hasIdle || this.#queued === undefined) return;
    const ticket = this.#queued;
    this.#unqueue();
    void this.client.runNow("sem.cancel", [this.key], [this.kind, this.#cfg, ticket]).catch(() => {});
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
    const lost = taken.find((p) => p.holding.lost.aborted);
    if (lost !== undefined) throw lost.holding.lost.reason;
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
    const queued = this.#queued;
    this.#unqueue();
    if (queued !== undefined) {
      await this.client.run("sem.cancel", [this.key], [this.kind, this.#cfg, queued]).catch(() => {});
    }
  }
}
