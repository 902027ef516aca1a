/**
 * Every `deno bench` benchmark of this checkout beside the same benchmark of
 * another checkout (a baseline commit), run on the same machine in
 * alternating order: each round runs the whole `bench/` folder once in each
 * checkout, and a cell is the median of the rounds' averages. Noise is the
 * spread of one side's rounds (largest / smallest average - 1, the larger of
 * the two sides); a benchmark is called slower only if the after/before ratio
 * exceeds 1 + noise.
 *
 *     git worktree add ../before <baseline-commit>
 *     deno run -A bench/before_after.ts ../before [rounds]
 *
 * Benchmarks are matched by file, group and name; one present on only one
 * side is listed with a dash on the other.
 *
 * @module
 */

interface BenchRecord {
  origin: string;
  group: string | null;
  name: string;
  results: { ok?: { avg: number } }[];
}

const [baseline, roundsArg] = Deno.args;
if (baseline === undefined) {
  console.error("usage: deno run -A bench/before_after.ts <baseline checkout> [rounds]");
  Deno.exit(2);
}
const rounds = Number(roundsArg ?? 3);
const here = new URL("..", import.meta.url).pathname;

/** Runs the bench folder of `dir` once; returns average ns by benchmark key, and the printed notes. */
async function runOnce(dir: string): Promise<{ avg: Map<string, number>; notes: string[] }> {
  const output = await new Deno.Command(Deno.execPath(), {
    // The atomics memory benchmark needs `gc()`; the flag changes nothing for the others.
    args: ["bench", "-A", "--json", "--v8-flags=--expose-gc", "bench/"],
    cwd: dir,
    stdout: "piped",
    stderr: "null",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  const start = text.indexOf("\n{") + 1;
  const notes = text.slice(0, start).split("\n").filter((line) => line.trim() !== "");
  const report = JSON.parse(text.slice(start)) as { benches: BenchRecord[] };
  const avg = new Map<string, number>();
  for (const bench of report.benches) {
    const ok = bench.results[0]?.ok;
    if (ok === undefined) continue;
    const file = bench.origin.slice(bench.origin.lastIndexOf("/") + 1);
    avg.set(`${file} | ${bench.group ?? ""} | ${bench.name}`, ok.avg);
  }
  return { avg, notes };
}

const sides = [baseline, here];
const samples: Map<string, number[]>[] = [new Map(), new Map()];
const notes: string[][] = [[], []];
for (let round = 0; round < rounds; round++) {
  // Alternate which side runs first, so a drift of the machine hits both alike.
  const order = round % 2 === 0 ? [0, 1] : [1, 0];
  for (const side of order) {
    const { avg, notes: printed } = await runOnce(sides[side]);
    for (const [key, value] of avg) {
      const list = samples[side].get(key) ?? [];
      list.push(value);
      samples[side].set(key, list);
    }
    if (round === 0) notes[side] = printed;
    console.error(`round ${round + 1}/${rounds}: ${side === 0 ? "before" : "after"} done`);
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
const spread = (values: number[] | undefined) =>
  values === undefined || values.length < 2 ? 0 : Math.max(...values) / Math.min(...values) - 1;
const format = (ns: number | undefined) =>
  ns === undefined ? "-" : ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(1)} us`;

const keys = [...new Set([...samples[0].keys(), ...samples[1].keys()])];
console.log(`| file | group | benchmark | before | after | after/before | noise | verdict |`);
console.log(`| --- | --- | --- | ---: | ---: | ---: | ---: | --- |`);
for (const key of keys) {
  const before = samples[0].get(key);
  const after = samples[1].get(key);
  const b = before && median(before);
  const a = after && median(after);
  const noise = Math.max(spread(before), spread(after));
  let ratio = "-";
  let verdict = "";
  if (a !== undefined && b !== undefined) {
    const r = a / b;
    ratio = r.toFixed(2);
    verdict = r > 1 + noise ? "slower" : r < 1 / (1 + noise) ? "faster" : "same";
  }
  console.log(`| ${key} | ${format(b)} | ${format(a)} | ${ratio} | ${(noise * 100).toFixed(0)}% | ${verdict} |`);
}
console.log("\nPrinted by the benchmarks (first round):");
console.log(`- before: ${notes[0].join("; ")}`);
console.log(`- after: ${notes[1].join("; ")}`);
