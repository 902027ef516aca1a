// The experiment API (`@locksmith/threading/experiment`): the method (warm-up, interleaved
// repetitions, per-repetition ratios, checked runs), the contenders (backends, function peers, child
// processes that crash before or after measuring), the reports, and clear errors for bad input.
import { assert, assertEquals, assertMatch, assertRejects, assertStringIncludes, assertThrows } from "@std/assert";
import { XMLValidator } from "fast-xml-parser";
import { Lock, Thread, ValueError } from "@locksmith/threading";
import {
  childProcessPeer,
  compareWithBaseline,
  type Contender,
  formatTable,
  functionPeer,
  parseReport,
  progressDisplay,
  renderChart,
  type Report,
  runExperiment,
  Unavailable,
  type Workload,
  writeReport,
} from "@locksmith/threading/experiment";

const quick = { repetitions: 3, sampleMs: 1, warmUpMs: 1 } as const;

/** A contender whose every run "takes" `msPerRun`, recording the order in which it is sampled. */
function fakeContender(name: string, msPerRun: number, order: string[]): Contender {
  return {
    name,
    kind: "peer",
    implements: () => true,
    open: () =>
      Promise.resolve({
        sample: (runs: number) => {
          order.push(name);
          return Promise.resolve({ ms: runs * msPerRun });
        },
        close: () => Promise.resolve(),
      }),
  };
}

Deno.test("runExperiment interleaves the repetitions and takes ratios per repetition", async () => {
  const order: string[] = [];
  const report = await runExperiment({
    workloads: [{ name: "w", iterations: 10 }],
    backends: [],
    peers: [fakeContender("a", 1, order), fakeContender("b", 2, order), fakeContender("c", 4, order)],
    repetitions: 3,
    sampleMs: 1,
    warmUpMs: 0,
    baseline: "a",
  });
  // One warm-up run each, then round robin starting one later each repetition.
  assertEquals(order, ["a", "b", "c", "a", "b", "c", "b", "c", "a", "c", "a", "b"]);
  const [a, b, c] = report.cases[0].cells;
  assertEquals(report.cases[0].baseline, "a");
  assertEquals(a.ratios, [1, 1, 1]);
  assertEquals(b.ratios, [2, 2, 2]);
  assertEquals(c.ratio, { median: 4, min: 4, max: 4 });
  assertEquals(b.samples, [2, 2, 2]);
  assertEquals(b.nsPerOp?.median, 2e5); // 2 ms per run of 10 operations
});

Deno.test("runExperiment reports a wrong run as a failure, not a speed", async () => {
  let runs = 0;
  const report = await runExperiment({
    workloads: [{
      name: "counts",
      iterations: 5,
      run: ({ backend }) => backend === "cooperative" && ++runs > 2 ? 4 : 5,
      check: (result, { iterations }) => result === iterations ? undefined : `counted ${result} of ${iterations}`,
    }],
    backends: ["async", "cooperative"],
    ...quick,
  });
  const [ok, wrong] = report.cases[0].cells;
  assertEquals(ok.status, "measured");
  assertEquals(wrong.status, "failed");
  assertEquals(wrong.reason, "counted 4 of 5");
  assertEquals(wrong.ratio, undefined);
  assertMatch(formatTable(report), /counts +cooperative +FAILED \[1\]/);
  assertStringIncludes(formatTable(report), "[1] counted 4 of 5");
});

