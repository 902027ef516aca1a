/**
 * The seam's `allocate(count)`: a count that is not a whole number of cells
 * is refused with the contract's error class (`TypeError` for a value of
 * the wrong type, `RangeError` for a number out of range) and a message that
 * names the argument and what was received; a refused allocation changes
 * nothing, so the primitives made after it are whole.
 *
 * @module
 */
import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { Lock } from "@locksmith/threading";
import { type Case, defineCases } from "./_suite.ts";

type ErrorClass = new (...args: never[]) => Error;

// Each bad count, the error class it must raise, and how the message shows it.
const BAD_COUNTS: readonly [unknown, ErrorClass, string][] = [
  [-5, RangeError, "-5"],
  [0, RangeError, "0"],
  [65536, RangeError, "65536"],
  [2 ** 31, RangeError, "2147483648"],
  [1.5, TypeError, "1.5"],
  [NaN, TypeError, "NaN"],
  [Infinity, TypeError, "Infinity"],
  ["3", TypeError, '"3"'],
  [null, TypeError, "null"],
  [undefined, TypeError, "undefined"],
  [3n, TypeError, "3n"],
];

export const allocateCases: Case[] = defineCases([
  {
    name: "Backend: allocate(count) refuses a count that is not an integer from 1 to 65535, naming it",
    fn: ({ backend }) => {
      for (const [count, errorClass, shown] of BAD_COUNTS) {
        const error = assertThrows(() => backend.allocate(count as number, "Lock"), errorClass);
        assertStringIncludes(error.message, "'count'");
        assertStringIncludes(error.message, `received ${shown}`);
      }
      // The bounds themselves are accepted, zeroed.
      for (const count of [1, 65535]) {
        const cells = backend.allocate(count, "cells");
        assertEquals([cells.load(0), cells.load(count - 1)], [0, 0]);
      }
    },
  },
  {
    name: "Backend: a refused allocation leaves the cells of earlier and later primitives apart",
    fn: async ({ backend, options }) => {
      const held = new Lock(options);
      assertEquals(await held.acquire(), true);
      for (const count of [-5, -1, 0, 2 ** 31, 1.5]) {
        try {
          backend.allocate(count, "Lock");
        } catch {
          // Refused: the point is what comes after.
        }
      }
      const fresh = [new Lock(options), new Lock(options), new Lock(options)];
      assertEquals(fresh.map((l) => l.locked()), [false, false, false], "a new lock reads as locked: cells overlap");
      for (const lock of fresh) assertEquals(await lock.acquire(false), true);
      assert(held.locked());
      for (const lock of fresh) lock.release();
      assert(held.locked(), "releasing the new locks released an older one");
      held.release();
      const cells = backend.allocate(4, "cells");
      for (let i = 0; i < 4; i++) cells.store(i, -1);
      assertEquals([held, ...fresh].map((l) => l.locked()), [false, false, false, false]);
    },
  },
]);
