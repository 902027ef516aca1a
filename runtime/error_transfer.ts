/**
 * Carrying a thread's uncaught exception from its Worker to the thread that
 * spawned it. A structured clone keeps only the built-in error classes, so
 * the class is sent by name and the error is re-made as an instance of the
 * library's class of that name (`ValueError`, `BrokenBarrierError`, ...) or
 * of the built-in one; any other class arrives as an `Error` with its name.
 *
 * @module
 */
import * as errors from "./errors.ts";
import { KeyboardInterrupt, SystemExit } from "./system_exit.ts";

/** An exception, ready for `postMessage`. */
export type PackedError =
  | {
    readonly isError: true;
    readonly className: string;
    readonly name: string;
    readonly message: string;
    readonly stack: string | undefined;
    readonly props: Record<string, unknown>;
  }
  | { readonly isError: false; readonly value: unknown };

const classes: Record<string, new (...args: never[]) => Error> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  AggregateError,
  SystemExit,
  KeyboardInterrupt,
};
for (const [name, value] of Object.entries(errors)) {
  if (typeof value === "function" && value.prototype instanceof Error) {
    classes[name] = value as unknown as new (...args: never[]) => Error;
  }
}

/** Packs `error` for `postMessage`. */
export function packError(error: unknown): PackedError {
  if (error instanceof Error) {
    const props: Record<string, unknown> = {};
    for (const key of Object.keys(error)) {
      const value = (error as unknown as Record<string, unknown>)[key];
      if (cloneable(value)) props[key] = value;
    }
    return {
      isError: true,
      className: error.constructor?.name ?? "Error",
      name: error.name,
      message: error.message,
      stack: error.stack,
      props,
    };
  }
  return { isError: false, value: cloneable(error) ? error : String(error) };
}

/** Re-makes what `packError` packed. */
export function unpackError(packed: unknown): unknown {
  const p = packed as PackedError;
  if (p === null || typeof p !== "object" || !p.isError) return (p as { value?: unknown })?.value;
  const Class = Object.hasOwn(classes, p.className) ? classes[p.className] : Error;
  // Not constructed: a class's constructor may want other arguments.
  const error = Object.create(Class.prototype) as Error;
  Object.defineProperty(error, "message", { value: p.message, writable: true, configurable: true });
  if (p.stack !== undefined) {
    Object.defineProperty(error, "stack", { value: p.stack, writable: true, configurable: true });
  }
  Object.assign(error, p.props);
  if (error.name !== p.name) {
    Object.defineProperty(error, "name", { value: p.name, writable: true, configurable: true });
  }
  return error;
}

function cloneable(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}
