/**
 * The module references a Worker pool has sent, numbered, in shared memory:
 * a task then carries a small number instead of its target's URL and export
 * name, which would cost more to encode and decode than the rest of a
 * no-op task. Only the pool's own isolate adds entries (append-only); a
 * Worker reads the entries it has not seen yet when a task names one, and
 * keeps them. An entry is published (its count stored) before any task
 * naming it is queued, and the queue's lock orders the two for the reader.
 *
 * Layout: int32 count, int32 bytes used, then records: uint32 length, the
 * UTF-8 JSON of `[module, export]`.
 *
 * @module
 */
import type { ModuleTarget } from "../backends/types.ts";

const COUNT = 0;
const USED = 1;
const HEADER_BYTES = 8;
const INITIAL_BYTES = 4096;
const MAX_BYTES = 64 * 1024 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A pool's numbered module references, shared with its Workers. */
export class TargetTable {
  /** The memory: hand it to a Worker and make a table of it there. */
  readonly buffer: SharedArrayBuffer;
  readonly #control: Int32Array;
  // This isolate's copy: the entries read (or written) so far.
  readonly #targets: ModuleTarget[] = [];
  readonly #ids = new Map<string, number>();
  #readAt = HEADER_BYTES;
  // The last target interned, and its number: a map sends one target many times.
  #last: ModuleTarget | undefined = undefined;
  #lastId = -1;

  /** @param buffer A table made by another thread, or `undefined` for a new one. */
  constructor(buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer(INITIAL_BYTES, { maxByteLength: MAX_BYTES });
    this.#control = new Int32Array(this.buffer, 0, 2);
    if (buffer === undefined) this.#control[USED] = HEADER_BYTES;
  }

  /**
   * The number of `target`, adding it if it is new (only in the isolate
   * that made the table).
   *
   * @param target The module reference.
   * @returns Its number.
   * @throws {RangeError} If the table is full.
   */
  intern(target: ModuleTarget): number {
    const last = this.#last;
    // A map sends one target object; applyAsync a new but equal one each call.
    if (target === last || (last !== undefined && target.module === last.module && target.export === last.export)) {
      return this.#lastId;
    }
    const id = this.#intern(target);
    this.#last = target;
    this.#lastId = id;
    return id;
  }

  #intern(target: ModuleTarget): number {
    const module = String(target.module);
    const key = `${module}#${target.export}`;
    const known = this.#ids.get(key);
    if (known !== undefined) return known;
    const json = encoder.encode(JSON.stringify([module, target.export]));
    const used = this.#control[USED];
    const need = used + 4 + json.length;
    if (need > this.buffer.byteLength) {
      if (need > this.buffer.maxByteLength) {
        throw new RangeError(`Cannot send the target ${key} to the pool's Workers: its table of targets is full`);
      }
      this.buffer.grow(Math.min(this.buffer.maxByteLength, Math.max(need, this.buffer.byteLength * 2)));
    }
    new DataView(this.buffer).setUint32(used, json.length);
    new Uint8Array(this.buffer, used + 4, json.length).set(json);
    const id = this.#targets.length;
    this.#targets.push({ module, export: target.export });
    this.#ids.set(key, id);
    this.#control[USED] = need;
    this.#readAt = need;
    // Published last: a reader that sees the count sees the record.
    Atomics.store(this.#control, COUNT, id + 1);
    return id;
  }

  /**
   * The module reference numbered `id`.
   *
   * @param id Its number, as a task carries it.
   * @returns The reference.
   * @throws {RangeError} If no such entry was published.
   */
  lookup(id: number): ModuleTarget {
    const targets = this.#targets;
    if (id < targets.length) return targets[id];
    const count = Atomics.load(this.#control, COUNT);
    const view = new DataView(this.buffer);
    while (targets.length < count) {
      const length = view.getUint32(this.#readAt);
      const bytes = new Uint8Array(this.buffer, this.#readAt + 4, length).slice();
      const [module, name] = JSON.parse(decoder.decode(bytes)) as [string, string];
      targets.push({ module, export: name });
      this.#readAt += 4 + length;
    }
    if (id >= targets.length) throw new RangeError(`Cannot find target #${id} in the pool's table: it has ${count}`);
    return targets[id];
  }
}
