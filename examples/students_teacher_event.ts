/**
 * The seeds' exam: three students wait on an `Event` until the invigilating
 * teacher sets it, then all of them start.
 *
 * Python:
 * ```py
 * event = threading.Event()
 *
 * def student_exam(student_id):
 *     print(f'student {student_id} waits for the papers')
 *     event.wait()
 *     print(f'student {student_id} starts the exam')
 *
 * def invigilate_teacher():
 *     time.sleep(3)
 *     print('time is up: students may start the exam')
 *     event.set()
 * ```
 *
 * The thread bodies are named by module reference and the `Event` is passed
 * to them, so the same code runs on every backend (on `atomics`, in four
 * Workers sharing the Event).
 *
 * Run it: `deno run -A examples/students_teacher_event.ts --backend=async`
 *
 * @module
 */
import { type BackendChoice, Event, getBackend, getDefaultBackend, sleep, Thread } from "@locksmith/threading";
import type { Queue } from "@locksmith/threading/queue";
import { drain, newLog } from "./_log.ts";

/**
 * Python's `student_exam`: waits for the Event, then starts.
 *
 * @param log Where lines go.
 * @param event The teacher's signal.
 * @param studentId Which student.
 * @param seated Counts the students in their seats (shared memory).
 */
export async function studentExam(
  log: Queue<string>,
  event: Event,
  studentId: number,
  seated: Int32Array,
): Promise<void> {
  log.putNowait(`student ${studentId} waits for the invigilator to hand out the papers`);
  Atomics.add(seated, 0, 1);
  await event.wait();
  log.putNowait(`student ${studentId} starts the exam`);
}

/**
 * Python's `invigilate_teacher`: waits, then sets the Event.
 *
 * @param log Where lines go.
 * @param event The signal.
 * @param backend The backend to sleep on.
 * @param seated Counts the students in their seats.
 * @param students How many students sit the exam.
 */
export async function invigilateTeacher(
  log: Queue<string>,
  event: Event,
  backend: string,
  seated: Int32Array,
  students: number,
): Promise<void> {
  // Every student is seated first (a Worker takes a while to start on atomics).
  while (Atomics.load(seated, 0) < students) await sleep(1, { backend });
  await sleep(20, { backend }); // Python waits 3 s
  log.putNowait("time is up: students may start the exam");
  event.set();
}

/**
 * Runs the scenario on `backend` and returns its output lines.
 *
 * @param backend The backend every thread and primitive is created on.
 * @returns The lines the scenario printed.
 */
export async function main(backend: BackendChoice = getDefaultBackend()): Promise<string[]> {
  const name = getBackend(backend).name;
  const log = newLog(backend, name);
  const event = new Event({ backend });
  const seated = new Int32Array(new SharedArrayBuffer(4));
  const students = [1, 2, 3].map((id) =>
    new Thread({
      target: { module: import.meta.url, export: "studentExam" },
      args: [log, event, id, seated],
      name: `student-${id}`,
      backend,
    })
  );
  for (const t of students) t.start();
  const teacher = new Thread({
    target: { module: import.meta.url, export: "invigilateTeacher" },
    args: [log, event, name, seated, students.length],
    name: "teacher",
    backend,
  });
  teacher.start();
  for (const t of [...students, teacher]) await t.join();
  return drain(log);
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(flag?.slice("--backend=".length) ?? "async")) console.log(line);
}
