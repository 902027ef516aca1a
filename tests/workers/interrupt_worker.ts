/**
 * A plain Web Worker (not a `Thread`) that calls `interruptMain()` and
 * posts how it went: with no heap at all (`mode: "no-heap"`), after making
 * a heap of its own (`"own-heap"`), or after reviving a primitive of the
 * main thread, which makes the main thread's heap its own (`"revived"`).
 *
 * @module
 */
import { Lock, revive } from "@locksmith/threading";
import { interruptMain } from "@locksmith/threading/_thread";

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
};

scope.onmessage = (e: MessageEvent) => {
  const { mode, lock } = e.data as { mode: "no-heap" | "own-heap" | "revived"; lock?: unknown };
  if (mode === "own-heap") new Lock({ backend: "atomics" });
  if (mode === "revived") revive(lock);
  try {
    interruptMain();
    scope.postMessage({ ok: true });
  } catch (error) {
    const { name, message } = error as Error;
    scope.postMessage({ ok: false, name, message });
  }
  scope.close();
};
