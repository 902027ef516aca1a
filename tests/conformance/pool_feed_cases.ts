/**
 * How a pool's tasks reach its threads: as they take them, as Python's
 * task handler thread feeds them. A `map` far larger than the shared rings
 * of a Worker pool finishes (the main thread never blocks putting tasks
 * while results wait to be drained), and `imap`/`imapUnordered` read their
 * iterable lazily: they return at once, and an error the iterable raises
 * at item k comes out of `next()` after the results before k, as in
 * Python.
 *
 * @module
 */
import { assertEquals, assertInstanceOf, assertRejects } from "@std/assert";
import { deadline } from "@std/async/deadline";
import { ValueError } from "@locksmith/threading";
import { type IMapIterator, Pool, type ThreadPool } from "@locksmith/threading/multiprocessing";
import { type Case, type CaseContext, defineCases } from "./_suite.ts";
import { POOL_FEED_TARGETS } from "./_pool_feed_targets.ts";
import { withPool } from "./_with_pool.ts";

const WORKERS: Case["needs"] = ["sharedMemory", "parallelThreads", "blockingWait"];

/** A generous bound: a run that hangs fails instead. */
const BOUND_MS = 120_000;

const ref = (name: string) => ({ module: POOL_FEED_TARGETS, export: name });

/** The numbers from 0 on, raising a `ValueError` when item `k` is due; `read` counts the items read. */
function* failingAt(k: number, read: { count: number; closed: boolean }): Generator<number> {
  try {
    for (let i = 0;; i++) {
      if (i === k) throw new ValueError(`iterable failed at ${i}`);
      read.count++;
      yield i;
    }
  } finally {
    read.closed = true;
  }
}

/** Every outcome of `next()` until the iterator is done: a value, or `error: message`. */
async function drain(it: IMapIterator<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for (;;) {
    try {
      const step = await deadline(it.next(), BOUND_MS);
      if (step.done) return out;
      out.push(step.value);
    } catch (error) {
      assertInstanceOf(error, ValueError);
      out.push(`error: ${(error as ValueError).message}`);
    }
  }
}

type AnyPool = ThreadPool | Pool;
type Kind = "dummy" | "Workers";

/** The pool of `kind` on the backend under test, ended afterwards. */
function withKind(ctx: CaseContext, kind: Kind, body: (pool: AnyPool) => Promise<void>): Promise<void> {
  return kind === "dummy" ? withPool(ctx, 2, body) : withPool(ctx, 2, body, Pool);
}

function imapCases(kind: Kind, needs: Case["needs"]): Case[] {
  const where = kind === "dummy" ? "Pool" : "Pool of Workers";
  return [
    {
      name:
        `${where}: imap returns at once when its iterable raises at item k; next() yields the results before k, then the error`,
      needs,
      fn: (ctx) =>
        withKind(ctx, kind, async (pool) => {
          const read = { count: 0, closed: false };
          const it = pool.imap(ref("square"), failingAt(5, read)) as IMapIterator<unknown>;
          assertEquals(await drain(it), [0, 1, 4, 9, 16, "error: iterable failed at 5"]);
          assertEquals(read.count, 5);
          // With chunks of 2, the chunk the error cut short is lost with it (Python's way).
          const chunked = pool.imap(ref("square"), failingAt(5, { count: 0, closed: false }), 2);
          assertEquals(await drain(chunked as IMapIterator<unknown>), [0, 1, 4, 9, "error: iterable failed at 5"]);
          // At item 0: no result, the error, done.
          const first = pool.imap(ref("square"), failingAt(0, { count: 0, closed: false }));
          assertEquals(await drain(first as IMapIterator<unknown>), ["error: iterable failed at 0"]);
        }),
    },
    {
      name: `${where}: imapUnordered yields every result before the iterable's error, then the error`,
      needs,
      fn: (ctx) =>
        withKind(ctx, kind, async (pool) => {
          const it = pool.imapUnordered(ref("square"), failingAt(6, { count: 0, closed: false }));
          const out = await drain(it as IMapIterator<unknown>);
          assertEquals(out.at(-1), "error: iterable failed at 6");
          assertEquals((out.slice(0, -1) as number[]).sort((a, b) => a - b), [0, 1, 4, 9, 16, 25]);
        }),
    },
    {
      name: `${where}: imap reads an endless iterable lazily, and stops reading it once the iterator is closed`,
      needs,
      fn: (ctx) =>
        withKind(ctx, kind, async (pool) => {
          const read = { count: 0, closed: false };
          const it = pool.imap(ref("square"), failingAt(-1, read));
          const out: unknown[] = [];
          for await (const value of it) {
            out.push(value);
            if (out.length === 10) break;
          }
          assertEquals(out, [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
          // The pool's task handler closes the iterable at its next step.
          await deadline(
            (async () => {
              while (!read.closed) await ctx.sleep(1);
            })(),
            BOUND_MS,
          );
          const count = read.count;
          await ctx.settle();
          assertEquals(read.count, count, "the iterable was read after the iterator was closed");
          pool.close();
          await deadline(pool.join(), BOUND_MS);
        }),
    },
    {
      name:
        `${where}: close() right after a map of more tasks than are sent at once: every task runs, then join() returns`,
      needs,
      fn: (ctx) =>
        withKind(ctx, kind, async (pool) => {
          const count = 10_000; // more than IN_FLIGHT tasks of one item
          const result = pool.mapAsync(ref("square"), Array.from({ length: count }, (_, i) => i), 1);
          pool.close();
          assertEquals(await deadline(pool.join(), BOUND_MS), true);
          const values = await result.get();
          assertEquals(values.length, count);
          assertEquals(values.every((v, i) => v === i * i), true);
        }),
    },
  ];
}

export const poolFeedCases = defineCases([
  ...imapCases("dummy", []),
  ...imapCases("Workers", WORKERS),
  {
    name: "Pool of Workers: map of 300000 items of 100 bytes, one per task, finishes (more than two rings hold)",
    needs: WORKERS,
    fn: (ctx) =>
      withPool(ctx, 2, async (pool) => {
        const count = 300_000;
        const items = Array.from({ length: count }, (_, i) => String(i).padStart(100, "-"));
        const results = await deadline(pool.map(ref("echo"), items, 1), BOUND_MS);
        assertEquals(results.length, count);
        let wrong = 0;
        for (let i = 0; i < count; i++) if (results[i] !== items[i]) wrong++;
        assertEquals(wrong, 0);
        // An argument a Worker cannot receive, among the tasks sent later: the map fails with it.
        const late = Array.from({ length: 10_000 }, (_, i) => i === 9_000 ? Symbol("s") as unknown as number : i);
        await assertRejects(() => pool.map(ref("square"), late, 1), TypeError, "cloned");
        pool.close();
        await deadline(pool.join(), BOUND_MS);
      }, Pool),
  },
]);
