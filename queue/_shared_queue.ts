/**
 * A queue on a backend with shared memory, handed to another thread: until
 * then its items live in this isolate (they keep their identity, and only
 * this isolate's threads can reach them); the first time it is handed over
 * (a `Thread` argument, a structured clone) they move into shared memory,
 * and from then on every Worker that holds the queue puts and gets the same
 * items, structured-cloned. Each kind keeps its order there: a `Queue` in a
 * ring (`backends/atomics/shared_ring.ts`), a `LifoQueue` in a stack
 * (`shared_stack.ts`), a `PriorityQueue` in a heap (`shared_priority_heap.ts`).
 *
 * @module
 */
import type { Backend } from "../backends/types.ts";
import { SharedRingStorage } from "../backends/atomics/shared_ring.ts";
import { SharedStackStorage } from "../backends/atomics/shared_stack.ts";
import { SharedPriorityHeap } from "../backends/atomics/shared_priority_heap.ts";
import type { HandleFacts } from "../primitives/revive.ts";
import { describe } from "../runtime/describe.ts";
import type { QueueStorage } from "./_storage.ts";

/** The sharing options of a queue's constructor. */
export interface SharingOptions {
  /** Where the items live (see `QueueOptions.shared`). */
  readonly shared?: boolean;
  /** The bytes the shared storage starts with (it grows as needed). */
  readonly sharedBytes?: number;
}

/**
 * Makes a queue's storage in shared memory: a new one (`facts` undefined,
 * `bytes` to start with), or one over the facts a handle carried.
 */
export type SharedStorageMaker<T> = (facts: HandleFacts | undefined, bytes: number | undefined) => QueueStorage<T>;

/** Why a subclass of a queue (other than the library's) cannot be shared. */
export const SUBCLASS_NOT_SHAREABLE =
  "a subclass of a queue cannot be revived in another thread (Queue, LifoQueue, PriorityQueue and SimpleQueue can)";

/**
 * Checks the sharing options: `shared` as given (`true`, `false` or
 * `undefined`: shared on first hand-over, where it can be).
 *
 * @param kind The queue's class, for messages.
 * @param options The constructor's options.
 * @param whyNot Why this queue can never be shared, if so.
 * @param backend The queue's backend.
 */
export function checkShared(
  kind: string,
  options: SharingOptions | undefined,
  whyNot: string | undefined,
  backend: Backend,
): boolean | undefined {
  const shared = options?.shared;
  if (shared !== undefined && typeof shared !== "boolean") {
    throw new TypeError(`Cannot create ${kind} as 'shared' must be a boolean: received ${describe(shared)}`);
  }
  if (shared === true && whyNot !== undefined) throw new TypeError(`Cannot create ${kind} with 'shared': ${whyNot}`);
  if (shared === true && !backend.capabilities.sharedMemory) {
    throw new TypeError(
      `Cannot create ${kind} with 'shared' on the '${backend.name}' backend: it has no shared memory (use { backend: "atomics" })`,
    );
  }
  const bytes = options?.sharedBytes;
  if (
    bytes !== undefined && (typeof bytes !== "number" || !Number.isInteger(bytes) || bytes < 64 || bytes > 2 ** 30)
  ) {
    throw new RangeError(
      `Cannot create ${kind} as 'sharedBytes' must be an integer from 64 to 2**30: received ${describe(bytes)}`,
    );
  }
  return shared;
}

/**
 * Why a queue cannot be handed to another thread, for the message.
 *
 * @param backend The queue's backend.
 * @param whyNot Why this queue can never be shared, if so (else: it was made with `shared: false`).
 */
export function notShareableReason(backend: Backend, whyNot: string | undefined): string {
  if (!backend.capabilities.sharedMemory) {
    return `the '${backend.name}' backend has no shared memory (make it with { backend: "atomics" })`;
  }
  return whyNot ?? "it was made with { shared: false }";
}

/**
 * Moves the items of a queue about to be handed to another thread into new
 * shared storage. Until now only this isolate could reach the queue, so
 * nothing else touches either storage meanwhile. If an item cannot be
 * cloned, or the storage cannot hold them, the queue stays as it was.
 *
 * @param local The queue's storage in this isolate.
 * @param label The queue, for messages.
 * @param make Makes the shared storage.
 * @returns The shared storage, holding the items in their order.
 * @throws {TypeError} If the items cannot be moved.
 */
export function moveToShared<T>(local: QueueStorage<T>, label: string, make: () => QueueStorage<T>): QueueStorage<T> {
  const shared = make();
  try {
    for (const item of local.items!()) shared.push(item);
  } catch (error) {
    throw new TypeError(
      `Cannot share ${label} with another thread: ${error instanceof Error ? error.message : error}`,
      { cause: error },
    );
  }
  local.clear();
  return shared;
}

/** A `Queue`'s shared storage: a ring. */
export function ringStorage<T>(facts: HandleFacts | undefined, bytes: number | undefined): QueueStorage<T> {
  if (facts === undefined) return new SharedRingStorage<T>(undefined, bytes);
  return new SharedRingStorage<T>(sharedBuffer("Queue", facts, "ring"));
}

/** A `LifoQueue`'s shared storage: a stack. */
export function stackStorage<T>(facts: HandleFacts | undefined, bytes: number | undefined): QueueStorage<T> {
  if (facts === undefined) return new SharedStackStorage<T>(undefined, bytes);
  return new SharedStackStorage<T>(sharedBuffer("LifoQueue", facts, "stack"));
}

/**
 * A `PriorityQueue`'s shared storage: a heap ordered by `compare` (the same function in every thread).
 *
 * @param compare The order.
 * @returns The maker.
 */
export function heapStorage<T>(compare: (a: T, b: T) => number): SharedStorageMaker<T> {
  return (facts, bytes) => {
    if (facts === undefined) return new SharedPriorityHeap<T>(compare, undefined, bytes);
    const index = sharedBuffer("PriorityQueue", facts, "index");
    return new SharedPriorityHeap<T>(compare, { index, arena: sharedBuffer("PriorityQueue", facts, "arena") });
  };
}

function sharedBuffer(kind: string, facts: HandleFacts, name: string): SharedArrayBuffer {
  const buffer = facts[name];
  if (!(buffer instanceof SharedArrayBuffer)) {
    throw new TypeError(`Cannot revive ${kind} as its handle carries no shared ${name}: received ${describe(buffer)}`);
  }
  return buffer;
}
