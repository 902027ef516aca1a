/**
 * The shared heap of the `atomics` backend: one growable `SharedArrayBuffer`
 * that holds every primitive's cells, the parking lot's buckets and its
 * waiter records, so that one message carries all of them to a Worker.
 *
 * Memory is taken by bumping a pointer with `Atomics.add`, so any thread can
 * allocate; it is never given back (primitives are few and small: a `Lock` is
 * 12 bytes). Views are fixed-length: `Atomics` on a length-tracking view of a
 * growable buffer costs about three times as much. A view made before the
 * buffer grew still covers every index allocated before it, and a thread
 * that meets a larger index (a handle from another thread, a waiter record
 * another thread allocated) refreshes its view.
 *
 * Layout (int32 indices):
 *
 * | index        | content                                               |
 * |--------------|-------------------------------------------------------|
 * | 0            | magic `LKSM`, marks the buffer as a heap              |
 * | 1            | heap id (random), tells heaps apart in one isolate    |
 * | 2            | bump pointer: the next free index                     |
 * | 3            | the program's thread ident counter                    |
 * | 4-5          | the shared clock's origin (float64, wall-clock ms)    |
 * | 6            | 1 while an `interruptMain()` from a Worker is pending |
 * | 7            | 1 once the main isolate listens for those interrupts  |
 * | 8 ...        | parking-lot buckets, 4 cells each                     |
 * | then         | blocks: a header cell (kind hash, count), then cells  |
 *
 * @module
 */

const MAGIC = 0x4c4b534d; // "LKSM"
const H_MAGIC = 0;
const H_ID = 1;
const H_NEXT = 2;
/** The index of the thread ident counter. */
export const H_IDENT = 3;
const H_ORIGIN_F64 = 2; // float64 index: bytes 16-23
/** The index of the pending-interrupt word (`interruptMain()` from a Worker). */
export const H_INTERRUPT = 6;
/** The index of the word that says the main isolate listens for interrupts. */
export const H_MAIN_LISTENS = 7;
const HEADER = 8;
/** How many parking-lot buckets a heap has. */
export const BUCKETS = 256;
/** Cells per bucket: its word lock, queue head, queue tail, next fair time. */
export const BUCKET_SIZE = 4;
/** The index of the first bucket. */
export const FIRST_BUCKET = HEADER;
const FIRST_BLOCK = HEADER + BUCKETS * BUCKET_SIZE;

const INITIAL_BYTES = 64 * 1024;
/** The most a heap can grow to (reserved address space, not memory). */
export const MAX_HEAP_BYTES = 1024 * 1024 * 1024;

let wallOffset: number | undefined;

/**
 * `Date.now() - performance.now()` in this isolate, measured at the instant
 * `Date.now()` ticks (so to a few microseconds, not to its 1 ms grain). The
 * wall clock is the one clock every thread reads alike; `performance.now()`
 * keeps readings monotonic within an isolate. (`performance.timeOrigin` is
 * not enough: a Worker's can be tens of ms off its `performance.now()`.)
 */
function wallMinusPerformance(): number {
  if (wallOffset !== undefined) return wallOffset;
  const start = Date.now();
  let wall = start;
  let perf = performance.now();
  // Wait for the next tick of Date.now() (at most ~1 ms, once per isolate).
  while (wall === start) {
    perf = performance.now();
    wall = Date.now();
  }
  return wallOffset = wall - perf;
}

/** A block's header: a 16-bit hash of its kind and its cell count. */
function blockHeader(kind: string, count: number): number {
  return (kindHash(kind) << 16) | (count & 0xffff);
}

function kindHash(kind: string): number {
  let h = 5381;
  for (let i = 0; i < kind.length; i++) h = (Math.imul(h, 33) + kind.charCodeAt(i)) | 0;
  // Never 0: a zero header means "no block starts here".
  return ((h ^ (h >>> 16)) & 0x7fff) | 0x4000;
}

