/**
 * A CPU-bound job on a pool of Workers, and its speed-up: counting the
 * primes below a bound in chunks, first with the calls one after another in
 * this thread, then with `multiprocessing`'s `Pool().map` over the same
 * chunks, which runs them on Workers in parallel. Python's version:
 *
 * ```py
 * from multiprocessing import Pool
 * with Pool() as pool:
 *     total = sum(pool.map(count_primes, chunks))
 * ```
 *
 * On `atomics` (the default here) the pool's threads are Workers. Given an
 * in-isolate backend (`--backend=async`), the same pool runs on threads of
 * one isolate, which share one core: no speed-up, as under CPython's GIL.
 * Times are wall-clock (`performance.now()`).
 *
 * Run it: `deno run -A examples/pool_speedup.ts --backend=atomics`
 *
 * @module
 */
import { type BackendChoice, getBackend } from "@locksmith/threading";
import { cpuCount, Pool } from "@locksmith/threading/multiprocessing";
import { primesBetween } from "./parallel_speedup.ts";

const LIMIT = 4_000_000;
const CHUNKS = 32;

/**
 * Counts the primes in `[from, to)` (runs in a Worker of the pool).
 *
 * @param range `[from, to)`.
 * @returns How many primes it holds.
 */
export function countPrimes([from, to]: [number, number]): number {
  return primesBetween(from, to);
}

function chunksBelow(limit: number): [number, number][] {
  const step = Math.ceil(limit / CHUNKS);
  const chunks: [number, number][] = [];
  for (let from = 0; from < limit; from += step) chunks.push([from, Math.min(limit, from + step)]);
  return chunks;
}

/**
 * Runs the job both ways and returns the lines it printed.
 *
 * @param limit Count the primes below this (default 4 000 000).
 * @param backend The backend of the pool's threads (default `atomics`: Workers).
 * @returns The lines.
 */
export async function main(limit: number = LIMIT, backend: BackendChoice = "atomics"): Promise<string[]> {
  const chunks = chunksBelow(limit);
  const workers = Math.min(4, Math.max(2, cpuCount()));
  countPrimes([0, 20_000]); // warm this thread up too: both sides then run compiled code
  let start = performance.now();
  let alone = 0;
  for (const chunk of chunks) alone += countPrimes(chunk);
  const aloneMs = performance.now() - start;

  await using pool = new Pool(workers, null, [], { backend });
  // Let the Workers start (and import this module) before timing.
  await pool.map({ module: import.meta.url, export: "countPrimes" }, [[0, 1]]);
  start = performance.now();
  const counts = await pool.map({ module: import.meta.url, export: "countPrimes" }, chunks, 1) as number[];
  const pooledMs = performance.now() - start;
  const pooled = counts.reduce((a, b) => a + b, 0);
  return [
    `backend: ${getBackend(backend).name}`,
    `primes below ${limit} in ${chunks.length} chunks: ${alone} (one thread), ${pooled} (Pool(${workers}).map)`,
    `one thread: ${aloneMs.toFixed(0)} ms`,
    `Pool(${workers}): ${pooledMs.toFixed(0)} ms`,
    `speed-up: ${(aloneMs / pooledMs).toFixed(2)}x with ${workers} threads`,
  ];
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(LIMIT, flag?.slice("--backend=".length) ?? "atomics")) console.log(line);
}
