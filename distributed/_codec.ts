/**
 * Items of a distributed queue travel as JSON: `null`, booleans, finite
 * numbers, strings, and plain arrays and objects of them. Anything else
 * (`undefined`, a function, a `bigint`, a `Map`, a class instance, a cycle)
 * is refused when put, rather than arriving as something else.
 *
 * @module
 */
import { describe } from "./_library.ts";

function check(value: unknown, path: string, seen: Set<object>): string | undefined {
  if (value === null || typeof value === "boolean" || typeof value === "string") return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? undefined : `${path} is ${value}`;
  if (typeof value !== "object") return `${path} is ${describe(value)}`;
  if (seen.has(value)) return `${path} refers back to itself`;
  const proto = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    seen.add(value);
    for (let i = 0; i < value.length; i++) {
      const bad = check(value[i], `${path}[${i}]`, seen);
      if (bad) return bad;
    }
    seen.delete(value);
    return undefined;
  }
  if (proto !== Object.prototype && proto !== null) return `${path} is ${describe(value)}`;
  seen.add(value);
  for (const [key, item] of Object.entries(value)) {
    const bad = check(item, `${path}.${key}`, seen);
    if (bad) return bad;
  }
  seen.delete(value);
  return undefined;
}

/**
 * Encodes an item.
 *
 * @throws {TypeError} If it cannot travel as JSON unchanged.
 */
export function encodeItem(label: string, item: unknown): string {
  const bad = check(item, "the item", new Set());
  if (bad !== undefined) {
    throw new TypeError(`Cannot put to ${label} as the item cannot be serialized as JSON: ${bad}`);
  }
  return JSON.stringify(item);
}

/** Decodes an item. */
export function decodeItem(text: string): unknown {
  return JSON.parse(text);
}
