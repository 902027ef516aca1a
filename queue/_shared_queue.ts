/**
 * A `Queue` on a backend with shared memory, handed to another thread:
 * until then its items live in this isolate (they keep their identity, and
 * only this isolate's threads can reach them); the first time it is handed
 * over (a `Thread` argument, a structured clone) they move into a shared
 * ring (`backends/atomics/shared_ring.ts`), and from then on every Worker
 * that holds the queue puts and gets the same items, structured-cloned.
 *
 * @module
 */
import type { Backend } from "../backends/types.ts";
import { SharedRingStorage } from "../backends/atomics/shared_ring.ts";
import { describe } from "../runtime/describe.ts";
import type { QueueStorage } from "./_storage.ts";

/** The sharing options of a queue's constructor. */
export interface SharingOptions {
  /** Where the items live (see `QueueOptions.shared`). */
  readonly shared?: boolean;
  /** The bytes the shared ring starts with (it grows as needed). */
  readonly sharedBytes?: number;
}

/**
 * Checks the sharing options: `shared` as given (`true`, `false` or
 * `undefined`: shared on first hand-over, where it can be).
 *
 * @param kind The queue's class, for messages.
 * @param options The constructor's options.
 * @param fifo Whether the queue is a `Queue` itself (only those can be shared).
 * @param backend The queue's backend.
 */
export function checkShared(
  kind: string,
  options: SharingOptions | undefined,
  fifo: boolean,
  backend: Backend,
): boolean | undefined {
  const shared = options?.shared;
  if (shared !== undefined && typeof shared !== "boolean") {
    throw new TypeError(`Cannot create ${kind} as 'shared' must be a boolean: received ${describe(shared)}`);
  }
  if (shared === true && !fifo) {
    throw new TypeError(
      `Cannot create ${kind} with 'shared': only a Queue itself (FIFO) can keep its items in shared memory`,
    );
  }
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
 * @param fifo Whether the queue is a `Queue` itself.
 */
export function notShareableReason(backend: Backend, fifo: boolean): string {
  if (!backend.capabilities.sharedMemory) {
    return `the '${backend.name}' backend has no shared memory (make it with { backend: "atomics" })`;
  }
  return fifo ? "it was made with { shared: false }" : "only a Queue itself (FIFO) can keep its items in shared memory";
}

/**
 * Moves the items of a queue about to be handed to another thread into a
 * new shared ring. Until now only this isolate could reach the queue, so
 * nothing else touches either storage meanwhile. If an item cannot be
 * cloned, or the ring cannot hold them, the items go back and the queue stays
 * as it was.
 *
 * @param local The queue's storage in this isolate.
 * @param label The queue, for messages.
 * @param bytes The ring's size (undefined: the default).
 * @returns The ring, holding the items in order.
 * @throws {TypeError} If the items cannot be moved.
 */
export function moveToSharedRing<T>(local: QueueStorage<T>, label: string, bytes: number | undefined): QueueStorage<T> {
  const ring = new SharedRingStorage<T>(undefined, bytes);
  const items: T[] = [];
  while (local.size > 0) items.push(local.pop());
  try {
    for (const item of items) ring.push(item);
  } catch (error) {
    for (const item of items) local.push(item);
    throw new TypeError(
      `Cannot share ${label} with another thread: ${error instanceof Error ? error.message : error}`,
      { cause: error },
    );
  }
  return ring;
}
