/**
 * An `async` excepthook: a hook that returns a promise which rejects is
 * treated as a hook that throws (Python prints "Exception in
 * threading.excepthook" and goes on), never an unhandled rejection that
 * ends the program.
 *
 * @module
 */
import { assertEquals, assertStringIncludes } from "@std/assert";
import { type ExceptHook, getExcepthook, setExcepthook, Thread } from "@locksmith/threading";
import { defineCases } from "./_suite.ts";
import { captureStderr } from "./_stderr.ts";

const targets = new URL("./_targets.ts", import.meta.url).href;

/** Lets the runtime report what rejected without a handler (it does so after a macrotask). */
async function letRejectionsSurface(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 1));
}

export const excepthookCases = defineCases([
  {
    name: "Thread: an async excepthook that rejects is reported on stderr and ignored, as one that throws",
    fn: async ({ options }) => {
      let calls = 0;
      const hook: ExceptHook = async () => {
        calls++;
        await Promise.resolve();
        throw new Error("async hook failed");
      };
      const unhandled: unknown[] = [];
      const listener = (e: PromiseRejectionEvent) => {
        unhandled.push(e.reason);
        e.preventDefault();
      };
      const previous = getExcepthook();
      globalThis.addEventListener("unhandledrejection", listener);
      let output: string;
      try {
        output = await captureStderr(async () => {
          setExcepthook(hook);
          for (let i = 0; i < 2; i++) {
            const t = new Thread({ ...options, target: { module: targets, export: "raiseValueError" }, args: ["x"] });
            t.start();
            await t.join();
            assertEquals(t.isAlive(), false);
          }
          await letRejectionsSurface();
        });
      } finally {
        setExcepthook(previous);
        globalThis.removeEventListener("unhandledrejection", listener);
      }
      assertEquals(unhandled.map(String), [], "the hook's rejection became an unhandled rejection");
      assertEquals(calls, 2);
      assertStringIncludes(output, "Exception in threading.excepthook");
      assertStringIncludes(output, "async hook failed");
    },
  },
]);
