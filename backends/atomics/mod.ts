/**
 * The `atomics` backend: real threads. Primitives keep their state in one
 * shared heap (a growable `SharedArrayBuffer`) operated with `Atomics`;
 * waiters queue in a parking lot in that same memory and sleep in
 * `Atomics.waitAsync` (Promise API) or `Atomics.wait` (the `...Sync` twins,
 * which really block, in a Worker and on Deno's main thread). A `Thread`
 * with a `{ module, export }` target runs in a new Worker, in parallel; its
 * arguments are structured-cloned, and primitives among them arrive as the
 * same primitives over the same memory.
 *
 * Locks are eventually fair: a release lets a thread that re-acquires at
 * once win against a woken waiter, except about once a millisecond, when the
 * lock is handed to the oldest waiter (so none starves and a contended lock
 * is not limited to one owner per wake-up).
 *
 * @module
 */
import { describe } from "../../runtime/describe.ts";
import type { Backend, Capabilities, Cells, ParkRequest, SpawnRequest, ThreadHandle, UnparkResult } from "../types.ts";
import { spawnHere } from "../_local_thread.ts";
import { checkCellCount } from "../_cell_count.ts";
import type { PARK_INVALID } from "../types.ts";
import { SharedHeap } from "./_heap.ts";
import { getDefaultHeap, heapOf, isDefaultHeap } from "./_heap_registry.ts";
import { lotFor, type SharedParkingLot } from "./_parking_lot.ts";
import { ForeignCells, setCellsBackend, SharedCells } from "./_shared_cells.ts";
import { spawnWorkerThread } from "./_worker_threads.ts";
import { slabsOf } from "./_slabs.ts";

/** Where a primitive's cells live: what a handle carries to another thread. */
export interface SharedLocation {
  /** The heap. */
  readonly buffer: SharedArrayBuffer;
  /** The index of the first cell in the heap. */
  readonly index: number;
  /** The first cell of the slab the cells are in (their memory is given back with it). */
  readonly slab: number;
  /** Which life of that memory the slab is: a stale handle is refused. */
  readonly generation: number;
  /** Where the handle's reference to the slab waits to be redeemed by the thread that revives it. */
  readonly ticket: number;
  /** What the ticket holds until then. */
  readonly serial: number;
}

function lotOf(cells: Cells): SharedParkingLot {
  if (!SharedCells.is(cells)) {
    throw new TypeError(
      `Cannot park on cells of another kind of backend: expected shared cells, received ${cells?.constructor?.name}`,
    );
  }
  return lotFor(cells.heap);
}

/**
 * The `atomics` backend. Use the shared instance, by name:
 * `{ backend: "atomics" }`.
 *
 * @example A lock in shared memory
 * ```ts
 * import { Lock } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * const lock = new Lock({ backend: "atomics" });
 * assertEquals(lock.acquireSync(), true);
 * assertEquals(lock.acquireSync(true, 10), false); // really blocks for 10 ms
 * lock.release();
 * ```
 */
export class AtomicsBackend implements Backend {
  /** The backend's name. */
  readonly name: string = "atomics";
  /** Shared memory, blocking waits, Worker threads (module targets only), eventually fair locks. */
  readonly capabilities: Capabilities = Object.freeze({
    sharedMemory: true,
    blockingWait: true,
    virtualTime: false,
    parallelThreads: true,
    functionTargets: false,
  });

  /**
   * Allocates cells in the shared heap. They are given back once no thread
   * can reach them: neither a primitive over them nor a handle in flight.
   */
  allocate(count: number, kind: string = "cells"): Cells {
    return slabsOf(getDefaultHeap()).allocate(checkCellCount(count), kind);
  }

  /**
   * Allocates cells as a slot of the cells of their slab (see
   * `Backend.allocateSlot`), given back as `allocate`'s are.
   */
  allocateSlot(count: number, kind: string = "cells"): { readonly cells: Cells; readonly at: number } {
    return slabsOf(getDefaultHeap()).allocateSlot(checkCellCount(count), kind);
  }

