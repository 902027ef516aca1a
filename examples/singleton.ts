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
 * The threads run in Workers on `atomics`, where objects are not shared:
 * there "the instance" is a number in shared memory, made under the
 * synchronized lock (a `Lock` passed to every thread), and each thread
 * records the one it got.
 *
 * Run it: `deno run -A examples/singleton.ts --backend=async`
 *
 * @module
 */
import { type BackendChoice, getBackend, getDefaultBackend, Lock, synchronized, Thread } from "@locksmith/threading";

const THREADS = 5;

// The shared state's layout: instances created, the instance (0: none yet), then what each thread got.
const CREATED = 0;
const INSTANCE = 1;
const GOT = 2;

/** `Singleton.__new__`: makes the instance on the first call, slowly; later calls get the same one. */
async function getInstance(state: Int32Array): Promise<number> {
  if (state[INSTANCE] === 0) {
    await null; // a slow constructor: other threads run meanwhile
    state[INSTANCE] = Atomics.add(state, CREATED, 1) + 1;
  }
  return state[INSTANCE];
}

/**
 * One thread: asks for the instance (under `lock` if given, as the seeds'
 * `@synchronized`) and records which one it got.
 *
 * @param lock The lock of `synchronized`, or `null` for the unsafe version.
 * @param state The shared state.
 * @param slot This thread's slot.
 */
export async function asker(lock: Lock | null, state: Int32Array, slot: number): Promise<void> {
  const get = lock === null ? getInstance : synchronized(lock)(getInstance);
  state[GOT + slot] = await get(state);
}

/**
 * Runs the scenario on `backend` and returns its output lines.
 *
 * @param backend The backend every thread and primitive is created on.
 * @returns The lines the scenario printed.
 */
export async function main(backend: BackendChoice = getDefaultBackend()): Promise<string[]> {
  const lines = [`backend: ${getBackend(backend).name}`];

  async function askAll(lock: Lock | null): Promise<Int32Array> {
    const state = new Int32Array(new SharedArrayBuffer(4 * (GOT + THREADS)));
    const threads = Array.from({ length: THREADS }, (_, i) =>
      new Thread({
        target: { module: import.meta.url, export: "asker" },
        args: [lock, state, i],
        name: `asker-${i + 1}`,
        backend,
      }));
    for (const t of threads) t.start();
    for (const t of threads) await t.join();
    return state;
  }

  // The seeds' `@synchronized __new__`, with the lock on the chosen backend.
  const safe = await askAll(new Lock({ backend }));
  const got = [...safe.subarray(GOT)];
  lines.push(
    `synchronized: ${safe[CREATED]} instance created; ${got.length} threads got the same one: ${
      got.every((id) => id === got[0])
    }`,
  );
  const unsafe = await askAll(null);
  lines.push(`without the lock: ${unsafe[CREATED]} instances created for ${THREADS} threads`);
  return lines;
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(flag?.slice("--backend=".length) ?? "async")) console.log(line);
}
