// The `atomics` backend across real Workers: each primitive with its parties
// in different Workers, the blocking twins blocking a Worker, handles through
// `postMessage` and `revive`, and the bound on a lock's unfairness. The
// thread bodies are in `workers/cross_worker_targets.ts`.
import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import {
  Barrier,
  BoundedSemaphore,
  Condition,
  currentThread,
  Event,
  Lock,
  monotonic,
  pendingWaits,
  revive,
  RLock,
  runningThreads,
  RuntimeError,
  Semaphore,
  sleep,
  Thread,
} from "@locksmith/threading";
import { reportArray, setActionReport, Slot } from "./workers/cross_worker_targets.ts";
import { askWorker } from "./_ask_worker.ts";
import { deadline } from "@std/async/deadline";

const atomics = { backend: "atomics" } as const;
const targets = new URL("./workers/cross_worker_targets.ts", import.meta.url).href;

function start(exportName: string, args: unknown[], name?: string): Thread {
  const thread = new Thread({ ...atomics, name, target: { module: targets, export: exportName }, args });
  thread.start();
  return thread;
}

/** Waits until `report[slot] >= value` (a generous bound only keeps a broken run from hanging). */
async function waitFor(report: Int32Array, slot: number, value: number): Promise<void> {
  const deadline = monotonic() + 30_000;
  while (Atomics.load(report, slot) < value) {
    if (monotonic() > deadline) throw new Error(`report[${slot}] never reached ${value}: ${report[slot]}`);
    await sleep(1);
  }
}

async function joinAll(threads: Thread[]): Promise<void> {
  for (const t of threads) await t.join();
  assertEquals(threads.filter((t) => t.isAlive()).map((t) => t.name), []);
  assertEquals(runningThreads(), [], "threads left running");
  assertEquals(pendingWaits(), [], "waiters left behind");
}

Deno.test("[atomics] RLock: ownership stays with the owning thread across Workers", async () => {
  const rlock = new RLock(atomics);
  await rlock.acquire();
  const release = new Event(atomics);
  const report = reportArray();
  const t = start("rlockOwnership", [rlock, report, release]);
  await waitFor(report, Slot.Step, 1);
  // In the Worker: release was a RuntimeError, timed acquire and acquireSync both failed.
  assertEquals(report[Slot.Result], 1 | 2 | 4);
  rlock.release();
  await waitFor(report, Slot.Step, 2);
  assertThrows(() => rlock.release(), RuntimeError, "not owned by thread 'MainThread'");
  assertEquals(await rlock.acquire(false), false);
  release.set();
  await joinAll([t]);
  assertEquals(report[Slot.Step], 4, "released level by level by its owner");
  assertEquals(await rlock.acquire(false), true);
  rlock.release();
});

Deno.test("[atomics] Condition: notify(n) wakes exactly n, oldest first, across Workers; notifyAll the rest", async () => {
  const cond = new Condition(null, atomics);
  const report = reportArray();
  const threads = [0, 1, 2].map((n) => start("conditionWaiter", [cond, report, n, n === 1]));
  await waitFor(report, Slot.A, 3);
  // Holding the lock means the third waiter has queued and released it.
  await cond.acquire();
  cond.notify(2);
  cond.release();
  await waitFor(report, Slot.Woken, 2);
  await sleep(50);
  assertEquals(report[Slot.Woken], 2, "notify(2) woke exactly two");
  assertEquals([report[Slot.Order], report[Slot.Order + 1]].sort(), [1, 2], "the two oldest waiters");
  await cond.acquire();
  cond.notifyAll();
  cond.release();
  await joinAll(threads);
  assertEquals(report[Slot.Woken], 3);
  assertEquals(report[Slot.Order + 2], 3);
});

