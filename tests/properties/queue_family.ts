/**
 * Queues: producer threads put distinct items, consumer threads get as many
 * (so every program can finish), each by a blocking call, a `...Nowait`
 * try (then a blocking call if it raised `Full`/`Empty`) or a timed call
 * (then a blocking one if it timed out). The model is Python's container:
 * FIFO for `Queue` and `SimpleQueue`, LIFO for `LifoQueue`, smallest first
 * for `PriorityQueue`. Checked: each get returns what the model's container
 * would hand out (order), every item comes out exactly once (nothing lost
 * or doubled), `qsize()` is the number of items put and not yet taken,
 * `Full` only when the model is full, `Empty` only when the model is empty
 * or its items may have been handed to getters already waiting (a
 * `SimpleQueue` hands a put item to the oldest waiting getter, as a
 * `Semaphore` hands over a permit), and `join()` returns once every item
 * was marked done.
 *
 * @module
 */
import fc from "fast-check";
import { yieldNow } from "@locksmith/threading";
import { Empty, Full, LifoQueue, PriorityQueue, Queue, SimpleQueue } from "@locksmith/threading/queue";
import { type Family, History, runThreads } from "./harness.ts";

/** The queue classes. */
export type QueueKind = "Queue" | "LifoQueue" | "PriorityQueue" | "SimpleQueue";
/** How a put or get is made. */
export type Mode = "block" | "nowait" | "timeout";

/** One operation of a producer (`item` set) or a consumer. */
export interface QueueOp {
  readonly mode: Mode;
  readonly item?: number;
  /** Scheduling points after it. */
  readonly yields: number;
}

/** A program: the queue, its producers and its consumers. */
export interface QueueProgram {
  readonly kind: QueueKind;
  /** 0: unbounded (`SimpleQueue` always is). */
  readonly maxsize: number;
  readonly producers: readonly (readonly QueueOp[])[];
  readonly consumers: readonly (readonly QueueOp[])[];
}

type Event =
  | { t: string; op: "put"; item: number }
  | { t: string; op: "get"; item: number }
  | { t: string; op: "call" }
  | { t: string; op: "full" | "empty"; size: number };

/** Which item the model's container hands out next. */
export type Order = "fifo" | "lifo" | "smallest";

/** The order each class promises. */
export const PROMISED: Readonly<Record<QueueKind, Order>> = {
  Queue: "fifo",
  SimpleQueue: "fifo",
  LifoQueue: "lifo",
  PriorityQueue: "smallest",
};

const modes = fc.constantFrom<Mode>("block", "nowait", "timeout");
const op = fc.record({ mode: modes, yields: fc.integer({ min: 0, max: 2 }) });

/** Random programs: 1-2 producers and 1-2 consumers, 1-6 items in all. */
export const queuePrograms: fc.Arbitrary<QueueProgram> = fc
  .record({
    kind: fc.constantFrom<QueueKind>("Queue", "LifoQueue", "PriorityQueue", "SimpleQueue"),
    maxsize: fc.integer({ min: 0, max: 3 }),
    items: fc.uniqueArray(fc.integer({ min: 0, max: 99 }), { minLength: 1, maxLength: 6 }),
    putOps: fc.array(op, { minLength: 6, maxLength: 6 }),
    getOps: fc.array(op, { minLength: 6, maxLength: 6 }),
    producerCut: fc.integer({ min: 0, max: 6 }),
    consumerCut: fc.integer({ min: 0, max: 6 }),
    twoProducers: fc.boolean(),
    twoConsumers: fc.boolean(),
  })
  .map((r) => {
    const puts = r.items.map((item, i) => ({ ...r.putOps[i], item }));
    const gets = r.items.map((_, i) => r.getOps[i]);
    const split = <T>(all: T[], two: boolean, cut: number): T[][] => {
      const at = Math.min(cut, all.length);
      return two && at > 0 && at < all.length ? [all.slice(0, at), all.slice(at)] : [all];
    };
    return {
      kind: r.kind,
      maxsize: r.kind === "SimpleQueue" ? 0 : r.maxsize,
      producers: split(puts, r.twoProducers, r.producerCut),
      consumers: split(gets, r.twoConsumers, r.consumerCut),
    };
  });

function makeQueue(program: QueueProgram): Queue<number> | SimpleQueue<number> {
  switch (program.kind) {
    case "Queue":
      return new Queue<number>(program.maxsize);
    case "LifoQueue":
      return new LifoQueue<number>(program.maxsize);
    case "PriorityQueue":
      return new PriorityQueue<number>(program.maxsize);
    case "SimpleQueue":
      return new SimpleQueue<number>();
  }
}

