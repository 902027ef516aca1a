// A shared queue's storage that cannot grow (`backends/atomics/_grow_buffer.ts`):
// past the most it may hold, or when its memory cannot grow (out of memory),
// a put raises a RangeError that names what was asked, and the queue is left
// as it was: its items, their order, its unfinished tasks, and its put lock
// (another thread puts after the refusal). A ring reaches 1 GiB only with
// 1 GiB of items, so the queue's case runs over a ring whose memory stops at
// 128 data bytes, as memory that runs out does; the limit is checked on the
// function itself.
import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import { revive, type Thread } from "@locksmith/threading";
import { Queue } from "@locksmith/threading/queue";
import { growData } from "../backends/atomics/_grow_buffer.ts";
import { assertNothingLeft, atomics, startThread, within } from "./_fault_helpers.ts";

Deno.test("[atomics] growData: asked to pass the most the storage holds, it refuses with both numbers, and grows nothing", () => {
  const buffer = new SharedArrayBuffer(32 + 64, { maxByteLength: 32 + 4096 });
  const error = assertThrows(() => growData(buffer, 32, 64, 2000, 1024, "its ring"), RangeError);
  assertEquals(
    error.message,
    "Cannot put the item into a shared queue as its ring would pass the most it holds (1024 bytes): it needs 2000",
  );
  assertEquals(buffer.byteLength, 32 + 64);
  // Within the most, it doubles until what is asked fits.
  assertEquals(growData(buffer, 32, 64, 200, 1024, "its ring"), 256);
  assertEquals(buffer.byteLength, 32 + 256);
});

Deno.test("[atomics] growData: when the memory cannot grow, it refuses with the size it tried and the engine's reason", () => {
  const buffer = new SharedArrayBuffer(32 + 64, { maxByteLength: 32 + 128 });
  const error = assertThrows(() => growData(buffer, 32, 64, 200, 2 ** 30, "its stack"), RangeError);
  assertMatch(error.message, /^Cannot put the item into a shared queue as its stack cannot grow to 256 bytes: \S/);
  assert(error.cause instanceof RangeError, `the engine's error is not its cause: ${error.cause}`);
  assertEquals(buffer.byteLength, 32 + 64);
});

/** A shared Queue whose ring's memory cannot grow past 128 data bytes (a copy of a new ring of 64). */
function queueThatCannotGrow(): Queue<unknown> {
  const handle = structuredClone(new Queue<unknown>(0, { ...atomics, shared: true, sharedBytes: 64 }));
  // The handle's facts carry the ring (test-only knowledge of the handle's shape).
  const facts = (Object.values(handle)[0] as { facts: { ring: SharedArrayBuffer } }).facts;
  const ring = new SharedArrayBuffer(facts.ring.byteLength, { maxByteLength: facts.ring.byteLength + 64 });
  new Uint8Array(ring).set(new Uint8Array(facts.ring));
  facts.ring = ring;
  return revive<Queue<unknown>>(handle);
}

Deno.test("[atomics] a shared queue whose ring cannot grow refuses the put with a RangeError, and is left as it was", async () => {
  const queue = queueThatCannotGrow();
  queue.putNowait(1);
  queue.putNowait("two");
  const error = assertThrows(() => queue.putNowait("x".repeat(300)), RangeError);
  assertMatch(error.message, /^Cannot put the item into a shared queue as its ring cannot grow to \d+ bytes: /);
  const asked = Number(error.message.match(/grow to (\d+) bytes/)![1]);
  assert(asked >= 300, `it asked for ${asked} bytes, less than the item needs`);
  // The refused item was not counted, and nothing else moved.
  assertEquals([queue.qsize(), queue.unfinishedTasks], [2, 2]);
  // Its put lock was released: another thread puts after the refusal.
  const thread: Thread = startThread("putInto", [queue, { three: 3 }]);
  await within(thread.join(), "the other thread's put never ended");
  assertEquals(thread.isAlive(), false);
  assertEquals([queue.getNowait(), queue.getNowait(), queue.getNowait()], [1, "two", { three: 3 }]);
  for (let i = 0; i < 3; i++) queue.taskDone();
  await within(queue.join(), "join() waits for the refused item");
  assertNothingLeft();
});
