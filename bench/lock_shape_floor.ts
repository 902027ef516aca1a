/**
 * How much of the uncontended row of `atomics_ratios.ts` any object-shaped
 * lock pays, whatever its algorithm: three hand-written locks against the
 * same raw floor (`Atomics.compareExchange` + `Atomics.store` on a view the
 * loop closes over), in interleaved rounds, CPU time, medians of the ratios
 * taken within a round:
 *
 * - **raw CAS + CAS**: the floor's loop with the release as a second
 *   `compareExchange` (a lock must see whether someone parked);
 * - **raw CAS + exchange**: the release as an `exchange`, which also returns
 *   what the word held (the library's `Lock` releases so since 176ac68, and
 *   repairs a wrong guess out of line);
 * - **and an `Atomics.load`** / **and a plain read**: that pair plus a read
 *   of another cell, as an `RLock` reads its owner, seq-cst or plain (what
 *   `Cells.loadRelaxed` does);
 * - **one object**: a lock object holding its view and index, methods on the
 *   prototype;
 * - **two objects**: a lock holding a cells object and a slot index, the
 *   cells holding the view and a base (the `atomics` backend's shape);
 * - **three objects**: the same with the view read through a heap object
 *   (the shape before the cells kept their view): a lock
 *   holding a cells object and a slot index, the cells holding a heap
 *   reference and a base, the heap holding the view (the view must be read
 *   through the heap because a growing heap replaces it).
 *
 *     deno run bench/lock_shape_floor.ts [rounds]
 *
 * @module
 */
import process from "node:process";

const rounds = Number(Deno.args[0] ?? 30);
const OPS = 1000;
const REPEAT = 200;
const view = new Int32Array(new SharedArrayBuffer(4096));

class OneObjectLock {
  constructor(readonly view: Int32Array, readonly index: number) {}
  acquire(): boolean {
    return Atomics.compareExchange(this.view, this.index, 0, 1) === 0;
  }
  release(): boolean {
    return Atomics.compareExchange(this.view, this.index, 1, 0) === 1;
  }
}

class ViewCells {
  constructor(readonly view: Int32Array, readonly base: number) {}
  cas(i: number, expected: number, replacement: number): boolean {
    return Atomics.compareExchange(this.view, this.base + i, expected, replacement) === expected;
  }
}
class TwoObjectLock {
  constructor(readonly cells: ViewCells, readonly at: number) {}
  acquire(): boolean {
    return this.cells.cas(this.at, 0, 1);
  }
  release(): boolean {
    return this.cells.cas(this.at, 1, 0);
  }
}

class Heap {
  constructor(public view: Int32Array) {}
}
class Cells {
  constructor(readonly heap: Heap, readonly base: number) {}
  cas(i: number, expected: number, replacement: number): boolean {
    return Atomics.compareExchange(this.heap.view, this.base + i, expected, replacement) === expected;
  }
}
class ThreeObjectLock {
  constructor(readonly cells: Cells, readonly at: number) {}
  acquire(): boolean {
    return this.cells.cas(this.at, 0, 1);
  }
  release(): boolean {
    return this.cells.cas(this.at, 1, 0);
  }
}

// Several instances of each, as a program has, so that no call site sees only one object.
const heap = new Heap(view);
const ones = Array.from({ length: 8 }, (_, k) => new OneObjectLock(view, 64 + k * 8));
const twos = Array.from({ length: 8 }, (_, k) => new TwoObjectLock(new ViewCells(view, 192 + k * 8), 3));
const threes = Array.from({ length: 8 }, (_, k) => new ThreeObjectLock(new Cells(heap, 128 + k * 8), 3));
for (const lock of [...ones, ...twos, ...threes]) {
  if (!lock.acquire() || !lock.release()) throw new Error("broken lock");
}
const one = ones[5];
const two = twos[5];
const three = threes[5];

const cases: [string, () => void][] = [
  ["raw compareExchange + store (the floor)", () => {
    for (let i = 0; i < OPS; i++) {
      Atomics.compareExchange(view, 0, 0, 1);
      Atomics.store(view, 0, 0);
    }
  }],
  ["raw compareExchange + compareExchange", () => {
    for (let i = 0; i < OPS; i++) {
      Atomics.compareExchange(view, 0, 0, 1);
      Atomics.compareExchange(view, 0, 1, 0);
    }
  }],
  ["raw compareExchange + exchange", () => {
    for (let i = 0; i < OPS; i++) {
      Atomics.compareExchange(view, 0, 0, 1);
      Atomics.exchange(view, 0, 0);
    }
  }],
  ["raw compareExchange + exchange, and an Atomics.load", () => {
    let seen = 0;
    for (let i = 0; i < OPS; i++) {
      seen += Atomics.load(view, 64);
      Atomics.compareExchange(view, 0, 0, 1);
      Atomics.exchange(view, 0, 0);
    }
    if (seen !== 0) throw new Error("cell 64 is never written");
  }],
  ["raw compareExchange + exchange, and a plain read", () => {
    let seen = 0;
    for (let i = 0; i < OPS; i++) {
      seen += view[64];
      Atomics.compareExchange(view, 0, 0, 1);
      Atomics.exchange(view, 0, 0);
    }
    if (seen !== 0) throw new Error("cell 64 is never written");
  }],
  ["one object (view + index)", () => {
    for (let i = 0; i < OPS; i++) {
      one.acquire();
      one.release();
    }
  }],
  ["two objects (lock -> cells -> view)", () => {
    for (let i = 0; i < OPS; i++) {
      two.acquire();
      two.release();
    }
  }],
  ["three objects (lock -> cells -> heap -> view)", () => {
    for (let i = 0; i < OPS; i++) {
      three.acquire();
      three.release();
    }
  }],
];

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

function interleave(): number[][] {
  const samples = cases.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (k + r) % cases.length;
      const start = cpuMs();
      for (let j = 0; j < REPEAT; j++) cases[i][1]();
      samples[i].push(cpuMs() - start);
    }
  }
  return samples;
}

interleave(); // warm-up
const samples = interleave();
console.log(`| lock shape | per acquire + release | vs the floor (median of ${rounds} interleaved rounds) |`);
console.log("| --- | ---: | ---: |");
for (let i = 0; i < cases.length; i++) {
  const ns = median(samples[i]) * 1e6 / (REPEAT * OPS);
  const ratio = median(samples[i].map((v, r) => v / samples[0][r]));
  console.log(`| ${cases[i][0]} | ${ns.toFixed(1)} ns | ${ratio.toFixed(2)}x |`);
}
