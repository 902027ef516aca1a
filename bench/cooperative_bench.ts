/**
 * The `cooperative` scheduler's speed: scheduler steps per second, and
 * explored schedules per second for the 2-thread bank-balance scenario.
 *
 *     deno bench -A bench/cooperative_bench.ts
 *
 * Each iteration does a known amount of work, named in the bench: multiply
 * iter/s by it for steps (or schedules) per second. A step is one resumption
 * of a thread by the scheduler: one `yieldNow()`, or one acquire (its
 * scheduling point, plus the wake-up when it had to wait).
 *
 * @module
 */
import { CooperativeBackend, explore, Lock, Thread, yieldNow } from "@locksmith/threading";

/** Yields per thread in the step benches. */
const YIELDS = 500;
/** Acquire + release pairs per thread in the contended bench. */
const PAIRS = 250;
/** Schedules per iteration of the explorer benches. */
const SCHEDULES = 10;

async function twoThreads(backend: CooperativeBackend, body: () => Promise<void>): Promise<void> {
  const threads = [new Thread({ backend, target: body }), new Thread({ backend, target: body })];
  threads.forEach((t) => t.start());
  for (const t of threads) await t.join();
}

const roundRobin = new CooperativeBackend();
const seeded = new CooperativeBackend({ seed: 1 });

Deno.bench(`scheduler steps: 2 threads x ${YIELDS} yieldNow(), round robin (${2 * YIELDS} steps)`, {
  group: "steps",
  baseline: true,
}, async () => {
  await twoThreads(roundRobin, async () => {
    for (let i = 0; i < YIELDS; i++) await yieldNow();
  });
});

Deno.bench(`scheduler steps: 2 threads x ${YIELDS} yieldNow(), seeded random (${2 * YIELDS} steps)`, {
  group: "steps",
}, async () => {
  await twoThreads(seeded, async () => {
    for (let i = 0; i < YIELDS; i++) await yieldNow();
  });
});

const contended = new Lock({ backend: seeded });
Deno.bench(`scheduler steps: 2 threads x ${PAIRS} contended acquire/release, seeded random`, {
  group: "steps",
}, async () => {
  await twoThreads(seeded, async () => {
    for (let i = 0; i < PAIRS; i++) {
      await contended.acquire();
      await yieldNow();
      contended.release();
    }
  });
});

/** The bank balance of the examples: two threads add and take back n, 5 times each. */
function balance(locked: boolean): () => Promise<void> {
  return async () => {
    let value = 0;
    const lock = new Lock();
    async function changeIt(n: number) {
      if (locked) await lock.acquire();
      let b = value;
      await yieldNow();
      value = b + n;
      b = value;
      await yieldNow();
      value = b - n;
      if (locked) lock.release();
    }
    const threads = [5, 8].map((n) =>
      new Thread({
        target: async () => {
          for (let i = 0; i < 5; i++) await changeIt(n);
        },
      })
    );
    threads.forEach((t) => t.start());
    for (const t of threads) await t.join();
  };
}

let nextSeed = 1;

Deno.bench(`explore: 2-thread balance with the lock, random (${SCHEDULES} schedules)`, {
  group: "schedules",
  baseline: true,
}, async () => {
  await explore(balance(true), { schedules: SCHEDULES, seed: nextSeed });
  nextSeed += SCHEDULES;
});

Deno.bench(`explore: 2-thread balance without the lock, random (${SCHEDULES} schedules)`, {
  group: "schedules",
}, async () => {
  // The scenario throws nothing here: this measures schedules, not the search for the race.
  await explore(balance(false), { schedules: SCHEDULES, seed: nextSeed });
  nextSeed += SCHEDULES;
});

Deno.bench(`explore: 2-thread balance with the lock, PCT depth 3 (${SCHEDULES} schedules + 1 calibration run)`, {
  group: "schedules",
}, async () => {
  await explore(balance(true), { schedules: SCHEDULES, seed: nextSeed, strategy: "pct" });
  nextSeed += SCHEDULES;
});
