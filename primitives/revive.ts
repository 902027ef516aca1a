/**
 * `revive()`: turns the handle of a shared primitive, after it crossed to
 * another thread, back into the primitive.
 *
 * @module
 */
import { type Backend, getBackend } from "../backends/mod.ts";
import { constructOver, HANDLE_KEY, type PrimitiveHandle } from "./core.ts";
import { isModuleTarget } from "../runtime/target.ts";
import { describe } from "../runtime/wait_options.ts";
import { Barrier, REMOTE_ACTION } from "./barrier.ts";
import { Condition } from "./condition.ts";
import { Event } from "./event.ts";
import { Lock } from "./lock.ts";
import { RLock } from "./rlock.ts";
import { BoundedSemaphore, Semaphore } from "./semaphore.ts";
import { Queue, SHARED_RING } from "../queue/queue.ts";
import { SimpleQueue, simpleQueueOver } from "../queue/simple_queue.ts";

type Facts = Readonly<Record<string, unknown>>;

// How each kind is re-created over its cells; the constructors check the facts.
const makers: Record<string, (backend: Backend, facts: Facts) => object> = {
  Lock: (backend) => new Lock({ backend }),
  RLock: (backend) => new RLock({ backend }),
  Event: (backend) => new Event({ backend }),
  Semaphore: (backend) => new Semaphore(0, { backend }),
  BoundedSemaphore: (backend, facts) => new BoundedSemaphore(facts.bound as number, { backend }),
  Condition: (backend, facts) => new Condition(facts.lock as Lock | RLock, { backend }),
  Barrier: (backend, facts) =>
    new Barrier(facts.parties as number, barrierAction(facts.action), facts.timeout as number | null, { backend }),
  Queue: (backend, facts) => {
    if (!(facts.ring instanceof SharedArrayBuffer)) {
      throw new TypeError(`Cannot revive Queue as its handle carries no shared ring: received ${describe(facts.ring)}`);
    }
    const queue = new Queue(0, { backend, [SHARED_RING]: facts.ring } as ConstructorParameters<typeof Queue>[1]);
    // A SimpleQueue shares the Queue under it.
    return facts.simple === true ? simpleQueueOver(queue) : queue;
  },
};

const primitiveClasses = [Lock, RLock, Event, Semaphore, Condition, Barrier, Queue, SimpleQueue];

/**
 * Turns a shared primitive's handle back into the primitive. A primitive of
 * the `atomics` backend sent with `postMessage` (or any structured clone)
 * arrives as a plain handle, `{ "@locksmith/threading": { kind, ... } }`;
 * `revive` makes it a `Lock` (`RLock`, `Condition`, ...) again, operating on
 * the same shared memory as the original. A `Thread`'s arguments are revived
 * for it, nested arrays and plain objects included.
 *
 * Any value that is not a handle (a live primitive included) is returned
 * unchanged.
 *
 * @typeParam T The primitive's type, for the caller's convenience.
 * @param value What arrived, such as `event.data.lock`.
 * @returns The revived primitive, or `value` itself.
 * @throws {TypeError} If `value` carries a handle that is not a valid one:
 * an unknown kind, a backend that cannot share, or memory that is not an
 * atomics heap or does not hold a primitive of that kind.
 *
 * @example A lock through a structured clone
 * ```ts
 * import { Lock, revive } from "@locksmith/threading";
 * import { assert, assertEquals } from "@std/assert";
 *
 * const lock = new Lock({ backend: "atomics" });
 * const copy = revive<Lock>(structuredClone(lock));
 * assert(copy instanceof Lock);
 * await copy.acquire();
 * assertEquals(lock.locked(), true); // the same memory
 * lock.release();
 * assertEquals(revive(42), 42);
 * ```
 */
export function revive<T = unknown>(value: unknown): T {
  if (value === null || typeof value !== "object" || !Object.hasOwn(value, HANDLE_KEY)) return value as T;
  if (primitiveClasses.some((c) => value instanceof c)) return value as T;
  const handle = (value as Record<string, unknown>)[HANDLE_KEY] as Partial<PrimitiveHandle> | null;
  if (handle === null || typeof handle !== "object" || typeof handle.kind !== "string") {
    throw new TypeError(`Cannot revive value as its '${HANDLE_KEY}' handle is malformed: received ${describe(handle)}`);
  }
  const make = Object.hasOwn(makers, handle.kind) ? makers[handle.kind] : undefined;
  if (make === undefined) {
    throw new TypeError(
      `Cannot revive handle of kind '${handle.kind}': shareable kinds are ${Object.keys(makers).join(", ")}`,
    );
  }
  if (typeof handle.backend !== "string") {
    throw new TypeError(`Cannot revive ${handle.kind} as its handle names no backend: received ${describe(handle)}`);
  }
  const backend = getBackend(handle.backend);
  // Handles among the facts (a Condition's lock) are revived first.
  const facts = handle.facts !== null && typeof handle.facts === "object" ? reviveDeep({ ...handle.facts }) : {};
  return constructOver(handle.location, () => make(backend, facts)) as T;
}

/**
 * Revives every handle in `value`, looking inside arrays and plain objects
 * (in place), as a `Thread`'s arguments are revived in its Worker.
 *
 * @param value Arguments as they arrived.
 * @returns `value`, with handles replaced by primitives.
 */
export function reviveDeep<T>(value: T): T {
  return walk(value, new Set()) as T;
}

function walk(value: unknown, seen: Set<object>): unknown {
  if (value === null || typeof value !== "object" || seen.has(value)) return value;
  if (Object.hasOwn(value, HANDLE_KEY)) return revive(value);
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = walk(value[i], seen);
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = walk(record[key], seen);
  }
  return value;
}

function barrierAction(action: unknown): ConstructorParameters<typeof Barrier>[1] {
  if (action === null || action === undefined) return undefined;
  if (isModuleTarget(action)) return action;
  // A function stays in the isolate that made the barrier, which runs it on request.
  return REMOTE_ACTION;
}
