/**
 * The Web Worker behind the baselines of `queue_workers_bench.ts`: asked for
 * `n` items, it sends them by `postMessage`, one per message, or writes
 * numbers into a plain shared-memory ring (`_spsc_ring.ts`, the floor).
 *
 * @module
 */
import { smallObject } from "./_queue_workers_producer.ts";
import { fillRing } from "./_spsc_ring.ts";

/** A request: `[kind, n]`, with the ring's buffer for `"ring"`. */
export type ProducerRequest = ["numbers" | "objects", number] | ["ring", number, SharedArrayBuffer];

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<ProducerRequest>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = (e) => {
  const request = e.data;
  const n = request[1];
  if (request[0] === "ring") fillRing(request[2], n);
  else if (request[0] === "objects") { for (let i = 0; i < n; i++) scope.postMessage(smallObject(i)); }
  else for (let i = 0; i < n; i++) scope.postMessage(i);
};
