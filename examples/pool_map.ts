/**
 * The seeds' `multiprocessing.dummy` example: `Pool().map(func, iterable)`
 * spreads the items over the threads of a pool and returns the results in
 * order. Here each call "downloads" a page (a sleep stands in for the
 * network), so four threads finish eight downloads in about a quarter of
 * the time one would take.
 *
 * Python:
 * ```py
 * from multiprocessing.dummy import Pool   # threads
 * # from multiprocessing import Pool       # processes: the same API
 * with Pool(4) as pool:
 *     sizes = pool.map(fetch, urls)
 * ```
 *
 * Switching to `multiprocessing`'s `Pool` is one import here too: its
 * threads are Workers running in parallel, so its calls are module
 * references (`{ module: import.meta.url, export: "fetchSize" }`), which the
 * Workers import. The second half runs the same map on such a pool.
 *
 * Run it: `deno run -A examples/pool_map.ts --backend=async`
 *
 * @module
 */
import { type BackendChoice, getBackend, getDefaultBackend, sleep } from "@locksmith/threading";
import { Pool } from "@locksmith/threading/multiprocessing/dummy";
import { Pool as ProcessPool } from "@locksmith/threading/multiprocessing";

const URLS = [
  "https://www.python.org/",
  "https://docs.python.org/3/library/threading.html",
  "https://docs.python.org/3/library/multiprocessing.html",
  "https://deno.com/",
  "https://jsr.io/",
  "https://example.com/",
  "https://example.org/index.html",
  "https://www.ietf.org/rfc/rfc9110.txt",
];

/**
 * Simulates downloading `url`: waits a little, then "returns" a page whose
 * size is derived from the URL.
 *
 * @param url The page to fetch.
 * @returns The page's size in bytes.
 */
export async function fetchSize(url: string): Promise<number> {
  await sleep(10 + (url.length % 4) * 5);
  return url.length * 100;
}

/**
 * Maps `fetchSize` over the URLs with a `Pool(4)` on `backend`.
 *
 * @param backend The backend of the pools' threads.
 * @returns The lines the example printed.
 */
export async function main(backend: BackendChoice = getDefaultBackend()): Promise<string[]> {
  const lines = [`backend: ${getBackend(backend).name}`];
  {
    await using pool = new Pool(4, null, [], { backend });
    const sizes = await pool.map(fetchSize, URLS);
    lines.push(`multiprocessing.dummy Pool(${pool.processes}).map over ${URLS.length} urls:`);
    URLS.forEach((url, i) => lines.push(`  ${url} -> ${sizes[i]} bytes`));
  }
  {
    // The same map through multiprocessing's Pool: four Workers, and the call is a module reference.
    await using pool = new ProcessPool(4);
    const sizes = await pool.map({ module: import.meta.url, export: "fetchSize" }, URLS) as number[];
    lines.push(
      `multiprocessing Pool(${pool.processes}).map on ${pool.backend.name} Workers, by module reference: total ${
        sum(sizes)
      } bytes`,
    );
  }
  return lines;
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(flag?.slice("--backend=".length) ?? "async")) console.log(line);
}
