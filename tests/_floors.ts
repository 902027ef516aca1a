/**
 * The house rules of the library's module graph, as a checker that the
 * floors test runs on the real graph (`deno info --json`) and on small
 * made-up graphs (to show that it fails when a rule is broken).
 *
 * 1. Every library module lives on a floor (a top-level folder, or the
 *    root entry module); floors are ranked, and a module imports only from
 *    its own folder or from a floor of a lower rank.
 * 2. A file whose name starts with `_` is private to its folder: only
 *    modules in that folder (or below it) import it. So nothing outside a
 *    backend imports that backend's private files.
 * 3. There is no import cycle (type-only imports included).
 *
 * @module
 */

/** The floors, bottom up: a module may import from a floor of lower rank. */
export const FLOORS: Readonly<Record<string, number>> = {
  "runtime": 0, // errors, SystemExit, current thread, pending waits, interrupts, error transfer, wait parsing
  "backends": 1, // the seam and the three backends
  "primitives": 2, // Lock, RLock, Condition, Semaphore, Event, Barrier, Thread, Timer, ...
  "queue": 3, // ./queue
  "_thread": 3, // ./_thread
  "pools": 4, // the pool engine: Pool, its transports, AsyncResult
  "multiprocessing": 5, // ./multiprocessing and ./multiprocessing/dummy
  "futures": 5, // ./futures
  "workers": 6, // the modules a Worker starts in
  "explore": 7, // the schedule explorer, a tool over the library
  "mod.ts": 8, // the root entry point
  "experiment": 9, // ./experiment: the backend comparison API, over the public API
  "distributed": 9, // ./distributed: primitives by name on Redis or memory://, over the public API
};

/** One import: `from` imports `to` (both paths relative to the repository root). */
export interface Edge {
  readonly from: string;
  readonly to: string;
}

/** The floor a module is on: its top-level folder, or the root file itself. */
export function floorOf(path: string): string {
  const slash = path.indexOf("/");
  return slash < 0 ? path : path.slice(0, slash);
}

/**
 * Every broken rule in a graph, one line each, naming the offending import.
 *
 * @param modules The library's modules (repository-relative paths).
 * @param edges Their imports among themselves.
 * @param floors The floors and their ranks.
 */
export function floorViolations(
  modules: readonly string[],
  edges: readonly Edge[],
  floors: Readonly<Record<string, number>> = FLOORS,
): string[] {
  const problems: string[] = [];
  for (const m of modules) {
    if (!(floorOf(m) in floors)) problems.push(`${m} is on no floor: add '${floorOf(m)}' to FLOORS with its rank`);
  }
  for (const { from, to } of edges) {
    const a = floorOf(from);
    const b = floorOf(to);
    if (!(a in floors) || !(b in floors)) continue;
    if (a !== b && floors[b] >= floors[a]) {
      problems.push(
        `${from} imports ${to}: floor '${b}' (rank ${floors[b]}) is not below floor '${a}' (rank ${floors[a]})`,
      );
    }
    const name = to.slice(to.lastIndexOf("/") + 1);
    const dir = to.slice(0, to.lastIndexOf("/") + 1);
    if (name.startsWith("_") && !from.startsWith(dir)) {
      problems.push(`${from} imports ${to}: a file whose name starts with '_' is private to ${dir || "the root"}`);
    }
  }
  for (const cycle of cycles(modules, edges)) problems.push(`import cycle: ${cycle.join(" -> ")}`);
  return problems;
}

/** The import cycles of a graph: each strongly connected component of two or more modules (or a self-import). */
export function cycles(modules: readonly string[], edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>(modules.map((m) => [m, []]));
  for (const { from, to } of edges) {
    if (!next.has(from)) next.set(from, []);
    next.get(from)!.push(to);
    if (!next.has(to)) next.set(to, []);
  }
  // Tarjan's algorithm, iteratively (the graph is small, but recursion depth is not ours to choose).
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  let counter = 0;
  for (const root of next.keys()) {
    if (index.has(root)) continue;
    const work: [string, number][] = [[root, 0]];
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const [v, i] = frame;
      if (i === 0) {
        index.set(v, counter);
        low.set(v, counter++);
        stack.push(v);
        onStack.add(v);
      }
      const out = next.get(v)!;
      if (i < out.length) {
        frame[1]++;
        const w = out[i];
        if (!index.has(w)) work.push([w, 0]);
        else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        if (component.length > 1 || out.includes(v)) found.push(component.reverse());
      }
    }
  }
  return found;
}
