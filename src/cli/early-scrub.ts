import { Output } from "./output.js";

/** Flags whose value is a secret: their values are scrubbed even from errors raised while parsing. */
const SECRET_FLAGS = new Set(["--credential", "--token", "--turn-secret"]);

/**
 * The Output for everything written before a command has parsed its flags (usage and
 * configuration errors): it already scrubs the secrets named on the command line and honours
 * --redact, so a one-line error is as safe to paste as the report would be.
 */
export function earlyOutput(argv: readonly string[]): Output {
  const secrets: string[] = [];
  let redact = false;
  argv.forEach((arg, i) => {
    if (arg === "--redact") redact = true;
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!SECRET_FLAGS.has(name)) return;
    const value = eq > 0 ? arg.slice(eq + 1) : argv[i + 1];
    if (value !== undefined) secrets.push(value);
  });
  return new Output(secrets).withAddressRedaction(redact);
}
