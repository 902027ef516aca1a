/**
 * One way to show a received value in an error message: a string in
 * quotes, a function by name, an object by class and a short JSON.
 *
 * @module
 */
/** Describes a received value for an error message. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "string") return `"${value}"`;
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  if (typeof value === "object") return `${value.constructor?.name ?? "object"} ${safeJson(value)}`;
  return `${typeof value} ${String(value)}`;
}

function safeJson(value: object): string {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? "" : text.length > 60 ? text.slice(0, 57) + "..." : text;
  } catch {
    return "";
  }
}
