/**
 * A plain Web Worker (not a `Thread`) that receives a shared `Lock` by
 * `postMessage`, revives it, reports what it sees, and posts it back.
 *
 * @module
 */
import { Lock, revive } from "../../mod.ts";

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
};

scope.onmessage = (e: MessageEvent) => {
  const lock = revive<Lock>(e.data.lock);
  const report = {
    isLock: lock instanceof Lock,
    lockedHere: lock.locked(),
    triedWhileHeld: lock.acquireSync(false),
  };
  // Posted back, it is a handle again.
  scope.postMessage({ report, lock });
  scope.close();
};
