/**
 * The command line of `deno task compare`: parsing and checking it, with
 * clear errors for bad input.
 *
 * @module
 */

/** The parsed options. */
export interface CompareArgs {
  readonly workloads?: string[];
  readonly backends?: string[];
  readonly peers?: string[];
  readonly threads?: number[];
  readonly iterations?: number;
  readonly repetitions?: number;
  readonly durationS?: number;
  readonly quick: boolean;
  readonly json: boolean;
  readonly out?: string;
  readonly baseline?: string;
  readonly ratioTo?: string;
  readonly help: boolean;
}

/** The usage text. */
export const USAGE = `deno task compare [options]

Runs every workload on every backend and peer, interleaved, and prints medians, min-max ranges and ratios.

  --workloads a,b      workloads to run (default: all; see the list below)
  --backends a,b       library backends (default: async,cooperative,atomics)
  --peers a,b          peers and engines (listed below), or 'none' (default: every one available here)
  --threads 2,8,64     thread counts of the workloads that have them
  --iterations N       the unit of work per run, for every workload chosen
  --repetitions N      timed repetitions per cell (default 5; 2 with --quick)
  --duration S         about how long the whole run should take, in seconds (default 60; 5 with --quick)
  --quick              a few seconds: smaller work, 2 threads, 2 repetitions, no seeds unless named
  --ratio-to NAME      the contender ratios are taken to (default: async)
  --json               print the report as JSON instead of the table
  --out DIR            write report.json, report.md and one SVG chart per case into DIR (default: compare-report)
  --baseline OLD.json  mark what got slower or faster than in an older report
  --help               this text
`;

/** A command-line error: printed with the usage hint, exit code 2. */
export class UsageError extends Error {
  /** @param message What was wrong. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const FLAGS = new Set(["quick", "json", "help"]);
const VALUED = new Set([
  "workloads",
  "backends",
  "peers",
  "threads",
  "iterations",
  "repetitions",
  "duration",
  "out",
  "baseline",
  "ratio-to",
]);

/**
 * Parses the arguments.
 *
 * @param args The command line after the script.
 * @returns The options.
 * @throws {UsageError} On an unknown option, a missing value, or a bad number.
 */
export function parseCompareArgs(args: readonly string[]): CompareArgs {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--")) throw new UsageError(`Cannot parse arguments as '${arg}' is not an option`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (FLAGS.has(name)) {
      if (inline !== undefined) {
        throw new UsageError(`Cannot parse arguments as '--${name}' takes no value: received '${arg}'`);
      }
      flags.add(name);
    } else if (VALUED.has(name)) {
      const value = inline ?? args[++i];
      if (value === undefined || value === "") {
        throw new UsageError(`Cannot parse arguments as '--${name}' needs a value: received nothing`);
      }
      values.set(name, value);
    } else throw new UsageError(`Cannot parse arguments as '--${name}' is not an option (see --help)`);
  }
  const list = (name: string) => values.get(name)?.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const integer = (name: string) => {
    const text = values.get(name);
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) {
      throw new UsageError(`Cannot parse arguments as '--${name}' must be an integer >= 1: received '${text}'`);
    }
    return n;
  };
  const threads = list("threads")?.map((text) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) {
      throw new UsageError(`Cannot parse arguments as '--threads' must list integers >= 1: received '${text}'`);
    }
    return n;
  });
  const durationText = values.get("duration");
  let durationS: number | undefined;
  if (durationText !== undefined) {
    durationS = Number(durationText);
    if (!Number.isFinite(durationS) || durationS <= 0) {
      throw new UsageError(
        `Cannot parse arguments as '--duration' must be a number of seconds > 0: received '${durationText}'`,
      );
    }
  }
  return {
    workloads: list("workloads"),
    backends: list("backends"),
    peers: list("peers"),
    threads,
    iterations: integer("iterations"),
    repetitions: integer("repetitions"),
    durationS,
    quick: flags.has("quick"),
    json: flags.has("json"),
    out: values.get("out"),
    baseline: values.get("baseline"),
    ratioTo: values.get("ratio-to"),
    help: flags.has("help"),
  };
}
