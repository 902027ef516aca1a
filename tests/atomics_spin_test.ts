// A blocking wait on `atomics` spins for a few microseconds before it sleeps
// (`ParkRequest.spin`), except a lock's waiter, which is woken to race. The
// spin's turns call `Atomics.pause` and the sleep `Atomics.wait`: both are
// counted here, and a wake-up is made to come in the middle of the spin by
// doing it from `Atomics.pause` itself, so nothing depends on timing.
import { assert, assertEquals } from "@std/assert";
import { Condition, Event, Lock } from "@locksmith/threading";

const atomics = { backend: "atomics" } as const;
type Pausable = typeof Atomics & { pause?: () => void };

/**
 * Runs `body` with `Atomics.pause` and `Atomics.wait` counted; `onPause` runs on each pause first, `onSleep`
 * before each sleep.
 */
function counting<T>(
  body: () => T,
  onPause: (turn: number) => void = () => {},
  onSleep: () => void = () => {},
): { result: T; pauses: number; sleeps: number } {
  const target = Atomics as Pausable;
  const { pause, wait } = target;
  let pauses = 0;
  let sleeps = 0;
  target.pause = () => {
    onPause(++pauses);
    pause?.call(Atomics);
  };
  target.wait = ((view: Int32Array, index: number, value: number, timeout?: number) => {
    sleeps++;
    onSleep();
    return wait(view, index, value, timeout);
  }) as typeof Atomics.wait;
  try {
    return { result: body(), pauses, sleeps };
  } finally {
    target.pause = pause;
    target.wait = wait;
  }
}

Deno.test("atomics spin: an Event wait set while it spins returns without sleeping", () => {
  const event = new Event(atomics);
  // A timeout only so that a wait that does not spin ends (and fails the test) rather than hangs.
  const { result, pauses, sleeps } = counting(() => event.waitSync(1000), (turn) => {
    if (turn === 3) event.set();
  });
  assertEquals(result, true);
  assert(pauses >= 3, `the wait paused ${pauses} times`);
  assertEquals(sleeps, 0, "the wait slept although it was woken while it spun");
});

Deno.test("atomics spin: an Event wait nobody ends spins, then sleeps until its timeout", () => {
  const event = new Event(atomics);
  const { result, pauses, sleeps } = counting(() => event.waitSync(5));
  assertEquals(result, false);
  assert(pauses > 0, "the wait did not spin before it slept");
  assert(sleeps > 0, "the wait never slept");
});

Deno.test("atomics spin: a Condition waiter spins before it sleeps", () => {
  const cond = new Condition(new Lock(atomics));
  cond.acquireSync();
  try {
    const { result, pauses, sleeps } = counting(() => cond.waitSync(5));
    assertEquals(result, false);
    assert(pauses > 0, "the Condition wait did not spin");
    assert(sleeps > 0, "the Condition wait never slept");
  } finally {
    cond.release();
  }
});

Deno.test("atomics spin: a Lock's waiter sleeps at once, without spinning", () => {
  const lock = new Lock(atomics);
  lock.acquireSync();
  try {
    const { result, pauses, sleeps } = counting(() => lock.acquireSync(true, 5));
    assertEquals(result, false);
    assertEquals(pauses, 0, "the Lock's waiter spun");
    assert(sleeps > 0, "the Lock's waiter never slept");
  } finally {
    lock.release();
  }
});

Deno.test("atomics spin: a Condition waiter re-taking the lock from its notifier spins before it sleeps", () => {
  const lock = new Lock(atomics);
  const cond = new Condition(lock);
  cond.acquireSync();
  // In the wait's spin: take the lock and notify, so that the woken waiter finds it held. In its
  // re-take's spin (or, if it did not spin, before it sleeps, so that nothing hangs): let go.
  let phase = "waiting";
  const letGo = () => {
    if (phase !== "notified") return;
    phase = "released";
    lock.release();
  };
  const { result, sleeps } = counting(() => cond.waitSync(1000), () => {
    if (phase === "waiting") {
      phase = "notified";
      assert(lock.acquireSync(false), "the waiter had not released the lock");
      cond.notify();
    } else letGo();
  }, letGo);
  try {
    assertEquals(result, true);
    assertEquals(phase, "released");
    assert(lock.locked(), "the waiter does not hold the lock again");
    assertEquals(sleeps, 0, "the waiter slept although its notifier let go while it spun");
  } finally {
    cond.release();
  }
});
