/**
 * The options of a queue's constructor: the public ones, and those the
 * library's subclasses and revivers pass (where the items live, in this
 * isolate and in shared memory).
 *
 * @module
 */
import type { BackendChoice } from "../backends/mod.ts";
import type { HandleFacts } from "../primitives/revive.ts";
import { checkOptions } from "../runtime/options.ts";
import type { SharedStorageMaker } from "./_shared_queue.ts";
import type { QueueStorage } from "./_storage.ts";

/** The options of a queue's constructor. */
export interface QueueOptions {
  /** The backend whose parking lot the queue's waiters use, by name or object; omitted, the default backend. */
  backend?: BackendChoice;
  /**
   * Where the items live, on a backend with shared memory (`atomics`).
   * Omitted: in this isolate until the queue is first handed to another
   * thread (as a `Thread` argument, or by a structured clone), then in
   * shared memory. `true`: in shared memory from the start. `false`: always
   * in this isolate (the queue cannot be handed over; items keep their
   * identity). A `PriorityQueue` with a `compare` function of its own stays
   * in its isolate (a function cannot reach another thread).
   */
  shared?: boolean;
  /**
   * The bytes the shared memory that holds the serialized items starts with
   * (default: 1 MiB for a `Queue`'s ring, 64 KiB for the others); it grows
   * as needed.
   */
  sharedBytes?: number;
}

/** What a revived shared queue's handle carried: its storage's buffers (internal). */
export const SHARED_FACTS: unique symbol = Symbol("shared queue facts");

/** How a subclass's items live in shared memory, or why they cannot (internal). */
export const SHARED_STORAGE: unique symbol = Symbol("shared queue storage");

/** Lets a subclass choose the storage (internal: not part of the public options). */
export const STORAGE: unique symbol = Symbol("queue storage");

/** The constructor's options as the subclasses pass them. */
export interface StorageOptions<T> extends QueueOptions {
  /** Where the items live (default: FIFO). */
  [STORAGE]?: QueueStorage<T>;
  /** With `STORAGE`: how the items live in shared memory, or why they cannot (default: they cannot). */
  [SHARED_STORAGE]?: SharedStorageMaker<T> | string;
  /** The facts of a shared queue revived from a handle. */
  [SHARED_FACTS]?: HandleFacts;
}

/**
 * Checks the options object of a queue's constructor: an object with only
 * the keys the queue reads.
 *
 * @param kind The class, for messages.
 * @param options As received.
 * @param extra The keys a subclass reads besides {@linkcode QueueOptions}'s (`compare`).
 */
export function checkQueueOptions(kind: string, options: unknown, extra: readonly string[] = []): void {
  checkOptions(`create ${kind}`, options, extra.length === 0 ? QUEUE_OPTIONS : [...QUEUE_OPTIONS, ...extra]);
}

/** The keys of {@linkcode QueueOptions}. */
const QUEUE_OPTIONS: readonly (keyof QueueOptions)[] = ["backend", "shared", "sharedBytes"];

/** What a subclass may pass on to the queue's core, once it has checked its own options. */
export const CORE_OPTIONS: readonly string[] = [...QUEUE_OPTIONS, "compare"];
