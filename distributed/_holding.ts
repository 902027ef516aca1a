/**
 * A lease held by this process (a lock's ownership or a semaphore's
 * permit): renewed every third of the lease while held, and watched by a
 * local deadline on the monotonic clock. The deadline is measured from when
 * the last successful grant or renewal was *sent* (the server started the
 * lease no earlier), less a margin; when it passes without a renewal, the
 * holding is lost without asking the server: `lost` aborts with a
 * `LockLostError`, and the holder must assume someone else may hold it.
 *
 * @module
 */
import type { Client } from "./_client.ts";
import type { TimerHandle } from "./_timers.ts";
import { LockLostError } from "./errors.ts";

/** Renews once: `true` renewed, `false` the server says it is gone, `undefined` no answer. */
export type Renew = () => Promise<boolean | undefined>;

/** One lease held. */
export class Holding {
  readonly #controller = new AbortController();
  readonly #client: Client;
  readonly #label: string;
  readonly #leaseMs: number;
  readonly #renew: Renew;
  #deadline: number;
  #renewTimer: TimerHandle | undefined;
  #watchdog: TimerHandle | undefined;
  #stopped = false;

  /**
   * @param client The client whose timers it uses.
   * @param label What is held, for messages (`Lock "jobs"`).
   * @param leaseMs The lease.
   * @param sentAt When the request that was granted was sent.
   * @param renew One renewal.
   */
  constructor(client: Client, label: string, leaseMs: number, sentAt: number, renew: Renew) {
    this.#client = client;
    this.#label = label;
    this.#leaseMs = leaseMs;
    this.#renew = renew;
    this.#deadline = sentAt + leaseMs - client.marginMs;
    this.#arm();
    this.#scheduleRenewal();
  }

  /** Aborts when the lease is known or presumed lost. */
  get lost(): AbortSignal {
    return this.#controller.signal;
  }

  #arm(): void {
    this.#watchdog?.cancel();
    this.#watchdog = this.#client.timers.after(this.#deadline - this.#client.timers.now(), () => {
      if (!this.#stopped) {
        this.lose(`its lease of ${this.#leaseMs} ms ran out before a renewal reached the server`);
      }
    });
  }

  #scheduleRenewal(): void {
    this.#renewTimer = this.#client.timers.after(this.#leaseMs / 3, async () => {
      if (this.#stopped) return;
      const sentAt = this.#client.timers.now();
      const renewed = await this.#renew().catch(() => undefined);
      if (this.#stopped) return;
      if (renewed === true) {
        this.#deadline = sentAt + this.#leaseMs - this.#client.marginMs;
        this.#arm();
      } else if (renewed === false) {
        this.lose("the server no longer has it (its lease ran out, or the server lost its state)");
        return;
      }
      this.#scheduleRenewal();
    });
  }

  /** Marks it lost with `why`. */
  lose(why: string): void {
    if (this.#controller.signal.aborted) return;
    this.stop();
    this.#controller.abort(new LockLostError(`Lost ${this.#label}: ${why}`));
  }

  /** Stops renewing and watching (at release). */
  stop(): void {
    this.#stopped = true;
    this.#renewTimer?.cancel();
    this.#watchdog?.cancel();
  }
}
