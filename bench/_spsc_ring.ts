/**
 * The floor of `queue_workers_bench.ts`: the plainest way to move numbers
 * from one Worker to another through shared memory. One producer, one
 * consumer, a power-of-two ring of float64 slots and two int32 counters;
 * a side that finds the ring full (or empty) says it sleeps, then
 * `Atomics.wait`s, and the other side notifies only a sleeper. No queue
 * semantics: no locks, no `taskDone`, no shutdown, no timeouts, numbers
 * only.
 *
 * @module
 */

/** The int32 cells at the start of the buffer. */
export const RingCell = {
  /** Items written so far (wraps at 2**32). */
  Head: 0,
  /** Items read so far. */
  Tail: 1,
  /** 1 while the consumer sleeps on an empty ring. */
  ConsumerWaiting: 2,
  /** 1 while the producer sleeps on a full ring. */
  ProducerWaiting: 3,
} as const;

const CONTROL_BYTES = 16;

/** A ring buffer of `capacity` slots (a power of two). */
export function createRing(capacity: number): SharedArrayBuffer {
  if (!Number.isInteger(capacity) || capacity < 1 || (capacity & (capacity - 1)) !== 0) {
    throw new RangeError(`Cannot create a ring as 'capacity' must be a power of two: received ${capacity}`);
  }
  return new SharedArrayBuffer(CONTROL_BYTES + capacity * 8);
}

/** The cells and slots of a ring made by {@linkcode createRing}. */
export function ringParts(buffer: SharedArrayBuffer): { cells: Int32Array; slots: Float64Array; capacity: number } {
  const slots = new Float64Array(buffer, CONTROL_BYTES);
  return { cells: new Int32Array(buffer, 0, 4), slots, capacity: slots.length };
}

/** Writes the numbers 0..n-1, sleeping while the ring is full (the producer's side). */
export function fillRing(buffer: SharedArrayBuffer, n: number): void {
  const { cells, slots, capacity } = ringParts(buffer);
  let head = Atomics.load(cells, RingCell.Head);
  for (let i = 0; i < n; i++) {
    while (((head - Atomics.load(cells, RingCell.Tail)) | 0) === capacity) {
      Atomics.store(cells, RingCell.ProducerWaiting, 1);
      const tail = Atomics.load(cells, RingCell.Tail);
      // Re-checked after saying so: a consumer that moved the tail before it saw the flag is not waited for.
      if (((head - tail) | 0) === capacity) Atomics.wait(cells, RingCell.Tail, tail);
      Atomics.store(cells, RingCell.ProducerWaiting, 0);
    }
    slots[head & (capacity - 1)] = i;
    head = (head + 1) | 0;
    Atomics.store(cells, RingCell.Head, head);
    if (Atomics.load(cells, RingCell.ConsumerWaiting) !== 0) Atomics.notify(cells, RingCell.Head);
  }
}

/** Reads `n` numbers, sleeping while the ring is empty (the consumer's side); returns their sum. */
export function drainRing(buffer: SharedArrayBuffer, n: number): number {
  const { cells, slots, capacity } = ringParts(buffer);
  let tail = Atomics.load(cells, RingCell.Tail);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    while (Atomics.load(cells, RingCell.Head) === tail) {
      Atomics.store(cells, RingCell.ConsumerWaiting, 1);
      if (Atomics.load(cells, RingCell.Head) === tail) Atomics.wait(cells, RingCell.Head, tail);
      Atomics.store(cells, RingCell.ConsumerWaiting, 0);
    }
    sum += slots[tail & (capacity - 1)];
    tail = (tail + 1) | 0;
    Atomics.store(cells, RingCell.Tail, tail);
    if (Atomics.load(cells, RingCell.ProducerWaiting) !== 0) Atomics.notify(cells, RingCell.Tail);
  }
  return sum;
}
