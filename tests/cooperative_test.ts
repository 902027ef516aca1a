// Puts the `cooperative` backend under the whole conformance suite.
import { getBackend } from "../backends/mod.ts";
import { allCases } from "./conformance/mod.ts";
import { runConformance } from "./conformance/_suite.ts";

runConformance(getBackend("cooperative"), allCases);
