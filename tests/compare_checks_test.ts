// The compare workloads' correctness checks ("a lock workload that loses an increment, a queue that
// loses an item, is reported as a failure, not a speed"): deliberately broken contenders (a lock
// whose acquire does not exclude, queues that lose an item, a semaphore that does not limit) run the
// workloads of bench/compare/_workloads.ts beside the library's backends and working peers, through
// the experiment API; each broken cell is a failure with its reason and no speed or ratio, and every
// other cell is measured as usual. No timing is asserted.
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { XMLValidator } from "fast-xml-parser";
import {
  type CellReport,
  escapeXml,
  formatTable,
  functionPeer,
  renderChart,
  type Report,
  runExperiment,
  type Workload,
} from "@locksmith/threading/experiment";
import { type Counted, perThread, tasks, workloads } from "../bench/compare/_workloads.ts";
import { libraryPeers } from "../bench/compare/_peers.ts";
import { engines } from "../bench/compare/_engines.ts";

const REPETITIONS = 2;
const ITERATIONS = 64;
const JOBS = 16;

function workload(name: string): Workload {
  const found = workloads.find((w) => w.name === name);
  if (found === undefined) throw new Error(`no workload '${name}' in bench/compare/_workloads.ts`);
  return found;
}

/** A "lock" whose acquire never waits: it excludes nobody. */
class NonExcludingLock {
  acquire(): Promise<void> {
    return Promise.resolve();
  }
  release(): void {}
}

/**
 * A bounded FIFO queue of numbers, as a peer would write one, that can be told to lose the item
 * `lose` when it is put, and to deliver the item `twice` twice. Every wait is bounded by the
 * producer: `get` resolves `undefined` once the producer has closed the queue and it is empty.
 */
