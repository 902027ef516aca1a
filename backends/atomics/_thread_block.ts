/**
 * The shared block of a Worker thread the library started, allocated by its
 * spawner: how the thread has ended, whether it is asked to stop, and the
 * code its Worker exited with. The block's index is the thread's holder tag
 * (`Cells.holder`): a lock keeps it while the thread holds it, and any
 * thread reads here whether the holder is gone. In the main isolate, and in
 * Workers the library did not start, the tag is 0 (their end cannot be seen).
 *
 * | cell        | holds                                                    |
 * |-------------|----------------------------------------------------------|
 * | `T_END`     | `HOLDER_RUNNING`, then `HOLDER_RETURNED` or `HOLDER_DIED` |
 * | `T_CANCEL`  | 1 once the thread is asked to stop (`terminate`)         |
 * | `T_EXIT`    | the code its Worker exited with                          |
 *
 * The spawner gives the block back once the Worker has exited, if the
 * Worker said no lock ever took its tag; otherwise it is kept for good (an
 * abandoned lock may name it until another thread takes it over).
 *
 * `T_END` is written once, by the dying Worker itself (after it has left
 * every wait and given back what was on its way to it), or by its spawner
 * when the Worker ended without doing so (a crash).
 *
 * @module
 */

/** How many cells the block has. */
export const THREAD_BLOCK_SIZE = 3;
/** How the thread ended (0 while it runs). */
export const T_END = 0;
/** 1 once the thread is asked to stop. */
export const T_CANCEL = 1;
/** The exit code of its Worker. */
export const T_EXIT = 2;
