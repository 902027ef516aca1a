/**
 * The seeds' producer/consumer with a `Condition`: a producer puts items on
 * a shelf that holds two, two consumers take them, and each side waits on
 * the condition until the other has made room or put an item.
 *
 * Python:
 * ```py
 * cond = threading.Condition()
 *
 * def consumer():
 *     with cond:
 *         cond.wait_for(lambda: shelf or done)
 *         ...
 *
 * def producer():
 *     with cond:
 *         cond.wait_for(lambda: len(shelf) < 2)
 *         shelf.append(item)
 *         cond.notify_all()
 * ```
 *
 * Run it: `deno run -A examples/producer_consumer.ts --backend=async`
 *
 * @module
 */
import {
  type BackendChoice,
  Condition,
  getBackend,
  getDefaultBackend,
  Lock,
  sleep,
  Thread,
} from "@locksmith/threading";

const ITEMS = 6;
const CAPACITY = 2;

/**
 * Runs the scenario on `backend` and returns its output lines.
 *
 * @param backend The backend every thread and primitive is created on.
 * @returns The lines the scenario printed.
 */
export async function main(backend: BackendChoice = getDefaultBackend()): Promise<string[]> {
  const lines = [`backend: ${getBackend(backend).name}`];
  const cond = new Condition(new Lock({ backend }), { backend });
  const shelf: number[] = [];
  const consumed: number[] = [];
  let done = false;

  async function producer(): Promise<void> {
    for (let item = 1; item <= ITEMS; item++) {
      using _ = await cond.guard(); // Python's `with cond:`
      await cond.waitFor(() => shelf.length < CAPACITY);
      shelf.push(item);
      lines.push(`producer put ${item} (shelf: ${shelf.join(" ")})`);
      cond.notifyAll();
    }
    using _ = await cond.guard();
    done = true;
    lines.push("producer is done");
    cond.notifyAll();
  }

  async function consumer(name: string): Promise<void> {
    while (true) {
      {
        using _ = await cond.guard();
        await cond.waitFor(() => shelf.length > 0 || done);
        if (shelf.length === 0) break; // done, and nothing left
        const item = shelf.shift()!;
        consumed.push(item);
        lines.push(`${name} took ${item}`);
        cond.notifyAll();
      }
      await sleep(5, { backend }); // uses the item, without holding the lock
    }
  }

  const threads = [
    new Thread({ target: producer, name: "producer", backend }),
    ...["consumer-1", "consumer-2"].map((name) => new Thread({ target: consumer, args: [name], name, backend })),
  ];
  for (const t of threads) t.start();
  for (const t of threads) await t.join();
  lines.push(`consumed ${consumed.length} of ${ITEMS} items: ${consumed.join(" ")}`);
  return lines;
}

if (import.meta.main) {
  const flag = Deno.args.find((arg) => arg.startsWith("--backend="));
  for (const line of await main(flag?.slice("--backend=".length) ?? "async")) console.log(line);
}
