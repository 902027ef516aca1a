/**
 * A `Barrier`'s function action across threads: a function cannot travel
 * to a Worker, so it runs in the isolate that created the barrier. When the
 * barrier is first shared, that isolate starts serving requests on one of
 * the barrier's cells; a revived copy's action asks for a run there and
 * blocks until it is done (the cycle waits for the action anyway).
 *
 * | cell value | meaning                                         |
 * |------------|-------------------------------------------------|
 * | IDLE       | nothing asked                                   |
 * | REQUESTED  | a thread asks the creating isolate for a run    |
 * | DONE       | the action ran; the asking thread resets it     |
 * | FAILED     | the action threw                                |
 *
 * The serving wait is a background one: it does not keep the program alive
 * and is not listed among pending waits. The creating isolate must be free
 * to run it (not blocked in a `...Sync` call) while another thread asks.
 *
 * @module
 */
import { PARK_INVALID, type ParkRequest } from "../backends/types.ts";
import type { CoreBase } from "./core.ts";
import { callTarget } from "../runtime/target.ts";

const IDLE = 0;
const REQUESTED = 1;
const DONE = 2;
const FAILED = 3;

/** Runs `action` whenever another thread asks through cell `cell` of `core`, for as long as the isolate lives. */
export async function serveAction(core: CoreBase, cell: number, action: () => unknown): Promise<void> {
  const { backend, cells } = core;
  const request: ParkRequest<boolean> = {
    subject: core,
    op: "serve action",
    timeout: Infinity,
    signal: undefined,
    timeoutValue: false,
    background: true,
    validate: () => cells.load(cell) !== REQUESTED,
    wake: () => true,
  };
  for (;;) {
    const parked = backend.park(cells, cell, request);
    if (parked !== PARK_INVALID) await parked;
    if (cells.load(cell) !== REQUESTED) continue;
    let outcome = DONE;
    try {
      await callTarget(action, []);
    } catch (error) {
      outcome = FAILED;
      console.error(`Exception in the action of ${core.label}, run for another thread:`, error);
    }
    cells.store(cell, outcome);
    backend.unparkMany(cells, cell, Infinity, outcome);
  }
}

/** The action of a revived barrier: asks the creating isolate to run it, and blocks until it has. */
export function remoteAction(core: CoreBase, cell: number): () => void {
  return () => {
    const { backend, cells } = core;
    cells.store(cell, REQUESTED);
    backend.unparkMany(cells, cell, Infinity, REQUESTED);
    const request: ParkRequest<boolean> = {
      subject: core,
      op: "wait for action",
      timeout: Infinity,
      signal: undefined,
      timeoutValue: false,
      validate: () => cells.load(cell) === REQUESTED,
      wake: () => true,
    };
    while (cells.load(cell) === REQUESTED) backend.parkSync(cells, cell, request);
    const outcome = cells.load(cell);
    cells.store(cell, IDLE);
    if (outcome === FAILED) {
      throw new Error(`Cannot complete the action of ${core.label}: it threw in the thread that created the barrier`);
    }
  };
}
