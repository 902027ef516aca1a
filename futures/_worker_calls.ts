/**
 * Calls run on Workers, for `ProcessPoolExecutor` (and `ThreadPoolExecutor`
 * on `atomics`), as CPython's `process.py` runs them, with one change that
 * keeps the Workers busy. Python's call queue holds at most `maxWorkers + 1`
 * calls handed over and not yet taken by a Worker (`EXTRA_QUEUED_CALLS`);
 * those are `running()` from hand-over on, as in Python. Calls beyond it
 * are sent ahead too, while the Workers' task queue has room, but stay
 * pending, and cancellable, until a Worker claims them: each carries a claim
 * slot, and one compare-and-swap decides between the Worker's claim and a
 * `cancel()` (a cancelled one is skipped). So a burst of submits flows to the
 * Workers without a round trip through this isolate per call, and `cancel()`
 * is exact: it succeeds for every call no Worker has started.
 *
 * | future state | where the call is                       | cancel()   |
 * |--------------|-----------------------------------------|------------|
 * | PENDING      | here, waiting for room                  | succeeds   |
 * | PENDING      | sent ahead, claim slot PENDING          | succeeds (slot CANCELLED, the Worker skips it) |
 * | RUNNING      | in Python's call queue, or claimed      | fails      |
 * | FINISHED     | answered                                | fails      |
 *
 * The Workers are a pool's (`pools/worker_transport.ts`, started at the
 * first call), and tasks and outcomes cross on its wire: one encoding for
 * both. A Worker that dies, or whose initializer raises, breaks the pool:
 * the calls queued and running fail with `BrokenExecutor`, and so does every
 * later submit (Python's `_terminate_broken`).
 *
 * @module
 */
import { hostBackendFor } from "../backends/mod.ts";
import type { Target } from "../backends/types.ts";
import { BrokenExecutor, DeadlockError } from "../runtime/errors.ts";
import type { Thread } from "../primitives/thread.ts";
import { CLAIM_SLOTS, WorkerTransport } from "../pools/worker_transport.ts";
import { BROKEN, CLAIM_FREE, CLAIM_PENDING, DONE, SKIPPED, type TaskStatus } from "../pools/wire.ts";
import { Future, sentAhead } from "./future.ts";
import { flatten, mapResults } from "./_map.ts";
import type { CallEngine, EngineSettings } from "./_call_engine.ts";

// Python's EXTRA_QUEUED_CALLS: the call queue holds one call more than there are Workers.
const EXTRA_QUEUED_CALLS = 1;

/** One submitted call (or chunk of calls, for `map`) and its future. */
interface WorkerCall {
  readonly id: number;
  /** Settled with the result (with the list of results, for a chunk). */
  readonly future: Future<unknown>;
  readonly target: Target;
  /** The arguments of each call; one entry unless `chunk`. */
  readonly argsList: unknown[][];
  /** Whether the future takes the list of results rather than the only one. */
  readonly chunk: boolean;
  /** Its claim slot while sent ahead, else -1. */
  slot: number;
}

let callCounter = 0;

/** Runs calls on a pool of Workers. */
export class WorkerCalls implements CallEngine {
  readonly #settings: EngineSettings;
  readonly #label: string;
  #transport: WorkerTransport | undefined = undefined;
  // Calls not handed over yet, oldest first from `#head`.
  #pending: (WorkerCall | undefined)[] = [];
  #head = 0;
  // Calls handed over or sent ahead, and not yet answered, by id.
  readonly #running = new Map<number, WorkerCall>();
  // Claim slots: those given back, and the next never used.
  readonly #freeSlots: number[] = [];
  #nextSlot = 0;
  #closing = false;
  #finished = false;
  broken: BrokenExecutor | undefined = undefined;
  #initializerReported = false;
  readonly #drained = Promise.withResolvers<void>();

  /**
   * @param settings The executor's checked options (the backend runs its threads as Workers).
   * @param label The executor, for messages.
   */
  constructor(settings: EngineSettings, label: string) {
    this.#settings = settings;
    this.#label = label;
  }

  /** The Workers (all start at the first call). */
  get threads(): Thread[] {
    return this.#transport === undefined ? [] : [...this.#transport.threads];
  }

  /** How many Workers run, of how many. */
  get census(): string {
    const max = this.#settings.maxWorkers;
    return `workers=${this.#transport === undefined ? 0 : max}/${max}`;
  }

