// The experiment API example: a user's own workload (bank transfers under two Locks each, the body
// by module reference) timed on every backend through `runExperiment`, every run checked.
import { assertEquals, assertMatch } from "@std/assert";
import { pendingWaits, runningThreads } from "@locksmith/threading";
import { main as compareMyWorkload } from "../examples/compare_my_workload.ts";

Deno.test("compare_my_workload: the user's workload is measured on every backend, every run checked", async () => {
  const lines = await compareMyWorkload();
  assertEquals(lines[0], "backend: async, cooperative, atomics");
  assertMatch(
    lines[1],
    /^case +contender +time\/run \(median\) +min - max +time\/op +ratio to async +ratio min - max$/,
  );
  // One row per backend, each with a time (not `n/a`, not `FAILED`: a lost unit of money fails the run).
  assertEquals(lines.length, 5);
  assertMatch(lines[2], /^my-transfers +async +\d+(\.\d+)? (µs|ms|s) .* 1\.00x \(baseline\)$/);
  for (const [i, backend] of [[3, "cooperative"], [4, "atomics"]] as const) {
    assertMatch(lines[i], new RegExp(`^my-transfers +${backend} +\\d+(\\.\\d+)? (µs|ms|s) .* \\d+(\\.\\d+)?x$`));
  }
  assertEquals(runningThreads(), [], "threads left running");
  assertEquals(pendingWaits(), [], "waiters left behind");
});

Deno.test("compare_my_workload prints its table when run directly", async () => {
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "examples/compare_my_workload.ts"],
    cwd: new URL("../", import.meta.url),
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assertEquals(code, 0);
  const out = new TextDecoder().decode(stdout).split("\n");
  assertEquals(out[0], "backend: async, cooperative, atomics");
  assertEquals(out.filter((line) => line.startsWith("my-transfers")).length, 3);
});