/** One shared heap, as this isolate sees it. */
export class SharedHeap {
  /** The memory. */
  readonly buffer: SharedArrayBuffer;
  /** A fixed-length view over the whole buffer as it was at the last refresh. */
  view: Int32Array;
  /** Tells heaps apart. */
  readonly id: number;
  /** Add to `performance.now()` to read the shared clock. */
  readonly clockOffset: number;
  /**
   * This isolate's parking lot over the heap's buckets, made on first use by
   * `mod.ts` (kept here, untyped, so that the heap does not import the lot).
   */
  lot: unknown = undefined;

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.view = new Int32Array(buffer, 0, buffer.byteLength >> 2);
    this.id = this.view[H_ID];
    const origin = new Float64Array(buffer, 0, 4)[H_ORIGIN_F64];
    this.clockOffset = wallMinusPerformance() - origin;
  }

  /** Makes a new heap; its clock starts at 0 now. */
  static create(): SharedHeap {
    const buffer = new SharedArrayBuffer(INITIAL_BYTES, { maxByteLength: MAX_HEAP_BYTES });
    const view = new Int32Array(buffer, 0, FIRST_BLOCK);
    new Float64Array(buffer, 0, 4)[H_ORIGIN_F64] = wallMinusPerformance() + performance.now();
    view[H_ID] = (Math.random() * 0x7fffffff) | 1;
    view[H_NEXT] = FIRST_BLOCK;
    Atomics.store(view, H_MAGIC, MAGIC);
    return new SharedHeap(buffer);
  }

  /** Whether `buffer` holds a heap. */
  static isHeap(buffer: unknown): buffer is SharedArrayBuffer {
    return buffer instanceof SharedArrayBuffer && buffer.byteLength >= FIRST_BLOCK * 4 &&
      Atomics.load(new Int32Array(buffer, 0, 1), H_MAGIC) === MAGIC;
  }

  /** This isolate's view of a heap made elsewhere (check it with `isHeap` first). */
  static adopt(buffer: SharedArrayBuffer): SharedHeap {
    return new SharedHeap(buffer);
  }

  /** The shared clock, in ms since the heap was made: one timeline for every thread. */
  now(): number {
    return performance.now() + this.clockOffset;
  }

  /**
   * Allocates a block of `count` zeroed cells for a `kind` and returns the
   * index of its first cell (the header sits just before it).
   */
  allocate(count: number, kind: string): number {
    const start = this.#bump(count + 1);
    Atomics.store(this.view, start, blockHeader(kind, count));
    return start + 1;
  }

  /** Allocates `count` raw cells starting at an even index (waiter records). */
  allocateRaw(count: number): number {
    const start = this.#bump(count + 1);
    return start + (start & 1);
  }

  /** Whether a block of `count` cells of `kind` starts at `index` (a handle's check). */
  holds(index: number, kind: string, count: number): string | undefined {
    const end = this.#end();
    if (!Number.isInteger(index) || index <= FIRST_BLOCK || index >= end) {
      return `index ${index} is outside the heap's allocated blocks`;
    }
    const header = Atomics.load(this.viewFor(index), index - 1);
    if (header >>> 16 !== kindHash(kind)) return `the cells at ${index} do not hold a ${kind}`;
    if ((header & 0xffff) !== count || index + count > end) {
      return `the block at ${index} has ${header & 0xffff} cells, not ${count}`;
    }
    return undefined;
  }

  /** A view that covers `index` (refreshing it if the buffer has grown since). */
  viewFor(index: number): Int32Array {
    return index < this.view.length ? this.view : this.refresh();
  }

  /** Re-makes the view over the buffer's current length. */
  refresh(): Int32Array {
    return this.view = new Int32Array(this.buffer, 0, this.buffer.byteLength >> 2);
  }

  #end(): number {
    return Atomics.load(this.view, H_NEXT);
  }

  // Takes `size` cells at the bump pointer, growing the buffer first: the
  // pointer moves only once the memory is there, so a failed allocation
  // leaves the heap as it was.
  #bump(size: number): number {
    const buffer = this.buffer;
    for (;;) {
      const start = Atomics.load(this.view, H_NEXT);
      const needBytes = (start + size) * 4;
      if (needBytes > buffer.maxByteLength) {
        throw new RangeError(
          `Cannot allocate shared memory: the atomics heap is full (${buffer.maxByteLength} bytes)`,
        );
      }
      while (buffer.byteLength < needBytes) {
        const before = buffer.byteLength;
        try {
          buffer.grow(Math.min(buffer.maxByteLength, Math.max(needBytes, before * 2)));
        } catch (error) {
          // Another thread grew it past our size meanwhile: look again.
          if (buffer.byteLength === before) throw error;
        }
      }
      if (Atomics.compareExchange(this.view, H_NEXT, start, start + size) !== start) continue;
      if (this.view.length < start + size) this.refresh();
      return start;
    }
  }
}
