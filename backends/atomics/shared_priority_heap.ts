/**
 * The storage of a shared `PriorityQueue` (on the `atomics` backend): a
 * binary min-heap of records in two growable `SharedArrayBuffer`s, so every
 * Worker that holds the queue puts and gets the same items, smallest first.
 *
 * The index holds the control words and the heap itself, one int32 per
 * entry: the byte offset of the entry's record in the arena. The arena holds
 * the records (a uint32 length, then the item encoded by `_item_codec.ts`),
 * appended at its end; a popped record's bytes are garbage until the arena
 * runs out of room, when the live records slide down over them (in offset
 * order, updating their entries), or the arena doubles. Comparisons decode
 * the records they compare, so every thread orders the items as their
 * clones read. As in the isolate's heap (`queue/_heap_storage.ts`), every
 * comparison of a push or pop is made before anything moves: a comparator
 * that throws leaves the heap as it was.
 *
 * One futex-style lock word guards it; the queue asks for its "put" and
 * "get" locks, sometimes both at once, so the lock counts how often this
 * isolate holds it (only ever within one synchronous call). Each thread
 * makes its views of the entries and the arena anew when it finds their
 * size changed (fixed-length views: V8 is far slower through
 * length-tracking ones).
 *
 * @module
 */
import { decodeItem, encodedBytes, encodeItem } from "./_item_codec.ts";
import { growData } from "./_grow_buffer.ts";
import { lockWord, unlockWord } from "./_word_lock.ts";

// Control words, at the start of the index.
const LOCK = 0;
const COUNT = 1;
const ARENA_END = 2;
const GARBAGE = 3;
const ARENA_BYTES = 4;
const INDEX_ENTRIES = 5;
const CONTROL_WORDS = 8;
const CONTROL_BYTES = CONTROL_WORDS * 4;

/** The arena bytes of a new heap unless told otherwise: 64 KiB. */
export const DEFAULT_HEAP_BYTES = 64 * 1024;

/** The most bytes an arena grows to: 1 GiB (address space reserved when it is made, not memory). */
export const MAX_HEAP_BYTES = 2 ** 30;

// The most entries (2 ** 27, 512 MiB of index), and how many a new index has room for.
const MAX_ENTRIES = 2 ** 27;
const FIRST_ENTRIES = 1024;

/** A priority queue's items in shared memory, structured-cloned in and out. */
export class SharedPriorityHeap<T> {
  /** The heap and its control words: half of what a handle carries. */
  readonly index: SharedArrayBuffer;
  /** The records: the other half. */
  readonly arena: SharedArrayBuffer;
  /** The items are in shared memory: a blocking call can be satisfied by another Worker. */
  readonly isolateLocal = false;
  readonly #compare: (a: T, b: T) => number;
  readonly #control: Int32Array;
  // Views of the entries and the arena as far as their sizes, made anew when a Worker grew them.
  #entries!: Int32Array;
  #bytes!: Uint8Array;
  #view!: DataView;
  readonly #path: number[] = [];
  #held = 0;
  #prepared = -1;
  #preparedFor: unknown = undefined;

  /**
   * @param compare Negative if `a` comes out first (the same in every thread).
   * @param buffers The memory of a heap made by another thread, or `undefined` for a new one.
   * @param arenaBytes The arena bytes a new heap starts with.
   */
  constructor(
    compare: (a: T, b: T) => number,
    buffers: { readonly index: SharedArrayBuffer; readonly arena: SharedArrayBuffer } | undefined,
    arenaBytes: number = DEFAULT_HEAP_BYTES,
  ) {
    this.#compare = compare;
    this.index = buffers?.index ??
      new SharedArrayBuffer(CONTROL_BYTES + FIRST_ENTRIES * 4, { maxByteLength: CONTROL_BYTES + MAX_ENTRIES * 4 });
    this.arena = buffers?.arena ?? new SharedArrayBuffer(arenaBytes, { maxByteLength: MAX_HEAP_BYTES });
    const control = this.#control = new Int32Array(this.index, 0, CONTROL_WORDS);
    if (buffers === undefined) {
      control[ARENA_BYTES] = arenaBytes;
      control[INDEX_ENTRIES] = FIRST_ENTRIES;
    }
    this.#sync();
  }

  /** What a handle carries: the memory. */
  get facts(): Readonly<Record<string, unknown>> {
    return { index: this.index, arena: this.arena };
  }

