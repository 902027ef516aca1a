/**
 * Items per second from a producer Worker to the main thread through a
 * shared `Queue` (`atomics`: items structured-cloned through a ring in shared
 * memory), against the same items sent by `postMessage`, one per message
 * (the baseline), and a plain shared-memory ring of numbers with no queue
 * semantics (`_spsc_ring.ts`, the floor):
 *
 *     deno bench -A bench/queue_workers_bench.ts
 *
 * Each iteration asks the producer for `ITEMS` items and takes them all on
 * the main thread: divide ns/iter by it for ns per item, or divide it into
 * 1e9 for items per second. The producers are started, and every way of
 * moving items is checked once (each item arrives, in order), before
 * anything is timed.
 *
 * @module
 */
import { Thread } from "@locksmith/threading";
import { Queue } from "@locksmith/threading/queue";
import type { ProducerRequest } from "./_postmessage_producer_worker.ts";
import { COUNT, JOB, Job, REQUEST, smallObject } from "./_queue_workers_producer.ts";
import { createRing, drainRing } from "./_spsc_ring.ts";

const ITEMS = 10_000;
const BOUNDED = 256;

// --- The shared queues and their producer Thread (a Worker).
const unbounded = new Queue<unknown>(0, { backend: "atomics", shared: true });
const bounded = new Queue<unknown>(BOUNDED, { backend: "atomics", shared: true });
const control = new Int32Array(new SharedArrayBuffer(12));
const producer = new Thread({
  backend: "atomics",
  name: "queue-producer",
  daemon: true,
  target: { module: new URL("./_queue_workers_producer.ts", import.meta.url).href, export: "produceOnRequest" },
  args: [unbounded, bounded, control],
});
producer.start();

/** Asks the producer Thread for `n` items of `job`. */
function request(job: number, n: number): void {
  Atomics.store(control, COUNT, n);
  Atomics.store(control, JOB, job);
  Atomics.add(control, REQUEST, 1);
  Atomics.notify(control, REQUEST);
}

// --- The baselines' producer: a plain Web Worker.
const worker = new Worker(new URL("./_postmessage_producer_worker.ts", import.meta.url), { type: "module" });
let expected = 0;
let received: unknown[] = [];
let delivered: () => void = () => {};
worker.onmessage = (e: MessageEvent<unknown>) => {
  received.push(e.data);
  if (received.length === expected) delivered();
};

/** Asks the Web Worker for `n` items by `postMessage`; resolves with them once all arrived. */
function postMessaged(kind: "numbers" | "objects", n: number): Promise<unknown[]> {
  const done = new Promise<void>((resolve) => (delivered = resolve));
  expected = n;
  received = [];
  worker.postMessage([kind, n] satisfies ProducerRequest);
  return done.then(() => received);
}

const ring = createRing(1024);

// --- Each way once, checked: every item arrives, in order.
function check(what: string, items: unknown[], make: (i: number) => unknown): void {
  const wrong = items.findIndex((item, i) => JSON.stringify(item) !== JSON.stringify(make(i)));
  if (items.length !== ITEMS || wrong !== -1) throw new Error(`${what}: item ${wrong} of ${items.length} is wrong`);
}
const number = (i: number) => i;
for (const [job, queue, make] of [[Job.Numbers, unbounded, number], [Job.BoundedNumbers, bounded, number]] as const) {
  request(job, ITEMS);
  check(`Job ${job}`, Array.from({ length: ITEMS }, () => queue.getSync()), make);
}
request(Job.Objects, ITEMS);
check("objects", await Array.fromAsync({ length: ITEMS }, () => unbounded.get()), smallObject);
check("postMessage numbers", await postMessaged("numbers", ITEMS), number);
check("postMessage objects", await postMessaged("objects", ITEMS), smallObject);
worker.postMessage(["ring", ITEMS, ring] satisfies ProducerRequest);
if (drainRing(ring, ITEMS) !== (ITEMS * (ITEMS - 1)) / 2) throw new Error("the ring lost or changed an item");

// --- Numbers.
const NUMBERS = `numbers, producer Worker -> main: ${ITEMS} per iteration`;
Deno.bench("postMessage, one number per message", { group: NUMBERS, baseline: true }, async () => {
  await postMessaged("numbers", ITEMS);
});

Deno.bench("plain shared-memory ring (floor: no queue semantics)", { group: NUMBERS }, () => {
  worker.postMessage(["ring", ITEMS, ring] satisfies ProducerRequest);
  drainRing(ring, ITEMS);
});

Deno.bench("shared Queue: putSync -> getSync", { group: NUMBERS }, () => {
  request(Job.Numbers, ITEMS);
  for (let i = 0; i < ITEMS; i++) unbounded.getSync();
});

Deno.bench(`shared Queue(${BOUNDED}): putSync -> getSync`, { group: NUMBERS }, () => {
  request(Job.BoundedNumbers, ITEMS);
  for (let i = 0; i < ITEMS; i++) bounded.getSync();
});

Deno.bench("shared Queue: putSync -> await get()", { group: NUMBERS }, async () => {
  request(Job.Numbers, ITEMS);
  for (let i = 0; i < ITEMS; i++) await unbounded.get();
});

// --- Small objects ({ id, name }).
const OBJECTS = `small objects { id, name }, producer Worker -> main: ${ITEMS} per iteration`;
Deno.bench("postMessage, one object per message", { group: OBJECTS, baseline: true }, async () => {
  await postMessaged("objects", ITEMS);
});

Deno.bench("shared Queue: putSync -> getSync", { group: OBJECTS }, () => {
  request(Job.Objects, ITEMS);
  for (let i = 0; i < ITEMS; i++) unbounded.getSync();
});

Deno.bench("shared Queue: putSync -> await get()", { group: OBJECTS }, async () => {
  request(Job.Objects, ITEMS);
  for (let i = 0; i < ITEMS; i++) await unbounded.get();
});

// deno bench has no "after all": end the producers when the event loop would otherwise be done.
globalThis.addEventListener("beforeunload", () => {
  request(Job.Quit, 0);
  worker.terminate();
});
