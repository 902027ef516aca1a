/**
 * `revive()`: turns the handle of a shared primitive, after it crossed to
 * another thread, back into the primitive.
 *
 * @module
 */
import { type Backend, getBackend } from "../backends/mod.ts";
import { HANDLE_KEY, type PrimitiveHandle } from "./core.ts";
import { describe } from "../runtime/describe.ts";

/** What a handle carries besides the cells: what the constructor was told. */
export type HandleFacts = Readonly<Record<string, unknown>>;

/**
 * Re-makes a primitive of one kind over the cells at `location` (pass it as
 * the core's `REVIVE_AT` option); the constructor checks the facts.
 */
export type Reviver = (backend: Backend, facts: HandleFacts, location: unknown) => object;

// Each shareable kind registers itself next to its class, so this module depends on none of them.
const revivers = new Map<string, Reviver>();
const shareableClasses: (abstract new (...args: never[]) => object)[] = [];

/**
 * Registers a shareable kind (its class calls it where it is defined): how
 * `revive` re-makes a handle of `kind`, and the class whose live instances
 * `revive` returns as they are.
 *
 * @param kind The kind its handles name, such as `Lock`.
 * @param cls The class.
 * @param reviver Re-makes it over a handle's cells.
 */
export function registerShareable(
  kind: string,
  cls: abstract new (...args: never[]) => object,
  reviver: Reviver,
): void {
  revivers.set(kind, reviver);
  if (!shareableClasses.includes(cls)) shareableClasses.push(cls);
}

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
  if (shareableClasses.some((c) => value instanceof c)) return value as T;
  const handle = (value as Record<string, unknown>)[HANDLE_KEY] as Partial<PrimitiveHandle> | null;
  if (handle === null || typeof handle !== "object" || typeof handle.kind !== "string") {
    throw new TypeError(`Cannot revive value as its '${HANDLE_KEY}' handle is malformed: received ${describe(handle)}`);
  }
  const reviver = revivers.get(handle.kind);
  if (reviver === undefined) {
    throw new TypeError(
      `Cannot revive handle of kind '${handle.kind}': shareable kinds are ${[...revivers.keys()].join(", ")}`,
    );
  }
  if (typeof handle.backend !== "string") {
    throw new TypeError(`Cannot revive ${handle.kind} as its handle names no backend: received ${describe(handle)}`);
  }
  const backend = getBackend(handle.backend);
  // Handles among the facts (a Condition's lock) are revived first.
  const facts = handle.facts !== null && typeof handle.facts === "object" ? reviveDeep({ ...handle.facts }) : {};
  return reviver(backend, facts, handle.location) as T;
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
