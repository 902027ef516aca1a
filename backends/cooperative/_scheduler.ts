/**
 * The cooperative scheduler: runs the threads of one isolate one at a time,
 * switching only at the library's own scheduling points, and keeps their
 * parking lot and their virtual clock.
 *
 * A thread runs until it reaches a scheduling point (`schedulingPoint`,
 * which every acquire and wait calls first, and `yieldNow()`), parks, or
 * ends; then the strategy picks the next runnable continuation. "Holder" is
 * the thread allowed to run; nothing else is resumed until it gives way.
 *
 * | state of a thread | what it means                                            |
 * |-------------------|----------------------------------------------------------|
 * | holder            | it runs; at most one thread at a time                     |
 * | ready             | it waits at a scheduling point (or to start) to be picked |
 * | blocked           | it is parked on a cell: an unpark, timeout or abort wakes |
 * | outside           | it awaits something outside the library (it is runnable)  |
 *
 * A holder that awaits something outside the library is noticed by a
 * watchdog (a macrotask: a thread that only awaits the library never lets
 * one run) and becomes `outside`, so the others go on and the clock follows
 * real time until it is back. When nothing is ready and nobody is outside,
 * the clock jumps to the next deadline; when no timer is pending either, the
 * blocked waits reject with `DeadlockError`.
 *
 * @module
 */
import { DeadlockError, RuntimeError } from "../../runtime/errors.ts";
import { endWithoutBlocking, oneIsolate } from "../_unblocked_wait.ts";
import { SystemExit } from "../../runtime/system_exit.ts";
import { currentIdentity, type ThreadIdentity } from "../../runtime/current_thread.ts";
import { LocalCells } from "../_local_cells.ts";
import { checkCellCount } from "../_cell_count.ts";
import { localCells, LocalParkingLot, type LotHooks } from "../_local_parking_lot.ts";
import { interruptTarget, takeInterrupt } from "../../runtime/interrupt.ts";
import type { Leaving, Waiter } from "../_wait_queue.ts";
import { type Cells, PARK_INVALID, type ParkRequest, type Subject, type UnparkResult } from "../types.ts";
import { captureCreation, creationSite, describeDeadlock } from "./_deadlock_report.ts";
import type { Candidate, Strategy } from "./strategies.ts";
import { VirtualClock } from "./_virtual_clock.ts";

/** A continuation waiting to be picked. */
class Ready implements Candidate {
  constructor(readonly thread: ThreadIdentity, public resume: () => void) {}
}

function noop(): void {}
// The entry whose promise is being made: one executor for every scheduling point, not a closure each.
let arming: Ready;
function takeResolve(resolve: () => void): void {
  arming.resume = resolve;
}
// A resolved promise: `then` on it queues a microtask with less work than `queueMicrotask`.
const RESOLVED = Promise.resolve();

/** What the explorer sets on a scheduler it runs a schedule on. */
export interface ScheduleSettings {
  /** Picks the next thread. */
  readonly strategy: Strategy;
  /**
   * Where trace lines go. Absent, the schedule keeps no trace and does not
   * record where each primitive was made (a deadlock report then names none):
   * the explorer runs untraced, and traces only a schedule that failed.
   */
  readonly trace?: string[];
  /** A schedule longer than this fails (a livelock). */
  readonly maxSteps?: number;
  /** Called once with the first failure (deadlock, livelock). */
  readonly onFailure?: (error: unknown) => void;
}

/** One cooperative scheduler. */
export class Scheduler {
  /** The virtual clock. */
  readonly clock: VirtualClock = new VirtualClock();
  #strategy: Strategy;
  #lines: string[] | undefined = undefined;
  #maxSteps = Infinity;
  #onFailure: ((error: unknown) => void) | undefined = undefined;

  readonly #ready: Ready[] = [];
  #holder: ThreadIdentity | undefined = undefined;
  #last: ThreadIdentity | undefined = undefined;
  #lastYielding = false;
  #pumpQueued = false;
  readonly #outside = new Set<ThreadIdentity>();
  readonly #blocked = new Set<Waiter>();
  #signalWaits = 0;
  readonly #live = new Set<ThreadIdentity>();
  #steps = 0;
  #contacts = 0;
  #contactsAtArm = 0;
  #armedAt = 0;
  #disarmOnlyWhenQuiet = false;
  #watchdog: ReturnType<typeof setTimeout> | undefined = undefined;
  #realTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  // Set once the main thread of a schedule has returned: only its threads are left.
  #ending = false;
  // Set when the schedule is being wound down: every library call ends the calling thread.
  #stopping = false;
  readonly #whenSettled: (() => void)[] = [];
  readonly #sites = new WeakMap<Cells, Error>();
  // Whether `allocate` records creation sites (a stack capture each: the bulk of an untraced schedule's cost).
  #recordSites = true;
  // The parking lot of the in-isolate backends, told of every park and resuming woken threads through the strategy.
  readonly #lot: LocalParkingLot;
  readonly #serials = new Map<string, number>();

