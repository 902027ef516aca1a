/**
 * The message of a `DeadlockError` on the cooperative backend: each waiting
 * thread, what it waits on (and where that was created), who holds it, and
 * the cycle of threads waiting on each other when there is one.
 *
 * @module
 */
import type { Subject } from "../types.ts";

/** One blocked wait, as the report needs it. */
export interface BlockedWait {
  /** The waiting thread's name. */
  readonly thread: string;
  /** The operation, such as `acquire`. */
  readonly op: string;
  /** What it waits on. */
  readonly subject: Subject;
  /** Where the primitive was created (`file.ts:12:7`), if known. */
  readonly createdAt: string | undefined;
}

// The library's own folders, whose frames a creation site skips. Worked out on first use, and
// empty if this module's URL is none (a bundle for an edge runtime): loading must not throw.
let libraryDirs: string[] | undefined;

function ownDirs(): string[] {
  if (libraryDirs !== undefined) return libraryDirs;
  try {
    const root = new URL("../../", import.meta.url).href;
    return libraryDirs = [`${root}backends/`, `${root}primitives/`];
  } catch {
    return libraryDirs = [];
  }
}
const frameUrl = /\(?((?:file|https?|jsr|npm|data|blob):[^\s()]+?):(\d+):(\d+)\)?$/;

/**
 * Captures the stack of a primitive's creation, cheaply: V8 formats it only
 * if {@linkcode creationSite} reads it.
 */
export function captureCreation(): Error {
  return new Error("created here");
}

/** The first frame of `error`'s stack outside this library, as `file.ts:line:col`. */
export function creationSite(error: Error | undefined): string | undefined {
  const stack = error?.stack;
  if (stack === undefined) return undefined;
  for (const line of stack.split("\n").slice(1)) {
    const match = frameUrl.exec(line.trim());
    if (match === null) continue;
    const url = match[1];
    if (ownDirs().some((dir) => url.startsWith(dir))) continue;
    const file = url.slice(url.lastIndexOf("/") + 1);
    return `${file}:${match[2]}:${match[3]}`;
  }
  return undefined;
}

/**
 * Writes the report.
 *
 * @param backend The backend's name.
 * @param waits The blocked waits, in the order they blocked.
 * @returns The message: a summary line, one line per wait, and the cycle if any.
 */
export function describeDeadlock(backend: string, waits: readonly BlockedWait[]): string {
  const lines = [`Deadlock: no thread of the '${backend}' backend can run and no timer is pending`];
  for (const w of waits) {
    const holder = w.subject.holder?.();
    const where = w.createdAt === undefined ? "" : ` (created at ${w.createdAt})`;
    const held = holder === undefined ? "" : `, held by '${holder}'`;
    lines.push(`  thread '${w.thread}' waits in ${w.op} on ${w.subject.label}${where}${held}`);
  }
  const cycle = findCycle(waits);
  if (cycle !== undefined) lines.push(`  cycle: ${cycle}`);
  return lines.join("\n");
}

// Follows "waits on a primitive held by" from each thread until a thread repeats.
function findCycle(waits: readonly BlockedWait[]): string | undefined {
  const waitOf = new Map<string, BlockedWait>();
  for (const w of waits) if (!waitOf.has(w.thread)) waitOf.set(w.thread, w);
  for (const start of waitOf.keys()) {
    const path: string[] = [];
    const seen = new Map<string, number>();
    let thread: string | undefined = start;
    while (thread !== undefined && !seen.has(thread)) {
      const w = waitOf.get(thread);
      if (w === undefined) break;
      seen.set(thread, path.length);
      path.push(`'${thread}'`, w.subject.label);
      thread = w.subject.holder?.();
    }
    if (thread !== undefined && seen.has(thread)) {
      return [...path.slice(seen.get(thread)), `'${thread}'`].join(" -> ");
    }
  }
  return undefined;
}
