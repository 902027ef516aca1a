/**
 * One submitted call and its future (Python's `_WorkItem`).
 *
 * @module
 */
import type { Target } from "../backends/types.ts";
import { callTarget } from "../runtime/target.ts";
import type { Future } from "./future.ts";

/** A call waiting in an executor's queue. */
export class WorkItem<R> {
  /**
   * @param future The call's future.
   * @param fn The function, or a module reference.
   * @param args Its arguments.
   */
  constructor(
    readonly future: Future<R>,
    readonly fn: Target,
    readonly args: readonly unknown[],
  ) {}

  /** Runs the call unless its future was cancelled, and settles the future. It never throws. */
  async run(): Promise<void> {
    if (!this.future.setRunningOrNotifyCancel()) return;
    let value: unknown;
    try {
      value = callTarget(this.fn, this.args);
      if (isThenable(value)) value = await value;
    } catch (error) {
      this.future.setException(error);
      return;
    }
    this.future.setResult(value as R);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") &&
    typeof (value as PromiseLike<unknown>).then === "function";
}
