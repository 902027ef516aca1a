/**
 * The storage of a shared `Queue` (on the `atomics` backend): a ring of
 * length-prefixed records in a growable `SharedArrayBuffer`, each record an
 * item encoded by `_item_codec.ts` (structured-clone semantics), so every
 * Worker that holds the queue puts and gets the same items.
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
 * The ring grows instead of filling up (Python's unbounded queues never
 * block a put): a producer that finds too few free bytes takes the taking
 * end's lock too, grows the buffer (every Worker's views follow it) and
 * moves the records that wrapped to the start right after the others, so
 * the records lie in one run again. Only then does CAPACITY change, so
 * each end reads it under its own lock, and makes its views of the data
 * anew when it changed (fixed-length views: V8 reads and writes through
 * length-tracking views of a growable buffer tens of times slower). A ring grows up to
 * {@linkcode MAX_RING_BYTES}; past that, or when memory runs out, a put
 * raises a `RangeError` that says so.
 *
 * Layout: int32 control words (put lock, get lock, count, head byte, tail
 * byte, used bytes, capacity, where the last wrap left the end), then the
 * data bytes. A record is a uint32 length then the bytes; a record that
 * does not fit before the end leaves a wrap marker (or fewer than 4 bytes)
 * and starts at byte 0.
 *
 * @module
 */
import { decodeItem, encodedBytes, encodeItem } from "./_item_codec.ts";
import { growData } from "./_grow_buffer.ts";
import { lockWord, unlockWord } from "./_word_lock.ts";

const PUT_LOCK = 0;
const GET_LOCK = 1;
const COUNT = 2;
const HEAD = 3;
const TAIL = 4;
const USED = 5;
const CAPACITY = 6;
// Where the records before the latest wrap end (the wrap marker's byte, or the capacity when a
// record ended exactly there). Written and read by producers only, under the put lock.
const WRAP_AT = 7;
const CONTROL_BYTES = 32;
const WRAP = 0xffffffff;
// Records up to this many bytes are copied into the ring byte by byte (a subarray costs more).
const SHORT_RECORD = 64;

/** The data bytes of a new ring unless told otherwise: 1 MiB. */
export const DEFAULT_RING_BYTES = 1024 * 1024;

/** The most data bytes a ring grows to: 1 GiB (its address space is reserved when it is made, not its memory). */
export const MAX_RING_BYTES = 2 ** 30;

/** A queue's items in shared memory, structured-cloned in and out. */
export class SharedRingStorage<T> {
  /** The memory: what a handle carries to another thread. */
  readonly buffer: SharedArrayBuffer;
  /** The items are in shared memory: a blocking call can be satisfied by another Worker. */
  readonly isolateLocal = false;
  readonly #control: Int32Array;
  // Views of the data bytes as far as `#capacity`, made anew when a Worker grew the ring.
  #bytes!: Uint8Array;
  #lengths!: DataView;
  #capacity = 0;
  // The length of the record `prepare` made (in the codec's scratch), and for which item:
  // encoding happens before the lock is taken. -1: none.
  #prepared = -1;
  #preparedFor: unknown = undefined;

  /**
   * @param buffer A ring made by another thread, or `undefined` for a new one.
   * @param dataBytes The data bytes a new ring starts with.
   */
  constructor(buffer: SharedArrayBuffer | undefined, dataBytes: number = DEFAULT_RING_BYTES) {
    this.buffer = buffer ??
      new SharedArrayBuffer(CONTROL_BYTES + dataBytes, { maxByteLength: CONTROL_BYTES + MAX_RING_BYTES });
    this.#control = new Int32Array(this.buffer, 0, CONTROL_BYTES >> 2);
    if (buffer === undefined) this.#control[CAPACITY] = dataBytes;
    this.#view(this.#control[CAPACITY]);
  }

  /** What a handle carries: the memory. */
  get facts(): Readonly<Record<string, unknown>> {
    return { ring: this.buffer };
  }

