// A lock's release swaps 0 into its state word (one `exchange`) and repairs a wrong guess out of line
// (`primitives/_raw_lock.ts`). Between Workers, another thread may act in the instant between the swap
// and the repair; these tests put it there, through cells that run a step of another thread right
// after the swap, on a backend built from the seam (the suite's array lot), and check that no parked
// waiter is forgotten: without the repair each of them hangs, and `deadline` fails it.
import { assert, assertEquals, assertFalse, assertThrows } from "@std/assert";
import { deadline } from "@std/async/deadline";
import { type Cells, Lock, RuntimeError } from "@locksmith/threading";
import { ArrayCells, ArrayLotBackend } from "./backends/array_lot_backend.ts";

// The state word's bits (see the table in `primitives/_raw_lock.ts`).
const LOCKED = 1;
const PARKED = 2;

/** The array lot's cells, which run `afterSwap` once, right after the next `exchange`. */
class InterruptedCells extends ArrayCells {
  afterSwap: (() => void) | undefined = undefined;
  override exchange(i: number, value: number): number {
    const old = super.exchange(i, value);
    const step = this.afterSwap;
    this.afterSwap = undefined;
    step?.();
    return old;
  }
}

/** The array lot with those cells. */
class InterruptingBackend extends ArrayLotBackend {
  override readonly name: string = "interrupted-array-lot";
  readonly allocated: InterruptedCells[] = [];
  override allocate(count: number): Cells {
    const cells = new InterruptedCells(count);
    this.allocated.push(cells);
    return cells;
  }
}

/** A lock on a fresh backend of that kind, and its cells (its state word is cell 0). */
function setUp() {
  const backend = new InterruptingBackend();
  const lock = new Lock({ backend });
  const cells = backend.allocated.at(-1)!;
  return { lock, cells };
}

/** Starts an acquire that must park; `acquired()` says whether it has finished. */
function parkedAcquire(lock: Lock): { promise: Promise<boolean>; acquired: () => boolean } {
  let done = false;
  const promise = lock.acquire().then((ok) => (done = ok));
  return { promise, acquired: () => done };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("lock release race: a thread that takes the lock between a release's swap and its repair wakes the waiter when it releases", async () => {
  const { lock, cells } = setUp();
  assert(lock.acquireSync());
  const waiter = parkedAcquire(lock);
  await settle();
  assertFalse(waiter.acquired());
  let barged = false;
  cells.afterSwap = () => barged = lock.acquireSync(false);
  lock.release();
  assert(barged, "the other thread took the lock in the instant after the swap");
  assert(lock.locked());
  await settle();
  assertFalse(waiter.acquired(), "the waiter is still parked while the other thread holds the lock");
  // The other thread's release must wake it: the repair put back the bit that says a waiter is parked.
  lock.release();
  assertEquals(await deadline(waiter.promise, 2000), true);
  assert(lock.locked());
  lock.release();
  assertFalse(lock.locked());
});

Deno.test("lock release race: a thread that takes and releases the lock between the swap and the repair does not lose the waiter's wake-up", async () => {
  const { lock, cells } = setUp();
  assert(lock.acquireSync());
  const waiter = parkedAcquire(lock);
  await settle();
  let barged = false;
  cells.afterSwap = () => {
    barged = lock.acquireSync(false);
    lock.release();
  };
  lock.release();
  assert(barged);
  // The lock went straight to the waiter (FIFO hand-off), not left free.
  assert(lock.locked());
  assertEquals(await deadline(waiter.promise, 2000), true);
  lock.release();
  assertFalse(lock.locked());
});

Deno.test("lock release race: releasing an unlocked lock while waiters are parked throws, and keeps their wake-ups", async (t) => {
  const { lock, cells } = setUp();
  assert(lock.acquireSync());
  const waiter = parkedAcquire(lock);
  await settle();
  assertEquals(cells.load(0), LOCKED | PARKED);
  // The word a lot that says "do not be fair" leaves after a release: free, a waiter parked, one woken
  // to race (on Workers the woken one may not have run yet). This lot hands off instead, so it is set here.
  cells.store(0, PARKED);
  await t.step("a release throws RuntimeError and leaves the word as it was", () => {
    assertThrows(() => lock.release(), RuntimeError, "is not locked");
    assertEquals(cells.load(0), PARKED);
  });
  await t.step("the next holder's release wakes the parked waiter", async () => {
    assert(lock.acquireSync(false));
    assertFalse(waiter.acquired());
    lock.release();
    assertEquals(await deadline(waiter.promise, 2000), true);
    lock.release();
    assertFalse(lock.locked());
  });
});
