/**
 * The `cooperative` backend and its schedule explorer: deterministic,
 * seeded interleavings of threads in one isolate, virtual time, deadlock
 * reports, and `explore`/`replay` for users' own tests.
 *
 * @module
 */
export { CooperativeBackend, type CooperativeBackendOptions } from "./backend.ts";
export {
  explore,
  type ExploreOptions,
  type ExploreResult,
  type ExploreStrategy,
  type Failure,
  replay,
  type ReplayOptions,
  type ReplayResult,
  type Scenario,
} from "../../explore/explore.ts";
export { yieldNow } from "../../primitives/yield_now.ts";
