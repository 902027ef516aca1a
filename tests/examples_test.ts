// Runs every seed example on every registered backend, and checks its output:
// exactly where the output does not depend on the schedule (and on `async`, whose schedule is fixed),
// by its invariants elsewhere. Also runs `deno task demo`'s script as a user would.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { backendNames } from "../backends/mod.ts";
import { type ExampleCase, testExamples } from "./_example_cases.ts";
import { scenarios } from "../examples/_scenarios.ts";
import { main as namedThreadLoop } from "../examples/named_thread_loop.ts";
import { main as bankBalance } from "../examples/bank_balance.ts";
import { main as counter } from "../examples/counter.ts";
import { main as rlockRunner } from "../examples/rlock_runner.ts";
import { main as localSchool } from "../examples/local_school.ts";
import { main as studentsTeacherEvent } from "../examples/students_teacher_event.ts";
import { main as producerConsumer } from "../examples/producer_consumer.ts";
import { main as timer } from "../examples/timer.ts";
import { main as barrier } from "../examples/barrier.ts";
import { main as singleton } from "../examples/singleton.ts";

const cases: ExampleCase[] = [
  {
    name: "named_thread_loop: LoopThread counts to 5 and is joined",
    main: namedThreadLoop,
    check: (lines) =>
      assertEquals(lines, [
        "thread MainThread is running...",
        "thread LoopThread is running...",
        "thread LoopThread >>> 1",
        "thread LoopThread >>> 2",
        "thread LoopThread >>> 3",
        "thread LoopThread >>> 4",
        "thread LoopThread >>> 5",
        "thread LoopThread ended.",
        "thread MainThread ended.",
      ]),
  },
  {
    name: "bank_balance: 2 threads x 100000 change_it under a Lock end at balance 0",
    main: bankBalance,
    check: (lines, backend) => {
      assertEquals(lines.length, 2);
      assertEquals(lines[0], "with a Lock: balance 0 after 2 threads x 100000 changes");
      assertMatch(lines[1], /^without a lock: balance -?\d+ after 2 threads x 1000 changes$/);
      // On async the schedule is fixed: without the lock, 5 of every change is lost the same way each time.
      if (backend === "async") assertEquals(lines[1], "without a lock: balance 5000 after 2 threads x 1000 changes");
    },
  },
  {
    name: "counter: 3 threads x 6000 increments under a Lock = 18000",
    main: counter,
    check: (lines, backend) => {
      assertEquals(lines.length, 4);
      assertEquals(lines[3], "x = 18000 (3 x 6000 = 18000)");
      // Each thread held the lock for a whole run of 6000, one after another.
      const held = lines.slice(0, 3).map((line) => {
        const match = line.match(/^(counter-[123]) held the lock: x went from (\d+) to (\d+)$/);
        if (!match) throw new Error(`unexpected line '${line}'`);
        return { name: match[1], from: Number(match[2]), to: Number(match[3]) };
      });
      assertEquals(new Set(held.map((h) => h.name)).size, 3);
      assertEquals(held.map((h) => [h.from, h.to]), [[0, 6000], [6000, 12000], [12000, 18000]]);
      if (backend === "async") assertEquals(held.map((h) => h.name), ["counter-1", "counter-2", "counter-3"]);
    },
  },
  {
    name: "rlock_runner: each runner takes the RLock twice, and a plain Lock cannot be",
    main: rlockRunner,
    check: (lines, backend) => {
      assertEquals(lines.length, 20);
      const names: string[] = [];
      for (let n = 0; n < 6; n++) {
        const name = lines[3 * n].match(/^Thread\((thread[12])\) locked, Number: /)?.[1];
        if (!name) throw new Error(`unexpected line '${lines[3 * n]}'`);
        names.push(name);
        assertEquals(lines.slice(3 * n, 3 * n + 3), [
          `Thread(${name}) locked, Number: ${n}`,
          `Thread(${name}) locked again, Number: ${n}`,
          `Thread(${name}) released, Number: ${n + 1}`,
        ]);
      }
      assertEquals(lines.slice(18), [
        "num = 6; the RLock is free",
        "a plain Lock taken twice by its owner: the second acquire timed out",
      ]);
      // FIFO hand-off: on async the runners take strict turns.
      if (backend === "async") {
        assertEquals(names, ["thread1", "thread2", "thread1", "thread2", "thread1", "thread2"]);
      }
    },
  },
  {
    name: "local_school: each thread sees its own student",
    main: localSchool,
    check: (lines, backend) => {
      const greetings = ["Hello, Alice (in Thread-A)", "Hello, Bob (in Thread-B)"];
      assertEquals(lines.length, 3);
      assertEquals(lines.slice(0, 2).toSorted(), greetings);
      assertEquals(lines[2], "in MainThread, localSchool.student is undefined");
      if (backend === "async") assertEquals(lines.slice(0, 2), greetings);
    },
  },
  {
    name: "students_teacher_event: students start only after the teacher sets the Event",
    main: studentsTeacherEvent,
    check: (lines, backend) => {
      const teacher = "time is up: students may start the exam";
      const waits = [1, 2, 3].map((id) => `student ${id} waits for the invigilator to hand out the papers`);
      const starts = [1, 2, 3].map((id) => `student ${id} starts the exam`);
      assertEquals(lines.toSorted(), [...starts, ...waits, teacher].toSorted());
      const at = lines.indexOf(teacher);
      for (const line of waits) assert(lines.indexOf(line) < at, `'${line}' came after the teacher`);
      for (const line of starts) assert(lines.indexOf(line) > at, `'${line}' came before the teacher`);
      if (backend === "async") assertEquals(lines, [...waits, teacher, ...starts]);
    },
  },
  {
    name: "producer_consumer: every item is taken once, in order, and the shelf holds at most 2",
    main: producerConsumer,
    check: (lines) => {
      assertEquals(lines.at(-1), "consumed 6 of 6 items: 1 2 3 4 5 6");
      // Replay the log on a model shelf: every line must agree with it.
      const shelf: number[] = [];
      let nextPut = 1;
      let nextTake = 1;
      let done = false;
      const takers = new Set<string>();
      for (const line of lines.slice(0, -1)) {
        const put = line.match(/^producer put (\d) \(shelf: ([\d ]+)\)$/);
        const took = line.match(/^(consumer-[12]) took (\d)$/);
        if (put) {
          assert(!done, "put after done");
          assertEquals(Number(put[1]), nextPut++);
          shelf.push(Number(put[1]));
          assertEquals(put[2], shelf.join(" "));
          assert(shelf.length <= 2, `the shelf holds ${shelf.length}`);
        } else if (took) {
          takers.add(took[1]);
          assertEquals(Number(took[2]), nextTake++);
          assertEquals(shelf.shift(), Number(took[2]));
        } else {
          assertEquals(line, "producer is done");
          assertEquals(nextPut, 7);
          done = true;
        }
      }
      assert(done, "the producer never said it was done");
      assertEquals([nextPut, nextTake, shelf.length], [7, 7, 0]);
      assert(takers.size >= 1);
    },
  },
  {
    name: "timer: one Timer fires, the cancelled one does not",
    main: timer,
    check: (lines) =>
      assertEquals(lines, [
        "started both timers (20 ms); the main thread goes on",
        "cancelled the second one before it fired",
        "greeter fired: hello, world",
        "both joined; alive: false, false",
      ]),
  },
  {
    name: "barrier: the action runs once per round, after every arrival and before every departure",
    main: barrier,
    check: (lines, backend) => {
      const runners = ["runner-1", "runner-2", "runner-3"];
      for (const round of [1, 2]) {
        const actions = lines.filter((line) => line.startsWith(`action: all 3 arrived for round ${round} (in runner-`));
        assertEquals(actions.length, 1, `round ${round} ran its action ${actions.length} times`);
        const at = lines.indexOf(actions[0]);
        for (const runner of runners) {
          const arrived = lines.indexOf(`${runner} arrives for round ${round}`);
          const left = lines.indexOf(`${runner} leaves round ${round}`);
          assert(arrived !== -1 && arrived < at, `${runner} did not arrive before the action of round ${round}`);
          assert(left > at, `${runner} did not leave after the action of round ${round}`);
        }
      }
      assertEquals(lines.length, 17);
      assertEquals(lines.slice(14), [
        "round 1 arrival indices: 0 1 2",
        "round 2 arrival indices: 0 1 2",
        "barrier: parties 3, waiting 0, broken false",
      ]);
      if (backend === "async") {
        assertEquals(lines.slice(0, 14), [
          "runner-1 arrives for round 1",
          "runner-2 arrives for round 1",
          "runner-3 arrives for round 1",
          "action: all 3 arrived for round 1 (in runner-3)",
          "runner-3 leaves round 1",
          "runner-3 arrives for round 2",
          "runner-1 leaves round 1",
          "runner-1 arrives for round 2",
          "runner-2 leaves round 1",
          "runner-2 arrives for round 2",
          "action: all 3 arrived for round 2 (in runner-2)",
          "runner-2 leaves round 2",
          "runner-3 leaves round 2",
          "runner-1 leaves round 2",
        ]);
      }
    },
  },
  {
    name: "singleton: synchronized creation makes one instance for every thread",
    main: singleton,
    check: (lines, backend) => {
      assertEquals(lines.length, 2);
      assertEquals(lines[0], "synchronized: 1 instance created; 5 threads got the same one: true");
      assertMatch(lines[1], /^without the lock: [1-5] instances created for 5 threads$/);
      if (backend === "async") assertEquals(lines[1], "without the lock: 5 instances created for 5 threads");
    },
  },
];

testExamples(cases);

Deno.test("deno task demo prints the scenario x backend table and exits 0", async () => {
  const root = new URL("../", import.meta.url);
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "examples/demo.ts"],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout);
  assertEquals(code, 0, `demo failed:\n${out}\n${new TextDecoder().decode(stderr)}`);
  const rows = out.split("\n");
  assertEquals(rows[0].split(/\s+/), ["scenario", ...backendNames()]);
  const names = scenarios.map((scenario) => scenario.name);
  assertEquals(rows.slice(1, 1 + names.length).map((row) => row.split(/\s+/)[0]), names);
  // Every example runs on every backend: no cell is `n/a`.
  for (const row of rows.slice(1, 1 + names.length)) {
    const cells = row.split(/\s{2,}/).slice(1);
    assertEquals(cells.length, backendNames().length, `row '${row}'`);
    for (const cell of cells) assertMatch(cell, /^ok \d+\.\d\ds$/, `row '${row}'`);
  }
  assertEquals(rows[1 + names.length], "");
  assertMatch(rows[2 + names.length], /^every example ran ok on every backend/);
});
