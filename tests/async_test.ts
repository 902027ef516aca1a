// Puts the `async` backend under the whole conformance suite.
import { asyncBackend } from "../backends/async/mod.ts";
import { allCases } from "./conformance/mod.ts";
import { runConformance } from "./conformance/_suite.ts";

runConformance(asyncBackend, allCases);
