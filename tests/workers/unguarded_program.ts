/**
 * A program whose top-level code is NOT guarded by `import.meta.main`, the
 * mistake Python refuses under spawn: a Worker that imports this module to
 * find its target runs that code again, and would start a Worker of its own,
 * and so on without end. `thread`, `process` or `pool` says what the
 * top-level code starts.
 *
 * @module
 */
import { Thread } from "@locksmith/threading";
import { Pool, Process } from "@locksmith/threading/multiprocessing";

/** The target. */
export function work(): void {
  console.log("work ran");
}

/** A pool's function. */
export function square(x: number): number {
  return x * x;
}

const target = { module: import.meta.url, export: "work" };
const mode = Deno.args[0];
// In a Worker that imports this module, each start below is refused (RuntimeError), and the import fails.
if (mode === "thread") {
  const thread = new Thread({ backend: "atomics", target });
  thread.start();
  await thread.join();
} else if (mode === "process") {
  const process = new Process({ target });
  process.start();
  await process.join();
  console.log(`exitcode ${process.exitcode}`);
} else {
  await using pool = new Pool(1);
  try {
    console.log(await pool.map({ module: import.meta.url, export: "square" }, [1, 2, 3]));
  } catch (error) {
    console.log(`main caught ${(error as Error).name}: ${(error as Error).message}`);
  }
}
console.log("main done");
