/**
 * Starts a plain Web Worker from `tests/workers/`, posts it one message and
 * resolves with its first reply (an error in the Worker rejects instead).
 * The Worker is terminated afterwards.
 *
 * @module
 */

/**
 * Posts `message` to a new Worker running `workers/<file>` and returns its reply's data.
 *
 * @param file The Worker's module, relative to `tests/workers/`.
 * @param message What to post.
 * @returns The data of the first message it sends back.
 */
export async function askWorker<T>(file: string, message: unknown): Promise<T> {
  const worker = new Worker(new URL(`./workers/${file}`, import.meta.url), { type: "module" });
  try {
    const reply = new Promise<MessageEvent>((resolve, reject) => {
      worker.onmessage = resolve;
      worker.onerror = (e) => {
        e.preventDefault();
        reject(e.message);
      };
    });
    worker.postMessage(message);
    return (await reply).data as T;
  } finally {
    worker.terminate();
  }
}
