// Runs examples/distributed_jobs.ts (three processes sharing a Queue and a
// Lock) against the shared Redis server, and checks what it prints.
import { assertEquals } from "@std/assert";
import { deleteKeys, noSharedRedis, REDIS_URL, reportIgnored, uniquePrefix } from "./distributed/_redis.ts";

reportIgnored();

Deno.test({
  name: "[redis] example distributed_jobs.ts: three processes share 30 jobs through a Queue and a Lock",
  ignore: noSharedRedis !== undefined,
  fn: async () => {
    const prefix = uniquePrefix("example");
    try {
      const example = new URL("../examples/distributed_jobs.ts", import.meta.url).pathname;
      const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", example, REDIS_URL, prefix],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(code, 0, new TextDecoder().decode(stderr));
      assertEquals(new TextDecoder().decode(stdout).trim().split("\n"), [
        "workers exited with 0, 0, 0",
        "30 jobs done, sum of squares 9455",
      ]);
    } finally {
      await deleteKeys(prefix);
    }
  },
});
