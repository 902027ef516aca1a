/**
 * The property tests with a larger budget than the test suite's, for a
 * search of an hour rather than seconds:
 * `deno run -A tests/properties/long_run.ts [runs] [schedules] [seed...]`
 * (default 400 programs per seed, 30 schedules per program and strategy,
 * seeds 101 202 303 404). Prints each family's result, and for a failure
 * the shrunk program and how to replay it.
 *
 * @module
 */
import { type Budget, checkFamily, describeFailure, type Family } from "./harness.ts";
import { queueFamily } from "./queue_family.ts";
import { lockFamily } from "./lock_family.ts";
import { conditionFamily } from "./condition_family.ts";
import { barrierFamily, eventFamily } from "./event_barrier_family.ts";

/** Every family, checked against the semantics each class promises. */
export const FAMILIES: readonly Family<never>[] = [
  lockFamily(),
  conditionFamily(),
  eventFamily(),
  barrierFamily(),
  queueFamily(),
] as readonly Family<unknown>[] as readonly Family<never>[];

if (import.meta.main) {
  const [runs = 400, schedules = 30, ...seeds] = Deno.args.map(Number);
  const budget: Budget = {
    runs,
    schedules,
    strategies: ["random", "pct"],
    seeds: seeds.length > 0 ? seeds : [101, 202, 303, 404],
  };
  let failed = false;
  for (const family of FAMILIES) {
    const started = performance.now();
    const failure = await checkFamily(family, budget);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`${family.name}: ${failure === undefined ? "ok" : describeFailure(family, failure)} (${seconds} s)`);
    failed ||= failure !== undefined;
  }
  if (failed) Deno.exit(1);
}
