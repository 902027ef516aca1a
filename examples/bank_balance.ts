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
 * updates it loses.
 *
 * Run it: `deno run -A examples/bank_balance.ts --backend=async`
 *
 * @module
 */
import { type BackendChoice, getBackend, getDefaultBackend, Lock, Thread } from "@locksmith/threading";

const ITERATIONS = 100000;
const UNPROTECTED_ITERATIONS = 1000;

/**
 * Runs the scenario on `backend` and returns its output lines.
 *
 * @param backend The backend every thread and primitive is created on.
 * @returns The lines the scenario printed.
 */
export async function main(backend: BackendChoice = getDefaultBackend()): Promise<string[]> {
  const lines = [`backend: ${getBackend(backend).name}`];
  let balance = 0;

  async function changeIt(n: number): Promise<void> {
    balance = balance + n;
    const read = balance;
    await null; // the thread may be switched out here, between the read and the write
    balance = read - n;
  }

  const lock = new Lock({ backend });
  async function runThread(n: number): Promise<void> {
    for (let i = 0; i < ITERATIONS; i++) {
      await lock.acquire();
      try {
        await changeIt(n);
      } finally {
        lock.release();
      }
    }
  }

  async function runThreadWithoutLock(n: number): Promise<void> {
    for (let i = 0; i < UNPROTECTED_ITERATIONS; i++) await changeIt(n);
  }

  async function runBoth(target: (n: number) => Promise<void>): Promise<void> {
    balance = 0;
    const t1 = new Thread({ target, args: [5], name: "deposit-5", backend });
    const t2 = new Thread({ target, args: [8], name: "deposit-8", backend });
    t1.start();
    t2.start();
    await t1.join();
    await t2.join();
  }

  await runBoth(runThread);
  lines.push(`with a Lock: balance ${balance} after 2 threads x ${ITERATIONS} changes`);
  await runBoth(runThreadWithoutLock);
  lines.push(`without a lock: balance ${balance} after 2 threads x ${UNPROTECTED_ITERATIONS} changes`);
  return lines;
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(flag?.slice("--backend=".length) ?? "async")) console.log(line);
}
