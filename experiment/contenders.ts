/**
 * Contenders that run in this process: the library's backends, and peers
 * given as functions (another library's version of a workload).
 *
 * @module
 */
import { getExcepthook, runningThreads, setExcepthook } from "../mod.ts";
import type { ModuleTarget } from "../mod.ts";
import type { Contender, ContenderKind, RunContext, RunTarget, Session, Workload, WorkloadCase } from "./types.ts";
import { Unavailable } from "./types.ts";

/**
 * The library's backend `name` as a contender: it runs each workload's
 * `run` with `backend` set to `name`. A workload that lists the backend in
 * `unsupported` gets an unavailable cell with its reason.
 *
 * @param name A registered backend name.
 * @returns The contender.
 *
 * @example A backend as a contender
 * ```ts
 * import { backendContender } from "@locksmith/threading/experiment";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(backendContender("async").kind, "backend");
 * ```
 */
export function backendContender(name: string): Contender {
  return {
    name,
    kind: "backend",
    implements: (workload) => workload.run !== undefined,
    open(workloadCase) {
      const reason = workloadCase.workload.unsupported?.[name] ??
        workloadCase.workload.unavailable?.(name, workloadCase);
      if (reason !== undefined) return Promise.reject(new Unavailable(reason));
      return Promise.resolve(inProcessSession(workloadCase, name, name, workloadCase.workload.run!));
    },
  };
}

/** How {@linkcode functionPeer} describes a peer. */
export interface FunctionPeerOptions {
  /** The peer's name: the column of the table. */
  readonly name: string;
  /** Its version or a short description. */
  readonly note?: string;
  /**
   * `"peer"` (default): another library's version of the workloads; `"engine"`: the workloads
   * run on something other than a backend of this process (a server the primitives live on, say).
   */
  readonly kind?: Exclude<ContenderKind, "backend">;
  /** Its version of each workload it implements, by workload name. */
  readonly runs: Readonly<Record<string, RunTarget>>;
  /** Workloads it implements but cannot run at some thread counts: return the reason, or nothing. */
  readonly unavailable?: (workloadCase: WorkloadCase) => string | undefined;
}

/**
 * A peer whose workloads are functions run in this process (say, the same
 * workload written with another library). Its runs are checked by the
 * workload's `check`, as the backends' are.
 *
 * @param options The peer's name, note, kind and runs.
 * @returns The contender.
 * @throws {TypeError} If `kind` is neither `"peer"` nor `"engine"`.
 *
 * @example A peer with its own version of a workload
 * ```ts
 * import { functionPeer } from "@locksmith/threading/experiment";
 * import { assertEquals } from "@std/assert";
 *
 * const peer = functionPeer({ name: "plain loop", runs: { count: () => 1000 } });
 * assertEquals(peer.kind, "peer");
 * assertEquals(peer.implements({ name: "count" }), true);
 * assertEquals(peer.implements({ name: "other" }), false);
 * ```
 *
 * @example An engine: the same workload on something other than a backend
 * ```ts
 * import { functionPeer } from "@locksmith/threading/experiment";
 * import { assertEquals } from "@std/assert";
 *
 * const engine = functionPeer({ name: "remote counter", kind: "engine", runs: { count: () => 1000 } });
 * assertEquals(engine.kind, "engine");
 * ```
 */
export function functionPeer(options: FunctionPeerOptions): Contender {
  const { name, note, kind = "peer", runs, unavailable } = options;
  if (kind !== "peer" && kind !== "engine") {
    throw new TypeError(`Cannot make peer '${name}' as 'kind' must be "peer" or "engine": received ${String(kind)}`);
  }
  return {
    name,
    kind,
    note,
    implements: (workload: Workload) => Object.hasOwn(runs, workload.name),
    open(workloadCase) {
      const reason = unavailable?.(workloadCase);
      if (reason !== undefined) return Promise.reject(new Unavailable(reason));
      return Promise.resolve(inProcessSession(workloadCase, name, name, runs[workloadCase.workload.name]));
    },
  };
}

/** A session that calls `target` in this process and times its clocked part. */
function inProcessSession(workloadCase: WorkloadCase, contender: string, backend: string, target: RunTarget): Session {
  let fn: ((context: RunContext) => unknown) | undefined = typeof target === "function" ? target : undefined;
  return {
    async sample(runs) {
      fn ??= await importTarget(target as ModuleTarget);
      let ms = 0;
      for (let i = 0; i < runs; i++) {
        const { elapsed, problem } = await timeRun(fn, workloadCase, contender, backend);
        if (problem !== undefined) return { ms: ms + elapsed, problem };
        ms += elapsed;
      }
      return { ms };
    },
    close: () => Promise.resolve(),
  };
}

async function importTarget(target: ModuleTarget): Promise<(context: RunContext) => unknown> {
  const module = await import(String(target.module));
  const fn = module[target.export];
  if (typeof fn !== "function") {
    throw new TypeError(
      `Cannot run workload as '${target.export}' of ${String(target.module)} is not a function: received ${typeof fn}`,
    );
  }
  return fn;
}

/** Runs once; checks the result, escaped exceptions and threads left running. */
async function timeRun(
  fn: (context: RunContext) => unknown,
  workloadCase: WorkloadCase,
  contender: string,
  backend: string,
): Promise<{ elapsed: number; problem?: string }> {
  let start = NaN;
  let stop = NaN;
  const context: RunContext = {
    threads: workloadCase.threads,
    iterations: workloadCase.iterations,
    quick: workloadCase.quick,
    backend,
    contender,
    startClock: () => void (start = performance.now()),
    stopClock: () => void (stop = performance.now()),
  };
  const escaped: string[] = [];
  const previousHook = getExcepthook();
  setExcepthook(({ excValue, thread }) => escaped.push(`${thread?.name ?? "a thread"}: ${describeError(excValue)}`));
  const threadsBefore = runningThreads().length;
  const began = performance.now();
  let result: unknown;
  try {
    result = await fn(context);
  } catch (error) {
    return { elapsed: 0, problem: describeError(error) };
  } finally {
    setExcepthook(previousHook);
  }
  const ended = performance.now();
  const elapsed = (Number.isNaN(stop) ? ended : stop) - (Number.isNaN(start) ? began : start);
  if (escaped.length > 0) return { elapsed, problem: `exception in thread ${escaped[0]}` };
  const left = runningThreads().slice(threadsBefore);
  if (left.length > 0) return { elapsed, problem: `threads left running: ${left.join(", ")}` };
  try {
    const problem = workloadCase.workload.check?.(result, workloadCase);
    return typeof problem === "string" ? { elapsed, problem } : { elapsed };
  } catch (error) {
    return { elapsed, problem: describeError(error) };
  }
}

/**
 * Describes an error in one line: `Name: message`.
 *
 * @param error Anything thrown.
 * @returns The line.
 */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
