/**
 * Options objects, checked in one place: an options argument must be a
 * plain object (not `null`, a number or an array), and each of its keys one
 * the call knows. A misspelled key is refused with the nearest known key
 * suggested, instead of being ignored (`acquire({ tiemout: 5 })` would wait
 * forever).
 *
 * @module
 */
import { describe } from "./describe.ts";

/**
 * Whether `value` is an options object: an object that is not `null` and
 * not an array (a call that takes a value or an options object reads an
 * array as a bad value, never as empty options).
 *
 * @param value The argument as received.
 * @returns Whether to read it as options.
 *
 * @example Arrays are no options
 * ```ts
 * import { isOptions } from "./options.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals([isOptions({ timeout: 5 }), isOptions([]), isOptions(null), isOptions(5)], [true, false, false, false]);
 * ```
 */
export function isOptions(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Checks an optional options argument: `undefined`, or an options object
 * whose keys are all in `known`.
 *
 * @param what The call, for messages (`create Lock`).
 * @param options The argument as received.
 * @param known The keys the call reads.
 * @param argument The argument's name, for messages.
 * @throws {TypeError} If `options` is not an options object, or has a key not in `known`.
 *
 * @example A misspelled option is refused, with the key it meant
 * ```ts
 * import { Lock } from "@locksmith/threading";
 * import { assertThrows } from "@std/assert";
 *
 * assertThrows(() => new Lock({ bakend: "async" } as never), TypeError, "did you mean 'backend'?");
 * assertThrows(() => new Lock([] as never), TypeError, "'options' must be an object: received Array []");
 * ```
 */
export function checkOptions(
  what: string,
  options: unknown,
  known: readonly string[],
  argument: string = "options",
): void {
  if (options === undefined) return;
  if (!isOptions(options)) {
    throw new TypeError(`Cannot ${what} as '${argument}' must be an object: received ${describe(options)}`);
  }
  checkKeys(what, options, known);
}

/**
 * Checks that every key of an options object is in `known` (inherited
 * enumerable keys included: the call would read them too).
 *
 * @param what The call, for messages.
 * @param options The options object.
 * @param known The keys the call reads.
 * @throws {TypeError} Naming the first unknown key, with the nearest known key if one is close.
 *
 * @example An options object with a typo
 * ```ts
 * import { checkKeys } from "./options.ts";
 * import { assertThrows } from "@std/assert";
 *
 * checkKeys("wait", { timeout: 5 }, ["timeout", "signal"]);
 * assertThrows(
 *   () => checkKeys("wait", { tiemout: 5 }, ["timeout", "signal"]),
 *   TypeError,
 *   `Cannot wait as option 'tiemout' is unknown (did you mean 'timeout'?): received Object {"tiemout":5}`,
 * );
 * ```
 */
export function checkKeys(what: string, options: object, known: readonly string[]): void {
  for (const key in options) {
    if (!known.includes(key)) unknownKey(what, key, options, known);
  }
}

function unknownKey(what: string, key: string, options: object, known: readonly string[]): never {
  const near = nearest(key, known);
  const help = near !== undefined
    ? `did you mean '${near}'?`
    : known.length === 0
    ? "it takes none"
    : `known options are ${known.map((k) => `'${k}'`).join(", ")}`;
  throw new TypeError(`Cannot ${what} as option '${key}' is unknown (${help}): received ${describe(options)}`);
}

/**
 * The known key nearest to `key`: equal but for case, within an edit
 * distance of a third of the longer name (a swap of two letters counts one),
 * or sharing a prefix of two thirds of the shorter one (`comparator`,
 * `compare`).
 *
 * @param key The unknown key.
 * @param known The keys the call reads.
 * @returns The suggestion, if one is close enough.
 *
 * @example Suggestions
 * ```ts
 * import { nearest } from "./options.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(nearest("tiemout", ["timeout", "signal"]), "timeout");
 * assertEquals(nearest("comparator", ["backend", "compare"]), "compare");
 * assertEquals(nearest("schedules", ["strategy", "depth"]), undefined);
 * ```
 */
export function nearest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    if (candidate.toLowerCase() === key.toLowerCase()) return candidate;
    const distance = editDistance(key, candidate);
    const allowed = Math.max(1, Math.floor(Math.max(key.length, candidate.length) / 3));
    const shorter = Math.min(key.length, candidate.length);
    const close = distance <= allowed || (shorter >= 4 && commonPrefix(key, candidate) * 3 >= shorter * 2);
    if (close && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours.
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0].push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i].push(d);
    }
  }
  return rows[a.length][b.length];
}

function commonPrefix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}
