/**
 * The `v8-atomics-mutex` peer of `deno task compare`: V8's native
 * `Atomics.Mutex`, which exists only under `--v8-flags=--harmony-struct`.
 * Run as a child process speaking the experiment's line protocol (see
 * `childProcessPeer`): with that flag Deno 2.9.6 crashes as it exits, so it
 * must not run in the comparison's own process.
 *
 * @module
 */
interface NativeMutex {
  lock(mutex: object, fn: () => void): void;
}
const Mutex = (Atomics as unknown as { Mutex?: NativeMutex & (new () => object) }).Mutex;

let open: { workload: string; iterations: number } | undefined;

function answer(request: Record<string, unknown>): Record<string, unknown> {
  switch (request.op) {
    case "hello":
      return {
        workloads: Mutex ? ["lock-uncontended"] : [],
        note: `V8 ${Deno.version.v8} Atomics.Mutex (--harmony-struct)`,
      };
    case "open":
      if (Mutex === undefined) {
        return { unavailable: "Atomics.Mutex is missing: V8 was not started with --harmony-struct" };
      }
      if (request.workload !== "lock-uncontended") return { unavailable: `no version of ${request.workload}` };
      open = { workload: String(request.workload), iterations: Number(request.iterations) };
      return { ok: true };
    case "sample": {
      if (open === undefined || Mutex === undefined) return { error: "sample before open" };
      const mutex = new Mutex();
      let ms = 0;
      for (let r = 0; r < Number(request.runs); r++) {
        let got = 0;
        const start = performance.now();
        for (let i = 0; i < open.iterations; i++) Mutex.lock(mutex, () => void got++);
        ms += performance.now() - start;
        if (got !== open.iterations) return { ms, problem: `acquisitions: ${got}, expected ${open.iterations}` };
      }
      return { ms };
    }
    case "close":
      open = undefined;
      return { ok: true };
    default:
      return { error: `unknown op ${JSON.stringify(request.op)}` };
  }
}

if (import.meta.main) {
  const encoder = new TextEncoder();
  let buffered = "";
  for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
    buffered += chunk;
    for (let nl = buffered.indexOf("\n"); nl !== -1; nl = buffered.indexOf("\n")) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line === "") continue;
      Deno.stdout.writeSync(encoder.encode(JSON.stringify(answer(JSON.parse(line))) + "\n"));
    }
  }
}
