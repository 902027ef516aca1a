/**
 * Where an exception that escapes a thread goes: one hook for the whole
 * isolate (Python's `threading.excepthook`; the typed public API is
 * `primitives/excepthook.ts`). Kept on the ground floor so that the thread
 * machinery reports to it without depending on the module that documents it.
 *
 * @module
 */

/** What the hook receives (Python's `ExceptHookArgs`), with the thread as the caller types it. */
export interface ThreadExceptionArgs<T = { readonly name: string }> {
  /** The error's constructor (its class), or `null` for a thrown non-object. */
  readonly excType: (new (...args: never[]) => unknown) | null;
  /** The thrown value. */
  readonly excValue: unknown;
  /** The error's stack, or `null`. */
  readonly excTraceback: string | null;
  /** The thread the exception escaped from. */
  readonly thread: T | null;
}

/** Prints the thread's name, the message and the stack to stderr (the default hook's behaviour). */
export function printThreadException(args: ThreadExceptionArgs): void {
  const name = args.thread?.name ?? "<unknown thread>";
  const value = args.excValue;
  const detail = args.excTraceback ??
    (value instanceof Error ? `${value.name}: ${value.message}` : String(value));
  console.error(`Exception in thread ${name}:\n${detail}`);
}

// deno-lint-ignore no-explicit-any
type AnyHook = (args: ThreadExceptionArgs<any>) => unknown;
let hook: AnyHook = printThreadException;

/** Sets the hook (checked by the caller). */
export function setThreadExceptionHook(fn: AnyHook): void {
  hook = fn;
}

/** The hook set last, or the default. */
export function threadExceptionHook(): AnyHook {
  return hook;
}

/**
 * Reports an exception that escaped `thread` to the hook; a hook that throws, or returns a promise
 * that rejects, is reported on stderr and ignored.
 */
export function reportThreadException(thread: { readonly name: string }, error: unknown): void {
  const args: ThreadExceptionArgs = {
    excType: error !== null && typeof error === "object"
      ? (error.constructor as new (...args: never[]) => unknown)
      : null,
    excValue: error,
    excTraceback: error instanceof Error && error.stack !== undefined ? error.stack : null,
    thread,
  };
  let returned: unknown;
  try {
    returned = hook(args);
  } catch (hookError) {
    reportHookFailure(hookError);
    return;
  }
  // An async hook: its rejection is a hook that throws, late (never an unhandled rejection).
  if (returned !== null && typeof returned === "object" && typeof (returned as Promise<unknown>).then === "function") {
    Promise.resolve(returned as Promise<unknown>).then(undefined, reportHookFailure);
  }
}

// Python's way when threading.excepthook itself raises: print that, and go on.
function reportHookFailure(hookError: unknown): void {
  console.error(`Exception in threading.excepthook:`, hookError);
}
