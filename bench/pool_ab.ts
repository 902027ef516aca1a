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
import { abArgs, interleaveAsync, median, ratioOfRounds } from "./_ab.ts";

interface PoolLike {
  map(fn: unknown, items: unknown[], chunksize?: number): Promise<unknown[]>;
  applyAsync(fn: unknown, args?: unknown[]): { get(): Promise<unknown> };
  terminate(): void;
}

const run = abArgs("pool_ab.ts", 15);
const TASKS = 2000;

async function load(root: URL): Promise<{ pool: PoolLike; noop: unknown }> {
  const { Pool } = await import(new URL("multiprocessing/mod.ts", root).href);
  return { pool: new Pool(2), noop: { module: new URL("bench/_pool_bench_tasks.ts", root).href, export: "noop" } };
}

const before = await load(run.before);
const after = await load(run.after);
const zeros = new Array<number>(TASKS).fill(0);
const groups = ["map(noop, items, 1)", "applyAsync(noop) per task"];
const cases = [before, after].flatMap(({ pool, noop }) => [
  () => pool.map(noop, zeros, 1),
  () => Promise.all(zeros.map((x) => pool.applyAsync(noop, [x]).get())),
]);
const samples = await interleaveAsync(cases, run.rounds);
before.pool.terminate();
after.pool.terminate();
console.log(
  `| ${TASKS} no-op tasks, Pool of 2 Workers | before | after | after/before (median of ${run.rounds} rounds) |`,
);
console.log("| --- | ---: | ---: | ---: |");
groups.forEach((name, g) => {
  const [b, a] = [samples[g], samples[2 + g]];
  const ms = (values: number[]) => `${median(values).toFixed(2)} ms`;
  console.log(`| ${name} | ${ms(b)} | ${ms(a)} | ${ratioOfRounds(b, a).toFixed(2)} |`);
});
