// ./distributed in a real edge runtime (workerd): the entry point loads
// without Node-only modules, runs on the memory engine, and reaches Redis on
// 127.0.0.1 through `cloudflare:sockets` handed to `connect` as `tcp`.
import { assertEquals } from "@std/assert";
import { serveAndFetch } from "./edge/_workerd.ts";
import { deleteKeys, noSharedRedis, REDIS_URL, reportIgnored, uniquePrefix } from "./distributed/_redis.ts";

reportIgnored();

const expected = { busy: false, handedOff: true, tokens: ["1", "2"], got: [0, 1, 2, 3] };

Deno.test({
  name: "edge: ./distributed runs in workerd, on memory:// and on Redis through cloudflare:sockets",
  ignore: noSharedRedis !== undefined,
  fn: async () => {
    const prefix = uniquePrefix("edge");
    try {
      const body = await serveAndFetch(
        "tests/edge/distributed_edge_worker.ts",
        `?redis=${encodeURIComponent(REDIS_URL)}&prefix=${prefix}`,
        { external: ["cloudflare:sockets"], outbound: true },
      );
      assertEquals(body, { denoConnect: false, memory: expected, redis: expected });
    } finally {
      await deleteKeys(prefix);
    }
  },
});
