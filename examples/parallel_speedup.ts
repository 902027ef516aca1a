/**
 * CPU-bound work on real threads: counting the primes below a bound, first
 * in one Worker, then split over N Workers running in parallel (N = the
 * number of cores, at most 4). Both give the same count; the time ratio is
 * the speed-up, which threads of one isolate (the `async` backend, or
 * CPython's threads under the GIL) cannot give.
 *
 * Each Worker counts the primes of its own range and adds its count to a
 * shared total with `Atomics.add`; `join()` waits for all of them.
 *
 * Run it: `deno run -A examples/parallel_speedup.ts`
 *
 * @module
 */
import { monotonic, Thread } from "@locksmith/threading";

const LIMIT = 3_000_000;

/**
 * Counts the primes in `[from, to)` by trial division (deliberately CPU-bound).
 *
 * @param from The first number of the range.
 * @param to One past the last number.
 * @returns How many primes the range holds.
 */
export function primesBetween(from: number, to: number): number {
  let count = 0;
  for (let n = Math.max(from, 2); n < to; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

/**
 * One thread's work (runs in a Worker): counts the primes in `[from, to)`
 * and adds the count to `total[0]`.
 *
 * @param from The first number of the range.
 * @param to One past the last number.
 * @param total Where counts are summed.
 */
export function countPrimes(from: number, to: number, total: Int32Array): void {
  Atomics.add(total, 0, primesBetween(from, to));
}

async function timeWith(workers: number, limit: number): Promise<{ primes: number; ms: number }> {
  const total = new Int32Array(new SharedArrayBuffer(4));
  // Interleaved slices, so each Worker gets a fair share of the big numbers.
  const step = Math.ceil(limit / (workers * 8));
  const ranges: [number, number][][] = Array.from({ length: workers }, () => []);
  for (let from = 0, k = 0; from < limit; from += step, k++) {
    ranges[k % workers].push([from, Math.min(limit, from + step)]);
  }
  const threads = ranges.map((slices, i) =>
    new Thread({
      backend: "atomics",
      name: `primes-${i + 1}`,
      target: { module: import.meta.url, export: "countSlices" },
      args: [slices, total],
    })
  );
  const start = monotonic({ backend: "atomics" });
  for (const t of threads) t.start();
  for (const t of threads) await t.join();
  return { primes: total[0], ms: monotonic({ backend: "atomics" }) - start };
}

/**
 * One thread's work (runs in a Worker): counts the primes of each slice.
 *
 * @param slices `[from, to)` ranges.
 * @param total Where counts are summed.
 */
export function countSlices(slices: [number, number][], total: Int32Array): void {
  for (const [from, to] of slices) countPrimes(from, to, total);
}

/**
 * Runs the scenario and returns its output lines.
 *
 * @param limit Count the primes below this (default 3 000 000).
 * @returns The lines the scenario printed.
 */
export async function main(limit: number = LIMIT): Promise<string[]> {
  const cores = Math.max(2, Math.min(4, navigator.hardwareConcurrency ?? 2));
  const one = await timeWith(1, limit);
  const many = await timeWith(cores, limit);
  return [
    "backend: atomics",
    `primes below ${limit}: ${one.primes} (1 Worker), ${many.primes} (${cores} Workers)`,
    `1 Worker: ${one.ms.toFixed(0)} ms`,
    `${cores} Workers: ${many.ms.toFixed(0)} ms`,
    `speed-up: ${(one.ms / many.ms).toFixed(2)}x with ${cores} Workers`,
  ];
}

if (import.meta.main) {
  for (const line of await main()) console.log(line);
}
