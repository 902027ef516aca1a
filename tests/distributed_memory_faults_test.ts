// The fault scenarios on memory://, under explore(): on the cooperative
// backend the server's clock and every lease are virtual, so a 30 s lease
// expires at once when every thread waits, and a failing schedule replays
// by its seed.
import { assert, assertEquals, assertInstanceOf, assertRejects } from "@std/assert";
import { explore, monotonic, replay, sleep, Thread } from "@locksmith/threading";
import { connect, LockLostError, MemoryServer } from "@locksmith/threading/distributed";

const LEASE = 30_000;
const options = { leaseMs: LEASE, backend: "cooperative" as const };

/** Runs `scenario` under `schedules` explored schedules; fails with the first failing seed's error. */
async function explored(scenario: () => Promise<void>, schedules = 25): Promise<void> {
  const result = await explore(scenario, { schedules, seed: 1 });
  if (!result.ok) {
    throw new Error(`schedule with seed ${result.failure!.seed} failed: ${result.failure!.error}`, {
      cause: result.failure!.error,
    });
  }
  assertEquals(result.schedules, schedules);
}

/** Starts a thread of the schedule running `fn`. */
function thread<T>(fn: () => Promise<T>): { join(): Promise<T> } {
  let value: T;
  const t = new Thread({ target: async () => void (value = await fn()) });
  t.start();
  return { join: async () => (await t.join(), value) };
}

async function holderCrashes(): Promise<void> {
  const server = new MemoryServer();
  await using holder = await connect(server.url, options);
  await using first = await connect(server.url, options);
  await using second = await connect(server.url, options);
  await holder.Lock("L").acquire();
  const token = holder.Lock("L").fencingToken;
  const a = thread(() => first.Lock("L").acquire(true, 2 * LEASE));
  await sleep(10);
  const b = thread(() => second.Lock("L").acquire(true, 2 * LEASE));
  await sleep(10);
  const crashedAt = monotonic();
  server.crash(holder.clientId);
  assertEquals(await a.join(), true);
  // Within the lease's remainder plus a hand-off, on the virtual clock.
  assert(monotonic() - crashedAt <= LEASE + 100, `took ${monotonic() - crashedAt} ms`);
  assert(first.Lock("L").fencingToken > token);
  await first.Lock("L").release();
  assertEquals(await b.join(), true);
  assert(second.Lock("L").fencingToken > first.Lock("L").fencingToken);
  await second.Lock("L").release();
}

Deno.test("[memory faults] a crashed holder: the oldest waiter gets the lock when the lease ends (explored)", () =>
  explored(holderCrashes));

Deno.test("[memory faults] a schedule replays by its seed, line for line", async () => {
  const first = await replay(holderCrashes, 7);
  const again = await replay(holderCrashes, 7);
  assert(first.ok && again.ok);
  assert(first.trace.length > 10);
  assertEquals(again.trace, first.trace);
});

Deno.test("[memory faults] a frozen holder loses its lease at its local deadline; its release throws (explored)", () =>
  explored(async () => {
    const server = new MemoryServer();
    await using holder = await connect(server.url, options);
    await using waiter = await connect(server.url, options);
    await holder.Lock("L").acquire();
    const acquiredAt = monotonic();
    const lost = holder.Lock("L").lost;
    const got = thread(() => waiter.Lock("L").acquire(true, 2 * LEASE));
    await sleep(10);
    server.freeze(holder.clientId);
    assertEquals(await got.join(), true);
    assertEquals(lost.aborted, true);
    assertInstanceOf(lost.reason, LockLostError);
    // Not before the lease it knew of was over (less the renewal margin of 100 ms).
    assert(monotonic() - acquiredAt >= LEASE - 100);
    server.thaw(holder.clientId);
    await assertRejects(() => holder.Lock("L").release(), LockLostError);
    assertEquals(await waiter.Lock("L").locked(), true);
    await waiter.Lock("L").release();
  }));

Deno.test("[memory faults] a crashed waiter: the next release reaches a live waiter, nothing is left queued (explored)", () =>
  explored(async () => {
    const server = new MemoryServer();
    await using holder = await connect(server.url, options);
    const doomed = await connect(server.url, options);
    await using live = await connect(server.url, options);
    await holder.Lock("L").acquire();
    const lost = thread(() => doomed.Lock("L").acquire(true, 10));
    await sleep(1);
    const got = thread(() => live.Lock("L").acquire(true, 3 * LEASE));
    await sleep(1);
    server.crash(doomed.clientId);
    await holder.Lock("L").release();
    assertEquals(await got.join(), true);
    assertEquals(await lost.join(), false);
    // Nothing is left in the lock's queue (`:q`) or its leases of queued tickets (`:m`).
    assertEquals(server.keys("locksmith:p:L:").filter((key) => !key.endsWith(":o")), []);
    await live.Lock("L").release();
  }));

