/**
 * The seeds' "LoopThread": the main thread starts a thread named
 * `LoopThread` that counts to 5, sleeping between steps, and joins it.
 *
 * Python:
 * ```py
 * t = threading.Thread(target=loop, name='LoopThread')
 * t.start()
 * t.join()
 * ```
 *
 * Run it: `deno run -A examples/named_thread_loop.ts --backend=async`
 *
 * @module
 */
import { type BackendChoice, currentThread, getBackend, getDefaultBackend, sleep, Thread } from "@locksmith/threading";

/**
 * Runs the scenario on `backend` and returns its output lines.
 *
 * @param backend The backend every thread and primitive is created on.
 * @returns The lines the scenario printed.
 */
export async function main(backend: BackendChoice = getDefaultBackend()): Promise<string[]> {
  const lines = [`backend: ${getBackend(backend).name}`];

  async function loop(): Promise<void> {
    lines.push(`thread ${currentThread().name} is running...`);
    let n = 0;
    while (n < 5) {
      n = n + 1;
      lines.push(`thread ${currentThread().name} >>> ${n}`);
      await sleep(5, { backend }); // Python sleeps 1 s; 5 ms keeps the demo quick
    }
    lines.push(`thread ${currentThread().name} ended.`);
  }

  lines.push(`thread ${currentThread().name} is running...`);
  const t = new Thread({ target: loop, name: "LoopThread", backend });
  t.start();
  await t.join();
  lines.push(`thread ${currentThread().name} ended.`);
  return lines;
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(flag?.slice("--backend=".length) ?? "async")) console.log(line);
}