  /** How many items are stored. */
  get size(): number {
    return Atomics.load(this.#control, COUNT);
  }

  /** Takes the lock (held around each check-and-push). */
  lockPut(): void {
    if (this.#held++ === 0) lockWord(this.#control, LOCK);
  }

  /** Releases the lock. */
  unlockPut(): void {
    if (--this.#held === 0) unlockWord(this.#control, LOCK);
  }

  /** Takes the lock (held around each check-and-pop). */
  lockGet(): void {
    this.lockPut();
  }

  /** Releases the lock. */
  unlockGet(): void {
    this.unlockPut();
  }

  /**
   * Encodes an item before the queue takes the lock; `push` of the same item uses it.
   *
   * @throws {TypeError} If the item cannot be structured-cloned.
   */
  prepare(item: T): void {
    this.#prepared = -1;
    this.#prepared = encodeItem(item);
    this.#preparedFor = item;
  }

  /**
   * Inserts an item. Called with the lock held.
   *
   * @throws {TypeError} If the item cannot be structured-cloned, or ordered (what `compare` throws).
   * @throws {RangeError} If the heap cannot grow enough: past its most, or out of memory.
   */
  push(item: T): void {
    const length = this.#prepared >= 0 && this.#preparedFor === item ? this.#prepared : encodeItem(item);
    this.#prepared = -1;
    this.#preparedFor = undefined;
    const control = this.#sync();
    const n = control[COUNT];
    if (n === control[INDEX_ENTRIES]) {
      control[INDEX_ENTRIES] = growData(this.index, CONTROL_BYTES, n * 4, (n + 1) * 4, MAX_ENTRIES * 4, "its heap") >>
        2;
      this.#sync();
    }
    const offset = this.#roomFor(4 + length);
    // Written past the arena's end, so nothing shows until the end moves: then decoded as every thread will.
    this.#view.setUint32(offset, length);
    this.#bytes.set(encodedBytes().subarray(0, length), offset + 4);
    const value = this.#at(offset);
    // Plan: how far up the entry goes.
    const compare = this.#compare;
    const entries = this.#entries;
    let target = n;
    while (target > 0) {
      const parent = (target - 1) >> 1;
      if (!(compare(value, this.#at(entries[parent])) < 0)) break;
      target = parent;
    }
    // Move: shift the parents on the path down by one level.
    for (let i = n; i > target;) {
      const parent = (i - 1) >> 1;
      entries[i] = entries[parent];
      i = parent;
    }
    entries[target] = offset;
    control[ARENA_END] = offset + 4 + length;
    Atomics.store(control, COUNT, n + 1);
  }

  /** Removes and decodes the smallest item. Called with the lock held and `size > 0`. */
  pop(): T {
    const control = this.#sync();
    const entries = this.#entries;
    const compare = this.#compare;
    const topOffset = entries[0];
    const top = this.#at(topOffset);
    const n = control[COUNT] - 1; // the size once the last entry has moved
    const lastOffset = entries[n];
    if (n > 0) {
      const last = this.#at(lastOffset);
      // Plan: the path the last entry sinks along from the root.
      const path = this.#path;
      path.length = 0;
      for (let i = 0;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        let child = left;
        let value = this.#at(entries[left]);
        if (right < n) {
          const other = this.#at(entries[right]);
          if (compare(other, value) < 0) {
            child = right;
            value = other;
          }
        }
        if (!(compare(value, last) < 0)) break;
        path.push(child);
        i = child;
      }
      // Move.
      let hole = 0;
      for (const child of path) {
        entries[hole] = entries[child];
        hole = child;
      }
      entries[hole] = lastOffset;
    }
    Atomics.store(control, COUNT, n);
    this.#free(topOffset, n);
    return top;
  }

  /** Removes every item. Called with the lock held. */
  clear(): void {
    const control = this.#control;
    control[ARENA_END] = 0;
    control[GARBAGE] = 0;
    Atomics.store(control, COUNT, 0);
  }

  // Makes the views anew if another thread (or this one) grew the entries or the arena.
  #sync(): Int32Array {
    const control = this.#control;
    const entries = control[INDEX_ENTRIES];
    if (this.#entries?.length !== entries) this.#entries = new Int32Array(this.index, CONTROL_BYTES, entries);
    const bytes = control[ARENA_BYTES];
    if (this.#bytes?.length !== bytes) {
      this.#bytes = new Uint8Array(this.arena, 0, bytes);
      this.#view = new DataView(this.arena, 0, bytes);
    }
    return control;
  }

  #at(offset: number): T {
    return decodeItem(this.#bytes, this.#view, offset + 4, this.#view.getUint32(offset)) as T;
  }

  // A record's bytes are given back: at once if it is the last one, else as garbage.
  #free(offset: number, left: number): void {
    const control = this.#control;
    if (left === 0) {
      control[ARENA_END] = 0;
      control[GARBAGE] = 0;
      return;
    }
    const size = 4 + this.#view.getUint32(offset);
    if (offset + size === control[ARENA_END]) control[ARENA_END] = offset;
    else control[GARBAGE] += size;
  }

  // Where a record of `size` bytes goes: the arena's end, once there is room there
  // (the live records slid down over the garbage, or the arena grown).
  #roomFor(size: number): number {
    const control = this.#control;
    const garbage = control[GARBAGE];
    // Slid down only when the garbage is a third of the bytes used or more: each slide then pays for itself.
    if (
      control[ARENA_END] + size > control[ARENA_BYTES] && garbage > 0 && 2 * garbage >= control[ARENA_END] - garbage
    ) {
      this.#compact();
    }
    const end = control[ARENA_END];
    if (end + size > control[ARENA_BYTES]) {
      control[ARENA_BYTES] = growData(this.arena, 0, control[ARENA_BYTES], end + size, MAX_HEAP_BYTES, "its heap");
      this.#sync();
    }
    return end;
  }

  // Slides the live records down over the garbage, in offset order, and points their entries at them.
  #compact(): void {
    const control = this.#control;
    const entries = this.#entries;
    const view = this.#view;
    const order = Array.from({ length: control[COUNT] }, (_, i) => i);
    order.sort((a, b) => entries[a] - entries[b]);
    let end = 0;
    for (const entry of order) {
      const offset = entries[entry];
      const size = 4 + view.getUint32(offset);
      if (offset !== end) this.#bytes.copyWithin(end, offset, offset + size);
      entries[entry] = end;
      end += size;
    }
    control[ARENA_END] = end;
    control[GARBAGE] = 0;
  }
}
