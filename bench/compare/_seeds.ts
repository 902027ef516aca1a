/**
 * The seeds' scenarios as one workload: a run plays every seed example
 * (the Python notes' named loop thread, bank balance, counter, RLock
 * runner, local school, students and teacher, producer and consumer,
 * Timer, Barrier, singleton, `Pool.map`) once on the backend, and checks
 * each one's key line. CPython plays the same scenarios, with the same
 * sleeps, in `_python_peer.py`.
 *
 * @module
 */
import type { RunContext, Workload } from "@locksmith/threading/experiment";
import { scenarios } from "../../examples/_scenarios.ts";

const seeds = scenarios.filter((s) => s.seed);

/** Every seed scenario, once per run. */
export const seedsWorkload: Workload = {
  name: "seeds",
  title: `the seeds' ${seeds.length} scenarios (${seeds.map((s) => s.name).join(", ")}), each checked`,
  iterations: 1,
  ops: () => seeds.length,
  run: async ({ backend }: RunContext) => {
    const problems: string[] = [];
    for (const scenario of seeds) {
      const lines = await scenario.main(backend);
      const problem = lines[0] !== `backend: ${backend}`
        ? `first line is '${lines[0]}', not 'backend: ${backend}'`
        : scenario.check(lines);
      if (problem !== undefined) problems.push(`${scenario.name}: ${problem}`);
    }
    return problems;
  },
  check: (problems) => (problems as string[]).length === 0 ? undefined : (problems as string[]).join("; "),
};
