// Runs the parallel examples on every registered backend (real Workers on `atomics`, the default
// there; one isolate elsewhere) and checks their results: exact where the lock makes them exact, by
// invariant elsewhere. The speed-up is printed by the example, never asserted here (timing lives in
// benchmarks and in `deno task compare`).
import { assertEquals, assertMatch } from "@std/assert";
import { type ExampleCase, testExamples } from "./_example_cases.ts";
import { main as parallelBankBalance } from "../examples/parallel_bank_balance.ts";
import { main as parallelCounter } from "../examples/parallel_counter.ts";
import { main as parallelSpeedup } from "../examples/parallel_speedup.ts";
import { main as poolSpeedup } from "../examples/pool_speedup.ts";

const cases: ExampleCase[] = [
  {
    name: "parallel_bank_balance: 2 threads x 100000 change_it under one Lock end at balance 0",
    main: parallelBankBalance,
    check: (lines, backend) => {
      assertEquals(lines[0], "with a Lock: balance 0 after 2 threads x 100000 changes");
      // Without the lock the result depends on how the cores interleave; in one isolate nothing interleaves.
      assertMatch(lines[1], /^without a lock: balance -?\d+ after 2 threads x 100000 changes$/);
      if (backend !== "atomics") assertEquals(lines[1], "without a lock: balance 0 after 2 threads x 100000 changes");
      assertEquals(lines.length, 2);
    },
  },
  {
    name: "parallel_counter: 3 threads x 6000 increments under one Lock = 18000",
    main: parallelCounter,
    check: (lines) => {
      assertEquals(lines[3], "x = 18000 (3 x 6000 = 18000)");
      // Each thread held the lock for a whole run of 6000, one after another.
      const starts = lines.slice(0, 3).map((line) => {
        const match = line.match(/^counter-\d held the lock: x went from (\d+) to (\d+)$/);
        assertEquals(match !== null, true, line);
        assertEquals(Number(match![2]) - Number(match![1]), 6000);
        return Number(match![1]);
      });
      assertEquals(starts.sort((a, b) => a - b), [0, 6000, 12000]);
    },
  },
  {
    name: "parallel_speedup: N threads count the same primes as one",
    main: (backend) => parallelSpeedup(200_000, backend),
    check: (lines) => {
      assertMatch(lines[0], /^primes below 200000: 17984 \(1 thread\), 17984 \(\d threads\)$/);
      assertMatch(lines[3], /^speed-up: \d+\.\d\dx with \d threads$/);
    },
  },
  {
    name: "pool_speedup: Pool().map counts the same primes as one thread",
    main: (backend) => poolSpeedup(200_000, backend),
    check: (lines) => {
      assertMatch(lines[0], /^primes below 200000 in 32 chunks: 17984 \(one thread\), 17984 \(Pool\(\d\)\.map\)$/);
      assertMatch(lines[3], /^speed-up: \d+\.\d\dx with \d threads$/);
    },
  },
];

testExamples(cases);
