// The shared queue's item codec: every item must come back as a structured
// clone would bring it, whichever way (short or V8's format) it went.
import { assertEquals, assertStrictEquals, assertThrows } from "@std/assert";
import { decodeItem, encodedBytes, encodeItem } from "../backends/atomics/_item_codec.ts";

const memory = new SharedArrayBuffer(1 << 20);
const bytes = new Uint8Array(memory);
const view = new DataView(memory);

function roundTrip(item: unknown, at = 7): unknown {
  const length = encodeItem(item);
  bytes.set(encodedBytes().subarray(0, length), at);
  return decodeItem(bytes, view, at, length);
}

Deno.test("item codec: primitives come back as they went", () => {
  for (
    const item of [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 0.5, Infinity, -Infinity, true, false, null, undefined]
  ) {
    assertStrictEquals(roundTrip(item), item);
  }
  assertStrictEquals(Object.is(roundTrip(-0), -0), true);
  assertStrictEquals(Number.isNaN(roundTrip(NaN)), true);
  for (const text of ["", "ascii", "é and ü", "emoji 🎉", "x".repeat(97), "y".repeat(5000), "ü".repeat(200)]) {
    assertStrictEquals(roundTrip(text), text);
  }
});

Deno.test("item codec: trees of plain arrays and objects, including values JSON would change", () => {
  const tree = {
    a: [1, -0, NaN, Infinity, undefined, null, "s", { b: [[[]]] }],
    "": "empty key",
    "é": 2 ** 40,
    nested: { deeper: { deepest: [true, false] } },
  };
  const back = roundTrip(tree) as typeof tree;
  assertEquals(back, tree);
  assertStrictEquals(Object.is(back.a[1], -0), true);
  assertStrictEquals(back.a.length, 8);
  assertStrictEquals(4 in back.a, true); // an undefined element, not a hole
});

Deno.test("item codec: what only V8's format keeps still round-trips", () => {
  const hole = [1, , 3];
  const backHole = roundTrip(hole) as unknown[];
  assertStrictEquals(backHole.length, 3);
  assertStrictEquals(1 in backHole, false);
  const named = Object.assign([1, 2], { extra: "kept" });
  assertEquals((roundTrip(named) as unknown as { extra: string }).extra, "kept");
  const shared = { n: 1 };
  const pair = roundTrip([shared, shared]) as { n: number }[];
  assertStrictEquals(pair[0], pair[1]); // one object, as in a structured clone
  const cyclic: { self?: unknown } = {};
  cyclic.self = cyclic;
  const backCyclic = roundTrip(cyclic) as { self: unknown };
  assertStrictEquals(backCyclic.self, backCyclic);
  const date = new Date(5);
  assertEquals(roundTrip(date), date);
  assertEquals(roundTrip(new Map([[1, "a"]])), new Map([[1, "a"]]));
  assertEquals(roundTrip(10n), 10n);
  let deep: unknown = 0;
  for (let i = 0; i < 40; i++) deep = [deep];
  assertEquals(roundTrip(deep), deep);
});

Deno.test("item codec: a __proto__ key stays an own property", () => {
  const item = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}');
  const back = roundTrip(item) as Record<string, unknown>;
  assertEquals(Object.keys(back), ["__proto__", "x"]);
  assertStrictEquals(Object.getPrototypeOf(back), Object.prototype);
  assertStrictEquals(({} as Record<string, unknown>).polluted, undefined);
});

Deno.test("item codec: an item that cannot be cloned is a TypeError naming the reason", () => {
  assertThrows(() => encodeItem({ f: () => 1 }), TypeError, "cannot be structured-cloned");
  assertThrows(() => encodeItem(Symbol("s")), TypeError, "cannot be structured-cloned");
  // A later item is unaffected.
  assertStrictEquals(roundTrip("after"), "after");
});

Deno.test("item codec: a getter that throws does not spoil the next item", () => {
  const bad = {
    get boom(): number {
      throw new RangeError("boom");
    },
  };
  assertThrows(() => encodeItem(bad), RangeError, "boom");
  const again = { n: 1 };
  assertEquals(roundTrip([again, { m: again }]), [{ n: 1 }, { m: { n: 1 } }]);
});
