/**
 * Semaphore conformance cases (being written).
 *
 * @module
 */
import { defineCases } from "./_suite.ts";

export const semaphoreCases = defineCases([]);