  /**
   * @param name The backend's name, for reports.
   * @param strategy Picks the next thread.
   */
  constructor(readonly name: string, strategy: Strategy) {
    this.#strategy = strategy;
    this.#lot = new LocalParkingLot(name, this.clock, this.#hooks);
  }

  /** Sets up a schedule of the explorer. */
  configure(settings: ScheduleSettings): void {
    this.#strategy = settings.strategy;
    this.#lines = settings.trace;
    this.#recordSites = settings.trace !== undefined;
    this.#maxSteps = settings.maxSteps ?? Infinity;
    this.#onFailure = settings.onFailure;
    // A schedule always ends quiet (which disarms the watchdog): no need to disarm it at every step.
    this.#disarmOnlyWhenQuiet = true;
  }

  /** How many continuations were resumed so far. */
  get steps(): number {
    return this.#steps;
  }

  // ---- cells and numbering ----

  /** Plain cells; remembers where they were made, for deadlock reports. */
  allocate(count: number): Cells {
    const cells = new LocalCells(checkCellCount(count));
    if (this.#recordSites) this.#sites.set(cells, captureCreation());
    return cells;
  }

  /** Numbers objects of one kind from 1, per scheduler. */
  nextSerial(kind: string): number {
    const n = (this.#serials.get(kind) ?? 0) + 1;
    this.#serials.set(kind, n);
    return n;
  }

  // ---- scheduling points ----

  /** The calling thread gives way; resolves when the strategy picks it again. */
  schedulingPoint(op: string, subject: Subject): Promise<void> {
    const thread = currentIdentity();
    this.#contacts++;
    if (this.#stopping) return Promise.reject(new SystemExit());
    if (this.#lines !== undefined) {
      this.#trace(thread, subject.label === "" || subject.label === op ? op : `${op} ${subject.label}`);
    }
    this.#outside.delete(thread);
    if (thread === this.#last) this.#lastYielding = op === "yield";
    if (this.#holder === thread) this.#holder = undefined;
    const entry = arming = new Ready(thread, noop);
    const promise = new Promise<void>(takeResolve);
    this.#enqueue(entry);
    return promise;
  }

  /** Records an operation that does not wait. */
  record(op: string, subject: Subject): void {
    this.#contacts++;
    if (this.#lines !== undefined && !this.#stopping) this.#trace(currentIdentity(), `${op} ${subject.label}`);
  }

  /** Makes `thread` runnable; it starts when the strategy picks it. */
  spawn(thread: ThreadIdentity, body: () => Promise<void>): void {
    const caller = currentIdentity();
    this.#contacts++;
    // The caller is evidently running: it stays the only one until it gives way (unless it
    // has just given way in this same turn, and the pump is about to pick).
    if (this.#holder === undefined && !this.#pumpQueued && !this.#stopping) {
      this.#holder = caller;
      this.#outside.delete(caller);
    }
    this.#live.add(thread);
    if (this.#lines !== undefined) this.#trace(caller, `starts ${thread.name}`);
    this.#enqueue(new Ready(thread, () => void body().then(() => this.#finished(thread))));
  }

  /** Lets `thread` run first (the explorer's main thread). */
  adopt(thread: ThreadIdentity): void {
    this.#holder = thread;
  }

  /** `thread` (the explorer's main thread) is done: the others run to their end. */
  retire(thread: ThreadIdentity): void {
    this.#ending = true;
    this.#outside.delete(thread);
    if (this.#holder === thread) this.#holder = undefined;
    this.#schedule();
  }

  /** Winds the schedule down: every thread ends at its next library call, quietly. */
  stop(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    for (const w of [...this.#blocked]) this.#lot.leave(w, "error", new SystemExit());
    this.#schedule();
  }

  /** Resolves once every thread started on the scheduler has ended. */
  settled(): Promise<void> {
    if (this.#live.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#whenSettled.push(resolve));
  }

  // ---- the parking lot ----

  /** See `Backend.park`. */
  park<T>(cells: Cells, index: number, request: ParkRequest<T>): Promise<T> | typeof PARK_INVALID {
    return this.#lot.park(cells, index, request);
  }

  // What the lot tells the scheduler; a woken waiter runs on when the strategy picks it.
  readonly #hooks: LotHooks = {
    entering: () => {
      this.#contacts++;
    },
    interrupted: (thread, request) => {
      // `interruptMain()` pending for this thread: its next wait raises instead (it goes on running).
      if (this.#lines !== undefined) this.#trace(thread, `is interrupted before ${describeWait(request)}`);
    },
    queued: (w) => {
      this.#blocked.add(w);
      if (this.#lines !== undefined) this.#trace(w.thread, `blocks in ${describeWait(w.request)}`);
      if (w.request.signal !== undefined) this.#signalWaits++;
    },
    parked: (w) => {
      const thread = w.thread;
      this.#outside.delete(thread);
      if (thread === this.#last) this.#lastYielding = false;
      if (this.#holder === thread) this.#holder = undefined;
      if (this.#stopping) this.#lot.leave(w, "error", new SystemExit());
      // Aborted while the thread waited to be scheduled: the listener will never fire.
      else if (w.request.signal?.aborted) this.#lot.leave(w, "abort");
      else if (this.#holder === undefined) this.#schedule();
      else if (w.timer !== undefined) this.#armWatchdog();
    },
    left: (w, how, resume) => {
      this.#blocked.delete(w);
      if (w.request.signal !== undefined) this.#signalWaits--;
      if (this.#lines !== undefined && how !== "woken" && how !== "error") {
        this.#trace(w.thread, `${LEAVING[how]} ${describeWait(w.request)}`);
      }
      this.#enqueue(new Ready(w.thread, resume));
    },
  };

  /**
   * See `Backend.parkSync`. No other thread can run while the caller blocks,
   * so a finite wait times out at once (the virtual clock moves on by its
   * timeout) and a wait forever is a deadlock.
   */
  parkSync<T>(cells: Cells, index: number, request: ParkRequest<T>): T | typeof PARK_INVALID {
    const queue = localCells(cells).queue(index);
    this.#contacts++;
    const thread = currentIdentity();
    if (interruptTarget !== undefined) {
      const interrupt = takeInterrupt(thread);
      if (interrupt !== undefined) {
        if (this.#lines !== undefined) this.#trace(thread, `is interrupted before ${describeWait(request)}`);
        throw interrupt;
      }
    }
    if (!request.validate()) return PARK_INVALID;
    if (request.timeout !== Infinity) {
      if (this.#lines !== undefined) {
        this.#trace(thread, `blocks in ${describeWait(request)}, timed out at once (blocking call)`);
      }
      this.clock.advanceBy(request.timeout);
    }
    return endWithoutBlocking(request, queue.size === 0, oneIsolate(this.name));
  }

  /** See `Backend.unparkOne`. */
  unparkOne(cells: Cells, index: number, callback: (result: UnparkResult) => number): boolean {
    return this.#lot.unparkOne(cells, index, callback);
  }

  /** See `Backend.unparkMany`. */
  unparkMany(cells: Cells, index: number, count: number, token: number): number {
    return this.#lot.unparkMany(cells, index, count, token);
  }

  /** See `Backend.parked`. */
  parked(cells: Cells, index: number): number {
    return this.#lot.parked(cells, index);
  }

  // ---- picking the next thread ----

  #enqueue(entry: Ready): void {
    this.#ready.push(entry);
    if (this.#holder === undefined) this.#schedule();
    else this.#armWatchdog();
  }

  #finished(thread: ThreadIdentity): void {
    this.#contacts++;
    this.#live.delete(thread);
    this.#outside.delete(thread);
    this.#trace(thread, "ends");
    if (this.#holder === thread) this.#holder = undefined;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#pumpQueued) return;
    this.#pumpQueued = true;
    RESOLVED.then(this.#pump);
  }

  // Runs in a microtask whenever the holder may have given way.
  readonly #pump = (): void => {
    this.#pumpQueued = false;
    if (this.#holder !== undefined) return;
    const clock = this.clock;
    for (;;) {
      if (this.#ending && !this.#stopping && this.#onlyDaemonsLeft()) this.stop();
      if (clock.following && this.#outside.size === 0) this.#stopFollowing();
      if (clock.pending > 0) clock.fireDue();
      if (this.#ready.length > 0) return this.#resumeNext();
      if (this.#outside.size > 0) return this.#followRealTime();
      this.#stopFollowing();
      if (clock.pending > 0) {
        // Every thread waits inside the library: jump to the next deadline.
        clock.advanceTo(clock.nextDeadline());
        continue;
      }
      // A signal may still abort a wait from outside: wait for it in real time.
      if (this.#signalWaits > 0) return this.#followRealTime();
      if (this.#blocked.size > 0) {
        this.#deadlock();
        continue;
      }
      return this.#quiesce();
    }
  };

  #resumeNext(): void {
    const ready = this.#ready;
    const i = ready.length === 1 ? 0 : this.#strategy.pick(ready, this.#last, this.#lastYielding);
    const entry = i === 0 ? ready.shift()! : ready.splice(i, 1)[0];
    this.#holder = entry.thread;
    this.#last = entry.thread;
    this.#lastYielding = false;
    if (++this.#steps > this.#maxSteps && !this.#stopping) {
      this.#fail(
        new RuntimeError(
          `Cannot finish the schedule in ${this.#maxSteps} steps: a thread may spin without waiting (a livelock), or raise 'maxSteps'`,
        ),
      );
    }
    // Others wait for the new holder: watch that it does not await something outside the library.
    if (ready.length > 0 || this.clock.pending > 0) this.#armWatchdog();
    else if (!this.#disarmOnlyWhenQuiet) this.#disarmWatchdog();
    entry.resume();
  }

  #onlyDaemonsLeft(): boolean {
    if (this.#live.size === 0) return false;
    for (const thread of this.#live) if (!thread.daemon) return false;
    return true;
  }

  #deadlock(): void {
    const waits = [...this.#blocked];
    const message = describeDeadlock(
      this.name,
      waits.map((w) => ({
        thread: w.thread.name,
        op: w.request.op,
        subject: w.request.subject,
        createdAt: creationSite(this.#sites.get(w.cells)),
      })),
    );
    this.#traceLine(
      `deadlock: ${waits.map((w) => `'${w.thread.name}' waits on ${w.request.subject.label}`).join(", ")}`,
    );
    let first: DeadlockError | undefined;
    for (const w of waits) {
      const error = new DeadlockError(message);
      first ??= error;
      this.#lot.leave(w, "error", error);
    }
    this.#fail(first);
  }

  #fail(error: unknown): void {
    const onFailure = this.#onFailure;
    this.#onFailure = undefined;
    onFailure?.(error);
  }

  // Nothing runs, waits or is due.
  #quiesce(): void {
    this.#disarmWatchdog();
    if (this.#live.size > 0) return;
    for (const resolve of this.#whenSettled.splice(0)) resolve();
  }

  // ---- real time: the watchdog and following the clock ----

  #armWatchdog(): void {
    if (this.#watchdog !== undefined) return;
    this.#contactsAtArm = this.#contacts;
    this.#armedAt = performance.now();
    this.#watchdog = setTimeout(this.#onWatchdog, 0);
  }

  #disarmWatchdog(): void {
    if (this.#watchdog === undefined) return;
    clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
  }

  // A macrotask ran while the holder kept others waiting: it awaits something outside the library.
  readonly #onWatchdog = (): void => {
    this.#watchdog = undefined;
    const holder = this.#holder;
    if (holder === undefined || (this.#ready.length === 0 && this.clock.pending === 0)) return;
    if (this.#contacts !== this.#contactsAtArm) return this.#armWatchdog();
    this.#outside.add(holder);
    this.#holder = undefined;
    // It has been outside (or busy) since the watchdog was armed at the latest: count that time.
    this.clock.follow(true, this.#armedAt);
    this.#schedule();
  };

  #followRealTime(): void {
    this.#disarmWatchdog();
    this.clock.follow(true);
    if (this.#realTimer !== undefined) clearTimeout(this.#realTimer);
    this.#realTimer = undefined;
    const next = this.clock.nextDeadline();
    if (next === Infinity) return;
    this.#realTimer = setTimeout(() => {
      this.#realTimer = undefined;
      this.#schedule();
    }, Math.max(0, next - this.clock.now()));
  }

  #stopFollowing(): void {
    this.clock.follow(false);
    if (this.#realTimer === undefined) return;
    clearTimeout(this.#realTimer);
    this.#realTimer = undefined;
  }

  // ---- the trace ----

  #trace(thread: { readonly name: string }, text: string): void {
    if (this.#lines === undefined || this.#stopping) return;
    this.#traceLine(`${thread.name}: ${text}`);
  }

  #traceLine(text: string): void {
    if (this.#lines === undefined || this.#stopping) return;
    this.#lines.push(`[${formatTime(this.clock.now())}ms] ${text}`);
  }
}

// What a trace says of a waiter that leaves its queue other than by an unpark (an error other than an interrupt says nothing).
const LEAVING: Record<Exclude<Leaving, "error">, string> = {
  timeout: "times out in",
  abort: "is aborted in",
  interrupt: "is interrupted in",
};

function describeWait(request: ParkRequest<unknown>): string {
  const label = request.subject.label;
  const what = label === request.op ? label : `${request.op} on ${label}`;
  return request.timeout === Infinity ? what : `${what} for ${formatTime(request.timeout)}ms`;
}

function formatTime(ms: number): string {
  return Number.isInteger(ms) ? String(ms) : ms.toFixed(3);
}
