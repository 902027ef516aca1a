/**
 * How a shared queue turns an item into bytes and back: V8's
 * structured-clone format (`node:v8`'s `serialize`) in general, and shorter
 * ways for what queues mostly carry. A record's first byte (its tag) says
 * which: numbers (a float64), strings (UTF-8), `true`/`false`/`null`/
 * `undefined` (the tag alone), and small trees of plain arrays and objects
 * that JSON carries exactly (as JSON text).
 *
 * Why not `serialize` for everything: it costs several microseconds even
 * for a number. And why no allocation per item: a fresh small `Uint8Array`
 * costs about 1.5 us in Deno 2.9 (its backing store is allocated outside the
 * JS heap), more than everything else a put does. So records are built in
 * one scratch buffer per isolate, copied into the ring by the caller, and
 * read back straight from the ring (short ASCII text by char codes; longer
 * text through the scratch, as `TextDecoder` refuses views of shared memory).
 *
 * @module
 */

// `node:v8`, loaded on first use rather than imported: only a shared queue (on a
// runtime with Workers) needs it, and edge runtimes that run the default entry
// point have no such module.
interface V8Serializer {
  serialize(value: unknown): Uint8Array;
  deserialize(bytes: Uint8Array): unknown;
}
let v8: V8Serializer | undefined;

function v8Serializer(): V8Serializer {
  if (v8 !== undefined) return v8;
  const process = (globalThis as { process?: { getBuiltinModule?(name: string): unknown } }).process;
  const module = process?.getBuiltinModule?.("node:v8") as V8Serializer | undefined;
  if (module === undefined) {
    throw new TypeError("Cannot clone the item into a shared queue: this runtime has no node:v8 serializer");
  }
  return v8 = module;
}

const TAG_V8 = 0;
const TAG_NUMBER = 1;
const TAG_STRING = 2;
const TAG_TRUE = 3;
const TAG_FALSE = 4;
const TAG_NULL = 5;
const TAG_UNDEFINED = 6;
// Inside a tree: an int32, a counted array, a counted plain object (key text, value, ...), and text with a length.
const TAG_INT = 8;
const TAG_ARRAY = 9;
const TAG_OBJECT = 10;
const TAG_TEXT = 11;

// A tree goes the short way only up to this many arrays and objects, this deep (else V8's format).
const TREE_OBJECTS = 64;
const TREE_DEPTH = 16;
// Text up to this many UTF-16 units is written and read one char code at a time when it is ASCII.
const SHORT_TEXT = 96;
// Returned by the tree writer for a value it does not carry exactly: the item then goes as V8's format.
const NOT_PLAIN = -1;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
let scratch = new Uint8Array(1024);
let scratchView = new DataView(scratch.buffer);
// The arrays and objects of the tree being written: a second meeting (a cycle, or a shared
// reference, which a structured clone keeps) sends the item the long way.
const seen: object[] = new Array(TREE_OBJECTS);
let seenCount = 0;
const RELEASED = {};

// Makes room for `bytes` bytes in the scratch, keeping the first `keep`.
function reserve(bytes: number, keep: number): void {
  if (bytes <= scratch.length) return;
  let size = scratch.length;
  while (size < bytes) size *= 2;
  const bigger = new Uint8Array(size);
  if (keep > 0) bigger.set(scratch.subarray(0, keep));
  scratch = bigger;
  scratchView = new DataView(bigger.buffer);
}

// Writes `text` as UTF-8 at `at`; returns the byte count.
function writeText(text: string, at: number): number {
  const length = text.length;
  reserve(at + length * 3, at);
  const out = scratch;
  if (length <= SHORT_TEXT) {
    let i = 0;
    for (; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) break;
      out[at + i] = code;
    }
    if (i === length) return length;
  }
  return encoder.encodeInto(text, out.subarray(at)).written;
}

