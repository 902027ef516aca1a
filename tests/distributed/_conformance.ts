/**
 * Puts a distributed engine under the shared conformance cases of Lock,
 * RLock, Condition, Semaphore, BoundedSemaphore, Event, Barrier and Queue:
 * every case gets a fresh manager (with a key prefix of its own) and
 * primitives with fresh names, made through the suite's factory.
 *
 * @module
 */
import { asyncBackend } from "@locksmith/threading";
import { connect, type Manager } from "@locksmith/threading/distributed";
import { barrierCases } from "../conformance/barrier_cases.ts";
import { conditionCases } from "../conformance/condition_cases.ts";
import { eventCases } from "../conformance/event_cases.ts";
import { lockCases } from "../conformance/lock_cases.ts";
import { queueCases } from "../conformance/queue_cases.ts";
import { rlockCases } from "../conformance/rlock_cases.ts";
import { semaphoreCases } from "../conformance/semaphore_cases.ts";
import { type Make, runTarget } from "../conformance/_suite.ts";

/** The cases the distributed engines run. */
export const distributedCases = [
  ...lockCases,
  ...rlockCases,
  ...conditionCases,
  ...semaphoreCases,
  ...eventCases,
  ...barrierCases,
  ...queueCases,
];

function managerMake(manager: Manager): Make {
  let n = 0;
  const name = (kind: string) => `${kind}${++n}`;
  const make: Make = {
    Lock: (o) => manager.Lock(name("lock"), o as never) as never,
    RLock: (o) => manager.RLock(name("rlock"), o as never) as never,
    Condition: (lock, o) => manager.Condition(name("cond"), lock as never, o as never) as never,
    Semaphore: (value, o) => manager.Semaphore(name("sem"), value, o as never) as never,
    BoundedSemaphore: (value, o) => manager.BoundedSemaphore(name("bsem"), value, o as never) as never,
    Event: () => manager.Event(name("event")) as never,
    Barrier: (parties, action, timeout) => manager.Barrier(name("barrier"), parties, action as never, timeout) as never,
    Queue: (maxsize, o) => manager.Queue(name("queue"), maxsize, o as never) as never,
    LifoQueue: (maxsize, o) => manager.LifoQueue(name("lifo"), maxsize, o as never) as never,
    PriorityQueue: () => {
      throw new TypeError("Cannot make a PriorityQueue: the distributed engines have none");
    },
    conditionLockLabel: (cond) => (cond as unknown as { lock: { label: string } }).lock.label,
  };
  return make;
}

/**
 * Registers the cases for an engine.
 *
 * @param name The engine's name in test names (`redis`, `memory`).
 * @param open Connects a fresh manager; `cleanup` runs after it is closed.
 */
export function runDistributedConformance(
  name: string,
  open: () => Promise<{ url: string; prefix: string; cleanup?: () => Promise<void> }>,
  unavailable?: string,
): void {
  runTarget({
    name,
    backend: asyncBackend,
    unavailable,
    capabilities: {
      ...asyncBackend.capabilities,
      syncTwins: false,
      inProcess: false,
      synchronousCalls: false,
      priorityQueue: false,
      simpleQueue: false,
    },
    async open() {
      const where = await open();
      const manager = await connect(where.url, { prefix: where.prefix });
      return {
        make: managerMake(manager),
        async close() {
          await manager.close();
          await where.cleanup?.();
        },
      };
    },
  }, distributedCases);
}
