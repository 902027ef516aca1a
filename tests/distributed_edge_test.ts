// ./distributed in a real edge runtime (workerd) without workerd's nodejs_compat flag: the one Node module
// the library needs there is node:async_hooks (AsyncLocalStorage, which the core uses to tell threads apart,
// runtime/current_thread.ts), which the narrower nodejs_als flag provides; no other Node module or global
// (the worker reports setImmediate absent). On that, the entry point loads and runs on the memory engine
// whether or not Redis is reachable, and reaches Redis on 127.0.0.1 through `cloudflare:sockets` handed to
// `connect` as `tcp`. With no setImmediate there, three wake-ups in a row to one client go through the Redis
// wake loop's setTimeout fallback (`wokenInTurn`): with that fallback broken, the Redis case fails.
import { assert, assertEquals, assertRejects } from "@std/assert";
import { serveAndFetch } from "./edge/_workerd.ts";
import { deleteKeys, noSharedRedis, REDIS_URL, reportIgnored, uniquePrefix } from "./distributed/_redis.ts";

reportIgnored();

const expected = {
  busy: false,
  handedOff: true,
  tokens: ["1", "2"],
  got: [0, 1, 2, 3],
  wokenInTurn: [true, true, true],
};
const WORKER = "tests/edge/distributed_edge_worker.ts";
const EXTERNAL = ["cloudflare:sockets"];

Deno.test("edge: ./distributed runs in workerd with nodejs_als only (no nodejs_compat), on memory://", async () => {
  const body = await serveAndFetch(WORKER, "", { external: EXTERNAL, compatibilityFlags: ["nodejs_als"] });
  assertEquals(body, { denoConnect: false, setImmediate: false, memory: expected });
});

Deno.test("edge: without any compatibility flag the bundle does not load: it needs node:async_hooks", async () => {
  const error = await assertRejects(() => serveAndFetch(WORKER, "", { external: EXTERNAL, compatibilityFlags: [] }));
  assert(String(error).includes('No such module "node:async_hooks"'), String(error));
});

Deno.test({
  name: "edge: ./distributed runs in workerd with nodejs_als only, on Redis through cloudflare:sockets",
  ignore: noSharedRedis !== undefined,
  fn: async () => {
    const prefix = uniquePrefix("edge");
    try {
      const body = await serveAndFetch(
        WORKER,
        `?redis=${encodeURIComponent(REDIS_URL)}&prefix=${prefix}`,
        { external: EXTERNAL, outbound: true, compatibilityFlags: ["nodejs_als"] },
      );
      assertEquals(body, { denoConnect: false, setImmediate: false, memory: expected, redis: expected });
    } finally {
      await deleteKeys(prefix);
    }
  },
});
