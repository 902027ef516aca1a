/**
 * multiprocessing's Pool over Workers (`atomics`: tasks and results through
 * shared-memory queues) against a minimal hand-written pool of Workers (one
 * `postMessage` per task and per result, pipelined), and the CPU-bound
 * speed-up of the Worker pool over running the same calls in one thread:
 *
 *     deno bench -A bench/pool_bench.ts
 *
 * Each iteration runs many tasks (the count is in the group's name): divide
 * ns/iter by it for the cost of one task.
 *
 * @module
 */
import { Pool } from "@locksmith/threading/multiprocessing";
import { burn } from "./_pool_bench_tasks.ts";

const WORKERS = 2;
const NOOPS = 2000;
const BURNS = 8;
const BURN_MS = 25;
const tasks = new URL("./_pool_bench_tasks.ts", import.meta.url).href;
const noop = { module: tasks, export: "noop" };
const burnRef = { module: tasks, export: "burn" };

/** The smallest Worker pool one would write: round-robin `postMessage`, results matched by id. */
class PostMessagePool {
  readonly #workers: Worker[] = [];
  readonly #pending = new Map<number, (value: number) => void>();
  #next = 0;

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL("./_postmessage_pool_worker.ts", import.meta.url), { type: "module" });
      worker.onmessage = (e: MessageEvent<[number, number]>) => {
        const [id, value] = e.data;
        const resolve = this.#pending.get(id)!;
        this.#pending.delete(id);
        resolve(value);
      };
      this.#workers.push(worker);
    }
  }

  /** Runs one task: `ms` 0 is a no-op, more burns that much CPU. */
  run(ms: number): Promise<number> {
    const id = this.#next++;
    const promise = new Promise<number>((resolve) => this.#pending.set(id, resolve));
    this.#workers[id % this.#workers.length].postMessage([id, ms]);
    return promise;
  }

  terminate(): void {
    for (const worker of this.#workers) worker.terminate();
  }
}

const pool = new Pool(WORKERS);
const handWritten = new PostMessagePool(WORKERS);
const zeros = new Array<number>(NOOPS).fill(0);
const burns = new Array<number>(BURNS).fill(BURN_MS);
// Let both pools start their Workers before anything is timed.
await pool.map(noop, [0, 0, 0, 0], 1);
await Promise.all([0, 0, 0, 0].map(() => handWritten.run(0)));

const NOOP_GROUP = `no-op tasks on ${WORKERS} Workers: ${NOOPS} per iteration`;
Deno.bench("hand-written pool: postMessage per task, pipelined", { group: NOOP_GROUP, baseline: true }, async () => {
  await Promise.all(zeros.map((ms) => handWritten.run(ms)));
});

Deno.bench("multiprocessing Pool: map(noop, items, 1), one task per item", { group: NOOP_GROUP }, async () => {
  await pool.map(noop, zeros, 1);
});

Deno.bench("multiprocessing Pool: applyAsync(noop) per task, then wait for all", { group: NOOP_GROUP }, async () => {
  await Promise.all(zeros.map((x) => pool.applyAsync(noop, [x]).get()));
});

Deno.bench("multiprocessing Pool: map(noop, items), default chunks", { group: NOOP_GROUP }, async () => {
  await pool.map(noop, zeros);
});

const CPU_GROUP = `CPU-bound: ${BURNS} calls of ${BURN_MS} ms`;
Deno.bench("one thread: the calls one after another", { group: CPU_GROUP, baseline: true }, () => {
  for (const ms of burns) burn(ms);
});

Deno.bench(`multiprocessing Pool of ${WORKERS} Workers: map(burn, items, 1)`, { group: CPU_GROUP }, async () => {
  await pool.map(burnRef, burns, 1);
});

Deno.bench(`hand-written pool of ${WORKERS} Workers`, { group: CPU_GROUP }, async () => {
  await Promise.all(burns.map((ms) => handWritten.run(ms)));
});

// deno bench has no "after all": end the Workers when the event loop would otherwise be done.
globalThis.addEventListener("beforeunload", () => {
  pool.terminate();
  handWritten.terminate();
});
