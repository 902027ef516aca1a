/**
 * The Redis engine: each operation is one script (`EVALSHA`, loaded on
 * first use), client liveness is a key with a time to live, and wake-ups
 * are a list per client that one connection pops with `BLPOP`. Commands
 * share one pipelined connection; a broken connection is made again on the
 * next command.
 *
 * @module
 */
import { RuntimeError } from "../mod.ts";
import type { Engine, OpReply, WakeChannel } from "./_engine.ts";
import { ConnectionBroken, type Reply, ReplyError, RespConnection } from "./_resp.ts";
import { OPERATIONS, scriptOf } from "./_redis_scripts.ts";
import type { Dial } from "./_transport.ts";

/** Where and how to reach the server. */
export interface RedisAddress {
  readonly hostname: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
}

/** What the engine needs besides the address. */
export interface RedisEngineOptions {
  readonly prefix: string;
  readonly dial: Dial;
  readonly connectTimeoutMs: number;
  /** Refuse a server that does not fsync every write. */
  readonly durable: boolean;
}

async function sha1(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string, onLate: (value: T) => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      promise.then(onLate, () => {});
      reject(new ConnectionBroken(`${what}: no answer within ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The Redis engine of one client. */
export class RedisEngine implements Engine {
  readonly scheme = "redis";
  readonly address: string;
  readonly #server: RedisAddress;
  readonly #options: RedisEngineOptions;
  readonly #scripts = new Map<string, { sha: string; text: string }>();
  #command: RespConnection | undefined;
  #connecting: Promise<RespConnection> | undefined;
  #closed = false;
  readonly #wakeLoops = new Set<Promise<void>>();
  readonly #wakeConnections = new Set<RespConnection>();

  private constructor(server: RedisAddress, options: RedisEngineOptions) {
    this.#server = server;
    this.#options = options;
    this.address = `redis://${server.hostname}:${server.port}/${server.db}`;
  }

  /**
   * Connects (the first command connection proves the server is there).
   *
   * @throws {ConnectionBroken} If it cannot be reached.
   */
  static async open(server: RedisAddress, options: RedisEngineOptions): Promise<RedisEngine> {
    const engine = new RedisEngine(server, options);
    for (const op of OPERATIONS) {
      const text = scriptOf(op);
      engine.#scripts.set(op, { sha: await sha1(text), text });
    }
    await engine.#connection();
    return engine;
  }

  async #dial(): Promise<RespConnection> {
    const { hostname, port, db, username, password } = this.#server;
    const duplex = await withTimeout(
      this.#options.dial(hostname, port),
      this.#options.connectTimeoutMs,
      `Cannot connect to ${this.address}`,
      (late) => late.close(),
    );
    const connection = new RespConnection(duplex);
    try {
      const check = async (reply: Promise<Reply>, what: string) => {
        const value = await withTimeout(reply, this.#options.connectTimeoutMs, what, () => {});
        if (value instanceof ReplyError) throw new ConnectionBroken(`${what}: ${value.message}`);
        return value;
      };
      if (password !== undefined) {
        await check(
          connection.send(username !== undefined ? ["AUTH", username, password] : ["AUTH", password]),
          `Cannot log in to ${this.address}`,
        );
      }
      if (db !== 0) await check(connection.send(["SELECT", db]), `Cannot select database ${db} of ${this.address}`);
      else await check(connection.send(["PING"]), `Cannot reach ${this.address}`);
      if (this.#options.durable) await this.#checkDurable(connection, check);
    } catch (error) {
      await connection.close();
      throw error;
    }
    return connection;
  }

  async #checkDurable(
    connection: RespConnection,
    check: (reply: Promise<Reply>, what: string) => Promise<Reply>,
  ): Promise<void> {
    const what = `Cannot check the persistence of ${this.address}`;
    const appendonly = await check(connection.send(["CONFIG", "GET", "appendonly"]), what) as string[];
    const appendfsync = await check(connection.send(["CONFIG", "GET", "appendfsync"]), what) as string[];
    if (appendonly[1] !== "yes" || appendfsync[1] !== "always") {
      throw new DurabilityError(
        `Cannot use fencing: "durable" with ${this.address}: it needs appendonly yes and appendfsync always: ` +
          `received appendonly ${appendonly[1]}, appendfsync ${appendfsync[1]}`,
      );
    }
  }

  #connection(): Promise<RespConnection> {
    if (this.#closed) return Promise.reject(new ConnectionBroken(`The connection to ${this.address} was closed`));
    if (this.#command?.usable) return Promise.resolve(this.#command);
    this.#connecting ??= this.#dial().then(
      (connection) => {
        this.#connecting = undefined;
        if (this.#closed) {
          connection.close();
          throw new ConnectionBroken(`The connection to ${this.address} was closed`);
        }
        this.#command = connection;
        return connection;
      },
      (error) => {
        this.#connecting = undefined;
        throw error instanceof ConnectionBroken || error instanceof DurabilityError
          ? error
          : new ConnectionBroken(`Cannot connect to ${this.address}: ${error?.message ?? error}`, { cause: error });
      },
    );
    return this.#connecting;
  }

  #send(args: (string | number)[]): Promise<Reply> {
    if (this.#command?.usable) return this.#command.send(args);
    return this.#connection().then((connection) => connection.send(args));
  }

  async run(op: string, keys: readonly string[], args: readonly (string | number)[]): Promise<OpReply> {
    if (op === "lock.fast") {
      // Not a script: SET NX PX and HINCRBY in one write (a token is spent even when the SET fails).
      const [key] = keys;
      const connection = this.#command?.usable ? this.#command : await this.#connection();
      const set = connection.send(["SET", `${key}:o`, args[1], "NX", "PX", args[2]]);
      const token = connection.send(["HINCRBY", key, "tok", 1]);
      set.catch(() => {});
      token.catch(() => {});
      return (await set) === "OK" ? [1, await token as number] : (await token, [0]);
    }
    const script = this.#scripts.get(op);
    if (script === undefined) throw new TypeError(`Cannot find operation '${op}'`);
    const command = ["EVALSHA", script.sha, keys.length, ...keys, this.#options.prefix, ...args];
    let reply = await this.#send(command);
    if (reply instanceof ReplyError && reply.message.startsWith("NOSCRIPT")) {
      command[0] = "EVAL";
      command[1] = script.text;
      reply = await this.#send(command);
    }
    if (reply instanceof ReplyError) {
      throw new RuntimeError(`Operation ${op} failed on ${this.address}: ${reply.message}`);
    }
    return (reply ?? []) as OpReply;
  }

  async beat(client: string, ttlMs: number): Promise<void> {
    await this.#send(["SET", `${this.#options.prefix}:c:${client}`, "1", "PX", Math.max(1, Math.round(ttlMs))]);
  }

  async leave(client: string): Promise<void> {
    const prefix = this.#options.prefix;
    await this.#send(["DEL", `${prefix}:c:${client}`, `${prefix}:w:${client}`]);
  }

  openWakes(client: string, deliver: (message: string) => boolean, onReconnect: () => void): WakeChannel {
    const key = `${this.#options.prefix}:w:${client}`;
    let open = true;
    let current: RespConnection | undefined;
    // Ends the lull after a wake-up that left no thread waiting (see `lull`).
    let wanted: (() => void) | undefined;
    const loop = (async () => {
      let backoff = 20;
      let first = true;
      while (open && !this.#closed) {
        try {
          current = await this.#dial();
          this.#wakeConnections.add(current);
          if (!open) break;
          if (!first) onReconnect();
          first = false;
          backoff = 20;
          for (;;) {
            const reply = await current.send(["BLPOP", key, 0]);
            if (reply instanceof ReplyError) throw new ConnectionBroken(reply.message);
            if (Array.isArray(reply)) {
              // Let the woken thread run (and send its next command) before this connection's write.
              if (deliver(reply[1] as string)) await nextTurn();
              else await lull((end) => wanted = end);
              wanted = undefined;
            }
          }
        } catch {
          if (current) {
            this.#wakeConnections.delete(current);
            await current.close();
            current = undefined;
          }
          if (!open || this.#closed) break;
          first = false;
          await new Promise((resolve) => setTimeout(resolve, backoff));
          backoff = Math.min(backoff * 2, 500);
        }
      }
    })();
    this.#wakeLoops.add(loop);
    return {
      wanted: () => wanted?.(),
      close: async () => {
        open = false;
        wanted?.();
        await current?.close();
        await loop;
        this.#wakeLoops.delete(loop);
      },
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const connecting = this.#connecting;
    await this.#command?.close();
    await connecting?.then((c) => c.close(), () => {});
    for (const connection of this.#wakeConnections) await connection.close();
    await Promise.all(this.#wakeLoops);
  }
}

// The event loop's next turn, after the pending callbacks and the promise jobs they start. Not `setTimeout(0)`:
// on Deno 2.9.6 it fires about 2.1 ms later (measured here), so a second waiter of one process, whose wake-up is
// popped only once this connection's BLPOP is sent again, would wait 2 ms per hand-off. `setImmediate` (Deno, Node,
// workerd's nodejs_compat) takes about 6 us.
const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
function nextTurn(): Promise<void> {
  return new Promise((resolve) => immediate !== undefined ? immediate(resolve) : setTimeout(resolve, 0));
}

/**
 * The pause after a wake-up that left no thread of the client waiting: until one waits again
 * (`onWanted`'s callback) or a `setTimeout(0)` (about 2 ms on Deno 2.9.6) fires. Sending the next
 * BLPOP at once (or on the next turn) made a hand-off between two processes slower on this project's 2-core
 * machines: 1.28-2.34x the floor, against 1.06-1.13x with the pause (`deno task bench:distributed`). No
 * wake-up waits for it: a thread that starts waiting ends the pause.
 */
function lull(onWanted: (end: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 0);
    onWanted(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The server does not persist every write, and the client was asked for durable fencing. */
export class DurabilityError extends RuntimeError {
  /** @param message What the server is missing. */
  constructor(message: string) {
    super(message);
    this.name = "DurabilityError";
  }
}
