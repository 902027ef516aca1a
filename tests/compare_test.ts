// `deno task compare` as a user runs it: `--quick` prints the table and writes report.json (every
// cell holds a sample per repetition, the engines' included), report.md and one well-formed SVG per
// case, with the command line, the machine and the Deno/V8 versions; every workload the tool offers
// (the contended lock at 2, 8 and 64 threads, the seeds) passes its check on every backend;
// `--baseline` marks changes; an unreachable Redis makes its engine's cells unavailable with
// the reason; bad input gets a clear error and exit code 2. No timing is asserted.
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { XMLValidator } from "fast-xml-parser";
import { chartFileName, parseReport, type Report, REPORT_SCHEMA } from "@locksmith/threading/experiment";
import { hasPython } from "../bench/compare/_peers.ts";
import { perThread, workloads as compareWorkloads } from "../bench/compare/_workloads.ts";
import { cpuCount } from "@locksmith/threading/multiprocessing";
import { noSharedRedis, REDIS_URL, reportIgnored } from "./distributed/_redis.ts";

const root = new URL("../", import.meta.url);

async function compare(
  args: string[],
  env?: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "bench/compare.ts", ...args],
    cwd: root,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, stdout: new TextDecoder().decode(stdout), stderr: new TextDecoder().decode(stderr) };
}

/**
 * Checks what report.json (and report.md) say about where and how the report was made: the command
 * line as run, the machine, and the Deno, V8 and TypeScript versions of this runtime.
 */
function assertProvenance(report: Report, args: string[], markdown: string): void {
  assertEquals(report.command, ["deno", "task", "compare", ...args]);
  assertEquals(report.runtime, {
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
  });
  const { os, arch, cpus, cpuModel, memoryGiB, ...rest } = report.machine;
  assertEquals(rest, {}, "machine fields not checked here");
  assertEquals([os, arch], [Deno.build.os, Deno.build.arch]);
  assertEquals(cpus, cpuCount());
  assert(Number.isInteger(cpus) && cpus >= 1, `cpus: ${cpus}`);
  if (Deno.build.os === "linux") {
    // Read here too: the model is the one /proc/cpuinfo names.
    const cpuinfo = Deno.readTextFileSync("/proc/cpuinfo");
    if (/model name/.test(cpuinfo)) {
      assert(cpuModel !== undefined && cpuModel !== "" && cpuinfo.includes(cpuModel), `cpuModel: ${cpuModel}`);
    }
  }
  const totalGiB = Deno.systemMemoryInfo().total / 2 ** 30;
  assert(
    Number.isInteger(memoryGiB) && Math.abs(memoryGiB! - totalGiB) <= 0.5,
    `memoryGiB: ${memoryGiB}, the system has ${totalGiB} GiB`,
  );
  const created = Date.parse(report.createdAt);
  assert(Number.isFinite(created) && new Date(created).toISOString() === report.createdAt, report.createdAt);
  // report.md says the same.
  assertStringIncludes(markdown, `Command: \`deno task compare ${args.join(" ")}\``);
  assertStringIncludes(markdown, `Machine: ${os}/${arch}, ${cpus} CPUs`);
  assertStringIncludes(
    markdown,
    `Deno ${Deno.version.deno}, V8 ${Deno.version.v8}, TypeScript ${Deno.version.typescript}; ${report.createdAt}.`,
  );
}

reportIgnored();
/** The engines' columns, after the peers'. */
const ENGINES = ["distributed-memory", "distributed-redis"];
/** Where no Redis answers (and CI is not set), the Redis engine's cells say so instead of holding samples. */
const redisMissing = noSharedRedis !== undefined;

const BACKENDS = ["async", "cooperative", "atomics"];
const CASES = [
  "lock-uncontended",
  "lock-contended/2",
  "condition-ping-pong",
  "semaphore-limit",
  "queue-producer-consumer",
  "barrier-phases",
  "pool-map-cpu",
];