  /** How many items are stored. */
  get size(): number {
    return Atomics.load(this.#control, COUNT);
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
   * Serializes an item into the ring, growing the ring if its free bytes are
   * too few. Called with the put lock held.
   *
   * @throws {TypeError} If the item cannot be structured-cloned.
   * @throws {RangeError} If the ring cannot grow enough: past {@linkcode MAX_RING_BYTES}, or out of memory.
   */
  push(item: T): void {
    const length = this.#prepared >= 0 && this.#preparedFor === item ? this.#prepared : encodeItem(item);
    this.#prepared = -1;
    this.#preparedFor = undefined;
    const need = 4 + length;
    const control = this.#control;
    // Stable while the put lock is held: the capacity changes only under both locks.
    let capacity = control[CAPACITY];
    if (capacity !== this.#capacity) this.#view(capacity);
    let tail = control[TAIL];
    // A record is contiguous: if it does not fit before the end, the rest of the end is wasted.
    let waste = tail + need > capacity ? capacity - tail : 0;
    if (Atomics.load(control, USED) + waste + need > capacity) {
      this.#grow(need);
      capacity = control[CAPACITY];
      tail = control[TAIL];
      waste = tail + need > capacity ? capacity - tail : 0;
    }
    if (waste > 0) {
      if (waste >= 4) this.#lengths.setUint32(tail, WRAP);
      control[WRAP_AT] = tail;
      tail = 0;
    }
    this.#lengths.setUint32(tail, length);
    const record = encodedBytes();
    const bytes = this.#bytes;
    if (length <= SHORT_RECORD) { for (let i = 0, at = tail + 4; i < length; i++) bytes[at + i] = record[i]; }
    else bytes.set(record.subarray(0, length), tail + 4);
    let next = tail + need;
    if (next === capacity) {
      // The record ends exactly at the end: the next one starts at byte 0, with nothing wasted.
      control[WRAP_AT] = capacity;
      next = 0;
    }
    control[TAIL] = next;
    // Published last: a consumer that sees the count sees the bytes.
    Atomics.add(control, USED, waste + need);
    Atomics.add(control, COUNT, 1);
  }

  /** Removes and decodes the oldest item. Called with the get lock held and `size > 0`. */
  pop(): T {
    const control = this.#control;
    const capacity = control[CAPACITY];
    if (capacity !== this.#capacity) this.#view(capacity);
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
    return item;
  }

  /** Removes every item. Called with both locks held. */
  clear(): void {
    const control = this.#control;
    control[HEAD] = 0;
    control[TAIL] = 0;
    Atomics.store(control, USED, 0);
    Atomics.store(control, COUNT, 0);
  }

  // Views the data bytes as far as `capacity`.
  #view(capacity: number): void {
    this.#capacity = capacity;
    this.#bytes = new Uint8Array(this.buffer, CONTROL_BYTES, capacity);
    this.#lengths = new DataView(this.buffer, CONTROL_BYTES, capacity);
  }

  // Makes room for a record of `need` bytes at the tail: takes the get lock (the put lock is
  // held), so that neither end moves, lays the records out in one run from the head, and grows
  // the buffer until the record fits after them.
  #grow(need: number): void {
    this.lockGet();
    try {
      const control = this.#control;
      const capacity = control[CAPACITY];
      const head = control[HEAD];
      const tail = control[TAIL];
      let used = control[USED];
      // Where the records end once they lie in one run.
      let end = tail;
      let wrapped = false;
      if (control[COUNT] === 0) {
        // Nothing stored: start again at byte 0, where every byte is free.
        control[HEAD] =
          control[TAIL] =
          end =
          used =
            0;
        Atomics.store(control, USED, 0);
        if (need <= capacity) return;
      } else {
        const waste = tail + need > capacity ? capacity - tail : 0;
        if (used + waste + need <= capacity) return; // a consumer made room meanwhile
        if (tail <= head) {
          // The records run from the head to WRAP_AT, then from 0 to the tail: once the buffer has
          // grown, the second run moves to WRAP_AT, and the wasted end is free again.
          wrapped = true;
          used -= capacity - control[WRAP_AT];
          end = control[WRAP_AT] + tail;
        }
      }
      const size = growData(this.buffer, CONTROL_BYTES, capacity, end + need, MAX_RING_BYTES, "its ring");
      this.#view(size);
      if (wrapped) this.#bytes.copyWithin(control[WRAP_AT], 0, tail);
      control[TAIL] = end;
      Atomics.store(control, USED, used);
      control[CAPACITY] = size;
    } finally {
      this.unlockGet();
    }
  }
}