Deno.test("runExperiment fails a cell whose thread raised, and one that leaves a thread running", async () => {
  const report = await runExperiment({
    workloads: [
      {
        name: "raises",
        run: async ({ backend }) => {
          const t = new Thread({ backend, name: "raiser", target: () => Promise.reject(new Error("boom")) });
          t.start();
          await t.join();
        },
      },
      {
        name: "leaves",
        run: ({ backend }) => {
          const lock = new Lock({ backend });
          lock.acquireSync();
          const t = new Thread({ backend, name: "left", target: () => lock.acquire() });
          t.start();
          // The thread stays blocked on the lock after the run: released at the end of the test.
          setTimeout(() => lock.release(), 50);
        },
      },
    ],
    backends: ["async"],
    ...quick,
  });
  assertEquals(report.cases[0].cells[0].status, "failed");
  assertEquals(report.cases[0].cells[0].reason, "exception in thread raiser: Error: boom");
  assertEquals(report.cases[1].cells[0].status, "failed");
  assertEquals(report.cases[1].cells[0].reason, "threads left running: left");
  await new Promise((resolve) => setTimeout(resolve, 100));
});

Deno.test("runExperiment gives a backend that cannot run a workload an unavailable cell with the reason", async () => {
  const report = await runExperiment({
    workloads: [{ name: "w", run: () => 1, unsupported: { cooperative: "needs real time" } }],
    backends: ["async", "cooperative"],
    ...quick,
  });
  assertEquals(report.cases[0].cells.map((c) => [c.status, c.reason]), [
    ["measured", undefined],
    ["unavailable", "needs real time"],
  ]);
});

Deno.test("A function peer of kind engine is reported as an engine, its runs checked as the backends' are", async () => {
  const workloads: Workload[] = [{
    name: "w",
    run: () => 1,
    check: (result) => result === 1 ? undefined : `got ${result}`,
  }, { name: "other", run: () => 1 }];
  const report = await runExperiment({
    workloads,
    backends: ["async"],
    peers: [
      functionPeer({ name: "right", kind: "engine", runs: { w: () => 1 } }),
      functionPeer({ name: "wrong", kind: "engine", runs: { w: () => 2 } }),
      functionPeer({ name: "library", runs: { w: () => 1 } }),
    ],
    ...quick,
  });
  assertEquals(report.contenders.map((c) => [c.name, c.kind]), [
    ["async", "backend"],
    ["right", "engine"],
    ["wrong", "engine"],
    ["library", "peer"],
  ]);
  assertEquals(report.cases[0].cells.map((c) => [c.contender, c.kind, c.status, c.reason]), [
    ["async", "backend", "measured", undefined],
    ["right", "engine", "measured", undefined],
    ["wrong", "engine", "failed", "got 2"],
    ["library", "peer", "measured", undefined],
  ]);
  assertEquals(report.cases[1].cells.map((c) => c.contender), ["async"]);
  assertThrows(
    () => functionPeer({ name: "x", kind: "backend" as never, runs: {} }),
    TypeError,
    `'kind' must be "peer" or "engine": received backend`,
  );
});

Deno.test("runExperiment expands thread counts into cases and runs module-referenced workloads", async () => {
  const report = await runExperiment({
    workloads: [{
      name: "transfers",
      threads: [1, 2],
      iterations: 10,
      run: { module: new URL("../examples/compare_my_workload.ts", import.meta.url).href, export: "transfers" },
      check: (total) => total === 8000 ? undefined : `the bank holds ${total}`,
    }],
    backends: ["async"],
    threads: [2],
    ...quick,
  });
  assertEquals(report.cases.map((c) => c.id), ["transfers/2"]);
  assertEquals(report.cases[0].cells[0].status, "measured");
});

Deno.test("runExperiment refuses bad options with clear errors", async (t) => {
  const workloads: Workload[] = [{ name: "w", run: () => 1 }];
  const cases: [string, Parameters<typeof runExperiment>[0], string][] = [
    ["0 repetitions", { workloads, repetitions: 0 }, "'repetitions' must be an integer >= 1: received 0"],
    ["an unknown backend", { workloads, backends: ["nope"] }, "unknown backend: received 'nope'"],
    ["no workloads", { workloads: [] }, "'workloads' must be a non-empty array"],
    ["a bad name", { workloads: [{ name: "a b" }] }, `letters, digits and dashes: received "a b"`],
    ["a workload twice", { workloads: [...workloads, ...workloads] }, "workload 'w' is given twice"],
    ["an unknown baseline", { workloads, backends: ["async"], baseline: "x" }, "'baseline' must be one of"],
  ];
  for (const [what, options, message] of cases) {
    await t.step(what, () => assertRejects(() => runExperiment(options), ValueError, message));
  }
});

