/**
 * The shared heap of the `atomics` backend: one growable `SharedArrayBuffer`
 * that holds every primitive's cells, the parking lot's buckets and its
 * waiter records, so that one message carries all of them to a Worker.
 *
 * Memory comes in blocks of a power of two cells (a buddy allocator), taken
 * and given back by any thread under one word lock: a block's header says
 * its size class and what it holds; a freed block merges with its free
 * buddy, so memory given back by waiter records serves primitives and the
 * other way round. Blocks are carved from a bump pointer (the heap's
 * high-water mark), which moves only once the buffer has grown to cover it,
 * so a failed allocation leaves the heap as it was. The last eighth of the
 * heap (at most 1 MiB) is kept for what running threads need to go on:
 * waiter records, handles in flight, a new Worker's state. Primitives' cells
 * are not taken from it, so a heap full of primitives still lets a thread
 * wait on one, or start.
 *
 * Views are fixed-length: `Atomics` on a length-tracking view of a growable
 * buffer costs about three times as much. A view made before the buffer grew
 * still covers every index allocated before it, and a thread that meets a
 * larger index (a handle from another thread, a waiter record another thread
 * allocated) refreshes its view.
 *
 * Layout (int32 indices):
 *
 * | index        | content                                               |
 * |--------------|-------------------------------------------------------|
 * | 0            | magic `LKSM`, marks the buffer as a heap              |
 * | 1            | heap id (random), tells heaps apart in one isolate    |
 * | 2            | bump pointer: the first index never allocated         |
 * | 3            | the program's thread ident counter                    |
 * | 4-5          | the shared clock's origin (float64, wall-clock ms)    |
 * | 6            | 1 while an `interruptMain()` from a Worker is pending |
 * | 7            | 1 once the main isolate listens for those interrupts  |
 * | 8 ...        | parking-lot buckets, 4 cells each                     |
 * | then 40      | the allocator: its word lock, a serial counter, the   |
 * |              | cells in use, and a free list per size class          |
 * | then         | blocks: a header `(tag << 8) \| class`, then cells;   |
 * |              | a free block's cells 1-2 link it in its free list     |
 *
 * @module
 */
import { lockWord, unlockWord } from "./_word_lock.ts";

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
// The allocator's cells, after the buckets.
const A_LOCK = FIRST_BUCKET + BUCKETS * BUCKET_SIZE;
const A_SERIAL = A_LOCK + 1;
const A_USED = A_LOCK + 2;
const A_FREE = A_LOCK + 8; // the head of each size class's free list
const CLASSES = 32;
const FIRST_BLOCK = A_FREE + CLASSES;
// Block sizes: 2 ** class cells, header included; a free block needs its header and two links.
const MIN_CLASS = 2;
const FREE_TAG = 1;
const F_NEXT = 1;
const F_PREV = 2;

/** What a block holds: its header's tag (any value from 2 to 255 but FREE_TAG). */
export const BlockTag = {
  /** A slab of primitives' cells (`_slabs.ts`). */
  Slab: 2,
  /** A parking-lot waiter record. */
  Record: 3,
  /** A handle's reference in flight. */
  Ticket: 4,
  /** A Worker thread's state cell. */
  Thread: 5,
  /** A parking-lot bucket's wait list of one key (`_wait_lists.ts`). */
  List: 6,
} as const;

