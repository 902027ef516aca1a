/**
 * `connect(url, options)` and the `Manager` it returns.
 *
 * @module
 */
import { type BackendChoice, getBackend, RuntimeError, ValueError } from "../mod.ts";
import { Client } from "./_client.ts";
import type { Engine } from "./_engine.ts";
import { describe } from "./_library.ts";
import { checkLeaseValue, checkName, type PrimitiveOptions } from "./_options.ts";
import { DurabilityError, RedisEngine } from "./_redis_engine.ts";
import { ConnectionBroken } from "./_resp.ts";
import { runtimeDial, streamDial, type TcpConnect } from "./_transport.ts";
import { Barrier } from "./barrier.ts";
import { Condition } from "./condition.ts";
import { ConnectionError } from "./errors.ts";
import { Event } from "./event.ts";
import { Lock } from "./lock.ts";
import { crashHooks, MemoryServer } from "./memory_server.ts";
import { LifoQueue, Queue, type QueueOptions } from "./queue.ts";
import { RLock } from "./rlock.ts";
import { BoundedSemaphore, Semaphore } from "./semaphore.ts";

/** Options of {@linkcode connect}. */
export interface ConnectOptions {
  /** The namespace of every key this manager uses (default `"locksmith"`). */
  prefix?: string;
  /**
   * The default lease of locks and permits, in ms (default 10 000): renewed every third of it
   * while held. It is also how long the server keeps this client's queue entries after its last
   * heartbeat.
   */
  leaseMs?: number;
  /**
   * How long before the end of its lease a holder considers it lost, in ms (default 100): the slack
   * for clock drift and the renewal's round trip. A lease must be at least three margins.
   */
  renewalMarginMs?: number;
  /** How long to wait for a connection, in ms (default 5000). */
  connectTimeoutMs?: number;
  /**
   * How long a call that does not wait (a release, `set`, `qsize`...) keeps trying a broken
   * connection before it throws `ConnectionError`, in ms (default 2000). Waits keep trying until
   * their own timeout.
   */
  retryMs?: number;
  /**
   * `"efficiency"` (default): any Redis server; a restart without persistence loses the state, and a
   * fencing token can go backwards. `"durable"`: refuse a server without `appendonly yes` and
   * `appendfsync always`, so that tokens never go backwards, even across a crash of the server.
   */
  fencing?: "efficiency" | "durable";
  /**
   * The backend local waits park on and whose clock the client's timers use: `"async"` (default)
   * or `"cooperative"` (virtual time; with `memory://`, leases expire without real waiting and
   * schedules explore and replay by seed), by name or as a backend object of the library.
   */
  backend?: string | object;
  /**
   * Opens a TCP socket where the runtime has no `Deno.connect`: Cloudflare's `connect` from
   * `cloudflare:sockets` (any function returning an object with Web-stream `readable` and
   * `writable` and `close()`).
   */
  tcp?: TcpConnect;
}

const managers = new WeakMap<Manager, Client>();

/**
 * A connection to a server that hands out primitives by name (Python's
 * `SyncManager`): `manager.Lock("orders")` in any process connected to the
 * same server (and prefix) is the same lock. Close it with `close()` or
 * `await using`: what it holds is released and its connections end.
 *
 * @example Two processes' view of one lock (two managers here)
 * ```ts
 * import { connect } from "@locksmith/threading/distributed";
 * import { assertEquals } from "@std/assert";
 *
 * await using a = await connect("memory://");
 * await using b = await connect("memory://");
 * await a.Lock("orders").acquire();
 * assertEquals(await b.Lock("orders").locked(), true);
 * await a.Lock("orders").release();
 * ```
 */
export class Manager {
  /** The URL it connected to. */
  readonly url: string;
  /** The key prefix. */
  readonly prefix: string;
  /** This client's id on the server (its tickets start with it). */
  readonly clientId: string;
  /** The default lease of locks and permits, in ms. */
  readonly leaseMs: number;
  readonly #client: Client;
  readonly #objects = new Map<string, { kind: string; object: unknown }>();

  /**
   * Use {@linkcode connect}.
   *
   * @internal
   */
  constructor(url: string, prefix: string, client: Client) {
    this.url = url;
    this.prefix = prefix;
    this.#client = client;
    this.clientId = client.id;
    this.leaseMs = client.leaseMs;
    managers.set(this, client);
  }

