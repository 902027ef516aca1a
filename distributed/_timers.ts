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
  /** Stops every timer without waiting for anything (a crash). */
  stop(): void;
}

interface Entry {
  at: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * Real time: a heap of timers behind one `setTimeout` for the earliest
 * (a lease's renewal and watchdog are set at every grant and cancelled at
 * every release: one runtime timer per grant would cost more than the rest
 * of an uncontended acquire).
 */
export class RealTimers implements Timers {
  readonly #heap: Entry[] = [];
  #armedAt = Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #sleepers = new Set<() => void>();
  #closed = false;

  now(): number {
    return performance.now();
  }

  after(ms: number, fn: () => void): TimerHandle {
    const entry: Entry = { at: performance.now() + Math.max(0, ms), fn, cancelled: false };
    if (this.#closed) return { cancel() {} };
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].at <= entry.at) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = entry;
    if (entry.at < this.#armedAt) this.#arm(entry.at);
    return {
      cancel() {
        entry.cancelled = true;
      },
    };
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#armedAt = at;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, at - performance.now()));
  }

  #pop(): Entry | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && heap[right].at < heap[left].at ? right : left;
        if (heap[child].at >= last.at) break;
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedAt = Infinity;
    const now = performance.now();
    while (this.#heap.length > 0 && (this.#heap[0].cancelled || this.#heap[0].at <= now)) {
      const entry = this.#pop()!;
      if (!entry.cancelled) entry.fn();
    }
    if (this.#heap.length > 0 && !this.#closed) this.#arm(this.#heap[0].at);
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

  stop(): void {
    void this.close();
  }

  close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#heap.length = 0;
    for (const wake of [...this.#sleepers]) wake();
    return Promise.resolve();
  }
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

  stop(): void {
    this.#closed = true;
    this.#entries.splice(0);
    this.#rearm.set();
    for (const wake of [...this.#sleepers]) wake();
  }

  async close(): Promise<void> {
    this.stop();
    await this.#thread?.join();
  }
}
