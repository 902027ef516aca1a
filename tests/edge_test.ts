// The default entry points in a real edge runtime: `tests/edge/edge_worker.ts`
// is bundled with `deno bundle` and served by `workerd` (Cloudflare's
// runtime, from npm), and its report is checked. This is the claim that the
// `async` backend (and the `cooperative` explorer) run where there are no
// Web Workers and no `Atomics.wait`.
import { assertEquals } from "@std/assert";
import { serveAndFetch } from "./edge/_workerd.ts";

Deno.test("edge: the default entry points run on the async backend, and the explorer too, in workerd", async () => {
  const body = await serveAndFetch("tests/edge/edge_worker.ts");
  assertEquals(body, {
    backend: "async",
    counter: 400,
    queue: [0, 1, 2, 3, 4],
    event: true,
    semaphore: [true, true, false],
    condition: "woken",
    executor: [10, 20, 30],
    pool: [1, 4, 9, 16],
    lowLevel: true,
    explorer: { found: true, replayed: true, lockedOk: true },
  });
});
