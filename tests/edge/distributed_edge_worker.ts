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
  // Three threads of one client wait, and three releases wake them one after another: each wake-up after
  // the first reaches the client only once its wake loop has taken its next turn, which here (no
  // setImmediate) is the setTimeout fallback's. A pause first lets all three queue (a release that came
  // earlier would be taken without a wake-up).
  const waiters = [0, 1, 2].map(() => b.Semaphore("edge-sem", 0).acquire(true, 5000));
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (let i = 0; i < 3; i++) await a.Semaphore("edge-sem", 0).release();
  const wokenInTurn = await Promise.all(waiters);
  return { busy, handedOff, tokens, got, wokenInTurn };
}

// An exercise that never ends (a wake loop stuck, say) answers with a message instead of leaving the test hanging.
function bounded<T>(work: Promise<T>): Promise<T | string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<string>((resolve) => timer = setTimeout(() => resolve("did not end within 20 s"), 20_000));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export default {
  async fetch(request: Request): Promise<Response> {
    const params = new URL(request.url).searchParams;
    const report: Record<string, unknown> = {};
    report.denoConnect = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
    // Node's globals are there only with workerd's nodejs_compat flag (the library falls back without them).
    report.setImmediate = typeof (globalThis as { setImmediate?: unknown }).setImmediate === "function";
    report.memory = await bounded(exercise("memory://", { prefix: "edge" }));
    const redis = params.get("redis");
    if (redis !== null) {
      try {
        const { connect: tcp } = await import(SOCKETS) as { connect: TcpConnect };
        report.redis = await bounded(exercise(redis, { prefix: params.get("prefix") ?? "edge", tcp }));
      } catch (error) {
        report.redis = `failed: ${error}`;
      }
    }
    return Response.json(report);
  },
};
