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
 * for the lock, which is the case the lock is for.
 *
 * Run it: `deno run -A examples/counter.ts --backend=async`
 *
 * @module
 */
import { type BackendChoice, getBackend, getDefaultBackend, Lock, Thread } from "@locksmith/threading";

const THREADS = 3;
const INCREMENTS = 6000;

/**
 * Runs the scenario on `backend` and returns its output lines.
 *
 * @param backend The backend every thread and primitive is created on.
 * @returns The lines the scenario printed.
 */
export async function main(backend: BackendChoice = getDefaultBackend()): Promise<string[]> {
  const lines = [`backend: ${getBackend(backend).name}`];
  const lock = new Lock({ backend });
  let x = 0;

  async function func(name: string): Promise<void> {
    using _ = await lock.guard(); // Python's `with lock:`
    const start = x;
    for (let i = 0; i < INCREMENTS; i++) {
      const read = x;
      await null; // another thread could run here, if it held the lock
      x = read + 1;
    }
    lines.push(`${name} held the lock: x went from ${start} to ${x}`);
  }

  const names = Array.from({ length: THREADS }, (_, i) => `counter-${i + 1}`);
  const threads = names.map((name) => new Thread({ target: func, args: [name], name, backend }));
  for (const t of threads) t.start();
  for (const t of threads) await t.join();
  lines.push(`x = ${x} (${THREADS} x ${INCREMENTS} = ${THREADS * INCREMENTS})`);
  return lines;
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(flag?.slice("--backend=".length) ?? "async")) console.log(line);
}
