/**
 * The `async` backend's Lock, Semaphore and Condition against `async-mutex`,
 * `await-lock`, `@esfx/async-semaphore` and a hand-written FIFO promise-queue
 * mutex (the floor, each group's baseline), so the ratios come out of one run:
 *
 *     deno task bench        # deno bench -A bench/
 *
 * Each iteration does many operations (the count is in the group's name):
 * divide ns/iter by it for ns per operation. The workloads are in
 * `_workloads.ts`; `ratios.ts` runs the same ones interleaved, which holds up
 * better on a busy machine.
 *
 * Before timing, the contended loop runs once on a Lock and on a
 * Semaphore(1) with an owner counter, and the owner changes per acquisition
 * are printed: with FIFO hand-off every release to a waiting task changes the
 * owner, so both are 1.000.
 *
 * @module
 */
import { Lock, Semaphore } from "@locksmith/threading";
import { groups, HANDOFFS, ownerChangesPerAcquisition, TASKS } from "./_workloads.ts";

for (const group of groups) {
  group.cases.forEach(([name, fn], i) => {
    // A long warm-up, so that every implementation is measured with its code fully optimized.
    Deno.bench(name, { group: group.title, baseline: i === 0, warmup: 300, n: 2000 }, async () => {
      await fn();
    });
  });
}

const lockChanges = await ownerChangesPerAcquisition(new Lock());
const semaphoreChanges = await ownerChangesPerAcquisition(new Semaphore(1));
console.log(
  `Owner changes per acquisition (${TASKS} tasks, ${HANDOFFS} acquisitions): Lock ${
    lockChanges.toFixed(3)
  }, Semaphore(1) ${semaphoreChanges.toFixed(3)}`,
);
