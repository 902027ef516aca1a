/**
 * A process of the distributed benchmark: connects, prints `ready`, waits
 * for `go` on stdin, runs its part and prints one JSON line of results.
 *
 *     deno run -A bench/_distributed_worker.ts <role> <json>
 *
 * @module
 */
import { RespConnection } from "../distributed/_resp.ts";
import { runtimeDial } from "../distributed/_transport.ts";
import { CONTENDERS } from "./_distributed_contenders.ts";

const [role, json] = Deno.args;
const args = JSON.parse(json) as { url: string; key: string; id: number; n: number; contender?: string };
const now = () => performance.timeOrigin + performance.now();

async function raw(): Promise<RespConnection> {
  const url = new URL(args.url);
  return new RespConnection(await runtimeDial()!(url.hostname, Number(url.port || 6379)));
}

async function go(): Promise<void> {
  console.log("ready");
  const reader = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();
  while (!(await reader.read()).value?.includes("go"));
  reader.releaseLock();
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 2));

// Hand-offs are timed within one process (clocks of two processes do not agree to a fraction of a ms):
// process 0 times a round trip (its hand-off to process 1, and process 1's back), process 1 holds 2 ms
// in between and reports how long it held; a hop is half of (round trip - hold).
if (role === "floor-handoff") {
  // One script that pushes to the other process's list, and the BLPOP wake-up it causes.
  const command = await raw();
  const blocking = await raw();
  const push = await command.send(["SCRIPT", "LOAD", "redis.call('RPUSH', KEYS[1], ARGV[1]) return 1"]) as string;
  const mine = `${args.key}:${args.id}`;
  const theirs = `${args.key}:${1 - args.id}`;
  const times: number[] = [];
  await go();
  for (let i = 0; i < args.n; i++) {
    if (args.id === 0) {
      await pause();
      const started = performance.now();
      await command.send(["EVALSHA", push, 1, theirs, "x"]);
      await blocking.send(["BLPOP", mine, 0]);
      times.push(performance.now() - started);
    } else {
      await blocking.send(["BLPOP", mine, 0]);
      const woken = performance.now();
      await pause();
      times.push(performance.now() - woken);
      await command.send(["EVALSHA", push, 1, theirs, "x"]);
    }
  }
  console.log(JSON.stringify({ times }));
  await command.close();
  await blocking.close();
} else if (role === "lock-handoff") {
  // release() in one process until acquire() returns in the other, and back.
  const contender = await CONTENDERS["@locksmith/threading/distributed"](args.url, args.key);
  const times: number[] = [];
  await go();
  if (args.id === 0) {
    await contender.acquire();
    for (let i = 0; i < args.n; i++) {
      await pause();
      const started = performance.now();
      await contender.release();
      await contender.acquire();
      times.push(performance.now() - started);
    }
    await contender.release();
  } else {
    await pause();
    for (let i = 0; i < args.n; i++) {
      await contender.acquire();
      const woken = performance.now();
      await pause();
      times.push(performance.now() - woken);
      await contender.release();
    }
  }
  console.log(JSON.stringify({ times }));
  await contender.close();
} else if (role === "contend") {
  // `n` acquisitions; inside each, who and when go to two lists (the same cost for every contender).
  const contender = await CONTENDERS[args.contender!](args.url, args.key);
  const log = await raw();
  await go();
  const started = now();
  for (let i = 0; i < args.n; i++) {
    await contender.acquire();
    await log.send(["RPUSH", `${args.key}:acq`, `${args.id}|${now()}`]);
    await log.send(["RPUSH", `${args.key}:rel`, `${args.id}|${now()}`]);
    await contender.release();
  }
  console.log(JSON.stringify({ started, ended: now() }));
  await contender.close();
  await log.close();
}
