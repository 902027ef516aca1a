/**
 * Serves a worker module with `workerd` (Cloudflare's runtime, from npm)
 * and fetches one response from it: the edge tests bundle a worker with
 * `deno bundle`, and check the JSON report it answers with.
 *
 * @module
 */

export const WORKERD_VERSION = "1.20261023.1";
const WORKERD = `npm:workerd@${WORKERD_VERSION}`;
const root = new URL("../../", import.meta.url);

/** Runs `deno <args>` in the repository. */
export async function run(args: string[]): Promise<Deno.CommandOutput> {
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

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * Bundles `entry` (a path in the repository), serves it with workerd and
 * returns the parsed JSON of its answer to `GET /<query>`.
 *
 * @param external Modules left to the runtime (`cloudflare:sockets`).
 * @param outbound Lets the worker open sockets to local addresses.
 * @param compatibilityFlags workerd's compatibility flags (default `["nodejs_compat"]`: Node's modules and
 * globals such as `setImmediate`).
 */
export async function serveAndFetch(
  entry: string,
  query = "",
  options: { external?: string[]; outbound?: boolean; compatibilityFlags?: string[] } = {},
): Promise<unknown> {
  const flags = (options.compatibilityFlags ?? ["nodejs_compat"]).map((flag) => JSON.stringify(flag)).join(", ");
  const dir = await Deno.makeTempDir({ prefix: "locksmith-edge-" });
  try {
    const bundled = await run([
      "bundle",
      "--platform",
      "browser",
      ...(options.external ?? []).flatMap((name) => ["--external", name]),
      "-o",
      `${dir}/worker.js`,
      entry,
    ]);
    if (bundled.code !== 0) throw new Error(new TextDecoder().decode(bundled.stderr));
    const port = freePort();
    const network = options.outbound ? `, (name = "internet", network = (allow = ["public", "private", "local"]))` : "";
    await Deno.writeTextFile(
      `${dir}/config.capnp`,
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)${network}],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = "2025-09-01",
  compatibilityFlags = [${flags}],${options.outbound ? `\n  globalOutbound = "internet",` : ""}
);
`,
    );
    // Fetch the runtime first (not timed: the download may take a while).
    const version = await run(["run", "-A", WORKERD, "--version"]);
    if (version.code !== 0) throw new Error(new TextDecoder().decode(version.stderr));
    const server = new Deno.Command(await workerdBinary(), {
      args: ["serve", `${dir}/config.capnp`],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let body: unknown = undefined;
    let stderr = new Uint8Array();
    // A worker that fails to load ends workerd: then there is nothing more to wait for.
    let exited = false;
    server.status.then(() => exited = true);
    try {
      // Bounded only so that a runtime that never comes up fails the test instead of hanging it.
      for (let attempt = 0; attempt < 300 && body === undefined && !exited; attempt++) {
        // A request that is accepted but never answered must not hang the test either.
        const abort = new AbortController();
        const timer = setTimeout(() => abort.abort(), 60_000);
        try {
          const response = await fetch(`http://127.0.0.1:${port}/${query}`, { signal: abort.signal });
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
    return body;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