class FaultyQueue {
  #items: number[] = [];
  #closed = false;
  #wakeGet: (() => void)[] = [];
  #wakePut: (() => void)[] = [];
  constructor(readonly size: number, readonly faults: { lose?: number; twice?: number }) {}
  async put(item: number): Promise<void> {
    while (this.#items.length >= this.size) await new Promise<void>((wake) => this.#wakePut.push(wake));
    if (item === this.faults.lose) return;
    this.#items.push(item);
    if (item === this.faults.twice) this.#items.push(item);
    this.#wakeGet.shift()?.();
  }
  close(): void {
    this.#closed = true;
    for (const wake of this.#wakeGet.splice(0)) wake();
  }
  async get(): Promise<number | undefined> {
    while (this.#items.length === 0) {
      if (this.#closed) return undefined;
      await new Promise<void>((wake) => this.#wakeGet.push(wake));
    }
    const item = this.#items.shift()!;
    this.#wakePut.shift()?.();
    return item;
  }
}

/** The queue workload's run on a {@linkcode FaultyQueue}: the consumer counts and sums what it gets. */
function faultyQueueRun(faults: { lose?: number; twice?: number }) {
  return async ({ iterations: n }: { iterations: number }) => {
    const queue = new FaultyQueue(16, faults);
    const totals = [0, 0];
    await Promise.all([
      (async () => {
        for (let i = 1; i <= n; i++) await queue.put(i);
        queue.close();
      })(),
      (async () => {
        for (let item = await queue.get(); item !== undefined; item = await queue.get()) {
          totals[0]++;
          totals[1] = (totals[1] + item) % 0x7fffffff;
        }
      })(),
    ]);
    return { totals, n };
  };
}

/** The broken contenders, each implementing the workloads it breaks. */
const broken = [
  functionPeer({
    name: "broken-lock",
    note: "a lock whose acquire does not exclude",
    runs: {
      // The contended loop of bench/compare/_bodies.ts (read, await, write), on the broken lock.
      "lock-contended": async (context) => {
        const lock = new NonExcludingLock();
        const n = perThread(context);
        let counter = 0;
        await tasks(context.threads, async () => {
          for (let i = 0; i < n; i++) {
            await lock.acquire();
            const read = counter;
            await null;
            counter = read + 1;
            lock.release();
          }
        });
        return { got: counter, expected: n * context.threads, what: "counter" } satisfies Counted;
      },
      // Take a "permit", count the jobs that hold one, await, give it back: nobody is held back.
      "semaphore-limit": async ({ iterations }) => {
        const permits = new NonExcludingLock();
        const n = Math.max(1, Math.floor(iterations / JOBS));
        let active = 0, highest = 0, passes = 0;
        await tasks(JOBS, async () => {
          for (let i = 0; i < n; i++) {
            await permits.acquire();
            highest = Math.max(highest, ++active);
            await null;
            active--;
            passes++;
            permits.release();
          }
        });
        return { passes, expected: n * JOBS, highest };
      },
    },
  }),
  functionPeer({
    name: "lossy-queue",
    note: "a queue that loses the item 7",
    runs: { "queue-producer-consumer": faultyQueueRun({ lose: 7 }) },
  }),
  functionPeer({
    name: "swapping-queue",
    note: "a queue that loses the item 7 and delivers the item 9 twice (the count is right, the sum is not)",
    runs: { "queue-producer-consumer": faultyQueueRun({ lose: 7, twice: 9 }) },
  }),
  // The same faulty queue with no fault: the faults, not the queue's shape, fail the cells above.
  functionPeer({
    name: "faulty-queue-without-faults",
    runs: { "queue-producer-consumer": faultyQueueRun({}) },
  }),
];

/** The experiment every test here reads: the broken contenders beside working ones. */
let shared: Promise<Report> | undefined;
function experiment(): Promise<Report> {
  shared ??= runExperiment({
    workloads: ["lock-contended", "semaphore-limit", "queue-producer-consumer"].map(workload),
    backends: ["async", "cooperative"],
    peers: [
      ...libraryPeers().filter((p) => p.name === "async-mutex"),
      ...engines().filter((e) => e.name === "distributed-memory"),
      ...broken,
    ],
    threads: [2],
    iterations: ITERATIONS,
    repetitions: REPETITIONS,
    sampleMs: 1,
    warmUpMs: 0,
    baseline: "async",
  });
  return shared;
}

function cellOf(report: Report, caseId: string, contender: string): CellReport {
  const cell = report.cases.find((c) => c.id === caseId)?.cells.find((c) => c.contender === contender);
  if (cell === undefined) throw new Error(`no cell for ${caseId} on ${contender}`);
  return cell;
}

/** A failed cell: the reason, and no speed or ratio. */
function assertFailed(cell: CellReport, reason: RegExp): void {
  const where = `${cell.contender}: ${JSON.stringify(cell)}`;
  assertEquals(cell.status, "failed", where);
  assertMatch(cell.reason ?? "", reason, where);
  assertEquals(cell.samples, [], where);
  assertEquals(cell.ratios, [], where);
  assertEquals([cell.msPerRun, cell.nsPerOp, cell.ratio], [undefined, undefined, undefined], where);
}

/** The cells that are not broken: measured, a sample and a ratio per repetition. */
function assertOthersMeasured(report: Report, caseId: string, contenders: string[]): void {
  const c = report.cases.find((c) => c.id === caseId)!;
  assertEquals(c.baseline, "async", caseId);
  for (const name of contenders) {
    const cell = cellOf(report, caseId, name);
    const where = `${caseId} on ${name}: ${cell.reason}`;
    assertEquals([cell.status, cell.reason], ["measured", undefined], where);
    assertEquals(cell.samples.length, REPETITIONS, where);
    assertEquals(cell.ratios.length, REPETITIONS, where);
    assert(cell.msPerRun !== undefined && cell.nsPerOp !== undefined && cell.ratio !== undefined, where);
  }
}

Deno.test("compare: a lock whose acquire does not exclude loses increments and its cell is a failure", async () => {
  const report = await experiment();
  const expected = perThread({ threads: 2, iterations: ITERATIONS, quick: false }) * 2;
  const cell = cellOf(report, "lock-contended/2", "broken-lock");
  assertFailed(cell, new RegExp(`^counter: \\d+, expected ${expected}$`));
  // The increments were lost, not miscounted by the check.
  const got = Number(cell.reason!.match(/^counter: (\d+)/)![1]);
  assert(got < expected, cell.reason);
  assertOthersMeasured(report, "lock-contended/2", ["async", "cooperative", "async-mutex", "distributed-memory"]);
});

Deno.test("compare: a semaphore that does not limit lets all 16 jobs in, and its cell is a failure", async () => {
  const report = await experiment();
  assertFailed(cellOf(report, "semaphore-limit", "broken-lock"), /^16 jobs held a permit at once, with 4 permits$/);
  assertOthersMeasured(report, "semaphore-limit", ["async", "cooperative", "async-mutex", "distributed-memory"]);
});

Deno.test("compare: a queue that loses an item (or swaps one for another) is a failure, not a speed", async () => {
  const report = await experiment();
  const id = "queue-producer-consumer";
  const sum = (ITERATIONS * (ITERATIONS + 1)) / 2;
  assertFailed(cellOf(report, id, "lossy-queue"), new RegExp(`^items got: ${ITERATIONS - 1}, expected ${ITERATIONS}$`));
  assertFailed(
    cellOf(report, id, "swapping-queue"),
    new RegExp(`^sum of items: ${sum - 7 + 9}, expected ${sum} \\(an item was lost\\)$`),
  );
  assertOthersMeasured(report, id, ["async", "cooperative", "distributed-memory", "faulty-queue-without-faults"]);
});

Deno.test("compare: the table and the chart show a failed cell as FAILED with its reason, with no time or bar", async () => {
  const report = await experiment();
  const table = formatTable(report);
  const failed = report.cases.flatMap((c) =>
    c.cells.filter((cell) => cell.status === "failed").map((cell) => [c.id, cell] as const)
  );
  assertEquals(
    failed.map(([id, cell]) => `${id} on ${cell.contender}`),
    [
      "lock-contended/2 on broken-lock",
      "semaphore-limit on broken-lock",
      "queue-producer-consumer on lossy-queue",
      "queue-producer-consumer on swapping-queue",
    ],
  );
  const rows = table.split("\n");
  for (const [id, cell] of failed) {
    const row = rows.find((row) => row.startsWith(id) && row.includes(` ${cell.contender} `));
    if (row === undefined) throw new Error(`no row for ${id} on ${cell.contender}:\n${table}`);
    // No time, range, time per operation or ratio: the case, the contender and FAILED with a note.
    const columns = row.trim().split(/ {2,}/);
    assertEquals(columns.slice(0, 2), [id, cell.contender], row);
    assertEquals(columns.length, 3, `'${row}' shows more than FAILED`);
    const note = columns[2].match(/^FAILED \[(\d+)\]$/)?.[1];
    assert(note !== undefined, `'${row}' does not say FAILED`);
    assertStringIncludes(table, `\n[${note}] ${cell.reason}`);
  }
  for (const c of report.cases) {
    const svg = renderChart(report, c);
    assertEquals(XMLValidator.validate(svg), true, c.id);
    const measured = c.cells.filter((cell) => cell.status === "measured").length;
    assertEquals(svg.match(/fill-opacity="0.85"/g)?.length, measured, `${c.id}: a bar per measured cell only`);
    for (const cell of c.cells.filter((cell) => cell.status === "failed")) {
      assertStringIncludes(svg, `>${escapeXml(`FAILED: ${cell.reason}`)}</text>`, c.id);
    }
  }
});