/** Takes the next item of `items` in `order` out of it. */
function take(items: number[], order: Order): number | undefined {
  if (items.length === 0) return undefined;
  if (order === "fifo") return items.shift();
  if (order === "lifo") return items.pop();
  const smallest = Math.min(...items);
  items.splice(items.indexOf(smallest), 1);
  return smallest;
}

/** Checks a run's history against the container model of `order`. */
export function checkQueueHistory(history: History<Event>, program: QueueProgram, order: Order): void {
  const items: number[] = [];
  const seen = new Set<number>();
  // Consumers inside a get: a put may hand its item to one of them before it runs (FIFO hand-off).
  const getting = new Set<string>();
  history.events.forEach((e, i) => {
    if (e.op === "call") getting.add(e.t);
    else if (e.op === "put") items.push(e.item);
    else if (e.op === "get") {
      getting.delete(e.t);
      const expected = take(items, order);
      if (expected !== e.item) history.fail(i, `got ${e.item} where the ${order} model hands out ${expected}`);
      if (seen.has(e.item)) history.fail(i, `item ${e.item} came out twice`);
      seen.add(e.item);
    } else {
      // qsize() counts the items put and not yet taken, as Python's does (reserved ones included).
      if (e.size !== items.length) history.fail(i, `qsize() is ${e.size} where the model holds ${items.length}`);
      if (e.op === "empty" && items.length > getting.size - 1) {
        history.fail(
          i,
          `Empty raised while the model holds ${items.length} items for ${getting.size - 1} waiting getters`,
        );
      } else if (e.op === "full" && (program.maxsize <= 0 || items.length < program.maxsize)) {
        history.fail(i, `Full raised while the model holds ${items.length} of ${program.maxsize}`);
      }
    }
  });
  if (items.length !== 0) history.fail(history.events.length - 1, `items never came out: ${items}`);
}

async function put(queue: Queue<number> | SimpleQueue<number>, op: QueueOp, log: History<Event>, t: string) {
  const item = op.item!;
  if (op.mode === "nowait" && queue instanceof Queue) {
    try {
      queue.putNowait(item);
      return log.push({ t, op: "put", item });
    } catch (error) {
      if (!(error instanceof Full)) throw error;
      // Synchronous: the model's state now is the queue's state when it raised.
      log.push({ t, op: "full", size: queue.qsize() });
    }
  } else if (op.mode === "timeout" && queue instanceof Queue) {
    try {
      await queue.put(item, true, 3);
      return log.push({ t, op: "put", item });
    } catch (error) {
      if (!(error instanceof Full)) throw error;
    }
  }
  await queue.put(item);
  log.push({ t, op: "put", item });
}

async function get(queue: Queue<number> | SimpleQueue<number>, op: QueueOp, log: History<Event>, t: string) {
  log.push({ t, op: "call" });
  if (op.mode === "nowait") {
    try {
      const item = queue.getNowait();
      return log.push({ t, op: "get", item });
    } catch (error) {
      if (!(error instanceof Empty)) throw error;
      log.push({ t, op: "empty", size: queue.qsize() });
    }
  } else if (op.mode === "timeout") {
    try {
      const item = await queue.get(true, 3);
      return log.push({ t, op: "get", item });
    } catch (error) {
      if (!(error instanceof Empty)) throw error;
    }
  }
  const item = await queue.get();
  log.push({ t, op: "get", item });
}

/**
 * The queue family, checked against the order each class promises (or
 * against `order`, to show that a wrong model is caught).
 */
export function queueFamily(order?: Order): Family<QueueProgram> {
  return {
    name: order === undefined ? "queues" : `queues against a ${order} model`,
    programs: queuePrograms,
    scenario: (program) => async () => {
      const queue = makeQueue(program);
      const log = new History<Event>();
      const steps = async (n: number) => {
        for (let i = 0; i < n; i++) await yieldNow();
      };
      await runThreads([
        ...program.producers.map((ops, p) => async () => {
          for (const op of ops) {
            await put(queue, op, log, `p${p}`);
            await steps(op.yields);
          }
        }),
        ...program.consumers.map((ops, c) => async () => {
          for (const op of ops) {
            await get(queue, op, log, `c${c}`);
            if (queue instanceof Queue) queue.taskDone();
            await steps(op.yields);
          }
        }),
      ]);
      // Every item was marked done: join() returns (a lost wake-up here would be a deadlock).
      if (queue instanceof Queue) await queue.join();
      checkQueueHistory(log, program, order ?? PROMISED[program.kind]);
      if (queue.qsize() !== 0) throw new Error(`qsize() is ${queue.qsize()} after every item came out`);
    },
  };
}
