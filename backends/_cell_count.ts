/**
 * The one check of `Backend.allocate`'s `count`, shared by every backend, so
 * that a count which is not a whole number of cells never reaches a heap:
 * a negative count would move a bump pointer back over live blocks, and a
 * huge one would fail half-way.
 *
 * @module
 */
import { describe } from "../runtime/describe.ts";

/** The most cells one primitive may have (a shared block's header keeps the count in 16 bits). */
export const MAX_CELLS = 0xffff;

/**
 * Checks `count` for `allocate`.
 *
 * @param count What `allocate` received.
 * @returns `count`, an integer from 1 to {@linkcode MAX_CELLS}.
 * @throws {TypeError} If `count` is not a number or not an integer.
 * @throws {RangeError} If it is below 1 or above {@linkcode MAX_CELLS}.
 */
export function checkCellCount(count: unknown): number {
  if (typeof count === "number" && Number.isInteger(count)) {
    if (count >= 1 && count <= MAX_CELLS) return count;
    throw new RangeError(`Cannot allocate cells as 'count' must be from 1 to ${MAX_CELLS}: received ${count}`);
  }
  throw new TypeError(`Cannot allocate cells as 'count' must be an integer: received ${shown(count)}`);
}

function shown(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "bigint") return `${value}n`;
  return value === undefined ? "undefined" : describe(value);
}
