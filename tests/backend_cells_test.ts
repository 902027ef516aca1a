// The seam's `Cells` grew `exchange`, `loadRelaxed` and `storeRelaxed`: a backend whose cells lack any
// of them is refused at its first primitive, with a TypeError that names what is missing, not by a
// "not a function" at some later release.
import { assertThrows } from "@std/assert";
import { type Cells, Lock, Semaphore } from "@locksmith/threading";
import { ArrayCells, ArrayLotBackend } from "./backends/array_lot_backend.ts";

/** The array lot, with cells that have only the operations an older `Cells` had. */
class OlderCellsBackend extends ArrayLotBackend {
  override readonly name: string = "older-cells";
  override allocate(count: number): Cells {
    const cells = new ArrayCells(count);
    return {
      load: (i: number) => cells.load(i),
      store: (i: number, value: number) => cells.store(i, value),
      cas: (i: number, expected: number, replacement: number) => cells.cas(i, expected, replacement),
      add: (i: number, delta: number) => cells.add(i, delta),
    } as unknown as Cells;
  }
}

Deno.test("a backend whose cells lack operations of Cells is refused at its first primitive, naming them", () => {
  const backend = new OlderCellsBackend();
  assertThrows(
    () => new Lock({ backend }),
    TypeError,
    "Cannot create Lock on backend 'older-cells': its cells have no exchange(), loadRelaxed(), storeRelaxed()",
  );
  // Refused every time, for every primitive.
  assertThrows(() => new Semaphore(2, { backend }), TypeError, "Cannot create Semaphore on backend 'older-cells'");
});
