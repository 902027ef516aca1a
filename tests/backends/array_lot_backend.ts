/**
 * A backend built in the test suite from the seam alone, to show that the
 * primitives ask nothing of a backend but what `backends/types.ts` says.
 * It is a variant of `async` (threads are tasks of this isolate, time is
 * real) with a parking lot of its own: cells in an `Int32Array`, waiters in
 * plain arrays kept in a `Map` per cells object (removal by search), and a
 * pending wait registered one by one. Nothing here is shared with the
 * library's own lots; it uses only the ground floor's registries (current
 * thread, pending waits, interrupts) and `spawnHere`, as any in-isolate
 * backend would.
 *
 * @module
 */
import {
  type Backend,
  type Capabilities,
  type Cells,
  DeadlockError,
  PARK_INVALID,
  type ParkRequest,
  type SpawnRequest,
  type ThreadHandle,
  type UnparkResult,
} from "@locksmith/threading";
import { currentIdentity, type ThreadIdentity, wakeAs } from "../../runtime/current_thread.ts";
import { takeInterrupt } from "../../runtime/interrupt.ts";
import { beginWait, endWait, type RegisteredWait } from "../../runtime/pending.ts";
import { spawnHere } from "../../backends/_local_thread.ts";
import { checkCellCount } from "../../backends/_cell_count.ts";

/** Int32 cells in a typed array. */
export class ArrayCells implements Cells {
  readonly view: Int32Array;
  constructor(count: number) {
    this.view = new Int32Array(count);
  }
  load(i: number): number {
    return this.view[i];
  }
  store(i: number, value: number): void {
    this.view[i] = value;
  }
  cas(i: number, expected: number, replacement: number): boolean {
    if (this.view[i] !== expected) return false;
    this.view[i] = replacement;
    return true;
  }
  add(i: number, delta: number): number {
    const old = this.view[i];
    this.view[i] = old + delta;
    return old;
  }
  loadRelaxed(i: number): number {
    return this.view[i];
  }
  storeRelaxed(i: number, value: number): void {
    this.view[i] = value;
  }
  exchange(i: number, value: number): number {
    const old = this.view[i];
    this.view[i] = value;
    return old;
  }
}

/** One parked waiter. */
class ArrayWaiter implements RegisteredWait {
  pendingPrev: RegisteredWait | undefined = undefined;
  pendingNext: RegisteredWait | undefined = undefined;
  pendingSeq = 0;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  constructor(
    readonly backend: string,
    readonly lot: ArrayLot,
    readonly list: ArrayWaiter[],
    readonly request: ParkRequest<unknown>,
    readonly thread: ThreadIdentity,
    readonly resolve: (value: unknown) => void,
    readonly reject: (reason: unknown) => void,
  ) {}

  interrupt(reason: unknown): boolean {
    return this.lot.leave(this, { error: reason });
  }
}

/** The lot: per cells object, per cell index, an array of waiters, oldest first. */
class ArrayLot {
  readonly #lists = new Map<Cells, Map<number, ArrayWaiter[]>>();

  constructor(readonly name: string) {}

  list(cells: Cells, index: number): ArrayWaiter[] {
    let byIndex = this.#lists.get(cells);
    if (byIndex === undefined) this.#lists.set(cells, byIndex = new Map());
    let list = byIndex.get(index);
    if (list === undefined) byIndex.set(index, list = []);
    return list;
  }

  existing(cells: Cells, index: number): ArrayWaiter[] | undefined {
    return this.#lists.get(cells)?.get(index);
  }

  park<T>(cells: Cells, index: number, request: ParkRequest<T>): Promise<T> | typeof PARK_INVALID {
    const thread = currentIdentity();
    const interrupt = takeInterrupt(thread);
    if (interrupt !== undefined) return Promise.reject(interrupt);
    if (!request.validate()) return PARK_INVALID;
    const list = this.list(cells, index);
    let waiter!: ArrayWaiter;
    const promise = new Promise<T>((resolve, reject) => {
      waiter = new ArrayWaiter(
        this.name,
        this,
        list,
        request as ParkRequest<unknown>,
        thread,
        resolve as (value: unknown) => void,
        reject,
      );
    });
    list.push(waiter);
    if (!request.background) beginWait(waiter);
    if (request.timeout !== Infinity) {
      waiter.timer = setTimeout(() => this.leave(waiter, "timeout"), request.timeout);
      if (thread.daemon) Deno.unrefTimer(waiter.timer as unknown as number);
    }
    const signal = request.signal;
    if (signal !== undefined) {
      waiter.onAbort = () => this.leave(waiter, { error: signal.reason });
      signal.addEventListener("abort", waiter.onAbort, { once: true });
    }
    request.beforeSleep?.();
    return promise;
  }

