/**
 * The seeds' RLock runner: two `runner` threads (a `Thread` subclass) take
 * turns raising a shared number to 6 under an `RLock`. Each takes the lock,
 * then takes it again while holding it: an `RLock` counts its owner's
 * acquisitions, where a plain `Lock` would wait for itself forever.
 *
 * Python:
 * ```py
 * class runner(threading.Thread):
 *     def run(self):
 *         global num
 *         while True:
 *             if num >= 6: break
 *             if lock.acquire():
 *                 print "Thread(%s) locked, Number: %d" % (self.name, num)
 *             lock.release()
 * ```
 *
 * Run it: `deno run -A examples/rlock_runner.ts --backend=async`
 *
 * @module
 */
import { type BackendChoice, getBackend, getDefaultBackend, Lock, RLock, Thread } from "@locksmith/threading";

/**
 * Runs the scenario on `backend` and returns its output lines.
 *
 * @param backend The backend every thread and primitive is created on.
 * @returns The lines the scenario printed.
 */
export async function main(backend: BackendChoice = getDefaultBackend()): Promise<string[]> {
  const lines = [`backend: ${getBackend(backend).name}`];
  const lock = new RLock({ backend });
  let num = 0;

  // Called with the lock held: it takes the lock a second time.
  async function increment(name: string): Promise<void> {
    await lock.acquire();
    try {
      lines.push(`Thread(${name}) locked again, Number: ${num}`);
      num += 1;
    } finally {
      lock.release();
    }
  }

  class Runner extends Thread {
    constructor(name: string) {
      super({ name, backend });
    }

    override async run(): Promise<void> {
      while (true) {
        await lock.acquire();
        try {
          if (num >= 6) break;
          lines.push(`Thread(${this.name}) locked, Number: ${num}`);
          await increment(this.name);
        } finally {
          lock.release();
        }
        lines.push(`Thread(${this.name}) released, Number: ${num}`);
      }
    }
  }

  const runners = [new Runner("thread1"), new Runner("thread2")];
  for (const t of runners) t.start();
  for (const t of runners) await t.join();
  lines.push(`num = ${num}; the RLock is ${lock.locked() ? "still locked" : "free"}`);

  // The same double acquisition with a plain Lock: the second one can only time out.
  const plain = new Lock({ backend });
  await plain.acquire();
  const again = await plain.acquire({ timeout: 10 });
  plain.release();
  lines.push(`a plain Lock taken twice by its owner: ${again ? "acquired" : "the second acquire timed out"}`);
  return lines;
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(flag?.slice("--backend=".length) ?? "async")) console.log(line);
}
