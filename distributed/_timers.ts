/**
 * Timers on the clock of the local backend: real `setTimeout` where time is
 * real, and one daemon thread that sleeps on the backend's virtual clock
 * where it is virtual (`cooperative`), so that a lease of a minute expires
 * without real waiting and an explored schedule replays exactly.
 *
 * @module
 */
import { type Backend, Event, Thread } from "../mod.ts";

/** A pending timer. */
export interface TimerHandle {
  /** Stops it (no effect once it ran). */
  cancel(): void;
}

/** A clock with timers. */
export interface Timers {
  /** The current time in ms. */
  now(): number;
  /** Runs `fn` after `ms`. */
  after(ms: number, fn: () => void): TimerHandle;
  /** Resolves after `ms` (or at once once closed). */
  sleep(ms: number): Promise<void>;
  /** Stops every timer. */
  close(): Promise<void>;
}

/** Real time. */
export class RealTimers implements Timers {
  readonly #pending = new Set<ReturnType<typeof setTimeout>>();
  readonly #sleepers = new Set<() => void>();

  now(): number {
    return performance.now();
  }

  after(ms: number, fn: () => void): TimerHandle {
    const id = setTimeout(() => {
      this.#pending.delete(id);
      fn();
    }, Math.max(0, ms));
    this.#pending.add(id);
    return {
      cancel: () => {
        clearTimeout(id);
        this.#pending.delete(id);
      },
    };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#sleepers.delete(done);
        handle.cancel();
        resolve();
      };
      const handle = this.after(ms, done);
      this.#sleepers.add(done);
    });
  }

  close(): Promise<void> {
    for (const id of this.#pending) clearTimeout(id);
    this.#pending.clear();
    for (const wake of [...this.#sleepers]) wake();
    return Promise.resolve();
  }
}

interface Entry {
  at: number;
  fn: () => void;
  cancelled: boolean;
}

/** The virtual clock of a backend, served by one daemon thread. */
export class BackendTimers implements Timers {
  readonly #backend: Backend;
  readonly #entries: Entry[] = [];
  readonly #rearm: Event;
  #thread: Thread | undefined;
  #closed = false;
  readonly #sleepers = new Set<() => void>();

  constructor(backend: Backend) {
    this.#backend = backend;
    this.#rearm = new Event({ backend });
  }

  now(): number {
    return this.#backend.now();
  }

  after(ms: number, fn: () => void): TimerHandle {
    const entry: Entry = { at: this.now() + Math.max(0, ms), fn, cancelled: false };
    if (this.#closed) return { cancel() {} };
    let i = this.#entries.length;
    while (i > 0 && this.#entries[i - 1].at > entry.at) i--;
    this.#entries.splice(i, 0, entry);
    if (i === 0) this.#rearm.set();
    this.#start();
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  sleep(ms: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.#sleepers.delete(done);
        resolve();
      };
      this.#sleepers.add(done);
      this.after(ms, done);
    });
  }

  #start(): void {
    if (this.#thread !== undefined) return;
    this.#thread = new Thread({
      backend: this.#backend,
      daemon: true,
      name: "distributed-timers",
      target: () => this.#loop(),
    });
    this.#thread.start();
  }

  async #loop(): Promise<void> {
    while (!this.#closed) {
      while (this.#entries.length > 0 && this.#entries[0].cancelled) this.#entries.shift();
      const next = this.#entries[0];
      if (next !== undefined && next.at <= this.now()) {
        this.#entries.shift();
        next.fn();
        continue;
      }
      this.#rearm.clear();
      try {
        await this.#rearm.wait(next === undefined ? null : next.at - this.now());
      } catch {
        return;
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#entries.splice(0);
    this.#rearm.set();
    await this.#thread?.join();
    for (const wake of [...this.#sleepers]) wake();
  }
}
