/**
 * The distributed benchmark, ratios taken within each round on one server:
 *
 * 1. uncontended `acquire()` + `release()` in one process, against two
 *    floors sent raw over one connection: the library's own two operations
 *    (its acquire, `SET NX PX` pipelined with the token's `HINCRBY`, and its
 *    release script), and the classic pair (`SET NX PX` and a
 *    compare-and-delete script, no token); and the npm peers;
 * 2. a hand-off to a waiter in another process (two processes passing the
 *    lock back and forth), against the floor of one `BLPOP` wake-up plus one
 *    script per hop (two processes passing a token through two lists);
 * 3. 4 processes contending, for this library and each peer: throughput,
 *    owner changes per acquisition (fairness; 1.0 when every release goes to
 *    another process), and the median hand-off latency (from the holder's
 *    release to the next owner's acquisition, in another process).
 *
 *     deno run -A bench/distributed_ratios.ts [rounds] [url]
 *
 * @module
 */
import { connect } from "@locksmith/threading/distributed";
import { RespConnection } from "../distributed/_resp.ts";
import { runtimeDial } from "../distributed/_transport.ts";
import { scriptOf } from "../distributed/_redis_scripts.ts";
import { CONTENDERS } from "./_distributed_contenders.ts";

const rounds = Number(Deno.args[0] ?? 7);
const url = Deno.args[1] ?? Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379";
const run = `bench-${crypto.randomUUID().slice(0, 8)}`;
const worker = new URL("./_distributed_worker.ts", import.meta.url).pathname;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function raw(): Promise<RespConnection> {
  const parsed = new URL(url);
  return new RespConnection(await runtimeDial()!(parsed.hostname, Number(parsed.port || 6379)));
}

/** Starts processes, lets them go together, returns their result lines. */
async function processes(role: string, argsOf: (id: number) => Record<string, unknown>, count: number) {
  const children = Array.from({ length: count }, (_, id) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", worker, role, JSON.stringify(argsOf(id))],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn());
  const readers = children.map((c) => c.stdout.pipeThrough(new TextDecoderStream()).getReader());
  const lines = children.map(() => "");
  const readLine = async (i: number) => {
    while (!lines[i].includes("\n")) {
      const { value, done } = await readers[i].read();
      if (done) throw new Error(`a ${role} process ended early`);
      lines[i] += value;
    }
    const line = lines[i].slice(0, lines[i].indexOf("\n"));
    lines[i] = lines[i].slice(lines[i].indexOf("\n") + 1);
    return line;
  };
  for (let i = 0; i < count; i++) {
    while ((await readLine(i)) !== "ready");
  }
  const writers = children.map((c) => c.stdin.getWriter());
  const go = new TextEncoder().encode("go\n");
  await Promise.all(writers.map((w) => w.write(go)));
  const results = [];
  for (let i = 0; i < count; i++) results.push(JSON.parse(await readLine(i)));
  for (const w of writers) await w.close();
  for (const r of readers) while (!(await r.read()).done);
  for (const c of children) await c.status;
  return results;
}

async function cleanup(): Promise<void> {
  const connection = await raw();
  let cursor = "0";
  do {
    const [next, keys] = await connection.send(["SCAN", cursor, "MATCH", `${run}*`, "COUNT", 1000]) as [
      string,
      string[],
    ];
    cursor = next;
    if (keys.length > 0) await connection.send(["DEL", ...keys]);
  } while (cursor !== "0");
  await connection.close();
}

// ---- 1. uncontended, in this process ----

async function uncontended(): Promise<void> {
  // Short batches, alternating, so that each ratio compares times taken moments apart on a busy machine.
  const batch = 50;
  const floorConnection = await raw();
  const release = await floorConnection.send([
    "SCRIPT",
    "LOAD",
    `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`,
  ]) as string;
  const floorKey = `${run}:floor`;
  const floor = {
    acquire: async () => void await floorConnection.send(["SET", floorKey, "me", "NX", "PX", 10_000]),
    release: async () => void await floorConnection.send(["EVALSHA", release, 1, floorKey, "me"]),
    close: () => floorConnection.close(),
  };
  // The library's own two operations, sent raw: its acquire (SET NX PX pipelined with HINCRBY for the token) and
  // its release script, on one connection with no layer above.
  const ours = await raw();
  const oursKey = `${run}:raw:p:lock`;
  const oursRelease = await ours.send(["SCRIPT", "LOAD", scriptOf("lock.release")]) as string;
  await ours.send(["HSET", oursKey, "kind", "Lock"]);
  let n = 0;
  let ticket = "";
  const sameTwo = {
    acquire: async () => {
      ticket = `raw.${++n}`;
      const set = ours.send(["SET", `${oursKey}:o`, ticket, "NX", "PX", 10_000]);
      const token = ours.send(["HINCRBY", oursKey, "tok", 1]);
      await set;
      await token;
    },
    release: async () => void await ours.send(["EVALSHA", oursRelease, 1, oursKey, `${run}:raw`, "Lock", ticket]),
    close: () => ours.close(),
  };
  const subjects: [string, { acquire(): Promise<void>; release(): Promise<void>; close(): Promise<void> }][] = [
    ["floor: SET NX PX + compare-and-delete, raw", floor],
    ["floor: this library's two operations, raw", sameTwo],
  ];
  for (const [name, make] of Object.entries(CONTENDERS)) subjects.push([name, await make(url, `${run}:u:${name}`)]);
  const samples = new Map<string, number[]>(subjects.map(([name]) => [name, []]));
  for (const [, s] of subjects) for (let i = 0; i < 100; i++) await s.acquire(), await s.release();
  for (let r = 0; r < rounds * 20; r++) {
    const order = r % 2 ? subjects : [...subjects].reverse();
    for (const [name, s] of order) {
      const started = performance.now();
      for (let i = 0; i < batch; i++) {
        await s.acquire();
        await s.release();
      }
      samples.get(name)!.push((performance.now() - started) / batch * 1000);
    }
  }
  const base = samples.get(subjects[0][0])!;
  const same = samples.get(subjects[1][0])!;
  console.log(`\n### Uncontended acquire + release, one process (${rounds * 20} rounds of ${batch})\n`);
  console.log(
    "| lock | us per acquire + release (median) | vs SET NX PX + compare-and-delete | vs its own two operations sent raw |",
  );
  console.log("| --- | ---: | ---: | ---: |");
  for (const [name] of subjects) {
    const mine = samples.get(name)!;
    const vsSame = name === "@locksmith/threading/distributed" || name === subjects[1][0]
      ? `${median(mine.map((v, i) => v / same[i])).toFixed(2)}x`
      : "";
    console.log(
      `| ${name} | ${median(mine).toFixed(1)} | ${median(mine.map((v, i) => v / base[i])).toFixed(2)}x | ${vsSame} |`,
    );
  }
  for (const [, s] of subjects) await s.close();
}

// ---- 2. hand-off to another process, against the BLPOP + script floor ----

/** One hop (us) of each round trip: half of (process 0's round trip - process 1's hold). */
function hops(results: { times: number[] }[]): number[] {
  const [trips, holds] = results;
  return trips.times.map((trip, k) => (trip - holds.times[k]) / 2 * 1000);
}

async function handOff(): Promise<void> {
  const count = 100;
  const floorUs: number[] = [];
  const lockUs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const key = `${run}:pp${r}`;
    const floor = await processes("floor-handoff", (id) => ({ url, key, id, n: count }), 2) as never;
    floorUs.push(median(hops(floor)));
    const lock = await processes("lock-handoff", (id) => ({ url, key: `${key}:lock`, id, n: count }), 2) as never;
    lockUs.push(median(hops(lock)));
  }
  console.log(`\n### Hand-off to a waiter in another process (${rounds} rounds of ${2 * count} hops)\n`);
  console.log("| | us from release to the waiter's wake-up (median) | ratio (median of per-round ratios) |");
  console.log("| --- | ---: | ---: |");
  console.log(
    `| floor: one script that pushes + the BLPOP wake-up it causes | ${median(floorUs).toFixed(1)} | 1.00x |`,
  );
  console.log(
    `| Lock: release() in one process until acquire() returns in the other | ${median(lockUs).toFixed(1)} | ${
      median(lockUs.map((v, i) => v / floorUs[i])).toFixed(2)
    }x |`,
  );
}

