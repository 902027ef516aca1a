/**
 * The engines of `deno task compare`: the workloads run on the primitives
 * of the `./distributed` entry point, which live on a server rather than in
 * this process. Two contenders of kind `"engine"`:
 *
 * - `distributed-memory`: the `memory://` engine (a `MemoryServer` in this
 *   isolate: every operation goes through the engine's operations, with no
 *   socket);
 * - `distributed-redis`: the Redis engine, on `REDIS_URL` (default
 *   `redis://127.0.0.1:6379`); if no Redis answers there, its cells say so
 *   (an `Unavailable` thrown by `start`) and how to get one.
 *
 * Each runs the workloads the distributed primitives can: the locks, the
 * condition ping-pong, the semaphore limit, the queue and the barrier, with
 * the same shape and the same check as the backends (the threads are async
 * tasks of this process, on one manager: a distributed primitive's local
 * waiters wait in this process, behind its one entry in the server's
 * queue), not `pool-map-cpu` or the seeds. Every run connects a manager of
 * its own under a fresh key prefix (so that runs never meet on a shared
 * server), times its work once the manager is connected, then closes the
 * manager and deletes every key under its prefix.
 *
 * @module
 */
import {
  type Contender,
  functionPeer,
  type RunContext,
  type RunTarget,
  Unavailable,
} from "@locksmith/threading/experiment";
import { connect, type Manager, MemoryServer } from "@locksmith/threading/distributed";
import { RespConnection } from "../../distributed/_resp.ts";
import { runtimeDial } from "../../distributed/_transport.ts";
import { type Counted, perThread, tasks } from "./_workloads.ts";

// As in _workloads.ts: the semaphore-limit jobs and permits, the queue's size, the barrier's parties.
const JOBS = 16;
const PERMITS = 4;
const QUEUE_SIZE = 16;
const BARRIER_PARTIES = 4;

/** One workload on a manager; the clock runs from the call to its end. */
type EngineRun = (manager: Manager, context: RunContext) => Promise<unknown>;

// Every loop is written out per workload, as in _peers.ts.
const RUNS: Readonly<Record<string, EngineRun>> = {
  "lock-uncontended": async (manager, { iterations }) => {
    const lock = manager.Lock("lock");
    let got = 0;
    for (let i = 0; i < iterations; i++) {
      await lock.acquire();
      got++;
      await lock.release();
    }
    return { got, expected: iterations, what: "acquisitions" } satisfies Counted;
  },
  "lock-contended": async (manager, context) => {
    const lock = manager.Lock("lock");
    const n = perThread(context);
    let counter = 0;
    await tasks(context.threads, async () => {
      for (let i = 0; i < n; i++) {
        await lock.acquire();
        const read = counter;
        await null; // another task may run here: only the lock keeps it from the counter
        counter = read + 1;
        await lock.release();
      }
    });
    return { got: counter, expected: n * context.threads, what: "counter" } satisfies Counted;
  },
  "condition-ping-pong": async (manager, { iterations }) => {
    const cond = manager.Condition("turns", manager.Lock("turns.lock"));
    let turn = 0;
    let passed = 0;
    await tasks(2, async (me) => {
      for (let i = 0; i < iterations; i++) {
        await cond.acquire();
        while (turn !== me) await cond.wait();
        turn = 1 - me;
        passed++;
        await cond.notify();
        await cond.release();
      }
    });
    return { got: passed, expected: 2 * iterations, what: "turns passed" } satisfies Counted;
  },
  "semaphore-limit": async (manager, { iterations }) => {
    const permits = manager.Semaphore("permits", PERMITS);
    const n = Math.max(1, Math.floor(iterations / JOBS));
    let active = 0, highest = 0, passes = 0;
    await tasks(JOBS, async () => {
      for (let i = 0; i < n; i++) {
        await permits.acquire();
        highest = Math.max(highest, ++active);
        await null;
        active--;
        passes++;
        await permits.release();
      }
    });
    return { passes, expected: n * JOBS, highest };
  },
  "queue-producer-consumer": async (manager, { iterations: n }) => {
    const queue = manager.Queue<number>("items", QUEUE_SIZE);
    const totals = [0, 0];
    await Promise.all([
      (async () => {
        for (let i = 1; i <= n; i++) await queue.put(i);
      })(),
      (async () => {
        let sum = 0;
        for (let i = 0; i < n; i++) {
          sum = (sum + await queue.get(true, 10_000)) % 0x7fffffff; // a lost item ends in Empty, not a hang
          await queue.taskDone();
        }
        totals[0] = n;
        totals[1] = sum;
      })(),
    ]);
    return { totals, n };
  },
  "barrier-phases": async (manager, { iterations: phases }) => {
    const barrier = manager.Barrier("phases", BARRIER_PARTIES);
    let passes = 0;
    await tasks(BARRIER_PARTIES, async () => {
      for (let p = 0; p < phases; p++) {
        await barrier.wait();
        passes++;
      }
    });
    return { got: passes, expected: BARRIER_PARTIES * phases, what: "passes" } satisfies Counted;
  },
};

