/**
 * The seeds' bank balance on real threads: two Workers call `change_it(n)`
 * 100000 times each, in parallel, on a balance in shared memory, under one
 * shared `Lock`; the balance ends at exactly 0, every run.
 *
 * Python:
 * ```py
 * def run_thread(n):
 *     for i in range(100000):
 *         lock.acquire()
 *         try:
 *             change_it(n)
 *         finally:
 *             lock.release()
 * ```
 *
 * The threads are Workers of the `atomics` backend: the target is given by
 * reference (`{ module, export }`), and the `Lock` and the `Int32Array`
 * passed as arguments arrive in each Worker over the same shared memory. The
 * run without the lock shows the updates that two cores really running at
 * once lose.
 *
 * Run it: `deno run -A examples/parallel_bank_balance.ts`
 *
 * @module
 */
import { Barrier, Lock, Thread } from "@locksmith/threading";

const ITERATIONS = 100000;

/**
 * Python's `change_it`: add `n` to the balance and take it away again. Each
 * step reads the balance and writes it back as two separate operations
 * (as Python's bytecode does), so another core can write in between.
 */
function changeIt(balance: Int32Array, n: number): void {
  Atomics.store(balance, 0, Atomics.load(balance, 0) + n);
  Atomics.store(balance, 0, Atomics.load(balance, 0) - n);
}

/**
 * One thread's work (runs in a Worker): waits for the start signal, then
 * makes `iterations` changes, each under `lock` (or without it if `lock` is
 * `null`).
 *
 * @param start Both Workers meet here first, so that they run at the same time.
 * @param lock The shared lock, or `null`.
 * @param balance The shared balance (`balance[0]`).
 * @param n The amount.
 * @param iterations How many changes.
 */
export function runThread(start: Barrier, lock: Lock | null, balance: Int32Array, n: number, iterations: number): void {
  start.waitSync();
  for (let i = 0; i < iterations; i++) {
    if (lock === null) {
      changeIt(balance, n);
      continue;
    }
    lock.acquireSync(); // blocks this Worker while the other holds the lock
    try {
      changeIt(balance, n);
    } finally {
      lock.release();
    }
  }
}

async function runBoth(lock: Lock | null, balance: Int32Array): Promise<void> {
  balance[0] = 0;
  const start = new Barrier(2, null, null, { backend: "atomics" });
  const threads = [5, 8].map((n) =>
    new Thread({
      backend: "atomics",
      name: `deposit-${n}`,
      target: { module: import.meta.url, export: "runThread" },
      args: [start, lock, balance, n, ITERATIONS],
    })
  );
  for (const t of threads) t.start();
  for (const t of threads) await t.join();
}

/**
 * Runs the scenario and returns its output lines.
 *
 * @returns The lines the scenario printed.
 */
export async function main(): Promise<string[]> {
  const lines = ["backend: atomics"];
  const balance = new Int32Array(new SharedArrayBuffer(4));
  await runBoth(new Lock({ backend: "atomics" }), balance);
  lines.push(`with a Lock: balance ${balance[0]} after 2 Workers x ${ITERATIONS} changes`);
  await runBoth(null, balance);
  lines.push(`without a lock: balance ${balance[0]} after 2 Workers x ${ITERATIONS} changes`);
  return lines;
}

if (import.meta.main) {
  for (const line of await main()) console.log(line);
}