  #key(name: string): string {
    return `${this.prefix}:p:${name}`;
  }

  #make<T>(kind: string, name: unknown, make: (key: string, name: string) => T): T {
    const checked = checkName(kind, name);
    if (this.#client.closed) {
      throw new RuntimeError(`Cannot create ${kind} "${checked}": the manager is closed`);
    }
    const known = this.#objects.get(checked);
    if (known !== undefined && known.kind !== kind) {
      throw new TypeError(`Cannot create ${kind} "${checked}": the name is already a ${known.kind} of this manager`);
    }
    // The same name is the same object: its local waiters and its ownership are the process's.
    if (known !== undefined) return known.object as T;
    const object = make(this.#key(checked), checked);
    this.#objects.set(checked, { kind, object });
    return object;
  }

  /**
   * The lock called `name` (Python's `manager.Lock()`), with a lease.
   *
   * @param name The lock's name on the server.
   * @param options `leaseMs`: its lease (default: the manager's).
   * @returns The lock.
   * @throws {TypeError} If the name is not a non-empty string, or is another kind of this manager's.
   * @throws {ValueError} If the lease is under three renewal margins.
   *
   * @example A named lock
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(manager.Lock("orders").name, "orders");
   * ```
   */
  Lock(name: string, options?: PrimitiveOptions): Lock {
    return this.#make("Lock", name, (key, n) => new Lock(this.#client, key, n, options));
  }

  /**
   * The reentrant lock called `name` (Python's `manager.RLock()`).
   *
   * @param name The lock's name on the server.
   * @param options `leaseMs`: its lease (default: the manager's).
   * @returns The lock.
   * @throws {TypeError} If the name is not a non-empty string, or is another kind of this manager's.
   * @throws {ValueError} If the lease is under three renewal margins.
   *
   * @example A named reentrant lock
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * const rlock = manager.RLock("config");
   * await rlock.acquire();
   * assertEquals(await rlock.acquire(false), true);
   * await rlock.release();
   * await rlock.release();
   * ```
   */
  RLock(name: string, options?: PrimitiveOptions): RLock {
    return this.#make("RLock", name, (key, n) => new RLock(this.#client, key, n, options));
  }

  /**
   * The semaphore called `name` (Python's `manager.Semaphore(value)`).
   *
   * @param name Its name on the server.
   * @param value Its initial value (default 1); the first client to use the name sets it.
   * @param options `leaseMs`: the lease of a permit.
   * @returns The semaphore.
   * @throws {ValueError} If `value` is negative.
   *
   * @example Three slots
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(await manager.Semaphore("slots", 3).value, 3);
   * ```
   */
  Semaphore(name: string, value?: number, options?: PrimitiveOptions): Semaphore {
    return this.#make("Semaphore", name, (key, n) => new Semaphore(this.#client, key, n, value, options));
  }

  /**
   * The bounded semaphore called `name` (Python's `manager.BoundedSemaphore(value)`).
   *
   * @param name Its name on the server.
   * @param value Its initial value and bound (default 1).
   * @param options `leaseMs`: the lease of a permit.
   * @returns The semaphore.
   * @throws {ValueError} If `value` is negative.
   *
   * @example A bounded semaphore
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(await manager.BoundedSemaphore("pool", 2).value, 2);
   * ```
   */
  BoundedSemaphore(name: string, value?: number, options?: PrimitiveOptions): BoundedSemaphore {
    return this.#make(
      "BoundedSemaphore",
      name,
      (key, n) => new BoundedSemaphore(this.#client, key, n, value, options),
    );
  }

  /**
   * The condition called `name` (Python's `manager.Condition(lock)`), over `lock` (a `Lock` or
   * `RLock` of this manager) or, by default, the `RLock` named `<name>.lock`.
   *
   * @param name Its name on the server.
   * @param lock Its lock.
   * @param options `leaseMs` of its default lock.
   * @returns The condition.
   * @throws {TypeError} If `lock` is not a Lock or RLock of this manager.
   *
   * @example A condition over its default lock
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(manager.Condition("changed").lock.name, "changed.lock");
   * ```
   */
  Condition(name: string, lock?: Lock | RLock | null, options?: PrimitiveOptions): Condition {
    if (lock !== undefined && lock !== null && !this.#owns(lock)) {
      throw new TypeError(
        `Cannot create Condition as 'lock' must be a Lock or RLock of this manager: received ${describe(lock)}`,
      );
    }
    if (options !== undefined && (options === null || typeof options !== "object")) {
      throw new TypeError(`Cannot create Condition as 'options' must be an object: received ${describe(options)}`);
    }
    return this.#make(
      "Condition",
      name,
      (key, n) => new Condition(this.#client, key, n, lock ?? this.RLock(`${n}.lock`)),
    );
  }

  #owns(lock: unknown): boolean {
    if (!(lock instanceof Lock) && !(lock instanceof RLock)) return false;
    const known = this.#objects.get(lock.name);
    return known?.object === lock;
  }

  /**
   * The event called `name` (Python's `manager.Event()`).
   *
   * @param name Its name on the server.
   * @returns The event.
   *
   * @example A named event
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(await manager.Event("ready").isSet(), false);
   * ```
   */
  Event(name: string): Event {
    return this.#make("Event", name, (key, n) => new Event(this.#client, key, n));
  }

  /**
   * The barrier called `name` for `parties` threads (Python's `manager.Barrier(parties, action,
   * timeout)`); the last to arrive runs the action of its own manager.
   *
   * @param name Its name on the server.
   * @param parties How many threads must arrive (every client must give the same number).
   * @param action Runs once per cycle, by the last to arrive.
   * @param timeout The default timeout of `wait()`, in ms.
   * @returns The barrier.
   * @throws {ValueError} If `parties` < 1.
   *
   * @example A barrier of three
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(manager.Barrier("phase", 3).parties, 3);
   * ```
   */
  Barrier(name: string, parties: number, action?: (() => unknown) | null, timeout?: number | null): Barrier {
    return this.#make("Barrier", name, (key, n) => new Barrier(this.#client, key, n, parties, action, timeout));
  }

  /**
   * The FIFO queue called `name` (Python's `manager.Queue(maxsize)`).
   *
   * @param name Its name on the server.
   * @param maxsize Its largest size (0 or less: unbounded); every client must give the same.
   * @param options `acknowledge`: keep got items until `taskDone()`, redelivering them if the consumer dies.
   * @returns The queue.
   * @throws {ValueError} If `maxsize` is not an integer.
   *
   * @example A bounded queue
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(manager.Queue("jobs", 100).maxsize, 100);
   * ```
   */
  Queue<T = unknown>(name: string, maxsize?: number, options?: QueueOptions): Queue<T> {
    return this.#make("Queue", name, (key, n) => new Queue<T>(this.#client, key, n, maxsize, options));
  }

  /**
   * The LIFO queue called `name` (Python's `manager.LifoQueue(maxsize)`).
   *
   * @param name Its name on the server.
   * @param maxsize Its largest size (0 or less: unbounded).
   * @param options `acknowledge`, as for `Queue`.
   * @returns The queue.
   *
   * @example A stack
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   * import { assertEquals } from "@std/assert";
   *
   * await using manager = await connect("memory://");
   * assertEquals(manager.LifoQueue("stack").maxsize, 0);
   * ```
   */
  LifoQueue<T = unknown>(name: string, maxsize?: number, options?: QueueOptions): LifoQueue<T> {
    return this.#make("LifoQueue", name, (key, n) => new LifoQueue<T>(this.#client, key, n, maxsize, options));
  }

  /**
   * Releases what this client holds, leaves the queues it waits in, and closes its connections.
   *
   * @example Closing
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   *
   * const manager = await connect("memory://");
   * await manager.close();
   * ```
   */
  async close(): Promise<void> {
    await this.#client.close();
  }

  /**
   * `await using manager = await connect(...)` closes it at the end of the block.
   *
   * @example Closing at the end of a block
   * ```ts
   * import { connect } from "@locksmith/threading/distributed";
   *
   * {
   *   await using _manager = await connect("memory://");
   * }
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function parseUrl(url: unknown): URL {
  if (typeof url !== "string") {
    throw new TypeError(`Cannot connect as 'url' must be a string: received ${describe(url)}`);
  }
  try {
    return new URL(url);
  } catch {
    throw new TypeError(`Cannot connect as 'url' is not a URL: received "${url}"`);
  }
}

function checkNumber(what: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(`Cannot connect as '${what}' must be a number of ms: received ${describe(value)}`);
  }
  if (value < min || !Number.isFinite(value)) {
    throw new ValueError(`Cannot connect as '${what}' must be a finite number >= ${min}: received ${value}`);
  }
  return value;
}

/**
 * Connects to a server and returns a {@linkcode Manager} of named primitives.
 *
 * - `redis://host:port/db` (also `redis://user:password@host:port/db`): a Redis 7 server, spoken to
 *   directly (no dependency), over `Deno.connect` or `options.tcp`.
 * - `memory://` (or `memory://name` of a {@linkcode MemoryServer}): a server in this isolate,
 *   with the same operations; on the `cooperative` backend its time is virtual.
 *
 * @param url Where the server is.
 * @param options Prefix, leases, timeouts, fencing, backend.
 * @returns The manager.
 * @throws {TypeError} If the URL is not a `redis://` or `memory://` URL, or an option has the wrong type.
 * @throws {ValueError} If an option is out of range (a lease under three renewal margins).
 * @throws {ConnectionError} If the server cannot be reached.
 * @throws {RuntimeError} If `fencing: "durable"` and the server does not fsync every write.
 *
 * @example Connecting to the in-process server
 * ```ts
 * import { connect } from "@locksmith/threading/distributed";
 * import { assertEquals } from "@std/assert";
 *
 * await using manager = await connect("memory://", { prefix: "myapp", leaseMs: 10_000 });
 * assertEquals(manager.prefix, "myapp");
 * ```
 */
