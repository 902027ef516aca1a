/**
 * Three processes share work through a distributed Queue and Lock: this
 * process puts 30 jobs on a Queue and starts three worker processes; each
 * worker takes jobs and adds its result to a ledger file under a distributed
 * Lock, writing only with a fencing token larger than the ledger's last
 * (so a worker that had lost the lock could not overwrite a newer total).
 *
 *     deno run -A examples/distributed_jobs.ts [redis-url] [key-prefix]
 *
 * Needs a Redis 7 server (default `redis://127.0.0.1:6379`, or `REDIS_URL`).
 *
 * @module
 */
import { connect } from "@locksmith/threading/distributed";

interface Ledger {
  token: string;
  total: number;
  done: number;
}

const [first, second, third, fourth] = Deno.args;

if (first === "worker") {
  // A worker: `worker <url> <prefix> <ledger file>`.
  const [url, prefix, path] = [second, third, fourth];
  await using manager = await connect(url, { prefix });
  const jobs = manager.Queue<number>("jobs", 10);
  const ledger = manager.Lock("ledger");
  for (;;) {
    const n = await jobs.get();
    if (n < 0) {
      await jobs.taskDone();
      break;
    }
    {
      await using _ = await ledger.guard();
      const state = JSON.parse(await Deno.readTextFile(path)) as Ledger;
      // The resource checks the token: a write from a lock that was lost meanwhile is refused.
      if (ledger.fencingToken <= BigInt(state.token)) throw new Error("stale fencing token");
      state.token = String(ledger.fencingToken);
      state.total += n * n;
      state.done++;
      await Deno.writeTextFile(path, JSON.stringify(state));
    }
    await jobs.taskDone();
  }
} else {
  const url = first ?? Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379";
  const prefix = second ?? `jobs-example-${crypto.randomUUID().slice(0, 8)}`;
  const path = await Deno.makeTempFile({ prefix: "ledger-" });
  await Deno.writeTextFile(path, JSON.stringify({ token: "0", total: 0, done: 0 }));
  await using manager = await connect(url, { prefix });
  const jobs = manager.Queue<number>("jobs", 10);
  const workers = [1, 2, 3].map(() =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL(import.meta.url).pathname, "worker", url, prefix, path],
    }).spawn()
  );
  for (let n = 1; n <= 30; n++) await jobs.put(n);
  for (let i = 0; i < workers.length; i++) await jobs.put(-1); // one "stop" per worker
  await jobs.join(); // every job taken and marked done
  const codes = await Promise.all(workers.map(async (w) => (await w.status).code));
  const ledger = JSON.parse(await Deno.readTextFile(path)) as Ledger;
  await Deno.remove(path);
  console.log(`workers exited with ${codes.join(", ")}`);
  console.log(`${ledger.done} jobs done, sum of squares ${ledger.total}`);
}
