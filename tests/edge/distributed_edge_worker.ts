/**
 * A Cloudflare Worker that runs `./distributed` in workerd: the memory
 * engine, and the Redis engine over `cloudflare:sockets` (the socket API is
 * handed to `connect` as `tcp`; the library imports no runtime module). It
 * answers with a JSON report; `?redis=<url>&prefix=<p>` names the server.
 *
 * @module
 */
import { connect, type TcpConnect } from "@locksmith/threading/distributed";

// A specifier the bundler leaves alone: workerd provides the module.
const SOCKETS = "cloudflare:sockets";

async function exercise(url: string, options: { prefix: string; tcp?: TcpConnect }) {
  await using a = await connect(url, options);
  await using b = await connect(url, options);
  const lock = a.Lock("edge");
  await lock.acquire();
  const busy = await b.Lock("edge").acquire(false);
  const waiting = b.Lock("edge").acquire(true, 5000);
  await lock.release();
  const handedOff = await waiting;
  const tokens = [String(lock.fencingToken), String(b.Lock("edge").fencingToken)];
  await b.Lock("edge").release();
  const q = a.Queue<number>("edge-queue", 2);
  const got: number[] = [];
  const consumer = (async () => {
    for (let i = 0; i < 4; i++) got.push(await b.Queue<number>("edge-queue", 2).get());
  })();
  for (let i = 0; i < 4; i++) await q.put(i);
  await consumer;
  return { busy, handedOff, tokens, got };
}

export default {
  async fetch(request: Request): Promise<Response> {
    const params = new URL(request.url).searchParams;
    const report: Record<string, unknown> = {};
    report.denoConnect = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
    // Node's globals are there only with workerd's nodejs_compat flag (the library falls back without them).
    report.setImmediate = typeof (globalThis as { setImmediate?: unknown }).setImmediate === "function";
    report.memory = await exercise("memory://", { prefix: "edge" });
    const redis = params.get("redis");
    if (redis !== null) {
      try {
        const { connect: tcp } = await import(SOCKETS) as { connect: TcpConnect };
        report.redis = await exercise(redis, { prefix: params.get("prefix") ?? "edge", tcp });
      } catch (error) {
        report.redis = `failed: ${error}`;
      }
    }
    return Response.json(report);
  },
};
