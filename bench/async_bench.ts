/**
 * The `async` backend's Lock, Semaphore and Condition against `async-mutex`,
 * `await-lock`, `@esfx/async-semaphore` and a hand-written FIFO promise-queue
 * mutex (the floor, each group's baseline), so the ratios come out of one run:
 *
 *     deno task bench        # deno bench -A bench/
 *
 * Each iteration does many operations so the harness's own cost per iteration
 * does not flatten the ratios; divide ns/iter by the count in the name for ns
 * per operation. Every loop is written out per implementation so that each
 * call site sees one class only (a shared helper would be megamorphic and
 * measure V8's inline caches rather than the locks).
 *
 * Before timing, the contended run is made once with an owner counter, and
 * the owner changes per acquisition are printed: with FIFO hand-off every
 * release to a waiting task changes the owner, so it is 1.000.
 *
 * @module
 */
import { Condition, Lock, Semaphore } from "../mod.ts";
import { Mutex as AmMutex, Semaphore as AmSemaphore } from "async-mutex";
import AwaitLock from "await-lock";
import { AsyncSemaphore } from "@esfx/async-semaphore";
import { FloorCondition, FloorMutex } from "./_floor_mutex.ts";

/** Acquire + release pairs per iteration of the uncontended group. */
const OPS = 1000;
/** Tasks contending in the hand-off group. */
const TASKS = 8;
/** Acquisitions per iteration of the hand-off group, over all tasks. */
const HANDOFFS = 800;
/** Round trips per iteration of the ping-pong group. */
const ROUNDS = 500;

const PER_TASK = HANDOFFS / TASKS;
const UNCONTENDED = `uncontended await acquire(); release() x${OPS}`;
const CONTENDED = `contended hand-off, ${TASKS} tasks, ${HANDOFFS} acquisitions`;
const PING_PONG = `Condition ping-pong, ${ROUNDS} round trips`;

// ---- uncontended ---------------------------------------------------------

const floorMutex = new FloorMutex();
const lock = new Lock();
const semaphore = new Semaphore(1);
const amMutex = new AmMutex();
const amSemaphore = new AmSemaphore(1);
const awaitLock = new AwaitLock();
const esfxSemaphore = new AsyncSemaphore(1);

Deno.bench("floor: FIFO promise-queue mutex", { group: UNCONTENDED, baseline: true }, async () => {
  for (let i = 0; i < OPS; i++) {
    await floorMutex.acquire();
    floorMutex.release();
  }
});

Deno.bench("Lock (async backend)", { group: UNCONTENDED }, async () => {
  for (let i = 0; i < OPS; i++) {
    await lock.acquire();
    lock.release();
  }
});

Deno.bench("Semaphore(1) (async backend)", { group: UNCONTENDED }, async () => {
  for (let i = 0; i < OPS; i++) {
    await semaphore.acquire();
    semaphore.release();
  }
});

Deno.bench("async-mutex Mutex", { group: UNCONTENDED }, async () => {
  for (let i = 0; i < OPS; i++) {
    const release = await amMutex.acquire();
    release();
  }
});

Deno.bench("async-mutex Semaphore(1)", { group: UNCONTENDED }, async () => {
  for (let i = 0; i < OPS; i++) {
    const [, release] = await amSemaphore.acquire();
    release();
  }
});

Deno.bench("await-lock", { group: UNCONTENDED }, async () => {
  for (let i = 0; i < OPS; i++) {
    await awaitLock.acquireAsync();
    awaitLock.release();
  }
});

Deno.bench("@esfx/async-semaphore AsyncSemaphore(1)", { group: UNCONTENDED }, async () => {
  for (let i = 0; i < OPS; i++) {
    await esfxSemaphore.wait();
    esfxSemaphore.release();
  }
});

// ---- contended hand-off --------------------------------------------------
// Each task loops: acquire, await inside the critical section, release.

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

Deno.bench("floor: FIFO promise-queue mutex", { group: CONTENDED, baseline: true }, async () => {
  await contend(new FloorMutex(), floorTask);
});

Deno.bench("Lock (async backend)", { group: CONTENDED }, async () => {
  await contend(new Lock(), lockTask);
});

Deno.bench("Semaphore(1) (async backend)", { group: CONTENDED }, async () => {
  await contend(new Semaphore(1), semaphoreTask);
});

Deno.bench("async-mutex Mutex", { group: CONTENDED }, async () => {
  await contend(new AmMutex(), amMutexTask);
});

Deno.bench("async-mutex Semaphore(1)", { group: CONTENDED }, async () => {
  await contend(new AmSemaphore(1), amSemaphoreTask);
});

Deno.bench("await-lock", { group: CONTENDED }, async () => {
  await contend(new AwaitLock(), awaitLockTask);
});

Deno.bench("@esfx/async-semaphore AsyncSemaphore(1)", { group: CONTENDED }, async () => {
  await contend(new AsyncSemaphore(1), esfxTask);
});

// ---- Condition ping-pong -------------------------------------------------
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

async function conditionPingPong(condition: Condition): Promise<void> {
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

Deno.bench("floor: promise condition over the floor mutex", { group: PING_PONG, baseline: true }, async () => {
  await floorPingPong();
});

Deno.bench("Condition over a Lock (async backend)", { group: PING_PONG }, async () => {
  await conditionPingPong(new Condition(new Lock()));
});

// ---- owner changes, counted once outside timing --------------------------

/** Runs the contended loop on a Lock, counting how often the owner changes. */
async function ownerChangesPerAcquisition(): Promise<number> {
  const lock = new Lock();
  let owner = -1;
  let changes = 0;
  let acquisitions = 0;
  const task = async (me: number) => {
    for (let i = 0; i < PER_TASK; i++) {
      await lock.acquire();
      acquisitions++;
      if (owner !== me) changes++;
      owner = me;
      await Promise.resolve();
      lock.release();
    }
  };
  await Promise.all(Array.from({ length: TASKS }, (_, me) => task(me)));
  return changes / acquisitions;
}

console.log(
  `Lock owner changes per acquisition (${TASKS} tasks, ${HANDOFFS} acquisitions): ${
    (await ownerChangesPerAcquisition()).toFixed(3)
  }`,
);
