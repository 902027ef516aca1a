/**
 * Redis for the distributed tests: the shared server (`REDIS_URL`, default
 * `redis://127.0.0.1:6379`), private servers a fault test starts on a free
 * port and stops by pid (`redis-server` on PATH), a raw client for checks,
 * and the declared capability that ignores Redis cases on a machine with
 * neither (never under `CI=true`, where they must run).
 *
 * @module
 */
import { RespConnection } from "../../distributed/_resp.ts";
import { runtimeDial } from "../../distributed/_transport.ts";

/** The shared server's URL. */
export const REDIS_URL: string = Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379";

/** A raw connection to a server, for checks and cleanup. */
export async function raw(url: string = REDIS_URL): Promise<RespConnection> {
  const parsed = new URL(url);
  const connection = new RespConnection(await runtimeDial()!(parsed.hostname, Number(parsed.port || 6379)));
  const db = parsed.pathname.replace(/^\//, "");
  if (db !== "" && db !== "0") await connection.send(["SELECT", db]);
  return connection;
}

async function reachable(url: string): Promise<boolean> {
  try {
    const connection = await raw(url);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const reply = await Promise.race([
      connection.send(["PING"]),
      new Promise((resolve) => timer = setTimeout(resolve, 1000, null)),
    ]);
    clearTimeout(timer);
    await connection.close();
    return reply === "PONG";
  } catch {
    return false;
  }
}

async function hasRedisServer(): Promise<boolean> {
  try {
    const { code } = await new Deno.Command("redis-server", { args: ["--version"], stdout: "null", stderr: "null" })
      .output();
    return code === 0;
  } catch {
    return false;
  }
}

/** Whether the shared server answers. */
export const sharedRedis: boolean = await reachable(REDIS_URL);
/** Whether `redis-server` can be started. */
export const redisServer: boolean = await hasRedisServer();
const ci = Deno.env.get("CI") === "true";

const HOW = "set REDIS_URL to a Redis 7 server, or install redis-server (Debian: apt-get install redis-server)";

/** Why the cases that need the shared server cannot run here (undefined: they can, or must: CI). */
export const noSharedRedis: string | undefined = sharedRedis || ci
  ? undefined
  : `no Redis answers at ${REDIS_URL}: ${HOW}`;
/** Why the cases that start their own server cannot run here. */
export const noRedisServer: string | undefined = redisServer || ci ? undefined : `no redis-server on PATH: ${HOW}`;

let reported = false;
/** Prints, once, the line that says why Redis cases are ignored. */
export function reportIgnored(): void {
  const why = noSharedRedis ?? noRedisServer;
  if (why !== undefined && !reported) {
    reported = true;
    console.log(`Redis cases ignored: ${why}`);
  }
}

/** A unique key prefix for one test. */
export function uniquePrefix(label: string): string {
  return `lt-${label}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Deletes every key under `prefix` on the server at `url`. */
export async function deleteKeys(prefix: string, url: string = REDIS_URL): Promise<void> {
  const connection = await raw(url);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await connection.send(["SCAN", cursor, "MATCH", `${prefix}:*`, "COUNT", 1000]) as [
        string,
        string[],
      ];
      cursor = next;
      if (keys.length > 0) await connection.send(["DEL", ...keys]);
    } while (cursor !== "0");
  } finally {
    await connection.close();
  }
}

/** The keys under `prefix` on the server at `url`. */
export async function keysUnder(prefix: string, url: string = REDIS_URL): Promise<string[]> {
  const connection = await raw(url);
  try {
    return await connection.send(["KEYS", `${prefix}:*`]) as string[];
  } finally {
    await connection.close();
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** A private `redis-server` this test started. */
export class PrivateRedis {
  #process: Deno.ChildProcess | undefined;
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  readonly #args: string[];

  private constructor(port: number, dir: string, args: string[]) {
    this.port = port;
    this.url = `redis://127.0.0.1:${port}`;
    this.dir = dir;
    this.#args = args;
  }

  /**
   * Starts a server on a free port (in a temporary directory).
   *
   * @param durable `appendonly yes` + `appendfsync always` (survives a SIGKILL).
   */
  static async start(options: { durable?: boolean } = {}): Promise<PrivateRedis> {
    const dir = await Deno.makeTempDir({ prefix: "locksmith-redis-" });
    const persistence = options.durable ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
    const server = new PrivateRedis(freePort(), dir, ["--save", "", ...persistence]);
    await server.run();
    return server;
  }

  /** The pid of the running server. */
  get pid(): number {
    return this.#process!.pid;
  }

  /** (Re)starts the process on the same port and directory. */
  async run(): Promise<void> {
    this.#process = new Deno.Command("redis-server", {
      args: ["--port", String(this.port), "--bind", "127.0.0.1", "--dir", this.dir, ...this.#args],
      stdout: "null",
      stderr: "null",
    }).spawn();
    for (let i = 0; i < 200; i++) {
      if (await reachable(this.url)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`redis-server did not start on port ${this.port}`);
  }

  /** Sends `signal` to the server's process. */
  kill(signal: Deno.Signal): void {
    this.#process!.kill(signal);
  }

  /** Kills it with SIGKILL and waits until it is gone. */
  async crash(): Promise<void> {
    this.#process!.kill("SIGKILL");
    await this.#process!.status;
  }

  /** Stops it for good and removes its directory. */
  async stop(): Promise<void> {
    try {
      this.#process?.kill("SIGKILL");
    } catch {
      // already gone
    }
    await this.#process?.status;
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}