Deno.test("[atomics] Condition: a producer and a consumer in two Workers hand over every item through a 2-slot buffer, over a Lock and over an RLock", async () => {
  // Each side waits whenever the buffer is full or empty, so a notify that skipped a waiter (the count of
  // waiters read as 0 while one waits) would leave both asleep, and the bound fails it.
  for (const cond of [new Condition(new Lock(atomics)), new Condition(null, atomics)]) {
    const state = new Int32Array(new SharedArrayBuffer(12));
    const items = 3_000;
    const threads = [true, false].map((producer) => start("boundedBufferParty", [cond, state, items, producer]));
    await deadline(joinAll(threads), 60_000);
    assertEquals([state[0], state[1], state[2]], [0, items, items]);
  }
});

Deno.test("[atomics] Semaphore: holders in different Workers never exceed its value", async () => {
  const sem = new Semaphore(2, atomics);
  const report = reportArray();
  const threads = [0, 1, 2, 3].map((i) => start("semaphoreUser", [sem, report, 5, i % 2 === 0]));
  await joinAll(threads);
  assertEquals(report[Slot.Woken], 4);
  assert(report[Slot.MaxInside] <= 2, `at most 2 inside, saw ${report[Slot.MaxInside]}`);
  assertEquals(report[Slot.Inside], 0);
  assertEquals(sem.value, 2);
});

Deno.test("[atomics] BoundedSemaphore: an over-release in a Worker is a ValueError there", async () => {
  const sem = new BoundedSemaphore(1, atomics);
  const report = reportArray();
  await joinAll([start("overRelease", [sem, report])]);
  assertEquals(report[Slot.Result], 1);
  assertEquals(sem.value, 1);
});

Deno.test("[atomics] Barrier: parties in different Workers pass together; a module action runs once per cycle", async () => {
  const report = reportArray();
  const cycles = 3;
  const barrier = new Barrier(3, { module: targets, export: "countAction" }, null, atomics);
  setActionReport(report); // for the cycles in which the main thread arrives last
  try {
    // One party waits with wait(), the other blocks in waitSync().
    const threads = [false, true].map((sync) => start("barrierPartyWithAction", [barrier, report, cycles, sync]));
    for (let c = 0; c < cycles; c++) {
      const index = await barrier.wait();
      Atomics.add(report, Slot.Order + c * 4 + index, 1);
    }
    await joinAll(threads);
  } finally {
    setActionReport(undefined);
  }
  for (let c = 0; c < cycles; c++) {
    assertEquals([0, 1, 2].map((i) => report[Slot.Order + c * 4 + i]), [1, 1, 1], `cycle ${c} indices`);
  }
  assertEquals(report[Slot.Woken], 2);
  assertEquals(report[Slot.A], cycles, "the action ran once per cycle");
  assertEquals(barrier.nWaiting, 0);
  assertEquals(barrier.broken, false);
});

Deno.test("[atomics] Barrier: a function action runs in the isolate that created it, for parties in Workers", async () => {
  const report = reportArray();
  const cycles = 3;
  const ranIn: string[] = [];
  const barrier = new Barrier(3, () => ranIn.push(currentThread().name), null, atomics);
  const threads = [false, true, false].map((sync) => start("barrierParty", [barrier, report, cycles, sync]));
  await joinAll(threads);
  assertEquals(ranIn, ["MainThread", "MainThread", "MainThread"], "once per cycle, here");
  for (let c = 0; c < cycles; c++) {
    assertEquals([0, 1, 2].map((i) => report[Slot.Order + c * 4 + i]), [1, 1, 1], `cycle ${c} indices`);
  }
  assertEquals(barrier.broken, false);
});

Deno.test("[atomics] Event: set in one Worker wakes the waiters in others", async () => {
  const event = new Event(atomics);
  const report = reportArray();
  const waiters = [0, 1, 2].map((i) => start("eventWaiter", [event, report, i === 0]));
  await waitFor(report, Slot.A, 3);
  await sleep(30);
  assertEquals(report[Slot.Woken], 0, "nobody passes before the set");
  const setter = start("eventSetter", [event]);
  await joinAll([...waiters, setter]);
  assertEquals(report[Slot.Woken], 3);
  assertEquals(event.isSet(), true);
});

