/**
 * Calling a `Target`: a function, or a module export addressed by
 * `{ module, export }` (the form that also works across Workers).
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { outsideThreads } from "./current_thread.ts";
import { describe } from "./describe.ts";

/** A reference to a module export, the target form every backend accepts. */
export interface ModuleTarget {
  /** The module's URL or specifier, resolved as `import()` would. */
  readonly module: string | URL;
  /** The name of the export to call. */
  readonly export: string;
}

/** What a thread runs: a function (in-isolate backends) or a module export (all). */
export type Target =
  | ((...args: never[]) => unknown)
  | ModuleTarget;

/** Whether `value` is a module reference `{ module, export }`. */
export function isModuleTarget(value: unknown): value is ModuleTarget {
  return value !== null && typeof value === "object" &&
    (typeof (value as ModuleTarget).module === "string" || (value as ModuleTarget).module instanceof URL) &&
    typeof (value as ModuleTarget).export === "string";
}

/**
 * A module reference to `exportName` of the module at `path` relative to
 * `base`, resolved on first use: at load time a bundle's `import.meta.url`
 * may be no URL at all (an edge runtime's bundle), and loading must not
 * throw for a part of the library the program never uses.
 *
 * @param path The module, relative to `base`.
 * @param base The referring module's `import.meta.url`.
 * @param exportName The export to call.
 * @returns A function that gives the reference.
 */
export function lazyModuleTarget(path: string, base: string, exportName: string): () => ModuleTarget {
  let target: ModuleTarget | undefined;
  return () => target ??= { module: new URL(path, base).href, export: exportName };
}

/**
 * Checks a target given to `what`.
 *
 * @param what The call, for the message (`create Thread`).
 * @param target The target as received.
 * @param argument The argument's name, for the message.
 */
export function checkTarget(what: string, target: unknown, argument: string = "target"): Target {
  if (typeof target === "function" || isModuleTarget(target)) return target as Target;
  throw new TypeError(
    `Cannot ${what} as '${argument}' must be a function or { module: string | URL, export: string }: received ${
      describe(target)
    }`,
  );
}

/** A target's name for thread names: the function's name, or the export's. */
export function targetName(target: Target): string {
  return typeof target === "function" ? target.name : target.export;
}

/** Calls a target with `args`; a module target is imported first. */
export function callTarget(target: Target, args: readonly unknown[]): unknown {
  if (typeof target === "function") return (target as (...a: unknown[]) => unknown)(...args);
  // Imported before: call it now (a dynamic import of a loaded module still costs a few microseconds).
  const fn = loaded.get(`${String(target.module)}#${target.export}`);
  if (fn !== undefined) return fn(...args);
  return loadTarget(target).then((fn) => fn(...args));
}

type Loaded = (...args: unknown[]) => unknown;
// Module targets this isolate has imported, so a blocking caller can call them.
const loaded = new Map<string, Loaded>();
const loading = new Set<Promise<unknown>>();
// The import of a target module in progress, in the context of the code it runs (its top level).
const importing = new AsyncLocalStorage<{ readonly url: string; done: boolean }>();

/**
 * The target module being imported, if the caller is code that the import
 * runs (the module's top level, or what it started) and the import is not
 * over: a Worker that imports its target's module must not start Workers
 * from there (each would import it again, without end).
 *
 * @returns The module's URL, or `undefined`.
 */
export function importingTarget(): string | undefined {
  const current = importing.getStore();
  return current === undefined || current.done ? undefined : current.url;
}

/** Imports a module target's function (and remembers it for `callTargetSync`). */
export function loadTarget(target: ModuleTarget): Promise<Loaded> {
  const url = String(target.module);
  const promise = outsideThreads(() => {
    const mark = { url, done: false };
    return importing.run(mark, () => import(url)).finally(() => mark.done = true);
  }).then((module) => {
    const fn = module[target.export];
    if (typeof fn !== "function") {
      throw new TypeError(
        `Cannot call '${target.export}' of ${String(target.module)}: it is ${describe(fn)}, not a function`,
      );
    }
    loaded.set(`${url}#${target.export}`, fn);
    return fn as Loaded;
  });
  const tracked = promise.finally(() => loading.delete(tracked)).catch(() => {});
  loading.add(tracked);
  return promise;
}

/** Waits until every `loadTarget` started so far has settled. */
export async function targetsLoaded(): Promise<void> {
  while (loading.size > 0) await Promise.all(loading);
}

/**
 * Calls a target without awaiting: a module target must have been loaded
 * (`loadTarget`) in this isolate already.
 */
export function callTargetSync(target: Target, args: readonly unknown[]): unknown {
  if (typeof target === "function") return (target as (...a: unknown[]) => unknown)(...args);
  const fn = loaded.get(`${String(target.module)}#${target.export}`);
  if (fn === undefined) {
    throw new TypeError(
      `Cannot call '${target.export}' of ${
        String(target.module)
      } synchronously: its module has not finished loading in this thread`,
    );
  }
  return fn(...args);
}
