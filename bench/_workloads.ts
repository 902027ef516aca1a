/**
 * The workloads of the `async` benchmarks, shared by `async_bench.ts`
 * (`deno bench`) and `ratios.ts` (interleaved runs, medians of ratios).
 *
 * Each workload does many operations per call, so a harness's own cost per
 * call does not flatten the ratios. Every loop is written out per
 * implementation so that each call site sees one class only (a shared
 * generic loop would be megamorphic and measure V8's inline caches rather
 * than the locks).
 *
 * @module
 */
import { Condition, Lock, Semaphore } from "@locksmith/threading";
import { Mutex as AmMutex, Semaphore as AmSemaphore } from "async-mutex";
import AwaitLock from "await-lock";
import { AsyncSemaphore } from "@esfx/async-semaphore";
import { FloorCondition, FloorMutex } from "./_floor_mutex.ts";

/** Acquire + release pairs per call of an uncontended workload. */
export const OPS = 1000;
/** Tasks contending in the hand-off workloads. */
export const TASKS = 8;
/** Acquisitions per call of a hand-off workload, over all tasks. */
export const HANDOFFS = 800;
/** Round trips per call of a ping-pong workload. */
export const ROUNDS = 500;

const PER_TASK = HANDOFFS / TASKS;

/** One group of workloads: the floor first (the baseline), then the others; each returns when done. */
export interface Group {
  /** The group's title, with its operation count. */
  readonly title: string;
  /** Operations per call, to turn time per call into time per operation. */
  readonly ops: number;
  /** Name and workload, the floor first. */
  readonly cases: readonly (readonly [string, () => Promise<unknown>])[];
}

// ---- uncontended: `await acquire(); release()` on an idle primitive -------

const floorMutex = new FloorMutex();
const lock = new Lock();
const semaphore = new Semaphore(1);
const amMutex = new AmMutex();
const amSemaphore = new AmSemaphore(1);
const awaitLock = new AwaitLock();
const esfxSemaphore = new AsyncSemaphore(1);

/** `await acquire(); release()` with nobody else around. */
export const uncontended: Group = {
  title: `uncontended await acquire(); release() x${OPS}`,
  ops: OPS,
  cases: [
    ["floor: FIFO promise-queue mutex", async () => {
      for (let i = 0; i < OPS; i++) {
        await floorMutex.acquire();
        floorMutex.release();
      }
    }],
    ["Lock (async backend)", async () => {
      for (let i = 0; i < OPS; i++) {
        await lock.acquire();
        lock.release();
      }
    }],
    ["Semaphore(1) (async backend)", async () => {
      for (let i = 0; i < OPS; i++) {
        await semaphore.acquire();
        semaphore.release();
      }
    }],
    ["async-mutex Mutex", async () => {
      for (let i = 0; i < OPS; i++) {
        const release = await amMutex.acquire();
        release();
      }
    }],
    ["async-mutex Semaphore(1)", async () => {
      for (let i = 0; i < OPS; i++) {
        const [, release] = await amSemaphore.acquire();
        release();
      }
    }],
    ["await-lock", async () => {
      for (let i = 0; i < OPS; i++) {
        await awaitLock.acquireAsync();
        awaitLock.release();
      }
    }],
    ["@esfx/async-semaphore AsyncSemaphore(1)", async () => {
      for (let i = 0; i < OPS; i++) {
        await esfxSemaphore.wait();
        esfxSemaphore.release();
      }
    }],
  ],
};

// ---- contended hand-off: each task loops acquire, await inside, release ---

async function floorTask(mutex: FloorMutex): Promise<void> {
  for (let i = 0; i < PER_TASK; i++) {
    await mutex.acquire();
    await Promise.resolve();
    mutex.release();
  }
}

async function lockTask(lock: Lock): Promise<void> {
  for (let i = 0; i < PER_TASK; i++) {
    await lock.acquire();
    await Promise.resolve();
    lock.release();
  }
}

async function semaphoreTask(semaphore: Semaphore): Promise<void> {
  for (let i = 0; i < PER_TASK; i++) {
    await semaphore.acquire();
    await Promise.resolve();
    semaphore.release();
  }
}

async function amMutexTask(mutex: AmMutex): Promise<void> {
  for (let i = 0; i < PER_TASK; i++) {
    const release = await mutex.acquire();
    await Promise.resolve();
    release();
  }
}