Deno.test("[atomics] Event: a set() never wakes a wait that began after a later clear() (ping-pong)", async () => {
  const ping = new Event(atomics);
  const pong = new Event(atomics);
  const report = reportArray();
  const rounds = 20_000;
  const t = start("eventPonger", [ping, pong, report, rounds]);
  let early = 0;
  for (let i = 0; i < rounds; i++) {
    ping.set();
    // A late set() of the previous round must not let the Worker answer twice.
    if (!pong.waitSync(30_000)) throw new Error(`no answer in round ${i}`);
    if (Atomics.load(report, Slot.A) !== i + 1) early++;
    pong.clear();
  }
  await joinAll([t]);
  assertEquals(early, 0, "rounds in which the Worker's count was off");
  assertEquals(report[Slot.A], rounds);
});

Deno.test("[atomics] Lock: acquireSync blocks a Worker until the main thread releases", async () => {
  const lock = new Lock(atomics);
  await lock.acquire();
  const report = reportArray();
  const t = start("blockingAcquire", [lock, report]);
  await waitFor(report, Slot.Step, 1);
  await sleep(50);
  assertEquals(report[Slot.A], 0, "still blocked in acquireSync");
  lock.release();
  await joinAll([t]);
  assertEquals(report[Slot.A], 1);
  assertEquals(lock.locked(), false);
});

Deno.test("[atomics] Lock: two Workers incrementing a shared counter under it get the exact count", async () => {
  const lock = new Lock(atomics);
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const threads = [0, 1].map(() => start("lockedIncrements", [lock, counter, 20_000]));
  await joinAll(threads);
  assertEquals(counter[0], 40_000);
});

Deno.test("[atomics] Lock: blocking, timed and non-blocking acquires from three Workers lose no increment and no wake-up", async () => {
  // Timed waits leave by timeout while others release (the PARKED bit cleared by the last to leave, put
  // back by a release's repair): a lost wake-up would leave a blocking acquire asleep, and the bound fails it.
  const lock = new Lock(atomics);
  const counter = new Int32Array(new SharedArrayBuffer(12));
  const rounds = 6_000;
  const threads = [0, 1, 2].map(() => start("mixedLockTraffic", [lock, counter, rounds, 3]));
  await deadline(joinAll(threads), 60_000);
  assertEquals(counter[0] + counter[1], 3 * rounds, `taken ${counter[0]}, missed ${counter[1]}`);
  // Every blocking acquire (a third of the rounds) took the lock.
  assert(counter[0] >= rounds, `taken ${counter[0]}`);
  assertEquals(lock.locked(), false);
});

Deno.test("[atomics] Lock: unfairness is bounded: a waiter gets its turns while another Worker re-acquires in a loop", async () => {
  const lock = new Lock(atomics);
  const report = reportArray();
  const turns = 20;
  const cap = 1_000_000;
  const spinner = start("spinner", [lock, report, cap]);
  const patient = start("patientAcquirer", [lock, report, turns]);
  await joinAll([spinner, patient]);
  const counts = { patient: report[Slot.A], spinner: report[Slot.B], mostOvertakes: report[Slot.C] };
  console.log(`acquisitions per thread: ${JSON.stringify(counts)}`);
  assertEquals(counts.patient, turns);
  // The spinner re-acquires before a woken waiter can run, so without the
  // fair hand-off (about once a millisecond) it would overtake a waiter
  // until its cap; with it, a waiter is overtaken for about a millisecond.
  assert(counts.mostOvertakes < 1_000, `a waiter was overtaken too often: ${JSON.stringify(counts)}`);
});

