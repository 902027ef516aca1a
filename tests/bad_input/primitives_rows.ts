/**
 * Bad inputs of the primitives: Lock, RLock, Condition, Semaphore,
 * BoundedSemaphore, Event and Barrier. Each wait is made on a primitive in a
 * state where a wrongly accepted argument would wait forever, so that a
 * missing check shows as a hang the test bounds.
 *
 * @module
 */
import { Barrier, BoundedSemaphore, Condition, Event, Lock, RLock, Semaphore, ValueError } from "@locksmith/threading";
import {
  abortedRow,
  acquireRows,
  argumentRows,
  ARRAY,
  BAD_MODULE,
  BAD_TIMEOUTS,
  type BadInput,
  BOOLEAN,
  FRACTION,
  HUGE,
  HUGER,
  INFINITY,
  misspelledRow,
  NAN,
  NEGATIVE,
  NULL,
  NUMBER,
  OBJECT,
  optionsRows,
  STRING,
  syncWaitRows,
  UNDEFINED,
  waitRows,
  ZERO,
} from "./rows.ts";

const o = (value: unknown) => value as never;

function heldLock(): Lock {
  const lock = new Lock();
  lock.acquireSync();
  return lock;
}

/** A Condition whose lock the caller holds. */
function heldCondition(): Condition {
  const condition = new Condition();
  condition.acquireSync();
  return condition;
}

/** The rows of a lock-like class (given as its constructor's call): its constructor's options, acquire, acquireSync, guard and runExclusive. */
function lockRows(
  construct: string,
  make: (options?: unknown) => Lock | RLock | Semaphore,
  taken: () => Lock | RLock | Semaphore,
): BadInput[] {
  const kind = construct.slice(4, construct.indexOf("("));
  const name = kind === "RLock" ? "rlock" : kind[0].toLowerCase() + kind.slice(1);
  return [
    ...optionsRows(construct, (options) => make(options), ["bakend", "backend", "async"]),
    ...acquireRows(`${name}.acquire(blocking, timeout)`, (a, b) => taken().acquire(o(a), o(b))),
    ...argumentRows(`${name}.acquireSync(blocking, timeout)`, "blocking", (v) => make().acquireSync(o(v)), [
      [STRING, TypeError],
      [ARRAY, TypeError],
    ]),
    ...argumentRows(`${name}.acquireSync(blocking, timeout)`, "timeout", (v) => make().acquireSync(true, o(v)), [
      ...BAD_TIMEOUTS,
    ]),
    ...argumentRows(`${name}.guard(options)`, "options", (v) => taken().guard(o(v)), [
      [NUMBER, TypeError],
      [STRING, TypeError],
      [ARRAY, TypeError],
    ]),
    misspelledRow(`${name}.guard(options)`, (v) => taken().guard(o(v)), "tiemout", "timeout"),
    abortedRow(`${name}.guard(options)`, (signal) => taken().guard({ signal })),
    ...argumentRows(`${name}.runExclusive(fn)`, "fn", (v) => make().runExclusive(o(v)), [
      [NULL, TypeError],
      [STRING, TypeError],
    ]),
  ];
}

function semaphoreValueRows(kind: string, make: (value: unknown) => unknown): BadInput[] {
  return argumentRows(`new ${kind}(value, options)`, "value", make, [
    [NEGATIVE, ValueError],
    [NAN, TypeError],
    [FRACTION, TypeError],
    [INFINITY, TypeError],
    [HUGER, ValueError],
    [STRING, TypeError],
    [NULL, TypeError],
  ]);
}

function releaseRows(kind: string, make: () => Semaphore): BadInput[] {
  return argumentRows(`${kind}.release(n)`, "n", (v) => make().release(o(v)), [
    [ZERO, ValueError],
    [NEGATIVE, ValueError],
    [NAN, TypeError],
    [FRACTION, TypeError],
    [STRING, TypeError],
  ]);
}

const waitOnCondition = (arg: unknown) => heldCondition().wait(o(arg));

