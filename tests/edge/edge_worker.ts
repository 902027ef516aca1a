/**
 * A Cloudflare Worker (module syntax) that runs the library's default entry
 * points on the `async` backend and the `cooperative` explorer, and answers
 * any request with a JSON report. `tests/edge_test.ts` bundles it and serves
 * it with `workerd`, Cloudflare's runtime: no Web Workers, no
 * `Atomics.wait`, `node:` modules only through `nodejs_compat`.
 *
 * @module
 */
import {
  Condition,
  Event,
  explore,
  getDefaultBackend,
  Lock,
  replay,
  Semaphore,
  sleep,
  Thread,
  yieldNow,
} from "@locksmith/threading";
import { Queue } from "@locksmith/threading/queue";
import { ThreadPoolExecutor } from "@locksmith/threading/futures";
import { Pool } from "@locksmith/threading/multiprocessing/dummy";
import { allocateLock, startNewThread } from "@locksmith/threading/_thread";

/** Four threads add 100 each under a Lock, with an await inside the critical section. */
async function lockedCounter(): Promise<number> {
  const lock = new Lock();
  let counter = 0;
  const threads = Array.from({ length: 4 }, () =>
    new Thread({
      target: async () => {
        for (let i = 0; i < 100; i++) {
          await lock.acquire();
          const read = counter;
          await sleep(0);
          counter = read + 1;
          lock.release();
        }
      },
    }));
  threads.forEach((t) => t.start());
  for (const t of threads) await t.join();
  return counter;
}

/** A producer and a consumer through a bounded Queue, with taskDone/join. */
async function queueHandOff(): Promise<number[]> {
  const q = new Queue<number>(2);
  const got: number[] = [];
  const consumer = new Thread({
    target: async () => {
      for (let i = 0; i < 5; i++) {
        got.push(await q.get());
        q.taskDone();
      }
    },
  });
  consumer.start();
  for (let i = 0; i < 5; i++) await q.put(i);
  await q.join();
  await consumer.join();
  return got;
}

/** A Condition waiter released by notifyAll. */
async function conditionWait(): Promise<string> {
  const cond = new Condition();
  let ready = false;
  const waiter = new Thread({
    target: async () => {
      await cond.acquire();
      await cond.waitFor(() => ready);
      cond.release();
    },
  });
  waiter.start();
  await sleep(1);
  await cond.acquire();
  ready = true;
  cond.notifyAll();
  cond.release();
  await waiter.join();
  return "woken";
}

/** The seeds' unlocked bank balance: the explorer finds the lost update, replays it, and the Lock fixes it. */
async function explorer(): Promise<{ found: boolean; replayed: boolean; lockedOk: boolean }> {
  const scenario = (lock?: Lock) => async () => {
    let balance = 0;
    const change = async (n: number) => {
      let read = balance;
      balance = read + n;
      read = balance;
      await yieldNow();
      balance = read - n;
    };
    const threads = [5, 8].map((n) =>
      new Thread({
        target: async () => {
          for (let i = 0; i < 3; i++) await (lock ? lock.runExclusive(() => change(n)) : change(n));
        },
      })
    );
    threads.forEach((t) => t.start());
    for (const t of threads) await t.join();
    if (balance !== 0) throw new Error(`balance is ${balance}`);
  };
  const racy = await explore(scenario(), { schedules: 200 });
  const again = racy.failure ? await replay(scenario(), racy.failure.seed) : undefined;
  const locked = await explore(() => scenario(new Lock())(), { schedules: 200 });
  return {
    found: !racy.ok,
    replayed: again !== undefined && again.trace.join("\n") === racy.failure!.trace.join("\n"),
    lockedOk: locked.ok,
  };
}

async function report(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { backend: getDefaultBackend().name };
  out.counter = await lockedCounter();
  out.queue = await queueHandOff();
  const event = new Event();
  setTimeout(() => event.set(), 5);
  out.event = await event.wait(10_000);
  const semaphore = new Semaphore(2);
  out.semaphore = [await semaphore.acquire(), await semaphore.acquire(), await semaphore.acquire({ blocking: false })];
  out.condition = await conditionWait();
  {
    await using executor = new ThreadPoolExecutor({ maxWorkers: 3 });
    const futures = [1, 2, 3].map((x) => executor.submit(async (y: number) => (await sleep(1), y * 10), x));
    out.executor = await Promise.all(futures.map((f) => f.result()));
  }
  {
    await using pool = new Pool(3);
    out.pool = await pool.map((x: number) => x * x, [1, 2, 3, 4]);
  }
  const low = allocateLock();
  let ran = false;
  await low.acquire();
  startNewThread(() => {
    ran = true;
    low.release();
  });
  await low.acquire();
  out.lowLevel = ran;
  out.explorer = await explorer();
  return out;
}

export default {
  async fetch(): Promise<Response> {
    try {
      return Response.json(await report());
    } catch (error) {
      return new Response(String((error as Error)?.stack ?? error), { status: 500 });
    }
  },
};
