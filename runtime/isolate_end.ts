/**
 * What must happen in an isolate whose thread is ending (a Worker that
 * returns, fails, exits or is stopped), before it is gone: each primitive
 * that keeps something for this isolate's thread registers a hook (a robust
 * `Semaphore` gives back the permits the thread holds). The backend that
 * runs the Worker runs the hooks once, in the dying Worker.
 *
 * @module
 */

const hooks = new Set<() => void>();

/** Registers `hook` to run once when this isolate's thread ends. */
export function onIsolateEnd(hook: () => void): void {
  hooks.add(hook);
}

/** Runs every registered hook once (an error in one does not stop the others). */
export function runIsolateEndHooks(): void {
  const all = [...hooks];
  hooks.clear();
  for (const hook of all) {
    try {
      hook();
    } catch (error) {
      // The isolate is ending, and the others must run: say what failed, and go on.
      console.error("Exception while a thread ended:", error);
    }
  }
}
