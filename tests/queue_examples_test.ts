// Runs the queue, pool and futures examples on every registered backend, and checks their output: exactly where it does not depend on the schedule, by its
// invariants elsewhere.
import { assertEquals, assertMatch } from "@std/assert";
import { type ExampleCase, testExamples } from "./_example_cases.ts";
import { main as queuePipeline } from "../examples/queue_pipeline.ts";
import { main as poolMap } from "../examples/pool_map.ts";
import { main as asCompleted } from "../examples/as_completed.ts";

const cases: ExampleCase[] = [
  {
    name: "queue_pipeline: 10 jobs through 3 workers, every one joined and collected",
    main: queuePipeline,
    check: (lines) => {
      assertEquals(lines.length, 7);
      assertEquals(lines[0], "producer: put 10 jobs on a queue of maxsize 3");
      assertEquals(lines[1], "jobs.join() returned: 0 unfinished tasks");
      // The workers share the jobs as the schedule decides, but every job is processed once.
      const counts = lines.slice(2, 5).map((line) => {
        const match = line.match(/^worker-(\d): processed (\d+) jobs$/);
        if (match === null) throw new Error(`unexpected line '${line}'`);
        return [Number(match[1]), Number(match[2])];
      });
      assertEquals(counts.map(([w]) => w).sort(), [1, 2, 3]);
      assertEquals(counts.reduce((sum, [, n]) => sum + n, 0), 10);
      assertEquals(lines[5], "consumer: 10 results: 1²=1 2²=4 3²=9 4²=16 5²=25 6²=36 7²=49 8²=64 9²=81 10²=100");
      assertEquals(lines[6], "results.join() returned: the consumer saw everything");
    },
  },
  {
    name: "pool_map: Pool(4).map returns the sizes in order, on threads or on Workers",
    main: poolMap,
    check: (lines, backend) =>
      assertEquals(lines, [
        `${backend === "atomics" ? "multiprocessing" : "multiprocessing.dummy"} Pool(4).map over 8 urls:`,
        "  https://www.python.org/ -> 2300 bytes",
        "  https://docs.python.org/3/library/threading.html -> 4800 bytes",
        "  https://docs.python.org/3/library/multiprocessing.html -> 5400 bytes",
        "  https://deno.com/ -> 1700 bytes",
        "  https://jsr.io/ -> 1500 bytes",
        "  https://example.com/ -> 2000 bytes",
        "  https://example.org/index.html -> 3000 bytes",
        "  https://www.ietf.org/rfc/rfc9110.txt -> 3600 bytes",
        "total 24300 bytes",
      ]),
  },
  {
    name: "as_completed: the downloads are reported as they finish, the failure in its turn",
    main: asCompleted,
    check: (lines) => {
      assertEquals(lines[0], "submitted 5 downloads");
      // Their durations are 50 ms apart: they complete in duration order.
      assertEquals(lines.slice(1, 6).map((line) => line.split(" ")[1]), [
        "https://example.com/index.html",
        "https://example.com/style.css",
        "https://example.com/missing.png",
        "https://example.com/photo.jpg",
        "https://example.com/big.iso",
      ]);
      assertMatch(lines[3], /^failed: \S+ \(404 Not Found: \S+\)$/);
      for (const i of [1, 2, 4, 5]) assertMatch(lines[i], /^done: \S+ \(\d+ bytes\)$/);
      assertEquals(lines[6], "total: 115000 bytes");
      assertEquals(lines.length, 7);
    },
  },
];

testExamples(cases);

Deno.test("Examples print their lines when run directly", async () => {
  for (const name of ["queue_pipeline", "pool_map", "as_completed"]) {
    const { code, stdout } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `examples/${name}.ts`, "--backend=async"],
      cwd: new URL("../", import.meta.url),
      stdout: "piped",
      stderr: "inherit",
    }).output();
    assertEquals(code, 0, name);
    assertEquals(new TextDecoder().decode(stdout).split("\n")[0], "backend: async", name);
  }
});
