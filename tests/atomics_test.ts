// Puts the `atomics` backend under the whole conformance suite. Cases that
// need function targets are ignored by capability (its threads are Workers,
// which take `{ module, export }`); every other case must pass.
import { atomicsBackend } from "../backends/atomics/mod.ts";
import { allCases } from "./conformance/mod.ts";
import { runConformance } from "./conformance/_suite.ts";

runConformance(atomicsBackend(), allCases);