/** Where an engine's runs connect, and how the keys of a run are deleted. */
interface Place {
  readonly url: string;
  /** Deletes every key under `prefix`. */
  cleanup(prefix: string): Promise<void>;
}

let runSerial = 0;

/** The engine's version of each workload: a run on a manager of its own, under a fresh prefix. */
function runsOn(place: Place): Record<string, RunTarget> {
  const targets: Record<string, RunTarget> = {};
  for (const [workload, run] of Object.entries(RUNS)) {
    targets[workload] = async (context: RunContext) => {
      const prefix = `compare-${crypto.randomUUID().slice(0, 8)}-${++runSerial}`;
      try {
        await using manager = await connect(place.url, { prefix, backend: "async" });
        context.startClock();
        const result = await run(manager, context);
        context.stopClock();
        return result;
      } finally {
        await place.cleanup(prefix);
      }
    };
  }
  return targets;
}

/** The `memory://` engine, on a server of its own in this isolate. */
function memoryEngine(): Contender {
  const server = new MemoryServer({ backend: "async" });
  return functionPeer({
    name: "distributed-memory",
    kind: "engine",
    note: "./distributed on memory:// (a MemoryServer in this isolate; async tasks of this process on one manager)",
    runs: runsOn({
      url: server.url,
      // A run's manager is closed by now: a restart without its data drops every key (only that run's).
      cleanup: () => Promise.resolve(server.restart()),
    }),
  });
}

/** The Redis server the engine uses: `REDIS_URL`, or the default local one. */
function redisUrl(): string {
  return Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379";
}

/** A raw connection to the server at `url` (its database selected), for the probe and the cleanup. */
async function rawRedis(url: string): Promise<RespConnection> {
  const parsed = new URL(url);
  const dial = runtimeDial()!;
  const connection = new RespConnection(
    await dial(parsed.hostname.replace(/^\[|\]$/g, ""), Number(parsed.port || 6379)),
  );
  try {
    if (parsed.password !== "") {
      const user = parsed.username === "" ? [] : [decodeURIComponent(parsed.username)];
      await expectOk(connection.send(["AUTH", ...user, decodeURIComponent(parsed.password)]), "AUTH");
    }
    const db = parsed.pathname.replace(/^\//, "");
    if (db !== "" && db !== "0") await expectOk(connection.send(["SELECT", db]), "SELECT");
  } catch (error) {
    await connection.close();
    throw error;
  }
  return connection;
}

async function expectOk(reply: Promise<unknown>, command: string): Promise<void> {
  const got = await reply;
  if (got !== "OK") throw new Error(`${command} was refused: ${String((got as { message?: string })?.message ?? got)}`);
}

/** Deletes every key under `prefix` on the server at `url` (never anything else). */
async function deleteKeys(url: string, prefix: string): Promise<void> {
  const connection = await rawRedis(url);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await connection.send(["SCAN", cursor, "MATCH", `${prefix}:*`, "COUNT", 1000]) as [
        string,
        string[],
      ];
      cursor = next;
      if (keys.length > 0) await connection.send(["DEL", ...keys]);
    } while (cursor !== "0");
  } finally {
    await connection.close();
  }
}

const PROBE_MS = 2000;

/** Throws {@linkcode Unavailable}, saying how to get a server, unless a Redis answers `PING` at `url`. */
async function probeRedis(url: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_MS} ms`)), PROBE_MS);
  });
  let connection: RespConnection | undefined;
  try {
    connection = await Promise.race([rawRedis(url), timeout]);
    const reply = await Promise.race([connection.send(["PING"]), timeout]);
    if (reply !== "PONG") throw new Error(`PING answered ${JSON.stringify(reply)}`);
  } catch (error) {
    throw new Unavailable(
      `no Redis answers at ${redactPassword(url)} (${
        (error as Error)?.message ?? error
      }): set REDIS_URL to a Redis 7 server, ` +
        `or start one (redis-server --port 6379 --save '' --appendonly no; Debian: apt-get install redis-server)`,
    );
  } finally {
    clearTimeout(timer);
    await connection?.close();
  }
}

/** The Redis engine, on `url`; unavailable (with the reason) when no Redis answers there. */
function redisEngine(url: string): Contender {
  const contender = functionPeer({
    name: "distributed-redis",
    kind: "engine",
    note: `./distributed on ${redactPassword(url)} (async tasks of this process on one manager)`,
    runs: runsOn({ url, cleanup: (prefix) => deleteKeys(url, prefix) }),
  });
  return { ...contender, start: () => probeRedis(url) };
}

/** The URL without its password, for the report. */
function redactPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password === "") return url;
  parsed.password = "***";
  return parsed.href;
}

/** The engines: the distributed primitives on `memory://` and on Redis (`REDIS_URL`). */
export function engines(): Contender[] {
  return [memoryEngine(), redisEngine(redisUrl())];
}
