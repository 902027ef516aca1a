/**
 * The extension point for engines: contenders that run the library's
 * workloads somewhere other than a backend of this process. The
 * `./distributed` entry point's `memory://` engine and a reachable Redis
 * are to join here, once that entry point exists: each as a `Contender`
 * (see `@locksmith/threading/experiment`) of kind `"engine"` whose
 * `implements(workload)` names the workloads it can run, and whose
 * `open(case)` throws `Unavailable` with the reason when it cannot (Redis
 * not reachable, say). `deno task compare` lists them with the peers.
 *
 * @module
 */
import type { Contender } from "@locksmith/threading/experiment";

/** The engines available here (none yet: `./distributed` does not exist). */
export function engines(): Contender[] {
  return [];
}
