/**
 * A `Barrier`'s function action across threads: a function cannot travel
 * to a Worker, so it runs in the isolate that created the barrier. When the
 * barrier is first shared, that isolate starts serving requests on one of
 * the barrier's cells; a revived copy whose thread arrives last asks for a
 * run there and waits until it is done, or until its wait's timeout.
 *
 * | cell value | meaning                                                   |
 * |------------|-----------------------------------------------------------|
 * | IDLE       | nothing asked                                             |
 * | REQUESTED  | a thread asks the creating isolate for a run              |
 * | RUNNING    | the creating isolate took the request (once: by a CAS)    |
 * | DONE       | the action ran; the asking thread resets the cell         |
 * | FAILED     | the action threw                                          |
 * | CANNOT     | the creating isolate is blocked in `waitSync` and the     |
 * |            | action is async: it cannot be awaited there, and that     |
 * |            | `waitSync` waits for this very cycle (a deadlock)         |
 *
 * Two things run requests in the creating isolate: a background loop of its
 * event loop (`serveAction`), and its own `waitSync` on the barrier, which
 * blocks that event loop (`serveBlocked`): an asking thread also nudges the
 * barrier's waiters, so a blocked `waitSync` wakes and runs the action
 * there. A creating isolate blocked in any other `...Sync` call cannot run
 * it until that call returns: the asking thread's wait then ends at its
 * timeout, as any barrier wait does. A request that times out is withdrawn
 * unless it is already running.
 *
 * @module
 */
import { type Backend, type Cells, PARK_INVALID, type ParkRequest } from "../backends/types.ts";
import type { CoreBase } from "./core.ts";
import { callTarget, callTargetSync } from "../runtime/target.ts";
import { DeadlockError } from "../runtime/errors.ts";

const IDLE = 0;
const REQUESTED = 1;
const RUNNING = 2;
const DONE = 3;
const FAILED = 4;
const CANNOT = 5;

const pending = (value: number) => value === REQUESTED || value === RUNNING;

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
    if (!cells.cas(cell, REQUESTED, RUNNING)) continue;
    let outcome = DONE;
    try {
      await callTarget(action, []);
    } catch (error) {
      outcome = FAILED;
      console.error(`Exception in the action of ${core.label}, run for another thread:`, error);
    }
    finish(backend, cells, cell, outcome);
  }
}

/**
 * Runs a requested action now, in the creating isolate blocked in the
 * barrier's `waitSync` (which cannot await): an async action is not
 * started, and the asking thread learns why.
 */
export function serveBlocked(core: CoreBase, cell: number, action: () => unknown): void {
  const { backend, cells } = core;
  if (!cells.cas(cell, REQUESTED, RUNNING)) return;
  let outcome = DONE;
  if (Object.prototype.toString.call(action) === "[object AsyncFunction]") outcome = CANNOT;
  else {
    try {
      const result = callTargetSync(action, []);
      if (result instanceof Promise) {
        result.catch(() => {});
        outcome = CANNOT;
      }
    } catch (error) {
      outcome = FAILED;
      console.error(`Exception in the action of ${core.label}, run for another thread:`, error);
    }
  }
  finish(backend, cells, cell, outcome);
}

/** Whether a thread asks for a run (the creating isolate's blocked `waitSync` looks before it sleeps). */
export function actionRequested(cells: Cells, cell: number): boolean {
  return cells.load(cell) === REQUESTED;
}

function finish(backend: Backend, cells: Cells, cell: number, outcome: number): void {
  if (cells.cas(cell, RUNNING, outcome)) backend.unparkMany(cells, cell, Infinity, outcome);
}

function ask(core: CoreBase, cell: number, nudge: () => void): void {
  const { backend, cells } = core;
  cells.store(cell, REQUESTED);
  backend.unparkMany(cells, cell, Infinity, REQUESTED);
  nudge();
}

// `died`: what the asking party does if its thread dies waiting (its barrier breaks, see `runRemotely`).
function waitRequest(core: CoreBase, cell: number, timeout: number, died: () => void): ParkRequest<boolean> {
  const cells = core.cells;
  return {
    subject: core,
    op: "wait for action",
    timeout,
    signal: undefined,
    timeoutValue: false,
    validate: () => pending(cells.load(cell)),
    wake: () => true,
    // Dying before the run was taken: withdraw it. Either way nobody else would finish the cycle.
    diedWaiting: () => {
      cells.cas(cell, REQUESTED, IDLE);
      died();
    },
    // Dying with the outcome on its way: the run is over, but the cycle is not.
    handBack: died,
  };
}

// The outcome, once the run has ended: true if it ran, false if the wait
// timed out first (the request is withdrawn unless it is running); throws
// what the run says.
function outcomeOf(core: CoreBase, cell: number, timedOut: boolean): boolean {
  const cells = core.cells;
  if (timedOut && (cells.cas(cell, REQUESTED, IDLE) || cells.load(cell) === RUNNING)) return false;
  const outcome = cells.load(cell);
  cells.store(cell, IDLE);
  if (outcome === FAILED) {
    throw new Error(`Cannot complete the action of ${core.label}: it threw in the thread that created the barrier`);
  }
  if (outcome === CANNOT) {
    throw new DeadlockError(
      `Cannot run the action of ${core.label}: it is an async function of the isolate that created the barrier, which is blocked in waitSync on it and cannot await the action, while this cycle waits for it`,
    );
  }
  return true;
}

/**
 * The action of a revived barrier: asks the creating isolate to run it and
 * waits (awaiting) until it has run, or `timeout` ms have passed. If the
 * asking thread dies meanwhile (a Worker stopped, or one that fails or
 * exits), `died` runs in it: the barrier breaks, since no other party would
 * ever end the cycle.
 *
 * @returns Whether it ran in time.
 * @throws {Error} If it threw; {@linkcode DeadlockError} if it cannot run.
 */
export async function runRemotely(
  core: CoreBase,
  cell: number,
  timeout: number,
  nudge: () => void,
  died: () => void,
): Promise<boolean> {
  const { backend, cells } = core;
  const deadline = backend.now() + timeout;
  ask(core, cell, nudge);
  for (;;) {
    if (!pending(cells.load(cell))) return outcomeOf(core, cell, false);
    const left = deadline - backend.now();
    if (left <= 0) return outcomeOf(core, cell, true);
    const parked = backend.park(cells, cell, waitRequest(core, cell, left, died));
    if (parked !== PARK_INVALID) await parked;
  }
}

/** {@linkcode runRemotely}, blocking the calling thread. */
export function runRemotelySync(
  core: CoreBase,
  cell: number,
  timeout: number,
  nudge: () => void,
  died: () => void,
): boolean {
  const { backend, cells } = core;
  const deadline = backend.now() + timeout;
  ask(core, cell, nudge);
  for (;;) {
    if (!pending(cells.load(cell))) return outcomeOf(core, cell, false);
    const left = deadline - backend.now();
    if (left <= 0) return outcomeOf(core, cell, true);
    backend.parkSync(cells, cell, waitRequest(core, cell, left, died));
  }
}
