/**
 * Lock: CPython's `BaseLockTests` and `LockTests`, and the contract's rules.
 *
 * @module
 */
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { Lock, RuntimeError } from "../../mod.ts";
import { defineCases } from "./_suite.ts";

export const lockCases = defineCases([
  {
    name: "Lock: a new lock is unlocked",
    fn: ({ options }) => {
      assertEquals(new Lock(options).locked(), false);
    },
  },
  {
    name: "Lock: release of an unlocked lock throws RuntimeError",
    fn: ({ options }) => {
      const lock = new Lock(options);
      const error = assertThrows(() => lock.release(), RuntimeError);
      assert(error.message.includes("un-acquired"), error.message);
    },
  },
  {
    name: "Lock: a released lock goes to the oldest waiter (FIFO hand-off)",
    fn: async (ctx) => {
      const lock = new Lock(ctx.options);
      await lock.acquire();
      const order: number[] = [];
      const bunch = ctx.bunch(async (i) => {
        await ctx.sleep(i * 2);
        await lock.acquire();
        order.push(i);
        lock.release();
      }, 3);
      await ctx.sleep(20);
      lock.release();
      await bunch.join();
      assertEquals(order, [0, 1, 2]);
    },
  },
  {
    name: "Lock: acquire with a timeout on a held lock resolves false",
    fn: async ({ options }) => {
      const lock = new Lock(options);
      await lock.acquire();
      assertEquals(await lock.acquire(true, 5), false);
      await assertRejects(() => lock.acquire(false, 10));
      lock.release();
    },
  },
]);
