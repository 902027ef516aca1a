/**
 * The memory engine's operations: the same steps as the Redis engine's
 * scripts (`_redis_scripts.ts`), over the same keys, in plain JavaScript.
 * Each runs synchronously, so it is atomic in one isolate. They live by
 * primitive: `_memory_lock_ops.ts` (locks and Conditions),
 * `_memory_semaphore_ops.ts`, `_memory_event_barrier_ops.ts` and
 * `_memory_queue_ops.ts`, over what they share in `_memory_op_context.ts`.
 *
 * @module
 */
import { BARRIER_OPS, EVENT_OPS } from "./_memory_event_barrier_ops.ts";
import { LOCK_OPS } from "./_memory_lock_ops.ts";
import type { Op } from "./_memory_op_context.ts";
import { QUEUE_OPS } from "./_memory_queue_ops.ts";
import { SEMAPHORE_OPS } from "./_memory_semaphore_ops.ts";

/** The operations, by name; `args` are as the Redis scripts' `ARGV[2..]`. */
export const MEMORY_OPS: Record<string, Op> = {
  ...LOCK_OPS,
  ...SEMAPHORE_OPS,
  ...EVENT_OPS,
  ...BARRIER_OPS,
  ...QUEUE_OPS,
};