/** Every bad-input row of the primitives. */
export const PRIMITIVE_ROWS: readonly BadInput[] = [
  ...lockRows("new Lock(options)", (options) => new Lock(o(options)), heldLock),
  // An RLock the caller holds would be taken again at once: a wrongly accepted argument shows as a success.
  ...lockRows("new RLock(options)", (options) => new RLock(o(options)), () => new RLock()),
  ...lockRows("new Semaphore(value, options)", (options) => new Semaphore(1, o(options)), () => new Semaphore(0)),
  ...semaphoreValueRows("Semaphore", (value) => new Semaphore(o(value))),
  ...releaseRows("semaphore", () => new Semaphore(1)),
  ...optionsRows(
    "new BoundedSemaphore(value, options)",
    (options) => new BoundedSemaphore(1, o(options)),
    ["bakend", "backend", "async"],
  ),
  ...semaphoreValueRows("BoundedSemaphore", (value) => new BoundedSemaphore(o(value))),
  ...releaseRows("boundedSemaphore", () => new BoundedSemaphore(1)),

  ...argumentRows("new Condition(lock, options)", "lock", (v) => new Condition(o(v)), [
    [STRING, TypeError],
    [NUMBER, TypeError],
    [OBJECT, TypeError],
  ]),
  ...optionsRows(
    "new Condition(lock, options)",
    (options) => new Condition(undefined, o(options)),
    ["bakend", "backend", "async"],
  ),
  ...acquireRows(
    "condition.acquire(blocking, timeout)",
    (a, b) => new Condition(heldLock()).acquire(o(a), o(b)),
  ),
  ...waitRows("condition.wait(timeout)", waitOnCondition),
  ...syncWaitRows("condition.waitSync(timeout)", (v) => heldCondition().waitSync(o(v))),
  ...argumentRows("condition.waitFor(predicate, timeout)", "predicate", (v) => heldCondition().waitFor(o(v)), [
    [NULL, TypeError],
    [STRING, TypeError],
  ]),
  ...waitRows("condition.waitFor(predicate, timeout)", (v) => heldCondition().waitFor(() => false, o(v))),
  ...argumentRows("condition.waitForSync(predicate, timeout)", "predicate", (v) => heldCondition().waitForSync(o(v)), [
    [UNDEFINED, TypeError],
  ]),
  ...syncWaitRows("condition.waitForSync(predicate, timeout)", (v) => heldCondition().waitForSync(() => false, o(v))),
  ...argumentRows("condition.notify(n)", "n", (v) => heldCondition().notify(o(v)), [
    [NEGATIVE, ValueError],
    [NAN, TypeError],
    [FRACTION, TypeError],
    [STRING, TypeError],
  ]),

  ...optionsRows("new Event(options)", (options) => new Event(o(options)), ["bakend", "backend", "async"]),
  ...waitRows("event.wait(timeout)", (v) => new Event().wait(o(v))),
  ...syncWaitRows("event.waitSync(timeout)", (v) => new Event().waitSync(o(v))),

  ...argumentRows("new Barrier(parties, action, timeout, options)", "parties", (v) => new Barrier(o(v)), [
    [ZERO, ValueError],
    [NEGATIVE, ValueError],
    [HUGE, ValueError],
    [NAN, TypeError],
    [FRACTION, TypeError],
    [STRING, TypeError],
    [NULL, TypeError],
    [UNDEFINED, TypeError],
  ]),
  ...argumentRows("new Barrier(parties, action, timeout, options)", "action", (v) => new Barrier(1, o(v)), [
    [OBJECT, TypeError],
    [BAD_MODULE, TypeError],
    [STRING, TypeError],
    [NUMBER, TypeError],
    [BOOLEAN, TypeError],
  ]),
  ...argumentRows(
    "new Barrier(parties, action, timeout, options)",
    "timeout",
    (v) => new Barrier(1, undefined, o(v)),
    BAD_TIMEOUTS,
  ),
  ...optionsRows(
    "new Barrier(parties, action, timeout, options)",
    (options) => new Barrier(1, undefined, undefined, o(options)),
    ["bakend", "backend", "async"],
  ),
  ...waitRows("barrier.wait(timeout)", (v) => new Barrier(2).wait(o(v))),
  ...syncWaitRows("barrier.waitSync(timeout)", (v) => new Barrier(1).waitSync(o(v))),
];
