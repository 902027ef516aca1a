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

/** All cases of the suite. */
export const allCases: readonly Case[] = [
  ...lockCases,
  ...rlockCases,
  ...conditionCases,
  ...semaphoreCases,
  ...eventCases,
  ...barrierCases,
  ...threadCases,
  ...timerCases,
  ...localCases,
  ...contractCases,
];