Deno.test("[memory faults] a stopped server: timed waits return false at their timeout; restarted, it has forgotten (explored)", () =>
  explored(async () => {
    const server = new MemoryServer();
    await using holder = await connect(server.url, { ...options, retryMs: 100 });
    await using waiter = await connect(server.url, { ...options, retryMs: 100 });
    await holder.Lock("L").acquire();
    const lost = holder.Lock("L").lost;
    const started = monotonic();
    const timed = thread(() => waiter.Lock("L").acquire(true, 5000));
    await sleep(10);
    server.stop();
    assertEquals(await timed.join(), false);
    assert(monotonic() - started >= 5000);
    await sleep(LEASE);
    assertEquals(lost.aborted, true);
    server.restart();
    await assertRejects(() => holder.Lock("L").release(), LockLostError);
    assertEquals(await waiter.Lock("L").acquire(true, 1000), true);
    // Without persistence the token starts again.
    assertEquals(waiter.Lock("L").fencingToken, 1n);
    await waiter.Lock("L").release();
  }));

Deno.test("[memory faults] a cut connection is made again: the holder keeps its lease, its release reaches the waiter (explored)", () =>
  explored(async () => {
    const server = new MemoryServer();
    await using holder = await connect(server.url, options);
    await using waiter = await connect(server.url, options);
    await holder.Lock("L").acquire();
    const token = holder.Lock("L").fencingToken;
    const lost = holder.Lock("L").lost;
    const got = thread(() => waiter.Lock("L").acquire(true, 3 * LEASE));
    await sleep(10);
    // A partition holds the holder's calls (its renewal, due at a third of the lease, among them); then its
    // link is cut: the calls in flight fail, and the client connects again.
    server.freeze(holder.clientId);
    await sleep(LEASE / 2);
    server.cut(holder.clientId);
    server.thaw(holder.clientId);
    // Past two more leases: the renewals go through the new connection.
    await sleep(2 * LEASE);
    assertEquals(lost.aborted, false, "the holder lost its lease across a cut connection");
    // The release in flight when the link is cut: its first try fails, its retry connects again.
    server.freeze(holder.clientId);
    const released = thread(() => holder.Lock("L").release());
    await sleep(10);
    server.cut(holder.clientId);
    server.thaw(holder.clientId);
    await released.join();
    assertEquals(await got.join(), true);
    assert(waiter.Lock("L").fencingToken > token);
    // The waiter's link cut while it holds: its release gets through too.
    server.freeze(waiter.clientId);
    const again = thread(() => waiter.Lock("L").release());
    await sleep(10);
    server.cut(waiter.clientId);
    server.thaw(waiter.clientId);
    await again.join();
    assertEquals(await holder.Lock("L").acquire(false), true);
    await holder.Lock("L").release();
  }));

Deno.test("[memory faults] durable fencing (a restart that keeps the data): a token never goes backwards (explored)", () =>
  explored(async () => {
    const server = new MemoryServer();
    const tokens: bigint[] = [];
    await using holder = await connect(server.url, { ...options, retryMs: 100 });
    await using waiter = await connect(server.url, { ...options, retryMs: 100 });
    for (let i = 0; i < 3; i++) {
      await holder.Lock("L").acquire();
      tokens.push(holder.Lock("L").fencingToken);
      await holder.Lock("L").release();
    }
    await holder.Lock("L").acquire();
    tokens.push(holder.Lock("L").fencingToken);
    const lost = holder.Lock("L").lost;
    const got = thread(() => waiter.Lock("L").acquire(true, 4 * LEASE));
    await sleep(10);
    // The server goes down with the lock held, past the holder's lease, and comes back with its data.
    server.stop();
    await sleep(LEASE);
    assertEquals(lost.aborted, true);
    server.restart({ keepData: true });
    assertEquals(await got.join(), true);
    tokens.push(waiter.Lock("L").fencingToken);
    await assertRejects(() => holder.Lock("L").release(), LockLostError);
    await waiter.Lock("L").release();
    // A second restart, with the lock free: the next grants go on from where they were.
    server.restart({ keepData: true });
    for (const manager of [holder, waiter]) {
      assertEquals(await manager.Lock("L").acquire(true, LEASE), true);
      tokens.push(manager.Lock("L").fencingToken);
      await manager.Lock("L").release();
    }
    assertEquals(tokens, [1n, 2n, 3n, 4n, 5n, 6n, 7n]);
  }));
