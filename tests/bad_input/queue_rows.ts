/**
 * Bad inputs of the `queue` entry point. Each `put` is made on a full queue
 * and each `get` on an empty one, so that a wrongly accepted argument would
 * wait forever.
 *
 * @module
 */
import { ValueError } from "@locksmith/threading";
import { LifoQueue, PriorityQueue, Queue, SimpleQueue } from "@locksmith/threading/queue";
import {
  abortedRow,
  argumentRows,
  ARRAY,
  BAD_TIMEOUTS,
  type BadInput,
  FRACTION,
  HUGE,
  misspelledRow,
  NAN,
  NULL,
  NUMBER,
  optionsRows,
  STRING,
  syncWaitRows,
  waitRows,
} from "./rows.ts";

const o = (value: unknown) => value as never;

function fullQueue(): Queue<number> {
  const queue = new Queue<number>(1);
  queue.putNowait(1);
  return queue;
}

/**
 * Rows of a queue's `put`/`get(block, timeout)` or `(options)`: Python's
 * `block` (or `blocking`), bad timeouts, a misspelled key, an aborted
 * signal.
 */
function queueWaitRows(call: string, run: (first: unknown, second?: unknown) => unknown): BadInput[] {
  return [
    ...argumentRows(call, "block", (v) => run(v), [[STRING, TypeError], [NUMBER, TypeError], [ARRAY, TypeError]]),
    ...argumentRows(call, "timeout", (v) => run(true, v), BAD_TIMEOUTS)
      .map((row) => ({ ...row, input: `true, ${row.input}` })),
    ...argumentRows(call, "timeout", (v) => run({ timeout: v }), BAD_TIMEOUTS.slice(0, 1))
      .map((row) => ({ ...row, input: `{ timeout: ${row.input} }` })),
    misspelledRow(call, (v) => run(v), "tiemout", "timeout"),
    misspelledRow(call, (v) => run(v), "blok", "block", false),
    abortedRow(call, (signal) => run({ signal })),
  ];
}

function queueClassRows(kind: string, make: (maxsize?: unknown, options?: unknown) => unknown): BadInput[] {
  const call = `new ${kind}(maxsize, options)`;
  return [
    ...argumentRows(call, "maxsize", (v) => make(v), [
      [STRING, TypeError],
      [NULL, TypeError],
      [NAN, ValueError],
      [FRACTION, ValueError],
      [HUGE, ValueError],
    ]),
    ...optionsRows(call, (options) => make(0, options), ["bakend", "backend", "async"]),
    ...argumentRows(call, "shared", (v) => make(0, { shared: v }), [[STRING, TypeError]]),
  ];
}

/** Every bad-input row of the queue entry point. */
export const QUEUE_ROWS: readonly BadInput[] = [
  ...queueClassRows("Queue", (maxsize, options) => new Queue(o(maxsize), o(options))),
  ...queueClassRows("LifoQueue", (maxsize, options) => new LifoQueue(o(maxsize), o(options))),
  ...queueClassRows("PriorityQueue", (maxsize, options) => new PriorityQueue(o(maxsize), o(options))),
  ...argumentRows("new PriorityQueue(maxsize, options)", "compare", (v) => new PriorityQueue(0, { compare: o(v) }), [
    [NUMBER, TypeError],
    [STRING, TypeError],
  ]),
  misspelledRow("new PriorityQueue(maxsize, options)", (v) => new PriorityQueue(0, o(v)), "comparator", "compare"),
  ...argumentRows("queue.maxsize = maxsize", "maxsize", (v) => new Queue().maxsize = o(v), [
    [STRING, TypeError],
    [NAN, ValueError],
  ]),
  ...queueWaitRows("queue.put(item, block, timeout)", (a, b) => fullQueue().put(2, o(a), o(b))),
  ...queueWaitRows("queue.get(block, timeout)", (a, b) => new Queue().get(o(a), o(b))),
  ...argumentRows("queue.putSync(item, block, timeout)", "block", (v) => fullQueue().putSync(2, o(v)), [
    [STRING, TypeError],
  ]),
  ...syncWaitRows("queue.putSync(item, block, timeout)", (v) => fullQueue().putSync(2, true, o(v))),
  ...syncWaitRows("queue.getSync(block, timeout)", (v) => new Queue().getSync(true, o(v))),
  ...waitRows("queue.join(timeout)", (v) => fullQueue().join(o(v))),
  ...syncWaitRows("queue.joinSync(timeout)", (v) => fullQueue().joinSync(o(v))),
  ...argumentRows("queue.shutdown(immediate)", "immediate", (v) => new Queue().shutdown(o(v)), [
    [STRING, TypeError],
    [NUMBER, TypeError],
  ]),

  ...optionsRows("new SimpleQueue(options)", (options) => new SimpleQueue(o(options)), ["bakend", "backend", "async"]),
  ...queueWaitRows("simpleQueue.get(block, timeout)", (a, b) => new SimpleQueue().get(o(a), o(b))),
  ...syncWaitRows("simpleQueue.getSync(block, timeout)", (v) => new SimpleQueue().getSync(true, o(v))),
];
