/**
 * A plain Web Worker (not a `Thread`) that receives a shared `Lock` by
 * `postMessage`, revives it, reports what it sees, and posts it back.
 *
 * @module
 */
import { getIdent, Lock, revive, type RLock } from "@locksmith/threading";

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
};

scope.onmessage = (e: MessageEvent) => {
  const lock = revive<Lock>(e.data.lock);
  const rlock = revive<RLock>(e.data.rlock);
  const report = {
    isLock: lock instanceof Lock,
    lockedHere: lock.locked(),
    triedWhileHeld: lock.acquireSync(false),
    // The main thread owns the RLock: this Worker must not pass for its owner.
    rlockTriedWhileHeld: rlock.acquireSync(false),
    identIsNotMain: getIdent() !== 1,
  };
  // Posted back, it is a handle again.
  scope.postMessage({ report, lock });
  scope.close();
};
