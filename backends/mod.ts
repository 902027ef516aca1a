/**
 * The backend registry: look a backend up by name, register a new one, and
 * choose the default that primitives created without `{ backend }` use.
 *
 * @module
 */
import { describe } from "../runtime/describe.ts";
import { asyncBackend } from "./async/mod.ts";
import { atomicsBackend } from "./atomics/mod.ts";
import { CooperativeBackend } from "./cooperative/backend.ts";
import type { Backend, BackendName } from "./types.ts";

export type {
  Backend,
  BackendName,
  Capabilities,
  Cells,
  ModuleTarget,
  MutexOwner,
  ParkRequest,
  RawMutex,
  SpawnRequest,
  Subject,
  Target,
  ThreadBody,
  ThreadHandle,
  UnparkResult,
  WorkerThread,
  WorkerThreadRequest,
  WorkerThreadStart,
} from "./types.ts";
export { PARK_INVALID } from "./types.ts";

/** What a `{ backend }` option accepts: a registered name or a backend object. */
export type BackendChoice = BackendName | (string & Record<never, never>) | Backend;

// `atomics` is made on first use: it allocates shared memory.
const registry = new Map<string, Backend | (() => Backend)>([["async", asyncBackend], ["atomics", atomicsBackend]]);
// `cooperative` is made on first use.
registry.set("cooperative", () => new CooperativeBackend());
let defaultBackend: Backend = asyncBackend;
// A scope (the cooperative explorer) may override the default for the code it runs.
let defaultOverride: (() => Backend | undefined) | undefined;

/**
 * Registers a backend under its name, so `{ backend: name }` finds it. A
 * factory is called on first use (backends that are costly to start register
 * lazily).
 *
 * @param name The name to register under.
 * @param backend The backend, or a function that makes it on first use.
 * @throws {TypeError} If `name` is not a non-empty string, or `backend` is
 * neither a `Backend` (an object with `park()`) nor a function.
 *
 * @example Registering a backend under another name
 * ```ts
 * import { getBackend, registerBackend } from "@locksmith/threading";
 * import { assertStrictEquals } from "@std/assert";
 *
 * registerBackend("my-async", getBackend("async"));
 * assertStrictEquals(getBackend("my-async"), getBackend("async"));
 * ```
 */
export function registerBackend(name: string, backend: Backend | (() => Backend)): void {
  if (typeof name !== "string" || name === "") {
    throw new TypeError(`Cannot register backend as 'name' must be a non-empty string: received ${describe(name)}`);
  }
  if (typeof backend !== "function" && !isBackend(backend)) {
    throw new TypeError(
      `Cannot register backend '${name}' as 'backend' must be a Backend or a function that makes one: received ${
        describeBackend(backend)
      }`,
    );
  }
  registry.set(name, backend);
}

/**
 * Looks a backend up: a name is resolved in the registry, a backend object is
 * returned as it is, and `undefined` gives the default backend.
 *
 * @param choice A backend name, a backend object, or `undefined`.
 * @returns The backend.
 * @throws {TypeError} If no backend is registered under the name.
 *
 * @example The default backend is `async`
 * ```ts
 * import { getBackend } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(getBackend().name, "async");
 * ```
 */
export function getBackend(choice?: BackendChoice): Backend {
  if (choice === undefined) return getDefaultBackend();
  if (typeof choice === "string") {
    // Inside a scope (an explored schedule), its backend also answers to its own name.
    const scoped = defaultOverride?.();
    if (scoped !== undefined && scoped.name === choice) return scoped;
    const entry = registry.get(choice);
    if (entry === undefined) {
      throw new TypeError(
        `Cannot find backend '${choice}' as 'backend' must be a registered name (${
          [...registry.keys()].map((n) => `'${n}'`).join(", ")
        }): received ${describe(choice)}`,
      );
    }
    if (typeof entry === "function") {
      const made = entry();
      registry.set(choice, made);
      return made;
    }
    return entry;
  }
  if (!isBackend(choice)) {
    throw new TypeError(
      `Cannot use backend as 'backend' must be a backend name or a Backend object: received ${describeBackend(choice)}`,
    );
  }
  return choice;
}

function isBackend(value: unknown): value is Backend {
  return value !== null && typeof value === "object" && typeof (value as Backend).park === "function";
}

function describeBackend(value: unknown): string {
  return value !== null && typeof value === "object" ? `${describe(value)} (it has no park() method)` : describe(value);
}

/**
 * The backend that primitives and threads use when constructed without a
 * `{ backend }` option. It is `async` unless set.
 *
 * @returns The default backend.
 *
 * @example Reading the default
 * ```ts
 * import { getDefaultBackend } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(getDefaultBackend().name, "async");
 * ```
 */
export function getDefaultBackend(): Backend {
  return defaultOverride?.() ?? defaultBackend;
}

/**
 * Sets the default backend, by name or object.
 *
 * @param choice A backend name or object.
 * @throws {TypeError} If no backend is registered under the name.
 *
 * @example Switching the default and back
 * ```ts
 * import { getDefaultBackend, Lock, setDefaultBackend } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * setDefaultBackend("async");
 * assertEquals(getDefaultBackend().name, "async");
 * ```
 */
export function setDefaultBackend(choice: BackendChoice): void {
  defaultBackend = getBackend(choice);
}

/**
 * The backend for this isolate's own waits on the work of `backend`'s
 * threads (a pool's results, an executor's futures): `backend` itself when
 * its threads are tasks of this isolate (on `cooperative` they must wait on
 * its virtual clock), else `async` (`atomics`: the threads are Workers, and
 * the waiting tasks are this isolate's).
 *
 * @param backend The backend the threads run on.
 * @returns The backend to wait on in this isolate.
 */
export function hostBackendFor(backend: Backend): Backend {
  return backend.capabilities.functionTargets ? backend : asyncBackend;
}

/**
 * The registered backend whose threads run in parallel in Workers sharing
 * memory (`atomics` unless another is registered first): `multiprocessing`'s
 * and `ProcessPoolExecutor`'s default.
 *
 * @param what Who asks, for the message.
 * @returns The backend.
 * @throws {TypeError} If no registered backend has such threads here.
 */
export function parallelBackend(what: string): Backend {
  const problems: string[] = [];
  for (const name of registry.keys()) {
    let backend: Backend;
    try {
      backend = getBackend(name);
    } catch (error) {
      problems.push(`'${name}': ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    const { parallelThreads, sharedMemory } = backend.capabilities;
    if (parallelThreads && sharedMemory) return backend;
  }
  throw new TypeError(
    `Cannot create ${what}: it runs on Worker threads, and no registered backend has them here${
      problems.length > 0 ? ` (${problems.join("; ")})` : ""
    }; use multiprocessing/dummy or ThreadPoolExecutor for threads of this isolate`,
  );
}

/** Lets a scope choose the default backend for the code it runs (internal). */
export function setDefaultOverride(fn: (() => Backend | undefined) | undefined): void {
  defaultOverride = fn;
}

/** Lists the names of the registered backends. */
export function backendNames(): string[] {
  return [...registry.keys()];
}
