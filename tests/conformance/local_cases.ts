/**
 * Local: CPython's thread-local tests (Lib/test/test_threading_local.py,
 * after `_threading_local`): each thread sees only the attributes it set,
 * its values follow it across every `await`, and the methods of a subclass
 * are shared.
 *
 * Threads here run functions, so every case needs `functionTargets`.
 *
 * @module
 */
import { assert, assertEquals, assertStrictEquals } from "@std/assert";
import { Event, Local, local, Lock, Thread } from "@locksmith/threading";
import { defineCases } from "./_suite.ts";

type Attrs = Record<string, unknown>;

export const localCases = defineCases([
  {
    name: "Local: a thread does not see the attributes another thread set (Local and a subclass)",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      class LocalSubclass extends Local {}
      for (const Kind of [Local, LocalSubclass]) {
        const obj = new Kind() as Local & Attrs;
        const e1 = new Event(ctx.options);
        const e2 = new Event(ctx.options);
        const firstSaw: unknown[] = [];
        const t1 = new Thread({
          ...ctx.options,
          target: async () => {
            obj.x = "foo";
            obj.y = "bar";
            delete obj.y;
            e1.set();
            await e2.wait();
            firstSaw.push(obj.x, obj.y, "y" in obj);
          },
        });
        t1.start();
        await e1.wait();
        const secondSaw: unknown[] = [];
        const t2 = new Thread({
          ...ctx.options,
          target: () => {
            secondSaw.push(obj.x, "x" in obj, Object.keys(obj));
          },
        });
        t2.start();
        await t2.join();
        e2.set();
        await t1.join();
        assertEquals(secondSaw, [undefined, false, []], Kind.name);
        assertEquals(firstSaw, ["foo", undefined, false], Kind.name);
      }
    },
  },
  {
    name: "Local: each thread's values follow it across every kind of await",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      const data = new Local() as Local & Attrs;
      const lock = new Lock(ctx.options);
      const wrong: string[] = [];
      let checks = 0;
      const check = (i: number, where: string) => {
        if (data.x !== i) wrong.push(`thread ${i} after ${where} saw ${String(data.x)}`);
        else checks++;
      };
      const bunch = ctx.bunch(async (i) => {
        data.x = i;
        await Promise.resolve();
        check(i, "a resolved promise");
        await ctx.sleep((10 - i) % 3);
        check(i, "sleep");
        await new Promise((resolve) => setTimeout(resolve, 1));
        check(i, "a timer outside the library");
        await lock.acquire();
        try {
          await ctx.sleep(1);
          check(i, "a contended acquire");
        } finally {
          lock.release();
        }
      }, 10);
      await bunch.join();
      assertEquals(wrong, []);
      assertEquals(checks, 40);
    },
  },
  {
    name: "Local: the main thread's values are separate from every other thread's",
    needs: ["functionTargets"],
    fn: async ({ options }) => {
      const data = new local() as Local & Attrs;
      data.x = "main";
      data.onlyMain = true;
      const seen: unknown[] = [];
      const t = new Thread({
        ...options,
        target: () => {
          seen.push(data.x, data.onlyMain);
          data.x = "thread";
          seen.push(data.x, Object.keys(data));
        },
      });
      t.start();
      await t.join();
      assertEquals(seen, [undefined, undefined, "thread", ["x"]]);
      assertEquals(data.x, "main");
      assertEquals(Object.keys(data).sort(), ["onlyMain", "x"]);
      assertEquals({ ...data }, { x: "main", onlyMain: true });
    },
  },
  {
    name: "Local: a new thread starts with no attributes, even after another thread ended",
    needs: ["functionTargets"],
    fn: async ({ options }) => {
      const data = new Local() as Local & Attrs;
      const seen: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        const t = new Thread({
          ...options,
          target: () => {
            seen.push(data.n);
            data.n = i;
          },
        });
        t.start();
        await t.join();
      }
      assertEquals(seen, [undefined, undefined, undefined]);
      assertEquals(data.n, undefined);
    },
  },
  {
    name: "Local: methods, getters and prototype values of a subclass are shared; attributes stay per thread",
    needs: ["functionTargets"],
    fn: async ({ options }) => {
      class Counter extends Local {
        declare n?: number;
        declare color: string;
        increment(): number {
          this.n = (this.n ?? 0) + 1;
          return this.n;
        }
        get double(): number {
          return (this.n ?? 0) * 2;
        }
      }
      Object.defineProperty(Counter.prototype, "color", { value: "red", writable: true });
      const counter = new Counter();
      assert(counter instanceof Counter);
      assert(counter instanceof Local);
      const seen: Record<string, unknown[]> = {};
      const threads = ["green", "red"].map((color, i) =>
        new Thread({
          ...options,
          target: async () => {
            if (color !== "red") counter.color = color;
            for (let k = 0; k <= i; k++) {
              counter.increment();
              await Promise.resolve();
            }
            seen[color] = [counter.n, counter.double, counter.color];
          },
        })
      );
      threads.forEach((t) => t.start());
      for (const t of threads) await t.join();
      assertEquals(seen, { green: [1, 2, "green"], red: [2, 4, "red"] });
      assertEquals(counter.n, undefined);
      assertEquals(counter.double, 0);
      assertEquals(counter.color, "red");
      assertEquals(counter.increment(), 1);
      assertStrictEquals(local, Local);
    },
  },
]);
