/**
 * Leases held by this process (a lock's ownership, a semaphore's permit):
 * each is renewed every third of its lease while held, and watched by a
 * local deadline on the monotonic clock. The deadline is measured from when
 * the last successful grant or renewal was *sent* (the server started the
 * lease no earlier), less a margin; when it passes without a renewal, the
 * holding is lost without asking the server: `lost` aborts with a
 * `LockLostError`, and the holder must assume someone else may hold it.
 *
 * One timer per client serves every holding (a grant and a release cost no
 * runtime timer, and no `AbortController` until someone asks for `lost`).
 *
 * @module
 */
import type { TimerHandle, Timers } from "./_timers.ts";
import { LockLostError } from "./errors.ts";

/** Renews once: `true` renewed, `false` the server says it is gone, `undefined` no answer. */
export type Renew = () => Promise<boolean | undefined>;

/** Every holding of one client, behind one timer. */
export class LeaseKeeper {
  readonly #holdings = new Set<Holding>();
  #timer: TimerHandle | undefined;
  #armedAt = Infinity;

  /**
   * @param timers The client's timers.
   * @param marginMs How long before its lease's end a holding counts as lost.
   */
  constructor(readonly timers: Timers, readonly marginMs: number) {}

  /** Watches `holding`. */
  add(holding: Holding): void {
    this.#holdings.add(holding);
    const due = holding.due();
    if (due < this.#armedAt) this.#arm(due);
  }

  /** Stops watching `holding`. */
  remove(holding: Holding): void {
    this.#holdings.delete(holding);
  }

  /** Looks again at `holding` (its times changed). */
  update(holding: Holding): void {
    if (this.#holdings.has(holding) && holding.due() < this.#armedAt) this.#arm(holding.due());
  }

  #arm(at: number): void {
    this.#timer?.cancel();
    this.#armedAt = at;
    this.#timer = this.timers.after(at - this.timers.now(), () => this.#tick());
  }

  #tick(): void {
    this.#timer = undefined;
    this.#armedAt = Infinity;
    const now = this.timers.now();
    let next = Infinity;
    for (const holding of [...this.#holdings]) {
      holding.tick(now);
      if (this.#holdings.has(holding)) next = Math.min(next, holding.due());
    }
    if (next < Infinity) this.#arm(Math.max(next, now + 1));
  }
}

/** One lease held. */
export class Holding {
  #controller: AbortController | undefined;
  #lostReason: LockLostError | undefined;
  #deadline: number;
  #renewAt: number;
  #renewing = false;
  #stopped = false;

  /**
   * @param keeper The client's lease keeper.
   * @param label What is held, for messages (`Lock "jobs"`).
   * @param leaseMs The lease.
   * @param sentAt When the request that was granted was sent.
   * @param renew One renewal.
   */
  constructor(
    readonly keeper: LeaseKeeper,
    readonly label: string,
    readonly leaseMs: number,
    sentAt: number,
    readonly renew: Renew,
  ) {
    this.#deadline = sentAt + leaseMs - keeper.marginMs;
    this.#renewAt = sentAt + leaseMs / 3;
    keeper.add(this);
  }

  /** When the keeper must look at it next. */
  due(): number {
    return this.#renewing ? this.#deadline : Math.min(this.#renewAt, this.#deadline);
  }

  /** Whether it is known or presumed lost. */
  get isLost(): boolean {
    return this.#lostReason !== undefined;
  }

  /** Why it was lost (a `LockLostError`), if it was. */
  get lostReason(): LockLostError | undefined {
    return this.#lostReason;
  }

  /** Aborts when the lease is known or presumed lost. */
  get lost(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#lostReason !== undefined) this.#controller.abort(this.#lostReason);
    }
    return this.#controller.signal;
  }

  /** The keeper's look: lose it past its deadline, or renew it when due. */
  tick(now: number): void {
    if (this.#stopped) return;
    if (now >= this.#deadline) {
      this.lose(`its lease of ${this.leaseMs} ms ran out before a renewal reached the server`);
      return;
    }
    if (this.#renewing || now < this.#renewAt) return;
    this.#renewing = true;
    const sentAt = now;
    this.renew().catch(() => undefined).then((renewed) => {
      this.#renewing = false;
      if (this.#stopped) return;
      if (renewed === true) {
        this.#deadline = sentAt + this.leaseMs - this.keeper.marginMs;
        this.#renewAt = sentAt + this.leaseMs / 3;
      } else if (renewed === false) {
        this.lose("the server no longer has it (its lease ran out, or the server lost its state)");
        return;
      } else {
        // No answer: try again soon; the deadline stands.
        this.#renewAt = this.keeper.timers.now() + Math.min(100, this.leaseMs / 10);
      }
      this.keeper.update(this);
    });
  }

  /** Marks it lost with `why`. */
  lose(why: string): void {
    if (this.#lostReason !== undefined) return;
    this.stop();
    this.#lostReason = new LockLostError(`Lost ${this.label}: ${why}`);
    this.#controller?.abort(this.#lostReason);
  }

  /** Stops renewing and watching (at release). */
  stop(): void {
    this.#stopped = true;
    this.keeper.remove(this);
  }
}
