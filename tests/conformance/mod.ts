/**
 * Every conformance case, gathered for the per-backend test files.
 *
 * @module
 */
import type { Case } from "./_suite.ts";
import { barrierCases } from "./barrier_cases.ts";
import { conditionCases } from "./condition_cases.ts";
import { contractCases } from "./contract_cases.ts";
import { eventCases } from "./event_cases.ts";
import { localCases } from "./local_cases.ts";
import { lockCases } from "./lock_cases.ts";
import { rlockCases } from "./rlock_cases.ts";
import { semaphoreCases } from "./semaphore_cases.ts";
import { threadCases } from "./thread_cases.ts";
import { timerCases } from "./timer_cases.ts";
import { queueCases } from "./queue_cases.ts";
import { futuresCases } from "./futures_cases.ts";
import { poolCases } from "./pool_cases.ts";
import { threadLowLevelCases } from "./thread_low_level_cases.ts";
import { queueWorkerCases } from "./queue_worker_cases.ts";
import { poolWorkerCases } from "./pool_worker_cases.ts";
import { excepthookCases } from "./excepthook_cases.ts";
import { queueGrowthCases } from "./queue_growth_cases.ts";
import { poolFeedCases } from "./pool_feed_cases.ts";
import { sharedOrderCases } from "./shared_order_cases.ts";
import { allocateCases } from "./allocate_cases.ts";
import { barrierTimeoutCases } from "./barrier_timeout_cases.ts";

/** All cases of the suite. */
export const allCases: readonly Case[] = [
  ...lockCases,
  ...rlockCases,
  ...conditionCases,
  ...semaphoreCases,
  ...eventCases,
  ...barrierCases,
  ...barrierTimeoutCases,
  ...threadCases,
  ...timerCases,
  ...localCases,
  ...contractCases,
  ...queueCases,
  ...futuresCases,
  ...poolCases,
  ...threadLowLevelCases,
  ...queueWorkerCases,
  ...poolWorkerCases,
  ...excepthookCases,
  ...queueGrowthCases,
  ...poolFeedCases,
  ...sharedOrderCases,
  ...allocateCases,
];
