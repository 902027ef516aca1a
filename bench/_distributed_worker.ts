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

if (role === "floor-pingpong") {
  // One BLPOP wake-up plus one script per hop, between two processes.
  const command = await raw();
  const blocking = await raw();
  const push = await command.send(["SCRIPT", "LOAD", "redis.call('RPUSH', KEYS[1], ARGV[1]) return 1"]) as string;
  const mine = `${args.key}:${args.id}`;
  const theirs = `${args.key}:${1 - args.id}`;
  await go();
  const started = now();
  if (args.id === 0) await command.send(["EVALSHA", push, 1, theirs, "x"]);
  for (let i = 0; i < args.n; i++) {
    await blocking.send(["BLPOP", mine, 0]);
    if (args.id === 0 && i === args.n - 1) break;
    await command.send(["EVALSHA", push, 1, theirs, "x"]);
  }
  console.log(JSON.stringify({ started, ended: now() }));
  await command.close();
  await blocking.close();
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
