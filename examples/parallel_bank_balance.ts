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
 * On the `atomics` backend (the default here) the threads are Workers: the
 * target is given by reference (`{ module, export }`), and the `Lock` and
 * the `Int32Array` passed as arguments arrive in each Worker over the same
 * shared memory. The run without the lock shows the updates that two cores
 * really running at once lose. On `async` and `cooperative` the same code
 * runs in one isolate: each thread's loop never awaits, so it runs to its
 * end before the other starts, and nothing is lost even without the lock.
 *
 * Run it: `deno run -A examples/parallel_bank_balance.ts --backend=atomics`
 *
 * @module
 */
import { type BackendChoice, Barrier, getBackend, Lock, Thread } from "@locksmith/threading";

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
 * One thread's work (a Worker on `atomics`): waits for the start signal,
 * then makes `iterations` changes, each under `lock` (or without it if
 * `lock` is `null`).
 *
 * @param start Both Workers meet here first, so that they run at the same time.
 * @param lock The shared lock, or `null`.
 * @param balance The shared balance (`balance[0]`).
 * @param n The amount.
 * @param iterations How many changes.
 */
export async function runThread(
  start: Barrier,
  lock: Lock | null,
  balance: Int32Array,
  n: number,
  iterations: number,
): Promise<void> {
  await start.wait();
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

async function runBoth(backend: BackendChoice, lock: Lock | null, balance: Int32Array): Promise<void> {
  balance[0] = 0;
  const start = new Barrier(2, null, null, { backend });
  const threads = [5, 8].map((n) =>
    new Thread({
      backend,
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
 * @param backend The backend of the threads and the lock (default `atomics`: Workers).
 * @returns The lines the scenario printed.
 */
export async function main(backend: BackendChoice = "atomics"): Promise<string[]> {
  const lines = [`backend: ${getBackend(backend).name}`];
  const balance = new Int32Array(new SharedArrayBuffer(4));
  await runBoth(backend, new Lock({ backend }), balance);
  lines.push(`with a Lock: balance ${balance[0]} after 2 threads x ${ITERATIONS} changes`);
  await runBoth(backend, null, balance);
  lines.push(`without a lock: balance ${balance[0]} after 2 threads x ${ITERATIONS} changes`);
  return lines;
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(flag?.slice("--backend=".length) ?? "atomics")) console.log(line);
}
