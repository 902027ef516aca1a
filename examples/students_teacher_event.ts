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
 * Run it: `deno run -A examples/students_teacher_event.ts --backend=async`
 *
 * @module
 */
import { type BackendChoice, Event, getBackend, getDefaultBackend, sleep, Thread } from "@locksmith/threading";

/**
 * Runs the scenario on `backend` and returns its output lines.
 *
 * @param backend The backend every thread and primitive is created on.
 * @returns The lines the scenario printed.
 */
export async function main(backend: BackendChoice = getDefaultBackend()): Promise<string[]> {
  const lines = [`backend: ${getBackend(backend).name}`];
  const event = new Event({ backend });

  async function studentExam(studentId: number): Promise<void> {
    lines.push(`student ${studentId} waits for the invigilator to hand out the papers`);
    await event.wait();
    lines.push(`student ${studentId} starts the exam`);
  }

  async function invigilateTeacher(): Promise<void> {
    await sleep(20, { backend }); // Python waits 3 s
    lines.push("time is up: students may start the exam");
    event.set();
  }

  const threads = [1, 2, 3].map((id) =>
    new Thread({ target: studentExam, args: [id], name: `student-${id}`, backend })
  );
  threads.push(new Thread({ target: invigilateTeacher, name: "teacher", backend }));
  for (const t of threads) t.start();
  for (const t of threads) await t.join();
  return lines;
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(flag?.slice("--backend=".length) ?? "async")) console.log(line);
}