  /**
   * Where the cells live, from cell `at` on (a handle's payload). The
   * location holds a reference to them until a thread revives it (`adopt`).
   */
  locate(cells: Cells, at: number = 0): SharedLocation {
    if (!SharedCells.is(cells)) {
      throw new TypeError(`Cannot locate cells of another backend: received ${cells?.constructor?.name}`);
    }
    const heap = cells.heap;
    return { buffer: heap.buffer, index: cells.base + at, ...slabsOf(heap).ticket(cells.ref) };
  }

  /** The cells at a location from `locate`, checked against `kind` and `count`. */
  adopt(location: unknown, kind: string, count: number): Cells {
    const { buffer, index, slab, generation, ticket, serial } = (location ?? {}) as Partial<SharedLocation>;
    if (!SharedHeap.isHeap(buffer)) {
      throw new TypeError(
        `Cannot revive ${kind}: its handle does not point into an atomics heap (received ${
          (buffer as unknown) instanceof SharedArrayBuffer ? "a foreign SharedArrayBuffer" : describe(buffer)
        })`,
      );
    }
    const heap = heapOf(buffer);
    const slabs = slabsOf(heap);
    const problem = slabs.check(index, kind, count, slab, generation);
    if (problem !== undefined) throw new TypeError(`Cannot revive ${kind}: ${problem}`);
    const ref = slabs.reference(slab!, generation!, ticket, serial);
    if (ref === undefined) {
      throw new TypeError(
        `Cannot revive ${kind}: its memory was given back (no thread held it), so this handle is stale`,
      );
    }
    return isDefaultHeap(heap) ? new SharedCells(index!, ref, count) : new ForeignCells(heap, index!, ref, count);
  }

  /** Parks in the shared parking lot, sleeping in `Atomics.waitAsync`. */
  park<T>(cells: Cells, index: number, request: ParkRequest<T>): Promise<T> | typeof PARK_INVALID {
    return lotOf(cells).park(cells as SharedCells, index, request);
  }

  /** Parks, blocking the calling thread in `Atomics.wait`. */
  parkSync<T>(cells: Cells, index: number, request: ParkRequest<T>): T | typeof PARK_INVALID {
    return lotOf(cells).parkSync(cells as SharedCells, index, request);
  }

  /** Wakes the oldest waiter on the cell, in whichever thread it sleeps. */
  unparkOne(cells: Cells, index: number, callback: (result: UnparkResult) => number): boolean {
    return lotOf(cells).unparkOne(cells as SharedCells, index, callback);
  }

  /** Wakes up to `count` waiters, oldest first. */
  unparkMany(cells: Cells, index: number, count: number, token: number): number {
    return lotOf(cells).unparkMany(cells as SharedCells, index, count, token);
  }

  /** How many wait on the cell, in every thread. */
  parked(cells: Cells, index: number): number {
    return lotOf(cells).parked(cells as SharedCells, index);
  }

  /** The shared clock: one timeline for the main thread and every Worker. */
  now(): number {
    return getDefaultHeap().now();
  }

  /**
   * Runs a plain call of a module export in a new Worker, in parallel; any
   * other thread (a `Timer`, a `Thread` subclass overriding `run`) as a task
   * of this isolate.
   */
  spawn(request: SpawnRequest): ThreadHandle {
    const call = request.call;
    return call === undefined
      ? spawnHere(this, request, queueMicrotask)
      : spawnWorkerThread(getDefaultHeap(), request, call);
  }
}

let instance: AtomicsBackend | undefined;

/** The shared `atomics` backend, made on first use. */
export function atomicsBackend(): AtomicsBackend {
  if (instance === undefined) setCellsBackend(instance = new AtomicsBackend());
  return instance;
}