Deno.test("deno task compare --quick prints the table and writes the reports, a sample in every cell", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const args = ["--quick", "--out", dir];
    const { code, stdout, stderr } = await compare(args);
    assertEquals(code, 0, `${stdout}\n${stderr}`);
    // Not a terminal: progress comes as plain lines, on stderr.
    assertMatch(stderr, /^\[ *0%\] lock-uncontended \(at \d+\.\d s\)$/m);
    assert(!stderr.includes("\r"), "a progress bar was drawn on a pipe");

    const report = parseReport(await Deno.readTextFile(`${dir}/report.json`), "report.json");
    assertEquals(report.schema, REPORT_SCHEMA);
    assertProvenance(report, args, await Deno.readTextFile(`${dir}/report.md`));
    assertEquals(report.method.repetitions, 2);
    assertEquals(report.method.baseline, "async");
    assertEquals(report.cases.map((c) => c.id), CASES);

    const python = await hasPython();
    const peersOf = (id: string) => report.cases.find((c) => c.id === id)!.cells.map((c) => c.contender).slice(3);
    assertEquals(peersOf("lock-uncontended"), [
      "floor",
      "async-mutex",
      "await-lock",
      "esfx-semaphore",
      "p-limit",
      "atomics-floor",
      "v8-atomics-mutex",
      ...(python ? ["cpython"] : []),
      ...ENGINES,
    ]);
    assertEquals(peersOf("semaphore-limit"), [
      "async-mutex",
      "esfx-semaphore",
      "p-limit",
      ...(python ? ["cpython"] : []),
      ...ENGINES,
    ]);
    // The engines run every case but the process pool's.
    for (const c of report.cases) {
      const engines = c.cells.filter((cell) => cell.kind === "engine").map((cell) => cell.contender);
      assertEquals(engines, c.id === "pool-map-cpu" ? [] : ENGINES, c.id);
    }
    assertEquals(
      report.contenders.filter((c) => c.kind === "engine").map((c) => c.name),
      ENGINES,
    );
    for (const c of report.cases) {
      assertEquals(c.cells.slice(0, 3).map((cell) => cell.contender), BACKENDS, c.id);
      assertEquals(c.baseline, "async", c.id);
      for (const cell of c.cells) {
        const where = `${c.id} on ${cell.contender}`;
        if (redisMissing && cell.contender === "distributed-redis") {
          assertEquals(cell.status, "unavailable", where);
          assertStringIncludes(cell.reason ?? "", "set REDIS_URL", where);
          continue;
        }
        assertEquals([cell.status, cell.reason], ["measured", undefined], where);
        assertEquals(cell.samples.length, 2, where);
        for (const ms of cell.samples) assert(Number.isFinite(ms) && ms > 0, `${where}: sample ${ms}`);
        assertEquals(cell.ratios.length, 2, where);
        assert(cell.runsPerSample >= 1, where);
      }
    }

    // The table: a header and one row per cell, each with a time and a ratio (then the notes of
    // cells that are not available, after a blank line).
    const rows = stdout.trimEnd().split("\n\n")[0].split("\n");
    assertMatch(
      rows[0],
      /^case +contender +time\/run \(median\) +min - max +time\/op +ratio to async +ratio min - max$/,
    );
    const cells = report.cases.flatMap((c) => c.cells.map((cell) => [c.id, cell.contender]));
    assertEquals(rows.length, 1 + cells.length);
    cells.forEach(([id, contender], i) => {
      const row = rows[1 + i];
      assert(row.startsWith(id) && row.includes(` ${contender} `), `row '${row}' is not ${id} on ${contender}`);
      if (redisMissing && contender === "distributed-redis") assertMatch(row, /n\/a \[\d+\]$/, row);
      else assertMatch(row, /\d(\.\d+)? (ns|µs|ms|s) +\S.* +\d+(\.\d+)?x/, row);
    });

    await t.step({
      name: `the engine columns hold samples: memory:// and Redis at ${REDIS_URL}`,
      ignore: redisMissing,
      fn: () => {
        for (const c of report.cases.filter((c) => c.id !== "pool-map-cpu")) {
          for (const name of ENGINES) {
            const cell = c.cells.find((cell) => cell.contender === name);
            assertEquals(
              [cell?.kind, cell?.status, cell?.samples.length],
              ["engine", "measured", 2],
              `${c.id} on ${name}`,
            );
          }
        }
      },
    });

    const markdown = await Deno.readTextFile(`${dir}/report.md`);
    assertStringIncludes(markdown, "Command: `deno task compare --quick --out ");
    assertStringIncludes(markdown, "## Method");
    assertStringIncludes(markdown, "| case | contender | time/run (median) |");
    for (const c of report.cases) {
      const file = chartFileName(c.id);
      assertStringIncludes(markdown, `](${file})`);
      const svg = await Deno.readTextFile(`${dir}/${file}`);
      assertEquals(XMLValidator.validate(svg), true, `${file} is not well-formed XML`);
      assert(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), file);
      assert(!/href=|<script|@import|url\(/.test(svg), `${file} refers to something outside itself`);
      const bars = c.cells.filter((cell) => cell.status === "measured").length;
      assertEquals(svg.match(/fill-opacity="0.85"/g)?.length, bars, `${file}: one bar per measured cell`);
    }

    // A second, small run against the first as its baseline.
    const again = await compare([
      "--quick",
      "--workloads",
      "lock-uncontended",
      "--backends",
      "async,cooperative",
      "--peers",
      "none",
      "--baseline",
      `${dir}/report.json`,
      "--out",
      `${dir}/again`,
    ]);
    assertEquals(again.code, 0, again.stderr);
    const [header, ...lines] = again.stdout.trimEnd().split("\n");
    assert(header.endsWith("vs baseline file"), header);
    assertEquals(lines.slice(0, 2).map((line) => line.split(/ {2,}/)[1]), ["async", "cooperative"]);
    for (const line of lines.slice(0, 2)) assertMatch(line, /(slower|faster|same) \(\d+(\.\d+)?x\)$/, line);
    assertMatch(again.stdout, /slower\/faster only when the min-max ranges do not overlap/);
    assertStringIncludes(await Deno.readTextFile(`${dir}/again/report.md`), `Compared with \`${dir}/report.json\``);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task compare runs every workload it offers, the contended lock at 2, 8 and 64 threads, each run checked", async () => {
  // Every workload the tool lists, the ones among them; the smallest run the command line
  // allows: one repetition, samples of the minimum length, --quick's small units of work (enough
  // that the contended threads meet), no peers. All three backends: atomics starts 64 Workers.
  const names = compareWorkloads.map((w) => w.name);
  for (const name of [...CASES.map((id) => id.replace(/\/\d+$/, "")), "seeds"]) {
    assert(names.includes(name), `compare offers no '${name}' workload: ${names}`);
  }
  const dir = await Deno.makeTempDir();
  try {
    const args = [
      "--quick",
      "--workloads",
      names.join(","),
      "--threads",
      "2,8,64",
      "--backends",
      BACKENDS.join(","),
      "--peers",
      "none",
      "--repetitions",
      "1",
      "--duration",
      "1",
      "--out",
      dir,
    ];
    const { code, stdout, stderr } = await compare(args);
    assertEquals(code, 0, `${stdout}\n${stderr}`);
    const report = parseReport(await Deno.readTextFile(`${dir}/report.json`), "report.json");
    assertProvenance(report, args, await Deno.readTextFile(`${dir}/report.md`));
    assertEquals(report.method.repetitions, 1);
    assertEquals(
      report.cases.map((c) => c.id),
      compareWorkloads.flatMap((w) => w.threads === undefined ? [w.name] : [2, 8, 64].map((n) => `${w.name}/${n}`)),
    );
    for (const n of [2, 8, 64]) {
      // n threads, each incrementing the counter more than once under the lock.
      const c = report.cases.find((c) => c.id === `lock-contended/${n}`)!;
      const each = perThread({ threads: c.threads, iterations: c.iterations, quick: true });
      assertEquals([c.threads, c.ops], [n, each * n], c.id);
      assert(each >= 2, `${c.id}: ${each} increments per thread`);
    }
    for (const c of report.cases) {
      assertEquals(c.cells.map((cell) => cell.contender), BACKENDS, c.id);
      for (const cell of c.cells) {
        // "measured" is the verdict of a cell whose every run passed its check.
        const where = `${c.id} on ${cell.contender}`;
        assertEquals([cell.status, cell.reason], ["measured", undefined], where);
        assertEquals(cell.samples.length, 1, where);
        assert(Number.isFinite(cell.samples[0]) && cell.samples[0] > 0, `${where}: sample ${cell.samples[0]}`);
        assertEquals(cell.ratios.length, 1, where);
        assert(cell.runsPerSample >= 1, where);
      }
    }
    assert(!stderr.includes("failed their check"), stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task compare --json prints the report as JSON instead of the table", async () => {
  const dir = await Deno.makeTempDir();
  const { code, stdout, stderr } = await compare([
    "--out",
    dir,
    "--json",
    "--quick",
    "--workloads",
    "lock-uncontended,queue-producer-consumer",
    "--backends",
    "async,cooperative",
    "--peers",
    "floor",
  ]);
  assertEquals(code, 0, stderr);
  const report = parseReport(stdout, "stdout");
  assertEquals(
    report.cases.map((c) => [c.id, c.cells.map((cell) => [cell.contender, cell.status, cell.samples.length])]),
    [
      ["lock-uncontended", [["async", "measured", 2], ["cooperative", "measured", 2], ["floor", "measured", 2]]],
      ["queue-producer-consumer", [["async", "measured", 2], ["cooperative", "measured", 2]]],
    ],
  );
});

Deno.test("deno task compare --help lists the workloads, the peers and the engines", async () => {
  const { code, stdout } = await compare(["--help"]);
  assertEquals(code, 0);
  assertStringIncludes(stdout, "--peers a,b          peers and engines (listed below), or 'none'");
  assertMatch(stdout, /^workloads: lock-uncontended, lock-contended, .*, seeds$/m);
  assertMatch(stdout, /^peers here: floor, async-mutex, .*v8-atomics-mutex/m);
  assertMatch(stdout, /^engines: distributed-memory, distributed-redis$/m);
});

Deno.test("deno task compare: with no Redis at REDIS_URL, the Redis engine's cells say how to get one", async () => {
  const dir = await Deno.makeTempDir();
  // A port nobody listens on: take a free one and close it.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const url = `redis://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`;
  listener.close();
  try {
    const { code, stdout, stderr } = await compare([
      "--quick",
      "--workloads",
      "lock-uncontended,lock-contended",
      "--backends",
      "async",
      "--peers",
      "distributed-redis,distributed-memory",
      "--json",
      "--out",
      dir,
    ], { REDIS_URL: url });
    assertEquals(code, 0, stderr);
    const report = parseReport(stdout, "stdout");
    for (const c of report.cases) {
      const [redis, memory] = c.cells.slice(1);
      assertEquals([redis.contender, redis.kind, redis.status], ["distributed-redis", "engine", "unavailable"], c.id);
      assertStringIncludes(redis.reason ?? "", `no Redis answers at ${url}`);
      assertStringIncludes(redis.reason ?? "", "set REDIS_URL to a Redis 7 server, or start one (redis-server");
      assertEquals([memory.contender, memory.status, memory.samples.length], ["distributed-memory", "measured", 2]);
    }
    const listed = report.contenders.find((c) => c.name === "distributed-redis");
    assertStringIncludes(listed?.ended ?? "", "not available: no Redis answers");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task compare refuses bad input with a clear error and exit code 2", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/a-file`;
    await Deno.writeTextFile(file, "");
    const otherSchema = `${dir}/other.json`;
    await Deno.writeTextFile(otherSchema, JSON.stringify({ schema: "someone-else@1", cases: [] }));
    const cases: [string, string[], string][] = [
      ["an unknown workload", ["--workloads", "nope"], "'--workloads' names an unknown workload: received 'nope'"],
      [
        "an unknown backend",
        ["--backends", "async,fibers"],
        "'--backends' names an unknown backend: received 'fibers'",
      ],
      ["an unknown peer", ["--peers", "java"], "'--peers' names an unknown peer: received 'java'"],
      ["0 repetitions", ["--repetitions", "0"], "'--repetitions' must be an integer >= 1: received '0'"],
      ["an unknown option", ["--fast"], "'--fast' is not an option"],
      ["an unwritable --out", ["--out", `${file}/report`], `Cannot write the report to '${file}/report'`],
      [
        "a baseline of another schema",
        ["--baseline", otherSchema],
        `its schema must be 'locksmith-threading/compare-report@1': received "someone-else@1"`,
      ],
      ["a missing baseline", ["--baseline", `${dir}/missing.json`], `Cannot read baseline '${dir}/missing.json'`],
    ];
    for (const [what, args, message] of cases) {
      await t.step(what, async () => {
        const { code, stdout, stderr } = await compare(args);
        assertEquals(code, 2, `${stdout}\n${stderr}`);
        assertMatch(stderr, /^error: Cannot /m);
        assertStringIncludes(stderr, message);
        assertEquals(stdout, "");
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
