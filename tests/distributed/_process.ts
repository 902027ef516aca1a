/**
 * A process of the distributed tests: `deno run -A _process.ts <role> <json>`.
 * Each role connects to the URL it is given, does its part and prints one
 * JSON line per event on stdout (the test reads them).
 *
 * @module
 */
import { connect } from "@locksmith/threading/distributed";
import { RespConnection } from "../../distributed/_resp.ts";
import { runtimeDial } from "../../distributed/_transport.ts";

interface Args {
  url: string;
  prefix: string;
  leaseMs?: number;
  name?: string;
  count?: number;
  file?: string;
  id?: number;
  items?: number;
  maxsize?: number;
  parties?: number;
  phases?: number;
  acknowledge?: boolean;
  holdMs?: number;
}

const [role, json] = Deno.args;
const args = JSON.parse(json) as Args;
const say = (event: Record<string, unknown>) => console.log(JSON.stringify(event));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

await using manager = await connect(args.url, { prefix: args.prefix, leaseMs: args.leaseMs ?? 10_000 });

switch (role) {
  // Takes the lock and keeps it (renewing) until killed, reporting a lost lease and how release() fails.
  case "hold": {
    const lock = manager.Lock(args.name!);
    await lock.acquire();
    say({ event: "held", token: String(lock.fencingToken), at: performance.now() });
    await new Promise((resolve) => lock.lost.addEventListener("abort", resolve));
    say({ event: "lost", reason: String(lock.lost.reason), at: performance.now() });
    try {
      await lock.release();
      say({ event: "released" });
    } catch (error) {
      say({ event: "release failed", error: (error as Error).name, message: (error as Error).message });
    }
    break;
  }
  // Waits for the lock (queued), until killed or granted.
  case "wait": {
    const lock = manager.Lock(args.name!);
    say({ event: "waiting" });
    const got = await lock.acquire(true, 60_000);
    say({ event: "acquired", got, token: String(lock.fencingToken) });
    if (got) await lock.release();
    break;
  }
  // `count` increments of a counter kept in a file, each under the lock.
  case "counter": {
    const lock = manager.Lock(args.name!);
    for (let i = 0; i < args.count!; i++) {
      await lock.acquire();
      try {
        const value = Number(await Deno.readTextFile(args.file!));
        await Deno.writeTextFile(args.file!, String(value + 1));
      } finally {
        await lock.release();
      }
    }
    say({ event: "done" });
    break;
  }
  case "produce": {
    const q = manager.Queue<string>(args.name!, args.maxsize, { acknowledge: args.acknowledge });
    for (let i = 0; i < args.items!; i++) await q.put(`${args.id}:${i}`);
    say({ event: "done" });
    break;
  }
  // Gets until it receives "stop"; prints what it got in batches.
  case "consume": {
    const q = manager.Queue<string>(args.name!, args.maxsize, { acknowledge: args.acknowledge });
    let batch: string[] = [];
    for (;;) {
      const item = await q.get();
      if (item === "stop") break;
      batch.push(item);
      if (batch.length >= 500) {
        say({ event: "got", items: batch });
        batch = [];
      }
    }
    say({ event: "got", items: batch });
    say({ event: "done" });
    break;
  }
  // Gets one item and never acknowledges it (until killed).
  case "take": {
    const q = manager.Queue<string>(args.name!, args.maxsize, { acknowledge: true });
    say({ event: "took", item: await q.get() });
    await sleep(60_000);
    break;
  }
  case "barrier": {
    const barrier = manager.Barrier(args.name!, args.parties!, null, 30_000);
    const indices: number[] = [];
    for (let phase = 0; phase < args.phases!; phase++) indices.push(await barrier.wait());
    say({ event: "done", indices });
    break;
  }
  // Enters the semaphore `count` times, counting who is inside with an INCR on the server.
  case "semaphore": {
    const sem = manager.Semaphore(args.name!, 3);
    const url = new URL(args.url);
    const raw = new RespConnection(await runtimeDial()!(url.hostname, Number(url.port || 6379)));
    let most = 0;
    for (let i = 0; i < args.count!; i++) {
      await sem.acquire();
      try {
        const inside = await raw.send(["INCR", `${args.prefix}:inside`]) as number;
        most = Math.max(most, inside);
        await sleep(args.holdMs ?? 2);
        await raw.send(["DECR", `${args.prefix}:inside`]);
      } finally {
        await sem.release();
      }
    }
    await raw.close();
    say({ event: "done", most });
    break;
  }
  default:
    throw new TypeError(`Unknown role ${role}`);
}
