/**
 * Python's `threading.Barrier` with an action: three runners meet at the
 * barrier twice; the action runs once per round, when the last one arrives
 * and before any of them goes on.
 *
 * Python:
 * ```py
 * barrier = threading.Barrier(3, action=lambda: print('all 3 arrived'))
 *
 * def runner():
 *     for round in (1, 2):
 *         index = barrier.wait()
 * ```
 *
 * The runners and the action are named by module reference, so the same
 * code runs on every backend: on `atomics` the runners are Workers and the
 * action runs in the last one to arrive, as in Python. The action finds the
 * log and the round counter where the runner of its thread left them.
 *
 * Run it: `deno run -A examples/barrier.ts --backend=async`
 *
 * @module
 */
import {
  type BackendChoice,
  Barrier,
  currentThread,
  getBackend,
  getDefaultBackend,
  Thread,
} from "@locksmith/threading";
import type { Queue } from "@locksmith/threading/queue";
import { drain, newLog } from "./_log.ts";

const PARTIES = 3;
const ROUNDS = 2;

// What the action needs, left by the runners of this isolate (each Worker has its own copy of this module).
let shared: { log: Queue<string>; rounds: Int32Array } | undefined;

/** The barrier's action: says who completed which round. */
export function action(): void {
  const { log, rounds } = shared!;
  const round = Atomics.add(rounds, 0, 1) + 1;
  log.putNowait(`action: all ${PARTIES} arrived for round ${round} (in ${currentThread().name})`);
}

/**
 * A runner: meets the others at the barrier `ROUNDS` times.
 *
 * @param log Where lines go.
 * @param barrier The barrier.
 * @param rounds The action's round counter (`rounds[0]`), and each round's arrival indices.
 */
export async function runner(log: Queue<string>, barrier: Barrier, rounds: Int32Array): Promise<void> {
  shared = { log, rounds };
  const name = currentThread().name;
  for (let r = 1; r <= ROUNDS; r++) {
    log.putNowait(`${name} arrives for round ${r}`);
    const index = await barrier.wait();
    rounds[1 + (r - 1) * PARTIES + index] = 1;
    log.putNowait(`${name} leaves round ${r}`);
  }
}

/**
 * Runs the scenario on `backend` and returns its output lines.
 *
 * @param backend The backend every thread and primitive is created on.
 * @returns The lines the scenario printed.
 */
export async function main(backend: BackendChoice = getDefaultBackend()): Promise<string[]> {
  const log = newLog(backend, getBackend(backend).name);
  const rounds = new Int32Array(new SharedArrayBuffer(4 * (1 + ROUNDS * PARTIES)));
  const barrier = new Barrier(PARTIES, { module: import.meta.url, export: "action" }, undefined, { backend });
  const threads = Array.from({ length: PARTIES }, (_, i) =>
    new Thread({
      target: { module: import.meta.url, export: "runner" },
      args: [log, barrier, rounds],
      name: `runner-${i + 1}`,
      backend,
    }));
  for (const t of threads) t.start();
  for (const t of threads) await t.join();
  for (let r = 1; r <= ROUNDS; r++) {
    const seen = rounds.subarray(1 + (r - 1) * PARTIES, 1 + r * PARTIES);
    const indices = [...seen.keys()].filter((i) => seen[i] === 1);
    log.putNowait(`round ${r} arrival indices: ${indices.join(" ")}`);
  }
  log.putNowait(`barrier: parties ${barrier.parties}, waiting ${barrier.nWaiting}, broken ${barrier.broken}`);
  return drain(log);
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(flag?.slice("--backend=".length) ?? "async")) console.log(line);
}
