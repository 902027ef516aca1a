/**
 * The storage of a shared `LifoQueue` (on the `atomics` backend): a stack
 * of records in a growable `SharedArrayBuffer`, each an item encoded by
 * `_item_codec.ts` (structured-clone semantics), so every Worker that holds
 * the queue pushes and pops the same items, newest first.
 *
 * Both ends are the top, so one futex-style lock word guards it; the queue
 * asks for its "put" and "get" locks, sometimes both at once (a shutdown),
 * so the lock counts how often this isolate holds it (only ever within one
 * synchronous call). A record is the item's bytes followed by their uint32
 * length, so a pop finds where the top record starts. The stack grows by
 * doubling, up to {@linkcode MAX_STACK_BYTES}; each thread makes its views
 * of the data anew when it finds the capacity changed (fixed-length views:
 * V8 is far slower through length-tracking ones).
 *
 * Layout: int32 control words (lock, count, top byte, capacity), then the
 * data bytes.
 *
 * @module
 */
import { decodeItem, encodedBytes, encodeItem } from "./_item_codec.ts";
import { growData } from "./_grow_buffer.ts";
import { lockWord, unlockWord } from "./_word_lock.ts";

const LOCK = 0;
const COUNT = 1;
const TOP = 2;
const CAPACITY = 3;
const CONTROL_BYTES = 16;

/** The data bytes of a new stack unless told otherwise: 64 KiB. */
export const DEFAULT_STACK_BYTES = 64 * 1024;

/** The most data bytes a stack grows to: 1 GiB (address space reserved when it is made, not memory). */
export const MAX_STACK_BYTES = 2 ** 30;

/** A LIFO queue's items in shared memory, structured-cloned in and out. */
export class SharedStackStorage<T> {
  /** The memory: what a handle carries to another thread. */
  readonly buffer: SharedArrayBuffer;
  /** The items are in shared memory: a blocking call can be satisfied by another Worker. */
  readonly isolateLocal = false;
  readonly #control: Int32Array;
  // Views of the data bytes as far as `#capacity`, made anew when a Worker grew the stack.
  #bytes!: Uint8Array;
  #view!: DataView;
  #capacity = 0;
  // How many times this isolate holds the lock now (the queue may ask for its two ends at once).
  #held = 0;
  #prepared = -1;
  #preparedFor: unknown = undefined;

  /**
   * @param buffer A stack made by another thread, or `undefined` for a new one.
   * @param dataBytes The data bytes a new stack starts with.
   */
  constructor(buffer: SharedArrayBuffer | undefined, dataBytes: number = DEFAULT_STACK_BYTES) {
    this.buffer = buffer ??
      new SharedArrayBuffer(CONTROL_BYTES + dataBytes, { maxByteLength: CONTROL_BYTES + MAX_STACK_BYTES });
    this.#control = new Int32Array(this.buffer, 0, CONTROL_BYTES >> 2);
    if (buffer === undefined) this.#control[CAPACITY] = dataBytes;
    this.#map(this.#control[CAPACITY]);
  }

  /** What a handle carries: the memory. */
  get facts(): Readonly<Record<string, unknown>> {
    return { stack: this.buffer };
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
   * Serializes an item onto the top, growing the stack if needed. Called with the lock held.
   *
   * @throws {TypeError} If the item cannot be structured-cloned.
   * @throws {RangeError} If the stack cannot grow enough: past {@linkcode MAX_STACK_BYTES}, or out of memory.
   */
  push(item: T): void {
    const length = this.#prepared >= 0 && this.#preparedFor === item ? this.#prepared : encodeItem(item);
    this.#prepared = -1;
    this.#preparedFor = undefined;
    const control = this.#control;
    const top = control[TOP];
    const end = top + length + 4;
    if (end > control[CAPACITY]) {
      control[CAPACITY] = growData(this.buffer, CONTROL_BYTES, control[CAPACITY], end, MAX_STACK_BYTES, "its stack");
    }
    if (control[CAPACITY] !== this.#capacity) this.#map(control[CAPACITY]);
    this.#bytes.set(encodedBytes().subarray(0, length), top);
    this.#view.setUint32(top + length, length);
    control[TOP] = end;
    Atomics.add(control, COUNT, 1);
  }

  /** Removes and decodes the newest item. Called with the lock held and `size > 0`. */
  pop(): T {
    const control = this.#control;
    if (control[CAPACITY] !== this.#capacity) this.#map(control[CAPACITY]);
    const top = control[TOP];
    const length = this.#view.getUint32(top - 4);
    const start = top - 4 - length;
    const item = decodeItem(this.#bytes, this.#view, start, length) as T;
    control[TOP] = start;
    Atomics.sub(control, COUNT, 1);
    return item;
  }

  // Views the data bytes as far as `capacity`.
  #map(capacity: number): void {
    this.#capacity = capacity;
    this.#bytes = new Uint8Array(this.buffer, CONTROL_BYTES, capacity);
    this.#view = new DataView(this.buffer, CONTROL_BYTES, capacity);
  }

  /** Removes every item. Called with the lock held. */
  clear(): void {
    this.#control[TOP] = 0;
    Atomics.store(this.#control, COUNT, 0);
  }
}
