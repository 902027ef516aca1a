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

const PARTIES = 3;
const ROUNDS = 2;

/**
 * Runs the scenario on `backend` and returns its output lines.
 *
 * @param backend The backend every thread and primitive is created on.
 * @returns The lines the scenario printed.
 */
export async function main(backend: BackendChoice = getDefaultBackend()): Promise<string[]> {
  const lines = [`backend: ${getBackend(backend).name}`];
  let round = 1;
  const indices: number[][] = Array.from({ length: ROUNDS }, () => []);

  function action(): void {
    lines.push(`action: all ${PARTIES} arrived for round ${round} (in ${currentThread().name})`);
    round++;
  }

  const barrier = new Barrier(PARTIES, action, undefined, { backend });

  async function runner(): Promise<void> {
    const name = currentThread().name;
    for (let r = 1; r <= ROUNDS; r++) {
      lines.push(`${name} arrives for round ${r}`);
      const index = await barrier.wait();
      indices[r - 1].push(index);
      lines.push(`${name} leaves round ${r}`);
    }
  }

  const threads = Array.from(
    { length: PARTIES },
    (_, i) => new Thread({ target: runner, name: `runner-${i + 1}`, backend }),
  );
  for (const t of threads) t.start();
  for (const t of threads) await t.join();
  for (let r = 1; r <= ROUNDS; r++) {
    lines.push(`round ${r} arrival indices: ${indices[r - 1].toSorted((a, b) => a - b).join(" ")}`);
  }
  lines.push(`barrier: parties ${barrier.parties}, waiting ${barrier.nWaiting}, broken ${barrier.broken}`);
  return lines;
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(flag?.slice("--backend=".length) ?? "async")) console.log(line);
}
