/**
 * RLock: CPython's `RLockTests` (Lib/test/lock_tests.py) on top of the
 * behaviours every lock shares, and the contract's rule that ownership
 * follows the thread across `await`. The reentrant behaviours are written
 * once in {@linkcode reentrantCases} and also run for `Condition`, whose
 * default lock is an `RLock` (as Python's `ConditionAsRLockTests` does).
 *
 * @module
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import { RuntimeError } from "@locksmith/threading";
import { type Case, defineCases } from "./_suite.ts";
import {
  assertErrorSays,
  heldByThread,
  type LockKind,
  lockLikeCases,
  type LockUnderTest,
  settlesAtOnce,
  until,
} from "./lock_cases.ts";

/** The behaviours of an owned, reentrant lock, for one kind. */
export function reentrantCases(kind: LockKind): Case[] {
  const K = kind.name;
  return [
    {
      name: `${K}: its owner may acquire it again; each acquire needs its own release`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        assertEquals(await lock.acquire(), true);
        assertEquals(await lock.acquire(false), true);
        assertEquals(await lock.acquire({ timeout: 0 }), true);
        await lock.release();
        assertEquals(await lock.locked(), true);
        assertEquals(await lock.acquire(), true);
        await lock.release();
        await lock.release();
        assertEquals(await lock.locked(), true);
        await lock.release();
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name: `${K}: release of an unacquired lock throws RuntimeError`,
      fn: async (ctx) => {
        const { lock, label } = kind.create(ctx);
        assertErrorSays(await ctx.fails(() => lock.release()), RuntimeError, "un-acquired", label, "MainThread");
        await lock.acquire();
        await lock.acquire();
        await lock.release();
        await lock.acquire();
        await lock.release();
        await lock.release();
        assertErrorSays(await ctx.fails(() => lock.release()), RuntimeError, "un-acquired", label, "MainThread");
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name: `${K}: release by a thread that does not own it throws RuntimeError`,
      fn: async (ctx) => {
        const { lock, label } = kind.create(ctx);
        // Held by another thread: the main thread may not release it.
        const holder = await heldByThread(ctx, lock);
        try {
          const error = await ctx.fails(() => lock.release());
          assertErrorSays(error, RuntimeError, label, "MainThread", holder.thread);
          assertEquals(await lock.locked(), true);
        } finally {
          await holder.letGo();
        }
        // Held by the main thread: another thread may not release it.
        await lock.acquire();
        const errors: unknown[] = [];
        const bunch = ctx.bunch(async () => {
          try {
            await lock.release();
          } catch (error) {
            errors.push(error);
          }
        });
        await bunch.join();
        assertEquals(errors.length, 1);
        assertErrorSays(errors[0], RuntimeError, label, bunch.threads[0].name, "MainThread");
        assertEquals(await lock.locked(), true);
        await lock.release();
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name: `${K}: locked() is true in every thread while one thread holds it`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        const seen: boolean[] = [];
        // The thread ends still owning the lock, as in Python's test.
        await ctx.bunch(async () => {
          seen.push(await lock.locked());
          await lock.acquire();
          seen.push(await lock.locked());
        }).join();
        assertEquals(seen, [false, true]);
        assertEquals(await lock.locked(), true);
        assertEquals(await lock.acquire(false), false);
        await ctx.fails(() => lock.release(), RuntimeError);
      },
    },
    {
      name: `${K}: ownership follows the thread across await`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        const events: string[] = [];
        let held = false;
        const owner = ctx.bunch(async () => {
          await lock.acquire();
          held = true;
          await ctx.sleep(20);
          await null;
          await new Promise((resolve) => setTimeout(resolve, 1));
          // Still the owner: reentry does not wait and both releases work.
          events.push(`owner reenters ${await lock.acquire(false)}`);
          await lock.release();
          await lock.release();
          events.push("owner released");
        });
        await until(ctx, () => held);
        const other = ctx.bunch(async () => {
          try {
            await lock.release();
            events.push("other released");
          } catch (error) {
            events.push(error instanceof RuntimeError ? "other refused" : `other failed: ${error}`);
          }
          events.push(`other acquires ${await lock.acquire(false)}`);
        });
        await other.join();
        await owner.join();
        assertEquals(events, ["other refused", "other acquires false", "owner reenters true", "owner released"]);
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name: `${K}: its owner re-acquires at once while other threads wait`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        await lock.acquire();
        const order: string[] = [];
        const bunch = ctx.bunch(async () => {
          await lock.acquire();
          order.push("waiter");
          await lock.release();
        });
        await ctx.settle();
        const again = lock.acquire();
        assert(await settlesAtOnce(again), "the owner's reentry waited");
        assertEquals(await again, true);
        await lock.release();
        await ctx.settle();
        assertEquals(order, [], "the first release of two freed the lock");
        await lock.release();
        await bunch.join();
        assertEquals(order, ["waiter"]);
      },
    },
    {
      name: `${K}: an already-aborted signal rejects the owner's reentry too`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        await lock.acquire();
        const controller = new AbortController();
        controller.abort("no");
        let reason: unknown;
        await lock.acquire({ signal: controller.signal }).catch((e) => reason = e);
        assertEquals(reason, "no");
        // The count did not go up: one release frees it.
        await lock.release();
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name: `${K}: nested guards release one level each`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        {
          await using _outer = await lock.guard();
          {
            await using _inner = await lock.guard({ blocking: false });
            assertEquals(await lock.locked(), true);
          }
          assertEquals(await lock.locked(), true);
        }
        assertEquals(await lock.locked(), false);
        // Disposing an inner guard twice releases one level only.
        await lock.acquire();
        const inner = await lock.guard();
        await ctx.dispose(inner);
        await ctx.dispose(inner);
        assertEquals(await lock.locked(), true);
        await lock.release();
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name: `${K}: runExclusive nests in its owner`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        const value = await lock.runExclusive(() => lock.runExclusive(async () => (await null, "inner")));
        assertEquals(value, "inner");
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name: `${K}: acquireSync by the owner succeeds at once on every backend`,
      needs: ["syncTwins"],
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        assertEquals(lock.acquireSync(), true);
        assertEquals(lock.acquireSync(), true);
        assertEquals(lock.acquireSync(false), true);
        assertEquals(lock.acquireSync(true, 10), true);
        for (let i = 0; i < 4; i++) lock.release();
        assertEquals(await lock.locked(), false);
      },
    },
  ];
}

