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
 * threads are Workers running in parallel. Workers import what they run, so
 * the call is a module reference (`{ module: import.meta.url, export:
 * "fetchSize" }`), which both pools accept: the map below runs on
 * `multiprocessing.dummy`'s `Pool` over threads of an in-isolate backend
 * (`async`, `cooperative`), and on `multiprocessing`'s `Pool` of Workers
 * on `atomics` (the threads pool refuses Workers).
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
 * Maps `fetchSize` over the URLs with a pool of 4 threads of `backend`.
 *
 * @param backend The backend of the pool's threads.
 * @returns The lines the example printed.
 */
export async function main(backend: BackendChoice = getDefaultBackend()): Promise<string[]> {
  const { name, capabilities } = getBackend(backend);
  const lines = [`backend: ${name}`];
  // Threads of this isolate, or Workers: the same API, one import apart.
  const workers = !capabilities.functionTargets;
  await using pool = workers ? new ProcessPool(4, null, [], { backend }) : new Pool(4, null, [], { backend });
  const sizes = await pool.map({ module: import.meta.url, export: "fetchSize" }, URLS) as number[];
  lines.push(
    `${workers ? "multiprocessing" : "multiprocessing.dummy"} Pool(${pool.processes}).map over ${URLS.length} urls:`,
  );
  URLS.forEach((url, i) => lines.push(`  ${url} -> ${sizes[i]} bytes`));
  lines.push(`total ${sizes.reduce((a, b) => a + b, 0)} bytes`);
  return lines;
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(flag?.slice("--backend=".length) ?? "async")) console.log(line);
}
