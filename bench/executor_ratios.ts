/**
 * `submit` one call at a time to a pool of 2 Workers, every result awaited:
 * `ProcessPoolExecutor` and `ThreadPoolExecutor({ backend: "atomics" })`
 * against the minimal hand-written pool (one `postMessage` per call, a `Map`
 * of resolvers, round robin). Each round runs a batch of no-op calls on each
 * pool, in rotating order; a pool's throughput ratio is the hand-written
 * pool's time over its own in the same round, and the table gives the
 * median over rounds (wall time: the Workers run in parallel with the main
 * thread).
 *
 *     deno run -A bench/executor_ratios.ts [rounds]
 *
 * @module
 */
import { ProcessPoolExecutor, ThreadPoolExecutor } from "@locksmith/threading/futures";
import type { Future } from "@locksmith/threading/futures";

const rounds = Number(Deno.args[0] ?? 7);
const WORKERS = 2;
const BATCHES = [1000, 5000, 20000];
const noop = { module: new URL("./_pool_bench_tasks.ts", import.meta.url).href, export: "noop" };

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

const handWritten = new PostMessagePool(WORKERS);
const processPool = new ProcessPoolExecutor({ maxWorkers: WORKERS });
const threadPool = new ThreadPoolExecutor({ maxWorkers: WORKERS, backend: "atomics" });

type Runner = (n: number) => Promise<unknown>;
const submitAll = (pool: { submit(fn: typeof noop, x: number): Future<unknown> }): Runner => (n) => {
  const futures: Future<unknown>[] = [];
  for (let i = 0; i < n; i++) futures.push(pool.submit(noop, i));
  return Promise.all(futures);
};
const runners: [string, Runner][] = [
  ["hand-written pool: postMessage per call, Map of resolvers (floor)", (n) => {
    const calls: Promise<number>[] = [];
    for (let i = 0; i < n; i++) calls.push(handWritten.run(0));
    return Promise.all(calls);
  }],
  ["ProcessPoolExecutor: submit per call, await every future", submitAll(processPool)],
  ['ThreadPoolExecutor({ backend: "atomics" }): submit per call, await every future', submitAll(threadPool)],
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// Warm up: start every Worker and let the JIT settle.
for (let i = 0; i < 3; i++) for (const [, run] of runners) await run(2000);

console.log(`| calls per batch | pool | us per call (median) | throughput vs floor (median of ${rounds} rounds) |`);
console.log("| ---: | --- | ---: | ---: |");
for (const n of BATCHES) {
  const times = new Map<string, number[]>(runners.map(([name]) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    const order = runners.map((_, i) => runners[(i + r) % runners.length]);
    for (const [name, run] of order) {
      const start = performance.now();
      await run(n);
      times.get(name)!.push(performance.now() - start);
    }
  }
  const floor = times.get(runners[0][0])!;
  for (const [name] of runners) {
    const mine = times.get(name)!;
    const ratio = median(mine.map((ms, r) => floor[r] / ms));
    console.log(`| ${n} | ${name} | ${(median(mine) * 1000 / n).toFixed(2)} | ${ratio.toFixed(2)} |`);
  }
}

await processPool.shutdown();
await threadPool.shutdown();
handWritten.terminate();
