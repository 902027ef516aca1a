/**
 * Captures what a case's code writes with `console.error` (the excepthook,
 * a pool's failing initializer or callback report there).
 *
 * @module
 */

/**
 * Runs `fn` (and waits for it) with `console.error` captured.
 *
 * @param fn The code to run.
 * @returns What it printed, one line per call (an error as `Name: message`).
 */
export async function captureStderr(fn: () => unknown): Promise<string> {
  const original = console.error;
  const lines: string[] = [];
  console.error = (...args: unknown[]) => {
    lines.push(args.map((a) => a instanceof Error ? `${a.name}: ${a.message}` : String(a)).join(" "));
  };
  try {
    await fn();
  } finally {
    console.error = original;
  }
  return lines.join("\n");
}