  /** Queues one call. */
  submit(target: Target, args: unknown[]): Future<unknown> {
    const future = this.#future();
    this.#pending.push({ id: ++callCounter, future, target, argsList: [args], chunk: false, slot: -1 });
    this.#dispatch();
    return future;
  }

  /** Queues `map`'s calls, `chunksize` per Worker task, and yields the results in order. */
  map(
    target: Target,
    argsList: unknown[][],
    chunksize: number,
    deadline: number,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<unknown, void, undefined> {
    const chunks: Future<unknown[]>[] = [];
    for (let i = 0; i < argsList.length; i += chunksize) {
      const future = this.#future();
      this.#pending.push({
        id: ++callCounter,
        future,
        target,
        argsList: argsList.slice(i, i + chunksize),
        chunk: true,
        slot: -1,
      });
      chunks.push(future as Future<unknown[]>);
    }
    this.#dispatch();
    return flatten(mapResults(chunks, deadline, signal, this.#settings.backend));
  }

  /** Refuses new calls; with `cancelFutures`, cancels those not handed over. */
  shutdown(cancelFutures: boolean): void {
    this.#closing = true;
    if (cancelFutures) {
      for (let call = this.#take(); call !== undefined; call = this.#take()) call.future.cancel();
      // Sent ahead and not claimed yet: they are skipped.
      for (const call of this.#running.values()) if (call.slot >= 0) call.future.cancel();
    }
    this.#dispatch();
  }

  /** Waits until every call is answered and the Workers have ended. */
  async join(): Promise<void> {
    await this.#drained.promise;
    for (const t of this.#transport?.joinable ?? []) await t.join();
  }

  /** Blocks until the Workers have ended; refuses while calls are still out (their outcomes need this isolate). */
  joinSync(): void {
    if (!this.#finished) {
      throw new DeadlockError(
        `Cannot shut down ${this.#label} synchronously: ${
          this.#running.size + this.#pending.length - this.#head
        } call(s) still queued or running on its Workers, whose results reach this isolate only while it does not block; use 'await shutdown()'`,
      );
    }
    for (const t of this.#transport?.joinable ?? []) t.joinSync();
  }

  // Futures are waited for in this isolate: on its own backend, not the Workers'.
  #future(): Future<unknown> {
    return new Future<unknown>({ backend: hostBackendFor(this.#settings.backend) });
  }

  // Python's `_add_call_item_to_queue`, then sending ahead while the task queue and the claim
  // slots have room; then ends the pool once it is closed and nothing is left.
  #dispatch(): void {
    const window = this.#settings.maxWorkers + EXTRA_QUEUED_CALLS;
    while (this.broken === undefined && this.#head < this.#pending.length) {
      const transport = this.#transport ?? this.#start();
      if (transport === undefined) break;
      const call = this.#pending[this.#head]!;
      // A call cancelled while it waited here is skipped (and `wait`/`asCompleted` told so).
      if (call.future.cancelled()) {
        this.#take();
        call.future.setRunningOrNotifyCancel();
        continue;
      }
      const sent = transport.queued < window ? this.#handOver(transport, call) : this.#sendAhead(transport, call);
      if (!sent) break;
    }
    if (this.#closing && !this.#finished && this.#running.size === 0 && this.#head === this.#pending.length) {
      this.#finished = true;
      this.#transport?.close();
      this.#drained.resolve();
    }
  }

  // Into Python's call queue: running from now on. False if the task queue is full (it stays pending here).
  #handOver(transport: WorkerTransport, call: WorkerCall): boolean {
    if (!this.#send(transport, call)) return false;
    // (Unless it failed at once: arguments a Worker cannot receive.)
    if (!call.future.done()) call.future.setRunningOrNotifyCancel();
    return true;
  }

  // Sent ahead with a claim slot: pending until a Worker claims it. False if no slot or no room.
  #sendAhead(transport: WorkerTransport, call: WorkerCall): boolean {
    const slot = this.#freeSlots.pop() ?? (this.#nextSlot < CLAIM_SLOTS ? this.#nextSlot++ : -1);
    if (slot < 0) return false;
    const claims = transport.claims!;
    Atomics.store(claims, slot, CLAIM_PENDING);
    call.slot = slot;
    sentAhead(call.future, claims, slot);
    if (this.#send(transport, call)) return true;
    this.#freeSlot(call);
    return false;
  }

  // Queues the call's task without blocking; takes the call off the pending list once it is queued
  // or has failed (arguments a Worker cannot receive fail it, as a pickling error does in Python).
  #send(transport: WorkerTransport, call: WorkerCall): boolean {
    this.#running.set(call.id, call);
    let queued: boolean;
    try {
      queued = transport.trySend(call.id, 0, call.target, call.argsList, call.slot);
    } catch (error) {
      this.#running.delete(call.id);
      this.#take();
      this.#freeSlot(call);
      call.future.setException(error);
      return true;
    }
    if (!queued) {
      this.#running.delete(call.id);
      return false;
    }
    this.#take();
    return true;
  }

  #freeSlot(call: WorkerCall): void {
    if (call.slot < 0) return;
    Atomics.store(this.#transport!.claims!, call.slot, CLAIM_FREE);
    this.#freeSlots.push(call.slot);
    call.slot = -1;
  }

  // Starts the Workers at the first call; a failure breaks the pool.
  #start(): WorkerTransport | undefined {
    const { backend, maxWorkers, prefix, initializer, initargs } = this.#settings;
    try {
      return this.#transport = new WorkerTransport({
        backend,
        threads: maxWorkers,
        threadName: (i) => `${prefix}_${i}`,
        initializer: initializer ?? null,
        initargs,
        deliver: (id, _index, status, value) => this.#settle(id, status, value),
        finished: () => (this.#closing || this.broken !== undefined) && this.#running.size === 0,
        threadEnded: (thread, error) => this.#threadEnded(thread, error),
      }, true);
    } catch (error) {
      this.#break(error, "its Workers could not be started");
      return undefined;
    }
  }

  #take(): WorkerCall | undefined {
    if (this.#head === this.#pending.length) return undefined;
    const call = this.#pending[this.#head];
    this.#pending[this.#head++] = undefined;
    if (this.#head === this.#pending.length) {
      this.#pending = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#pending.length) {
      this.#pending = this.#pending.slice(this.#head);
      this.#head = 0;
    }
    return call;
  }

  // An outcome arrived (on the result handler): settle the call's future, then hand more over.
  #settle(id: number, status: TaskStatus, value: unknown): void {
    const call = this.#running.get(id);
    if (call === undefined) return; // failed already, when the pool broke
    this.#running.delete(id);
    this.#freeSlot(call);
    const future = call.future;
    if (status === SKIPPED) future.setRunningOrNotifyCancel(); // cancelled while sent ahead: tell `wait`/`asCompleted`
    else if (status === BROKEN) {
      if (!this.#initializerReported) {
        this.#initializerReported = true;
        console.error(`Exception in initializer of a Worker of ${this.#label}:`, value);
      }
      this.#break(value, "a Worker's initializer failed");
      if (!future.done()) future.setException(this.#brokenError());
    } else if (!future.done()) {
      // (Always true: a call whose claim lost to a cancel never runs.)
      if (status === DONE) future.setResult(call.chunk ? value : (value as unknown[])[0]);
      else future.setException(value);
    }
    this.#dispatch();
  }

  // A Worker ended. Unless the pool told it to, it died: the calls it held would never be answered.
  #threadEnded(thread: Thread, error: unknown): void {
    if (this.#finished && error === undefined) return;
    const why = error === undefined ? "" : `: ${error instanceof Error ? error.message : String(error)}`;
    this.#break(error, `one of its Workers (${thread.name}) died${why}`);
    this.#dispatch();
  }

  // Python's `_terminate_broken`: the queued and running calls fail, the Workers stop, later submits throw.
  #break(cause: unknown, why: string): void {
    if (this.broken !== undefined) return;
    this.broken = new BrokenExecutor(`Cannot use ${this.#label}: ${why}, the pool is not usable anymore`, { cause });
    for (let call = this.#take(); call !== undefined; call = this.#take()) {
      if (!call.future.done()) call.future.setException(this.#brokenError());
    }
    const running = [...this.#running.values()];
    this.#running.clear();
    for (const call of running) if (!call.future.done()) call.future.setException(this.#brokenError());
    this.#transport?.dropQueued();
    this.#transport?.close();
  }

  #brokenError(): BrokenExecutor {
    const broken = this.broken!;
    return new BrokenExecutor(broken.message, { cause: broken.cause });
  }
}
