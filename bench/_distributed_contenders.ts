/**
 * The locks the distributed benchmark compares, each behind one interface:
 * this library's `./distributed` Lock, the npm peers users pick today
 * (`redlock`, `redis-semaphore`'s Mutex, a `SET NX PX` loop on `ioredis` and
 * on `node-redis`), all on the same server. Spinning peers retry every
 * `RETRY_MS` (redis-semaphore's default; redlock's default of 200 ms would
 * only make it look worse).
 *
 * @module
 */
import { connect } from "@locksmith/threading/distributed";
import { Redis } from "ioredis";
import { createClient } from "redis";
import Redlock from "redlock";
import { Mutex } from "redis-semaphore";

/** Milliseconds between tries of the spinning peers. */
export const RETRY_MS = 10;
const TTL = 10_000;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** A lock under test. */
export interface Contender {
  acquire(): Promise<void>;
  release(): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The contenders, by name. */
export const CONTENDERS: Record<string, (url: string, key: string) => Promise<Contender>> = {
  async "@locksmith/threading/distributed"(url, key) {
    const manager = await connect(url, { prefix: key });
    const lock = manager.Lock("lock");
    return {
      acquire: async () => void await lock.acquire(),
      release: () => lock.release(),
      close: () => manager.close(),
    };
  },
  "ioredis SET NX PX loop"(url, key) {
    const redis = new Redis(url);
    const token = crypto.randomUUID();
    return Promise.resolve({
      async acquire() {
        while (await redis.set(key, token, "PX", TTL, "NX") !== "OK") await sleep(RETRY_MS);
      },
      async release() {
        await redis.eval(RELEASE, 1, key, token);
      },
      close() {
        redis.disconnect();
        return Promise.resolve();
      },
    });
  },
  async "node-redis SET NX PX loop"(url, key) {
    const redis = createClient({ url });
    await redis.connect();
    const token = crypto.randomUUID();
    return {
      async acquire() {
        while (await redis.set(key, token, { PX: TTL, NX: true }) !== "OK") await sleep(RETRY_MS);
      },
      async release() {
        await redis.eval(RELEASE, { keys: [key], arguments: [token] });
      },
      async close() {
        await redis.quit();
      },
    };
  },
  "redlock"(url, key) {
    const redis = new Redis(url);
    const redlock = new Redlock([redis], { retryCount: -1, retryDelay: RETRY_MS, retryJitter: 0 });
    let held: { unlock(): Promise<unknown> } | undefined;
    return Promise.resolve({
      async acquire() {
        held = await redlock.lock(key, TTL);
      },
      async release() {
        await held!.unlock();
      },
      close() {
        redis.disconnect();
        return Promise.resolve();
      },
    });
  },
  "redis-semaphore Mutex"(url, key) {
    const redis = new Redis(url);
    const mutex = new Mutex(redis, key, { lockTimeout: TTL, acquireTimeout: 60_000, retryInterval: RETRY_MS });
    return Promise.resolve({
      acquire: () => mutex.acquire(),
      release: () => mutex.release(),
      close() {
        redis.disconnect();
        return Promise.resolve();
      },
    });
  },
};
