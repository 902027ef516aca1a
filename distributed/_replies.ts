/**
 * Turns the error statuses every operation may return into the errors the
 * contract names.
 *
 * @module
 */
import { ValueError } from "../mod.ts";

/** Status of a name that is another kind of primitive on the server. */
export const WRONG_KIND = -100;
/** Status of a name that is the same kind with other settings. */
export const WRONG_SETTINGS = -101;

/**
 * Returns `reply` unless it is an error status.
 *
 * @param reply The operation's reply.
 * @param settings What this client gave as the settings (for the message).
 * @param label The primitive, for the message.
 * @throws {TypeError} If the name is another kind of primitive.
 * @throws {ValueError} If the name is the same kind with other settings.
 */
export function checkReply(reply: (number | string)[], kind: string, settings: string, label: string) {
  if (reply[0] === WRONG_KIND) {
    throw new TypeError(
      `Cannot use ${label}: the name is already a ${reply[1]} on the server, not a ${kind}`,
    );
  }
  if (reply[0] === WRONG_SETTINGS) {
    throw new ValueError(
      `Cannot use ${label}: the server has a ${kind} of that name made with ${
        reply[2] === "" ? "no settings" : `'${reply[2]}'`
      }: received '${settings}'`,
    );
  }
  return reply;
}
