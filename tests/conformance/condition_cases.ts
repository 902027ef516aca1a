/**
 * Condition conformance cases (being written).
 *
 * @module
 */
import { defineCases } from "./_suite.ts";

export const conditionCases = defineCases([]);
