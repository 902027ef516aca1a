/**
 * `Local`: Python's thread-local data.
 *
 * @module
 */
import { currentIdentity, type ThreadIdentity } from "../runtime/current_thread.ts";

/**
 * Thread-local data (Python's `threading.local`): each thread that sets an
 * attribute sees its own value. On the in-isolate backends a thread is an
 * async task, and its values follow it across every `await`.
 *
 * Methods and getters of a subclass are shared; every attribute set on the
 * object is per thread, including those a subclass's constructor sets
 * (they belong to the thread that constructed it).
 *
 * @example A student per thread
 * ```ts
 * import { Local, Thread } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * const school = new Local() as Local & { student?: string };
 * const seen: string[] = [];
 * const threads = ["Alice", "Bob"].map((name) =>
 *   new Thread({
 *     target: async () => {
 *       school.student = name;
 *       await Promise.resolve();
 *       seen.push(school.student);
 *     },
 *   })
 * );
 * threads.forEach((t) => t.start());
 * for (const t of threads) await t.join();
 * assertEquals(seen.sort(), ["Alice", "Bob"]);
 * assertEquals(school.student, undefined);
 * ```
 */
export class Local {
  /** Creates thread-local storage; no thread has any attribute yet. */
  constructor() {
    const perThread = new WeakMap<ThreadIdentity, Record<PropertyKey, unknown>>();
    const own = () => {
      const thread = currentIdentity();
      let dict = perThread.get(thread);
      if (!dict) perThread.set(thread, dict = Object.create(null) as Record<PropertyKey, unknown>);
      return dict;
    };
    return new Proxy(this, {
      get(target, key, receiver) {
        const dict = own();
        return key in dict ? dict[key] : Reflect.get(target, key, receiver);
      },
      set(_target, key, value) {
        own()[key] = value;
        return true;
      },
      has(target, key) {
        return key in own() || key in target;
      },
      deleteProperty(_target, key) {
        const dict = own();
        if (!(key in dict)) {
          throw new TypeError(`Cannot delete thread-local attribute '${String(key)}': it is not set in this thread`);
        }
        delete dict[key];
        return true;
      },
      defineProperty(_target, key, descriptor) {
        own()[key] = descriptor.value;
        return true;
      },
      ownKeys() {
        return Reflect.ownKeys(own());
      },
      getOwnPropertyDescriptor(_target, key) {
        const dict = own();
        return key in dict ? { value: dict[key], writable: true, enumerable: true, configurable: true } : undefined;
      },
    });
  }
}

/**
 * Python's lowercase spelling of {@linkcode Local}.
 *
 * @example The same class
 * ```ts
 * import { Local, local } from "@locksmith/threading";
 * import { assertStrictEquals } from "@std/assert";
 *
 * assertStrictEquals(local, Local);
 * ```
 */
export const local: typeof Local = Local;
