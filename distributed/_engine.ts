/**
 * The distributed engine seam: coarser than the in-process cell seam. An
 * engine supplies whole primitive operations, each one atomic step on the
 * server (`lock.acquire`, `sem.release`, `queue.get`, ...: see
 * `_redis_scripts.ts` and the `_redis_*_scripts.ts` files it assembles for
 * the list, their arguments and replies), client liveness (a heartbeat
 * with a time to live), and a wake channel that delivers the wake-ups the
 * operations push for one client. Nothing above this seam knows what the
 * server is.
 *
 * @module
 */

/** A reply element of an operation: numbers and strings only. */
export type OpReply = (number | string)[];

/** The wake channel of one client. */
export interface WakeChannel {
  /** Stops delivering; resolves once nothing more will be delivered. */
  close(): Promise<void>;
  /** A thread of the client waits for a wake-up again: a channel that reads lazily reads now. */
  wanted?(): void;
}

/** What an engine offers the client above it. */
export interface Engine {
  /** `redis` or `memory`, for messages. */
  readonly scheme: string;
  /** Where it is, for messages (`redis://127.0.0.1:6379/0`). */
  readonly address: string;
  /**
   * Runs one operation atomically on the server.
   *
   * @param op The operation's name.
   * @param keys The primitive's key (and a Condition's lock key).
   * @param args The operation's arguments (after the key prefix, which the engine adds).
   * @returns The operation's reply.
   * @throws {ConnectionBroken} If the server could not be reached (the operation may or may not have run).
   */
  run(op: string, keys: readonly string[], args: readonly (string | number)[]): Promise<OpReply>;
  /** Keeps `client` alive for `ttlMs` more. */
  beat(client: string, ttlMs: number): Promise<void>;
  /** Ends `client`: its queued tickets are skipped and its unacknowledged items come back at once. */
  leave(client: string): Promise<void>;
  /**
   * Delivers `client`'s wake-ups (`<ticket>|<type>|...`) to `deliver`, in the order they were pushed,
   * reconnecting as needed; `onReconnect` runs after the channel was re-established (wake-ups may
   * have been lost meanwhile). `deliver` says whether a thread of the client still waits for one.
   */
  openWakes(client: string, deliver: (message: string) => boolean, onReconnect: () => void): WakeChannel;
  /** Closes the engine's connections. */
  close(): Promise<void>;
}
