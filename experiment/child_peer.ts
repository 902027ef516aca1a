/**
 * A peer that runs in a child process (CPython, or Deno with other V8
 * flags) and speaks a line protocol on its standard input and output, one
 * JSON object per line:
 *
 * | the experiment sends                                   | the child answers                                |
 * | ------------------------------------------------------ | ------------------------------------------------ |
 * | `{"op":"hello"}`                                       | `{"workloads":["name",...],"note":"version"}`    |
 * | `{"op":"open","workload":"name","threads":8,"iterations":1000,"quick":false}` | `{"ok":true}` or `{"unavailable":"why"}` |
 * | `{"op":"sample","runs":5}`                             | `{"ms":12.5}` or `{"ms":3.1,"problem":"what"}`   |
 * | `{"op":"close"}`                                       | `{"ok":true}`                                    |
 *
 * The child times its own runs, the same way (the clock starts after a
 * run's setup), and checks their results. It ends when its standard input
 * closes. A child that dies before answering makes its cells unavailable,
 * with its exit status and the end of its standard error as the reason; a
 * child that dies after the last answer (V8's experimental flags can crash
 * Deno as it exits) has measured all it was asked: its exit is noted.
 *
 * @module
 */
import type { Contender, Session, Workload } from "./types.ts";
import { Unavailable } from "./types.ts";

/** How {@linkcode childProcessPeer} starts the child. */
export interface ChildProcessPeerOptions {
  /** The peer's name: the column of the table. */
  readonly name: string;
  /** The program to run (`"python3"`, `Deno.execPath()`). */
  readonly command: string;
  /** Its arguments. */
  readonly args?: readonly string[];
  /** The working directory. */
  readonly cwd?: string | URL;
  /** Used as the note when the child does not send one. */
  readonly note?: string;
  /**
   * The workloads it implements, if known before it starts (so that a child
   * that cannot start shows as unavailable in those cells); otherwise its
   * answer to `hello` says.
   */
  readonly workloads?: readonly string[];
}

/**
 * A contender that runs in a child process speaking the line protocol
 * described in this module's documentation.
 *
 * @param options What to run.
 * @returns The contender; {@linkcode Contender.start} throws
 * {@linkcode Unavailable} if the program cannot be started or does not answer.
 *
 * @example A peer that is not installed is unavailable, not an error
 * ```ts
 * import { childProcessPeer, Unavailable } from "@locksmith/threading/experiment";
 * import { assertRejects } from "@std/assert";
 *
 * const peer = childProcessPeer({ name: "missing", command: "no-such-program-here" });
 * await assertRejects(() => peer.start!(), Unavailable);
 * ```
 */
export function childProcessPeer(options: ChildProcessPeerOptions): Contender {
  let child: Child | undefined;
  let workloads = new Set<string>(options.workloads ?? []);
  let note = options.note;
  let startFailure: string | undefined;
  const contender: Contender = {
    name: options.name,
    kind: "peer",
    get note() {
      return note;
    },
    implements: (workload: Workload) => workloads.has(workload.name),
    async start() {
      try {
        child = new Child(options);
        const hello = await child.ask({ op: "hello" });
        workloads = new Set(hello.workloads as string[]);
        if (typeof hello.note === "string") note = hello.note;
      } catch (error) {
        startFailure = error instanceof Error ? error.message : String(error);
        await child?.end();
        child = undefined;
        throw new Unavailable(startFailure);
      }
    },
    async open(workloadCase) {
      if (child === undefined) throw new Unavailable(startFailure ?? `${options.name} is not running`);
      const { workload, threads, iterations, quick } = workloadCase;
      const answer = await child.ask({ op: "open", workload: workload.name, threads, iterations, quick }).catch(
        (error) => {
          throw new Unavailable(error.message);
        },
      );
      if (typeof answer.unavailable === "string") throw new Unavailable(answer.unavailable);
      const session: Session = {
        async sample(runs) {
          const reply = await child!.ask({ op: "sample", runs });
          return typeof reply.problem === "string"
            ? { ms: Number(reply.ms), problem: reply.problem }
            : { ms: Number(reply.ms) };
        },
        async close() {
          await child!.ask({ op: "close" });
        },
      };
      return session;
    },
    async stop() {
      if (child === undefined) return undefined;
      const ending = await child.end();
      child = undefined;
      return ending;
    },
  };
  return contender;
}

/** A running child and its line protocol. */
class Child {
  readonly #process: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: AsyncIterator<string>;
  readonly #stderr: Promise<string>;
  readonly #name: string;
  #dead: string | undefined;

  constructor(options: ChildProcessPeerOptions) {
    this.#name = options.name;
    try {
      this.#process = new Deno.Command(options.command, {
        args: [...(options.args ?? [])],
        cwd: options.cwd,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (error) {
      throw new Error(`Cannot start ${options.command}: ${error instanceof Error ? error.message : error}`);
    }
    this.#writer = this.#process.stdin.getWriter();
    this.#lines = readLines(this.#process.stdout)[Symbol.asyncIterator]();
    this.#stderr = new Response(this.#process.stderr).text();
  }

  /** Sends one request and reads one answer; rejects with why if the child died. */
  async ask(request: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.#dead !== undefined) throw new Error(this.#dead);
    try {
      await this.#writer.write(new TextEncoder().encode(JSON.stringify(request) + "\n"));
    } catch {
      // The child is gone; reading tells how.
    }
    const next = await this.#lines.next();
    if (next.done) {
      const status = await this.#process.status;
      const stderr = (await this.#stderr).trim().split("\n").slice(-3).join(" / ");
      this.#dead = `${this.#name} ended (${describeStatus(status)}) before answering '${request.op}'${
        stderr ? `: ${stderr}` : ""
      }`;
      throw new Error(this.#dead);
    }
    let answer: unknown;
    try {
      answer = JSON.parse(next.value);
    } catch {
      throw new Error(`${this.#name} answered '${request.op}' with a line that is not JSON: received ${next.value}`);
    }
    if (typeof answer !== "object" || answer === null) {
      throw new Error(
        `${this.#name} answered '${request.op}' with something other than an object: received ${next.value}`,
      );
    }
    if (typeof (answer as { error?: unknown }).error === "string") {
      throw new Error(`${this.#name}: ${(answer as { error: string }).error}`);
    }
    return answer as Record<string, unknown>;
  }

  /** Closes its input and waits for it to end; returns a note if it did not end cleanly. */
  async end(): Promise<string | undefined> {
    await this.#writer.close().catch(() => {});
    // Drain what is left of its output so the process can end.
    for (let next = await this.#lines.next(); !next.done; next = await this.#lines.next()) { /* drop */ }
    const status = await this.#process.status;
    await this.#stderr;
    return status.success ? undefined : `${this.#name} exited with ${describeStatus(status)} after its last answer`;
  }
}

function describeStatus(status: Deno.CommandStatus): string {
  return status.signal !== null ? `signal ${status.signal}` : `exit code ${status.code}`;
}

async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffered = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf("\n")) !== -1) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line !== "") yield line;
    }
  }
  if (buffered.trim() !== "") yield buffered.trim();
}
