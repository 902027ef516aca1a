/**
 * The `atomics` heap's soak: a server that makes a `Lock` per request (and
 * an `Event`, `Semaphore` or `RLock` every other request) and drops them,
 * yielding to the event loop every 2,000 requests as a server does between
 * requests, in a heap limited to a few MiB. It prints, every million
 * requests, the bytes in use, the most ever in use, the heap's high-water
 * mark and the JS heap, and fails (exit 1) if the heap refuses a primitive.
 *
 *     deno run -A bench/heap_soak.ts [requests = 10000000] [heap MiB = 8]
 *
 * Without reuse, 10 million requests (15 million primitives) would need
 * about 170 MB of shared memory. The test suite runs the same workload for
 * 6,666,667 requests (10 million primitives) in 2 MiB
 * (`tests/atomics_heap_test.ts`, about 16 s); this one prints the heap as
 * it goes, and takes about half a minute.
 *
 * @module
 */
import { Event, Lock, RLock, Semaphore } from "@locksmith/threading";
import { SharedHeap } from "../backends/atomics/_heap.ts";
import { useDefaultHeap } from "../backends/atomics/_heap_registry.ts";

const requests = Number(Deno.args[0] ?? 10_000_000);
const limit = Number(Deno.args[1] ?? 8) * 1024 * 1024;
const heap = useDefaultHeap(SharedHeap.create(limit));
const atomics = { backend: "atomics" } as const;
const MB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

let peak = 0;
const started = performance.now();
console.log(`${requests} requests in a heap of ${MB(limit)}`);
for (let i = 0; i < requests; i++) {
  const lock = new Lock(atomics);
  lock.acquireSync();
  lock.release();
  if (i & 1) {
    const other = i % 3 === 0 ? new Event(atomics) : i % 3 === 1 ? new Semaphore(1, atomics) : new RLock(atomics);
    if (other instanceof Event) other.set();
  }
  if (i % 2000 === 1999) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    peak = Math.max(peak, heap.usedBytes());
  }
  if (i % 1_000_000 === 999_999 || i === requests - 1) {
    console.log(
      `${i + 1} requests: in use ${MB(heap.usedBytes())}, most in use ${MB(peak)}, high-water ${
        MB(heap.highWaterBytes())
      }, JS heap ${MB(Deno.memoryUsage().heapUsed)}, ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }
}