async function amSemaphoreTask(semaphore: AmSemaphore): Promise<void> {
  for (let i = 0; i < PER_TASK; i++) {
    const [, release] = await semaphore.acquire();
    await Promise.resolve();
    release();
  }
}

async function awaitLockTask(lock: AwaitLock): Promise<void> {
  for (let i = 0; i < PER_TASK; i++) {
    await lock.acquireAsync();
    await Promise.resolve();
    lock.release();
  }
}

async function esfxTask(semaphore: AsyncSemaphore): Promise<void> {
  for (let i = 0; i < PER_TASK; i++) {
    await semaphore.wait();
    await Promise.resolve();
    semaphore.release();
  }
}

/** Starts `TASKS` tasks on one shared primitive and waits for all of them. */
function contend<L>(primitive: L, task: (primitive: L) => Promise<void>): Promise<void[]> {
  const tasks: Promise<void>[] = [];
  for (let t = 0; t < TASKS; t++) tasks.push(task(primitive));
  return Promise.all(tasks);
}

/** `TASKS` tasks hand one primitive around, each awaiting inside its critical section. */
export const contended: Group = {
  title: `contended hand-off, ${TASKS} tasks, ${HANDOFFS} acquisitions`,
  ops: HANDOFFS,
  cases: [
    ["floor: FIFO promise-queue mutex", () => contend(new FloorMutex(), floorTask)],
    ["Lock (async backend)", () => contend(new Lock(), lockTask)],
    ["Semaphore(1) (async backend)", () => contend(new Semaphore(1), semaphoreTask)],
    ["async-mutex Mutex", () => contend(new AmMutex(), amMutexTask)],
    ["async-mutex Semaphore(1)", () => contend(new AmSemaphore(1), amSemaphoreTask)],
    ["await-lock", () => contend(new AwaitLock(), awaitLockTask)],
    ["@esfx/async-semaphore AsyncSemaphore(1)", () => contend(new AsyncSemaphore(1), esfxTask)],
  ],
};

// ---- Condition ping-pong --------------------------------------------------
// Two tasks take turns: wait until it is my turn, pass the turn, notify. The
// Condition is made over a Lock: its default RLock belongs to a thread, and
// these tasks are not threads (both would run as the main thread and own it).

async function floorPingPong(): Promise<void> {
  const mutex = new FloorMutex();
  const condition = new FloorCondition(mutex);
  let turn = 0;
  const player = async (me: number) => {
    for (let i = 0; i < ROUNDS; i++) {
      await mutex.acquire();
      while (turn !== me) await condition.wait();
      turn = 1 - me;
      condition.notify();
      mutex.release();
    }
  };
  await Promise.all([player(0), player(1)]);
}

async function conditionPingPong(): Promise<void> {
  const condition = new Condition(new Lock());
  let turn = 0;
  const player = async (me: number) => {
    for (let i = 0; i < ROUNDS; i++) {
      await condition.acquire();
      while (turn !== me) await condition.wait();
      turn = 1 - me;
      condition.notify();
      condition.release();
    }
  };
  await Promise.all([player(0), player(1)]);
}

/** Two tasks take turns through a condition variable. */
export const pingPong: Group = {
  title: `Condition ping-pong, ${ROUNDS} round trips`,
  ops: ROUNDS,
  cases: [
    ["floor: promise condition over the floor mutex", floorPingPong],
    ["Condition over a Lock (async backend)", conditionPingPong],
  ],
};

/** Every group, in report order. */
export const groups: readonly Group[] = [uncontended, contended, pingPong];

// ---- owner changes ----------------------------------------------------------

/**
 * Runs the contended loop once on a fresh primitive, counting how often the
 * task holding it changes. With FIFO hand-off every release to a waiting task
 * changes the owner, so the answer is 1 when every release has waiters.
 *
 * @param primitive A Lock or a Semaphore(1).
 * @returns Owner changes per acquisition.
 */
export async function ownerChangesPerAcquisition(primitive: Lock | Semaphore): Promise<number> {
  let owner = -1;
  let changes = 0;
  let acquisitions = 0;
  const task = async (me: number) => {
    for (let i = 0; i < PER_TASK; i++) {
      await primitive.acquire();
      acquisitions++;
      if (owner !== me) changes++;
      owner = me;
      await Promise.resolve();
      primitive.release();
    }
  };
  await Promise.all(Array.from({ length: TASKS }, (_, me) => task(me)));
  return changes / acquisitions;
}
