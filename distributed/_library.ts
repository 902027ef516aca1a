/**
 * The one place where `./distributed` reaches into the library's internals
 * (argument checking and the descriptions of received values), so that a
 * move of those helpers changes one file. Everything else comes from the
 * public entry points.
 *
 * @module
 */
export { abortedSignal, checkAcquire, checkTimeout, checkWait, FOREVER, type Wait } from "../runtime/wait_options.ts";
export { describe } from "../runtime/describe.ts";
export { checkQueueWait, type QueueWaitOptions } from "../runtime/queue_wait.ts";
