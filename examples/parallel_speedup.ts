/**
 * CPU-bound work on threads: counting the primes below a bound, first in
 * one thread, then split over N threads (N = the number of cores, at most
 * 4). Both give the same count; the time ratio is the speed-up. On
 * `atomics` (the default here) the threads are Workers running in
 * parallel; threads of one isolate (`async`, `cooperative`, or CPython's
 * threads under the GIL) take turns on one core and give none.
 *
 * Each thread counts the primes of its own range and adds its count to a
 * shared total with `Atomics.add`; `join()` waits for all of them. Times
 * are wall-clock (`performance.now()`): the `cooperative` backend's virtual
 * clock stands still while a thread computes.
 *
 * Run it: `deno run -A examples/parallel_speedup.ts --backend=atomics`
 *
 * @module
 */
import { type BackendChoice, getBackend, Thread } from "@locksmith/threading";

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
 * One thread's work (a Worker on `atomics`): counts the primes in `[from, to)`
 * and adds the count to `total[0]`.
 *
 * @param from The first number of the range.
 * @param to One past the last number.
 * @param total Where counts are summed.
 */
export function countPrimes(from: number, to: number, total: Int32Array): void {
  Atomics.add(total, 0, primesBetween(from, to));
}

async function timeWith(
  backend: BackendChoice,
  workers: number,
  limit: number,
): Promise<{ primes: number; ms: number }> {
  const total = new Int32Array(new SharedArrayBuffer(4));
  // Interleaved slices, so each Worker gets a fair share of the big numbers.
  const step = Math.ceil(limit / (workers * 8));
  const ranges: [number, number][][] = Array.from({ length: workers }, () => []);
  for (let from = 0, k = 0; from < limit; from += step, k++) {
    ranges[k % workers].push([from, Math.min(limit, from + step)]);
  }
  const threads = ranges.map((slices, i) =>
    new Thread({
      backend,
      name: `primes-${i + 1}`,
      target: { module: import.meta.url, export: "countSlices" },
      args: [slices, total],
    })
  );
  const start = performance.now();
  for (const t of threads) t.start();
  for (const t of threads) await t.join();
  return { primes: total[0], ms: performance.now() - start };
}

/**
 * One thread's work (a Worker on `atomics`): counts the primes of each slice.
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
 * @param backend The backend of the threads (default `atomics`: Workers).
 * @returns The lines the scenario printed.
 */
export async function main(limit: number = LIMIT, backend: BackendChoice = "atomics"): Promise<string[]> {
  const cores = Math.max(2, Math.min(4, navigator.hardwareConcurrency ?? 2));
  const one = await timeWith(backend, 1, limit);
  const many = await timeWith(backend, cores, limit);
  return [
    `backend: ${getBackend(backend).name}`,
    `primes below ${limit}: ${one.primes} (1 thread), ${many.primes} (${cores} threads)`,
    `1 thread: ${one.ms.toFixed(0)} ms`,
    `${cores} threads: ${many.ms.toFixed(0)} ms`,
    `speed-up: ${(one.ms / many.ms).toFixed(2)}x with ${cores} threads`,
  ];
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(LIMIT, flag?.slice("--backend=".length) ?? "atomics")) console.log(line);
}