const INITIAL_BYTES = 64 * 1024;
const MIN_CLASS_SIZE = 1 << MIN_CLASS;
// The most kept back from primitives for waits and new threads: 1 MiB.
const RESERVE_CELLS = 256 * 1024;
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
  /**
   * This isolate's holder tag in the heap (`Cells.holder`): the index of its
   * thread's block (`_thread_block.ts`) in a Worker the library started,
   * whose end the other threads can see; 0 elsewhere.
   */
  holderTag = 0;
  /** Whether a lock may have taken this isolate's holder tag (`SharedCells.holder` was read with one). */
  holderTagUsed = false;
  /** This isolate's empty wait lists, kept for its next first waiters (`_wait_lists.ts`). */
  readonly spareLists: number[] = [];
  /** This isolate's slabs and references in the heap (`_slabs.ts`), made on first use. */
  slabs: unknown = undefined;

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.view = new Int32Array(buffer, 0, buffer.byteLength >> 2);
    this.id = this.view[H_ID];
    const origin = new Float64Array(buffer, 0, 4)[H_ORIGIN_F64];
    this.clockOffset = wallMinusPerformance() - origin;
  }

  /**
   * Makes a new heap; its clock starts at 0 now.
   *
   * @param maxBytes The most it may grow to (a test's small heap; default 1 GiB).
   */
  static create(maxBytes: number = MAX_HEAP_BYTES): SharedHeap {
    const buffer = new SharedArrayBuffer(INITIAL_BYTES, { maxByteLength: Math.max(maxBytes, INITIAL_BYTES) });
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
   * Allocates a block of at least `cells` zeroed cells holding a `tag`
   * (one of {@linkcode BlockTag}), and returns the index of its first cell.
   * `reserve`: it may use the heap's last eighth (what running threads
   * need); primitives' cells may not.
   *
   * @throws {RangeError} If the heap cannot grow enough; the heap is then as it was.
   */
  allocateBlock(cells: number, tag: number, reserve: boolean): number {
    const size = MIN_CLASS_SIZE > cells + 1 ? MIN_CLASS : 32 - Math.clz32(cells); // 2 ** size > cells
    if (!(size < CLASSES - 1)) throw new RangeError(`Cannot allocate shared memory: ${cells} cells is too many`);
    const block = this.exclusive((view) => {
      const block = this.#takeFree(view, size) || this.#carve(size, reserve);
      view = this.view;
      Atomics.store(view, block, (tag << 8) | size);
      view[A_USED] += 1 << size;
      return block;
    });
    this.view.fill(0, block + 1, block + (1 << size));
    return block + 1;
  }

  /** Gives back a block from `allocateBlock` (by its first cell), merging it with its free buddies. */
  freeBlock(first: number, tag: number): void {
    this.exclusive((view) => this.#free(view, first - 1, tag));
  }

  /** A one-use ticket: a block holding a fresh serial (a handle's reference in flight). */
  issueTicket(): { ticket: number; serial: number } {
    const ticket = this.allocateBlock(1, BlockTag.Ticket, true);
    const serial = this.nextSerial();
    Atomics.store(this.view, ticket, serial);
    return { ticket, serial };
  }

  /** Redeems a ticket, once: whether it held `serial` (then it is given back). */
  redeemTicket(ticket: unknown, serial: unknown): boolean {
    if (!Number.isInteger(ticket) || typeof serial !== "number" || serial === 0) return false;
    const t = ticket as number;
    // Under the lock: a ticket block is given back only under it, so it cannot become another block meanwhile.
    return this.exclusive((view) => {
      if (t <= FIRST_BLOCK || t >= view[H_NEXT] || view[t - 1] >>> 8 !== BlockTag.Ticket) return false;
      if (Atomics.compareExchange(view, t, serial, 0) !== serial) return false;
      this.#free(view, t - 1, BlockTag.Ticket);
      return true;
    });
  }

  /**
   * Runs `fn` under the allocator's lock, with a view over every block: no
   * block is allocated or given back meanwhile.
   */
  exclusive<T>(fn: (view: Int32Array) => T): T {
    lockWord(this.view, A_LOCK);
    try {
      return fn(this.#covering());
    } finally {
      unlockWord(this.view, A_LOCK);
    }
  }

  /** Whether a block holding `tag` starts just before `first` (a check before trusting an index from elsewhere). */
  isBlock(first: number, tag: number): boolean {
    if (!Number.isInteger(first) || first <= FIRST_BLOCK || first >= Atomics.load(this.view, H_NEXT)) return false;
    const header = Atomics.load(this.viewFor(first), first - 1);
    return header >>> 8 === tag;
  }

  /** The number of cells of the block that starts just before `first`, header included. */
  blockCells(first: number): number {
    return 1 << (Atomics.load(this.viewFor(first), first - 1) & 0xff);
  }

  /** A number from the heap's counter, never 0 (slab generations, tickets). */
  nextSerial(): number {
    return ((Atomics.add(this.view, A_SERIAL, 1) + 1) & 0x7fffffff) || 1;
  }

  /** Bytes in blocks now in use. */
  usedBytes(): number {
    return Atomics.load(this.view, A_USED) * 4;
  }

  /** Bytes below the bump pointer: the most the heap has ever held at once. */
  highWaterBytes(): number {
    return Atomics.load(this.view, H_NEXT) * 4;
  }

  /** A view that covers `index` (refreshing it if the buffer has grown since). */
  viewFor(index: number): Int32Array {
    return index < this.view.length ? this.view : this.refresh();
  }

  /** Re-makes the view over the buffer's current length. */
  refresh(): Int32Array {
    return this.view = new Int32Array(this.buffer, 0, this.buffer.byteLength >> 2);
  }

  // Under the allocator lock: a view over every block (all lie below the bump pointer).
  #covering(): Int32Array {
    const view = this.view;
    return view[H_NEXT] <= view.length ? view : this.refresh();
  }

  // Under the lock: the smallest free block of `size` or more, split down to `size`; 0 if none.
  #takeFree(view: Int32Array, size: number): number {
    for (let c = size; c < CLASSES; c++) {
      const block = view[A_FREE + c];
      if (block === 0) continue;
      this.#unlink(view, block, c);
      // Halve it until it fits, keeping the upper halves free.
      while (c > size) {
        c--;
        this.#pushFree(view, block + (1 << c), c);
      }
      return block;
    }
    return 0;
  }

  // Under the lock: a new block of `size` at the bump pointer, aligned to its size
  // (buddies must be); the gap before it becomes free blocks.
  #carve(size: number, reserve: boolean): number {
    const buffer = this.buffer;
    let view = this.view;
    const top = view[H_NEXT];
    const span = 1 << size;
    const block = FIRST_BLOCK + Math.ceil((top - FIRST_BLOCK) / span) * span;
    const maxCells = buffer.maxByteLength >> 2;
    const limit = reserve ? maxCells : maxCells - Math.min(maxCells >> 3, RESERVE_CELLS);
    if (block + span > limit) {
      throw new RangeError(
        `Cannot allocate shared memory: the atomics heap is full (${buffer.maxByteLength} bytes${
          reserve ? "" : `, of which ${(maxCells - limit) * 4} are kept for waits and new threads`
        })`,
      );
    }
    const needBytes = (block + span) * 4;
    while (buffer.byteLength < needBytes) {
      const before = buffer.byteLength;
      try {
        buffer.grow(Math.min(buffer.maxByteLength, Math.max(needBytes, before * 2)));
      } catch (error) {
        // Another thread grew it past our size meanwhile: look again.
        if (buffer.byteLength === before) throw error;
      }
    }
    view = this.refresh();
    for (let at = top; at < block;) {
      // The largest block aligned at `at` that fits in the gap.
      let c = 31 - Math.clz32((at - FIRST_BLOCK) & -(at - FIRST_BLOCK) || span);
      while (at + (1 << c) > block) c--;
      this.#pushFree(view, at, c);
      at += 1 << c;
    }
    Atomics.store(view, H_NEXT, block + span);
    return block;
  }

  // Under the lock: frees `block`, merged with its free buddies.
  #free(view: Int32Array, block: number, tag: number): void {
    const header = view[block];
    if (header >>> 8 !== tag) throw new Error(`Cannot free block ${block + 1}: it does not hold tag ${tag}`);
    let size = header & 0xff;
    view[A_USED] -= 1 << size;
    const top = view[H_NEXT];
    for (; size < CLASSES - 1; size++) {
      const buddy = FIRST_BLOCK + ((block - FIRST_BLOCK) ^ (1 << size));
      if (buddy + (1 << size) > top || view[buddy] !== ((FREE_TAG << 8) | size)) break;
      this.#unlink(view, buddy, size);
      block = Math.min(block, buddy);
    }
    this.#pushFree(view, block, size);
  }

  #pushFree(view: Int32Array, block: number, size: number): void {
    const head = view[A_FREE + size];
    view[block + F_NEXT] = head;
    view[block + F_PREV] = 0;
    if (head !== 0) view[head + F_PREV] = block;
    view[A_FREE + size] = block;
    Atomics.store(view, block, (FREE_TAG << 8) | size);
  }

  #unlink(view: Int32Array, block: number, size: number): void {
    const next = view[block + F_NEXT];
    const prev = view[block + F_PREV];
    if (prev !== 0) view[prev + F_NEXT] = next;
    else view[A_FREE + size] = next;
    if (next !== 0) view[next + F_PREV] = prev;
  }
}
