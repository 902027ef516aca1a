/**
 * A thread of this isolate: its body runs as an async task with the
 * thread's identity (so `currentThread()` follows it across every `await`),
 * and its end is written to a cell of the backend that started it, which
 * `joinSync` parks on. Every backend runs in-isolate threads this way; only
 * when a thread runs starts differs (`schedule`).
 *
 * | done cell | meaning                      |
 * |-----------|------------------------------|
 * | 0         | running                      |
 * | 1         | ended (`onEnd` has returned) |
 *
 * @module
 */
import { runAsThread } from "../runtime/current_thread.ts";
import { type Backend, PARK_INVALID, type SpawnRequest, type Subject, type ThreadHandle } from "./types.ts";

const DONE = 1;

/**
 * Starts `request`'s body as a thread of this isolate.
 *
 * @param backend The backend whose cells and parking lot `joinSync` uses.
 * @param request What to run.
 * @param schedule Runs the thread's start when the backend says (a microtask, or a scheduler's turn).
 * @returns The thread's handle.
 */
export function spawnHere(
  backend: Backend,
  request: SpawnRequest,
  schedule: (start: () => Promise<void>) => void,
): ThreadHandle {
  const cells = backend.allocate(1, "Thread");
  const thread = request.thread;
  const subject: Subject = { label: `thread '${thread.name}'` };
  schedule(() =>
    runAsThread(thread, async () => {
      let failed = false;
      let error: unknown = undefined;
      try {
        await request.body();
      } catch (e) {
        failed = true;
        error = e;
      }
      try {
        request.onEnd(failed, error);
      } finally {
        cells.store(0, DONE);
        backend.unparkMany(cells, 0, Infinity, DONE);
      }
    })
  );
  return {
    joinSync(timeout: number): boolean {
      const ended = backend.parkSync(cells, 0, {
        subject,
        op: "join",
        timeout,
        timeoutValue: false,
        validate: () => cells.load(0) !== DONE,
        wake: () => true,
      });
      return ended === PARK_INVALID || ended;
    },
  };
}
