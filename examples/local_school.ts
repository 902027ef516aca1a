/**
 * The seeds' `local_school`: one thread-local object, `localSchool`, whose
 * `student` attribute each thread sets and reads without seeing the other's,
 * and without a lock.
 *
 * Python:
 * ```py
 * local_school = threading.local()
 *
 * def process_student():
 *     std = local_school.student
 *     print('Hello, %s (in %s)' % (std, threading.current_thread().name))
 *
 * def process_thread(name):
 *     local_school.student = name
 *     process_student()
 *
 * t1 = threading.Thread(target=process_thread, args=('Alice',), name='Thread-A')
 * t2 = threading.Thread(target=process_thread, args=('Bob',), name='Thread-B')
 * ```
 *
 * Each thread awaits between binding its student and greeting, so the other
 * thread binds its own in between: the values are per thread, not per
 * moment. `localSchool` is a module-level global, as in Python; a Worker
 * (on `atomics`) has its own copy of the module, and a `Local` is per thread
 * in any case.
 *
 * Run it: `deno run -A examples/local_school.ts --backend=async`
 *
 * @module
 */
import { type BackendChoice, currentThread, getBackend, getDefaultBackend, Local, Thread } from "@locksmith/threading";
import type { Queue } from "@locksmith/threading/queue";
import { drain, newLog } from "./_log.ts";

const localSchool = new Local() as Local & { student?: string };

function processStudent(log: Queue<string>): void {
  const std = localSchool.student;
  log.putNowait(`Hello, ${std} (in ${currentThread().name})`);
}

/**
 * Python's `process_thread`: binds this thread's student, then greets.
 *
 * @param log Where lines go.
 * @param name The student.
 */
export async function processThread(log: Queue<string>, name: string): Promise<void> {
  localSchool.student = name;
  await null; // the other thread runs here and binds its own student
  processStudent(log);
}

/**
 * Runs the scenario on `backend` and returns its output lines.
 *
 * @param backend The backend every thread and primitive is created on.
 * @returns The lines the scenario printed.
 */
export async function main(backend: BackendChoice = getDefaultBackend()): Promise<string[]> {
  const log = newLog(backend, getBackend(backend).name);
  const target = { module: import.meta.url, export: "processThread" };
  const t1 = new Thread({ target, args: [log, "Alice"], name: "Thread-A", backend });
  const t2 = new Thread({ target, args: [log, "Bob"], name: "Thread-B", backend });
  t1.start();
  t2.start();
  await t1.join();
  await t2.join();
  log.putNowait(`in ${currentThread().name}, localSchool.student is ${localSchool.student}`);
  return drain(log);
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(flag?.slice("--backend=".length) ?? "async")) console.log(line);
}
