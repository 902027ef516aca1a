// A module target whose top-level code starts threads, unguarded by
// `import.meta.main`: every Worker that imports it to find its target would
// start another Worker. As Python does under spawn, the start is refused in
// the Worker with a RuntimeError that explains the guard; the program runs
// on and ends. Each program runs in a child process, killed if it does not
// end (the old behaviour: Workers without end).
import { assert, assertEquals, assertStringIncludes } from "@std/assert";

async function runUnguarded(mode: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const program = new URL("./workers/unguarded_program.ts", import.meta.url);
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", program.href, mode],
    stdout: "piped",
    stderr: "piped",
    // A bound only: a program that starts Workers without end is killed here.
    signal: AbortSignal.timeout(20_000),
  }).output();
  return { code, stdout: new TextDecoder().decode(stdout), stderr: new TextDecoder().decode(stderr) };
}

Deno.test("[atomics] unguarded module: a Thread started by a target module's top level, in the Worker that imports it, is refused", async () => {
  const { code, stdout, stderr } = await runUnguarded("thread");
  assertEquals(code, 0, stderr);
  assertEquals(stdout, "main done\n", "the target never runs: its module failed to load in the Worker");
  assertStringIncludes(stderr, "RuntimeError");
  assertStringIncludes(stderr, "import.meta.main");
});

Deno.test("[atomics] unguarded module: a Process likewise ends with exitcode 1 and the RuntimeError on stderr", async () => {
  const { code, stdout, stderr } = await runUnguarded("process");
  assertEquals(code, 0, stderr);
  assertEquals(stdout, "exitcode 1\nmain done\n");
  assertStringIncludes(stderr, "import.meta.main");
});

Deno.test("[atomics] unguarded module: a Pool's call whose module starts a Pool fails with the RuntimeError", async () => {
  const { code, stdout, stderr } = await runUnguarded("pool");
  assertEquals(code, 0, stderr);
  assert(stdout.startsWith("main caught RuntimeError: "), stdout);
  assertStringIncludes(stdout, "import.meta.main");
});
