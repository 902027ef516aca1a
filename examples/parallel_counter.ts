/**
 * The seeds' counter on real threads: three Workers each add 1 to `x` 6000
 * times while holding one shared `Lock`, in parallel, so `x` (an
 * `Int32Array` in shared memory) ends at exactly 3 x 6000 = 18000.
 *
 * Python:
 * ```py
 * def func():
 *     global x
 *     lock.acquire()
 *     for i in range(6000):
 *         x = x+1
 *     lock.release()
 * ```
 *
 * `x[0] = x[0] + 1` is a read and a write that another core can interleave
 * with its own; the lock keeps the other Workers out for the whole loop.
 *
 * On `async` and `cooperative` the same code runs in one isolate: each
 * thread's loop runs to its end before another starts.
 *
 * Run it: `deno run -A examples/parallel_counter.ts --backend=atomics`
 *
 * @module
 */
import { type BackendChoice, currentThread, getBackend, Lock, Thread } from "@locksmith/threading";

const THREADS = 3;
const INCREMENTS = 6000;

/**
 * One thread's work (a Worker on `atomics`): `increments` increments of `x[0]`
 * under `lock`; records in `log` where its run started (slot = its number).
 *
 * @param lock The shared lock.
 * @param x The shared counter (`x[0]`).
 * @param increments How many increments.
 * @param log Where each thread writes the value of `x` it started from.
 * @param slot This thread's slot in `log`.
 */
export function func(lock: Lock, x: Int32Array, increments: number, log: Int32Array, slot: number): void {
  lock.acquireSync();
  try {
    log[slot] = x[0];
    for (let i = 0; i < increments; i++) x[0] = x[0] + 1;
  } finally {
    lock.release();
  }
  if (currentThread().name !== `counter-${slot + 1}`) throw new Error("not in its own thread");
}

/**
 * Runs the scenario and returns its output lines.
 *
 * @param backend The backend of the threads and the lock (default `atomics`: Workers).
 * @returns The lines the scenario printed.
 */
export async function main(backend: BackendChoice = "atomics"): Promise<string[]> {
  const lines = [`backend: ${getBackend(backend).name}`];
  const lock = new Lock({ backend });
  const x = new Int32Array(new SharedArrayBuffer(4));
  const log = new Int32Array(new SharedArrayBuffer(4 * THREADS));
  const threads = Array.from({ length: THREADS }, (_, i) =>
    new Thread({
      backend,
      name: `counter-${i + 1}`,
      target: { module: import.meta.url, export: "func" },
      args: [lock, x, INCREMENTS, log, i],
    }));
  for (const t of threads) t.start();
  for (const t of threads) await t.join();
  for (let i = 0; i < THREADS; i++) {
    lines.push(`counter-${i + 1} held the lock: x went from ${log[i]} to ${log[i] + INCREMENTS}`);
  }
  lines.push(`x = ${x[0]} (${THREADS} x ${INCREMENTS} = ${THREADS * INCREMENTS})`);
  return lines;
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(flag?.slice("--backend=".length) ?? "atomics")) console.log(line);
}
