/**
 * Checks of what every primitive of a manager is made with: a name and
 * `{ leaseMs }`.
 *
 * @module
 */
import { ValueError } from "../mod.ts";
import { describe } from "./_library.ts";
import type { Client } from "./_client.ts";

/** The options every primitive of a manager takes. */
export interface PrimitiveOptions {
  /** The lease of a lock's ownership or a permit, in ms (default: the manager's `leaseMs`). */
  leaseMs?: number;
}

/** Checks a primitive's name. */
export function checkName(kind: string, name: unknown): string {
  if (typeof name !== "string" || name === "") {
    throw new TypeError(`Cannot create ${kind} as 'name' must be a non-empty string: received ${describe(name)}`);
  }
  return name;
}

/** The label of a primitive in messages: `Lock "orders"`. */
export function labelOf(kind: string, name: string): string {
  return `${kind} "${name}"`;
}

/**
 * Checks `{ leaseMs }` and returns the lease to use.
 *
 * @throws {TypeError} If the options are not an object or the lease not a number.
 * @throws {ValueError} If the lease is shorter than three renewal margins.
 */
export function checkLease(label: string, options: unknown, client: Client): number {
  if (options === undefined) return client.leaseMs;
  if (options === null || typeof options !== "object") {
    throw new TypeError(`Cannot create ${label} as 'options' must be an object: received ${describe(options)}`);
  }
  const lease = (options as PrimitiveOptions).leaseMs;
  if (lease === undefined) return client.leaseMs;
  return checkLeaseValue(`create ${label}`, lease, client.marginMs);
}

/** Checks a lease in ms against the renewal margin. */
export function checkLeaseValue(what: string, lease: unknown, marginMs: number): number {
  if (typeof lease !== "number" || Number.isNaN(lease)) {
    throw new TypeError(`Cannot ${what} as 'leaseMs' must be a number of ms: received ${describe(lease)}`);
  }
  if (!Number.isFinite(lease) || lease < 3 * marginMs || lease > 2 ** 31 - 1) {
    throw new ValueError(
      `Cannot ${what} as 'leaseMs' must be at least three renewal margins (${3 * marginMs} ms) ` +
        `and at most 2^31 - 1: received ${lease}`,
    );
  }
  return Math.round(lease);
}
