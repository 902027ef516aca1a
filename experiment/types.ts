/**
 * The shapes an experiment is made of: workloads (what to run), contenders
 * (what runs them: a backend of this library, a peer library, a child
 * process, or an engine such as a distributed one) and the sessions in
 * which a contender times runs of one workload case.
 *
 * @module
 */
import type { ModuleTarget } from "../mod.ts";

/** The parameters of one workload case: a workload at one thread count. */
export interface CaseParams {
  /** Threads (or tasks) the case runs with. */
  readonly threads: number;
  /** The workload's unit of work per run (acquisitions, items, round trips...). */
  readonly iterations: number;
  /** Whether the experiment runs in quick mode (smaller work where the workload says so). */
  readonly quick: boolean;
}

/** What a run of a workload receives. */
export interface RunContext extends CaseParams {
  /** The library backend to run on (`"async"`, `"atomics"`, ...), or the peer's name. */
  readonly backend: string;
  /** The name of the contender (the column of the table). */
  readonly contender: string;
  /**
   * Marks the start of the timed part of the run, after its setup (say,
   * once its Workers are started and waiting). Not called: the run is timed
   * from its start.
   */
  startClock(): void;
  /** Marks the end of the timed part, before the run's teardown. Not called: timed to the end. */
  stopClock(): void;
}

/** One run of a workload: a function, or a module export that is called with the {@linkcode RunContext}. */
export type RunTarget = ((context: RunContext) => unknown) | ModuleTarget;

/** A workload: what every contender runs, and how its result is checked. */
export interface Workload {
  /** Its name in the matrix and on the command line: letters, digits and dashes. */
  readonly name: string;
  /** What one run does, for the report. */
  readonly title?: string;
  /** Run one case per thread count (default: one case with 1 thread). */
  readonly threads?: readonly number[];
  /** The unit of work per run (default 1). */
  readonly iterations?: number;
  /** Operations per run, to report time per operation (default: `iterations`). */
  readonly ops?: (params: CaseParams) => number;
  /** The run on a library backend; its return value goes to `check`. */
  readonly run?: RunTarget;
  /**
   * Checks one run's result: returns (or throws) what is wrong, or returns
   * nothing. A failed check makes the cell a failure, not a speed.
   */
  readonly check?: (result: unknown, params: CaseParams) => string | undefined | void;
  /** Backends that cannot run this workload, each with the reason (shown in the report). */
  readonly unsupported?: Readonly<Record<string, string>>;
  /**
   * Says why a backend cannot (or should not) run one case of this
   * workload, or returns nothing: a finer `unsupported`, by thread count.
   */
  readonly unavailable?: (backend: string, params: CaseParams) => string | undefined;
}

/** One case of the matrix: a workload at one thread count. */
export interface WorkloadCase extends CaseParams {
  /** `name` or `name/threads` when the workload has thread counts. */
  readonly id: string;
  /** The workload. */
  readonly workload: Workload;
  /** Operations per run. */
  readonly ops: number;
}

/** What a session measured in one sample. */
export interface SampleResult {
  /** Milliseconds in the timed parts of all the sample's runs. */
  readonly ms: number;
  /** What went wrong (a failed check, an exception): the cell is then a failure. */
  readonly problem?: string;
}

/** A contender's session for one case: it times runs of that case. */
export interface Session {
  /**
   * Runs the case `runs` times and says how long the timed parts took.
   *
   * @param runs How many runs.
   */
  sample(runs: number): Promise<SampleResult>;
  /** Ends the session (frees what `open` made). */
  close(): Promise<void>;
}

/** Thrown by {@linkcode Contender.open} when the contender cannot run a case (the cell says why). */
export class Unavailable extends Error {
  /**
   * Makes the error.
   *
   * @param reason Why the contender cannot run the case.
   */
  constructor(reason: string) {
    super(reason);
    this.name = "Unavailable";
  }
}

/** The kind of a contender, which colours and groups it in the report. */
export type ContenderKind = "backend" | "peer" | "engine";

/** Something that runs workloads: a backend, a peer library, a child process, an engine. */
export interface Contender {
  /** Its name: the column of the table. */
  readonly name: string;
  /** A backend of this library, another library (peer), or an engine. */
  readonly kind: ContenderKind;
  /** A version or a short description, for the report. */
  readonly note?: string;
  /**
   * Whether it implements a workload; a contender that does not gets no
   * cell for it (rather than an `n/a`).
   *
   * @param workload The workload.
   */
  implements(workload: Workload): boolean;
  /** Starts it (a child process, say) before its first case; throws {@linkcode Unavailable} if it cannot. */
  start?(): Promise<void>;
  /**
   * Opens a session for one case.
   *
   * @param workloadCase The case.
   * @throws {Unavailable} If it cannot run this case.
   */
  open(workloadCase: WorkloadCase): Promise<Session>;
  /** Stops it after its last case; returns a note for the report (how a child process ended, say). */
  stop?(): Promise<string | undefined>;
}
