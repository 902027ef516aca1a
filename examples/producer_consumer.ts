/**
 * The seeds' producer/consumer with a `Condition`: a producer puts items on
 * a shelf that holds two, two consumers take them, and each side waits on
 * the condition until the other has made room or put an item.
 *
 * Python:
 * ```py
 * cond = threading.Condition()
 *
 * def consumer():
 *     with cond:
 *         cond.wait_for(lambda: shelf or done)
 *         ...
 *
 * def producer():
 *     with cond:
 *         cond.wait_for(lambda: len(shelf) < 2)
 *         shelf.append(item)
 *         cond.notify_all()
 * ```
 *
 * The shelf lives in a `SharedArrayBuffer` and the thread bodies are named
 * by module reference, so the same code runs on every backend (on
 * `atomics`, three Workers share the shelf and the `Condition`).
 *
 * Run it: `deno run -A examples/producer_consumer.ts --backend=async`
 *
 * @module
 */
import {
  type BackendChoice,
  Condition,
  getBackend,
  getDefaultBackend,
  Lock,
  sleep,
  Thread,
} from "@locksmith/threading";
import type { Queue } from "@locksmith/threading/queue";
import { drain, newLog } from "./_log.ts";

const ITEMS = 6;
const CAPACITY = 2;

// The shared state's layout: counts, then the shelf, then what was consumed, in order.
const SHELF_LENGTH = 0;
const DONE = 1;
const CONSUMED_LENGTH = 2;
const SHELF = 3;
const CONSUMED = SHELF + CAPACITY;

function shelfItems(state: Int32Array): number[] {
  return [...state.subarray(SHELF, SHELF + state[SHELF_LENGTH])];
}

/**
 * The producer: puts `ITEMS` items on the shelf, waiting while it is full.
 *
 * @param log Where lines go.
 * @param cond The condition over the shelf's lock.
 * @param state The shelf and its counts, in shared memory.
 */
export async function producer(log: Queue<string>, cond: Condition, state: Int32Array): Promise<void> {
  for (let item = 1; item <= ITEMS; item++) {
    using _ = await cond.guard(); // Python's `with cond:`
    await cond.waitFor(() => state[SHELF_LENGTH] < CAPACITY);
    state[SHELF + state[SHELF_LENGTH]++] = item;
    log.putNowait(`producer put ${item} (shelf: ${shelfItems(state).join(" ")})`);
    cond.notifyAll();
  }
  using _ = await cond.guard();
  state[DONE] = 1;
  log.putNowait("producer is done");
  cond.notifyAll();
}

/**
 * A consumer: takes items until the producer is done and the shelf is empty.
 *
 * @param log Where lines go.
 * @param cond The condition over the shelf's lock.
 * @param state The shelf and its counts, in shared memory.
 * @param name The consumer's name, for the log.
 * @param backend The backend to sleep on.
 */
export async function consumer(
  log: Queue<string>,
  cond: Condition,
  state: Int32Array,
  name: string,
  backend: string,
): Promise<void> {
  while (true) {
    {
      using _ = await cond.guard();
      await cond.waitFor(() => state[SHELF_LENGTH] > 0 || state[DONE] === 1);
      if (state[SHELF_LENGTH] === 0) break; // done, and nothing left
      const item = state[SHELF];
      state.copyWithin(SHELF, SHELF + 1, SHELF + state[SHELF_LENGTH]--);
      state[CONSUMED + state[CONSUMED_LENGTH]++] = item;
      log.putNowait(`${name} took ${item}`);
      cond.notifyAll();
    }
    await sleep(5, { backend }); // uses the item, without holding the lock
  }
}

/**
 * Runs the scenario on `backend` and returns its output lines.
 *
 * @param backend The backend every thread and primitive is created on.
 * @returns The lines the scenario printed.
 */
export async function main(backend: BackendChoice = getDefaultBackend()): Promise<string[]> {
  const name = getBackend(backend).name;
  const log = newLog(backend, name);
  const cond = new Condition(new Lock({ backend }), { backend });
  const state = new Int32Array(new SharedArrayBuffer(4 * (CONSUMED + ITEMS)));
  const threads = [
    new Thread({
      target: { module: import.meta.url, export: "producer" },
      args: [log, cond, state],
      name: "producer",
      backend,
    }),
    ...["consumer-1", "consumer-2"].map((consumerName) =>
      new Thread({
        target: { module: import.meta.url, export: "consumer" },
        args: [log, cond, state, consumerName, name],
        name: consumerName,
        backend,
      })
    ),
  ];
  for (const t of threads) t.start();
  for (const t of threads) await t.join();
  const consumed = [...state.subarray(CONSUMED, CONSUMED + state[CONSUMED_LENGTH])];
  log.putNowait(`consumed ${consumed.length} of ${ITEMS} items: ${consumed.join(" ")}`);
  return drain(log);
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(flag?.slice("--backend=".length) ?? "async")) console.log(line);
}
