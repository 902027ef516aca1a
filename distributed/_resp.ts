/**
 * A minimal RESP2 client: commands are pipelined on one connection (those
 * sent in one turn of the event loop go out in one write), and replies are
 * matched to them in order. It knows nothing of locks: the Redis engine
 * sends scripts through it.
 *
 * @module
 */
import type { Duplex } from "./_transport.ts";

/** A reply: a string, an integer, `null`, an array of replies, or an error reply. */
export type Reply = string | number | null | Reply[] | ReplyError;

/** An error reply of the server (`-ERR ...`). */
export class ReplyError {
  /** @param message The server's message. */
  constructor(readonly message: string) {}
}

/** Thrown to the callers of a connection that broke. */
export class ConnectionBroken extends Error {
  /** @param message What happened. @param options The cause. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConnectionBroken";
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NOT_ASCII = /[^ -~\t\r\n]/;

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly (string | number)[]): string {
  let out = `*${args.length}\r\n`;
  for (const arg of args) {
    const text = typeof arg === "number" ? String(arg) : arg;
    const length = NOT_ASCII.test(text) ? encoder.encode(text).length : text.length;
    out += `$${length}\r\n${text}\r\n`;
  }
  return out;
}

/**
 * The text of `bytes[from, to)`: short ASCII runs (nearly every reply) without a call into the
 * runtime's decoder; anything else through it.
 */
function ascii(bytes: Uint8Array, from: number, to: number): string {
  if (to - from > 64) return decoder.decode(bytes.subarray(from, to));
  let text = "";
  for (let i = from; i < to; i++) {
    const byte = bytes[i];
    if (byte > 127) return decoder.decode(bytes.subarray(from, to));
    text += String.fromCharCode(byte);
  }
  return text;
}

// Thrown by the parser when the buffer ends inside a reply.
const INCOMPLETE = Symbol("incomplete");

/** Parses replies out of a growing byte buffer. */
class ReplyParser {
  #buffer = new Uint8Array(0);
  #pos = 0;

  push(chunk: Uint8Array): void {
    if (this.#pos >= this.#buffer.length) {
      this.#buffer = chunk.slice();
    } else {
      const rest = this.#buffer.subarray(this.#pos);
      const joined = new Uint8Array(rest.length + chunk.length);
      joined.set(rest);
      joined.set(chunk, rest.length);
      this.#buffer = joined;
    }
    this.#pos = 0;
  }

  /** The next complete reply, or `INCOMPLETE`. */
  next(): Reply | typeof INCOMPLETE {
    const start = this.#pos;
    try {
      return this.#reply();
    } catch (error) {
      if (error === INCOMPLETE) {
        this.#pos = start;
        return INCOMPLETE;
      }
      throw error;
    }
  }

  #line(): string {
    const buffer = this.#buffer;
    for (let i = this.#pos; i + 1 < buffer.length; i++) {
      if (buffer[i] === 13 && buffer[i + 1] === 10) {
        const line = ascii(buffer, this.#pos, i);
        this.#pos = i + 2;
        return line;
      }
    }
    throw INCOMPLETE;
  }

  #reply(): Reply {
    if (this.#pos >= this.#buffer.length) throw INCOMPLETE;
    const type = this.#buffer[this.#pos++];
    switch (type) {
      case 43: // '+'
        return this.#line();
      case 45: // '-'
        return new ReplyError(this.#line());
      case 58: // ':'
        return Number(this.#line());
      case 36: { // '$'
        const length = Number(this.#line());
        if (length < 0) return null;
        if (this.#pos + length + 2 > this.#buffer.length) throw INCOMPLETE;
        const text = ascii(this.#buffer, this.#pos, this.#pos + length);
        this.#pos += length + 2;
        return text;
      }
      case 42: { // '*'
        const count = Number(this.#line());
        if (count < 0) return null;
        const items: Reply[] = [];
        for (let i = 0; i < count; i++) items.push(this.#reply());
        return items;
      }
      default:
        throw new ConnectionBroken(`Cannot parse the server's reply: unexpected type byte ${type}`);
    }
  }
}

interface Pending {
  resolve(reply: Reply): void;
  reject(error: unknown): void;
}

/** One connection: `send` returns the command's reply (error replies resolve as `ReplyError`). */
export class RespConnection {
  readonly #duplex: Duplex;
  readonly #pending: Pending[] = [];
  #head = 0;
  #outgoing = "";
  #flushQueued = false;
  #writing: Promise<void> = Promise.resolve();
  #broken: Error | undefined;
  readonly #reading: Promise<void>;
  readonly #onBroken: (error: Error) => void;

  /**
   * @param duplex The connected stream.
   * @param onBroken Called once when the connection breaks or is closed.
   */
  constructor(duplex: Duplex, onBroken: (error: Error) => void = () => {}) {
    this.#duplex = duplex;
    this.#onBroken = onBroken;
    this.#reading = this.#readLoop();
  }

  /** Whether the connection is still usable. */
  get usable(): boolean {
    return this.#broken === undefined;
  }

  /** Sends one command; resolves with its reply. */
  send(args: readonly (string | number)[]): Promise<Reply> {
    if (this.#broken) return Promise.reject(this.#broken);
    const { promise, resolve, reject } = Promise.withResolvers<Reply>();
    this.#pending.push({ resolve, reject });
    this.#outgoing += encodeCommand(args);
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(() => this.#flush());
    }
    return promise;
  }

  #flush(): void {
    this.#flushQueued = false;
    if (this.#broken || this.#outgoing === "") return;
    const bytes = encoder.encode(this.#outgoing);
    this.#outgoing = "";
    this.#writing = this.#writing.then(() => this.#duplex.write(bytes)).catch((error) =>
      this.#break(new ConnectionBroken(`Cannot write to the server: ${error?.message ?? error}`, { cause: error }))
    );
  }

  async #readLoop(): Promise<void> {
    const parser = new ReplyParser();
    try {
      for (;;) {
        const chunk = await this.#duplex.read();
        if (chunk === null) {
          this.#break(new ConnectionBroken("The server closed the connection"));
          return;
        }
        parser.push(chunk);
        for (let reply = parser.next(); reply !== INCOMPLETE; reply = parser.next()) {
          const waiter = this.#pending[this.#head];
          if (waiter === undefined) throw new ConnectionBroken("The server sent a reply nobody asked for");
          this.#pending[this.#head++] = undefined as never;
          if (this.#head > 1024 && this.#head * 2 > this.#pending.length) {
            this.#pending.splice(0, this.#head);
            this.#head = 0;
          }
          waiter.resolve(reply);
        }
      }
    } catch (error) {
      this.#break(
        error instanceof ConnectionBroken
          ? error
          : new ConnectionBroken(`Cannot read from the server: ${(error as Error)?.message ?? error}`, {
            cause: error,
          }),
      );
    }
  }

  #break(error: Error): void {
    if (this.#broken) return;
    this.#broken = error;
    this.#duplex.close();
    const pending = this.#pending.splice(this.#head);
    this.#pending.length = 0;
    this.#head = 0;
    for (const waiter of pending) waiter?.reject(error);
    this.#onBroken(error);
  }

  /** Closes the connection; pending commands reject. Resolves once the reader has stopped. */
  async close(): Promise<void> {
    this.#break(new ConnectionBroken("The connection was closed"));
    await this.#reading;
    await this.#writing;
  }
}