export async function connect(url: string, options: ConnectOptions = {}): Promise<Manager> {
  const parsed = parseUrl(url);
  if (options === null || typeof options !== "object") {
    throw new TypeError(`Cannot connect as 'options' must be an object: received ${describe(options)}`);
  }
  const prefix = options.prefix ?? "locksmith";
  if (typeof prefix !== "string" || prefix === "" || /[\s|]/.test(prefix)) {
    throw new TypeError(
      `Cannot connect as 'prefix' must be a non-empty string without spaces or '|': received ${describe(prefix)}`,
    );
  }
  const marginMs = checkNumber("renewalMarginMs", options.renewalMarginMs, 100, 1);
  const leaseMs = options.leaseMs === undefined
    ? Math.max(10_000, 3 * marginMs)
    : checkLeaseValue("connect", options.leaseMs, marginMs);
  const connectTimeoutMs = checkNumber("connectTimeoutMs", options.connectTimeoutMs, 5000, 1);
  const retryMs = checkNumber("retryMs", options.retryMs, 2000, 0);
  const fencing = options.fencing ?? "efficiency";
  if (fencing !== "efficiency" && fencing !== "durable") {
    throw new TypeError(`Cannot connect as 'fencing' must be "efficiency" or "durable": received ${describe(fencing)}`);
  }
  const backend = getBackend(options.backend as BackendChoice);
  if (backend.capabilities.parallelThreads) {
    throw new TypeError(
      `Cannot connect with the '${backend.name}' backend: local waits park on an in-isolate backend ("async" or "cooperative")`,
    );
  }
  let engine: Engine;
  if (parsed.protocol === "memory:") {
    if (fencing === "durable") {
      throw new TypeError(`Cannot connect to ${url} with fencing: "durable": the memory engine keeps nothing on disk`);
    }
    engine = MemoryServer.named(parsed.host, backend).engine(prefix);
  } else if (parsed.protocol === "redis:") {
    const port = parsed.port === "" ? 6379 : Number(parsed.port);
    const path = parsed.pathname.replace(/^\//, "");
    const db = path === "" ? 0 : Number(path);
    if (!Number.isInteger(db) || db < 0) {
      throw new TypeError(`Cannot connect as the database in '${url}' must be a number: received "${path}"`);
    }
    if (parsed.hostname === "") throw new TypeError(`Cannot connect as '${url}' names no host`);
    const dial = options.tcp !== undefined ? streamDial(options.tcp) : runtimeDial();
    if (dial === undefined) {
      throw new TypeError(
        `Cannot connect to ${url}: this runtime has no Deno.connect; pass a TCP socket factory as 'tcp' ` +
          `(such as connect from "cloudflare:sockets")`,
      );
    }
    try {
      engine = await RedisEngine.open({
        hostname: parsed.hostname.replace(/^\[|\]$/g, ""),
        port,
        db,
        username: parsed.username === "" ? undefined : decodeURIComponent(parsed.username),
        password: parsed.password === "" ? undefined : decodeURIComponent(parsed.password),
      }, { prefix, dial, connectTimeoutMs, durable: fencing === "durable" });
    } catch (error) {
      if (error instanceof DurabilityError) throw error;
      throw new ConnectionError(
        `Cannot connect to ${url}: ${(error as Error)?.message ?? error}`,
        { cause: error },
      );
    }
  } else {
    throw new TypeError(`Cannot connect as the URL scheme must be redis: or memory:: received "${parsed.protocol}"`);
  }
  const client = new Client({ engine, backend, leaseMs, marginMs, retryMs });
  try {
    await client.start();
  } catch (error) {
    await engine.close();
    if (error instanceof ConnectionBroken) throw new ConnectionError(`Cannot connect to ${url}: ${error.message}`);
    throw error;
  }
  crashHooks.set(client.id, () => client.crash());
  return new Manager(url, prefix, client);
}
