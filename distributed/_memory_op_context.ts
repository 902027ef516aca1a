/**
 * What every operation of the memory engine runs with (`OpContext`: the
 * store, the keys, the arguments, the clock and the wake-up channel) and
 * the steps they all share: a ticket's liveness, a queue entry's parts, and
 * the check that a name holds a primitive of the expected kind.
 *
 * @module
 */
import type { OpReply } from "./_engine.ts";
import type { MemoryStore } from "./_memory_store.ts";

/** What an operation runs with. */
export interface OpContext {
  readonly store: MemoryStore;
  /** The key prefix. */
  readonly prefix: string;
  /** The primitive's key, and a Condition's lock key. */
  readonly keys: readonly string[];
  /** The arguments after the prefix, as strings. */
  readonly args: readonly string[];
  /** The clock, in ms. */
  readonly now: number;
  /** Pushes a wake-up to the client of `ticket`. */
  wake(ticket: string, message: string): void;
}

/** An operation: one synchronous step over the store, so atomic in one isolate. */
export type Op = (c: OpContext) => OpReply;

/** The client a ticket belongs to. */
export const clientOf = (ticket: string): string => ticket.split(".", 1)[0];
/** A queue entry is `<ticket>|<lease ms>`. */
export const entryOf = (entry: string): [string, number] => {
  const bar = entry.lastIndexOf("|");
  return [entry.slice(0, bar), Number(entry.slice(bar + 1))];
};

/** Whether the client of `ticket` is alive (its heartbeat key exists). */
export function alive(c: OpContext, ticket: string): boolean {
  return c.store.exists(`${c.prefix}:c:${clientOf(ticket)}`);
}

/**
 * Checks that `key` holds a `kind` configured as `cfg` (claiming a name nothing holds yet): `undefined`
 * if so, else the error reply (`-100` another kind has the name, `-101` the same kind with another `cfg`).
 */
export function kindCheck(c: OpContext, kind: string, cfg: string, key = c.keys[0]): OpReply | undefined {
  const have = c.store.hget(key, "kind");
  if (have === undefined) {
    c.store.hset(key, "kind", kind, "cfg", cfg);
    return undefined;
  }
  const haveCfg = c.store.hget(key, "cfg") ?? "";
  if (have !== kind) return [-100, have, haveCfg];
  if (haveCfg !== cfg) return [-101, have, haveCfg];
  return undefined;
}