Deno.test("[atomics] Thread: a Worker thread knows itself; idents, Local and the clock are the program's", async () => {
  const report = reportArray();
  const clock = new Float64Array(new SharedArrayBuffer(8));
  const before = monotonic(atomics);
  const t = start("identity", [report, clock], "worker-identity");
  await joinAll([t]);
  const after = monotonic(atomics);
  assertEquals(report[Slot.A], t.ident, "currentThread().ident in the Worker");
  assertEquals(report[Slot.B], t.ident, "getIdent() in the Worker");
  assertEquals(report[Slot.C], 1, "currentThread() is the Worker's thread, by name, alive");
  assert(before <= clock[0] && clock[0] <= after, `one timeline: ${before} <= ${clock[0]} <= ${after}`);
  assertMatch(String(t.nativeId), /^\d+$/);

  const locals = reportArray();
  const threads = [1, 2].map((v) => start("localValue", [locals, v]));
  await joinAll(threads);
  assertEquals([locals[Slot.A], locals[Slot.B]], [2, 2], "each Worker starts with its own Local");
  assert(threads[0].ident !== threads[1].ident && threads[0].ident !== t.ident);
});

Deno.test("[atomics] revive: postMessage carries a handle that revive() turns back into the same lock", async () => {
  const lock = new Lock(atomics);
  await lock.acquire();
  const rlock = new RLock(atomics);
  await rlock.acquire();
  const data = await askWorker<{ report: unknown; lock: unknown; rlock: unknown }>("postmessage_worker.ts", {
    lock,
    rlock,
  });
  assertEquals(data.report, {
    isLock: true,
    lockedHere: true,
    triedWhileHeld: false,
    rlockTriedWhileHeld: false,
    identIsNotMain: true,
  });
  rlock.release();
  const back = revive<Lock>(data.lock);
  assert(back instanceof Lock && back !== lock);
  assertEquals(back.locked(), true);
  back.release();
  assertEquals(lock.locked(), false, "the same memory");
  assertEquals(revive(7), 7);
  const plain = { lock: 1 };
  assertEquals(revive(plain), plain);
});

Deno.test("[atomics] revive: a handle that is not one is a TypeError", () => {
  const sent = structuredClone(new Event(atomics)) as unknown as Record<string, { location: unknown }>;
  const location = sent["@locksmith/threading"].location;
  assertThrows(
    () => revive({ "@locksmith/threading": { kind: "Lock", backend: "atomics", location } }),
    TypeError,
    "do not hold a Lock",
  );
  assertThrows(
    () =>
      revive({
        "@locksmith/threading": {
          kind: "Lock",
          backend: "atomics",
          location: { buffer: new SharedArrayBuffer(8192), index: 1100 },
        },
      }),
    TypeError,
    "foreign SharedArrayBuffer",
  );
  assertThrows(() => revive({ "@locksmith/threading": { kind: "Gizmo", backend: "atomics" } }), TypeError, "Gizmo");
  assertThrows(() => revive({ "@locksmith/threading": 42 }), TypeError, "malformed");
});

Deno.test("[atomics] a primitive of an in-isolate backend fails loudly when posted or passed to a Worker", () => {
  const asyncLock = new Lock({ backend: "async" });
  const channel = new MessageChannel();
  try {
    assertThrows(() => channel.port1.postMessage(asyncLock), TypeError, "'async' backend");
  } finally {
    channel.port1.close();
    channel.port2.close();
  }
  assertThrows(() => structuredClone(new Condition(null, { backend: "async" })), Error, "Cannot share");
  const thread = new Thread({ ...atomics, target: { module: targets, export: "blockingAcquire" }, args: [asyncLock] });
  assertThrows(() => thread.start(), TypeError, "'async' backend");
  assertEquals(thread.isAlive(), false);
  assertEquals(runningThreads(), []);
});

async function runProgram(mode: string): Promise<string> {
  const program = new URL("./workers/daemon_program.ts", import.meta.url);
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", program.href, mode],
    stdout: "piped",
    stderr: "piped",
    // A program kept alive by a thread that should not keep it is killed here.
    signal: AbortSignal.timeout(30_000),
  }).output();
  assertEquals(code, 0, new TextDecoder().decode(stderr));
  return new TextDecoder().decode(stdout).trim();
}

Deno.test("[atomics] Thread: a non-daemon Worker keeps the program alive; a daemon one does not", async () => {
  assertEquals(await runProgram("normal"), "main done\nthread done");
  assertEquals(await runProgram("daemon"), "main done");
});
