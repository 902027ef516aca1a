/**
 * The workloads of `async_bench.ts`, run interleaved: every round times each
 * implementation once, in alternating order, and its ratio to the floor is
 * taken within the round; the table gives the median over rounds. Time is the
 * process's CPU time (user + system, so the GC and compiler threads count),
 * which other programs on the machine disturb less than wall time.
 *
 *     deno run -A bench/ratios.ts [rounds]
 *
 * @module
 */
import process from "node:process";
import { groups } from "./_workloads.ts";

const rounds = Number(Deno.args[0] ?? 15);
/** CPU time each sample aims for. */
const SAMPLE_MS = 10;
/** CPU time each implementation runs before it is measured (the JIT settles). */
const WARM_UP_MS = 150;

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

async function timeCalls(fn: () => Promise<unknown>, calls: number): Promise<number> {
  const start = cpuMs();
  for (let i = 0; i < calls; i++) await fn();
  return (cpuMs() - start) / calls;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

console.log(`| group | implementation | ns/op (median) | ratio to floor (median of ${rounds} rounds) |`);
console.log("| --- | --- | ---: | ---: |");
for (const group of groups) {
  // Warm up, and find how many calls make a sample of about SAMPLE_MS.
  const calls = new Map<string, number>();
  for (const [name, fn] of group.cases) {
    const start = cpuMs();
    while (cpuMs() - start < WARM_UP_MS) await fn();
    const perCall = Math.max(await timeCalls(fn, 10), 0.001);
    calls.set(name, Math.max(1, Math.round(SAMPLE_MS / perCall)));
  }
  const samples = new Map<string, number[]>(group.cases.map(([name]) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? group.cases : [...group.cases].reverse();
    for (const [name, fn] of order) samples.get(name)!.push(await timeCalls(fn, calls.get(name)!));
  }
  const floor = samples.get(group.cases[0][0])!;
  for (const [name] of group.cases) {
    const mine = samples.get(name)!;
    const nsPerOp = median(mine) * 1e6 / group.ops;
    const ratio = median(mine.map((ms, r) => ms / floor[r]));
    console.log(`| ${group.title} | ${name} | ${nsPerOp.toFixed(1)} | ${ratio.toFixed(2)} |`);
  }
}