const RLOCK: LockKind = {
  name: "RLock",
  create(ctx, options) {
    const lock = ctx.make.RLock(options);
    return { lock, label: lock.label };
  },
};

/** The internal methods `Condition` uses, which Python tests as `_is_owned` and `_release_save`. */
interface RLockInternals extends LockUnderTest {
  isOwned(): boolean;
  releaseSave(): unknown;
}

export const rlockCases: Case[] = defineCases([
  ...lockLikeCases(RLOCK),
  ...reentrantCases(RLOCK),
  {
    name: "RLock: toString shows the recursion count, from any thread",
    needs: ["inProcess"],
    fn: async (ctx) => {
      const lock = ctx.make.RLock();
      assert(String(lock).startsWith("<unlocked"), String(lock));
      assert(String(lock).includes("count=0"), String(lock));
      await lock.acquire();
      await lock.acquire();
      assert(String(lock).startsWith("<locked"), String(lock));
      assert(String(lock).includes("count=2"), String(lock));
      await lock.acquire();
      assert(String(lock).includes("count=3"), String(lock));
      await lock.release();
      const seen: string[] = [];
      await ctx.bunch(() => seen.push(String(lock))).join();
      assert(seen[0].startsWith("<locked") && seen[0].includes("count=2"), seen[0]);
      assert(seen[0].includes("MainThread"), seen[0]);
      await lock.release();
      await lock.release();
      assert(String(lock).includes("count=0"), String(lock));
    },
  },
  {
    name: "RLock: isOwned says whether the calling thread owns it",
    needs: ["inProcess"],
    fn: async (ctx) => {
      const lock = ctx.make.RLock() as unknown as RLockInternals;
      assertEquals(lock.isOwned(), false);
      await lock.acquire();
      assertEquals(lock.isOwned(), true);
      await lock.acquire();
      assertEquals(lock.isOwned(), true);
      const seen: boolean[] = [];
      await ctx.bunch(() => seen.push(lock.isOwned())).join();
      assertEquals(seen, [false]);
      await lock.release();
      assertEquals(lock.isOwned(), true);
      await lock.release();
      assertEquals(lock.isOwned(), false);
    },
  },
  {
    name: "RLock: releaseSave of a lock the caller does not own throws RuntimeError",
    needs: ["inProcess"],
    fn: async (ctx) => {
      const lock = ctx.make.RLock() as unknown as RLockInternals;
      assertThrows(() => lock.releaseSave(), RuntimeError);
      await lock.acquire();
      await lock.acquire();
      await lock.release();
      await lock.release();
      assertThrows(() => lock.releaseSave(), RuntimeError);
      // Another thread's lock cannot be taken from it this way.
      const holder = await heldByThread(ctx, lock);
      try {
        assertErrorSays(assertThrows(() => lock.releaseSave()), RuntimeError, "MainThread", holder.thread);
        assertEquals(await lock.locked(), true);
      } finally {
        await holder.letGo();
      }
      assertEquals(await lock.locked(), false);
    },
  },
]);
