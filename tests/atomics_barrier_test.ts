// A shared Barrier off the happy path: its function action while the isolate
// that made it blocks, waits that must end within their timeout, and a
// party that dies after its cycle completed. The scenarios that block the
// main thread run in a child process (`workers/barrier_program.ts`), so
// that one that deadlocks is killed instead of the test runner.
import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { deadline } from "@std/async/deadline";
import { Barrier, BrokenBarrierError, pendingWaits, runningThreads, sleep, Thread } from "@locksmith/threading";

const atomics = { backend: "atomics" } as const;
const program = new URL("./workers/barrier_program.ts", import.meta.url).href;

async function run(mode: string): Promise<Record<string, unknown>> {
  const output = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", program, mode],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(40_000),
  }).output();
  const { code, stdout, stderr } = await deadline(output, 45_000);
  const text = new TextDecoder().decode(stdout).trim();
  assertEquals(code, 0, `the program failed or hung (killed): ${new TextDecoder().decode(stderr)}\n${text}`);
  return JSON.parse(text);
}

function start(target: string, args: unknown[]): Thread {
  const thread = new Thread({ ...atomics, target: { module: program, export: target }, args });
  thread.start();
  return thread;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  await deadline(
    (async () => {
      while (!condition()) await sleep(1);
    })(),
    20_000,
  ).catch(() => {
    throw new Error(`never happened: ${what}`);
  });
}

async function joined(threads: Thread[]): Promise<void> {
  for (const t of threads) await deadline(t.join(), 20_000);
  assertEquals(runningThreads(), [], "threads left running");
  assertEquals(pendingWaits(), [], "waiters left behind");
}

Deno.test("[atomics] Barrier: its function action runs while the isolate that made it blocks in waitSync", async () => {
  assertEquals(await run("sync-action"), { main: "index 0", worker: "index 1", runs: 1, broken: false, alive: false });
});

Deno.test("[atomics] Barrier: its function action runs for a Worker while the isolate that made it awaits wait()", async () => {
  assertEquals(await run("awaiting"), { main: "index 0", worker: "index 1", runs: 1, broken: false, alive: false });
});

Deno.test("[atomics] Barrier: an async action its blocked maker cannot await is a DeadlockError that says why", async () => {
  const result = await run("async-action");
  assertStringIncludes(result.worker as string, "DeadlockError: ");
  assertStringIncludes(result.worker as string, "blocked in waitSync");
  assertStringIncludes(result.main as string, "BrokenBarrierError");
  assertEquals([result.runs, result.broken, result.alive], [0, true, false]);
});

Deno.test("[atomics] Barrier: a wait whose action's isolate is blocked elsewhere still ends within its timeout", async () => {
  const result = await run("blocked-elsewhere");
  assertStringIncludes(result.worker as string, "BrokenBarrierError");
  assertStringIncludes(result.worker as string, "200 ms");
  assertStringIncludes(result.main as string, "BrokenBarrierError");
  assertEquals([result.runs, result.broken, result.alive], [0, true, false]);
});

Deno.test("[atomics] Barrier: wait(timeout) ends within its timeout while a party of the last cycle is still on its way out", async () => {
  const barrier = new Barrier(2, null, null, atomics);
  const flags = new Int32Array(new SharedArrayBuffer(16));
  const t = start("busyParty", [barrier, flags, false]);
  try {
    await until(() => barrier.nWaiting === 1 && Atomics.load(flags, 1) === 1, "the Worker waits and spins");
    assertEquals(await deadline(barrier.wait(), 20_000), 1);
    // The Worker was woken but cannot leave yet: a wait now must still give up after 100 ms.
    const error = await assertRejects(() => deadline(barrier.wait(100), 20_000), BrokenBarrierError);
    assertStringIncludes(error.message, "100 ms");
  } finally {
    Atomics.store(flags, 0, 1);
    Atomics.notify(flags, 0);
    await joined([t]);
  }
  assertEquals(Atomics.load(flags, 2), 1, "the Worker passed its cycle with index 0");
});

Deno.test("[atomics] Barrier: a party that dies after its cycle completed does not keep the barrier from its next cycle", async () => {
  const barrier = new Barrier(2, null, null, atomics);
  const flags = new Int32Array(new SharedArrayBuffer(16));
  const dying = start("busyParty", [barrier, flags, true]);
  await until(() => barrier.nWaiting === 1 && Atomics.load(flags, 1) === 1, "the Worker waits and spins");
  assertEquals(await deadline(barrier.wait(), 20_000), 1);
  Atomics.store(flags, 0, 1);
  Atomics.notify(flags, 0);
  await joined([dying]);
  assertEquals(Atomics.load(flags, 2), 0, "the Worker died before its wait went on");
  // The next cycle: this thread and a new Worker party.
  const next = new Int32Array(new SharedArrayBuffer(16));
  const party = start("busyParty", [barrier, next, false]);
  try {
    await until(() => barrier.nWaiting === 1 && Atomics.load(next, 1) === 1, "the new party waits");
    Atomics.store(next, 0, 1);
    Atomics.notify(next, 0);
    assertEquals(await deadline(barrier.wait(), 20_000), 1);
  } finally {
    if (barrier.nWaiting > 0) barrier.abort();
    Atomics.store(next, 0, 1);
    await joined([party]);
  }
  assertEquals(Atomics.load(next, 2), 1);
  assert(!barrier.broken);
});
