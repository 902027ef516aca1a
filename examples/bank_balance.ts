/**
 * The seeds' bank balance: `change_it(n)` adds `n` and takes it away again,
 * two threads call it 100000 times each under a `Lock`, and the balance ends
 * at exactly 0.
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
 * Python can switch threads between reading `balance` and writing it back.
 * Here `changeIt` awaits between the read and the write of its second step,
 * so another thread can run there too; the run without the lock shows the
 * updates it loses. The balance lives in a `SharedArrayBuffer` and the
 * thread body is named by module reference, so the same code runs on every
 * backend (on `atomics`, in two Workers).
 *
 * Run it: `deno run -A examples/bank_balance.ts --backend=async`
 *
 * @module
 */
import { type BackendChoice, getBackend, getDefaultBackend, Lock, Thread } from "@locksmith/threading";

const ITERATIONS = 100000;
const UNPROTECTED_ITERATIONS = 1000;

/** Python's `change_it`: the thread may be switched out between the read and the write. */
async function changeIt(balance: Int32Array, n: number): Promise<void> {
  balance[0] = balance[0] + n;
  const read = balance[0];
  await null; // the thread may be switched out here, between the read and the write
  balance[0] = read - n;
}

/**
 * Python's `run_thread`: `iterations` changes, each under `lock` (or none if `null`).
 *
 * @param lock The shared lock, or `null`.
 * @param balance The balance (`balance[0]`), in shared memory.
 * @param n The amount.
 * @param iterations How many changes.
 */
export async function runThread(lock: Lock | null, balance: Int32Array, n: number, iterations: number): Promise<void> {
  for (let i = 0; i < iterations; i++) {
    if (lock === null) {
      await changeIt(balance, n);
      continue;
    }
    await lock.acquire();
    try {
      await changeIt(balance, n);
    } finally {
      lock.release();
    }
  }
}

/**
 * Runs the scenario on `backend` and returns its output lines.
 *
 * @param backend The backend every thread and primitive is created on.
 * @returns The lines the scenario printed.
 */
export async function main(backend: BackendChoice = getDefaultBackend()): Promise<string[]> {
  const lines = [`backend: ${getBackend(backend).name}`];
  const balance = new Int32Array(new SharedArrayBuffer(4));

  async function runBoth(lock: Lock | null, iterations: number): Promise<void> {
    balance[0] = 0;
    const threads = [5, 8].map((n) =>
      new Thread({
        target: { module: import.meta.url, export: "runThread" },
        args: [lock, balance, n, iterations],
        name: `deposit-${n}`,
        backend,
      })
    );
    for (const t of threads) t.start();
    for (const t of threads) await t.join();
  }

  await runBoth(new Lock({ backend }), ITERATIONS);
  lines.push(`with a Lock: balance ${balance[0]} after 2 threads x ${ITERATIONS} changes`);
  await runBoth(null, UNPROTECTED_ITERATIONS);
  lines.push(`without a lock: balance ${balance[0]} after 2 threads x ${UNPROTECTED_ITERATIONS} changes`);
  return lines;
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(flag?.slice("--backend=".length) ?? "async")) console.log(line);
}
