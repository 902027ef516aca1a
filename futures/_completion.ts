/**
 * A future's completion as threads wait for it: one cell of the future's
 * backend, set once, that waiters park on (with the backend's scheduling
 * point first, so a cooperative scheduler may switch threads, and its
 * pending-wait registry and deadlock reports see the wait). It is what an
 * `Event` would be without `clear()`, a handle or a label number of its
 * own: a future is made per call, and most are waited for at most once.
 *
 * | cell 0 | meaning          |
 * |--------|------------------|
 * | 0      | not done         |
 * | 1      | done (for good)  |
 *
 * @module
 */
import { type Backend, type Cells, PARK_INVALID, type ParkRequest, type Subject } from "../backends/types.ts";
import { schedulingPoint } from "../primitives/core.ts";
import type { Wait } from "../runtime/wait_options.ts";

const DONE = 1;
const RESOLVED_TRUE: Promise<boolean> = Promise.resolve(true);

function woken(): boolean {
  return true;
}

/** The completion of one future. */
export class Completion {
  readonly #backend: Backend;
  readonly #cells: Cells;
  readonly #subject: Subject;
  #forever: ParkRequest<boolean> | undefined = undefined;

  /**
   * @param backend Whose parking lot the waiters use.
   * @param subject The future, as traces and deadlock reports name it.
   */
  constructor(backend: Backend, subject: Subject) {
    this.#backend = backend;
    this.#cells = backend.allocate(1, "Future");
    this.#subject = subject;
  }

  /** Marks it done and wakes every waiter. */
  set(): void {
    this.#cells.store(0, DONE);
    this.#backend.unparkMany(this.#cells, 0, Infinity, DONE);
  }

  /** Waits until done (`true`) or out of time (`false`). */
  wait(wait: Wait): Promise<boolean> {
    const entered = schedulingPoint(this.#backend, "wait", this.#subject);
    return entered === undefined ? this.#park(wait) : entered.then(() => this.#park(wait));
  }

  #park(wait: Wait): Promise<boolean> {
    const request = wait.timeout === Infinity && wait.signal === undefined
      ? this.#forever ??= this.#request(wait)
      : this.#request(wait);
    const parked = this.#backend.park(this.#cells, 0, request);
    return parked === PARK_INVALID ? RESOLVED_TRUE : parked;
  }

  #request(wait: Wait): ParkRequest<boolean> {
    const cells = this.#cells;
    return {
      subject: this.#subject,
      op: "wait",
      timeout: wait.timeout,
      signal: wait.signal,
      timeoutValue: false,
      validate: () => cells.load(0) !== DONE,
      wake: woken,
    };
  }
}
