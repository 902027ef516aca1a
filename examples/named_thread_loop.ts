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
 * The thread's body is exported and named by module reference, which every
 * backend accepts (on `atomics` the thread is a Worker that imports this
 * module); it logs to a `Queue` that every thread can reach.
 *
 * Run it: `deno run -A examples/named_thread_loop.ts --backend=async`
 *
 * @module
 */
import { type BackendChoice, currentThread, getBackend, getDefaultBackend, sleep, Thread } from "@locksmith/threading";
import type { Queue } from "@locksmith/threading/queue";
import { drain, newLog } from "./_log.ts";

/**
 * The thread's loop: counts to 5, sleeping 5 ms between steps.
 *
 * @param log Where lines go.
 * @param backend The backend to sleep on.
 */
export async function loop(log: Queue<string>, backend: string): Promise<void> {
  log.putNowait(`thread ${currentThread().name} is running...`);
  let n = 0;
  while (n < 5) {
    n = n + 1;
    log.putNowait(`thread ${currentThread().name} >>> ${n}`);
    await sleep(5, { backend }); // Python sleeps 1 s; 5 ms keeps the demo quick
  }
  log.putNowait(`thread ${currentThread().name} ended.`);
}

/**
 * Runs the scenario on `backend` and returns its output lines.
 *
 * @param backend The backend every thread and primitive is created on.
 * @returns The lines the scenario printed.
 */
export async function main(backend: BackendChoice = getDefaultBackend()): Promise<string[]> {
  const name = getBackend(backend).name;
  const log = newLog(backend, name);
  log.putNowait(`thread ${currentThread().name} is running...`);
  const t = new Thread({
    target: { module: import.meta.url, export: "loop" },
    args: [log, name],
    name: "LoopThread",
    backend,
  });
  t.start();
  await t.join();
  log.putNowait(`thread ${currentThread().name} ended.`);
  return drain(log);
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(flag?.slice("--backend=".length) ?? "async")) console.log(line);
}
