/**
 * The `cooperative` backend: deterministic, seeded interleavings of
 * threads in one isolate, virtual time and deadlock reports. The explorer
 * (`explore`/`replay`, in `explore/`) runs users' tests on it.
 *
 * @module
 */
export { CooperativeBackend, type CooperativeBackendOptions } from "./backend.ts";
