// The default entry points in a real edge runtime: `tests/edge/edge_worker.ts`
// is bundled with `deno bundle` and served by `workerd` (Cloudflare's
// runtime, from npm), and its report is checked. This is the claim that the
// `async` backend (and the `cooperative` explorer) run where there are no
// Web Workers and no `Atomics.wait`.
import { assertEquals } from "@std/assert";

const WORKERD_VERSION = "1.20261023.1";
const WORKERD = `npm:workerd@${WORKERD_VERSION}`;
const root = new URL("../", import.meta.url);

async function run(args: string[]): Promise<Deno.CommandOutput> {
  return await new Deno.Command(Deno.execPath(), { args, cwd: root, stdout: "piped", stderr: "piped" }).output();
}

/**
 * The `workerd` binary that `deno run npm:workerd` installed into Deno's npm
 * cache. It is run directly: killing `deno run npm:workerd` would leave the
 * binary it starts running.
 */
async function workerdBinary(): Promise<string> {
  const info = await run(["info", "--json"]);
  const { npmCache } = JSON.parse(new TextDecoder().decode(info.stdout)) as { npmCache: string };
  const os = { linux: "linux", darwin: "darwin", windows: "windows" }[Deno.build.os as string];
  const arch = { x86_64: "64", aarch64: "arm64" }[Deno.build.arch];
  const file = Deno.build.os === "windows" ? "workerd.exe" : "workerd";
  const tried: string[] = [];
  for await (const registry of Deno.readDir(npmCache)) {
    const path = `${npmCache}/${registry.name}/@cloudflare/workerd-${os}-${arch}/${WORKERD_VERSION}/bin/${file}`;
    tried.push(path);
    try {
      await Deno.stat(path);
      return path;
    } catch {
      // another registry's folder
    }
  }
  throw new Error(`Cannot find the workerd binary: tried ${tried.join(", ")}`);
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

Deno.test("edge: the default entry points run on the async backend, and the explorer too, in workerd", async () => {
  const dir = await Deno.makeTempDir({ prefix: "locksmith-edge-" });
  try {
    const bundled = await run([
      "bundle",
      "--platform",
      "browser",
      "-o",
      `${dir}/worker.js`,
      "tests/edge/edge_worker.ts",
    ]);
    assertEquals(bundled.code, 0, new TextDecoder().decode(bundled.stderr));
    const port = freePort();
    await Deno.writeTextFile(
      `${dir}/config.capnp`,
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = "2025-09-01",
  compatibilityFlags = ["nodejs_compat"],
);
`,
    );
    // Fetch the runtime first (not timed: the download may take a while).
    const version = await run(["run", "-A", WORKERD, "--version"]);
    assertEquals(version.code, 0, new TextDecoder().decode(version.stderr));
    const server = new Deno.Command(await workerdBinary(), {
      args: ["serve", `${dir}/config.capnp`],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let body: unknown = undefined;
    let stderr = new Uint8Array();
    try {
      // Bounded only so that a runtime that never comes up fails the test instead of hanging it.
      for (let attempt = 0; attempt < 300 && body === undefined; attempt++) {
        // A request that is accepted but never answered must not hang the test either.
        const abort = new AbortController();
        const timer = setTimeout(() => abort.abort(), 60_000);
        try {
          const response = await fetch(`http://127.0.0.1:${port}/`, { signal: abort.signal });
          const text = await response.text();
          body = response.ok ? JSON.parse(text) : `HTTP ${response.status}: ${text}`;
        } catch (error) {
          if (abort.signal.aborted) {
            throw new Error("workerd accepted the request but never answered", { cause: error });
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        } finally {
          clearTimeout(timer);
        }
      }
    } finally {
      try {
        server.kill();
      } catch {
        // it has exited already (a worker that fails to load ends workerd)
      }
      stderr = (await server.output()).stderr;
    }
    if (body === undefined) throw new Error(`workerd never answered:\n${new TextDecoder().decode(stderr)}`);
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
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
