/**
 * Property tests (fast-check): random programs over every primitive and the
 * queues run on the `cooperative` backend under random and PCT schedules,
 * each checked against a sequential model of Python's semantics (see
 * `tests/properties/`). Two more tests show that the check can fail: a
 * model that expects the wrong order, and a lock that admits two holders,
 * are each caught, shrunk to a minimal program, and replayed from the
 * explorer's seed.
 *
 * @module
 */
import { assert, assertEquals, assertInstanceOf, assertStringIncludes } from "@std/assert";
import { replay, Semaphore } from "@locksmith/threading";
import {
  BUDGET,
  checkFamily,
  describeFailure,
  type Family,
  type FamilyFailure,
  Violation,
} from "./properties/harness.ts";
import { queueFamily } from "./properties/queue_family.ts";
import { lockFamily } from "./properties/lock_family.ts";
import { FAMILIES } from "./properties/long_run.ts";

for (const family of FAMILIES) {
  Deno.test(`Property: ${family.name} agree with the model under random and PCT schedules`, async () => {
    const failure = await checkFamily(family, BUDGET);
    if (failure !== undefined) throw new Error(describeFailure(family, failure));
  });
}

/** The failure replays: the same seed gives the same failing schedule, line for line. */
async function assertReplays<P>(family: Family<P>, failure: FamilyFailure<P>): Promise<void> {
  const again = await replay(family.scenario(failure.program), failure.seed, { strategy: failure.strategy });
  assertEquals(again.ok, false, "the replay of the failing seed passed");
  assertEquals(again.trace, failure.trace);
  assertInstanceOf(again.failure!.error, Violation);
}

Deno.test("Property: a wrong model (LIFO for every queue) is caught, shrunk to two puts and two gets, and replays", async () => {
  const family = queueFamily("lifo");
  const failure = await checkFamily(family, BUDGET);
  if (failure === undefined) throw new Error("a FIFO queue passed against a LIFO model");
  const error = failure.error;
  assertInstanceOf(error, Violation, String(error));
  assertStringIncludes((error as Violation).message, "lifo model hands out");
  // Minimal: one producer putting two items, one consumer getting two, on a FIFO class.
  const { program } = failure;
  assertEquals(program.producers.map((ops) => ops.length), [2], JSON.stringify(program));
  assertEquals(program.consumers.map((ops) => ops.length), [2], JSON.stringify(program));
  assert(program.kind === "Queue" || program.kind === "SimpleQueue", program.kind);
  await assertReplays(family, failure);
});

Deno.test("Property: a lock that admits two holders is caught, shrunk to two one-section threads, and replays", async () => {
  // A Semaphore(2) behind a Lock's methods: a plain object, so only the model can tell.
  const family = lockFamily((spec) => {
    const permits = new Semaphore(spec.kind === "Lock" ? 2 : spec.value);
    return { acquire: (blocking, timeout) => permits.acquire(blocking, timeout), release: () => permits.release() };
  }, "a lock that admits two");
  const failure = await checkFamily(family, BUDGET);
  if (failure === undefined) throw new Error("a lock that admits two holders passed");
  const error = failure.error;
  assertInstanceOf(error, Violation, String(error));
  assertStringIncludes((error as Violation).message, "Lock granted to");
  const { program } = failure;
  assertEquals(program.locks.map((l) => l.kind), ["Lock"], JSON.stringify(program));
  assertEquals(program.threads.map((sections) => sections.length), [1, 1], JSON.stringify(program));
  await assertReplays(family, failure);
});
