/**
 * One manager's link to its engine: its client id and tickets, the routing
 * of wake-ups to the waiting primitives, the heartbeat that keeps its queue
 * entries alive, timers on the local backend's clock, and retries across
 * broken connections.
 *
 * @module
 */
import type { Backend } from "../mod.ts";
import type { Engine, OpReply, WakeChannel } from "./_engine.ts";
import { ConnectionBroken } from "./_resp.ts";
import { ConnectionError } from "./errors.ts";
import { BackendTimers, RealTimers, type Timers } from "./_timers.ts";
import { LeaseKeeper } from "./_holding.ts";

/** What the client is made with. */
export interface ClientSettings {
  readonly engine: Engine;
  /** The backend local waits park on. */
  readonly backend: Backend;
  /** The default lease of locks and permits, and the time to live of the client's heartbeat. */
  readonly leaseMs: number;
  /** How long before its lease ends a holder considers it lost. */
  readonly marginMs: number;
  /** How long a call that does not wait keeps retrying a broken connection. */
  readonly retryMs: number;
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return [...bytes].map((b) => b.toString(36).padStart(2, "0")).join("").slice(0, 14);
}

/** A primitive's state that must be looked at again after a reconnection (wake-ups may be lost). */
export interface Repollable {
  repoll(): void;
}

/** The client. */
export class Client {
  readonly id: string;
  readonly engine: Engine;
  readonly backend: Backend;
  readonly timers: Timers;
  /** Renews and watches every lease this client holds. */
  readonly keeper: LeaseKeeper;
  readonly leaseMs: number;
  readonly marginMs: number;
  readonly retryMs: number;
  #seq = 0;
  readonly #routes = new Map<string, (parts: string[]) => void>();
  readonly #repollable = new Set<Repollable>();
  #wakes: WakeChannel | undefined;
  #heartbeat: { cancel(): void } | undefined;
  #closed = false;
  #crashed = false;
  /** Cleanups run at close (releases of what is held). */
  readonly holdings: Set<{ abandon(): Promise<void> }> = new Set();

  constructor(settings: ClientSettings) {
    this.id = randomId();
    this.engine = settings.engine;
    this.backend = settings.backend;
    this.leaseMs = settings.leaseMs;
    this.marginMs = settings.marginMs;
    this.retryMs = settings.retryMs;
    this.timers = settings.backend.capabilities.virtualTime ? new BackendTimers(settings.backend) : new RealTimers();
    this.keeper = new LeaseKeeper(this.timers, this.marginMs);
  }

  /** Starts the heartbeat and the wake channel. */
  async start(): Promise<void> {
    await this.engine.beat(this.id, this.leaseMs);
    this.#scheduleBeat();
    this.#wakes = this.engine.openWakes(this.id, (message) => this.#deliver(message), () => this.#reconnected());
  }

  get closed(): boolean {
    return this.#closed;
  }

  #scheduleBeat(): void {
    if (this.#closed) return;
    this.#heartbeat = this.timers.after(this.leaseMs / 3, () => {
      this.engine.beat(this.id, this.leaseMs).catch(() => {}).finally(() => this.#scheduleBeat());
    });
  }

  #reconnected(): void {
    if (this.#closed) return;
    // The server may have restarted: be alive again before queueing again.
    this.engine.beat(this.id, this.leaseMs).catch(() => {}).finally(() => {
      for (const waiter of this.#repollable) waiter.repoll();
    });
  }

  /** A new ticket of this client. */
  ticket(): string {
    return `${this.id}.${(++this.#seq).toString(36)}`;
  }

  /** Sends wake-ups of `ticket` to `handler` (the parts after the ticket). */
  route(ticket: string, handler: (parts: string[]) => void): void {
    this.#routes.set(ticket, handler);
    this.#wakes?.wanted?.();
  }

  /** Stops routing wake-ups of `ticket`. */
  unroute(ticket: string): void {
    this.#routes.delete(ticket);
  }

  /** Registers state to look at again after a reconnection. */
  watch(waiter: Repollable, on: boolean): void {
    if (on) this.#repollable.add(waiter);
    else this.#repollable.delete(waiter);
  }

  /**
   * Delivers a wake-up of one of this client's tickets that the server handed back in a reply
   * instead of pushing it to the wake list (a lock handed to a waiter of this process).
   */
  wakeLocally(message: string): void {
    this.#deliver(message);
  }

  // Says whether a thread still waits for a wake-up (a ticket still routed).
  #deliver(message: string): boolean {
    const parts = message.split("|");
    const handler = this.#routes.get(parts[0]);
    if (handler !== undefined) handler(parts.slice(1));
    return this.#routes.size > 0;
  }

  /** Runs an operation once. */
  run(op: string, keys: readonly string[], args: readonly (string | number)[]): Promise<OpReply> {
    if (this.#crashed) return Promise.reject(new ConnectionBroken("The client crashed"));
    return this.engine.run(op, keys, args);
  }

  /**
   * Runs an operation, retrying a broken connection (with backoff) until `deadline` on the timers'
   * clock; `undefined` if the deadline passed first.
   */
  async runUntil(
    op: string,
    keys: readonly string[],
    args: readonly (string | number)[],
    deadline: number,
    signal?: AbortSignal,
  ): Promise<OpReply | undefined> {
    let backoff = 10;
    for (;;) {
      try {
        return await this.run(op, keys, args);
      } catch (error) {
        if (!(error instanceof ConnectionBroken)) throw error;
        if (this.#closed) throw new ConnectionError(`Cannot reach ${this.engine.address}: the manager is closed`);
        const left = deadline - this.timers.now();
        if (left <= 0 || signal?.aborted) return undefined;
        await this.timers.sleep(Math.min(backoff, left));
        backoff = Math.min(backoff * 2, 500);
      }
    }
  }

  /** Runs an operation that does not wait, retrying a broken connection for `retryMs`. */
  async runNow(op: string, keys: readonly string[], args: readonly (string | number)[]): Promise<OpReply> {
    let failure: unknown;
    const reply = await this.runUntil(op, keys, args, this.timers.now() + this.retryMs).catch((error) => {
      failure = error;
      return undefined;
    });
    if (reply !== undefined) return reply;
    if (failure !== undefined && !(failure instanceof ConnectionBroken)) throw failure;
    throw new ConnectionError(`Cannot reach ${this.engine.address} within ${this.retryMs} ms`, { cause: failure });
  }

  /** Releases what is held, ends the heartbeat and the connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    for (const holding of [...this.holdings]) await holding.abandon().catch(() => {});
    this.#closed = true;
    this.#heartbeat?.cancel();
    await this.engine.leave(this.id).catch(() => {});
    await this.#wakes?.close();
    await this.engine.close();
    await this.timers.close();
    this.#routes.clear();
    this.#repollable.clear();
  }

  /** Stops at once without cleaning up, as a killed process would (memory engine tests). */
  crash(): void {
    this.#crashed = true;
    this.#closed = true;
    this.#heartbeat?.cancel();
    void this.#wakes?.close();
    this.timers.stop();
    this.#routes.clear();
    this.#repollable.clear();
  }
}
