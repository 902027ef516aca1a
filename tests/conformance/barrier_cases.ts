/**
 * Barrier conformance cases (being written).
 *
 * @module
 */
import { defineCases } from "./_suite.ts";

export const barrierCases = defineCases([]);
