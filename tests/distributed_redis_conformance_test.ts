// Puts the redis:// engine under the shared conformance cases, on the shared
// server with a key prefix per case (deleted after it).
import { deleteKeys, noSharedRedis, REDIS_URL, reportIgnored, uniquePrefix } from "./distributed/_redis.ts";
import { runDistributedConformance } from "./distributed/_conformance.ts";

reportIgnored();
runDistributedConformance("redis", () => {
  const prefix = uniquePrefix("conformance");
  return Promise.resolve({ url: REDIS_URL, prefix, cleanup: () => deleteKeys(prefix) });
}, noSharedRedis);
