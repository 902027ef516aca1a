/**
 * The examples' output log: a `Queue` of lines that every thread of every
 * backend can put to (on `atomics`, handing it to a Worker shares it), in
 * the order they happened.
 *
 * @module
 */
import type { BackendChoice } from "@locksmith/threading";
import { Queue } from "@locksmith/threading/queue";

/** Makes a log on `backend`, with its first line `backend: <name>`. */
export function newLog(backend: BackendChoice, name: string): Queue<string> {
  const log = new Queue<string>(0, { backend });
  log.putNowait(`backend: ${name}`);
  return log;
}

/** Takes every line logged so far. */
export function drain(log: Queue<string>): string[] {
  const lines: string[] = [];
  while (!log.empty()) lines.push(log.getNowait());
  return lines;
}
