/**
 * Starts processes of `_process.ts` and reads their JSON events.
 *
 * @module
 */

const script = new URL("./_process.ts", import.meta.url).pathname;

/** One child process and the events it printed. */
export class Child {
  readonly process: Deno.ChildProcess;
  readonly events: Record<string, unknown>[] = [];
  readonly #waiters: {
    match: (e: Record<string, unknown>) => boolean;
    resolve: (e: Record<string, unknown>) => void;
  }[] = [];
  readonly #reading: Promise<void>;
  stderr = "";

  constructor(role: string, args: Record<string, unknown>) {
    this.process = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, role, JSON.stringify(args)],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#reading = this.#read();
  }

  async #read(): Promise<void> {
    const errors = (async () => {
      for await (const chunk of this.process.stderr.pipeThrough(new TextDecoderStream())) this.stderr += chunk;
    })();
    let buffer = "";
    for await (const chunk of this.process.stdout.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (!line.startsWith("{")) continue;
        const event = JSON.parse(line);
        this.events.push(event);
        for (const waiter of [...this.#waiters]) {
          if (waiter.match(event)) {
            this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
            waiter.resolve(event);
          }
        }
      }
    }
    await errors;
  }

  /** Resolves with the first event named `name` (past or future); rejects after `ms`. */
  next(name: string, ms = 30_000): Promise<Record<string, unknown>> {
    const past = this.events.find((e) => e.event === name);
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`No '${name}' from the process within ${ms} ms; stderr: ${this.stderr}`)),
        ms,
      );
      this.#waiters.push({
        match: (e) => e.event === name,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  /** Sends a signal (ignored if it has exited). */
  kill(signal: Deno.Signal): void {
    try {
      this.process.kill(signal);
    } catch {
      // already gone
    }
  }

  /** Waits for it to exit and for its output to be read. */
  async exited(): Promise<Deno.CommandStatus> {
    const status = await this.process.status;
    await this.#reading;
    return status;
  }
}
