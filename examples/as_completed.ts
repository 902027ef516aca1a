/**
 * Downloads through a `ThreadPoolExecutor`, collected with `asCompleted` as
 * each one finishes (Python's `concurrent.futures.as_completed`): the
 * fastest download is reported first, whatever order they were submitted
 * in, and a download that fails is reported when it fails. Sleeps stand in
 * for the network.
 *
 * Python:
 * ```py
 * with ThreadPoolExecutor(max_workers=4) as pool:
 *     futures = {pool.submit(download, url, ms): url for url, ms in jobs}
 *     for future in as_completed(futures):
 *         print(futures[future], future.result())
 * ```
 *
 * The download is exported and submitted by module reference, which every
 * backend's pool accepts (on `atomics` the pool's threads are Workers).
 *
 * Run it: `deno run -A examples/as_completed.ts --backend=async`
 *
 * @module
 */
import { type BackendChoice, getBackend, getDefaultBackend, sleep } from "@locksmith/threading";
import { asCompleted, type Future, ThreadPoolExecutor } from "@locksmith/threading/futures";

// Each download's simulated duration, in ms (50 ms apart, so they finish in a fixed order even on a busy machine).
const DOWNLOADS: [string, number][] = [
  ["https://example.com/big.iso", 250],
  ["https://example.com/index.html", 50],
  ["https://example.com/missing.png", 150],
  ["https://example.com/photo.jpg", 200],
  ["https://example.com/style.css", 100],
];

/**
 * Simulates downloading `url` in `ms` milliseconds (runs in a pool thread).
 *
 * @param url What to download.
 * @param ms How long it takes.
 * @returns The number of bytes downloaded.
 * @throws {Error} For a URL that "does not exist".
 */
export async function download(url: string, ms: number): Promise<number> {
  await sleep(ms);
  if (url.includes("missing")) throw new Error(`404 Not Found: ${url}`);
  return url.length * 1000;
}

/**
 * Submits every download and reports them as they complete.
 *
 * @param backend The backend of the pool's threads.
 * @returns The lines the example printed.
 */
export async function main(backend: BackendChoice = getDefaultBackend()): Promise<string[]> {
  const lines = [`backend: ${getBackend(backend).name}`];
  await using pool = new ThreadPoolExecutor({ maxWorkers: DOWNLOADS.length, backend });
  const download = { module: import.meta.url, export: "download" };
  // Start every pool thread first (on atomics a Worker takes tens of ms to start and load this module),
  // so that the downloads below finish in the order of their durations.
  await Promise.all(DOWNLOADS.map(() => pool.submit(download, "warm-up", 30)));
  const urls = new Map<Future<number>, string>();
  for (const [url, ms] of DOWNLOADS) urls.set(pool.submit(download, url, ms), url);
  lines.push(`submitted ${urls.size} downloads`);
  let bytes = 0;
  for await (const future of asCompleted(urls.keys())) {
    const url = urls.get(future as Future<number>);
    try {
      const size = await future.result();
      bytes += size;
      lines.push(`done: ${url} (${size} bytes)`);
    } catch (error) {
      lines.push(`failed: ${url} (${(error as Error).message})`);
    }
  }
  lines.push(`total: ${bytes} bytes`);
  return lines;
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(flag?.slice("--backend=".length) ?? "async")) console.log(line);
}
