// Runs the parallel examples (real Workers on the `atomics` backend) and
// checks their results: exact where the lock makes them exact, by invariant
// elsewhere. The speed-up is printed by the example, never asserted here
// (timing lives in benchmarks).
import { assertEquals, assertMatch } from "@std/assert";
import { pendingWaits, runningThreads } from "@locksmith/threading";
import { main as parallelBankBalance } from "../examples/parallel_bank_balance.ts";
import { main as parallelCounter } from "../examples/parallel_counter.ts";
import { main as parallelSpeedup } from "../examples/parallel_speedup.ts";
import { main as poolSpeedup } from "../examples/pool_speedup.ts";

function leftNothingBehind(): void {
  assertEquals(runningThreads(), [], "threads left running");
  assertEquals(pendingWaits(), [], "waiters left behind");
}

Deno.test("parallel_bank_balance: 2 Workers x 100000 change_it under one Lock end at balance 0", async () => {
  const lines = await parallelBankBalance();
  assertEquals(lines.slice(0, 2), ["backend: atomics", "with a Lock: balance 0 after 2 Workers x 100000 changes"]);
  // Without the lock the result depends on how the cores interleave.
  assertMatch(lines[2], /^without a lock: balance -?\d+ after 2 Workers x 100000 changes$/);
  leftNothingBehind();
});

Deno.test("parallel_counter: 3 Workers x 6000 increments under one Lock = 18000", async () => {
  const lines = await parallelCounter();
  assertEquals(lines[0], "backend: atomics");
  assertEquals(lines[4], "x = 18000 (3 x 6000 = 18000)");
  // Each Worker held the lock for a whole run of 6000, one after another.
  const starts = lines.slice(1, 4).map((line) => {
    const match = line.match(/^counter-\d held the lock: x went from (\d+) to (\d+)$/);
    assertEquals(match !== null, true, line);
    assertEquals(Number(match![2]) - Number(match![1]), 6000);
    return Number(match![1]);
  });
  assertEquals(starts.sort((a, b) => a - b), [0, 6000, 12000]);
  leftNothingBehind();
});

Deno.test("parallel_speedup: N Workers count the same primes as one", async () => {
  const lines = await parallelSpeedup(200_000);
  assertEquals(lines[0], "backend: atomics");
  assertMatch(lines[1], /^primes below 200000: 17984 \(1 Worker\), 17984 \(\d Workers\)$/);
  assertMatch(lines[4], /^speed-up: \d+\.\d\dx with \d Workers$/);
  leftNothingBehind();
});

Deno.test("pool_speedup: Pool().map over Workers counts the same primes as one thread", async () => {
  const lines = await poolSpeedup(200_000);
  assertEquals(lines[0], "backend: atomics");
  assertMatch(lines[1], /^primes below 200000 in 32 chunks: 17984 \(one thread\), 17984 \(Pool\(\d\)\.map\)$/);
  assertMatch(lines[4], /^speed-up: \d+\.\d\dx on \d Workers$/);
  leftNothingBehind();
});
