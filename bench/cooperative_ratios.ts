/**
 * The `cooperative` backend's speed as rates and as ratios to floors run in
 * the same process, interleaved (each round times every case once, in
 * rotating order; medians over rounds of process CPU time):
 *
 * - **steps**: 2 threads x `yieldNow()` on a round-robin `CooperativeBackend`,
 *   against the least a scheduling step can cost in JavaScript (a floor: two
 *   async tasks handing a turn through one FIFO of promise resolvers, one
 *   promise per step, no thread identity, no strategy, no clock);
 * - **schedules**: `explore()` of the seeds' two-thread bank balance with
 *   the lock (2 threads x 5 changes, each an acquire, two `yieldNow()` and a
 *   release), random strategy, against the same scenario run once per
 *   "schedule" as plain async tasks over a hand-written FIFO promise mutex
 *   (the floor: what running it costs without a scheduler).
 *
 *     deno run -A bench/cooperative_ratios.ts [rounds]
 *
 * @module
 */
import process from "node:process";
import { CooperativeBackend, explore, Lock, Thread, yieldNow } from "@locksmith/threading";
import { FloorMutex } from "./_floor_mutex.ts";

const rounds = Number(Deno.args[0] ?? 21);
const YIELDS = 2000;
const SCHEDULES = 200;

// ---- steps ----

async function floorSteps(): Promise<void> {
  const turns: (() => void)[] = [];
  const handOver = () =>
    new Promise<void>((resolve) => {
      turns.push(resolve);
      turns.shift()!();
    });
  const task = async () => {
    for (let i = 0; i < YIELDS; i++) await handOver();
  };
  await Promise.all([task(), task()]);
}

const roundRobin = new CooperativeBackend();
async function librarySteps(): Promise<void> {
  const body = async () => {
    for (let i = 0; i < YIELDS; i++) await yieldNow();
  };
  const threads = [
    new Thread({ backend: roundRobin, target: body }),
    new Thread({ backend: roundRobin, target: body }),
  ];
  for (const thread of threads) thread.start();
  for (const thread of threads) await thread.join();
}

// ---- schedules ----

/** The seeds' bank balance: two threads add n and take it back, 5 times each, under a lock. */
function balance(): () => Promise<void> {
  return async () => {
    let value = 0;
    const lock = new Lock();
    const changeIt = async (n: number) => {
      await lock.acquire();
      let b = value;
      await yieldNow();
      value = b + n;
      b = value;
      await yieldNow();
      value = b - n;
      lock.release();
    };
    const threads = [5, 8].map((n) =>
      new Thread({
        target: async () => {
          for (let i = 0; i < 5; i++) await changeIt(n);
        },
      })
    );
    for (const thread of threads) thread.start();
    for (const thread of threads) await thread.join();
    if (value !== 0) throw new Error(`balance ${value}`);
  };
}

async function floorBalance(): Promise<void> {
  let value = 0;
  const mutex = new FloorMutex();
  const changeIt = async (n: number) => {
    await mutex.acquire();
    let b = value;
    await null;
    value = b + n;
    b = value;
    await null;
    value = b - n;
    mutex.release();
  };
  await Promise.all([5, 8].map(async (n) => {
    for (let i = 0; i < 5; i++) await changeIt(n);
  }));
  if (value !== 0) throw new Error(`balance ${value}`);
}

let seed = 1;
async function librarySchedules(): Promise<void> {
  const result = await explore(balance(), { schedules: SCHEDULES, seed });
  seed += SCHEDULES;
  if (!result.ok) throw new Error("a schedule failed");
}

async function floorSchedules(): Promise<void> {
  for (let i = 0; i < SCHEDULES; i++) await floorBalance();
}

// ---- the rounds ----

interface Group {
  readonly title: string;
  readonly unit: string;
  readonly perRun: number;
  readonly cases: readonly [string, () => Promise<void>][];
}

const groups: Group[] = [
  {
    title: `steps: 2 threads x ${YIELDS} yieldNow()`,
    unit: "steps/s",
    perRun: 2 * YIELDS,
    cases: [
      ["floor: two tasks handing a turn through a FIFO of resolvers", floorSteps],
      ["CooperativeBackend, round robin", librarySteps],
    ],
  },
  {
    title: `schedules: the 2-thread bank balance with the lock, ${SCHEDULES} per run`,
    unit: "schedules/s",
    perRun: SCHEDULES,
    cases: [
      ["floor: the scenario as plain tasks over a FIFO promise mutex, once per schedule", floorSchedules],
      ["explore(), random strategy", librarySchedules],
    ],
  },
];

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

console.log(
  `| group | implementation | rate by wall time (median) | rate by CPU time (median) | ratio of CPU time to the floor (median of ${rounds} rounds) |`,
);
console.log("| --- | --- | ---: | ---: | ---: |");
for (const group of groups) {
  for (const [, run] of group.cases) {
    const start = cpuMs();
    while (cpuMs() - start < 200) await run();
  }
  const samples = group.cases.map(() => [] as number[]);
  const walls = group.cases.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < group.cases.length; k++) {
      const i = (k + r) % group.cases.length;
      const start = cpuMs();
      const wallStart = performance.now();
      await group.cases[i][1]();
      walls[i].push(performance.now() - wallStart);
      samples[i].push(cpuMs() - start);
    }
  }
  const rate = (ms: number) => {
    const perSecond = group.perRun / ms * 1000;
    const shown = perSecond >= 1e6
      ? `${(perSecond / 1e6).toFixed(2)} M`
      : Math.round(perSecond).toLocaleString("en-US");
    return `${shown} ${group.unit}`;
  };
  for (const [i, [name]] of group.cases.entries()) {
    const ratio = median(samples[i].map((ms, r) => ms / samples[0][r]));
    console.log(
      `| ${group.title} | ${name} | ${rate(median(walls[i]))} | ${rate(median(samples[i]))} | ${ratio.toFixed(2)} |`,
    );
  }
}
