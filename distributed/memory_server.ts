/**
 * `MemoryServer`: the `memory://` engine's server, in this isolate, with the
 * faults a test needs (restart, stop, partitions, crashed clients).
 *
 * @module
 */
import { type Backend, type BackendChoice, Event, getBackend } from "../mod.ts";
import type { Engine, OpReply, WakeChannel } from "./_engine.ts";
import { MEMORY_OPS } from "./_memory_ops.ts";
import { MemoryStore } from "./_memory_store.ts";
import { ConnectionBroken } from "./_resp.ts";
import { describe } from "./_library.ts";

/** Options of {@linkcode MemoryServer}. */
export interface MemoryServerOptions {
  /**
   * The backend whose clock and waits the server and its clients use (default: the default backend).
   * On `cooperative` time is virtual: leases of minutes expire at once when every thread waits. A
   * backend name (`async`, `cooperative`) or a backend object of the library.
   */
  backend?: string | object;
}

interface Subscriber {
  deliver(message: string): void;
  onReconnect(): void;
}

const servers = new WeakMap<Backend, Map<string, MemoryServer>>();
let serial = 0;

/** A crash hook per client, set by the manager (so that `crash()` can stop one without letting it clean up). */
export const crashHooks: Map<string, () => void> = new Map();

/**
 * A server for `memory://` URLs: the same primitives as on Redis, kept in
 * this isolate, with the same operations, leases and wake-ups. Several
 * managers connected to one server act as several processes, which makes it
 * the place to test distributed code: on the `cooperative` backend its clock
 * is virtual, so lease expiry, crashes and restarts run under `explore()`
 * and replay by seed.
 *
 * `connect("memory://")` uses the default server of the backend;
 * `connect(server.url)` a server you made.
 *
 * @example Two clients of one server
 * ```ts
 * import { connect, MemoryServer } from "@locksmith/threading/distributed";
 * import { assertEquals } from "@std/assert";
 *
 * const server = new MemoryServer();
 * await using a = await connect(server.url);
 * await using b = await connect(server.url);
 * await a.Lock("job").acquire();
 * assertEquals(await b.Lock("job").acquire(false), false);
 * await a.Lock("job").release();
 * ```
 */
export class MemoryServer {
  /** The URL that connects to this server. */
  readonly url: string;
  readonly #backend: Backend;
  readonly #store: MemoryStore;
  readonly #subscribers = new Map<string, Subscriber>();
  readonly #mailboxes = new Map<string, string[]>();
  readonly #frozen = new Map<string, Event>();
  readonly #epochs = new Map<string, number>();
  #running = true;
  #generation = 0;

  /**
   * Creates a server.
   *
   * @param options `backend`: whose clock and waits it uses.
   * @throws {TypeError} If the options are not an object or the backend is unknown.
   */
  constructor(options: MemoryServerOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TypeError(`Cannot create MemoryServer as 'options' must be an object: received ${describe(options)}`);
    }
    this.#backend = getBackend(options.backend as BackendChoice);
    this.#store = new MemoryStore(() => this.#backend.now());
    const name = `s${++serial}`;
    this.url = `memory://${name}`;
    registry(this.#backend).set(name, this);
  }

  /**
   * The server a `memory://name` URL names on `backend` (the default server for an empty name).
   *
   * @internal
   */
  static named(name: string, backend: Backend): MemoryServer {
    const known = registry(backend).get(name);
    if (known !== undefined) return known;
    if (name !== "") {
      throw new TypeError(
        `Cannot connect to memory://${name}: no MemoryServer of that name on backend '${backend.name}'`,
      );
    }
    const server = new MemoryServer({ backend });
    registry(backend).set("", server);
    return server;
  }

  /** Whether the server is running (see {@linkcode MemoryServer.stop}). */
  get running(): boolean {
    return this.#running;
  }

  /**
   * Stops the server: every client's calls fail as a refused connection would, until `start()`.
   * State is kept (as a paused process keeps it).
   */
  stop(): void {
    this.#running = false;
    this.#breakAll();
  }

  /** Starts a stopped server again. */
  start(): void {
    this.#running = true;
  }

  /**
   * Restarts the server: connections break and, unless `keepData`, all state is lost, as on a Redis
   * server without persistence (tokens start again from 1).
   *
   * @param options `keepData`: keep the state, as a server with `appendfsync always` does.
   */
  restart(options: { keepData?: boolean } = {}): void {
    if (!options.keepData) {
      this.#store.clear();
      this.#mailboxes.clear();
    }
    this.#running = true;
    this.#breakAll();
  }

  /**
   * Crashes a client, as `kill -9` would: it stops at once, releases nothing, and its leases run out.
   *
   * @param client The manager's `clientId`.
   */
  crash(client: string): void {
    crashHooks.get(client)?.();
    this.#subscribers.delete(client);
  }

