// The `atomics` heap gives memory back: a primitive's cells once no thread
// can reach it, a waiter record once its wait is done, a Worker's share when
// it ends. Each case of the whole backend runs `workers/heap_program.ts` in a
// child process with a heap of its own, limited to a few MiB, and reads the
// JSON line it prints; the allocator's own cases use a heap made here.
import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import { deadline } from "@std/async/deadline";
import { BlockTag, SharedHeap } from "../backends/atomics/_heap.ts";

const program = new URL("./workers/heap_program.ts", import.meta.url).href;
const MiB = 1024 * 1024;

async function run(limitBytes: number, args: string[], gc = false): Promise<Record<string, unknown>> {
  const output = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...(gc ? ["--v8-flags=--expose-gc"] : []), program, String(limitBytes), ...args],
    stdout: "piped",
    stderr: "piped",
    // A hung child is killed; `deadline` bounds the case itself.
    signal: AbortSignal.timeout(170_000),
  }).output();
  const { code, stdout, stderr } = await deadline(output, 180_000);
  const text = new TextDecoder().decode(stdout).trim();
  assertEquals(code, 0, `the program failed: ${new TextDecoder().decode(stderr)}\n${text}`);
  return JSON.parse(text.split("\n").at(-1)!);
}

Deno.test("[atomics] heap: a server that makes a Lock per request runs at a flat heap (10 million primitives in 2 MiB)", async () => {
  const limit = 2 * MiB;
  // 1.5 primitives a request (a Lock each, and an Event, Semaphore or RLock every other one).
  const result = await run(limit, ["soak", "6666667"]);
  assertEquals(result.primitives, 10_000_000, "the program did not make 10 million primitives");
  // Without reuse these primitives would need about 110 MB.
  assert(
    (result.peakBytes as number) <= limit,
    `the heap grew to ${result.peakBytes} bytes, over its ${limit}-byte limit: ${JSON.stringify(result)}`,
  );
});

Deno.test("[atomics] heap: waiter records are given back when their waits end, for primitives to use", async () => {
  const result = await run(8 * MiB, ["waits", "30000", "60000"]);
  const records = (result.afterWaitsBytes as number) - (result.startBytes as number);
  const locks = (result.afterLocksBytes as number) - (result.afterWaitsBytes as number);
  assert(records >= 30000 * 28, `30,000 concurrent waits took only ${records} bytes`);
  assert(locks <= 64 * 1024, `60,000 Locks took ${locks} more bytes instead of the records' ${records}`);
});

Deno.test("[atomics] heap: a Worker that ends gives back its waiter records, its state and its references", async () => {
  const { marks } = await run(4 * MiB, ["workers", "16"]) as { marks: number[] };
  // Each Worker took about 100 bytes for good before (state, records, its own slab); now the high-water
  // mark stays put once this isolate has its own few records and slabs (after a warm-up of 4 Workers).
  const grown = marks[15] - marks[3];
  assert(grown <= 64, `12 more Workers grew the heap by ${grown} bytes: ${marks.join(", ")}`);
});

Deno.test("[atomics] heap: near its limit, waits on an existing lock and new Workers still work", async () => {
  const result = await run(1 * MiB, ["full"]);
  assertMatch(result.refusal as string, /RangeError: Cannot allocate .*the atomics heap is full/);
  assert((result.kept as number) > 10_000, `only ${result.kept} locks fit`);
  assertEquals(result.acquired, 200);
  assertEquals(result.workerHeld, true);
  assertEquals(result.workerAlive, false);
});

Deno.test("[atomics] heap: a handle in flight keeps its primitive, and a Worker's reference keeps its cells from reuse", async () => {
  const result = await run(4 * MiB, ["inflight"], true);
  assertEquals(result, { workerHeld: 1, selfHeld: true, aliased: 0, workerAlive: false });
});

Deno.test("[atomics] heap: three Workers and the main thread make and drop Locks at once, in one small heap", async () => {
  const result = await run(2 * MiB, ["concurrent", "100000"]);
  // 4 x 1,000 increments under the shared lock, none lost; no new lock shared its cells with a live one.
  assertEquals(result, { counter: 4000, lockedWhenNew: 0, alive: 0, peakBytes: result.peakBytes });
  assert((result.peakBytes as number) <= 2 * MiB);
});

Deno.test("[atomics] heap: blocks of mixed sizes never overlap, and all given back merge into one free block again", () => {
  const heap = SharedHeap.create(4 * MiB);
  const start = heap.highWaterBytes();
  let seed = 12345;
  const random = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
  const live = new Map<number, { cells: number; id: number }>();
  let id = 0;
  for (let step = 0; step < 20_000; step++) {
    if (live.size > 0 && random(3) === 0) {
      const keys = [...live.keys()];
      const first = keys[random(keys.length)];
      const { cells, id: mark } = live.get(first)!;
      // Nobody else wrote into it meanwhile.
      for (let i = 0; i < cells; i++) assertEquals(heap.view[first + i], mark, `block ${first} was overwritten`);
      heap.freeBlock(first, BlockTag.Record);
      live.delete(first);
    } else {
      const cells = 1 + random(random(2) === 0 ? 8 : 300);
      const first = heap.allocateBlock(cells, BlockTag.Record, true);
      for (let i = 0; i < cells; i++) assertEquals(heap.view[first + i], 0, "a new block is not zeroed");
      heap.view.fill(++id, first, first + cells);
      live.set(first, { cells, id });
    }
  }
  for (const first of live.keys()) heap.freeBlock(first, BlockTag.Record);
  assertEquals(heap.usedBytes(), 0);
  // Everything merged back: the largest block that fits below the high-water mark needs no growth.
  const top = heap.highWaterBytes();
  const largest = 2 ** Math.floor(Math.log2((top - start) / 4)) / 2 - 1;
  heap.allocateBlock(largest, BlockTag.Record, true);
  assertEquals(heap.highWaterBytes(), top);
  assertThrows(() => heap.freeBlock(heap.allocateBlock(1, BlockTag.Ticket, true), BlockTag.Record), Error, "tag");
});

Deno.test("[atomics] heap: a refused allocation leaves the heap as it was, and the reserve still serves waits", () => {
  const heap = SharedHeap.create(1 * MiB);
  let blocks = 0;
  const error = assertThrows(() => {
    for (;;) {
      heap.allocateBlock(127, BlockTag.Slab, false);
      blocks++;
    }
  }, RangeError);
  assertMatch(error.message, /the atomics heap is full \(1048576 bytes, of which 131072 are kept for waits/);
  assert(blocks > 1500, `only ${blocks} slabs fit`);
  const [top, used] = [heap.highWaterBytes(), heap.usedBytes()];
  assertThrows(() => heap.allocateBlock(127, BlockTag.Slab, false), RangeError);
  assertThrows(() => heap.allocateBlock(2 ** 20, BlockTag.Slab, true), RangeError);
  assertEquals([heap.highWaterBytes(), heap.usedBytes()], [top, used]);
  // Waiter records (and tickets, and new Workers' state) still fit.
  for (let i = 0; i < 1000; i++) heap.allocateBlock(7, BlockTag.Record, true);
});
