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
import { abArgs, interleaveAsync, median, ratioOfRounds } from "./_ab.ts";

interface QueueLike {
  put(item: number): Promise<void>;
  get(): Promise<number>;
}
interface Side {
  Thread: new (options: { target: () => Promise<void> }) => { start(): void; join(): Promise<void> };
  queues: Record<string, () => QueueLike>;
}

const run = abArgs("queue_ab.ts", 21);
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

const before = await load(run.before);
const after = await load(run.after);
const names = Object.keys(after.queues);
const cases = names.flatMap((name) => [handOver(before, before.queues[name]), handOver(after, after.queues[name])]);
const samples = await interleaveAsync(
  cases.map((once) => async () => {
    for (let j = 0; j < REPEAT; j++) await once();
  }),
  run.rounds,
);
const us = (values: number[]) => `${(median(values) * 1000 / REPEAT).toFixed(1)} us`;
console.log(
  `| ${ITEMS} items, producer thread -> consumer thread | before | after | after/before (median of ${run.rounds} rounds) |`,
);
console.log("| --- | ---: | ---: | ---: |");
names.forEach((name, n) => {
  const [b, a] = [samples[2 * n], samples[2 * n + 1]];
  console.log(`| ${name} | ${us(b)} | ${us(a)} | ${ratioOfRounds(b, a).toFixed(2)} |`);
});
