/**
 * Names of live threads by ident, so reports can say who holds what.
 *
 * @module
 */

const names = new Map<number, string>();

/** Records a live thread's name. */
export function nameThread(ident: number, name: string): void {
  names.set(ident, name);
}

/** Forgets a finished thread. */
export function forgetThread(ident: number): void {
  names.delete(ident);
}

/** The name of the thread with `ident`, or a placeholder. */
export function threadName(ident: number): string {
  return names.get(ident) ?? `thread ${ident}`;
}
