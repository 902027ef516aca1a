/**
 * Local conformance cases (being written).
 *
 * @module
 */
import { defineCases } from "./_suite.ts";

export const localCases = defineCases([]);
