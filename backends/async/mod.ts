/**
 * The `async` backend: threads are async tasks of one isolate and waiters
 * are FIFO promise queues (in the manner of `async-mutex`). It needs nothing
 * but promises and timers, so it runs everywhere, edge runtimes included. It
 * is the default backend.
 *
 * @module
 */
import { checkCellCount } from "../_cell_count.ts";
import { LocalCells } from "../_local_cells.ts";
import { LocalParkingLot, type TimerSource } from "../_local_parking_lot.ts";
import { LocalMutex } from "../_local_mutex.ts";
import { spawnHere } from "../_local_thread.ts";
import type {
  Backend,
  Capabilities,
  Cells,
  MutexOwner,
  ParkRequest,
  RawMutex,
  SpawnRequest,
  ThreadHandle,
} from "../types.ts";
import type { PARK_INVALID } from "../types.ts";

const realTimers: TimerSource = {
  setTimer(ms, fn, daemon) {
    const id = setTimeout(fn, ms);
    // A daemon thread's waits must not keep the program alive.
    if (daemon) (globalThis as { Deno?: { unrefTimer(id: number): void } }).Deno?.unrefTimer(id as unknown as number);
    return id;
  },
  clearTimer(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

/**
 * The `async` backend. Use the shared instance {@linkcode asyncBackend}.
 *
 * @example Choosing it explicitly
 * ```ts
 * import { Lock } from "@locksmith/threading";
 *
 * const lock = new Lock({ backend: "async" });
 * await lock.acquire();
 * lock.release();
 * ```
 */
export class AsyncBackend implements Backend {
  /** The backend's name. */
  readonly name: string = "async";
  /** One isolate: nothing is shared, `...Sync` twins cannot block, time is real. */
  readonly capabilities: Capabilities = Object.freeze({
    sharedMemory: false,
    blockingWait: false,
    virtualTime: false,
    parallelThreads: false,
    functionTargets: true,
  });
  readonly #lot = new LocalParkingLot("async", realTimers);
  /** Parks on a promise queue. */
  readonly park: Backend["park"] = this.#lot.park.bind(this.#lot);
  /** Wakes the oldest waiter. */
  readonly unparkOne: Backend["unparkOne"] = this.#lot.unparkOne.bind(this.#lot);

  /** Allocates plain cells. */
  allocate(count: number): Cells {
    return new LocalCells(checkCellCount(count));
  }

  /** Cannot block: a finite wait times out at once, an infinite one is a deadlock. */
  parkSync<T>(cells: Cells, index: number, request: ParkRequest<T>): T | typeof PARK_INVALID {
    return this.#lot.parkSync(cells, index, request);
  }

  /** Wakes up to `count` waiters, oldest first. */
  unparkMany(cells: Cells, index: number, count: number, token: number): number {
    return this.#lot.unparkMany(cells, index, count, token);
  }

  /** How many wait on a cell. */
  parked(cells: Cells, index: number): number {
    return this.#lot.parked(cells, index);
  }

  /** A flag and a FIFO queue: no cells, no callbacks (see `_local_mutex.ts`). */
  mutex(owner: MutexOwner): RawMutex {
    return new LocalMutex(owner, this.#lot);
  }

  /** `performance.now()`. */
  now(): number {
    return performance.now();
  }

  /** Runs the thread as a task of this isolate, starting on the next microtask. */
  spawn(request: SpawnRequest): ThreadHandle {
    // A microtask rather than a timer: nested timers are clamped to 4 ms.
    return spawnHere(this, request, queueMicrotask);
  }
}

/** The shared `async` backend. */
export const asyncBackend: AsyncBackend = new AsyncBackend();
