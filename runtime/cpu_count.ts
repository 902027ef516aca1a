/**
 * `cpuCount`: Python's `multiprocessing.cpu_count`.
 *
 * @module
 */

/**
 * The number of logical CPUs (`navigator.hardwareConcurrency`), the default
 * size of a pool; 1 where the runtime does not say.
 *
 * @returns How many CPUs.
 *
 * @example At least one
 * ```ts
 * import { cpuCount } from "@locksmith/threading/multiprocessing";
 * import { assert } from "@std/assert";
 *
 * assert(cpuCount() >= 1);
 * ```
 */
export function cpuCount(): number {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof n === "number" && n >= 1 ? n : 1;
}
