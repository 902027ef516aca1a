/**
 * `queue_bench.ts`'s threaded group (a producer thread hands 1000 items to a
 * consumer thread through a `Queue`, a `Queue(1)` and a `SimpleQueue`, on
 * the default backend) with this checkout and another one (a baseline
 * commit) loaded into the same process, in interleaved rounds: each round
 * times every case once, in rotating order, and a ratio is taken within a
 * round (after over before), so that a change in the machine's speed falls
 * on both sides alike. `before_after.ts` runs each checkout's benchmarks in
 * a process of its own, minutes apart; this is the check to make when it
 * calls this group slower.
 *
 *     git worktree add ../before <baseline-commit>
 *     deno run -A bench/queue_ab.ts ../before [rounds]
 *
 * @module
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

interface QueueLike {
  put(item: number): Promise<void>;
  get(): Promise<number>;
}
interface Side {
  Thread: new (options: { target: () => Promise<void> }) => { start(): void; join(): Promise<void> };
  queues: Record<string, () => QueueLike>;
}

const [baseline, roundsArg] = Deno.args;
if (baseline === undefined) {
  console.error("usage: deno run -A bench/queue_ab.ts <baseline checkout> [rounds]");
  Deno.exit(2);
}
const rounds = Number(roundsArg ?? 21);
const ITEMS = 1000;
const REPEAT = 20;

async function load(root: URL): Promise<Side> {
  const threading = await import(new URL("mod.ts", root).href);
  const { Queue, SimpleQueue } = await import(new URL("queue/mod.ts", root).href);
  return {
    Thread: threading.Thread,
    queues: {
      "Queue (unbounded)": () => new Queue(),
      "Queue(1)": () => new Queue(1),
      "SimpleQueue": () => new SimpleQueue(),
    },
  };
}

/** One iteration of the group: a fresh queue, a consumer thread, `ITEMS` items. */
function handOver(side: Side, make: () => QueueLike): () => Promise<void> {
  return async () => {
    const queue = make();
    const consumer = new side.Thread({
      target: async () => {
        for (let i = 0; i < ITEMS; i++) await queue.get();
      },
    });
    consumer.start();
    for (let i = 0; i < ITEMS; i++) await queue.put(i);
    await consumer.join();
  };
}

const before = await load(pathToFileURL(resolve(baseline) + "/"));
const after = await load(new URL("..", import.meta.url));
const names = Object.keys(after.queues);
const cases = names.flatMap((name) => [handOver(before, before.queues[name]), handOver(after, after.queues[name])]);
const samples = cases.map(() => [] as number[]);
// Two warm-up rounds, then the timed ones.
for (let r = -2; r < rounds; r++) {
  for (let k = 0; k < cases.length; k++) {
    const i = (k + Math.max(r, 0)) % cases.length;
    const start = performance.now();
    for (let j = 0; j < REPEAT; j++) await cases[i]();
    if (r >= 0) samples[i].push(performance.now() - start);
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
const us = (values: number[]) => `${(median(values) * 1000 / REPEAT).toFixed(1)} us`;
console.log(
  `| ${ITEMS} items, producer thread -> consumer thread | before | after | after/before (median of ${rounds} rounds) |`,
);
console.log("| --- | ---: | ---: | ---: |");
names.forEach((name, n) => {
  const [b, a] = [samples[2 * n], samples[2 * n + 1]];
  console.log(`| ${name} | ${us(b)} | ${us(a)} | ${median(a.map((v, r) => v / b[r])).toFixed(2)} |`);
});
