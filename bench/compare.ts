/**
 * `deno task compare`: the backend comparison. Runs the workloads of
 * `compare/_workloads.ts` on the library's backends, on the peers of
 * `compare/_peers.ts` (other libraries, a raw `Atomics` floor, V8's
 * `Atomics.Mutex`, CPython) and on the engines of `compare/_engines.ts`
 * (the `./distributed` primitives on `memory://` and on Redis),
 * interleaved, and prints a table of medians,
 * min-max ranges and per-repetition ratios; `--out DIR` writes the
 * reports and charts. `--help` lists the options.
 *
 * @module
 */
import {
  assertWritable,
  compareWithBaseline,
  type Contender,
  formatTable,
  parseReport,
  progressDisplay,
  runExperiment,
  type Workload,
  writeReport,
} from "@locksmith/threading/experiment";
import { type CompareArgs, parseCompareArgs, USAGE, UsageError } from "./compare/_args.ts";
import { workloads as allWorkloads } from "./compare/_workloads.ts";
import { hasPython, libraryPeers, pythonPeer, tooManyWorkers, v8MutexPeer } from "./compare/_peers.ts";
import { engines } from "./compare/_engines.ts";

const BACKENDS = ["async", "cooperative", "atomics"];
/** Where the reports go without --out. */
const DEFAULT_OUT = "compare-report";

/** The work per run in quick mode, by workload (the default is each workload's own). */
const QUICK_ITERATIONS: Record<string, number> = {
  "lock-uncontended": 500,
  "lock-contended": 256,
  "condition-ping-pong": 100,
  "semaphore-limit": 256,
  "queue-producer-consumer": 400,
  "barrier-phases": 40,
  "pool-map-cpu": 40,
  "seeds": 1,
};

/**
 * Above this many threads, a default run leaves Worker-based cells out, with the reason: starting
 * 64 Workers takes seconds per run on a 2-core machine. Naming the counts with --threads runs them.
 */
const DEFAULT_WORKER_LIMIT = 16;

/** Every peer and engine this machine can offer, by name (CPython only when `python3` runs). */
async function availablePeers(workerLimit = Infinity): Promise<Map<string, () => Contender>> {
  const peers = new Map<string, () => Contender>();
  for (const peer of libraryPeers(workerLimit)) peers.set(peer.name, () => peer);
  peers.set("v8-atomics-mutex", v8MutexPeer);
  if (await hasPython()) peers.set("cpython", pythonPeer);
  for (const engine of engines()) peers.set(engine.name, () => engine);
  return peers;
}

function pick<T>(kind: string, asked: string[] | undefined, known: Map<string, T>): T[] {
  if (asked === undefined) return [...known.values()];
  return asked.map((name) => {
    const found = known.get(name);
    if (found === undefined) {
      throw new UsageError(
        `Cannot run compare as '--${kind}' names an unknown ${kind.slice(0, -1)}: received '${name}' (known: ${
          [...known.keys()].join(", ")
        })`,
      );
    }
    return found;
  });
}

/** Runs the comparison as the command line says; returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let options: CompareArgs;
  try {
    options = parseCompareArgs(args);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    console.log(USAGE);
    console.log(`workloads: ${allWorkloads.map((w) => w.name).join(", ")}`);
    const here = [...(await availablePeers()).values()].map((make) => make());
    console.log(`peers here: ${here.filter((c) => c.kind === "peer").map((c) => c.name).join(", ")}`);
    console.log(`engines: ${here.filter((c) => c.kind === "engine").map((c) => c.name).join(", ")}`);
    return 0;
  }
  try {
    // --quick leaves out the seeds (a run starts some 40 Workers on atomics) unless they are named.
    const byName = new Map(allWorkloads.map((w) => [w.name, w]));
    const workloads = pick(
      "workloads",
      options.workloads ?? (options.quick ? [...byName.keys()].filter((name) => name !== "seeds") : undefined),
      byName,
    );
    const backends = pick("backends", options.backends, new Map(BACKENDS.map((b) => [b, b])));
    const workerLimit = options.threads === undefined ? DEFAULT_WORKER_LIMIT : Infinity;
    const peerFactories = await availablePeers(workerLimit);
    const peers = options.peers?.length === 1 && options.peers[0] === "none"
      ? []
      : pick("peers", options.peers, peerFactories).map((make) => make());
    let baseline;
    if (options.baseline !== undefined) {
      let text: string;
      try {
        text = await Deno.readTextFile(options.baseline);
      } catch (error) {
        throw new UsageError(`Cannot read baseline '${options.baseline}': ${(error as Error).message}`);
      }
      try {
        baseline = parseReport(text, options.baseline);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
    const out = options.out ?? DEFAULT_OUT;
    try {
      await assertWritable(out);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const quick = options.quick;
    const repetitions = options.repetitions ?? (quick ? 2 : 5);
    const durationMs = (options.durationS ?? (quick ? 5 : 60)) * 1000;
    const chosen: Workload[] = workloads.map((w) => ({
      ...w,
      ...(quick && options.iterations === undefined && QUICK_ITERATIONS[w.name] !== undefined
        ? { iterations: QUICK_ITERATIONS[w.name] }
        : {}),
      ...(quick && w.threads ? { threads: [2] } : {}),
      // Backends whose threads are Workers leave the largest thread counts to an explicit --threads.
      unavailable: (backend: string, params: { threads: number }) =>
        backend === "atomics" && params.threads > workerLimit ? tooManyWorkers(params.threads, workerLimit) : undefined,
    }));
    // Spread the time over the cells: each takes a warm-up and `repetitions` samples.
    const cases = chosen.reduce((n, w) => n + (options.threads ?? w.threads ?? [1]).length, 0);
    const contenders = backends.length + peers.length;
    const sampleMs = Math.max(2, durationMs / (cases * contenders * (repetitions + 1)));
    const progress = progressDisplay();
    const ratioTo = options.ratioTo ?? (backends.includes("async") ? "async" : undefined);
    const report = await runExperiment({
      workloads: chosen,
      backends,
      peers,
      threads: options.threads,
      iterations: options.iterations,
      repetitions,
      sampleMs,
      warmUpMs: Math.min(200, sampleMs),
      baseline: ratioTo,
      quick,
      command: ["deno", "task", "compare", ...args],
      onProgress: (event) => progress.report(event),
    }).catch((error) => {
      throw error instanceof RangeError ? new UsageError(error.message) : error;
    }).finally(() => progress.finish());
    const verdicts = baseline ? compareWithBaseline(report, baseline) : undefined;
    if (options.json) console.log(JSON.stringify(report, null, 2));
    else {
      console.log(formatTable(report, { verdicts }));
      if (verdicts) console.log(`\nvs ${options.baseline}: slower/faster only when the min-max ranges do not overlap`);
    }
    const written = await writeReport(report, out, {
      baseline: verdicts ? { source: options.baseline!, verdicts } : undefined,
    });
    console.error(`wrote ${written.json}, ${written.markdown} and ${written.charts.size} charts`);
    const failed = report.cases.flatMap((c) =>
      c.cells.filter((cell) => cell.status === "failed").map((cell) => `${c.id} on ${cell.contender}`)
    );
    if (failed.length > 0) {
      console.error(`\n${failed.length} cell(s) failed their check: ${failed.join(", ")}`);
      return 1;
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
