// The schedule explorer (`explore` / `replay`) and the cooperative scheduler's
// own guarantees: seeded, replayable interleavings, virtual time and deadlock reports.
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertMatch,
  assertNotEquals,
  assertRejects,
  assertThrows,
} from "@std/assert";
import {
  Condition,
  CooperativeBackend,
  DeadlockError,
  Event,
  explore,
  getDefaultBackend,
  Lock,
  monotonic,
  pendingWaits,
  replay,
  runningThreads,
  RuntimeError,
  sleep,
  Thread,
  ValueError,
  yieldNow,
} from "@locksmith/threading";

// ---- scenarios ----

/** Python's classic: two threads change a shared balance by +n then -n; unlocked, updates get lost. */
function balanceScenario(locked: boolean): () => Promise<void> {
  return async () => {
    let balance = 0;
    const lock = new Lock();
    async function changeIt(n: number) {
      if (locked) await lock.acquire();
      try {
        let b = balance;
        await yieldNow();
        balance = b + n;
        b = balance;
        await yieldNow();
        balance = b - n;
      } finally {
        if (locked) lock.release();
      }
    }
    const threads = [5, 8].map((n) =>
      new Thread({
        name: `change-${n}`,
        target: async () => {
          for (let i = 0; i < 5; i++) await changeIt(n);
        },
      })
    );
    threads.forEach((t) => t.start());
    for (const t of threads) await t.join();
    if (balance !== 0) throw new Error(`balance is ${balance}, expected 0`);
  };
}

/** Two threads take two locks in opposite orders. */
async function lockOrderScenario(): Promise<void> {
  const first = new Lock();
  const second = new Lock();
  const transfer = (a: Lock, b: Lock) => async () => {
    await a.acquire();
    try {
      await yieldNow();
      await b.acquire();
      b.release();
    } finally {
      a.release();
    }
  };
  const t1 = new Thread({ name: "alice", target: transfer(first, second) });
  const t2 = new Thread({ name: "bob", target: transfer(second, first) });
  t1.start();
  t2.start();
  await t1.join();
  await t2.join();
}

// ---- the explorer finds races and replays them ----

Deno.test("explore finds the unlocked balance race within 100 schedules for every seed from 1 to 20", async () => {
  const scenario = balanceScenario(false);
  for (let seed = 1; seed <= 20; seed++) {
    const result = await explore(scenario, { seed, schedules: 100 });
    assertEquals(result.ok, false, `seed ${seed}: no failure found`);
    const failure = result.failure!;
    assert(failure.seed >= seed && failure.seed < seed + 100, `failure seed ${failure.seed} out of range`);
    assertEquals(result.schedules, failure.seed - seed + 1);
    assertMatch((failure.error as Error).message, /^balance is -?\d+, expected 0$/);
    assert(failure.trace.length > 10, "the trace is too short to show the interleaving");
  }
});

Deno.test("replay of a failure's seed reproduces its trace byte for byte", async () => {
  const scenario = balanceScenario(false);
  const failure = (await explore(scenario, { seed: 7, schedules: 100 })).failure!;
  assertEquals(failure.seed >= 7, true);
  const again = await replay(scenario, failure.seed);
  assertEquals(again.ok, false);
  assertEquals(again.trace.join("\n"), failure.trace.join("\n"));
  assertEquals(again.failure!.trace, again.trace);
  assertEquals((again.failure!.error as Error).message, (failure.error as Error).message);
  // A different seed gives a different interleaving.
  const other = await replay(scenario, failure.seed + 1);
  assertNotEquals(other.trace.join("\n"), failure.trace.join("\n"));
});

Deno.test("schedules run untraced; a failure is run again traced, and a scenario that does not fail again says so", async () => {
  // Fails on its first run only: not deterministic, so the traced run of its seed passes.
  let runs = 0;
  const flaky = () => {
    runs++;
    if (runs === 1) throw new Error("only the first time");
  };
  const result = await explore(flaky, { schedules: 5 });
  assertEquals(result.ok, false);
  assertEquals(runs, 2);
  assertEquals((result.failure!.error as Error).message, "only the first time");
  assertEquals(result.failure!.seed, 1);
  assertMatch(result.failure!.trace[0], /did not fail again when run with tracing on/);
  assertEquals(pendingWaits(), []);
  assertEquals(runningThreads(), []);
});

