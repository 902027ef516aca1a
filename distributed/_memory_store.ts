/**
 * The memory engine's storage: hashes, lists and sets under string keys,
 * with expiry on the engine's clock: the few structures the operations
 * (`_memory_ops.ts` and the `_memory_*_ops.ts` files it gathers) use,
 * mirroring the Redis engine's keys one for one.
 *
 * @module
 */

type Value = Map<string, string> | string[] | Set<string> | string;

interface Entry {
  value: Value;
  expiresAt: number;
}

/** Keys to values, with expiry. */
export class MemoryStore {
  readonly #entries = new Map<string, Entry>();

  /** @param now The clock expiry is measured on. */
  constructor(readonly now: () => number) {}

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #get<T extends Value>(key: string, make: () => T): T {
    const entry = this.#live(key);
    if (entry !== undefined) return entry.value as T;
    const value = make();
    this.#entries.set(key, { value, expiresAt: Infinity });
    return value;
  }

  #drop(key: string, empty: boolean): void {
    if (empty) this.#entries.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    this.#entries.clear();
  }

  /** Whether `key` exists. */
  exists(key: string): boolean {
    return this.#live(key) !== undefined;
  }

  /** Sets a plain value with a time to live. */
  setex(key: string, value: string, ttlMs: number): void {
    this.#entries.set(key, { value, expiresAt: this.now() + ttlMs });
  }

  /** The plain value at `key`. */
  get(key: string): string | undefined {
    const value = this.#live(key)?.value;
    return typeof value === "string" ? value : undefined;
  }

  /** Milliseconds `key` has left (-2: no such key). */
  pttl(key: string): number {
    const entry = this.#live(key);
    if (entry === undefined) return -2;
    return entry.expiresAt === Infinity ? -1 : Math.max(0, Math.round(entry.expiresAt - this.now()));
  }

  /** Replaces the plain value at `key`, keeping its expiry. */
  setKeepTtl(key: string, value: string): void {
    const entry = this.#live(key);
    if (entry !== undefined) entry.value = value;
  }

  /** Deletes `key`. */
  del(key: string): void {
    this.#entries.delete(key);
  }

  /** Sets the time to live of `key`. */
  pexpire(key: string, ttlMs: number): void {
    const entry = this.#live(key);
    if (entry !== undefined) entry.expiresAt = this.now() + ttlMs;
  }

  /** The keys that start with `prefix`. */
  keys(prefix: string): string[] {
    return [...this.#entries.keys()].filter((key) => key.startsWith(prefix) && this.#live(key) !== undefined);
  }

  // ---- hashes ----

  #hash(key: string): Map<string, string> {
    return this.#get(key, () => new Map<string, string>());
  }

  hget(key: string, field: string): string | undefined {
    return (this.#live(key)?.value as Map<string, string> | undefined)?.get(field);
  }

  hset(key: string, ...pairs: (string | number)[]): void {
    const hash = this.#hash(key);
    for (let i = 0; i < pairs.length; i += 2) hash.set(String(pairs[i]), String(pairs[i + 1]));
  }

  hdel(key: string, ...fields: string[]): number {
    const hash = this.#live(key)?.value as Map<string, string> | undefined;
    if (hash === undefined) return 0;
    let removed = 0;
    for (const field of fields) if (hash.delete(field)) removed++;
    this.#drop(key, hash.size === 0);
    return removed;
  }

  hincrby(key: string, field: string, by: number): number {
    const hash = this.#hash(key);
    const value = Number(hash.get(field) ?? "0") + by;
    hash.set(field, String(value));
    return value;
  }

  hexists(key: string, field: string): boolean {
    return this.hget(key, field) !== undefined;
  }

  hentries(key: string): [string, string][] {
    const hash = this.#live(key)?.value as Map<string, string> | undefined;
    return hash === undefined ? [] : [...hash.entries()];
  }

  hlen(key: string): number {
    return (this.#live(key)?.value as Map<string, string> | undefined)?.size ?? 0;
  }

  // ---- lists ----

  #list(key: string): string[] {
    return this.#get(key, () => [] as string[]);
  }

  rpush(key: string, value: string): void {
    this.#list(key).push(value);
  }

  lpush(key: string, value: string): void {
    this.#list(key).unshift(value);
  }

  lpop(key: string): string | undefined {
    const list = this.#live(key)?.value as string[] | undefined;
    if (list === undefined) return undefined;
    const value = list.shift();
    this.#drop(key, list.length === 0);
    return value;
  }

  rpop(key: string): string | undefined {
    const list = this.#live(key)?.value as string[] | undefined;
    if (list === undefined) return undefined;
    const value = list.pop();
    this.#drop(key, list.length === 0);
    return value;
  }

  lrem(key: string, value: string): number {
    const list = this.#live(key)?.value as string[] | undefined;
    if (list === undefined) return 0;
    const kept = list.filter((v) => v !== value);
    const removed = list.length - kept.length;
    list.splice(0, list.length, ...kept);
    this.#drop(key, list.length === 0);
    return removed;
  }

  lpos(key: string, value: string): boolean {
    return ((this.#live(key)?.value as string[] | undefined) ?? []).includes(value);
  }

  llen(key: string): number {
    return (this.#live(key)?.value as string[] | undefined)?.length ?? 0;
  }

  lrange(key: string): string[] {
    return [...((this.#live(key)?.value as string[] | undefined) ?? [])];
  }

  // ---- sets ----

  sadd(key: string, member: string): void {
    this.#get(key, () => new Set<string>()).add(member);
  }

  srem(key: string, member: string): void {
    const set = this.#live(key)?.value as Set<string> | undefined;
    if (set === undefined) return;
    set.delete(member);
    this.#drop(key, set.size === 0);
  }

  smembers(key: string): string[] {
    return [...((this.#live(key)?.value as Set<string> | undefined) ?? [])];
  }
}
