/**
 * The one place where `./distributed` reaches into the library's internals
 * (argument checking and the descriptions of received values), so that a
 * move of those helpers changes one file. Everything else comes from the
 * public entry points.
 *
 * @module
 */
export {
  abortedSignal,
  checkAcquire,
  checkTimeout,
  checkWait,
  describe,
  FOREVER,
  type Wait,
} from "../primitives/_wait_options.ts";
export { checkQueueWait, type QueueWait, type QueueWaitOptions } from "../queues/_queue_wait.ts";
