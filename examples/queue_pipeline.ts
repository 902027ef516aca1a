/**
 * A pipeline through queues: a producer puts jobs on a bounded queue,
 * three workers take them, square them and put the results on a second
 * queue, and a consumer collects the results. Every `get` is matched by a
 * `taskDone`, so `join()` tells the producer when every job has been
 * processed; `null` tells a thread to stop (Python's sentinel idiom).
 *
 * Python:
 * ```py
 * jobs, results = queue.Queue(3), queue.Queue()
 * def worker():
 *     while (n := jobs.get()) is not None:
 *         results.put((n, n * n, threading.current_thread().name))
 *         jobs.task_done()
 *     jobs.task_done()
 * ```
 *
 * The threads are named by module reference and the queues passed to them,
 * so the same code runs on every backend: on `atomics` the five threads are
 * Workers and the queues move their items through shared memory.
 *
 * Run it: `deno run -A examples/queue_pipeline.ts --backend=async`
 *
 * @module
 */
import { type BackendChoice, currentThread, getBackend, getDefaultBackend, sleep, Thread } from "@locksmith/threading";
import { Queue } from "@locksmith/threading/queue";
import { drain, newLog } from "./_log.ts";

const JOBS = 10;
const WORKERS = 3;

type Result = [number, number, string];

/**
 * The producer: puts the jobs on the bounded queue.
 *
 * @param log Where lines go.
 * @param jobs The jobs queue.
 */
export async function produce(log: Queue<string>, jobs: Queue<number | null>): Promise<void> {
  for (let n = 1; n <= JOBS; n++) await jobs.put(n);
  log.putNowait(`producer: put ${JOBS} jobs on a queue of maxsize ${jobs.maxsize}`);
}

/**
 * A worker: squares jobs until it gets the sentinel `null`.
 *
 * @param log Where lines go.
 * @param jobs The jobs queue.
 * @param results The results queue.
 * @param backend The backend to sleep on.
 */
export async function work(
  log: Queue<string>,
  jobs: Queue<number | null>,
  results: Queue<Result | null>,
  backend: string,
): Promise<void> {
  let processed = 0;
  for (let n = await jobs.get(); n !== null; n = await jobs.get()) {
    await sleep(n % 3, { backend }); // some jobs take longer
    await results.put([n, n * n, currentThread().name]);
    jobs.taskDone();
    processed++;
  }
  jobs.taskDone(); // for the sentinel
  log.putNowait(`${currentThread().name}: processed ${processed} jobs`);
}

/**
 * The consumer: collects results until the sentinel.
 *
 * @param log Where lines go.
 * @param results The results queue.
 */
export async function consume(log: Queue<string>, results: Queue<Result | null>): Promise<void> {
  const got: Result[] = [];
  for (let r = await results.get(); r !== null; r = await results.get()) {
    got.push(r);
    results.taskDone();
  }
  results.taskDone();
  got.sort((a, b) => a[0] - b[0]);
  log.putNowait(`consumer: ${got.length} results: ${got.map(([n, square]) => `${n}²=${square}`).join(" ")}`);
}

/**
 * Runs the pipeline on `backend` and returns its output lines.
 *
 * @param backend The backend of every thread and queue.
 * @returns The lines the pipeline printed.
 */
export async function main(backend: BackendChoice = getDefaultBackend()): Promise<string[]> {
  const name = getBackend(backend).name;
  const log = newLog(backend, name);
  const jobs = new Queue<number | null>(3, { backend }); // bounded: the producer waits for room
  const results = new Queue<Result | null>(0, { backend });
  const thread = (exportName: string, threadName: string, args: unknown[]) =>
    new Thread({ target: { module: import.meta.url, export: exportName }, name: threadName, args, backend });

  const producer = thread("produce", "producer", [log, jobs]);
  const workers = Array.from(
    { length: WORKERS },
    (_, i) => thread("work", `worker-${i + 1}`, [log, jobs, results, name]),
  );
  const consumer = thread("consume", "consumer", [log, results]);
  for (const t of [producer, ...workers, consumer]) t.start();

  await producer.join();
  await jobs.join(); // every job got and marked done
  log.putNowait(`jobs.join() returned: ${jobs.unfinishedTasks} unfinished tasks`);
  for (let i = 0; i < WORKERS; i++) await jobs.put(null);
  for (const w of workers) await w.join();
  await results.put(null);
  await results.join();
  await consumer.join();
  log.putNowait("results.join() returned: the consumer saw everything");
  return drain(log);
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(flag?.slice("--backend=".length) ?? "async")) console.log(line);
}