/** A child peer written in TypeScript: `behaviour` decides when it dies. */
function scriptedChild(behaviour: "dies-on-open" | "exits-1-at-end"): Contender {
  const script = `
    const out = (o) => Deno.stdout.writeSync(new TextEncoder().encode(JSON.stringify(o) + "\\n"));
    let buffered = "";
    for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      for (let nl = buffered.indexOf("\\n"); nl !== -1; nl = buffered.indexOf("\\n")) {
        const request = JSON.parse(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
        if (request.op === "hello") out({ workloads: ["w"], note: "scripted" });
        else if (request.op === "open") {
          if (${JSON.stringify(behaviour)} === "dies-on-open") { console.error("crashed on purpose"); Deno.exit(3); }
          out({ ok: true });
        } else if (request.op === "sample") out({ ms: request.runs * 0.5 });
        else out({ ok: true });
      }
    }
    Deno.exit(${behaviour === "exits-1-at-end" ? 1 : 0});
  `;
  return childProcessPeer({ name: "child", command: Deno.execPath(), args: ["eval", script] });
}

Deno.test("A child peer that dies before measuring is unavailable; one that dies after is measured", async () => {
  const workloads: Workload[] = [{ name: "w", run: () => 1 }];
  const before = await runExperiment({
    workloads,
    backends: ["async"],
    peers: [scriptedChild("dies-on-open")],
    ...quick,
  });
  const dead = before.cases[0].cells[1];
  assertEquals(dead.status, "unavailable");
  assertMatch(dead.reason!, /^child ended \(exit code 3\) before answering 'open': crashed on purpose$/);

  const after = await runExperiment({
    workloads,
    backends: ["async"],
    peers: [scriptedChild("exits-1-at-end")],
    ...quick,
  });
  const measured = after.cases[0].cells[1];
  assertEquals(measured.status, "measured");
  assertEquals(measured.samples, [0.5, 0.5, 0.5]);
  assertEquals(after.contenders[1], {
    name: "child",
    kind: "peer",
    note: "scripted",
    ended: "child exited with exit code 1 after its last answer",
  });
});

Deno.test("A child peer whose program is missing is unavailable, with the reason", async () => {
  const peer = childProcessPeer({ name: "ghost", command: "no-such-program-here", workloads: ["w"] });
  const report = await runExperiment({
    workloads: [{ name: "w", run: () => 1 }],
    backends: ["async"],
    peers: [peer],
    ...quick,
  });
  assertEquals(report.cases[0].cells[1].status, "unavailable");
  assertStringIncludes(report.cases[0].cells[1].reason!, "Cannot start no-such-program-here");
  await assertRejects(() => peer.open(report.cases[0] as never), Unavailable);
});

