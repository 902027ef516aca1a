// Faults, each against a private redis-server this test starts on a free
// port and stops by its pid: a holder killed with SIGKILL or paused with
// SIGSTOP, a queued waiter killed, the server stopped mid-wait and
// restarted (and durable fencing across a SIGKILL of the server), and
// partitions through a TCP proxy inside the test. Every wait is bounded by
// its own timeout.
import { assert, assertEquals, assertInstanceOf, assertRejects } from "@std/assert";
import { RuntimeError } from "@locksmith/threading";
import { connect, LockLostError } from "@locksmith/threading/distributed";
import { Child } from "./distributed/_spawn.ts";
import { noRedisServer, PrivateRedis, raw, reportIgnored } from "./distributed/_redis.ts";
import { Proxy } from "./distributed/_proxy.ts";

reportIgnored();
const LEASE = 1000;
const ignore = noRedisServer !== undefined;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when `signal` aborts, or rejects after `ms`. */
function aborted(signal: AbortSignal, ms: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return resolve(signal.reason);
    const timer = setTimeout(() => reject(new Error(`the signal did not abort within ${ms} ms`)), ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve(signal.reason);
    }, { once: true });
  });
}

async function withServer(fn: (server: PrivateRedis) => Promise<void>, durable = false): Promise<void> {
  const server = await PrivateRedis.start({ durable });
  try {
    await fn(server);
  } finally {
    await server.stop();
  }
}

Deno.test({
  name: "[redis faults] a holder killed with SIGKILL: the oldest live waiter gets the lock when its lease ends",
  ignore,
  fn: () =>
    withServer(async (server) => {
      const prefix = "kill-holder";
      const holder = new Child("hold", { url: server.url, prefix, leaseMs: LEASE, name: "L" });
      const held = await holder.next("held");
      await using first = await connect(server.url, { prefix, leaseMs: LEASE });
      await using second = await connect(server.url, { prefix, leaseMs: LEASE });
      const firstGot = first.Lock("L").acquire(true, LEASE + 3000);
      await sleep(50);
      let secondDone = false;
      const secondGot = second.Lock("L").acquire(true, 3 * LEASE + 3000).finally(() => secondDone = true);
      await sleep(50);
      holder.kill("SIGKILL");
      await holder.exited();
      // Within the lease's remainder plus a hand-off (the acquire's own timeout bounds it).
      assertEquals(await firstGot, true);
      assertEquals(secondDone, false, "the younger waiter got ahead of the older one");
      assert(first.Lock("L").fencingToken > BigInt(held.token as string), "the token did not grow");
      await first.Lock("L").release();
      assertEquals(await secondGot, true);
      assert(second.Lock("L").fencingToken > first.Lock("L").fencingToken);
      await second.Lock("L").release();
    }),
});

Deno.test({
  name:
    "[redis faults] a holder paused with SIGSTOP past its lease loses it: lost aborts, release() throws LockLostError",
  ignore,
  fn: () =>
    withServer(async (server) => {
      const prefix = "stop-holder";
      const holder = new Child("hold", { url: server.url, prefix, leaseMs: LEASE, name: "L" });
      const held = await holder.next("held");
      await using waiter = await connect(server.url, { prefix, leaseMs: LEASE });
      const got = waiter.Lock("L").acquire(true, LEASE + 3000);
      await sleep(50);
      holder.kill("SIGSTOP");
      try {
        assertEquals(await got, true, "the waiter did not get in while the holder was paused");
        assert(waiter.Lock("L").fencingToken > BigInt(held.token as string));
      } finally {
        holder.kill("SIGCONT");
      }
      const lost = await holder.next("lost", 10_000);
      assert(String(lost.reason).includes("LockLostError"), String(lost.reason));
      const release = await holder.next("release failed", 10_000);
      assertEquals(release.error, "LockLostError");
      // It never freed the waiter's lock.
      assertEquals(await waiter.Lock("L").locked(), true);
      await waiter.Lock("L").release();
      await holder.exited();
    }),
});

Deno.test({
  name: "[redis faults] a queued waiter killed: the next release reaches a live waiter, nothing is left queued",
  ignore,
  fn: () =>
    withServer(async (server) => {
      const prefix = "kill-waiter";
      await using holder = await connect(server.url, { prefix, leaseMs: LEASE });
      await holder.Lock("L").acquire();
      const doomed = new Child("wait", { url: server.url, prefix, leaseMs: LEASE, name: "L" });
      await doomed.next("waiting");
      await sleep(200);
      await using live = await connect(server.url, { prefix, leaseMs: LEASE });
      const got = live.Lock("L").acquire(true, 3 * LEASE + 3000);
      await sleep(50);
      doomed.kill("SIGKILL");
      await doomed.exited();
      // At once: the dead waiter is first in line and may still look alive; its grant is taken back.
      await holder.Lock("L").release();
      assertEquals(await got, true);
      const check = await raw(server.url);
      try {
        assertEquals(await check.send(["LLEN", `${prefix}:p:L:q`]), 0);
      } finally {
        await check.close();
      }
      await live.Lock("L").release();
    }),
});

