/**
 * The Worker of the hand-written pool in `pool_bench.ts`: one `postMessage`
 * per task in, one per result out (`[id, ms]`: `ms` 0 is a no-op, more
 * burns that much CPU).
 *
 * @module
 */
import { burn, noop } from "./_pool_bench_tasks.ts";

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<[number, number]>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = (e) => {
  const [id, ms] = e.data;
  scope.postMessage([id, ms === 0 ? noop(ms) : burn(ms)]);
};
