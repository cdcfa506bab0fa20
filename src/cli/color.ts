/**
 * Colour for a stream: NO_COLOR (https://no-color.org) always wins, FORCE_COLOR turns it on for
 * CI logs that render ANSI, and otherwise only a terminal gets colour.
 */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "") return false;
  const force = env["FORCE_COLOR"];
  if (force !== undefined) return force !== "0" && force !== "false";
  return stream.isTTY === true && env["TERM"] !== "dumb";
}
