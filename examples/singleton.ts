/**
 * The seeds' thread-safe singleton: `Singleton.__new__` decorated with
 * `@synchronized`, so threads that ask for the instance at the same time
 * still get one and the same object.
 *
 * Python:
 * ```py
 * def synchronized(func):
 *     func.__lock__ = threading.Lock()
 *     def lock_func(*args, **kwargs):
 *         with func.__lock__:
 *             return func(*args, **kwargs)
 *     return lock_func
 *
 * class Singleton(object):
 *     instance = None
 *
 *     @synchronized
 *     def __new__(cls, *args, **kwargs):
 *         if cls.instance is None:
 *             cls.instance = object.__new__(cls, *args, **kwargs)
 *         return cls.instance
 * ```
 *
 * Creating the instance awaits (a slow constructor), so without the lock
 * every thread that checked before the first one finished makes its own.
 *
 * Run it: `deno run -A examples/singleton.ts --backend=async`
 *
 * @module
 */
import { type BackendChoice, getBackend, getDefaultBackend, Lock, synchronized, Thread } from "@locksmith/threading";

const THREADS = 5;

/**
 * Runs the scenario on `backend` and returns its output lines.
 *
 * @param backend The backend every thread and primitive is created on.
 * @returns The lines the scenario printed.
 */
export async function main(backend: BackendChoice = getDefaultBackend()): Promise<string[]> {
  const lines = [`backend: ${getBackend(backend).name}`];
  let created = 0;

  class Singleton {
    static #instance: Singleton | undefined;
    readonly id = ++created;

    // The seeds' `@synchronized __new__`, with the lock on the chosen backend.
    static getInstance: () => Promise<Singleton> = synchronized(new Lock({ backend }))(async () => {
      if (Singleton.#instance === undefined) {
        await null; // a slow constructor: other threads run meanwhile
        Singleton.#instance = new Singleton();
      }
      return Singleton.#instance;
    });

    // The same without the lock.
    static #unsafe: Singleton | undefined;
    static async getInstanceUnsafely(): Promise<Singleton> {
      if (Singleton.#unsafe === undefined) {
        await null;
        Singleton.#unsafe = new Singleton();
      }
      return Singleton.#unsafe;
    }
  }

  async function askAll(get: () => Promise<Singleton>): Promise<Singleton[]> {
    created = 0;
    const got: Singleton[] = [];
    const threads = Array.from(
      { length: THREADS },
      (_, i) => new Thread({ target: async () => got.push(await get()), name: `asker-${i + 1}`, backend }),
    );
    for (const t of threads) t.start();
    for (const t of threads) await t.join();
    return got;
  }

  const safe = await askAll(Singleton.getInstance);
  lines.push(
    `synchronized: ${created} instance created; ${safe.length} threads got the same one: ${
      safe.every((s) => s === safe[0])
    }`,
  );
  await askAll(Singleton.getInstanceUnsafely);
  lines.push(`without the lock: ${created} instances created for ${THREADS} threads`);
  return lines;
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(flag?.slice("--backend=".length) ?? "async")) console.log(line);
}
