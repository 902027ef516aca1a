/**
 * The Workers behind `atomics_bench.ts`: plain `node:worker_threads`
 * Workers (a harness, not `Thread`s) that wait for a command in shared
 * memory, run it, and report done. The primitives arrive as handles in
 * `workerData` and are revived.
 *
 * @module
 */
import process from "node:process";
import { type Condition, type Event, type Lock, revive } from "@locksmith/threading";

/** Control cells: generation, command, count, participants, done, quit. */
export const GEN = 0;
/** Which command to run. */
export const CMD = 1;
/** How many operations each participant runs. */
export const COUNT = 2;
/** How many Workers (ids 0..n-1) take part. */
export const PARTICIPANTS = 3;
/** How many Workers have finished the command. */
export const DONE = 4;
/** Set to end the Workers. */
export const QUIT = 5;

/** The commands. */
export const Command = {
  /** Increment a counter under the library's Lock. */
  Lock: 1,
  /** Increment a counter under the hand-written futex lock. */
  Futex: 2,
  /** `Atomics.add` with no lock (the floor). */
  Add: 3,
  /** Answer Event pings (worker 0), or ping worker 1 with Events (worker 0, Worker<->Worker). */
  EventPong: 4,
  /** Answer raw `Atomics.wait`/`notify` pings. */
  RawPong: 5,
  /** Answer Condition pings. */
  ConditionPong: 6,
  /** Worker 0 pings worker 1 with Events; worker 1 answers. */
  EventPingPong: 7,
  /** Worker 0 pings worker 1 with raw wait/notify; worker 1 answers. */
  RawPingPong: 8,
} as const;

/** What each harness Worker receives. */
export interface HarnessData {
  readonly id: number;
  readonly ctrl: Int32Array;
  readonly counter: Int32Array;
  readonly futex: Int32Array;
  readonly raw: Int32Array;
  readonly turn: Int32Array;
  readonly lock: unknown;
  readonly ping: unknown;
  readonly pong: unknown;
  readonly cond: unknown;
}

/** A hand-written futex lock (Drepper's "mutex2"): 0 free, 1 locked, 2 locked with sleepers. */
export function futexLock(cell: Int32Array): void {
  let c = Atomics.compareExchange(cell, 0, 0, 1);
  if (c === 0) return;
  if (c !== 2) c = Atomics.exchange(cell, 0, 2);
  while (c !== 0) {
    Atomics.wait(cell, 0, 2);
    c = Atomics.exchange(cell, 0, 2);
  }
}

/** Unlocks a `futexLock`. */
export function futexUnlock(cell: Int32Array): void {
  if (Atomics.sub(cell, 0, 1) !== 1) {
    Atomics.store(cell, 0, 0);
    Atomics.notify(cell, 0, 1);
  }
}

/** One raw ping-pong answer: wait for `raw[0]`, clear it, set `raw[1]`. */
export function rawPong(raw: Int32Array): void {
  while (Atomics.load(raw, 0) === 0) Atomics.wait(raw, 0, 0);
  Atomics.store(raw, 0, 0);
  Atomics.store(raw, 1, 1);
  Atomics.notify(raw, 1, 1);
}

/** One raw ping: set `raw[0]`, wait for `raw[1]`, clear it. */
export function rawPing(raw: Int32Array): void {
  Atomics.store(raw, 0, 1);
  Atomics.notify(raw, 0, 1);
  while (Atomics.load(raw, 1) === 0) Atomics.wait(raw, 1, 0);
  Atomics.store(raw, 1, 0);
}

/** One Event ping: set `ping`, wait for `pong`, clear it. */
export function eventPing(ping: Event, pong: Event): void {
  ping.set();
  pong.waitSync();
  pong.clear();
}

/** One Event answer: wait for `ping`, clear it, set `pong`. */
export function eventPong(ping: Event, pong: Event): void {
  ping.waitSync();
  ping.clear();
  pong.set();
}

/** One Condition ping: hand the turn over and wait for it to come back. */
export function conditionPing(cond: Condition, turn: Int32Array): void {
  cond.acquireSync();
  turn[0] = 1;
  cond.notify();
  while (turn[0] !== 0) cond.waitSync();
  cond.release();
}

/** One Condition answer. */
export function conditionPong(cond: Condition, turn: Int32Array): void {
  cond.acquireSync();
  while (turn[0] !== 1) cond.waitSync();
  turn[0] = 0;
  cond.notify();
  cond.release();
}

function run(data: HarnessData, lock: Lock, ping: Event, pong: Event, cond: Condition, cmd: number, n: number): void {
  const { counter, futex, raw, turn, id } = data;
  switch (cmd) {
    case Command.Lock:
      for (let i = 0; i < n; i++) {
        lock.acquireSync();
        counter[0]++;
        lock.release();
      }
      return;
    case Command.Futex:
      for (let i = 0; i < n; i++) {
        futexLock(futex);
        counter[0]++;
        futexUnlock(futex);
      }
      return;
    case Command.Add:
      for (let i = 0; i < n; i++) Atomics.add(counter, 1, 1);
      return;
    case Command.EventPong:
      for (let i = 0; i < n; i++) eventPong(ping, pong);
      return;
    case Command.RawPong:
      for (let i = 0; i < n; i++) rawPong(raw);
      return;
    case Command.ConditionPong:
      for (let i = 0; i < n; i++) conditionPong(cond, turn);
      return;
    case Command.EventPingPong:
      for (let i = 0; i < n; i++) id === 0 ? eventPing(ping, pong) : eventPong(ping, pong);
      return;
    case Command.RawPingPong:
      for (let i = 0; i < n; i++) id === 0 ? rawPing(raw) : rawPong(raw);
      return;
  }
}

if (import.meta.main) {
  const wt = process.getBuiltinModule("node:worker_threads") as typeof import("node:worker_threads");
  const data = wt.workerData as HarnessData;
  const lock = revive<Lock>(data.lock);
  const ping = revive<Event>(data.ping);
  const pong = revive<Event>(data.pong);
  const cond = revive<Condition>(data.cond);
  const ctrl = data.ctrl;
  let gen = 0;
  for (;;) {
    while (Atomics.load(ctrl, GEN) === gen) Atomics.wait(ctrl, GEN, gen);
    gen = Atomics.load(ctrl, GEN);
    if (Atomics.load(ctrl, QUIT) !== 0) break;
    if (data.id < Atomics.load(ctrl, PARTICIPANTS)) {
      run(data, lock, ping, pong, cond, Atomics.load(ctrl, CMD), Atomics.load(ctrl, COUNT));
    }
    Atomics.add(ctrl, DONE, 1);
    Atomics.notify(ctrl, DONE);
  }
}
