/**
 * How a shared queue's storage grows: its memory is a growable
 * `SharedArrayBuffer` (address space reserved when it is made, pages
 * committed as it grows, every Worker's length-tracking views following),
 * doubled until what is asked fits. Called with the storage's locks held.
 *
 * @module
 */

/**
 * Grows the data part of `buffer` (after `header` bytes) from `size` bytes,
 * doubling, until it holds at least `atLeast`.
 *
 * @param buffer The storage's memory (growable).
 * @param header The bytes before the data.
 * @param size The data bytes now.
 * @param atLeast The data bytes needed.
 * @param most The most data bytes the storage may have.
 * @param what The storage, for messages (`its ring`).
 * @returns The data bytes now.
 * @throws {RangeError} If `atLeast` is more than `most`, or the memory cannot grow (out of memory).
 */
export function growData(
  buffer: SharedArrayBuffer,
  header: number,
  size: number,
  atLeast: number,
  most: number,
  what: string,
): number {
  if (atLeast > most) {
    throw new RangeError(
      `Cannot put the item into a shared queue as ${what} would pass the most it holds (${most} bytes): it needs ${atLeast}`,
    );
  }
  let grown = Math.max(size, 1);
  while (grown < atLeast) grown = Math.min(grown * 2, most);
  try {
    buffer.grow(header + grown);
  } catch (error) {
    throw new RangeError(
      `Cannot put the item into a shared queue as ${what} cannot grow to ${grown} bytes: ${
        error instanceof Error ? error.message : error
      }`,
      { cause: error },
    );
  }
  return grown;
}
