/**
 * The storage of a shared `Queue` (on the `atomics` backend): a ring of
 * length-prefixed records in a `SharedArrayBuffer`, each record an item
 * encoded by `_item_codec.ts` (structured-clone semantics), so every Worker
 * that holds the queue puts and gets the same items.
 *
 * Two futex-style lock words guard it, one for the putting end and one for
 * the taking end (as in Michael and Scott's two-lock queue): a producer and
 * a consumer never wait for each other, only for their own kind. The ends
 * meet in two counters changed by atomic adds, COUNT (records) and USED
 * (bytes, wasted ones included). A producer writes the record, then adds to
 * USED and COUNT, so a consumer that sees the count sees the bytes; a
 * consumer reads the record, then gives its bytes back. Each end sees the
 * other's counter late at worst, which only makes it more careful (a ring
 * that looks fuller or emptier than it is).
 *
 * Layout: int32 control words (put lock, get lock, count, head byte, tail
 * byte, used bytes, "the last push found no room"), then the data bytes. A
 * record is a uint32 length then the bytes; a record that does not fit
 * before the end leaves a wrap marker (or fewer than 4 bytes) and starts at
 * byte 0.
 *
 * @module
 */
import { decodeItem, encodedBytes, encodeItem } from "./_item_codec.ts";
import { lockWord, unlockWord } from "./_word_lock.ts";

const PUT_LOCK = 0;
const GET_LOCK = 1;
const COUNT = 2;
const HEAD = 3;
const TAIL = 4;
const USED = 5;
const NO_ROOM = 6;
const CONTROL_BYTES = 32;
const WRAP = 0xffffffff;
// Records up to this many bytes are copied into the ring byte by byte (a subarray costs more).
const SHORT_RECORD = 64;

/** The data bytes of a new ring unless told otherwise: 1 MiB. */
export const DEFAULT_RING_BYTES = 1024 * 1024;

/** A queue's items in shared memory, structured-cloned in and out. */
export class SharedRingStorage<T> {
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

  /** Takes the lock of the putting end (held around each check-and-push). */
  lockPut(): void {
    lockWord(this.#control, PUT_LOCK);
  }

  /** Releases the lock of the putting end. */
  unlockPut(): void {
    unlockWord(this.#control, PUT_LOCK);
  }

  /** Takes the lock of the taking end (held around each check-and-pop). */
  lockGet(): void {
    lockWord(this.#control, GET_LOCK);
  }

  /** Releases the lock of the taking end. */
  unlockGet(): void {
    unlockWord(this.#control, GET_LOCK);
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
   * Called with the put lock held.
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
    // A record is contiguous: if it does not fit before the end, the rest of the end is wasted.
    const waste = tail + need > capacity ? capacity - tail : 0;
    if (Atomics.load(control, USED) + waste + need > capacity) {
      Atomics.store(control, NO_ROOM, 1);
      // A pop may have freed bytes and cleared the flag between our look and our store:
      // look again after it, or the flag would stay up with room to spare.
      if (Atomics.load(control, USED) + waste + need > capacity) return false;
      Atomics.store(control, NO_ROOM, 0);
    }
    if (waste > 0) {
      if (waste >= 4) this.#lengths.setUint32(tail, WRAP);
      tail = 0;
    }
    this.#lengths.setUint32(tail, length);
    const record = encodedBytes();
    const bytes = this.#bytes;
    if (length <= SHORT_RECORD) { for (let i = 0, at = tail + 4; i < length; i++) bytes[at + i] = record[i]; }
    else bytes.set(record.subarray(0, length), tail + 4);
    control[TAIL] = (tail + need) % capacity;
    // Published last: a consumer that sees the count sees the bytes.
    Atomics.add(control, USED, waste + need);
    Atomics.add(control, COUNT, 1);
    return true;
  }

  /** Removes and decodes the oldest item. Called with the get lock held and `size > 0`. */
  pop(): T {
    const control = this.#control;
    const capacity = this.#capacity;
    let head = control[HEAD];
    let freed = 0;
    if (capacity - head < 4 || this.#lengths.getUint32(head) === WRAP) {
      freed = capacity - head;
      head = 0;
    }
    const length = this.#lengths.getUint32(head);
    const item = decodeItem(this.#bytes, this.#lengths, head + 4, length) as T;
    control[HEAD] = (head + 4 + length) % capacity;
    Atomics.sub(control, COUNT, 1);
    // The bytes go back only once read: a producer may overwrite them from now on.
    Atomics.sub(control, USED, freed + 4 + length);
    Atomics.store(control, NO_ROOM, 0);
    return item;
  }

  /** Removes every item. Called with both locks held. */
  clear(): void {
    const control = this.#control;
    control[HEAD] = 0;
    control[TAIL] = 0;
    Atomics.store(control, USED, 0);
    Atomics.store(control, COUNT, 0);
    Atomics.store(control, NO_ROOM, 0);
  }
}
