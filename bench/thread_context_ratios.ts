/**
 * What running as a library `Thread` costs a contended hand-off, whatever the
 * lock: 8 bodies share one lock, each incrementing a counter with an `await`
 * between its read and its write (the `lock-contended/8` workload of
 * `deno task compare`), run as plain tasks and as `Thread`s of the `async`
 * backend, with the hand-written FIFO promise-queue mutex (the floor) and
 * with `Lock`. A thread's identity follows every `await` (an
 * `AsyncLocalStorage` context), and once a thread has run, every park looks
 * it up. Interleaved rounds, process CPU time, medians of the ratios to the
 * floor in plain tasks.
 *
 *     deno run -A bench/thread_context_ratios.ts [rounds]
 *
 * @module
 */
import process from "node:process";
import { Lock, Thread } from "@locksmith/threading";
import { FloorMutex } from "./_floor_mutex.ts";

const rounds = Number(Deno.args[0] ?? 41);
const BODIES = 8;
const PER_BODY = 128;

interface Mutex {
  acquire(): Promise<unknown>;
  release(): void;
}

async function increments(mutex: Mutex, counter: { value: number }): Promise<void> {
  for (let i = 0; i < PER_BODY; i++) {
    await mutex.acquire();
    const read = counter.value;
    await null;
    counter.value = read + 1;
    mutex.release();
  }
}

async function asTasks(mutex: Mutex): Promise<void> {
  const counter = { value: 0 };
  await Promise.all(Array.from({ length: BODIES }, () => increments(mutex, counter)));
  if (counter.value !== BODIES * PER_BODY) throw new Error(`lost increments: ${counter.value}`);
}

async function asThreads(mutex: Mutex): Promise<void> {
  const counter = { value: 0 };
  const threads = Array.from({ length: BODIES }, () => new Thread({ target: () => increments(mutex, counter) }));
  for (const thread of threads) thread.start();
  for (const thread of threads) await thread.join();
  if (counter.value !== BODIES * PER_BODY) throw new Error(`lost increments: ${counter.value}`);
}

const cases: [string, () => Promise<void>][] = [
  ["floor, plain tasks", () => asTasks(new FloorMutex())],
  ["Lock, plain tasks", () => asTasks(new Lock())],
  ["floor, each body a Thread", () => asThreads(new FloorMutex())],
  ["Lock, each body a Thread", () => asThreads(new Lock())],
];

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

for (const [, run] of cases) {
  const start = cpuMs();
  while (cpuMs() - start < 300) await run();
}
const samples = cases.map(() => [] as number[]);
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < cases.length; k++) {
    const i = (k + r) % cases.length;
    const start = cpuMs();
    for (let j = 0; j < 10; j++) await cases[i][1]();
    samples[i].push(cpuMs() - start);
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
const handOffs = 10 * BODIES * PER_BODY;
console.log(
  `| bodies run as | lock | ns per hand-off (median) | ratio to the floor in plain tasks (median of ${rounds} rounds) |`,
);
console.log("| --- | --- | ---: | ---: |");
for (const [i, [name]] of cases.entries()) {
  const [lock, how] = name.split(", ");
  const ns = median(samples[i]) * 1e6 / handOffs;
  const ratio = median(samples[i].map((ms, r) => ms / samples[0][r]));
  console.log(`| ${how} | ${lock} | ${ns.toFixed(1)} | ${ratio.toFixed(2)} |`);
}
