import { connect } from "@locksmith/threading/distributed";
import { RespConnection } from "./distributed/_resp.ts";
import { runtimeDial } from "./distributed/_transport.ts";
import { scriptOf } from "./distributed/_redis_scripts.ts";
const c = new RespConnection(await runtimeDial()!("127.0.0.1", 6379));
const del = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const sha = await c.send(["SCRIPT", "LOAD", del]) as string;
const acq = await c.send(["SCRIPT", "LOAD", scriptOf("lock.acquire")]) as string;
const rel = await c.send(["SCRIPT", "LOAD", scriptOf("lock.release")]) as string;
const prefix = "p2-" + Math.random().toString(36).slice(2);
await c.send(["SET", prefix + ":c:me", "1", "PX", "100000"]);
await using a = await connect("redis://127.0.0.1:6379", { prefix });
const la = a.Lock("x");
const n = 2000;
async function floor() { for (let i = 0; i < n; i++) { await c.send(["SET", "tmp:floor", "me", "NX", "PX", "10000"]); await c.send(["EVALSHA", sha, 1, "tmp:floor", "me"]); } }
async function scripts() { for (let i = 0; i < n; i++) { await c.send(["EVALSHA", acq, 1, prefix + ":p:y", prefix, "Lock", "me.1", 10000, 1]); await c.send(["EVALSHA", rel, 1, prefix + ":p:y", prefix, "Lock", "me.1"]); } }
async function lib() { for (let i = 0; i < n; i++) { await la.acquire(); await la.release(); } }
for (let r = 0; r < 4; r++) for (const [name, f] of [["floor", floor], ["scripts", scripts], ["lib", lib]] as const) {
  const t0 = performance.now(); await f(); console.log(name, ((performance.now() - t0) / n * 1000).toFixed(1));
}
await c.close();