Deno.test("writeReport writes the JSON, the Markdown and a well-formed SVG per case", async () => {
  const report = await runExperiment({
    workloads: [{ name: "w", threads: [1, 2], run: () => 1 }],
    backends: ["async", "cooperative"],
    peers: [fakeContender(`odd <name> & "quotes" 'too'`, 0.01, [])],
    command: ["deno", "run", "x.ts", "--flag=<&>"],
    ...quick,
  });
  const dir = await Deno.makeTempDir();
  try {
    // The times the run chose are given as durations, not as raw floats (a 60 s run over 13 cells: 1000/13 ms each).
    const written = await writeReport({
      ...report,
      method: { ...report.method, warmUpMs: 1000 / 13, sampleMs: 1000 / 13 },
    }, dir);
    const back = parseReport(await Deno.readTextFile(written.json), written.json);
    assertEquals(back.cases.length, 2);
    assertEquals(back.command, ["deno", "run", "x.ts", "--flag=<&>"]);
    const markdown = await Deno.readTextFile(written.markdown);
    assertStringIncludes(markdown, "## Method");
    assertStringIncludes(markdown, "warm-up 76.9 ms, samples of about 76.9 ms,");
    assertStringIncludes(markdown, "![w/2](w-2.svg)");
    for (const [id, path] of written.charts) {
      const svg = await Deno.readTextFile(path);
      assertEquals(XMLValidator.validate(svg), true, `${id}: not well-formed`);
      assertStringIncludes(svg, "odd &lt;name&gt; &amp; &quot;quotes&quot; &apos;too&apos;");
      // One bar per measured cell.
      assertEquals(svg.match(/fill-opacity="0.85"/g)?.length, 3);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("renderChart shows failed and unavailable cells as text, not bars", () => {
  const report = {
    machine: { os: "linux", arch: "x86_64", cpus: 2 },
    runtime: { deno: "x", v8: "y", typescript: "z" },
    method: { repetitions: 1 },
    createdAt: "now",
    contenders: [{ name: "a", kind: "backend" }, { name: "b", kind: "peer" }],
  } as unknown as Report;
  const svg = renderChart(report, {
    id: "w",
    workload: "w",
    title: "t",
    threads: 1,
    iterations: 1,
    ops: 1,
    baseline: null,
    cells: [
      {
        contender: "a",
        kind: "backend",
        status: "failed",
        reason: "lost 1",
        runsPerSample: 1,
        samples: [],
        ratios: [],
      },
      {
        contender: "b",
        kind: "peer",
        status: "unavailable",
        reason: "no python",
        runsPerSample: 0,
        samples: [],
        ratios: [],
      },
    ],
  });
  assertEquals(XMLValidator.validate(svg), true);
  assertStringIncludes(svg, "FAILED: lost 1");
  assertStringIncludes(svg, "n/a: no python");
  assertEquals(svg.match(/fill-opacity="0.85"/g), null);
});

Deno.test("compareWithBaseline marks changes only outside both runs' ranges", () => {
  const cell = (contender: string, min: number, max: number) => ({
    contender,
    status: "measured",
    nsPerOp: { median: (min + max) / 2, min, max },
  });
  const now = { cases: [{ id: "w", cells: [cell("a", 30, 40), cell("b", 1, 2), cell("c", 10, 20), cell("d", 1, 1)] }] };
  const old = { cases: [{ id: "w", cells: [cell("a", 10, 20), cell("b", 5, 6), cell("c", 15, 25)] }] };
  const verdicts = compareWithBaseline(now as unknown as Report, old as unknown as Report);
  assertEquals(verdicts.get("w|a"), { verdict: "slower", change: 35 / 15 });
  assertEquals(verdicts.get("w|b")?.verdict, "faster");
  assertEquals(verdicts.get("w|c")?.verdict, "same");
  assertEquals(verdicts.get("w|d")?.verdict, "new");
});

Deno.test("parseReport refuses text that is not a report of this schema", () => {
  assertThrows(() => parseReport("{", "a.json"), TypeError, "Cannot read report 'a.json' as it is not JSON");
  assertThrows(
    () => parseReport('{"schema":"someone-else@2","cases":[]}', "b.json"),
    TypeError,
    `its schema must be 'locksmith-threading/compare-report@1': received "someone-else@2"`,
  );
});

Deno.test("progressDisplay draws a bar on a terminal", () => {
  let text = "";
  const progress = progressDisplay({
    isTerminal: () => true,
    writeSync: (bytes) => (text += new TextDecoder().decode(bytes), bytes.length),
  });
  progress.report({ done: 1, total: 4, caseId: "w", contender: "async", step: "sample" });
  assert(text.startsWith("\r[" + "#".repeat(8) + ".".repeat(22) + "]  25% w on async"), JSON.stringify(text));
  progress.finish();
  assert(text.endsWith("\r"));
});