  parkSync<T>(cells: Cells, index: number, request: ParkRequest<T>): T | typeof PARK_INVALID {
    const thread = currentIdentity();
    const interrupt = takeInterrupt(thread);
    if (interrupt !== undefined) throw interrupt;
    if (!request.validate()) return PARK_INVALID;
    // One isolate: nobody could wake a blocked caller.
    request.timedOut?.((this.existing(cells, index)?.length ?? 0) === 0);
    if (request.timeout !== Infinity) return request.timeoutValue;
    throw new DeadlockError(
      `Cannot ${request.op} ${request.subject.label} synchronously: thread '${thread.name}' would wait forever on the '${this.name}' backend`,
    );
  }

  unparkOne(cells: Cells, index: number, callback: (result: UnparkResult) => number): boolean {
    const list = this.existing(cells, index);
    const waiter = list?.shift();
    if (waiter === undefined) {
      callback({ unparked: false, haveMore: false });
      return false;
    }
    const token = callback({ unparked: true, haveMore: list!.length > 0 });
    this.#wake(waiter, token);
    return true;
  }

  unparkMany(cells: Cells, index: number, count: number, token: number): number {
    const list = this.existing(cells, index);
    let woken = 0;
    while (list !== undefined && list.length > 0 && woken < count) {
      this.#wake(list.shift()!, token);
      woken++;
    }
    return woken;
  }

  parked(cells: Cells, index: number): number {
    return this.existing(cells, index)?.length ?? 0;
  }

  #wake(waiter: ArrayWaiter, token: number): void {
    this.#disarm(waiter);
    let value: unknown;
    try {
      value = wakeAs(waiter.thread, waiter.request, token);
    } catch (error) {
      waiter.reject(error);
      return;
    }
    waiter.resolve(value);
  }

  /** Timeout, abort or interrupt: the waiter leaves its list, if it is still in it. */
  leave(waiter: ArrayWaiter, how: "timeout" | { error: unknown }): boolean {
    const at = waiter.list.indexOf(waiter);
    if (at < 0) return false;
    waiter.list.splice(at, 1);
    this.#disarm(waiter);
    waiter.request.timedOut?.(waiter.list.length === 0);
    if (how === "timeout") waiter.resolve(waiter.request.timeoutValue);
    else waiter.reject(how.error);
    return true;
  }

  #disarm(waiter: ArrayWaiter): void {
    endWait(waiter);
    if (waiter.timer !== undefined) clearTimeout(waiter.timer);
    if (waiter.onAbort !== undefined) waiter.request.signal!.removeEventListener("abort", waiter.onAbort);
  }
}

/** The test backend: `async`'s kind of threads and clock over the array lot. */
export class ArrayLotBackend implements Backend {
  readonly name: string = "array-lot";
  readonly capabilities: Capabilities = Object.freeze({
    sharedMemory: false,
    blockingWait: false,
    virtualTime: false,
    parallelThreads: false,
    functionTargets: true,
  });
  readonly #lot = new ArrayLot(this.name);

  allocate(count: number): Cells {
    // The seam's contract on `count`, as every backend keeps it.
    return new ArrayCells(checkCellCount(count));
  }
  park<T>(cells: Cells, index: number, request: ParkRequest<T>): Promise<T> | typeof PARK_INVALID {
    return this.#lot.park(cells, index, request);
  }
  parkSync<T>(cells: Cells, index: number, request: ParkRequest<T>): T | typeof PARK_INVALID {
    return this.#lot.parkSync(cells, index, request);
  }
  unparkOne(cells: Cells, index: number, callback: (result: UnparkResult) => number): boolean {
    return this.#lot.unparkOne(cells, index, callback);
  }
  unparkMany(cells: Cells, index: number, count: number, token: number): number {
    return this.#lot.unparkMany(cells, index, count, token);
  }
  parked(cells: Cells, index: number): number {
    return this.#lot.parked(cells, index);
  }
  now(): number {
    return performance.now();
  }
  spawn(request: SpawnRequest): ThreadHandle {
    return spawnHere(this, request, queueMicrotask);
  }
}
