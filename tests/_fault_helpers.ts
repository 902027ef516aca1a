/**
 * What the fault tests share: starting a body of `workers/fault_targets.ts`
 * as a Thread or a Process, waiting (bounded) for it to be ready, catching
 * what reaches the excepthook, and checking that nothing was left behind.
 *
 * @module
 */
import { assertEquals } from "@std/assert";
import { deadline } from "@std/async/deadline";
import {
  type ExceptHookArgs,
  getExcepthook,
  pendingWaits,
  runningThreads,
  setExcepthook,
  sleep,
  Thread,
} from "@locksmith/threading";
import { Process } from "@locksmith/threading/multiprocessing";
import { FAULT_TARGETS, Slot } from "./workers/fault_targets.ts";

/** `{ backend: "atomics" }`. */
export const atomics = { backend: "atomics" } as const;

/** How long a fault test waits for something that must happen (a bound against hanging, not a timing claim). */
export const BOUND_MS = 10_000;

/** A body of `workers/fault_targets.ts` as a target. */
export function faultTarget(exportName: string): { module: string; export: string } {
  return { module: FAULT_TARGETS, export: exportName };
}

/** Starts a body in a Worker thread. */
export function startThread(exportName: string, args: unknown[]): Thread {
  const thread = new Thread({ ...atomics, target: faultTarget(exportName), args });
  thread.start();
  return thread;
}

/** Starts a body in a Process (a Worker). */
export function startProcess(exportName: string, args: unknown[]): Process {
  const process = new Process({ target: faultTarget(exportName), args });
  process.start();
  return process;
}

/** Waits (bounded) until the body has set its Ready slot. */
export async function waitReady(report: Int32Array): Promise<void> {
  await within(
    (async () => {
      while (Atomics.load(report, Slot.Ready) === 0) await sleep(1);
    })(),
    "the Worker never got ready",
  );
}

/** `promise`, or a rejection naming `what` if it has not settled within {@linkcode BOUND_MS}. */
export async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  try {
    return await deadline(promise, BOUND_MS);
  } catch (error) {
    if (error instanceof DOMException && error.name === "TimeoutError") {
      throw new Error(`${what} (nothing within ${BOUND_MS} ms)`);
    }
    throw error;
  }
}

/** Runs `fn` with an excepthook that collects what reaches it; returns what it returns and the collected errors. */
export async function catchingExceptions<T>(fn: (escaped: unknown[]) => Promise<T>): Promise<T> {
  const escaped: unknown[] = [];
  const previous = getExcepthook();
  setExcepthook((args: ExceptHookArgs) => void escaped.push(args.excValue));
  try {
    return await fn(escaped);
  } finally {
    setExcepthook(previous);
  }
}

/** Checks that no thread or wait of the library is left. */
export function assertNothingLeft(): void {
  assertEquals(runningThreads(), [], "threads left running");
  assertEquals(pendingWaits(), [], "waits left behind");
}
