/**
 * Barrier: no wait outlives its timeout, whatever the barrier is doing when
 * it arrives or while it waits (issue: `wait(timeout)` used to wait forever
 * while an earlier cycle's action ran or its parties left).
 *
 * @module
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { deadline } from "@std/async/deadline";
import { Barrier, BrokenBarrierError, Event } from "@locksmith/threading";
import { type Case, type CaseContext, defineCases } from "./_suite.ts";

/** A barrier of 2 whose action (started) waits for `release`, with both parties in it, the action running. */
async function actionRunning(ctx: CaseContext, release: Event): Promise<{ barrier: Barrier; passed: unknown[] }> {
  const started = new Event(ctx.options);
  const barrier = new Barrier(
    2,
    async () => {
      started.set();
      await release.wait();
    },
    null,
    ctx.options,
  );
  const passed: unknown[] = [];
  ctx.bunch(async () => passed.push(await barrier.wait().catch((error) => error)), 2);
  assertEquals(await started.wait(20_000), true);
  assertEquals([barrier.nWaiting, barrier.broken], [0, false]);
  return { barrier, passed };
}

export const barrierTimeoutCases: Case[] = defineCases([
  {
    name: "Barrier: a wait that arrives while the action runs ends within its timeout, and that cycle still passes",
    fn: async (ctx) => {
      const release = new Event(ctx.options);
      const { barrier, passed } = await actionRunning(ctx, release);
      const error = await assertRejects(() => deadline(barrier.wait(30), 20_000), BrokenBarrierError);
      assertStringIncludes(error.message, "timed out after 30 ms while the previous cycle was finishing");
      assertEquals(barrier.broken, false, "it joined no cycle: it breaks none");
      release.set();
      for (let i = 0; i < 200 && passed.length < 2; i++) await ctx.settle();
      assertEquals(passed.sort(), [0, 1]);
      assertEquals(barrier.broken, false);
    },
  },
  {
    name: "Barrier: a wait whose timeout passes while the action runs breaks the barrier then, not after the action",
    fn: async (ctx) => {
      const release = new Event(ctx.options);
      const barrier = new Barrier(
        3,
        async () => {
          await release.wait();
        },
        null,
        ctx.options,
      );
      const early = barrier.wait(30).catch((error) => error);
      const others: unknown[] = [];
      ctx.bunch(async () => others.push(await barrier.wait().catch((error) => error)), 2);
      const error = await deadline(early, 20_000);
      assert(error instanceof BrokenBarrierError, String(error));
      assertStringIncludes(error.message, "timed out after 30 ms");
      assert(barrier.broken);
      release.set();
      for (let i = 0; i < 200 && others.length < 2; i++) await ctx.settle();
      assertEquals(others.length, 2);
      for (const other of others) assert(other instanceof BrokenBarrierError, String(other));
      barrier.reset();
      assertEquals(barrier.broken, false);
    },
  },
]);