Deno.test({
  name:
    "[redis faults] the server stopped mid-wait: timed waits return false at their timeout, the holder learns it lost",
  ignore,
  fn: () =>
    withServer(async (server) => {
      const prefix = "restart";
      await using holder = await connect(server.url, { prefix, leaseMs: LEASE, retryMs: 300 });
      await using waiter = await connect(server.url, { prefix, leaseMs: LEASE, retryMs: 300 });
      await holder.Lock("L").acquire();
      const lost = holder.Lock("L").lost;
      const started = performance.now();
      const timed = waiter.Lock("L").acquire(true, 1500);
      await sleep(100);
      await server.crash();
      assertEquals(await timed, false);
      assert(performance.now() - started >= 1400, "the timed wait returned before its timeout");
      assertInstanceOf(await aborted(lost, 5000), LockLostError);
      await server.run();
      await assertRejects(() => holder.Lock("L").release(), LockLostError);
      // The restarted server lost everything: the lock is free, and a wait gets it.
      assertEquals(await waiter.Lock("L").acquire(true, 5000), true);
      await waiter.Lock("L").release();
    }),
});

Deno.test({
  name: '[redis faults] fencing: "durable" refuses a server without appendonly yes and appendfsync always',
  ignore,
  fn: () =>
    withServer(async (server) => {
      const error = await assertRejects(() => connect(server.url, { fencing: "durable" }), RuntimeError);
      assert(error.message.includes("appendfsync always"), error.message);
      assert(error.message.includes("received appendonly no"), error.message);
    }),
});

Deno.test({
  name: '[redis faults] fencing: "durable": a token never goes backwards, even across a SIGKILL of the server',
  ignore,
  fn: () =>
    withServer(async (server) => {
      const prefix = "durable";
      let before: bigint;
      {
        await using manager = await connect(server.url, { prefix, fencing: "durable", leaseMs: LEASE });
        const lock = manager.Lock("L");
        for (let i = 0; i < 3; i++) {
          await lock.acquire();
          await lock.release();
        }
        before = lock.fencingToken;
        assertEquals(before, 3n);
        await lock.acquire();
        before = lock.fencingToken;
        await server.crash();
      }
      await server.run();
      await using manager = await connect(server.url, { prefix, fencing: "durable", leaseMs: LEASE });
      const lock = manager.Lock("L");
      assertEquals(await lock.acquire(true, 5000), true);
      assert(lock.fencingToken > before, `the token went from ${before} to ${lock.fencingToken}`);
      await lock.release();
    }, true),
});

Deno.test({
  name: "[redis faults] a partition that freezes the holder: lost aborts at its local deadline, the waiter gets in",
  ignore,
  fn: () =>
    withServer(async (server) => {
      const prefix = "partition";
      const proxy = new Proxy(server.port);
      try {
        const holder = await connect(proxy.url, { prefix, leaseMs: LEASE, retryMs: 200 });
        try {
          await using waiter = await connect(server.url, { prefix, leaseMs: LEASE });
          // From before the request: the holder's lease starts when it asks (a slow reply must not move it later).
          const askedAt = performance.now();
          await holder.Lock("L").acquire();
          const token = holder.Lock("L").fencingToken;
          const got = waiter.Lock("L").acquire(true, LEASE + 3000);
          await sleep(50);
          proxy.freeze();
          const reason = await aborted(holder.Lock("L").lost, 3 * LEASE);
          assertInstanceOf(reason, LockLostError);
          // Not before the lease the holder knew of was over (less the renewal margin of 100 ms).
          assert(performance.now() - askedAt >= LEASE - 100 - 10, "lost aborted before the local deadline");
          assertEquals(await got, true);
          assert(waiter.Lock("L").fencingToken > token);
          proxy.thaw();
          await assertRejects(() => holder.Lock("L").release(), LockLostError);
          assertEquals(await waiter.Lock("L").locked(), true, "the lost holder freed the waiter's lock");
          await waiter.Lock("L").release();
          // A cut partition: the holder's connections close; it connects again on its next call.
          proxy.cut();
          assertEquals(await holder.Lock("L").acquire(true, 5000), true);
          await holder.Lock("L").release();
        } finally {
          proxy.thaw();
          await holder.close();
        }
      } finally {
        await proxy.close();
      }
    }),
});
