/**
 * The storage of a shared `Queue` (`{ shared: true }` on the `atomics`
 * backend): a ring of length-prefixed records in a `SharedArrayBuffer`, each
 * record an item serialized with V8's structured-clone format
 * (`node:v8`'s `serialize`), so every Worker that holds the queue puts and
 * gets the same items. Numbers, strings, booleans, `null` and `undefined`
 * take a shorter way (a tag byte, then a float64 or UTF-8), and so do small
 * trees of plain arrays and objects that JSON carries exactly (as JSON):
 * `node:v8`'s serializer costs several microseconds even for a number, and
 * tens for a small array. A futex-style lock word in the buffer guards the
 * ring; the queue takes it around each check-and-change so that producers
 * and consumers in different isolates never see a half-made state.
 *
 * Layout: int32 control words (lock, count, head byte, tail byte, used
 * bytes, "the last push found no room"), then the data bytes. A record is a uint32 length then the bytes;
 * a record that does not fit before the end leaves a wrap marker and starts
 * at byte 0.
 *
 * @module
 */
import type { QueueStorage } from "./_storage.ts";
import { decodeItem, encodedBytes, encodeItem } from "./_item_codec.ts";

const LOCK = 0;
const COUNT = 1;
const HEAD = 2;
const TAIL = 3;
const USED = 4;
const NO_ROOM = 5;
const CONTROL_BYTES = 32;
const WRAP = 0xffffffff;
// Records up to this many bytes are copied into the ring byte by byte (a subarray costs more).
const SHORT_RECORD = 64;

/** The data bytes of a new ring unless told otherwise: 1 MiB. */
export const DEFAULT_RING_BYTES = 1024 * 1024;

/** A queue's items in shared memory, structured-cloned in and out. */
export class SharedRingStorage<T> implements QueueStorage<T> {
  /** The memory: what a handle carries to another thread. */
  readonly buffer: SharedArrayBuffer;
  /** The items are in shared memory: a blocking call can be satisfied by another Worker. */
  readonly isolateLocal = false;
  readonly #control: Int32Array;
  readonly #bytes: Uint8Array;
  readonly #lengths: DataView;
  readonly #capacity: number;
  // The length of the record `prepare` made (in the codec's scratch), and for which item:
  // encoding happens before the lock is taken. -1: none.
  #prepared = -1;
  #preparedFor: unknown = undefined;

  /**
   * @param buffer A ring made by another thread, or `undefined` for a new one.
   * @param dataBytes The data bytes of a new ring.
   */
  constructor(buffer: SharedArrayBuffer | undefined, dataBytes: number = DEFAULT_RING_BYTES) {
    this.buffer = buffer ?? new SharedArrayBuffer(CONTROL_BYTES + dataBytes);
    this.#control = new Int32Array(this.buffer, 0, CONTROL_BYTES >> 2);
    this.#capacity = this.buffer.byteLength - CONTROL_BYTES;
    this.#bytes = new Uint8Array(this.buffer, CONTROL_BYTES, this.#capacity);
    this.#lengths = new DataView(this.buffer, CONTROL_BYTES, this.#capacity);
  }

  /** How many items are stored. */
  get size(): number {
    return Atomics.load(this.#control, COUNT);
  }

  /**
   * Whether the last push found too few free bytes (until the next pop):
   * the queue counts the ring as full, so its putters sleep instead of
   * retrying.
   */
  get noRoom(): boolean {
    return Atomics.load(this.#control, NO_ROOM) !== 0;
  }

  /** Takes the ring's lock (short critical sections: spin a little, then sleep on the word). */
  lock(): void {
    const control = this.#control;
    for (let spin = 0; spin < 100; spin++) {
      if (Atomics.compareExchange(control, LOCK, 0, 1) === 0) return;
    }
    // 2: locked with possible sleepers.
    while (Atomics.exchange(control, LOCK, 2) !== 0) Atomics.wait(control, LOCK, 2);
  }

  /** Releases the ring's lock. */
  unlock(): void {
    if (Atomics.exchange(this.#control, LOCK, 0) === 2) Atomics.notify(this.#control, LOCK, 1);
  }

  /**
   * Encodes an item before the queue takes the lock (so a slow serialization
   * does not hold other Workers up); `push` of the same item uses it.
   *
   * @throws {TypeError} If the item cannot be structured-cloned.
   */
  prepare(item: T): void {
    this.#prepared = -1;
    this.#prepared = encodeItem(item);
    this.#preparedFor = item;
  }

  /**
   * Serializes an item into the ring; `false` if its bytes do not fit now.
   * Called with the lock held.
   *
   * @throws {TypeError} If the item cannot be structured-cloned.
   * @throws {RangeError} If the item is larger than the whole ring.
   */
  push(item: T): boolean {
    const length = this.#prepared >= 0 && this.#preparedFor === item ? this.#prepared : encodeItem(item);
    this.#prepared = -1;
    this.#preparedFor = undefined;
    const need = 4 + length;
    const capacity = this.#capacity;
    if (need + 4 > capacity) {
      throw new RangeError(
        `Cannot put the item into a shared queue as it is larger than the queue's ring: received ${length} bytes, the ring holds ${capacity}`,
      );
    }
    const control = this.#control;
    let tail = control[TAIL];
    let used = control[USED];
    // A record is contiguous: if it does not fit before the end, the rest of the end is wasted.
    const waste = tail + need > capacity ? capacity - tail : 0;
    if (used + waste + need > capacity) {
      Atomics.store(control, NO_ROOM, 1);
      return false;
    }
    if (waste > 0) {
      if (waste >= 4) this.#lengths.setUint32(tail, WRAP);
      used += waste;
      tail = 0;
    }
    this.#lengths.setUint32(tail, length);
    const record = encodedBytes();
    const bytes = this.#bytes;
    if (length <= SHORT_RECORD) for (let i = 0, at = tail + 4; i < length; i++) bytes[at + i] = record[i];
    else bytes.set(record.subarray(0, length), tail + 4);
    control[TAIL] = (tail + need) % capacity;
    control[USED] = used + need;
    Atomics.add(control, COUNT, 1);
    return true;
  }

  /** Removes and deserializes the oldest item. Called with the lock held and `size > 0`. */
  pop(): T {
    const control = this.#control;
    const capacity = this.#capacity;
    let head = control[HEAD];
    let used = control[USED];
    if (capacity - head < 4 || this.#lengths.getUint32(head) === WRAP) {
      used -= capacity - head;
      head = 0;
    }
    const length = this.#lengths.getUint32(head);
    const item = decodeItem(this.#bytes, this.#lengths, head + 4, length) as T;
    control[HEAD] = (head + 4 + length) % capacity;
    control[USED] = used - 4 - length;
    Atomics.sub(control, COUNT, 1);
    Atomics.store(control, NO_ROOM, 0);
    return item;
  }

  /** Removes every item. Called with the lock held. */
  clear(): void {
    const control = this.#control;
    control[HEAD] = 0;
    control[TAIL] = 0;
    control[USED] = 0;
    Atomics.store(control, COUNT, 0);
    Atomics.store(control, NO_ROOM, 0);
  }
}
