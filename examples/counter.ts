/**
 * The seeds' counter: three threads each add 1 to `x` 6000 times while
 * holding a `Lock`, so `x` ends at 3 x 6000 = 18000.
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
 * Each increment awaits between reading `x` and writing it back, where
 * another thread could run; the lock keeps the others out. The seeds start
 * and join the threads one by one; here all three start first and compete
 * for the lock, which is the case the lock is for. `x` lives in a
 * `SharedArrayBuffer` and the body is named by module reference, so the
 * same code runs on every backend (on `atomics`, in three Workers).
 *
 * Run it: `deno run -A examples/counter.ts --backend=async`
 *
 * @module
 */
import { type BackendChoice, getBackend, getDefaultBackend, Lock, Thread } from "@locksmith/threading";
import type { Queue } from "@locksmith/threading/queue";
import { drain, newLog } from "./_log.ts";

const THREADS = 3;
const INCREMENTS = 6000;

/**
 * Python's `func`: `increments` increments of `x[0]` under `lock`.
 *
 * @param lock The shared lock.
 * @param x The counter, in shared memory.
 * @param increments How many increments.
 * @param log Where the thread says which values it took `x` through.
 * @param name The thread's name, for the log.
 */
export async function func(
  lock: Lock,
  x: Int32Array,
  increments: number,
  log: Queue<string>,
  name: string,
): Promise<void> {
  using _ = await lock.guard(); // Python's `with lock:`
  const start = x[0];
  for (let i = 0; i < increments; i++) {
    const read = x[0];
    await null; // another thread could run here, if it held the lock
    x[0] = read + 1;
  }
  log.putNowait(`${name} held the lock: x went from ${start} to ${x[0]}`);
}

/**
 * Runs the scenario on `backend` and returns its output lines.
 *
 * @param backend The backend every thread and primitive is created on.
 * @returns The lines the scenario printed.
 */
export async function main(backend: BackendChoice = getDefaultBackend()): Promise<string[]> {
  const log = newLog(backend, getBackend(backend).name);
  const lock = new Lock({ backend });
  const x = new Int32Array(new SharedArrayBuffer(4));
  const names = Array.from({ length: THREADS }, (_, i) => `counter-${i + 1}`);
  const threads = names.map((name) =>
    new Thread({
      target: { module: import.meta.url, export: "func" },
      args: [lock, x, INCREMENTS, log, name],
      name,
      backend,
    })
  );
  for (const t of threads) t.start();
  for (const t of threads) await t.join();
  log.putNowait(`x = ${x[0]} (${THREADS} x ${INCREMENTS} = ${THREADS * INCREMENTS})`);
  return drain(log);
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(flag?.slice("--backend=".length) ?? "async")) console.log(line);
}
