/**
 * `compareLikePython`: Python's `<` for the values a priority queue usually
 * holds, so `PriorityQueue` orders `[priority, data]` entries as Python
 * orders `(priority, data)` tuples.
 *
 * @module
 */
import { describe } from "../runtime/describe.ts";

/**
 * Compares two values the way Python's `<` does, for the types Python can
 * order that JavaScript has:
 *
 * - numbers, bigints and booleans compare by value, with each other
 *   (`true` is 1, as Python's `True`);
 * - strings compare by Unicode code point (not by UTF-16 unit, as JS's `<`
 *   does: an astral character sorts after U+FFFF, as in Python);
 * - arrays compare as Python's tuples: element by element, the first pair
 *   that is not equal decides, and a shorter array that is a prefix of the
 *   longer one sorts first;
 * - identical values (`===`, such as two `null`s) are equal.
 *
 * Any other pair cannot be ordered, as in Python (`1 < "a"` is a
 * `TypeError` there): pass a `compare` function for such items.
 *
 * @param a The left value.
 * @param b The right value.
 * @returns A negative number if `a` sorts first, positive if `b` does, 0 if equal.
 * @throws {TypeError} If the two values cannot be ordered.
 *
 * @example Tuples of priority and data
 * ```ts
 * import { compareLikePython } from "@locksmith/threading/queue";
 * import { assertEquals } from "@std/assert";
 *
 * const entries = [[2, "write"], [1, "read"], [1, "open"]];
 * entries.sort(compareLikePython);
 * assertEquals(entries, [[1, "open"], [1, "read"], [2, "write"]]);
 * ```
 */
export function compareLikePython(a: unknown, b: unknown): number {
  if (a === b) return 0;
  const ta = typeof a;
  const tb = typeof b;
  if (isNumeric(ta) && isNumeric(tb)) {
    // deno-lint-ignore no-explicit-any
    const x = a as any, y = b as any;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (ta === "string" && tb === "string") return compareCodePoints(a as string, b as string);
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const order = compareLikePython(a[i], b[i]);
      if (order !== 0) return order;
    }
    return a.length - b.length;
  }
  throw new TypeError(
    `Cannot order ${describe(a)} and ${
      describe(b)
    }: Python's ordering covers numbers, strings and arrays of them; pass a 'compare' function for other items`,
  );
}

function isNumeric(type: string): boolean {
  return type === "number" || type === "bigint" || type === "boolean";
}

function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

// At the first differing UTF-16 unit, surrogates (astral code points) must
// sort after U+E000..U+FFFF: shift the two ranges past each other.
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}