  /**
   * Freezes a client's connections (a partition that drops nothing): its calls wait, and run when
   * `thaw` is called; wake-ups for it are held back.
   *
   * @param client The manager's `clientId`.
   */
  freeze(client: string): void {
    if (!this.#frozen.has(client)) this.#frozen.set(client, new Event({ backend: this.#backend }));
  }

  /**
   * Ends a partition made by `freeze`: held calls run, held wake-ups are delivered.
   *
   * @param client The manager's `clientId`.
   */
  thaw(client: string): void {
    const gate = this.#frozen.get(client);
    if (gate === undefined) return;
    this.#frozen.delete(client);
    gate.set();
    this.#flush(client);
  }

  /**
   * Cuts a client's connections: calls in flight and the next ones fail once, as when a proxy closes
   * them; the client then connects again.
   *
   * @param client The manager's `clientId`.
   */
  cut(client: string): void {
    this.#epochs.set(client, (this.#epochs.get(client) ?? 0) + 1);
    this.#subscribers.get(client)?.onReconnect();
  }

  /**
   * The keys the server holds under `prefix` (for tests that check nothing is left behind).
   *
   * @param prefix A key prefix, such as `myapp:`.
   * @returns The keys.
   */
  keys(prefix: string = ""): string[] {
    return this.#store.keys(prefix);
  }

  #breakAll(): void {
    this.#generation++;
    for (const subscriber of this.#subscribers.values()) subscriber.onReconnect();
  }

  #wake(ticket: string, message: string): void {
    const client = ticket.split(".", 1)[0];
    let box = this.#mailboxes.get(client);
    if (box === undefined) this.#mailboxes.set(client, box = []);
    box.push(`${ticket}|${message}`);
    if (box.length === 1) queueMicrotask(() => this.#flush(client));
  }

  #flush(client: string): void {
    const subscriber = this.#subscribers.get(client);
    const box = this.#mailboxes.get(client);
    if (subscriber === undefined || box === undefined || this.#frozen.has(client)) return;
    this.#mailboxes.delete(client);
    for (const message of box) subscriber.deliver(message);
  }

  /**
   * A client's engine on this server.
   *
   * @internal
   */
  engine(prefix: string): Engine {
    return new MemoryEngine(this, prefix);
  }

  /** @internal */
  async call(
    client: string,
    generation: number,
    epoch: number,
    run: () => OpReply,
  ): Promise<OpReply> {
    const gate = this.#frozen.get(client);
    if (gate !== undefined) await gate.wait();
    if (!this.#running) throw new ConnectionBroken("Cannot reach the memory server: it is stopped");
    if (generation !== this.#generation || epoch !== (this.#epochs.get(client) ?? 0)) {
      throw new ConnectionBroken("The memory server closed the connection");
    }
    return run();
  }

  /** @internal */
  connection(client: string): { generation: number; epoch: number } {
    if (!this.#running) throw new ConnectionBroken("Cannot reach the memory server: it is stopped");
    return { generation: this.#generation, epoch: this.#epochs.get(client) ?? 0 };
  }

  /** @internal */
  op(prefix: string, op: string, keys: readonly string[], args: readonly (string | number)[]): OpReply {
    const run = MEMORY_OPS[op];
    if (run === undefined) throw new TypeError(`Cannot find operation '${op}'`);
    return run({
      store: this.#store,
      prefix,
      keys,
      args: args.map(String),
      now: this.#backend.now(),
      wake: (ticket, message) => this.#wake(ticket, message),
    });
  }

  /** @internal */
  beat(prefix: string, client: string, ttlMs: number): void {
    this.#store.setex(`${prefix}:c:${client}`, "1", ttlMs);
  }

  /** @internal */
  leave(prefix: string, client: string): void {
    this.#store.del(`${prefix}:c:${client}`);
    this.#mailboxes.delete(client);
  }

  /** @internal */
  subscribe(client: string, subscriber: Subscriber | undefined): void {
    if (subscriber === undefined) this.#subscribers.delete(client);
    else {
      this.#subscribers.set(client, subscriber);
      queueMicrotask(() => this.#flush(client));
    }
  }
}

function registry(backend: Backend): Map<string, MemoryServer> {
  let map = servers.get(backend);
  if (map === undefined) servers.set(backend, map = new Map());
  return map;
}

/** One client's view of a {@linkcode MemoryServer}: its "connection". */
class MemoryEngine implements Engine {
  readonly scheme = "memory";
  readonly address: string;
  #client = "";
  #connection: { generation: number; epoch: number } | undefined;

  constructor(readonly server: MemoryServer, readonly prefix: string) {
    this.address = server.url;
  }

  async run(op: string, keys: readonly string[], args: readonly (string | number)[]): Promise<OpReply> {
    const connection = this.#connect();
    try {
      return await this.server.call(
        this.#client,
        connection.generation,
        connection.epoch,
        () => this.server.op(this.prefix, op, keys, args),
      );
    } catch (error) {
      if (error instanceof ConnectionBroken) this.#connection = undefined;
      throw error;
    }
  }

  #connect(): { generation: number; epoch: number } {
    this.#connection ??= this.server.connection(this.#client);
    return this.#connection;
  }

  async beat(client: string, ttlMs: number): Promise<void> {
    this.#client = client;
    const connection = this.#connect();
    await this.server.call(client, connection.generation, connection.epoch, () => {
      this.server.beat(this.prefix, client, ttlMs);
      return [];
    }).catch((error) => {
      if (error instanceof ConnectionBroken) this.#connection = undefined;
      throw error;
    });
  }

  async leave(client: string): Promise<void> {
    const connection = this.#connect();
    await this.server.call(client, connection.generation, connection.epoch, () => {
      this.server.leave(this.prefix, client);
      return [];
    });
  }

  openWakes(client: string, deliver: (message: string) => boolean, onReconnect: () => void): WakeChannel {
    this.#client = client;
    this.server.subscribe(client, {
      deliver,
      onReconnect: () => {
        this.#connection = undefined;
        queueMicrotask(onReconnect);
      },
    });
    return {
      close: () => {
        this.server.subscribe(client, undefined);
        return Promise.resolve();
      },
    };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