// ---- 3. 4 processes contending, with the peers ----

async function contention(): Promise<void> {
  const perProcess = 150;
  const stats = new Map<string, { throughput: number[]; changes: number[]; latency: number[] }>();
  for (let r = 0; r < rounds; r++) {
    const names = r % 2 ? Object.keys(CONTENDERS) : Object.keys(CONTENDERS).reverse();
    for (const name of names) {
      const key = `${run}:c${r}:${name.replace(/\W/g, "")}`;
      const results = await processes("contend", (id) => ({ url, key, id, n: perProcess, contender: name }), 4);
      const elapsed = Math.max(...results.map((x) => x.ended)) - Math.min(...results.map((x) => x.started));
      const connection = await raw();
      const acq = (await connection.send(["LRANGE", `${key}:acq`, 0, -1]) as string[]).map((e) => e.split("|"));
      const rel = (await connection.send(["LRANGE", `${key}:rel`, 0, -1]) as string[]).map((e) => e.split("|"));
      await connection.close();
      let changes = 0;
      const latencies: number[] = [];
      for (let i = 1; i < acq.length; i++) {
        if (acq[i][0] !== acq[i - 1][0]) {
          changes++;
          latencies.push((Number(acq[i][1]) - Number(rel[i - 1][1])) * 1000);
        }
      }
      const entry = stats.get(name) ?? { throughput: [], changes: [], latency: [] };
      entry.throughput.push(acq.length / elapsed * 1000);
      entry.changes.push(changes / acq.length);
      entry.latency.push(latencies.length ? median(latencies) : NaN);
      stats.set(name, entry);
    }
  }
  console.log(`\n### 4 processes contending, ${perProcess} acquisitions each (${rounds} rounds)\n`);
  console.log(
    "| lock | acquisitions/s (median) | throughput vs this library | owner changes per acquisition | hand-off latency, us (median) |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: |");
  const ours = stats.get("@locksmith/threading/distributed")!;
  for (const [name, s] of stats) {
    const ratio = median(s.throughput.map((t, i) => t / ours.throughput[i]));
    console.log(
      `| ${name} | ${median(s.throughput).toFixed(0)} | ${ratio.toFixed(2)}x | ${median(s.changes).toFixed(3)} | ${
        median(s.latency).toFixed(0)
      } |`,
    );
  }
}

// The server must be there.
await (await connect(url, { prefix: run })).close();
const only = Deno.env.get("BENCH_PART");
try {
  if (!only || only === "1") await uncontended();
  if (!only || only === "2") await handOff();
  if (!only || only === "3") await contention();
} finally {
  await cleanup();
}
