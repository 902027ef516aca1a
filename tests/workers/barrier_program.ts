/**
 * A program for `tests/atomics_barrier_test.ts`: scenarios in which the
 * main thread of the isolate that made a `Barrier` with a function action
 * blocks in a `...Sync` call while a Worker, the last party, needs that
 * action. Run in a child process, so that a scenario that deadlocks is
 * killed from outside instead of blocking the test runner's own thread. It
 * prints one JSON line: how each party's wait ended.
 *
 * Modes (the first argument):
 * - `sync-action`: the main thread waits in `waitSync()`; the action is a
 *   plain function, which it can run there.
 * - `awaiting`: the main thread awaits `wait()`; its event loop runs the
 *   action for the Worker.
 * - `async-action`: the same with an `async` action, which a blocked
 *   isolate cannot await.
 * - `blocked-elsewhere`: the main thread waits with `wait()`, then blocks
 *   in `acquireSync()` on a lock the Worker holds until its barrier wait
 *   (with a 200 ms timeout) has ended.
 *
 * @module
 */
import { Barrier, Lock, sleep, Thread } from "@locksmith/threading";

const atomics = { backend: "atomics" } as const;

function outcome(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : `value ${error}`;
}

/** The Worker's party: waits until the main thread waits, then arrives last (holding `lock` meanwhile, if given). */
export async function lastParty(barrier: Barrier, report: Int32Array, timeout: number, lock?: Lock): Promise<void> {
  if (lock !== undefined) lock.acquireSync();
  Atomics.store(report, 1, 1);
  while (barrier.nWaiting < 1) await sleep(1);
  let text: string;
  try {
    text = `index ${await barrier.wait(timeout)}`;
  } catch (error) {
    text = outcome(error);
  }
  lock?.release();
  const bytes = new TextEncoder().encode(text.slice(0, 200));
  new Uint8Array(report.buffer, 16, bytes.length).set(bytes);
  Atomics.store(report, 0, bytes.length);
}

/**
 * A party whose isolate is busy when the cycle completes: it waits, then a
 * task of its isolate spins until `flags[0]` is set (`flags[1]` says it
 * spins), so its woken wait cannot go on; `die`: the isolate then exits
 * without ever going on. `flags[2]` gets its index + 1.
 */
export async function busyParty(barrier: Barrier, flags: Int32Array, die: boolean): Promise<void> {
  const passing = barrier.wait();
  setTimeout(() => {
    Atomics.store(flags, 1, 1);
    while (Atomics.load(flags, 0) === 0) Atomics.wait(flags, 0, 0, 10);
    if (die) (globalThis as unknown as { process: { exit(code: number): never } }).process.exit(0);
  }, 0);
  Atomics.store(flags, 2, (await passing) + 1);
}

function workerOutcome(report: Int32Array): string {
  return new TextDecoder().decode(new Uint8Array(report.buffer, 16, report[0]).slice());
}

async function main(mode: string): Promise<Record<string, unknown>> {
  let runs = 0;
  const action = mode === "async-action"
    ? async () => {
      await sleep(1);
      runs++;
    }
    : () => {
      runs++;
    };
  const barrier = new Barrier(2, action, null, atomics);
  const report = new Int32Array(new SharedArrayBuffer(256));
  const lock = mode === "blocked-elsewhere" ? new Lock(atomics) : undefined;
  const t = new Thread({
    ...atomics,
    target: { module: import.meta.url, export: "lastParty" },
    args: [barrier, report, mode === "blocked-elsewhere" ? 200 : 20_000, ...(lock ? [lock] : [])],
  });
  t.start();
  let mainOutcome: string;
  if (mode === "awaiting") {
    mainOutcome = await barrier.wait(20_000).then((index) => `index ${index}`, outcome);
  } else if (lock === undefined) {
    try {
      mainOutcome = `index ${barrier.waitSync(20_000)}`;
    } catch (error) {
      mainOutcome = outcome(error);
    }
  } else {
    // Once the Worker holds the lock: arrive first, then block the isolate until the Worker lets go of it.
    while (Atomics.load(report, 1) === 0) await sleep(1);
    const waiting = barrier.wait().then((index) => `index ${index}`, outcome);
    // Block as soon as the arrival is counted, with no turn of the event loop in between: a turn
    // would let this isolate run the action for a Worker that arrived meanwhile (it waits for
    // nWaiting), and the cycle would pass instead of timing out. The arrival takes a few microtasks.
    for (let turns = 0; barrier.nWaiting < 1; turns++) {
      if (turns > 1000) throw new Error("the main thread's arrival was never counted");
      await Promise.resolve();
    }
    lock.acquireSync();
    lock.release();
    mainOutcome = await waiting;
  }
  await t.join(20_000);
  return { main: mainOutcome, worker: workerOutcome(report), runs, broken: barrier.broken, alive: t.isAlive() };
}

if (import.meta.main) console.log(JSON.stringify(await main(Deno.args[0])));
