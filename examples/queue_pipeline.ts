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
 * Run it: `deno run -A examples/queue_pipeline.ts --backend=async`
 *
 * @module
 */
import { type BackendChoice, currentThread, getBackend, getDefaultBackend, sleep, Thread } from "@locksmith/threading";
import { Queue } from "@locksmith/threading/queue";

const JOBS = 10;
const WORKERS = 3;

/**
 * Runs the pipeline on `backend` and returns its output lines.
 *
 * @param backend The backend of every thread and queue.
 * @returns The lines the pipeline printed.
 */
export async function main(backend: BackendChoice = getDefaultBackend()): Promise<string[]> {
  const lines = [`backend: ${getBackend(backend).name}`];
  const jobs = new Queue<number | null>(3, { backend }); // bounded: the producer waits for room
  const results = new Queue<[number, number, string] | null>(0, { backend });

  async function produce(): Promise<void> {
    for (let n = 1; n <= JOBS; n++) await jobs.put(n);
    lines.push(`producer: put ${JOBS} jobs on a queue of maxsize ${jobs.maxsize}`);
  }

  async function work(): Promise<void> {
    let processed = 0;
    for (let n = await jobs.get(); n !== null; n = await jobs.get()) {
      await sleep(n % 3, { backend }); // some jobs take longer
      await results.put([n, n * n, currentThread().name]);
      jobs.taskDone();
      processed++;
    }
    jobs.taskDone(); // for the sentinel
    lines.push(`${currentThread().name}: processed ${processed} jobs`);
  }

  async function consume(): Promise<void> {
    const got: [number, number, string][] = [];
    for (let r = await results.get(); r !== null; r = await results.get()) {
      got.push(r);
      results.taskDone();
    }
    results.taskDone();
    got.sort((a, b) => a[0] - b[0]);
    lines.push(`consumer: ${got.length} results: ${got.map(([n, square]) => `${n}²=${square}`).join(" ")}`);
  }

  const producer = new Thread({ target: produce, name: "producer", backend });
  const workers = Array.from(
    { length: WORKERS },
    (_, i) => new Thread({ target: work, name: `worker-${i + 1}`, backend }),
  );
  const consumer = new Thread({ target: consume, name: "consumer", backend });
  for (const t of [producer, ...workers, consumer]) t.start();

  await producer.join();
  await jobs.join(); // every job got and marked done
  lines.push(`jobs.join() returned: ${jobs.unfinishedTasks} unfinished tasks`);
  for (let i = 0; i < WORKERS; i++) await jobs.put(null);
  for (const w of workers) await w.join();
  await results.put(null);
  await results.join();
  await consumer.join();
  lines.push("results.join() returned: the consumer saw everything");
  return lines;
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(flag?.slice("--backend=".length) ?? "async")) console.log(line);
}