Deno.test("the trace has one line per step: virtual time, thread, operation, primitive", async () => {
  const { failure } = await explore(balanceScenario(false), { seed: 3, schedules: 100 });
  const trace = failure!.trace;
  for (const line of trace) assertMatch(line, /^\[\d+(\.\d{3})?ms\] \S.*: \S/);
  assertEquals(trace[0], "[0ms] MainThread: starts change-5");
  assertEquals(trace[1], "[0ms] MainThread: starts change-8");
  assert(trace.includes("[0ms] change-5: yield"), "a yield of change-5 is traced");
  assert(trace.includes("[0ms] change-8: ends"), "the end of change-8 is traced");
  assertMatch(trace.find((line) => line.startsWith("[0ms] MainThread: wait"))!, /wait Event#1$/);
});

Deno.test("explore with the lock finds nothing in 1000 schedules", async () => {
  const result = await explore(balanceScenario(true), { schedules: 1000 });
  assertEquals(result, { ok: true, schedules: 1000 });
});

Deno.test("a passing schedule replays with its trace and ok", async () => {
  const first = await replay(balanceScenario(true), 42);
  const second = await replay(balanceScenario(true), 42);
  assertEquals(first.ok, true);
  assertEquals(first.failure, undefined);
  assertEquals(second.trace, first.trace);
  assert(first.trace.some((line) => line.includes("release Lock#1")));
});

// ---- deadlocks ----

Deno.test("a lock-order deadlock fails with a DeadlockError naming both threads, both locks and the cycle", async () => {
  const result = await explore(lockOrderScenario, { schedules: 100 });
  assertEquals(result.ok, false);
  const error = result.failure!.error as Error;
  assertInstanceOf(error, DeadlockError);
  const message = error.message;
  assertMatch(message, /^Deadlock: no thread of the 'cooperative' backend can run and no timer is pending/);
  assertMatch(
    message,
    /thread 'alice' waits in acquire on Lock#2 \(created at explorer_test\.ts:\d+:\d+\), held by 'bob'/,
  );
  assertMatch(
    message,
    /thread 'bob' waits in acquire on Lock#1 \(created at explorer_test\.ts:\d+:\d+\), held by 'alice'/,
  );
  assertMatch(message, /thread 'MainThread' waits in wait on Event#\d/);
  assertMatch(
    message,
    /cycle: '(alice' -> Lock#2 -> 'bob' -> Lock#1 -> 'alice|bob' -> Lock#1 -> 'alice' -> Lock#2 -> 'bob)'/,
  );
  assertMatch(result.failure!.trace.at(-1)!, /^\[0ms\] deadlock: /);
  // The replay deadlocks the same way.
  const again = await replay(lockOrderScenario, result.failure!.seed);
  assertEquals((again.failure!.error as Error).message, message);
  assertEquals(pendingWaits(), []);
  assertEquals(runningThreads(), []);
});

Deno.test("on its own scheduler, a deadlock rejects every waiting call instead of hanging", async () => {
  const backend = new CooperativeBackend();
  const a = new Lock({ backend });
  const b = new Lock({ backend });
  const failures: unknown[] = [];
  const take = (x: Lock, y: Lock) => async () => {
    await x.acquire();
    await sleep(10, { backend });
    try {
      await y.acquire();
    } catch (error) {
      failures.push(error);
    }
  };
  const threads = [
    new Thread({ backend, name: "t1", target: take(a, b) }),
    new Thread({ backend, name: "t2", target: take(b, a) }),
  ];
  threads.forEach((t) => t.start());
  // The main thread waits too: its join is part of the deadlock and rejects as well.
  const joinError = await assertRejects(() => threads[0].join(), DeadlockError);
  assertMatch(joinError.message, /thread 'MainThread' waits in wait on Event#1/);
  for (const t of threads) await t.join();
  assertEquals(failures.length, 2);
  for (const error of failures as Error[]) {
    assertInstanceOf(error, DeadlockError);
    assertMatch(error.message, /'t1' waits in acquire on Lock#2.*held by 't2'/);
    assertMatch(error.message, /'t2' waits in acquire on Lock#1.*held by 't1'/);
  }
  assert(failures[0] !== failures[1], "each waiter gets its own error");
  assertEquals(monotonic({ backend }), 10);
  assertEquals(pendingWaits(), []);
});

Deno.test("a thread waiting on an event nobody can set is a deadlock", async () => {
  const result = await explore(async () => {
    const never = new Event();
    const t = new Thread({ name: "waiter", target: () => never.wait() });
    t.start();
    await t.join();
  });
  assertEquals(result.schedules, 1);
  assertInstanceOf(result.failure!.error, DeadlockError);
  assertMatch(
    (result.failure!.error as Error).message,
    /thread 'waiter' waits in wait on Event#\d+ \(created at explorer_test\.ts/,
  );
});

// ---- virtual time ----

Deno.test("waits on 10-minute timeouts end at exact virtual times, without real waiting", async () => {
  const minutes = (n: number) => n * 60_000;
  const result = await explore(async () => {
    const ended: Record<string, number> = {};
    const never = new Event();
    const late = new Event();
    const cond = new Condition();
    const waiters = [
      new Thread({
        name: "event-waiter",
        target: async () => {
          assertEquals(await never.wait(minutes(10)), false);
          ended["event-waiter"] = monotonic();
        },
      }),
      new Thread({
        name: "condition-waiter",
        target: async () => {
          await cond.acquire();
          assertEquals(await cond.wait(minutes(10)), false);
          cond.release();
          ended["condition-waiter"] = monotonic();
        },
      }),
      new Thread({
        name: "sleeper",
        target: async () => {
          await sleep(minutes(3));
          late.set();
          ended["sleeper"] = monotonic();
        },
      }),
      new Thread({
        name: "setter-waiter",
        target: async () => {
          assertEquals(await late.wait(minutes(10)), true);
          ended["setter-waiter"] = monotonic();
        },
      }),
    ];
    waiters.forEach((t) => t.start());
    for (const t of waiters) await t.join();
    assertEquals(ended, {
      "event-waiter": minutes(10),
      "condition-waiter": minutes(10),
      "sleeper": minutes(3),
      "setter-waiter": minutes(3),
    });
    assertEquals(monotonic(), minutes(10));
  }, { schedules: 20 });
  assertEquals(result, { ok: true, schedules: 20 });
  const { trace } = await replay(async () => {
    const e = new Event();
    const t = new Thread({ name: "w", target: () => e.wait(minutes(10)) });
    t.start();
    await t.join();
  }, 1);
  assert(trace.includes("[0ms] w: blocks in wait on Event#1 for 600000ms"), trace.join("\n"));
  assert(trace.includes("[600000ms] w: times out in wait on Event#1 for 600000ms"), trace.join("\n"));
});

Deno.test("a shared scheduler's clock starts at 0 and jumps to each deadline in turn", async () => {
  const backend = new CooperativeBackend({ seed: 5 });
  const woke: [string, number][] = [];
  const threads = [30, 10, 20].map((ms) =>
    new Thread({
      backend,
      name: `sleep-${ms}`,
      target: async () => {
        await sleep(ms, { backend });
        woke.push([`sleep-${ms}`, monotonic({ backend })]);
      },
    })
  );
  threads.forEach((t) => t.start());
  for (const t of threads) await t.join();
  assertEquals(woke, [["sleep-10", 10], ["sleep-20", 20], ["sleep-30", 30]]);
});

Deno.test("the clock follows real time while a thread awaits something outside the library", async () => {
  const backend = new CooperativeBackend();
  const start = monotonic({ backend });
  const sleeper = new Thread({ backend, target: () => sleep(5, { backend }) });
  sleeper.start();
  // The main thread awaits a real timer: it counts as running, so the sleeper's 5 ms pass in real time.
  await new Promise((resolve) => setTimeout(resolve, 20));
  await sleeper.join();
  assert(monotonic({ backend }) - start >= 20, `only ${monotonic({ backend }) - start} ms passed`);
  assertEquals(sleeper.isAlive(), false);
});

// ---- failures of other kinds ----

Deno.test("an exception escaping a thread fails the schedule", async () => {
  const result = await explore(async () => {
    const t = new Thread({ name: "thrower", target: () => Promise.reject(new RangeError("boom")) });
    t.start();
    await t.join();
  });
  assertEquals(result.ok, false);
  assertEquals(result.schedules, 1);
  assertInstanceOf(result.failure!.error, RangeError);
});

Deno.test("a thread spinning on yieldNow() fails the schedule as a livelock after maxSteps", async () => {
  const result = await explore(async () => {
    const t = new Thread({
      name: "spinner",
      target: async () => {
        for (;;) await yieldNow();
      },
    });
    t.start();
    await t.join();
  }, { maxSteps: 500 });
  assertEquals(result.ok, false);
  assertInstanceOf(result.failure!.error, RuntimeError);
  assertMatch((result.failure!.error as Error).message, /in 500 steps/);
  assertEquals(runningThreads(), []);
  assertEquals(pendingWaits(), []);
});

Deno.test("threads left running when the scenario returns run to their end; daemon threads are stopped", async () => {
  let finished = 0;
  let daemonRounds = 0;
  const result = await explore(() => {
    new Thread({
      target: async () => {
        await sleep(1000);
        finished++;
      },
    }).start();
    new Thread({
      daemon: true,
      target: async () => {
        for (;;) {
          await sleep(10);
          daemonRounds++;
        }
      },
    }).start();
  }, { schedules: 3 });
  assertEquals(result, { ok: true, schedules: 3 });
  assertEquals(finished, 3);
  assert(daemonRounds >= 3 * 99, `the daemon ran ${daemonRounds} rounds`);
  assertEquals(runningThreads(), []);
  assertEquals(pendingWaits(), []);
});

Deno.test("inside a schedule, the default backend and the name 'cooperative' are the schedule's scheduler", async () => {
  const seen: string[] = [];
  await explore(() => {
    const backend = getDefaultBackend();
    seen.push(backend.name);
    assert(new Lock({ backend: "cooperative" }).backend === backend);
    assert(new Thread().backend === backend);
  }, { schedules: 2 });
  assertEquals(seen, ["cooperative", "cooperative"]);
  assertEquals(getDefaultBackend().name, "async");
});

// ---- PCT ----

/** A reader fails only if the writer's N steps all run between two consecutive steps of the reader. */
function preemptionScenario(steps: number): () => Promise<void> {
  return async () => {
    const lock = new Lock();
    let counter = 0;
    const step = async () => {
      await lock.acquire();
      lock.release();
    };
    const reader = new Thread({
      name: "reader",
      target: async () => {
        await step();
        const before = counter;
        await step();
        if (before === 0 && counter === steps) throw new Error(`the writer ran ${steps} steps in one preemption`);
      },
    });
    const writer = new Thread({
      name: "writer",
      target: async () => {
        for (let i = 0; i < steps; i++) {
          await step();
          counter++;
        }
      },
    });
    reader.start();
    writer.start();
    await reader.join();
    await writer.join();
  };
}

Deno.test("PCT finds a bug that needs a preemption at one exact step; random choice and depth 1 do not", async () => {
  const scenario = preemptionScenario(12);
  const pct = await explore(scenario, { strategy: "pct", depth: 2, schedules: 200 });
  assertEquals(pct.ok, false);
  assertMatch((pct.failure!.error as Error).message, /ran 12 steps in one preemption/);
  // Depth 1 runs each thread to its end by priority: no preemption, no bug.
  assertEquals(await explore(scenario, { strategy: "pct", depth: 1, schedules: 300 }), { ok: true, schedules: 300 });
  // A uniform choice needs the writer picked 12 times in a row at the right moment.
  assertEquals(await explore(scenario, { strategy: "random", schedules: 300 }), { ok: true, schedules: 300 });
  // The PCT failure replays with the same options.
  const again = await replay(scenario, pct.failure!.seed, { strategy: "pct", depth: 2 });
  assertEquals(again.ok, false);
  assertEquals(again.trace, pct.failure!.trace);
});

// ---- bad input ----

Deno.test("explore and replay reject bad arguments with errors that say what was received", async () => {
  const noop = () => {};
  const cases: [() => Promise<unknown>, new (...args: never[]) => Error, string][] = [
    [() => explore(42 as never), TypeError, "'scenario' must be a function: received number 42"],
    [() => explore(noop, { schedules: 0 }), ValueError, "'schedules' must be >= 1: received 0"],
    [() => explore(noop, { schedules: 1.5 }), TypeError, "'schedules' must be an integer: received number 1.5"],
    [() => explore(noop, { seed: "1" as never }), TypeError, `'seed' must be an integer: received "1"`],
    [
      () => explore(noop, { strategy: "dfs" as never }),
      ValueError,
      `'strategy' must be "random" or "pct": received "dfs"`,
    ],
    [() => explore(noop, { depth: 0 }), ValueError, "'depth' must be >= 1: received 0"],
    [() => explore(noop, { maxSteps: -1 }), ValueError, "'maxSteps' must be >= 1: received -1"],
    [() => explore(noop, null as never), TypeError, "'options' must be an object: received null"],
    [() => replay(noop, Number.NaN), TypeError, "'seed' must be an integer: received number NaN"],
  ];
  for (const [call, kind, text] of cases) {
    const error = await assertRejects(call, kind as never);
    assert((error as Error).message.includes(text), (error as Error).message);
  }
  const error = assertThrows(() => new CooperativeBackend({ seed: 0.5 }), TypeError);
  assertMatch(error.message, /'seed' must be a safe integer: received number 0\.5/);
});

Deno.test("explore and replay run one at a time", async () => {
  const inner: unknown[] = [];
  const result = await explore(async () => {
    inner.push(await explore(() => {}).catch((error) => error));
  }, { schedules: 1 });
  assertEquals(result.ok, true);
  assertInstanceOf(inner[0], RuntimeError);
  assertMatch((inner[0] as Error).message, /^Cannot explore while another explore\(\) or replay\(\) runs/);
  assertEquals((await replay(() => {}, 1)).ok, true);
});

Deno.test("parkSync on the cooperative backend: a finite wait times out at once and moves the clock on", () => {
  const backend = new CooperativeBackend();
  const lock = new Lock({ backend });
  assertEquals(lock.acquireSync(), true);
  assertEquals(lock.acquireSync(true, 250), false);
  assertEquals(monotonic({ backend }), 250);
  const error = assertThrows(() => lock.acquireSync(), DeadlockError);
  assertMatch(error.message, /Cannot acquire Lock#1 synchronously: thread 'MainThread' would wait forever/);
  lock.release();
});
