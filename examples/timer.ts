/**
 * The seeds' `threading.Timer(seconds, func)`: a thread that calls a
 * function once its interval has passed, while the code that started it
 * goes on; and a second timer, cancelled before it fires, that never calls
 * its function.
 *
 * Python:
 * ```py
 * t = threading.Timer(0.02, hello, args=['world'])
 * t.start()
 * never = threading.Timer(0.02, oops)
 * never.start()
 * never.cancel()
 * ```
 *
 * Run it: `deno run -A examples/timer.ts --backend=async`
 *
 * @module
 */
import { type BackendChoice, currentThread, getBackend, getDefaultBackend, Timer } from "@locksmith/threading";

const INTERVAL = 20;

/**
 * Runs the scenario on `backend` and returns its output lines.
 *
 * @param backend The backend every thread and primitive is created on.
 * @returns The lines the scenario printed.
 */
export async function main(backend: BackendChoice = getDefaultBackend()): Promise<string[]> {
  const lines = [`backend: ${getBackend(backend).name}`];

  function hello(who: string): void {
    lines.push(`${currentThread().name} fired: hello, ${who}`);
  }
  function oops(): void {
    lines.push(`${currentThread().name} fired, though it was cancelled`);
  }

  const greeter = new Timer(INTERVAL, hello, ["world"], { name: "greeter", backend });
  const cancelled = new Timer(INTERVAL, oops, [], { name: "cancelled", backend });
  greeter.start();
  cancelled.start();
  lines.push(`started both timers (${INTERVAL} ms); the main thread goes on`);
  cancelled.cancel();
  lines.push("cancelled the second one before it fired");
  await greeter.join();
  await cancelled.join();
  lines.push(`both joined; alive: ${greeter.isAlive()}, ${cancelled.isAlive()}`);
  return lines;
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(flag?.slice("--backend=".length) ?? "async")) console.log(line);
}