// Writes `value` at `at` as part of a tree; returns where the next value goes, or NOT_PLAIN.
function writeValue(value: unknown, at: number, depth: number): number {
  reserve(at + 9, at);
  switch (typeof value) {
    case "number":
      if ((value | 0) === value && !Object.is(value, -0)) {
        scratch[at] = TAG_INT;
        scratchView.setInt32(at + 1, value);
        return at + 5;
      }
      scratch[at] = TAG_NUMBER;
      scratchView.setFloat64(at + 1, value);
      return at + 9;
    case "string": {
      scratch[at] = TAG_TEXT;
      const written = writeText(value, at + 5);
      scratchView.setUint32(at + 1, written);
      return at + 5 + written;
    }
    case "boolean":
      scratch[at] = value ? TAG_TRUE : TAG_FALSE;
      return at + 1;
    case "undefined":
      scratch[at] = TAG_UNDEFINED;
      return at + 1;
    case "object":
      break;
    default:
      return NOT_PLAIN;
  }
  if (value === null) {
    scratch[at] = TAG_NULL;
    return at + 1;
  }
  if (depth >= TREE_DEPTH || seenCount === TREE_OBJECTS) return NOT_PLAIN;
  for (let i = 0; i < seenCount; i++) if (seen[i] === value) return NOT_PLAIN;
  seen[seenCount++] = value;
  if (Array.isArray(value)) {
    const length = value.length;
    // Holes and named properties are kept by a structured clone: such arrays go the long way.
    if (Object.getPrototypeOf(value) !== Array.prototype || Object.keys(value).length !== length) return NOT_PLAIN;
    scratch[at] = TAG_ARRAY;
    scratchView.setUint32(at + 1, length);
    let next = at + 5;
    for (let i = 0; i < length && next !== NOT_PLAIN; i++) next = writeValue(value[i], next, depth + 1);
    return next;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return NOT_PLAIN;
  scratch[at] = TAG_OBJECT;
  let count = 0;
  let next = at + 5;
  for (const key in value) {
    reserve(next + 4, next);
    const written = writeText(key, next + 4);
    scratchView.setUint32(next, written);
    next = writeValue((value as Record<string, unknown>)[key], next + 4 + written, depth + 1);
    if (next === NOT_PLAIN) return NOT_PLAIN;
    count++;
  }
  scratchView.setUint32(at + 1, count);
  return next;
}

function writeTree(item: object): number {
  // Reset first: a getter that threw left the last tree's entries behind.
  seenCount = 0;
  const length = writeValue(item, 0, 0);
  // Let the tree's objects be collected.
  for (let i = 0; i < seenCount; i++) seen[i] = RELEASED;
  return length;
}

/**
 * Encodes an item into this isolate's scratch buffer (see
 * {@linkcode encodedBytes}); valid until the next call.
 *
 * @param item The item.
 * @returns The record's length in bytes.
 * @throws {TypeError} If the item cannot be structured-cloned.
 */
export function encodeItem(item: unknown): number {
  switch (typeof item) {
    case "number":
      scratch[0] = TAG_NUMBER;
      scratchView.setFloat64(1, item);
      return 9;
    case "string":
      scratch[0] = TAG_STRING;
      return 1 + writeText(item, 1);
    case "boolean":
      scratch[0] = item ? TAG_TRUE : TAG_FALSE;
      return 1;
    case "undefined":
      scratch[0] = TAG_UNDEFINED;
      return 1;
  }
  if (item === null) {
    scratch[0] = TAG_NULL;
    return 1;
  }
  if (typeof item === "object") {
    const length = writeTree(item);
    if (length !== NOT_PLAIN) return length;
  }
  let serialized: Uint8Array;
  try {
    serialized = v8Serializer().serialize(item);
  } catch (error) {
    throw new TypeError(
      `Cannot put the item into a shared queue as it cannot be structured-cloned: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
  reserve(1 + serialized.length, 0);
  scratch[0] = TAG_V8;
  scratch.set(serialized, 1);
  return 1 + serialized.length;
}

/** The scratch buffer that {@linkcode encodeItem} wrote its record into. */
export function encodedBytes(): Uint8Array {
  return scratch;
}

// Reads `length` bytes of UTF-8 text at `start`.
function readText(bytes: Uint8Array, start: number, length: number): string {
  if (length <= SHORT_TEXT) {
    let text = "";
    let i = 0;
    for (; i < length; i++) {
      const byte = bytes[start + i];
      if (byte >= 0x80) break;
      text += String.fromCharCode(byte);
    }
    if (i === length) return text;
  }
  reserve(length, 0);
  const copy = scratch;
  copy.set(bytes.subarray(start, start + length));
  return decoder.decode(copy.subarray(0, length));
}

// The tree reader's position (decoding is synchronous and never re-entered).
let at = 0;

function readValue(bytes: Uint8Array, view: DataView): unknown {
  const tag = bytes[at];
  switch (tag) {
    case TAG_INT:
      at += 5;
      return view.getInt32(at - 4);
    case TAG_NUMBER:
      at += 9;
      return view.getFloat64(at - 8);
    case TAG_TEXT: {
      const length = view.getUint32(at + 1);
      const text = readText(bytes, at + 5, length);
      at += 5 + length;
      return text;
    }
    case TAG_TRUE:
      at++;
      return true;
    case TAG_FALSE:
      at++;
      return false;
    case TAG_NULL:
      at++;
      return null;
    case TAG_UNDEFINED:
      at++;
      return undefined;
    case TAG_ARRAY: {
      const length = view.getUint32(at + 1);
      at += 5;
      const array = new Array(length);
      for (let i = 0; i < length; i++) array[i] = readValue(bytes, view);
      return array;
    }
    case TAG_OBJECT: {
      const count = view.getUint32(at + 1);
      at += 5;
      const object: Record<string, unknown> = {};
      for (let i = 0; i < count; i++) {
        const length = view.getUint32(at);
        const key = readText(bytes, at + 4, length);
        at += 4 + length;
        // A key such as "__proto__" must become an own property, as in a structured clone.
        Object.defineProperty(object, key, {
          value: readValue(bytes, view),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return object;
    }
  }
  throw new RangeError(`Cannot read an item of a shared queue: unknown tag ${tag} at byte ${at}`);
}

/**
 * Decodes the record of `length` bytes at `start` of `bytes` (`view` is a
 * `DataView` of the same memory).
 *
 * @param bytes The memory (a ring in shared memory).
 * @param view A `DataView` over `bytes`' range.
 * @param start Where the record starts, relative to both.
 * @param length Its length.
 * @returns The item, a structured clone of the one encoded.
 */
export function decodeItem(bytes: Uint8Array, view: DataView, start: number, length: number): unknown {
  switch (bytes[start]) {
    case TAG_NUMBER:
      return view.getFloat64(start + 1);
    case TAG_STRING:
      return readText(bytes, start + 1, length - 1);
    case TAG_V8:
      return v8Serializer().deserialize(bytes.slice(start + 1, start + length));
  }
  at = start;
  return readValue(bytes, view);
}
