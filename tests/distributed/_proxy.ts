/**
 * A TCP proxy inside the test, to make partitions without privileges: it
 * forwards to a server, and can freeze its connections (bytes stop both
 * ways, the connections stay open: a half-open partition) or cut them.
 *
 * @module
 */

/** The proxy. */
export class Proxy {
  readonly #listener: Deno.Listener;
  readonly #target: { hostname: string; port: number };
  readonly #pairs = new Set<[Deno.Conn, Deno.Conn]>();
  readonly #pumps = new Set<Promise<void>>();
  #frozen: PromiseWithResolvers<void> | undefined;
  readonly #accepting: Promise<void>;

  constructor(targetPort: number) {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#target = { hostname: "127.0.0.1", port: targetPort };
    this.#accepting = this.#accept();
  }

  /** The URL that reaches the server through the proxy. */
  get url(): string {
    return `redis://127.0.0.1:${(this.#listener.addr as Deno.NetAddr).port}`;
  }

  async #accept(): Promise<void> {
    try {
      for await (const inbound of this.#listener) {
        let outbound: Deno.Conn;
        try {
          outbound = await Deno.connect(this.#target);
        } catch {
          inbound.close();
          continue;
        }
        const pair: [Deno.Conn, Deno.Conn] = [inbound, outbound];
        this.#pairs.add(pair);
        const pumps = Promise.all([this.#pump(inbound, outbound), this.#pump(outbound, inbound)]).then(() => {
          this.#pairs.delete(pair);
          for (const conn of pair) {
            try {
              conn.close();
            } catch {
              // closed already
            }
          }
        });
        this.#pumps.add(pumps);
        pumps.finally(() => this.#pumps.delete(pumps));
      }
    } catch {
      // the listener was closed
    }
  }

  async #pump(from: Deno.Conn, to: Deno.Conn): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await from.read(buffer);
        if (n === null) break;
        while (this.#frozen) await this.#frozen.promise;
        let written = 0;
        while (written < n) written += await to.write(buffer.subarray(written, n));
      }
    } catch {
      // the other side went away
    }
    try {
      to.close();
    } catch {
      // closed already
    }
  }

  /** Stops forwarding (connections stay open, bytes wait). */
  freeze(): void {
    this.#frozen ??= Promise.withResolvers();
  }

  /** Forwards again what waited, and what comes. */
  thaw(): void {
    this.#frozen?.resolve();
    this.#frozen = undefined;
  }

  /** Closes every connection (new ones are accepted). */
  cut(): void {
    for (const pair of this.#pairs) {
      for (const conn of pair) {
        try {
          conn.close();
        } catch {
          // closed already
        }
      }
    }
  }

  /** Stops the proxy. */
  async close(): Promise<void> {
    this.thaw();
    this.#listener.close();
    this.cut();
    await this.#accepting;
    await Promise.all([...this.#pumps]);
  }
}
