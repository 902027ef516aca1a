/**
 * "Which backend suits my workload?": a workload of your own, timed on
 * every backend with the experiment API (`@locksmith/threading/experiment`,
 * the engine behind `deno task compare`).
 *
 * The workload: 4 threads make random transfers between 8 bank accounts,
 * each transfer under the locks of its two accounts (taken in a fixed
 * order, so two transfers never wait for each other in a cycle). The
 * accounts live in a `SharedArrayBuffer` and the locks are passed to the
 * threads as arguments, and the thread body is exported and named by
 * module reference, so the same code runs on every backend: in Workers on
 * `atomics`, in this isolate on `async` and `cooperative`. Every run is
 * checked: the money in the bank must not change.
 *
 * Run it: `deno run -A examples/compare_my_workload.ts`
 *
 * @module
 */
import { Barrier, Lock, Thread } from "@locksmith/threading";
import { formatTable, type RunContext, runExperiment } from "@locksmith/threading/experiment";

const ACCOUNTS = 8;
const THREADS = 4;
const START_BALANCE = 1000;

/**
 * One teller (runs in a Worker on `atomics`): `transfers` transfers
 * between pseudo-random accounts, each under both accounts' locks.
 *
 * @param ready Every teller and the timer meet here before the clock starts.
 * @param locks One lock per account.
 * @param balances The accounts, in shared memory.
 * @param seed Seeds this teller's choice of accounts.
 * @param transfers How many transfers.
 */
export async function teller(
  ready: Barrier,
  locks: Lock[],
  balances: Int32Array,
  seed: number,
  transfers: number,
): Promise<void> {
  await ready.wait();
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) % ACCOUNTS;
  for (let i = 0; i < transfers; i++) {
    const from = next();
    const to = (from + 1 + (next() % (ACCOUNTS - 1))) % ACCOUNTS;
    const [first, second] = from < to ? [from, to] : [to, from];
    await locks[first].acquire();
    await locks[second].acquire();
    const amount = 1 + (i % 7);
    const read = balances[from];
    await null; // another teller may run here: the locks keep it off these two accounts
    balances[from] = read - amount;
    balances[to] = balances[to] + amount;
    locks[second].release();
    locks[first].release();
  }
}

/**
 * The workload's run, on the backend the experiment gives it.
 *
 * @param context The backend, the number of transfers per teller, and the clock.
 * @returns The money in the bank after the run.
 */
export async function transfers(context: RunContext): Promise<number> {
  const { backend } = context;
  const locks = Array.from({ length: ACCOUNTS }, () => new Lock({ backend }));
  const balances = new Int32Array(new SharedArrayBuffer(4 * ACCOUNTS)).fill(START_BALANCE);
  const ready = new Barrier(THREADS + 1, null, null, { backend });
  const tellers = Array.from({ length: THREADS }, (_, i) =>
    new Thread({
      backend,
      name: `teller-${i + 1}`,
      target: { module: import.meta.url, export: "teller" },
      args: [ready, locks, balances, i + 1, context.iterations],
    }));
  for (const t of tellers) t.start();
  await ready.wait(); // every teller has started (on atomics, every Worker has loaded)
  context.startClock();
  for (const t of tellers) await t.join();
  context.stopClock();
  return balances.reduce((a, b) => a + b, 0);
}

/**
 * Times the workload on each backend and returns the table's lines.
 *
 * @param backends The backends to compare (default: all three).
 * @returns `backend: <names>`, then the table.
 */
export async function main(backends: string[] = ["async", "cooperative", "atomics"]): Promise<string[]> {
  const report = await runExperiment({
    workloads: [{
      name: "my-transfers",
      title: `${THREADS} threads x N transfers between ${ACCOUNTS} accounts, each under two Locks`,
      iterations: 200,
      ops: ({ iterations }) => THREADS * iterations,
      run: { module: import.meta.url, export: "transfers" },
      check: (total) =>
        total === ACCOUNTS * START_BALANCE ? undefined : `the bank holds ${total}, not ${ACCOUNTS * START_BALANCE}`,
    }],
    backends,
    repetitions: 3,
    sampleMs: 20,
    warmUpMs: 20,
  });
  return [`backend: ${backends.join(", ")}`, ...formatTable(report).split("\n")];
}

if (import.meta.main) {
  for (const line of await main()) console.log(line);
}
