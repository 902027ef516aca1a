/**
 * A program for the daemon test: its main module ends at once, leaving one
 * thread behind. `normal`: a non-daemon thread that finishes after a while
 * (the program waits for it); `daemon`: a daemon thread that would wait
 * forever (the program must not).
 *
 * @module
 */
import { Event, Thread } from "@locksmith/threading";

/** The non-daemon thread's body. */
export async function finishLater(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 300));
  console.log("thread done");
}

/** The daemon thread's body: waits for an event nobody sets. */
export async function waitForever(): Promise<void> {
  await new Event({ backend: "atomics" }).wait();
  console.log("never printed");
}

if (import.meta.main) {
  const daemon = Deno.args[0] === "daemon";
  new Thread({
    backend: "atomics",
    daemon,
    target: { module: import.meta.url, export: daemon ? "waitForever" : "finishLater" },
  }).start();
  console.log("main done");
}
