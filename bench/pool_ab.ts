/**
 * `pool_bench.ts`'s no-op group on `multiprocessing`'s `Pool` of 2 Workers
 * (`map(noop, items, 1)` and `applyAsync(noop)` per task, 2000 tasks) with
 * this checkout and another one (a baseline commit) loaded into the same
 * process, in interleaved rounds, as `queue_ab.ts` does for the queues: a
 * ratio is taken within a round (after over before). Both pools run at once,
 * so each round's Workers compete with the other pool's idle ones; the
 * ratios are what to read, not the times.
 *
 *     git worktree add ../before <baseline-commit>
 *     deno run -A bench/pool_ab.ts ../before [rounds]
 *
 * @module
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

interface PoolLike {
  map(fn: unknown, items: unknown[], chunksize?: number): Promise<unknown[]>;
  applyAsync(fn: unknown, args?: unknown[]): { get(): Promise<unknown> };
  terminate(): void;
}

const [baseline, roundsArg] = Deno.args;
if (baseline === undefined) {
  console.error("usage: deno run -A bench/pool_ab.ts <baseline checkout> [rounds]");
  Deno.exit(2);
}
const rounds = Number(roundsArg ?? 15);
const TASKS = 2000;

async function load(root: URL): Promise<{ pool: PoolLike; noop: unknown }> {
  const { Pool } = await import(new URL("multiprocessing/mod.ts", root).href);
  return { pool: new Pool(2), noop: { module: new URL("bench/_pool_bench_tasks.ts", root).href, export: "noop" } };
}

const before = await load(pathToFileURL(resolve(baseline) + "/"));
const after = await load(new URL("..", import.meta.url));
const zeros = new Array<number>(TASKS).fill(0);
const groups = ["map(noop, items, 1)", "applyAsync(noop) per task"];
const cases = [before, after].flatMap(({ pool, noop }) => [
  () => pool.map(noop, zeros, 1),
  () => Promise.all(zeros.map((x) => pool.applyAsync(noop, [x]).get())),
]);
const samples = cases.map(() => [] as number[]);
// Two warm-up rounds (the Workers start in the first), then the timed ones.
for (let r = -2; r < rounds; r++) {
  for (let k = 0; k < cases.length; k++) {
    const i = (k + Math.max(r, 0)) % cases.length;
    const start = performance.now();
    await cases[i]();
    if (r >= 0) samples[i].push(performance.now() - start);
  }
}
before.pool.terminate();
after.pool.terminate();
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
console.log(`| ${TASKS} no-op tasks, Pool of 2 Workers | before | after | after/before (median of ${rounds} rounds) |`);
console.log("| --- | ---: | ---: | ---: |");
groups.forEach((name, g) => {
  const [b, a] = [samples[g], samples[2 + g]];
  const ms = (values: number[]) => `${median(values).toFixed(2)} ms`;
  console.log(`| ${name} | ${ms(b)} | ${ms(a)} | ${median(a.map((v, r) => v / b[r])).toFixed(2)} |`);
});
