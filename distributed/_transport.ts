/**
 * A byte stream to a server: Deno's TCP (`Deno.connect`), or any socket
 * with Web streams, such as Cloudflare's `connect()` from
 * `cloudflare:sockets`. Nothing here imports a Node or runtime module: the
 * Web-streams form is handed in by the caller.
 *
 * @module
 */

/** A connected byte stream. */
export interface Duplex {
  /** Writes all of `bytes`. */
  write(bytes: Uint8Array): Promise<void>;
  /** The next chunk read, or `null` once the peer closed. The chunk is only valid until the next call. */
  read(): Promise<Uint8Array | null>;
  /** Closes the stream (pending reads end with `null` or an error). */
  close(): void;
}

/**
 * A socket in the shape of Cloudflare's `connect()` (`cloudflare:sockets`):
 * Web streams to read and write, and `close()`.
 */
export interface StreamSocket {
  /** Bytes from the server. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the server. */
  readonly writable: WritableStream<Uint8Array>;
  /** Resolves once connected (optional). */
  readonly opened?: Promise<unknown>;
  /** Closes the socket. */
  close(): unknown;
}

/** Opens a {@linkcode StreamSocket} (Cloudflare's `connect` fits). */
export type TcpConnect = (address: { hostname: string; port: number }) => StreamSocket;

/** Opens a connection to `hostname:port`. */
export type Dial = (hostname: string, port: number) => Promise<Duplex>;

interface DenoConn {
  read(buffer: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  close(): void;
  setNoDelay?(noDelay?: boolean): void;
}

interface DenoNamespace {
  connect(options: { hostname: string; port: number; transport?: "tcp" }): Promise<DenoConn>;
}

/** The runtime's own TCP, if it has one (Deno's `Deno.connect`). */
export function runtimeDial(): Dial | undefined {
  const deno = (globalThis as { Deno?: DenoNamespace }).Deno;
  if (deno === undefined || typeof deno.connect !== "function") return undefined;
  return async (hostname, port) => {
    const conn = await deno.connect({ hostname, port, transport: "tcp" });
    conn.setNoDelay?.(true);
    return denoDuplex(conn);
  };
}

function denoDuplex(conn: DenoConn): Duplex {
  const buffer = new Uint8Array(64 * 1024);
  let closed = false;
  return {
    async write(bytes) {
      let written = 0;
      while (written < bytes.length) written += await conn.write(bytes.subarray(written));
    },
    async read() {
      if (closed) return null;
      const n = await conn.read(buffer);
      return n === null ? null : buffer.subarray(0, n);
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        conn.close();
      } catch {
        // already closed by the peer
      }
    },
  };
}

/** A {@linkcode Dial} over a socket factory with Web streams (`cloudflare:sockets`). */
export function streamDial(tcp: TcpConnect): Dial {
  return async (hostname, port) => {
    const socket = tcp({ hostname, port });
    if (socket.opened !== undefined) await socket.opened;
    const reader = socket.readable.getReader();
    const writer = socket.writable.getWriter();
    let closed = false;
    return {
      async write(bytes) {
        await writer.write(bytes);
      },
      async read() {
        if (closed) return null;
        const { value, done } = await reader.read();
        return done ? null : value;
      },
      close() {
        if (closed) return;
        closed = true;
        reader.cancel().catch(() => {});
        writer.close().catch(() => {});
        try {
          socket.close();
        } catch {
          // already closed
        }
      },
    };
  };
}
